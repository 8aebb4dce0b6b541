package report

import (
	"context"
	"errors"
	"fmt"
	"github.com/cloudisms/cloudisms/internal/gate"
	"os"
	"os/exec"
	"path/filepath"
	"time"
)

// Browsers PDF output looks for, in this order.
var Browsers = []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"}

// ErrNoBrowser: no headless Chromium to print with.
var ErrNoBrowser = errors.New("no headless Chromium found")

// ErrBusy: as many PDFs (or workbooks) as allowed are being printed (or
// read) and as many requests as allowed wait for their turn; the caller
// should try again after RetryAfter.
var ErrBusy = gate.ErrBusy

// Limits of PDF printing. Each print starts a headless Chromium (several
// processes, some hundred megabytes for seconds), so only MaxPrints run at
// once; up to MaxWaiting more wait at most QueueWait for a turn, and any
// beyond are refused at once with ErrBusy (the server answers 503 with
// Retry-After: RetryAfter).
const (
	MaxPrints  = 2
	MaxWaiting = 8
	QueueWait  = 30 * time.Second
	RetryAfter = 30 * time.Second
	// PrintTimeout ends a Chromium that has not finished a document.
	PrintTimeout = 2 * time.Minute
)

var prints = gate.New(MaxPrints, MaxWaiting, QueueWait)

// FindBrowser finds a Chromium to print with.
func FindBrowser() (string, error) {
	for _, b := range Browsers {
		if p, err := exec.LookPath(b); err == nil {
			return p, nil
		}
	}
	return "", fmt.Errorf("%w: PDF output needs one of %v on the PATH (Debian: apt-get install -y chromium)", ErrNoBrowser, Browsers)
}

// offline are the Chromium switches that keep the print off the network:
// every request goes to a proxy at a loopback port where nothing listens
// (loopback addresses included, which Chromium otherwise sends direct),
// and no host name resolves. Together with the page's own
// Content-Security-Policy (default-src 'none'), nothing a document holds —
// an organization's name, a risk's text — can make the server fetch a URL.
var offline = []string{
	"--proxy-server=http://127.0.0.1:1",
	"--proxy-bypass-list=<-loopback>",
	"--host-resolver-rules=MAP * ~NOTFOUND",
	"--disable-background-networking",
	"--disable-component-update",
	"--disable-domain-reliability",
	"--disable-sync",
	"--no-first-run",
	"--no-default-browser-check",
}

// PDF prints a page made by PrintHTML to a PDF file through headless
// Chromium, with the page's own header and page numbers. At most MaxPrints
// run at once (ErrBusy when the queue is full), each with the network off
// (the page is read from a file) and within PrintTimeout.
func PDF(ctx context.Context, browser string, page []byte, out string) error {
	leave, err := prints.Enter(ctx)
	if err != nil {
		return err
	}
	defer leave()
	dir, err := os.MkdirTemp("", "cloudisms-pdf-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	src := filepath.Join(dir, "doc.html")
	if err := os.WriteFile(src, page, 0o600); err != nil {
		return err
	}
	abs, err := filepath.Abs(out)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, PrintTimeout)
	defer cancel()
	args := append([]string{"--headless", "--no-sandbox", "--disable-gpu",
		"--user-data-dir=" + filepath.Join(dir, "profile"), "--no-pdf-header-footer"}, offline...)
	cmd := exec.CommandContext(ctx, browser, append(args, "--print-to-pdf="+abs, "file://"+src)...)
	cmd.WaitDelay = 5 * time.Second
	msg, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s: %w: %s", browser, err, msg)
	}
	if st, err := os.Stat(abs); err != nil || st.Size() == 0 {
		return fmt.Errorf("%s wrote no PDF: %s", browser, msg)
	}
	return nil
}
