package web

import (
	"github.com/cloudisms/cloudisms/internal/isms"
	"sort"
	"time"
)

// The side navigation is grouped by area of the ISMS, in the order people
// work through the standard (design/ui.md). Sections not named here stand
// alone at their own place, so a page added later still shows up.

// navGroup is a heading of the side navigation with its entries; the
// entries without a heading (dashboard, scope, assets) have no Label.
type navGroup struct {
	Key   string // for the element id
	Label string // message key; empty for entries without a heading
	Items []navItem
}

// navAreas places sections under a heading; order sorts the groups.
var navAreas = map[string]struct {
	order int
	key   string
}{
	"criteria":         {50, "risk"},
	"risks":            {50, "risk"},
	"soa":              {50, "risk"},
	"responsibilities": {70, "cloud"},
	"verifications":    {70, "cloud"},
	"legal":            {80, "ops"},
	"backups":          {80, "ops"},
	"monitoring":       {80, "ops"},
	"documents":        {80, "ops"},
	"audits":           {120, "improve"},
	"reviews":          {120, "improve"},
	"reports":          {140, "output"},
	"control-texts":    {140, "output"},
	"admin":            {900, "admin"},
	"members":          {900, "admin"},
	"account":          {900, "admin"},
}

// NavGroups is the side navigation in its groups.
func (p *page) NavGroups() []navGroup { return groupNav(p.NavItems()) }

func groupNav(items []navItem) []navGroup {
	type keyed struct {
		order int
		g     navGroup
	}
	var groups []*keyed
	byKey := map[string]*keyed{}
	for _, n := range items {
		area, ok := navAreas[n.Section]
		if !ok {
			groups = append(groups, &keyed{n.Order, navGroup{Key: n.Section, Items: []navItem{n}}})
			continue
		}
		g := byKey[area.key]
		if g == nil {
			g = &keyed{area.order, navGroup{Key: area.key, Label: "look.nav." + area.key}}
			byKey[area.key] = g
			groups = append(groups, g)
		}
		g.g.Items = append(g.g.Items, n)
	}
	sort.SliceStable(groups, func(i, j int) bool { return groups[i].order < groups[j].order })
	// Entries without a heading that follow each other form one list.
	var out []navGroup
	for _, g := range groups {
		if last := len(out) - 1; g.g.Label == "" && last >= 0 && out[last].Label == "" {
			out[last].Items = append(out[last].Items, g.g.Items...)
			continue
		}
		out = append(out, g.g)
	}
	return out
}

// PrintLine heads a printed page: when and by whom it was printed, so that a
// sheet on an auditor's desk says how current it is. The screen never shows
// it. It uses the wall clock: it is the time of printing, not an "as of"
// date of the ISMS.
func (p *page) PrintLine() string {
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
