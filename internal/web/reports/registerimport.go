package reports

import (
	"encoding/base64"
	"errors"
	"io"
	"net/http"
	"strconv"

	"github.com/cloudisms/cloudisms/internal/authz"
	"github.com/cloudisms/cloudisms/internal/report"
	"github.com/cloudisms/cloudisms/internal/store"
	"github.com/cloudisms/cloudisms/internal/web/items"
	"github.com/cloudisms/cloudisms/internal/web/site"
)

// The import of the trainings with attendance and of the document list
// from their workbooks: upload, preview what changes, apply all or nothing.

func init() {
	site.AddRoutes(func(app *site.App, m *http.ServeMux) {
		a := &handlers{app}
		m.HandleFunc("GET /orgs/{org}/reports/register-import", a.InOrg("reports", a.registerImportPage))
		m.HandleFunc("POST /orgs/{org}/reports/register-import", a.InOrg("reports", a.registerImportPreview))
		m.HandleFunc("POST /orgs/{org}/reports/register-import/apply", a.InOrg("reports", a.registerImportApply))
	})
}

type regChangeView struct {
	Key, Title, URL, Where string
	New                    bool
}

type regImportView struct {
	Kind, File, Data string
	Head             int64
	Changes          []regChangeView
	Problems         []string
	Applied          bool
}

// importKind reads the register to import; false when it is none.
func importKind(s string) (string, bool) {
	switch s {
	case report.ImportTrainings:
		return "trainings", true
	case report.ImportDocuments:
		return "documents", true
	}
	return "", false
}

// mayImport checks that kind names a register the member may write; when
// not, it answers (400 or 403) and returns false.
func (a *handlers) mayImport(w http.ResponseWriter, r *http.Request, p *site.Page, m store.Membership, kind string) bool {
	itemKind, ok := importKind(kind)
	if !ok {
		p.Error = p.T("regui.import.pick_kind")
		a.renderRegisterImport(w, p, http.StatusBadRequest, nil)
		return false
	}
	if !authz.Can(m.Role, authz.Write, authz.Subject{Kind: itemKind}) {
		a.Forbidden(w, r, p)
		return false
	}
	return true
}

func (a *handlers) renderRegisterImport(w http.ResponseWriter, p *site.Page, status int, v *regImportView) {
	p.Title = p.T("regui.import.title")
	p.Data = map[string]any{"View": v, "Kinds": []string{report.ImportTrainings, report.ImportDocuments}}
	a.Render(w, status, "regimport", p)
}

func (a *handlers) registerImportPage(w http.ResponseWriter, r *http.Request, p *site.Page, m store.Membership) {
	a.renderRegisterImport(w, p, http.StatusOK, nil)
}

func (a *handlers) registerImportPreview(w http.ResponseWriter, r *http.Request, p *site.Page, m store.Membership) {
	r.Body = http.MaxBytesReader(w, r.Body, maxWorkbook+1<<20)
	kind := r.FormValue("kind")
	if !a.mayImport(w, r, p, m, kind) {
		return
	}
	f, hdr, err := r.FormFile("workbook")
	if err != nil {
		p.Error = p.T("ui.import_nofile")
		a.renderRegisterImport(w, p, http.StatusBadRequest, nil)
		return
	}
	defer f.Close()
	src, err := io.ReadAll(io.LimitReader(f, maxWorkbook+1))
	if err != nil || len(src) > maxWorkbook {
		p.Error = p.T("api.too_large", "max", maxWorkbook)
		a.renderRegisterImport(w, p, http.StatusRequestEntityTooLarge, nil)
		return
	}
	res, err := report.PreviewRegisters(r.Context(), a.Store, p.Org, kind, src)
	a.showRegisterImport(w, r, p, kind, hdr.Filename, src, res, err, false)
}

func (a *handlers) registerImportApply(w http.ResponseWriter, r *http.Request, p *site.Page, m store.Membership) {
	r.Body = http.MaxBytesReader(w, r.Body, 2*maxWorkbook)
	kind := r.PostFormValue("kind")
	if !a.mayImport(w, r, p, m, kind) {
		return
	}
	src, err := base64.StdEncoding.DecodeString(r.PostFormValue("workbook"))
	head, herr := strconv.ParseInt(r.PostFormValue("head"), 10, 64)
	if err != nil || herr != nil || len(src) == 0 {
		p.Error = p.T("ui.import_nofile")
		a.renderRegisterImport(w, p, http.StatusBadRequest, nil)
		return
	}
	name := r.PostFormValue("file")
	res, err := report.ApplyRegisters(r.Context(), a.Store, p.Org, kind, src, head, p.User.Email)
	if errors.Is(err, store.ErrConflict) {
		p.Error = p.T("report.ui.changed_since")
		res, err = report.PreviewRegisters(r.Context(), a.Store, p.Org, kind, src)
		a.showRegisterImport(w, r, p, kind, name, src, res, err, false)
		return
	}
	a.showRegisterImport(w, r, p, kind, name, src, res, err, true)
}

func (a *handlers) showRegisterImport(w http.ResponseWriter, r *http.Request, p *site.Page, kind, name string, src []byte, res report.RegisterImport, err error, applied bool) {
	v := &regImportView{Kind: kind, File: name, Head: res.Head, Applied: applied && err == nil}
	var errs report.ImportErrors
	switch {
	case errors.As(err, &errs):
		for _, e := range errs {
			v.Problems = append(v.Problems, e.In(p.Lang))
		}
		p.Error = p.T("report.import.rejected", "n", len(errs))
		a.renderRegisterImport(w, p, http.StatusBadRequest, v)
		return
	case errors.Is(err, report.ErrBusy):
		w.Header().Set("Retry-After", strconv.Itoa(int(report.RetryAfter.Seconds())))
		p.Error = p.T("report.import.busy", "seconds", int(report.RetryAfter.Seconds()))
		a.renderRegisterImport(w, p, http.StatusServiceUnavailable, nil)
		return
	case err != nil:
		a.ServerError(w, r, p, err)
		return
	}
	itemKind, _ := importKind(kind)
	for _, c := range res.Changes {
		v.Changes = append(v.Changes, regChangeView{Key: c.Key, Title: c.Title, URL: items.URL(p.Org, itemKind, c.Key),
			Where: c.Sheet + " " + strconv.Itoa(c.Row), New: c.New})
	}
	if v.Applied {
		p.Flash = p.T("regui.import.applied", "n", len(v.Changes))
	} else if len(v.Changes) > 0 {
		v.Data = base64.StdEncoding.EncodeToString(src)
	}
	a.renderRegisterImport(w, p, http.StatusOK, v)
}
