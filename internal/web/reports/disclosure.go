package reports

import (
	"net/http"
	"strings"

	"github.com/cloudisms/cloudisms/internal/authz"
	"github.com/cloudisms/cloudisms/internal/i18n"
	"github.com/cloudisms/cloudisms/internal/isms"
	"github.com/cloudisms/cloudisms/internal/report"
	"github.com/cloudisms/cloudisms/internal/store"
	"github.com/cloudisms/cloudisms/internal/web/site"
)

func init() {
	site.AddRoutes(func(app *site.App, m *http.ServeMux) {
		a := &handlers{app}
		m.HandleFunc("GET /disclosure/{org}/{service}", a.disclosurePage)
		m.HandleFunc("POST /orgs/{org}/disclosure/{service}", a.InOrg("reports", a.disclosureSwitch))
	})
}

// disclosurePage is the public page a provider shows its cloud service
// customers; it exists only while an admin keeps it switched on.
func (a *handlers) disclosurePage(w http.ResponseWriter, r *http.Request) {
	u, _ := a.Session(r)
	p := &site.Page{Lang: site.LangOf(r, u), User: u, Path: r.URL.RequestURI()}
	if l := r.URL.Query().Get("lang"); i18n.Valid(l) {
		p.Lang = l
	}
	org, service := r.PathValue("org"), r.PathValue("service")
	on, err := a.Store.Disclosures(r.Context(), org)
	if _, ok := on[service]; err != nil || !ok {
		a.NotFound(w, r, p)
		return
	}
	m, err := a.Store.ISMS(r.Context(), org)
	if err != nil {
		a.ServerError(w, r, p, err)
		return
	}
	d, err := report.Disclosure(m, service, p.Lang, isms.DateOf(a.Now()))
	if err != nil {
		a.NotFound(w, r, p)
		return
	}
	p.Title = p.T("report.disclosure.title", "service", d.ServiceName)
	p.Data = map[string]any{"D": d, "JSON": "/api/v1/disclosure/" + org + "/" + service + "?lang=" + p.Lang,
		"Locations": countries(p, d.Facts.DataLocations), "Jurisdictions": countries(p, d.Facts.Jurisdictions)}
	a.Render(w, http.StatusOK, "disclosure", p)
}

// disclosureSwitch makes a provider-role service's disclosure page public
// or takes it down. Publishing speaks for the organization, so it is an
// admin's decision, like membership.
func (a *handlers) disclosureSwitch(w http.ResponseWriter, r *http.Request, p *site.Page, m store.Membership) {
	if !authz.Can(m.Role, authz.Members, authz.Subject{Kind: "disclosures"}) {
		a.Forbidden(w, r, p)
		return
	}
	service := r.PathValue("service")
	model, err := a.Store.ISMS(r.Context(), p.Org)
	if err != nil {
		a.ServerError(w, r, p, err)
		return
	}
	if _, err := report.Disclosure(model, service, p.Lang, isms.Date{}); err != nil {
		a.NotFound(w, r, p)
		return
	}
	on := r.PostFormValue("on") == "true"
	if err := a.Store.SetDisclosure(r.Context(), p.Org, service, on, p.User.Email); err != nil {
		a.ServerError(w, r, p, err)
		return
	}
	key := "report.disclosure.now_off"
	if on {
		key = "report.disclosure.now_on"
	}
	p.Flash = p.T(key, "service", service)
	a.renderReports(w, r, p, http.StatusOK, nil)
}

// countries names country codes for the reader: 日本 (JP).
func countries(p *site.Page, codes []string) string {
	out := make([]string, len(codes))
	for i, c := range codes {
		key := "docs13.country." + c
		if name := p.T(key); name != key {
			out[i] = name + " (" + c + ")"
		} else {
			out[i] = c
		}
	}
	return strings.Join(out, i18n.List(p.Lang))
}
