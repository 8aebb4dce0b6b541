package web

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/cloudisms/cloudisms/internal/authz"
	"github.com/cloudisms/cloudisms/internal/conformity"
	"github.com/cloudisms/cloudisms/internal/store"
)

// The view and action pages: scope, risk criteria, responsibilities,
// verifications, internal audits, management reviews, members and the
// account page. Plain editing of one item is the generic item pages' job;
// these pages link to them.

func init() {
	addNav(navItem{Order: 20, Section: "scope", Path: "scope", Label: "views.nav.scope"})
	addNav(navItem{Order: 30, Section: "criteria", Path: "criteria", Label: "views.nav.criteria"})
	addNav(navItem{Order: 70, Section: "responsibilities", Path: "responsibilities", Label: "views.nav.responsibilities"})
	addNav(navItem{Order: 75, Section: "verifications", Path: "verifications", Label: "views.nav.verifications"})
	addNav(navItem{Order: 120, Section: "audits", Path: "audits", Label: "views.nav.audits"})
	addNav(navItem{Order: 130, Section: "reviews", Path: "reviews", Label: "views.nav.reviews"})
	addNav(navItem{Order: 910, Section: "members", Path: "members", Label: "views.nav.members", Action: authz.Members})
	addNav(navItem{Order: 920, Section: "account", Path: "account", Label: "views.nav.account"})
	addRoutes(func(a *App, m *http.ServeMux) {
		m.HandleFunc("GET /orgs/{org}/scope", a.inOrg("scope", a.scopePage))
		m.HandleFunc("POST /orgs/{org}/scope/approve", a.inOrg("scope", a.scopeApprove))
		m.HandleFunc("GET /orgs/{org}/criteria", a.inOrg("criteria", a.criteriaPage))
		m.HandleFunc("POST /orgs/{org}/criteria", a.inOrg("criteria", a.criteriaPost))
		m.HandleFunc("GET /orgs/{org}/responsibilities", a.inOrg("responsibilities", a.responsibilitiesPage))
		m.HandleFunc("GET /orgs/{org}/verifications", a.inOrg("verifications", a.verificationsPage))
		m.HandleFunc("POST /orgs/{org}/verifications/{id}/risk", a.inOrg("verifications", a.verificationRisk))
		m.HandleFunc("GET /orgs/{org}/audits", a.inOrg("audits", a.auditsPage))
		m.HandleFunc("GET /orgs/{org}/reviews", a.inOrg("reviews", a.reviewsPage))
		m.HandleFunc("GET /orgs/{org}/reviews/new", a.inOrg("reviews", a.reviewNew))
		m.HandleFunc("POST /orgs/{org}/reviews/new", a.inOrg("reviews", a.reviewPost))
		m.HandleFunc("GET /orgs/{org}/members", a.inOrg("members", a.membersPage))
		m.HandleFunc("POST /orgs/{org}/members", a.inOrg("members", a.membersPost))
		m.HandleFunc("GET /account", a.accountPage)
		m.HandleFunc("POST /account", a.accountPost)
		m.HandleFunc("GET /orgs/{org}/account", a.inOrg("account", a.accountInOrg))
		m.HandleFunc("POST /orgs/{org}/account", a.inOrg("account", a.accountInOrgPost))
	})
	// Where the findings of each kind are fixed: the exact row. Systems and
	// people are fixed on their item forms (items.go).
	addSubjectLink("organization", func(org string, parts []string) string { return "/orgs/" + org + "/scope#statements" })
	addSubjectLink("cloud_services", func(org string, parts []string) string {
		if len(parts) >= 4 && parts[2] == "verifications" {
			return "/orgs/" + org + "/verifications#need-" + parts[1] + "-" + parts[3]
		}
		if len(parts) >= 2 {
			return itemURL(org, "cloud_services", parts[1]) // the form shows the item's findings
		}
		return ""
	})
	addSubjectLink("verifications", viewsRowLink("verifications", "ver-"))
	addSubjectLink("reviews", viewsRowLink("reviews", "review-"))
	addSubjectLink("audits", func(org string, parts []string) string {
		switch {
		case len(parts) >= 4 && parts[2] == "findings":
			return "/orgs/" + org + "/audits#finding-" + parts[1] + "-" + parts[3]
		case len(parts) >= 2:
			return "/orgs/" + org + "/audits#audit-" + parts[1]
		}
		return ""
	})
}

// rowLink points subjects kind/ID at the row anchor prefix+ID of a page.
func viewsRowLink(pagePath, prefix string) func(org string, parts []string) string {
	return func(org string, parts []string) string {
		if len(parts) < 2 {
			return ""
		}
		return "/orgs/" + org + "/" + pagePath + "#" + prefix + parts[1]
	}
}

// itemURL is the generic edit page of an item; newURL its "new" page;
// historyURL its history.
func viewsEditURL(org, kind, key string) string {
	return "/orgs/" + org + "/items/" + kind + "/" + url.PathEscape(key)
}
func viewsNewURL(org, kind string) string { return newItemURL(org, kind, nil) }
func viewsHistoryURL(org, kind, key string) string {
	return "/orgs/" + org + "/history/" + kind + "/" + url.PathEscape(key)
}

// canWrite reports whether the page's member may edit items of a kind.
func viewsMayWrite(p *page, kind string) bool {
	return authz.Can(p.Role, authz.Write, authz.Subject{Kind: kind})
}

// findingsBySubject renders findings by subject.
func findingsBySubject(fs []conformity.Finding, lang string) map[string][]string {
	out := map[string][]string{}
	for _, f := range fs {
		out[f.Subject] = append(out[f.Subject], f.Rule+": "+f.Message.In(lang))
	}
	return out
}

// storedKeys lists the stored items of a kind in document order, for
// kinds without ids of their own (responsibilities), whose keys the model
// does not carry.
func (a *App) storedItems(ctx context.Context, org, kind string) ([]store.StoredItem, error) {
	var out []store.StoredItem
	for off := 0; ; off += store.MaxPage {
		pg, err := a.store.List(ctx, org, kind, store.ListOptions{Limit: store.MaxPage, Offset: off})
		if err != nil {
			return nil, err
		}
		out = append(out, pg.Items...)
		if len(pg.Items) < store.MaxPage {
			return out, nil
		}
	}
}

// fieldErrors sorts the problems of a decoded item by the form field they
// belong to: the first path element after the kind (prefix) names it;
// problems of no known field go under "".
func viewsFieldErrors(err error, prefix string, fields []string, lang string) map[string][]string {
	out := map[string][]string{}
	probs, ok := problemsOf(err, lang)
	if !ok {
		out[""] = append(out[""], err.Error())
		return out
	}
	isField := func(path string) bool { return slices.Contains(fields, path) }
	for _, pr := range probs {
		rest := strings.TrimPrefix(strings.TrimPrefix(pr.Path, prefix), ".")
		field := enclosingPath(rest, isField)
		msg := pr.Msg
		switch {
		case field == "" && pr.Path != "":
			msg = pr.Path + ": " + msg
		case field != "" && rest != field:
			msg = rest + ": " + msg // which element of a list field
		}
		out[field] = append(out[field], msg)
	}
	return out
}

// ViewsMayEdit tells a template whether the member may edit items of a kind.
func (p *page) ViewsMayEdit(kind string) bool { return viewsMayWrite(p, kind) }
