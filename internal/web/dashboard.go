package web

import (
	"net/http"
	"strings"

	"github.com/cloudisms/cloudisms/internal/conformity"
	"github.com/cloudisms/cloudisms/internal/isms"
	"github.com/cloudisms/cloudisms/internal/store"
)

// findingView is a finding with its link and text in the page's language.
type findingView struct {
	conformity.Finding
	Text string
	Link string
}

type areaView struct {
	Area     string
	Errors   int
	Warnings int
	Findings []findingView
}

// link points a finding at the page where it is fixed: the rule's own
// link where one is registered, else the subject's.
func link(org string, f conformity.Finding) string {
	parts := strings.Split(f.Subject, "/")
	if rl, ok := ruleLinks[f.Rule]; ok {
		if l := rl(org, f, parts); l != "" {
			return l
		}
	}
	return subjectLink(org, parts)
}

// subjectLink points a subject's path elements at the page of the item.
func subjectLink(org string, parts []string) string {
	base := "/orgs/" + org
	if f, ok := subjectLinks[parts[0]]; ok {
		if l := f(org, parts); l != "" {
			return l
		}
	}
	switch parts[0] {
	case "risks":
		return base + "/risks#risk-" + parts[1]
	case "soa":
		if len(parts) >= 2 {
			soa := parts[1]
			if len(parts) >= 3 && parts[1] != "organization" {
				soa = parts[1] + ":" + parts[2]
			}
			anchor := ""
			if n := len(parts); (soa == "organization" && n >= 3) || n >= 4 {
				anchor = "#row-" + parts[n-1]
			}
			return base + "/soa?soa=" + soa + anchor
		}
	}
	return base + "/"
}

// dashboardDue is how many due items the dashboard lists (the soonest):
// a large ISMS has thousands, which belong in the registers, not on the
// overview page.
const dashboardDue = 50

func (a *App) dashboard(w http.ResponseWriter, r *http.Request, p *page, m store.Membership) {
	ctx := r.Context()
	asOf := isms.DateOf(a.now())
	// The check and the summary are computed once per change of the ISMS
	// (store.Derived), not on every page view.
	model, head, err := a.store.ISMSAt(ctx, p.Org)
	if err != nil {
		a.serverError(w, r, p, err)
		return
	}
	findings, err := a.store.FindingsFor(ctx, p.Org, head, model, asOf)
	if err != nil {
		a.serverError(w, r, p, err)
		return
	}
	var areas []areaView
	for _, area := range conformity.Areas {
		av := areaView{Area: area}
		for _, f := range findings {
			if f.Area != area {
				continue
			}
			if f.Severity == conformity.Error {
				av.Errors++
			} else {
				av.Warnings++
			}
			av.Findings = append(av.Findings, findingView{f, f.Message.In(p.Lang), link(p.Org, f)})
		}
		if len(av.Findings) > 0 {
			areas = append(areas, av)
		}
	}
	sum, err := a.store.SummaryFor(ctx, p.Org, head, model, asOf)
	if err != nil {
		a.serverError(w, r, p, err)
		return
	}
	approvals, err := a.store.Approvals(ctx, p.Org)
	if err != nil {
		a.serverError(w, r, p, err)
		return
	}
	var stale []store.Approval
	for _, ap := range approvals {
		if ap.Stale {
			stale = append(stale, ap)
		}
	}
	counts := conformity.Counts(findings)
	p.Title = p.T("ui.dashboard")
	p.Data = map[string]any{
		"AsOf": asOf.String(), "Areas": areas, "Errors": counts[conformity.Error], "Warnings": counts[conformity.Warning],
		"Coverage": coverageSVG(sum.SoA, p), "HeatBefore": heatSVG(sum.HeatMap, false, model.Criteria.Acceptance, p),
		"HeatAfter": heatSVG(sum.HeatMap, true, model.Criteria.Acceptance, p), "Due": sum.Due[:min(len(sum.Due), dashboardDue)], "DueMore": max(len(sum.Due)-dashboardDue, 0), "Stale": stale,
		"OrgName": model.Organization.Name,
	}
	a.render(w, http.StatusOK, "dashboard", p)
}
