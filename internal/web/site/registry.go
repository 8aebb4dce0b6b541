package site

import (
	"fmt"
	"html/template"
	"net/http"
	"sort"
	"strings"

	"github.com/cloudisms/cloudisms/internal/authz"
	"github.com/cloudisms/cloudisms/internal/conformity"
	"github.com/cloudisms/cloudisms/internal/store"
)

// Each area package registers its routes, its place in the side
// navigation, its templates and the finding subjects it fixes from an init
// function, so that pages are added by new files without editing a shared
// table.

// routeSets are the route registrations of the area packages.
var routeSets []func(a *App, m *http.ServeMux)

// AddRoutes registers an area's routes.
func AddRoutes(f func(a *App, m *http.ServeMux)) { routeSets = append(routeSets, f) }

// NavItem is one entry of the side navigation.
type NavItem struct {
	Order   int    // position; gaps of ten leave room
	Section string // the section a page sets as p.Nav
	Path    string // under /orgs/{org}/
	Label   string // message key
	// Action and Kind, when Action is set, are the permission a member's
	// role needs for the entry to show: a page that would only answer
	// "forbidden" is not offered.
	Action string
	Kind   string
}

// allowed reports whether a member with the role may use the entry.
func (n NavItem) allowed(role string) bool {
	return n.Action == "" || authz.Can(role, n.Action, authz.Subject{Kind: n.Kind})
}

var navItems []NavItem

// AddNav places a section in the side navigation.
func AddNav(n NavItem) {
	navItems = append(navItems, n)
	sort.SliceStable(navItems, func(i, j int) bool { return navItems[i].Order < navItems[j].Order })
}

// NavItems lists every registered navigation entry in order.
func NavItems() []NavItem { return append([]NavItem(nil), navItems...) }

// SubjectLinkFunc and RuleLinkFunc point a finding at the page where it
// is fixed; parts are the subject's path elements. "" means no link of
// their own: the next registry (or the dashboard) decides.
type (
	SubjectLinkFunc func(org string, parts []string) string
	RuleLinkFunc    func(org string, f conformity.Finding, parts []string) string
)

// subjectLinks point a finding's subject (its first path element) at the
// page where it is fixed.
var subjectLinks = map[string]SubjectLinkFunc{}

// AddSubjectLink registers where subjects of a kind are fixed; a kind is
// registered once, by the area that owns it.
func AddSubjectLink(kind string, f SubjectLinkFunc) {
	if _, dup := subjectLinks[kind]; dup {
		panic(fmt.Sprintf("web: subject link for %q registered twice", kind))
	}
	subjectLinks[kind] = f
}

// ruleLinks point the findings of one rule at the page and field where
// they are fixed, when the subject alone does not say (an organization-wide
// finding, a missing item that a new one supplies). They take precedence
// over subjectLinks.
var ruleLinks = map[string]RuleLinkFunc{}

// AddRuleLink registers where the findings of a rule are fixed.
func AddRuleLink(rule string, f RuleLinkFunc) {
	if _, dup := ruleLinks[rule]; dup {
		panic(fmt.Sprintf("web: rule link for %q registered twice", rule))
	}
	ruleLinks[rule] = f
}

// FindingLink points a finding at the page where it is fixed: the rule's
// own link where one is registered, else the subject's.
func FindingLink(org string, f conformity.Finding) string {
	parts := strings.Split(f.Subject, "/")
	if rl, ok := ruleLinks[f.Rule]; ok {
		if l := rl(org, f, parts); l != "" {
			return l
		}
	}
	return SubjectLink(org, parts)
}

// SubjectLink points a subject's path elements at the page of the item,
// else at the dashboard.
func SubjectLink(org string, parts []string) string {
	if f, ok := subjectLinks[parts[0]]; ok {
		if l := f(org, parts); l != "" {
			return l
		}
	}
	return "/orgs/" + org + "/"
}

// RowLink points subjects kind/ID at the row anchor prefix+ID of a page.
func RowLink(pagePath, prefix string) SubjectLinkFunc {
	return func(org string, parts []string) string {
		if len(parts) < 2 {
			return ""
		}
		return "/orgs/" + org + "/" + pagePath + "#" + prefix + parts[1]
	}
}

// ItemPanel renders a section an area adds to every item's page (the
// comment thread, a request for approval): kind and key name the item.
// It returns "" when it has nothing to show.
type ItemPanel func(a *App, r *http.Request, p *Page, m store.Membership, kind, key string) template.HTML

var itemPanels []ItemPanel

// AddItemPanel registers a section of item pages.
func AddItemPanel(f ItemPanel) { itemPanels = append(itemPanels, f) }

// ItemPanels renders the registered sections of an item's page, in the
// order they were registered.
func (a *App) ItemPanels(r *http.Request, p *Page, m store.Membership, kind, key string) []template.HTML {
	var out []template.HTML
	for _, f := range itemPanels {
		if h := f(a, r, p, m, kind, key); h != "" {
			out = append(out, h)
		}
	}
	return out
}
