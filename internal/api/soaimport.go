package api

import (
	"errors"
	"io"
	"net/http"
	"strconv"

	"github.com/cloudisms/cloudisms/internal/authz"
	"github.com/cloudisms/cloudisms/internal/bundle"
	"github.com/cloudisms/cloudisms/internal/i18n"
	"github.com/cloudisms/cloudisms/internal/report"
	"github.com/cloudisms/cloudisms/internal/store"
)

// maxWorkbook bounds an uploaded SoA workbook (all SoAs of 200 services
// are well under it; the unpacked size is bounded by the reader).
const maxWorkbook = 16 << 20

type soaChangeJSON struct {
	SoA     string `json:"soa"`
	Control string `json:"control"`
	Cell    string `json:"cell"`
	Before  string `json:"before"`
	After   string `json:"after"`
	// Override: the row was the organization's and becomes the service
	// SoA's own. Stale: it changed in the ISMS after the workbook was made.
	Override bool `json:"override,omitempty"`
	Stale    bool `json:"changed_since_workbook,omitempty"`
}

type skippedJSON struct {
	SoA     string `json:"soa"`
	Control string `json:"control"`
	Cell    string `json:"cell"`
	Value   string `json:"value"`
	Current string `json:"current"`
	Reason  string `json:"reason"`
}

// soaImport reads an edited SoA workbook (the body) and applies it, or
// with ?dry_run=true only says what it would change. Every edited cell
// that is not applied is listed with the reason; a workbook made before
// later changes to rows it changes is refused (409 stale_workbook, the
// rows in fields) unless ?overwrite_newer=true; ?expect_head= (the head of
// a dry run) refuses with 409 when anything changed since.
func (a *Server) soaImport(w http.ResponseWriter, r *http.Request, c *call) {
	if !authz.Can(c.member.Role, authz.Write, authz.Subject{Kind: bundle.KindSoARows}) {
		a.fail(w, c.lang, http.StatusForbidden, "forbidden", i18n.M("api.forbidden", "role", c.member.Role))
		return
	}
	src, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxWorkbook))
	if err != nil {
		a.fail(w, c.lang, http.StatusRequestEntityTooLarge, "too_large", i18n.M("api.too_large", "max", maxWorkbook))
		return
	}
	q := r.URL.Query()
	org := r.PathValue("org")
	dry, overwrite := q.Get("dry_run") == "true", q.Get("overwrite_newer") == "true"
	expect := int64(-1)
	if v := q.Get("expect_head"); v != "" {
		if expect, err = strconv.ParseInt(v, 10, 64); err != nil || expect < 0 {
			a.fail(w, c.lang, http.StatusBadRequest, "invalid", i18n.M("api.invalid"), FieldError{Path: "expect_head", Message: v})
			return
		}
	}
	var res report.SoAImport
	if dry {
		res, err = report.PreviewSoA(r.Context(), a.store, org, src)
	} else {
		res, err = report.ApplySoA(r.Context(), a.store, org, src, expect, overwrite, c.user.Email)
	}
	var cellErrs report.ImportErrors
	switch {
	case errors.As(err, &cellErrs):
		fields := make([]FieldError, len(cellErrs))
		for i, e := range cellErrs {
			path := e.Sheet
			if e.Cell != "" {
				path += "!" + e.Cell
			}
			fields[i] = FieldError{Path: path, Message: e.In(c.lang)}
		}
		a.fail(w, c.lang, http.StatusBadRequest, "invalid", i18n.M("report.import.rejected", "n", len(cellErrs)), fields...)
		return
	case errors.Is(err, report.ErrOtherOrganization):
		a.fail(w, c.lang, http.StatusBadRequest, "invalid", i18n.M("docs13.import.other_org"))
		return
	case errors.Is(err, report.ErrStaleWorkbook):
		fields := make([]FieldError, len(res.Stale))
		for i, x := range res.Stale {
			fields[i] = FieldError{Path: x.Sheet + "!" + x.Cell, Message: x.SoA + " " + x.Control}
		}
		a.fail(w, c.lang, http.StatusConflict, "stale_workbook", i18n.M("docs13.import.stale_refused", "n", len(res.Stale)), fields...)
		return
	case errors.Is(err, store.ErrConflict):
		a.fail(w, c.lang, http.StatusConflict, "conflict", i18n.M("report.ui.changed_since"))
		return
	case errors.Is(err, report.ErrBusy):
		w.Header().Set("Retry-After", strconv.Itoa(int(report.RetryAfter.Seconds())))
		a.fail(w, c.lang, http.StatusServiceUnavailable, "busy", i18n.M("report.import.busy", "seconds", int(report.RetryAfter.Seconds())))
		return
	case err != nil:
		a.storeError(w, c, err)
		return
	}
	writeJSON(w, http.StatusOK, importJSON(res, !dry, c.lang))
}

func importJSON(res report.SoAImport, applied bool, lang string) any {
	stale := map[string]bool{}
	for _, x := range res.Stale {
		stale[x.SoA+"/"+x.Control] = true
	}
	out := struct {
		Head    int64           `json:"head"`
		MadeAt  *int64          `json:"workbook_made_at,omitempty"`
		Applied bool            `json:"applied"`
		Changes []soaChangeJSON `json:"changes"`
		Skipped []skippedJSON   `json:"skipped"`
	}{Head: res.Head, Applied: applied, Changes: []soaChangeJSON{}, Skipped: []skippedJSON{}}
	if res.MadeAt >= 0 {
		out.MadeAt = &res.MadeAt
	}
	for _, x := range res.Changes {
		out.Changes = append(out.Changes, soaChangeJSON{SoA: x.SoA, Control: x.Control, Cell: x.Sheet + "!" + x.Cell,
			Before: report.RowSummary(x.Before, lang), After: report.RowSummary(&x.After, lang), Override: x.Inherited, Stale: stale[x.SoA+"/"+x.Control]})
	}
	for _, x := range res.Skipped {
		out.Skipped = append(out.Skipped, skippedJSON{SoA: x.SoA, Control: x.Control, Cell: x.Sheet + "!" + x.Cell, Value: x.Value,
			Current: x.Current, Reason: x.Reason.In(lang)})
	}
	return out
}
