package scope

import (
	"net/http"

	"github.com/cloudisms/cloudisms/internal/authz"
	"github.com/cloudisms/cloudisms/internal/bundle"
	"github.com/cloudisms/cloudisms/internal/catalog"
	"github.com/cloudisms/cloudisms/internal/isms"
	"github.com/cloudisms/cloudisms/internal/store"
	"github.com/cloudisms/cloudisms/internal/web/site"
)

// The move of a 2013 ISMS to the 2022 edition (EDITION-01): the whole ISMS
// is re-based through the 2013↔2022 correspondence (isms.MoveTo2022) and
// stored as one import, so that its history shows one change.

func init() {
	site.AddRoutes(func(app *site.App, m *http.ServeMux) {
		a := &handlers{app}
		m.HandleFunc("POST /orgs/{org}/scope/edition", a.InOrg("scope", a.scopeEdition))
	})
}

// mayMoveEdition: the edition is the organization's; who may write it
// may move it.
func mayMoveEdition(m store.Membership) bool {
	return authz.Can(m.Role, authz.Write, authz.Subject{Kind: bundle.KindOrganization})
}

func (a *handlers) scopeEdition(w http.ResponseWriter, r *http.Request, p *site.Page, m store.Membership) {
	if !mayMoveEdition(m) {
		a.Forbidden(w, r, p)
		return
	}
	ctx := r.Context()
	cur, err := a.Store.ISMS(ctx, p.Org)
	if err != nil {
		a.ServerError(w, r, p, err)
		return
	}
	// A copy of its own: the stored model may be shared.
	src, err := bundle.Encode(cur)
	if err != nil {
		a.ServerError(w, r, p, err)
		return
	}
	model, err := bundle.Decode("isms.yaml", src)
	if err != nil {
		a.ServerError(w, r, p, err)
		return
	}
	if !isms.MoveTo2022(model, catalog.Std()) {
		http.Redirect(w, r, "/orgs/"+p.Org+"/scope#edition", http.StatusSeeOther)
		return
	}
	if _, err := a.Store.Import(ctx, p.Org, model, p.User.Email); err != nil {
		a.ServerError(w, r, p, err)
		return
	}
	http.Redirect(w, r, "/orgs/"+p.Org+"/scope?moved=1#edition", http.StatusSeeOther)
}
