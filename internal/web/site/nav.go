package site

import "sort"

// The side navigation is grouped by area of the ISMS, in the order people
// work through the standard (design/ui.md). Sections not named here stand
// alone at their own place, so a page added later still shows up.

// NavGroup is a heading of the side navigation with its entries; the
// entries without a heading (dashboard, scope, assets) have no Label.
type NavGroup struct {
	Key   string // for the element id
	Label string // message key; empty for entries without a heading
	Items []NavItem
}

// navAreas places sections under a heading; order sorts the groups.
var navAreas = map[string]struct {
	order int
	key   string
}{
	"context_issues":          {22, "context"},
	"interested_parties":      {22, "context"},
	"opportunities":           {22, "context"},
	"changes":                 {22, "context"},
	"communications":          {22, "context"},
	"objectives":              {85, "support"},
	"competence_requirements": {85, "support"},
	"trainings":               {85, "support"},
	"measurements":            {120, "improve"},
	"nonconformities":         {120, "improve"},
	"incidents":               {120, "improve"},
	"certificates":            {135, "certification"},
	"external_audits":         {135, "certification"},
	"criteria":                {50, "risk"},
	"risks":                   {50, "risk"},
	"soa":                     {50, "risk"},
	"responsibilities":        {70, "cloud"},
	"verifications":           {70, "cloud"},
	"legal":                   {80, "ops"},
	"backups":                 {80, "ops"},
	"monitoring":              {80, "ops"},
	"documents":               {80, "ops"},
	"audits":                  {120, "improve"},
	"reviews":                 {120, "improve"},
	"reports":                 {140, "output"},
	"control-texts":           {140, "output"},
	"admin":                   {900, "admin"},
	"members":                 {900, "admin"},
	"seclog":                  {900, "admin"},
	"account":                 {900, "admin"},
}

func groupNav(items []NavItem) []NavGroup {
	type keyed struct {
		order int
		g     NavGroup
	}
	var groups []*keyed
	byKey := map[string]*keyed{}
	for _, n := range items {
		area, ok := navAreas[n.Section]
		if !ok {
			groups = append(groups, &keyed{n.Order, NavGroup{Key: n.Section, Items: []NavItem{n}}})
			continue
		}
		g := byKey[area.key]
		if g == nil {
			g = &keyed{area.order, NavGroup{Key: area.key, Label: "look.nav." + area.key}}
			byKey[area.key] = g
			groups = append(groups, g)
		}
		g.g.Items = append(g.g.Items, n)
	}
	sort.SliceStable(groups, func(i, j int) bool { return groups[i].order < groups[j].order })
	// Entries without a heading that follow each other form one list.
	var out []NavGroup
	for _, g := range groups {
		if last := len(out) - 1; g.g.Label == "" && last >= 0 && out[last].Label == "" {
			out[last].Items = append(out[last].Items, g.g.Items...)
			continue
		}
		out = append(out, g.g)
	}
	return out
}
