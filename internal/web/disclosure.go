package web

import (
	"net/http"

	"github.com/cloudisms/cloudisms/internal/authz"
	"github.com/cloudisms/cloudisms/internal/i18n"
	"github.com/cloudisms/cloudisms/internal/isms"
	"github.com/cloudisms/cloudisms/internal/report"
	"github.com/cloudisms/cloudisms/internal/store"
)

func init() {
	addRoutes(func(a *App, m *http.ServeMux) {
		m.HandleFunc("GET /disclosure/{org}/{service}", a.disclosurePage)
		m.HandleFunc("POST /orgs/{org}/disclosure/{service}", a.inOrg("reports", a.disclosureSwitch))
	})
}

// disclosurePage is the public page a provider shows its cloud service
// customers; it exists only while an admin keeps it switched on.
func (a *App) disclosurePage(w http.ResponseWriter, r *http.Request) {
	u, _ := a.session(r)
	p := &page{Lang: langOf(r, u), User: u, Path: r.URL.RequestURI()}
	if l := r.URL.Query().Get("lang"); i18n.Valid(l) {
		p.Lang = l
	}
	org, service := r.PathValue("org"), r.PathValue("service")
	on, err := a.store.Disclosures(r.Context(), org)
	if _, ok := on[service]; err != nil || !ok {
		a.notFound(w, r, p)
		return
	}
	m, err := a.store.ISMS(r.Context(), org)
	if err != nil {
		a.serverError(w, r, p, err)
		return
	}
	d, err := report.Disclosure(m, service, p.Lang, isms.DateOf(a.now()))
	if err != nil {
		a.notFound(w, r, p)
		return
	}
	p.Title = p.T("report.disclosure.title", "service", d.ServiceName)
	p.Data = map[string]any{"D": d, "JSON": "/api/v1/disclosure/" + org + "/" + service + "?lang=" + p.Lang}
	a.render(w, http.StatusOK, "disclosure", p)
}

// disclosureSwitch makes a provider-role service's disclosure page public
// or takes it down. Publishing speaks for the organization, so it is an
// admin's decision, like membership.
func (a *App) disclosureSwitch(w http.ResponseWriter, r *http.Request, p *page, m store.Membership) {
	if !authz.Can(m.Role, authz.Members, authz.Subject{Kind: "disclosures"}) {
		a.forbidden(w, r, p)
		return
	}
	service := r.PathValue("service")
	model, err := a.store.ISMS(r.Context(), p.Org)
	if err != nil {
		a.serverError(w, r, p, err)
		return
	}
	if _, err := report.Disclosure(model, service, p.Lang, isms.Date{}); err != nil {
		a.notFound(w, r, p)
		return
	}
	on := r.PostFormValue("on") == "true"
	if err := a.store.SetDisclosure(r.Context(), p.Org, service, on, p.User.Email); err != nil {
		a.serverError(w, r, p, err)
		return
	}
	key := "report.disclosure.now_off"
	if on {
		key = "report.disclosure.now_on"
	}
	p.Flash = p.T(key, "service", service)
	a.renderReports(w, r, p, http.StatusOK, nil)
}
