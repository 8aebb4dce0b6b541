package api

import (
	"bytes"
	"net/http"

	"github.com/cloudisms/cloudisms/internal/i18n"
	"github.com/cloudisms/cloudisms/internal/isms"
	"github.com/cloudisms/cloudisms/internal/report"
)

// XLSXType is the media type of an Excel workbook.
const XLSXType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

// xlsxReport answers an Excel workbook of the organization:
// ?kind= (default all), ?service=, ?lang= (default the caller's language).
func (a *Server) xlsxReport(w http.ResponseWriter, r *http.Request, c *call) {
	q := r.URL.Query()
	kind := q.Get("kind")
	if kind == "" {
		kind = report.KindAll
	}
	lang := c.lang
	if l := q.Get("lang"); l != "" {
		if !i18n.Valid(l) {
			a.fail(w, c.lang, http.StatusBadRequest, "invalid", i18n.M("api.invalid"), FieldError{Path: "lang", Message: l})
			return
		}
		lang = l
	}
	if !report.ValidKind(kind) {
		a.fail(w, c.lang, http.StatusBadRequest, "invalid", i18n.M("api.invalid"), FieldError{Path: "kind", Message: kind})
		return
	}
	org := r.PathValue("org")
	m, head, err := a.store.ISMSAt(r.Context(), org)
	if err != nil {
		a.storeError(w, c, err)
		return
	}
	texts, err := a.store.ControlTexts(r.Context(), org)
	if err != nil {
		a.storeError(w, c, err)
		return
	}
	stale, imported, err := a.store.ApprovalMarks(r.Context(), org)
	if err != nil {
		a.storeError(w, c, err)
		return
	}
	service := q.Get("service")
	var buf bytes.Buffer
	today := isms.DateOf(a.now())
	err = report.Write(&buf, m, kind, report.Options{Lang: lang, Service: service, Date: today, Head: head,
		Version: i18n.M("report.version_head", "pos", head).In(lang), ControlTexts: texts, StaleApprovals: stale, ImportedApprovals: imported})
	if err != nil {
		a.fail(w, c.lang, http.StatusBadRequest, "invalid", i18n.M("api.invalid"), FieldError{Path: "service", Message: err.Error()})
		return
	}
	w.Header().Set("Content-Type", XLSXType)
	w.Header().Set("Content-Disposition", report.ContentDisposition(report.DocFilename(m, lang, kind, service, today, "xlsx"),
		report.ASCIIFilename(org, kind, service, today, "xlsx")))
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Write(buf.Bytes())
}
