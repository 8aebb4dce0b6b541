package web_test

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/cloudisms/cloudisms/internal/pack"
	"github.com/cloudisms/cloudisms/internal/report"
	"github.com/cloudisms/cloudisms/internal/store"
	"github.com/cloudisms/cloudisms/internal/store/storetest"
)

// The audit pack: asked for on the reports page, made by the job queue,
// downloaded as a zip that holds every document, workbook, the period's
// history, the approvals with fingerprints and an index whose hashes
// match the files.
func TestAuditPack(t *testing.T) {
	// The PDFs are the browser test's (TestBrowserAuditPack): here the
	// documents come as HTML, which keeps this test quick.
	pack.FindBrowser = func() (string, error) { return "", errors.New("no browser in this test") }
	t.Cleanup(func() { pack.FindBrowser = report.FindBrowser })
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			st := newSite(t, b)
			ctx := context.Background()
			const as = "manager@example.com"
			if page := st.get(as, "/orgs/sample/reports"); !strings.Contains(page, `action="/orgs/sample/reports/pack"`) {
				t.Fatal("no audit pack form on the reports page")
			}
			code, _, h := st.do(as, "POST", "/orgs/sample/reports/pack", url.Values{"from": {"2025-11-01"}, "to": {"2026-11-01"}})
			if code != http.StatusSeeOther {
				t.Fatalf("create: %d", code)
			}
			jobURL := h.Get("Location")
			if page := st.get(as, jobURL); !strings.Contains(page, `http-equiv="refresh"`) {
				t.Error("a queued pack's page does not refresh itself")
			}
			start := time.Now()
			if ran, err := st.s.RunExportJob(ctx, "test-worker"); !ran || err != nil {
				t.Fatalf("run: %v %v", ran, err)
			}
			took := time.Since(start)
			page := st.get(as, jobURL)
			if !strings.Contains(page, `id="pack-download"`) {
				t.Fatalf("the pack is not ready:\n%s", regexp.MustCompile(`(?s)<section class="pack-state".*?</section>`).FindString(page))
			}
			code, body, h := st.do(as, "GET", jobURL+"/download", nil)
			if code != http.StatusOK || h.Get("Content-Type") != "application/zip" {
				t.Fatalf("download: %d %s", code, h.Get("Content-Type"))
			}
			t.Logf("the sample's audit pack: %d bytes, made in %s", len(body), took.Round(time.Millisecond))
			z, err := zip.NewReader(bytes.NewReader([]byte(body)), int64(len(body)))
			if err != nil {
				t.Fatal(err)
			}
			files := map[string][]byte{}
			for _, f := range z.File {
				rc, err := f.Open()
				if err != nil {
					t.Fatal(err)
				}
				var b bytes.Buffer
				b.ReadFrom(rc)
				rc.Close()
				files[f.Name] = b.Bytes()
			}
			for _, want := range []string{"index.html", "SHA256SUMS", "history/history.csv", "history/history.html", "approvals.csv", "evidence/index.csv"} {
				if files[want] == nil {
					t.Errorf("no %s in the pack", want)
				}
			}
			count := func(prefix, suffix string) int {
				n := 0
				for name := range files {
					if strings.HasPrefix(name, prefix) && strings.HasSuffix(name, suffix) {
						n++
					}
				}
				return n
			}
			// Scope, the organization's SoA and two service SoAs, risks, an audit, a review.
			if n := count("documents/", ".html"); n < 7 {
				t.Errorf("%d printed documents, want at least 7", n)
			}
			if n := count("documents/", ".pdf"); n != 0 {
				t.Errorf("%d PDFs without a browser", n)
			}
			if !strings.Contains(string(files["index.html"]), "Chromium") {
				t.Error("the index does not say why the documents are HTML only")
			}
			if n := count("workbooks/", ".xlsx"); n != len(report.Kinds) {
				t.Errorf("%d workbooks, want %d", n, len(report.Kinds))
			}
			// Every line of SHA256SUMS matches its file.
			lines := strings.Split(strings.TrimSpace(string(files["SHA256SUMS"])), "\n")
			if len(lines) != len(files)-2 { // all but the sums and the index
				t.Errorf("SHA256SUMS lists %d files of %d", len(lines), len(files)-2)
			}
			for _, l := range lines {
				sum, name, _ := strings.Cut(l, "  ")
				got := sha256.Sum256(files[name])
				if hex.EncodeToString(got[:]) != sum {
					t.Errorf("%s: hash does not match", name)
				}
			}
			if ap := string(files["approvals.csv"]); !regexp.MustCompile(`[0-9a-f]{64}`).MatchString(ap) {
				t.Errorf("approvals without fingerprints:\n%s", ap)
			}
			if !strings.Contains(string(files["index.html"]), "監査パック") {
				t.Error("the index is not in Japanese")
			}
			// Not for a viewer; not another organization's job.
			if code, _, _ := st.do("viewer@example.com", "GET", jobURL+"/download", nil); code != http.StatusForbidden {
				t.Errorf("a viewer downloaded the pack: %d", code)
			}
			if code, _, _ := st.do(as, "POST", "/orgs/sample/reports/pack", url.Values{"from": {"2026-12-01"}, "to": {"2026-01-01"}}); code != http.StatusBadRequest {
				t.Errorf("a period that ends before it starts: %d", code)
			}
		})
	}
}

