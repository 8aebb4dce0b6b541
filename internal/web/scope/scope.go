// Package scope holds the scope pages of the web UI: the scope statements
// and their approval, the cloud services with the supply-chain diagram,
// people, systems, sites, units and suppliers, each linking to its item
// form.
package scope

import (
	"embed"
	"errors"
	"net/http"
	"sort"
	"strconv"
	"strings"

	"github.com/cloudisms/cloudisms/internal/authz"
	"github.com/cloudisms/cloudisms/internal/bundle"
	"github.com/cloudisms/cloudisms/internal/isms"
	"github.com/cloudisms/cloudisms/internal/names"
	"github.com/cloudisms/cloudisms/internal/store"
	"github.com/cloudisms/cloudisms/internal/web/draw"
	"github.com/cloudisms/cloudisms/internal/web/items"
	"github.com/cloudisms/cloudisms/internal/web/site"
)

//go:embed templates/*.html
var templateFS embed.FS

// handlers are the scope pages over the site.
type handlers struct{ *site.App }

func init() {
	site.AddTemplates(templateFS)
	site.AddNav(site.NavItem{Order: 20, Section: "scope", Path: "scope", Label: "views.nav.scope"})
	site.AddRoutes(func(app *site.App, m *http.ServeMux) {
		a := &handlers{app}
		m.HandleFunc("GET /orgs/{org}/scope", a.InOrg("scope", a.scopePage))
		m.HandleFunc("POST /orgs/{org}/scope/approve", a.InOrg("scope", a.scopeApprove))
	})
}

// scopeService is a cloud service row with its provider's name.
type scopeService struct {
	isms.CloudService
	ProviderName string
	Findings     []string
}

type scopePerson struct {
	isms.Person
	UnitName string
	Findings []string
}

type scopeSystem struct {
	isms.System
	Findings []string
}

func (a *handlers) scopePage(w http.ResponseWriter, r *http.Request, p *site.Page, m store.Membership) {
	ctx := r.Context()
	checked, model, err := a.Store.Findings(ctx, p.Org, isms.DateOf(a.Now()))
	if err != nil {
		a.ServerError(w, r, p, err)
		return
	}
	org, err := a.Store.Get(ctx, p.Org, bundle.KindOrganization, bundle.KindOrganization)
	if err != nil {
		a.ServerError(w, r, p, err)
		return
	}
	stale, importedBy := false, ""
	if ap, err := a.Store.ApprovalOf(ctx, p.Org, bundle.KindOrganization, bundle.KindOrganization); err == nil {
		stale = ap.Stale
		if ap.Imported {
			importedBy = ap.ApprovedBy
		}
	} else if !errors.Is(err, store.ErrNotFound) {
		a.ServerError(w, r, p, err)
		return
	}
	findings := site.FindingsBySubject(checked, p.Lang, names.Of(model, p.Lang))
	subjects := make([]string, 0, len(findings))
	for subj := range findings {
		subjects = append(subjects, subj)
	}
	sort.Strings(subjects)
	suppliers := map[string]string{}
	for _, s := range model.Suppliers {
		suppliers[s.ID] = s.Name
	}
	units := map[string]string{}
	for _, u := range model.Units {
		units[u.ID] = u.Name
	}
	var services []scopeService
	for _, s := range model.Services {
		name := p.T("views.self")
		if s.Provider != isms.ProviderSelf {
			name = suppliers[s.Provider]
		}
		var fs []string
		for _, subj := range subjects {
			if subj == "cloud_services/"+s.ID || strings.HasPrefix(subj, "cloud_services/"+s.ID+"/") {
				fs = append(fs, findings[subj]...)
			}
		}
		services = append(services, scopeService{CloudService: s, ProviderName: name, Findings: fs})
	}
	var people []scopePerson
	for _, pp := range model.People {
		people = append(people, scopePerson{Person: pp, UnitName: units[pp.Unit], Findings: findings["people/"+pp.ID]})
	}
	var systems []scopeSystem
	for _, s := range model.Systems {
		systems = append(systems, scopeSystem{System: s, Findings: findings["systems/"+s.ID]})
	}
	p.Names = names.Of(model, p.Lang)
	p.Title = p.T("views.scope.title")
	p.Data = map[string]any{
		"Org": model.Organization, "Version": org.Version, "Stale": stale, "ImportedBy": importedBy, "OrgFindings": findings["organization"],
		"CanApprove": m.Person != "" && authz.Can(m.Role, authz.Approve, authz.Subject{Kind: bundle.KindOrganization}),
		"NoPerson":   m.Person == "" && authz.Can(m.Role, authz.Approve, authz.Subject{Kind: bundle.KindOrganization}),
		"Services":   services, "People": people, "Systems": systems, "Sites": model.Sites, "Units": model.Units, "Suppliers": model.Suppliers,
		"Diagram": draw.SupplyChain(model, p.T), "Approved": r.URL.Query().Get("approved") != "", "Conflict": r.URL.Query().Get("conflict") != "",
		"Edit": func(kind, key string) string { return items.URL(p.Org, kind, key) }, "New": func(kind string) string { return items.NewURL(p.Org, kind, nil) },
		"History":     items.HistoryURL(p.Org, bundle.KindOrganization, bundle.KindOrganization),
		"Edition2013": model.Organization.AnnexA == isms.Edition2013, "MayMoveEdition": mayMoveEdition(m),
		"Moved": r.URL.Query().Get("moved") != "",
	}
	a.Render(w, http.StatusOK, "scope", p)
}

// scopeApprove records the approval of the scope statements by the
// member's person, at the version the approver saw: a changed scope is
// not approved unseen.
func (a *handlers) scopeApprove(w http.ResponseWriter, r *http.Request, p *site.Page, m store.Membership) {
	if m.Person == "" || !authz.Can(m.Role, authz.Approve, authz.Subject{Kind: bundle.KindOrganization}) {
		a.Forbidden(w, r, p)
		return
	}
	ctx := r.Context()
	cur, err := a.Store.Get(ctx, p.Org, bundle.KindOrganization, bundle.KindOrganization)
	if err != nil {
		a.ServerError(w, r, p, err)
		return
	}
	version, verr := strconv.ParseInt(r.PostFormValue("version"), 10, 64)
	if verr != nil || version < 1 {
		// The form sends the version approved; without it there is no
		// telling what the approver saw.
		a.BadRequest(w, r, p, p.T("ui.version_missing"))
		return
	}
	err = items.RecordApproval(a.App, r, p, m, cur, version, nil)
	switch {
	case errors.Is(err, store.ErrConflict):
		http.Redirect(w, r, "/orgs/"+p.Org+"/scope?conflict=1#statements", http.StatusSeeOther)
		return
	case err != nil:
		a.ServerError(w, r, p, err)
		return
	}
	http.Redirect(w, r, "/orgs/"+p.Org+"/scope?approved=1#statements", http.StatusSeeOther)
}
