package web

import (
	"errors"
	"net/http"
	"sort"
	"strconv"
	"strings"

	"github.com/cloudisms/cloudisms/internal/authz"
	"github.com/cloudisms/cloudisms/internal/bundle"
	"github.com/cloudisms/cloudisms/internal/isms"
	"github.com/cloudisms/cloudisms/internal/store"
)

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

func (a *App) scopePage(w http.ResponseWriter, r *http.Request, p *page, m store.Membership) {
	ctx := r.Context()
	checked, model, err := a.store.Findings(ctx, p.Org, isms.DateOf(a.now()))
	if err != nil {
		a.serverError(w, r, p, err)
		return
	}
	org, err := a.store.Get(ctx, p.Org, bundle.KindOrganization, bundle.KindOrganization)
	if err != nil {
		a.serverError(w, r, p, err)
		return
	}
	stale := false
	if ap, err := a.store.ApprovalOf(ctx, p.Org, bundle.KindOrganization, bundle.KindOrganization); err == nil {
		stale = ap.Stale
	} else if !errors.Is(err, store.ErrNotFound) {
		a.serverError(w, r, p, err)
		return
	}
	findings := findingsBySubject(checked, p.Lang)
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
	p.Title = p.T("views.scope.title")
	p.Data = map[string]any{
		"Org": model.Organization, "Version": org.Version, "Stale": stale, "OrgFindings": findings["organization"],
		"CanApprove": m.Person != "" && authz.Can(m.Role, authz.Approve, authz.Subject{Kind: bundle.KindOrganization}),
		"NoPerson":   m.Person == "" && authz.Can(m.Role, authz.Approve, authz.Subject{Kind: bundle.KindOrganization}),
		"Services":   services, "People": people, "Systems": systems, "Sites": model.Sites, "Units": model.Units, "Suppliers": model.Suppliers,
		"Diagram": supplyChainSVG(model, p), "Approved": r.URL.Query().Get("approved") != "", "Conflict": r.URL.Query().Get("conflict") != "",
		"Edit": func(kind, key string) string { return viewsEditURL(p.Org, kind, key) }, "New": func(kind string) string { return viewsNewURL(p.Org, kind) },
		"History": viewsHistoryURL(p.Org, bundle.KindOrganization, bundle.KindOrganization),
	}
	a.render(w, http.StatusOK, "scope", p)
}

// scopeApprove records the approval of the scope statements by the
// member's person, at the version the approver saw: a changed scope is
// not approved unseen.
func (a *App) scopeApprove(w http.ResponseWriter, r *http.Request, p *page, m store.Membership) {
	if m.Person == "" || !authz.Can(m.Role, authz.Approve, authz.Subject{Kind: bundle.KindOrganization}) {
		a.forbidden(w, r, p)
		return
	}
	ctx := r.Context()
	cur, err := a.store.Get(ctx, p.Org, bundle.KindOrganization, bundle.KindOrganization)
	if err != nil {
		a.serverError(w, r, p, err)
		return
	}
	version, _ := strconv.ParseInt(r.PostFormValue("version"), 10, 64)
	err = a.recordApproval(r, p, m, cur, version, nil)
	switch {
	case errors.Is(err, store.ErrConflict):
		http.Redirect(w, r, "/orgs/"+p.Org+"/scope?conflict=1#statements", http.StatusSeeOther)
		return
	case err != nil:
		a.serverError(w, r, p, err)
		return
	}
	http.Redirect(w, r, "/orgs/"+p.Org+"/scope?approved=1#statements", http.StatusSeeOther)
}
