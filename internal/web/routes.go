package web

import (
	"github.com/cloudisms/cloudisms/internal/store"
	"net/http"

	"github.com/cloudisms/cloudisms/internal/authz"
)

func (a *App) routes() {
	m := a.mux
	m.HandleFunc("GET /static/{name}", a.serveAsset)
	m.HandleFunc("GET /login", a.loginPage)
	m.HandleFunc("POST /login", a.loginPost)
	m.HandleFunc("POST /logout", a.logoutPost)
	m.HandleFunc("POST /lang", a.langPost)
	m.HandleFunc("GET /{$}", a.home)
	for _, f := range routeSets {
		f(a, m)
	}
}

func init() {
	addNav(navItem{Order: 10, Section: "dashboard", Path: "", Label: "ui.dashboard"})
	addNav(navItem{Order: 50, Section: "risks", Path: "risks", Label: "ui.risks"})
	addNav(navItem{Order: 60, Section: "soa", Path: "soa", Label: "ui.soa"})
	addNav(navItem{Order: 900, Section: "admin", Path: "import", Label: "ui.import", Action: authz.Import})
	addRoutes(func(a *App, m *http.ServeMux) {
		m.HandleFunc("GET /orgs/{org}/{$}", a.inOrg("dashboard", a.dashboard))
		m.HandleFunc("GET /orgs/{org}/soa", a.inOrg("soa", a.soaPage))
		m.HandleFunc("POST /orgs/{org}/soa", a.inOrg("soa", a.soaPost))
		m.HandleFunc("GET /orgs/{org}/risks", a.inOrg("risks", a.risksPage))
		m.HandleFunc("POST /orgs/{org}/risks/{id}/approve", a.inOrg("risks", a.riskApprove))
		m.HandleFunc("GET /orgs/{org}/import", a.inOrg("admin", a.importPage))
		m.HandleFunc("POST /orgs/{org}/import", a.inOrg("admin", a.importPost))
	})
}

// home sends a signed-in user to their first organization.
func (a *App) home(w http.ResponseWriter, r *http.Request) {
	u, err := a.session(r)
	if store.Unavailable(err) {
		a.serverError(w, r, &page{Lang: langOf(r, nil)}, err) // 503, not a login page that cannot work
		return
	}
	if err != nil {
		http.Redirect(w, r, "/login", http.StatusSeeOther)
		return
	}
	ms, err := a.store.Memberships(r.Context(), u.ID)
	p := &page{Lang: langOf(r, u), User: u}
	if err != nil {
		a.serverError(w, r, p, err)
		return
	}
	if len(ms) == 0 {
		p.Title = p.T("ui.no_orgs")
		p.Error = p.T("ui.no_orgs_help")
		a.render(w, http.StatusOK, "error", p)
		return
	}
	http.Redirect(w, r, "/orgs/"+ms[0].Org+"/", http.StatusSeeOther)
}
