package web

import (
	"net/http"
	"sort"

	"github.com/cloudisms/cloudisms/internal/authz"
	"github.com/cloudisms/cloudisms/internal/conformity"
)

// Each page file registers its routes, its place in the side navigation and
// the finding subjects it fixes from an init function, so that pages can be
// added without editing a shared table.

// routeSets are the route registrations of the page files.
var routeSets []func(a *App, m *http.ServeMux)

// addRoutes registers a page file's routes.
func addRoutes(f func(a *App, m *http.ServeMux)) { routeSets = append(routeSets, f) }

// navItem is one entry of the side navigation.
type navItem struct {
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
func (n navItem) allowed(role string) bool {
	return n.Action == "" || authz.Can(role, n.Action, authz.Subject{Kind: n.Kind})
}

var navItems []navItem

// addNav places a section in the side navigation.
func addNav(n navItem) {
	navItems = append(navItems, n)
	sort.SliceStable(navItems, func(i, j int) bool { return navItems[i].Order < navItems[j].Order })
}

// subjectLinks point a finding's subject (its first path element) at the
// page where it is fixed; parts are the subject's path elements.
var subjectLinks = map[string]func(org string, parts []string) string{}

// addSubjectLink registers where subjects of a kind are fixed.
func addSubjectLink(kind string, f func(org string, parts []string) string) { subjectLinks[kind] = f }

// ruleLinks point the findings of one rule at the page and field where
// they are fixed, when the subject alone does not say (an organization-wide
// finding, a missing item that a new one supplies). They take precedence
// over subjectLinks.
var ruleLinks = map[string]func(org string, f conformity.Finding, parts []string) string{}

// addRuleLink registers where the findings of a rule are fixed.
func addRuleLink(rule string, f func(org string, f conformity.Finding, parts []string) string) {
	ruleLinks[rule] = f
}
