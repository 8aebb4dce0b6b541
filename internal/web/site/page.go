package site

import (
	"html/template"
	"slices"
	"time"

	"github.com/cloudisms/cloudisms/internal/authz"
	"github.com/cloudisms/cloudisms/internal/catalog"
	"github.com/cloudisms/cloudisms/internal/i18n"
	"github.com/cloudisms/cloudisms/internal/isms"
	"github.com/cloudisms/cloudisms/internal/names"
	"github.com/cloudisms/cloudisms/internal/store"
)

// Page is what every template gets.
type Page struct {
	Lang    string
	Title   string
	User    *store.User
	Org     string
	Orgs    []store.Membership
	Role    string
	Nav     string // the current section
	Flash   string
	Error   string
	Path    string
	CSRF    string
	Data    any
	Section string
	// Names names the ids of the organization's ISMS for templates
	// ($.Names.Person .Owner); pages that show ids set it.
	Names *names.Names
	// CSV is the link to the page's list as CSV (CSVLink), for list pages.
	CSV string
	// SideNav is the side navigation, set by Render for an organization's
	// page.
	SideNav template.HTML
	// Refresh, when set, moves the browser on at once (a meta refresh's
	// content, "0;url=…"): for a redirect to another site after a form,
	// which the form-action policy would stop.
	Refresh string
}

// T renders a message key in the page's language.
func (p *Page) T(key string, args ...any) string { return i18n.M(key, args...).In(p.Lang) }

// MayEdit tells a template whether the member may edit items of a kind.
func (p *Page) MayEdit(kind string) bool {
	return authz.Can(p.Role, authz.Write, authz.Subject{Kind: kind})
}

// NavItems is the side navigation: the entries the member's role may use.
func (p *Page) NavItems() []NavItem {
	out := make([]NavItem, 0, len(navItems))
	for _, n := range navItems {
		if n.allowed(p.Role) {
			out = append(out, n)
		}
	}
	return out
}

// NavGroups is the side navigation in its groups.
func (p *Page) NavGroups() []NavGroup { return groupNav(p.NavItems()) }

// PrintLine heads a printed page: when and by whom it was printed, so that a
// sheet on an auditor's desk says how current it is. The screen never shows
// it. It uses the wall clock: it is the time of printing, not an "as of"
// date of the ISMS.
func (p *Page) PrintLine() string {
	if p.User == nil {
		return ""
	}
	return p.T("look.printed", "date", proseDate(time.Now().In(isms.JST), p.Lang), "who", p.User.Name)
}

// proseDate writes a date as running text has it: 2026年11月26日, 26 November 2026.
func proseDate(t time.Time, lang string) string {
	if lang == "ja" {
		return t.Format("2006年1月2日")
	}
	return t.Format("2 January 2006")
}

// ControlTitle is a control's title as a page shows it: in English the
// catalog's; in Japanese the organization's own title where its control
// texts give one, else the catalog's, followed by the unconfirmed mark
// when the catalog has not found that title in a published list (the
// page's note, catalog.unconfirmed_note, explains the mark). unconfirmed
// says whether the mark was added.
func (p *Page) ControlTitle(c *catalog.Control, texts map[string]string) (title string, unconfirmed bool) {
	if p.Lang == i18n.EN {
		return c.TitleEN, false
	}
	title, unconfirmed = catalog.JATitle(c, texts)
	if title == "" {
		return c.TitleEN, false
	}
	if unconfirmed {
		title += p.T("catalog.unconfirmed_mark")
	}
	return title, unconfirmed
}

// Distinct is a form's repeated values (the rows ticked, say) without
// empty ones and repeats, in the order sent.
func Distinct(values []string) []string {
	var out []string
	for _, v := range values {
		if v != "" && !slices.Contains(out, v) {
			out = append(out, v)
		}
	}
	return out
}
