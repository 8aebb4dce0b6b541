package api

import (
	"errors"
	"github.com/cloudisms/cloudisms/internal/oscal"
	"io"
	"net/http"

	"github.com/cloudisms/cloudisms/internal/i18n"
	"github.com/cloudisms/cloudisms/internal/library"
	"github.com/cloudisms/cloudisms/internal/store"
)

// importLibrary stores a CISO Assistant library (the YAML body): a
// framework becomes a framework named ?id= (or its reference id); a
// library of mappings to ISO/IEC 27001:2022 is applied to the framework
// ?id= names. A file that cannot be read changes nothing and the error
// names the place in it.
func (a *Server) importLibrary(w http.ResponseWriter, r *http.Request, c *call) {
	id := r.URL.Query().Get("id")
	if id != "" && !frameworkID.MatchString(id) {
		a.fail(w, c.lang, http.StatusBadRequest, "invalid", i18n.M("report.api.bad_framework_id", "id", id), FieldError{Path: "id", Message: id})
		return
	}
	src, err := io.ReadAll(http.MaxBytesReader(w, r.Body, library.MaxBytes))
	if err != nil {
		a.fail(w, c.lang, http.StatusRequestEntityTooLarge, "too_large", i18n.M("api.too_large", "max", library.MaxBytes))
		return
	}
	bad := func(err *library.Error) {
		a.fail(w, c.lang, http.StatusBadRequest, "invalid", err.Msg, FieldError{Path: "body", Message: err.In(c.lang)})
	}
	leave, err := oscal.Imports.Enter(r.Context())
	if err != nil {
		a.importsBusy(w, c, err)
		return
	}
	defer leave()
	lib, err := library.Read(src, id)
	var le *library.Error
	if errors.As(err, &le) {
		bad(le)
		return
	}
	if err != nil {
		a.storeError(w, c, err)
		return
	}
	org := r.PathValue("org")
	var existing *store.Framework
	if lib.Framework == nil {
		if id == "" {
			a.fail(w, c.lang, http.StatusBadRequest, "invalid", i18n.M("frameworks.web.need_id"), FieldError{Path: "id", Message: id})
			return
		}
		fw, err := a.store.Framework(r.Context(), org, id)
		switch {
		case errors.Is(err, store.ErrNotFound):
		case err != nil:
			a.storeError(w, c, err)
			return
		default:
			existing = &fw
		}
	} else if id == "" {
		lib.Framework.ID = library.DefaultID(lib)
	}
	fw, _, err := library.Framework(lib, existing)
	if errors.As(err, &le) {
		bad(le)
		return
	}
	if err := a.store.PutFramework(r.Context(), org, fw, c.user.Email); err != nil {
		a.storeError(w, c, err)
		return
	}
	fw.Controls = nil
	writeJSON(w, http.StatusCreated, fw)
}
