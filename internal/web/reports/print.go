package reports

import (
	"bytes"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strconv"

	"github.com/cloudisms/cloudisms/internal/i18n"
	"github.com/cloudisms/cloudisms/internal/isms"
	"github.com/cloudisms/cloudisms/internal/report"
	"github.com/cloudisms/cloudisms/internal/store"
	"github.com/cloudisms/cloudisms/internal/web/site"
)

func init() {
	site.AddRoutes(func(app *site.App, m *http.ServeMux) {
		a := &handlers{app}
		m.HandleFunc("GET /print.css", servePrintCSS)
		m.HandleFunc("GET /orgs/{org}/print/{doc}", a.InOrg("reports", a.printPage))
	})
}

func servePrintCSS(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/css; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=3600")
	w.Write(report.PrintCSS)
}

// printPage shows a document laid out for A4 (?subject= picks the SoA,
// audit or review), or with ?format=pdf prints it through headless
// Chromium on the server.
func (a *handlers) printPage(w http.ResponseWriter, r *http.Request, p *site.Page, m store.Membership) {
	doc := r.PathValue("doc")
	model, head, err := a.Store.ISMSAt(r.Context(), p.Org)
	if err != nil {
		a.ServerError(w, r, p, err)
		return
	}
	texts, err := a.Store.ControlTexts(r.Context(), p.Org)
	if err != nil {
		a.ServerError(w, r, p, err)
		return
	}
	stale, imported, err := a.Store.ApprovalMarks(r.Context(), p.Org)
	if err != nil {
		a.ServerError(w, r, p, err)
		return
	}
	pdf := r.URL.Query().Get("format") == "pdf"
	today := isms.DateOf(a.Now())
	o := report.PrintOptions{Subject: r.URL.Query().Get("subject"), CSSHref: "/print.css",
		Options: report.Options{Lang: p.Lang, Date: today, Version: i18n.M("report.version_head", "pos", head).In(p.Lang), ControlTexts: texts, StaleApprovals: stale, ImportedApprovals: imported}}
	if pdf {
		o.CSSHref = "" // the page is opened from a file: everything inline
	}
	var buf bytes.Buffer
	styleHash, err := report.PrintHTML(&buf, model, doc, o)
	if err != nil {
		a.NotFound(w, r, p)
		return
	}
	if !pdf {
		// The page's own @page rules (header, page numbers) are allowed by hash.
		w.Header().Set("Content-Security-Policy", "default-src 'self'; script-src 'none'; style-src 'self' "+styleHash+"; img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write(buf.Bytes())
		return
	}
	browser, err := report.FindBrowser()
	if err != nil {
		p.Title = p.T("ui.error")
		p.Error = p.T("report.cli.no_browser", "detail", err.Error())
		a.Render(w, http.StatusServiceUnavailable, "error", p)
		return
	}
	dir, err := os.MkdirTemp("", "cloudisms-web-pdf-")
	if err != nil {
		a.ServerError(w, r, p, err)
		return
	}
	defer os.RemoveAll(dir)
	out := filepath.Join(dir, "doc.pdf")
	if err := report.PDF(r.Context(), browser, buf.Bytes(), out); err != nil {
		if errors.Is(err, report.ErrBusy) {
			// As many PDFs as allowed are being printed: try again soon.
			w.Header().Set("Retry-After", strconv.Itoa(int(report.RetryAfter.Seconds())))
			p.Title = p.T("ui.error")
			p.Error = p.T("report.pdf_busy", "seconds", int(report.RetryAfter.Seconds()))
			a.Render(w, http.StatusServiceUnavailable, "error", p)
			return
		}
		a.ServerError(w, r, p, errors.Join(errors.New("pdf"), err))
		return
	}
	b, err := os.ReadFile(out)
	if err != nil {
		a.ServerError(w, r, p, err)
		return
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", report.ContentDisposition(report.DocFilename(model, p.Lang, doc, o.Subject, today, "pdf"),
		report.ASCIIFilename(p.Org, doc, o.Subject, today, "pdf")))
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.Write(b)
}
