// Package trends draws how an organization's ISMS changed over the past
// months, from its history: findings by area and severity, each SoA's
// implementation progress, the heat maps then and now, and how long
// corrective actions stay open. The dashboard shows the last 12 months.
package trends

import (
	"embed"
	"html/template"
	"net/http"
	"strconv"

	"github.com/cloudisms/cloudisms/internal/conformity"
	"github.com/cloudisms/cloudisms/internal/isms"
	"github.com/cloudisms/cloudisms/internal/store"
	"github.com/cloudisms/cloudisms/internal/trend"
	"github.com/cloudisms/cloudisms/internal/web/draw"
	"github.com/cloudisms/cloudisms/internal/web/site"
)

//go:embed templates/*.html
var templateFS embed.FS

type handlers struct{ *site.App }

func init() {
	site.AddTemplates(templateFS)
	site.AddNav(site.NavItem{Order: 14, Section: "trends", Path: "trends", Label: "trends.nav"})
	site.AddRoutes(func(app *site.App, m *http.ServeMux) {
		a := &handlers{app}
		m.HandleFunc("GET /orgs/{org}/trends", a.InOrg("trends", a.page))
	})
}

// DefaultMonths is how many months the page and the dashboard show.
const DefaultMonths = 12

// ageingChart draws open corrective actions by age.
func ageingChart(points []trend.Point, t draw.T) template.HTML {
	keys := []string{"trends.age_0", "trends.age_30", "trends.age_90", "trends.age_180"}
	classes := []string{"t-age0", "t-age1", "t-age2", "t-age3"}
	var series []draw.Series
	for b := range keys {
		v := make([]int, len(points))
		for i, p := range points {
			switch {
			case p.NoData:
				v[i] = -1
			case b < len(p.Ageing):
				v[i] = p.Ageing[b]
			}
		}
		series = append(series, draw.Series{Class: classes[b], Label: t(keys[b]), Values: v})
	}
	return draw.StackedBars("trend-ageing", t("trends.ageing"), t("trends.ageing_desc"), draw.Periods(points), series)
}

// areaRow is one area's findings per period.
type areaRow struct {
	Area   string
	Counts []string // "errors / warnings" per period, "" for none
}

// soaRow is one SoA's progress.
type soaRow struct {
	Name       string
	Spark      template.HTML
	Then, Now  int
	Applicable int
}

func (a *handlers) page(w http.ResponseWriter, r *http.Request, p *site.Page, m store.Membership) {
	months := DefaultMonths
	if s := r.URL.Query().Get("months"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 2 || n > store.MaxTrendMonths {
			p.Error = p.T("trends.months_range", "max", store.MaxTrendMonths)
		} else {
			months = n
		}
	}
	ctx := r.Context()
	asOf := isms.DateOf(a.Now().In(isms.JST))
	points, err := a.Store.Trends(ctx, p.Org, asOf, months)
	if err != nil {
		a.ServerError(w, r, p, err)
		return
	}
	model, err := a.Store.ISMS(ctx, p.Org)
	if err != nil {
		a.ServerError(w, r, p, err)
		return
	}
	pers := draw.Periods(points)
	var areas []areaRow
	for _, area := range conformity.Areas {
		row := areaRow{Area: p.T("area." + area)}
		any := false
		for _, pt := range points {
			e, wn := pt.Findings[area][conformity.Error], pt.Findings[area][conformity.Warning]
			cell := ""
			if e+wn > 0 && !pt.NoData {
				cell = strconv.Itoa(e) + " / " + strconv.Itoa(wn)
				any = true
			}
			row.Counts = append(row.Counts, cell)
		}
		if any {
			areas = append(areas, row)
		}
	}
	names := map[string]string{}
	for _, s := range model.Services {
		names[s.ID] = s.Name
	}
	var soas []soaRow
	last := points[len(points)-1]
	for _, s := range last.SoAs {
		row := soaRow{Name: p.T("summary.org_soa"), Now: s.Percent(), Applicable: s.Applicable}
		if s.Service != "" {
			name := names[s.Service]
			if name == "" {
				name = s.Service
			}
			row.Name = name + "（" + p.T("role."+s.Role) + "）"
		}
		var series []int
		for _, pt := range points {
			v := -1 // no data, or no such SoA then
			for _, x := range pt.SoAs {
				if x.Key() == s.Key() {
					v = x.Percent()
				}
			}
			series = append(series, v)
		}
		row.Then = -1
		for _, v := range series {
			if v >= 0 {
				row.Then = v
				break
			}
		}
		row.Spark = draw.Sparkline(p.T("trends.soa_spark", "name", row.Name), series)
		soas = append(soas, row)
	}
	// The heat maps then: the first point that had risks.
	then := points[len(points)-1]
	for _, pt := range points {
		if !pt.NoData && pt.Risks > 0 {
			then = pt
			break
		}
	}
	ageRows := make([][]int, len(points))
	overdue := make([]string, len(points))
	for i, pt := range points {
		ageRows[i], overdue[i] = pt.Ageing, strconv.Itoa(pt.Overdue)
		if pt.NoData {
			overdue[i] = "—"
		}
	}
	acc := model.Criteria.Acceptance
	p.Title = p.T("trends.title")
	p.Data = map[string]any{
		"AsOf": asOf.String(), "Months": months, "Choices": []int{6, 12, 24}, "Periods": pers, "Findings": draw.TrendFindings(points, p.T, "trend-findings"), "Areas": areas,
		"SoAs": soas, "ThenDate": then.Date.String(), "NowDate": last.Date.String(),
		"HasThen":        then.Date != last.Date,
		"HeatThenBefore": draw.HeatMapAs(then.HeatMap, false, acc, p.T, "heat-then-before", p.T("trends.heat_then", "date", then.Date.String(), "which", p.T("ui.heat_before"))),
		"HeatNowBefore":  draw.HeatMapAs(last.HeatMap, false, acc, p.T, "heat-now-before", p.T("trends.heat_now", "which", p.T("ui.heat_before"))),
		"HeatThenAfter":  draw.HeatMapAs(then.HeatMap, true, acc, p.T, "heat-then-after", p.T("trends.heat_then", "date", then.Date.String(), "which", p.T("ui.heat_after"))),
		"HeatNowAfter":   draw.HeatMapAs(last.HeatMap, true, acc, p.T, "heat-now-after", p.T("trends.heat_now", "which", p.T("ui.heat_after"))),
		"Ageing":         ageingChart(points, p.T), "Overdue": overdue,
	}
	a.Render(w, http.StatusOK, "trends", p)
}
