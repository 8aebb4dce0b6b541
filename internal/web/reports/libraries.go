package reports

import (
	"errors"
	"github.com/cloudisms/cloudisms/internal/oscal"
	"io"
	"net/http"

	"github.com/cloudisms/cloudisms/internal/authz"
	"github.com/cloudisms/cloudisms/internal/library"
	"github.com/cloudisms/cloudisms/internal/store"
	"github.com/cloudisms/cloudisms/internal/web/site"
)

// libraryUpload imports a CISO Assistant library: a framework becomes a
// framework with its own statement of applicability (named by the id
// given, or its reference id); a library of mappings to ISO/IEC
// 27001:2022 is applied to the framework the id names. A file that
// cannot be read is refused with the place in it and changes nothing.
func (a *handlers) libraryUpload(w http.ResponseWriter, r *http.Request, p *site.Page, m store.Membership) {
	if !authz.Can(m.Role, authz.Import, authz.Subject{}) {
		a.Forbidden(w, r, p)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, library.MaxBytes+1<<20)
	f, _, err := r.FormFile("library")
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			p.Error = p.T("api.too_large", "max", library.MaxBytes)
			a.renderReports(w, r, p, http.StatusRequestEntityTooLarge, nil)
			return
		}
		p.Error = p.T("ui.import_nofile")
		a.renderReports(w, r, p, http.StatusBadRequest, nil)
		return
	}
	defer f.Close()
	src, err := io.ReadAll(io.LimitReader(f, library.MaxBytes+1))
	if err != nil {
		a.ServerError(w, r, p, err)
		return
	}
	id := r.PostFormValue("id")
	if id != "" && !frameworkID.MatchString(id) {
		p.Error = p.T("report.api.bad_framework_id", "id", id)
		a.renderReports(w, r, p, http.StatusBadRequest, nil)
		return
	}
	leave, err := oscal.Imports.Enter(r.Context())
	if err != nil {
		a.importsBusy(w, r, p, err)
		return
	}
	defer leave()
	lib, err := library.Read(src, id)
	var le *library.Error
	if errors.As(err, &le) {
		p.Error = p.T("frameworks.web.failed", "detail", le.In(p.Lang))
		a.renderReports(w, r, p, http.StatusBadRequest, nil)
		return
	}
	if err != nil {
		a.ServerError(w, r, p, err)
		return
	}
	if lib.Framework != nil && id == "" {
		lib.Framework.ID = library.DefaultID(lib)
	}
	var existing *store.Framework
	if lib.Framework == nil {
		if id == "" {
			p.Error = p.T("frameworks.web.need_id")
			a.renderReports(w, r, p, http.StatusBadRequest, nil)
			return
		}
		fw, err := a.Store.Framework(r.Context(), p.Org, id)
		switch {
		case errors.Is(err, store.ErrNotFound):
		case err != nil:
			a.ServerError(w, r, p, err)
			return
		default:
			existing = &fw
		}
	}
	fw, mapped, err := library.Framework(lib, existing)
	if errors.As(err, &le) {
		p.Error = p.T("frameworks.web.failed", "detail", le.In(p.Lang))
		a.renderReports(w, r, p, http.StatusBadRequest, nil)
		return
	}
	if err != nil {
		a.ServerError(w, r, p, err)
		return
	}
	if err := a.Store.PutFramework(r.Context(), p.Org, fw, p.User.Email); err != nil {
		a.ServerError(w, r, p, err)
		return
	}
	rows := 0
	for _, c := range fw.Controls {
		if c.InSoA() {
			rows++
		}
	}
	p.Flash = p.T("frameworks.web.imported", "id", fw.ID, "title", fw.Title, "n", rows, "mapped", mapped)
	a.renderReports(w, r, p, http.StatusOK, nil)
}
