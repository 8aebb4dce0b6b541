package report

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"time"
)

// Browsers PDF output looks for, in this order.
var Browsers = []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"}

// ErrNoBrowser: no headless Chromium to print with.
var ErrNoBrowser = errors.New("no headless Chromium found")

// FindBrowser finds a Chromium to print with.
func FindBrowser() (string, error) {
	for _, b := range Browsers {
		if p, err := exec.LookPath(b); err == nil {
			return p, nil
		}
	}
	return "", fmt.Errorf("%w: PDF output needs one of %v on the PATH (Debian: apt-get install -y chromium)", ErrNoBrowser, Browsers)
}

// PDF prints a page made by PrintHTML to a PDF file through headless
// Chromium, with the page's own header and page numbers.
func PDF(ctx context.Context, browser string, page []byte, out string) error {
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
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
		"--no-first-run", "--user-data-dir="+filepath.Join(dir, "profile"), "--no-pdf-header-footer",
		"--print-to-pdf="+abs, "file://"+src)
	msg, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("%s: %w: %s", browser, err, msg)
	}
	if st, err := os.Stat(abs); err != nil || st.Size() == 0 {
		return fmt.Errorf("%s wrote no PDF: %s", browser, msg)
	}
	return nil
}
