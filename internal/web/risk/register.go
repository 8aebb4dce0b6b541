package risk

import (
	"embed"
	"errors"
	"net/http"

	"github.com/cloudisms/cloudisms/internal/authz"
	"github.com/cloudisms/cloudisms/internal/store"
	"github.com/cloudisms/cloudisms/internal/web/items"
	"github.com/cloudisms/cloudisms/internal/web/site"
)

//go:embed templates/*.html
var templateFS embed.FS

// handlers are the risk pages over the site.
type handlers struct{ *site.App }

func init() {
	site.AddTemplates(templateFS)
	site.AddNav(site.NavItem{Order: 30, Section: "criteria", Path: "criteria", Label: "views.nav.criteria"})
	site.AddNav(site.NavItem{Order: 40, Section: "assets", Path: "items/assets", Label: "items.nav.assets"})
	site.AddNav(site.NavItem{Order: 50, Section: "risks", Path: "risks", Label: "ui.risks"})
	site.AddRoutes(func(app *site.App, m *http.ServeMux) {
		a := &handlers{app}
		m.HandleFunc("GET /orgs/{org}/risks", a.InOrg("risks", a.risksPage))
		m.HandleFunc("POST /orgs/{org}/risks/{id}/approve", a.InOrg("risks", a.riskApprove))
		m.HandleFunc("GET /orgs/{org}/criteria", a.InOrg("criteria", a.criteriaPage))
		m.HandleFunc("POST /orgs/{org}/criteria", a.InOrg("criteria", a.criteriaPost))
	})
}

// riskPageSize is how many risks the register shows at once: a page a
// person reads, and a cost that does not grow with the register.
const riskPageSize = 100

// riskApprove records the owner's approval of the plan and acceptance of
// the residual risk. Only the risk's owner may: anyone else gets 403.
func (a *handlers) riskApprove(w http.ResponseWriter, r *http.Request, p *site.Page, m store.Membership) {
	ctx := r.Context()
	id := r.PathValue("id")
	cur, err := a.Store.Get(ctx, p.Org, "risks", id)
	if err != nil {
		a.ServerError(w, r, p, err)
		return
	}
	if !authz.ApproveRisk(m.Role, m.Person, cur.Owner) {
		a.Forbidden(w, r, p)
		return
	}
	accepted := r.PostFormValue("residual_accepted") == "true"
	if err := items.RecordApproval(a.App, r, p, m, cur, cur.Version, &accepted); err != nil {
		if errors.Is(err, store.ErrConflict) {
			http.Redirect(w, r, "/orgs/"+p.Org+"/risks#risk-"+id, http.StatusSeeOther)
			return
		}
		a.ServerError(w, r, p, err)
		return
	}
	http.Redirect(w, r, "/orgs/"+p.Org+"/risks?approved="+id+"#risk-"+id, http.StatusSeeOther)
}
