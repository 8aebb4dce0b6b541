package web

import (
	"errors"
	"io"
	"net/http"

	"github.com/cloudisms/cloudisms/internal/api"
	"github.com/cloudisms/cloudisms/internal/authz"
	"github.com/cloudisms/cloudisms/internal/bundle"
	"github.com/cloudisms/cloudisms/internal/store"
)

type problemView struct {
	Line       int
	Path, Text string
}

func (a *App) importPage(w http.ResponseWriter, r *http.Request, p *page, m store.Membership) {
	if !authz.Can(m.Role, authz.Import, authz.Subject{}) {
		a.forbidden(w, r, p)
		return
	}
	p.Title = p.T("ui.import")
	p.Data = map[string]any{}
	a.render(w, http.StatusOK, "import", p)
}

// importPost replaces the ISMS from an uploaded bundle; an invalid bundle
// shows every problem and changes nothing.
func (a *App) importPost(w http.ResponseWriter, r *http.Request, p *page, m store.Membership) {
	if !authz.Can(m.Role, authz.Import, authz.Subject{}) {
		a.forbidden(w, r, p)
		return
	}
	p.Title = p.T("ui.import")
	r.Body = http.MaxBytesReader(w, r.Body, api.MaxBundleBody)
	f, hdr, err := r.FormFile("bundle")
	if err != nil {
		p.Error = p.T("ui.import_nofile")
		p.Data = map[string]any{}
		a.render(w, http.StatusBadRequest, "import", p)
		return
	}
	defer f.Close()
	src, err := io.ReadAll(f)
	if err != nil {
		p.Error = p.T("api.too_large", "max", api.MaxBundleBody)
		p.Data = map[string]any{}
		a.render(w, http.StatusRequestEntityTooLarge, "import", p)
		return
	}
	model, err := bundle.Decode(hdr.Filename, src)
	if err != nil {
		var errs bundle.Errors
		var list []problemView
		if errors.As(err, &errs) {
			for _, e := range errs {
				list = append(list, problemView{e.Line, e.Path, e.Msg.In(p.Lang)})
			}
		}
		p.Error = p.T("ui.import_invalid", "n", len(list))
		p.Data = map[string]any{"Problems": list, "File": hdr.Filename}
		a.render(w, http.StatusBadRequest, "import", p)
		return
	}
	res, err := a.store.Import(r.Context(), p.Org, model, p.User.Email)
	if err != nil {
		a.serverError(w, r, p, err)
		return
	}
	p.Flash = p.T("cli.imported", "org", p.Org, "created", res.Created, "updated", res.Updated, "deleted", res.Deleted, "unchanged", res.Unchanged)
	p.Data = map[string]any{}
	a.render(w, http.StatusOK, "import", p)
}