// In a browser: ask for the pack on the reports page, wait on its page
// while the queue makes it, download it and open a printed SoA from it.
func TestBrowserAuditPack(t *testing.T) {
	if _, err := report.FindBrowser(); err != nil {
		t.Skip("no Chromium to print the pack's PDFs: ", err)
	}
	// Building the pack prints its PDFs with Chromium in the background:
	// alone it takes some seconds, on a loaded machine over a minute. The
	// browser session gets room for that; the wait itself is on the job,
	// which must end, and end done, within packWait.
	const packWait = 5 * time.Minute
	u := startWithin(t, packWait+2*time.Minute)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go u.store.RunExportJobs(ctx, "browser-test", 200*time.Millisecond, slog.New(slog.NewTextHandler(io.Discard, nil)))
	u.login("manager@example.com")
	u.run("reports", chromedp.Navigate(u.url+"/orgs/sample/reports"), chromedp.WaitVisible(chromedp.ID("pack-from")))
	u.run("period", chromedp.SetValue(chromedp.ID("pack-from"), "2025-11-01"), chromedp.SetValue(chromedp.ID("pack-to"), "2026-11-01"))
	u.submit("make the pack", `#pack button[type=submit]`)
	loc := eval[string](u, `location.pathname`)
	id, err := strconv.ParseInt(loc[strings.LastIndex(loc, "/")+1:], 10, 64)
	if err != nil || !strings.HasPrefix(loc, "/orgs/sample/reports/pack/") {
		t.Fatalf("not on the pack's page: %s", loc)
	}
	began := time.Now()
	for {
		j, err := u.store.ExportJob(ctx, "sample", id)
		if err != nil {
			t.Fatal(err)
		}
		if j.State == "failed" {
			t.Fatalf("the pack failed: %s", j.Error)
		}
		if j.State == "done" {
			t.Logf("pack built in %s", time.Since(began).Round(time.Second))
			break
		}
		if time.Since(began) > packWait {
			t.Fatalf("the pack is still %s after %s (progress %q)", j.State, packWait, j.Progress)
		}
		time.Sleep(250 * time.Millisecond)
	}
	// The page refreshes itself while the job runs: it shows the link.
	u.run("ready", chromedp.WaitVisible(chromedp.ID("pack-download")))
	readmeShot(t, u, "audit-pack", "")
	href := eval[string](u, `document.getElementById("pack-download").href`)
	// The browser downloads the zip with its session; the test opens it.
	b64 := eval[string](u, `fetch(`+strconv.Quote(href)+`).then(r => r.blob()).then(b => new Promise(ok => { const f = new FileReader(); f.onload = () => ok(f.result.split(",")[1]); f.readAsDataURL(b) }))`)
	data, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		t.Fatal(err)
	}
	z, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatalf("not a zip (%d bytes): %v", len(data), err)
	}
	var soa *zip.File
	pdfs := 0
	for _, f := range z.File {
		if strings.HasSuffix(f.Name, ".pdf") {
			pdfs++
			if strings.Contains(f.Name, "soa") && soa == nil {
				soa = f
			}
		}
	}
	if soa == nil || pdfs < 7 {
		t.Fatalf("%d PDFs in the pack, no SoA among them", pdfs)
	}
	rc, err := soa.Open()
	if err != nil {
		t.Fatal(err)
	}
	var pdf bytes.Buffer
	pdf.ReadFrom(rc)
	rc.Close()
	if !bytes.HasPrefix(pdf.Bytes(), []byte("%PDF-")) {
		t.Errorf("%s is not a PDF", soa.Name)
	}
	t.Logf("audit pack in the browser: %d bytes, %d PDFs", len(data), pdfs)
}

// One member cannot fill the queue with packs: the fourth waiting one is
// refused with 429 and a message, the form still there.
func TestAuditPackQueueBounded(t *testing.T) {
	st := newSite(t, storetest.Backends(t)[0])
	form := url.Values{"from": {"2025-11-01"}, "to": {"2026-11-01"}}
	for i := range store.MaxPendingJobs {
		if code, _, _ := st.do("manager@example.com", "POST", "/orgs/sample/reports/pack", form); code != http.StatusSeeOther {
			t.Fatalf("pack %d: %d", i+1, code)
		}
	}
	code, body, h := st.do("manager@example.com", "POST", "/orgs/sample/reports/pack", form)
	if code != http.StatusTooManyRequests || h.Get("Retry-After") == "" || !strings.Contains(body, "作成待ち") {
		t.Errorf("a fourth waiting pack: %d (Retry-After %q)", code, h.Get("Retry-After"))
	}
}
