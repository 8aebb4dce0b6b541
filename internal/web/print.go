package web

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
)

func init() {
	addRoutes(func(a *App, m *http.ServeMux) {
		m.HandleFunc("GET /print.css", servePrintCSS)
		m.HandleFunc("GET /orgs/{org}/print/{doc}", a.inOrg("reports", a.printPage))
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
func (a *App) printPage(w http.ResponseWriter, r *http.Request, p *page, m store.Membership) {
	doc := r.PathValue("doc")
	model, head, err := a.store.ISMSAt(r.Context(), p.Org)
	if err != nil {
		a.serverError(w, r, p, err)
		return
	}
	texts, err := a.store.ControlTexts(r.Context(), p.Org)
	if err != nil {
		a.serverError(w, r, p, err)
		return
	}
	pdf := r.URL.Query().Get("format") == "pdf"
	o := report.PrintOptions{Subject: r.URL.Query().Get("subject"), CSSHref: "/print.css",
		Options: report.Options{Lang: p.Lang, Date: isms.DateOf(a.now()), Version: i18n.M("report.version_head", "pos", head).In(p.Lang), ControlTexts: texts}}
	if pdf {
		o.CSSHref = "" // the page is opened from a file: everything inline
	}
	var buf bytes.Buffer
	styleHash, err := report.PrintHTML(&buf, model, doc, o)
	if err != nil {
		a.notFound(w, r, p)
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
		a.render(w, http.StatusServiceUnavailable, "error", p)
		return
	}
	dir, err := os.MkdirTemp("", "cloudisms-web-pdf-")
	if err != nil {
		a.serverError(w, r, p, err)
		return
	}
	defer os.RemoveAll(dir)
	out := filepath.Join(dir, "doc.pdf")
	if err := report.PDF(r.Context(), browser, buf.Bytes(), out); err != nil {
		a.serverError(w, r, p, errors.Join(errors.New("pdf"), err))
		return
	}
	b, err := os.ReadFile(out)
	if err != nil {
		a.serverError(w, r, p, err)
		return
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", "attachment; filename=\""+p.Org+"-"+doc+".pdf\"")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.Write(b)
}
