package admin

import (
	"errors"
	"io"
	"net/http"

	"github.com/cloudisms/cloudisms/internal/api"
	"github.com/cloudisms/cloudisms/internal/authz"
	"github.com/cloudisms/cloudisms/internal/bundle"
	"github.com/cloudisms/cloudisms/internal/store"
	"github.com/cloudisms/cloudisms/internal/web/site"
)

type problemView struct {
	Line       int
	Path, Text string
}

func (a *handlers) importPage(w http.ResponseWriter, r *http.Request, p *site.Page, m store.Membership) {
	if !authz.Can(m.Role, authz.Import, authz.Subject{}) {
		a.Forbidden(w, r, p)
		return
	}
	p.Title = p.T("ui.import")
	p.Data = map[string]any{}
	a.Render(w, http.StatusOK, "import", p)
}

// importPost replaces the ISMS from an uploaded bundle; an invalid bundle
// shows every problem and changes nothing.
func (a *handlers) importPost(w http.ResponseWriter, r *http.Request, p *site.Page, m store.Membership) {
	if !authz.Can(m.Role, authz.Import, authz.Subject{}) {
		a.Forbidden(w, r, p)
		return
	}
	p.Title = p.T("ui.import")
	r.Body = http.MaxBytesReader(w, r.Body, api.MaxBundleBody)
	f, hdr, err := r.FormFile("bundle")
	if err != nil {
		p.Error = p.T("ui.import_nofile")
		p.Data = map[string]any{}
		a.Render(w, http.StatusBadRequest, "import", p)
		return
	}
	defer f.Close()
	src, err := io.ReadAll(f)
	if err != nil {
		p.Error = p.T("api.too_large", "max", api.MaxBundleBody)
		p.Data = map[string]any{}
		a.Render(w, http.StatusRequestEntityTooLarge, "import", p)
		return
	}
	invalid := func(err error) {
		var errs bundle.Errors
		var list []problemView
		if errors.As(err, &errs) {
			for _, e := range errs {
				list = append(list, problemView{e.Line, e.Path, e.Msg.In(p.Lang)})
			}
		}
		p.Error = p.T("ui.import_invalid", "n", len(list))
		p.Data = map[string]any{"Problems": list, "File": hdr.Filename}
		a.Render(w, http.StatusBadRequest, "import", p)
	}
	model, err := bundle.Decode(hdr.Filename, src)
	if err != nil {
		invalid(err)
		return
	}
	res, err := a.Store.Import(r.Context(), p.Org, model, p.User.Email)
	var errs bundle.Errors
	if errors.As(err, &errs) {
		// Evidence files this organization has not uploaded: placed on
		// the lines of the uploaded document.
		invalid(bundle.PlaceEvidence(errs, hdr.Filename, src))
		return
	}
	if err != nil {
		a.ServerError(w, r, p, err)
		return
	}
	p.Flash = p.T("cli.imported", "org", p.Org, "created", res.Created, "updated", res.Updated, "deleted", res.Deleted, "unchanged", res.Unchanged)
	p.Data = map[string]any{}
	a.Render(w, http.StatusOK, "import", p)
}
