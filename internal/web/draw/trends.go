package draw

import (
	"fmt"
	"html/template"
	"strings"

	"github.com/cloudisms/cloudisms/internal/trend"
)

// Series is one stacked segment of a bar chart over time: a class for its
// colour, a legend label and one value per period (negative: no data for
// the period, drawn as a dash).
type Series struct {
	Class, Label string
	Values       []int
}

// StackedBars draws one stacked bar per period (a month), each segment
// labelled with its count when it is tall enough, the period under it and
// the bar's total above it, with a legend; every segment also has a
// tooltip, so nothing is told by colour alone.
func StackedBars(id, title, desc string, periods []string, series []Series) template.HTML {
	const chartH, barW, gap, left, top = 180.0, 34.0, 14.0, 36.0, 18.0
	n := len(periods)
	if n == 0 {
		return ""
	}
	totals := make([]int, n)
	nodata := make([]bool, n)
	peak := 1
	for i := range periods {
		for _, s := range series {
			if i < len(s.Values) && s.Values[i] > 0 {
				totals[i] += s.Values[i]
			}
			nodata[i] = nodata[i] || (i < len(s.Values) && s.Values[i] < 0)
		}
		peak = max(peak, totals[i])
	}
	width := left + float64(n)*(barW+gap) + 10
	height := top + chartH + 70
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart trend" role="img" viewBox="0 0 %.0f %.0f" xmlns="http://www.w3.org/2000/svg" aria-labelledby="%s-t %s-d">`, width, height, id, id)
	fmt.Fprintf(&b, `<title id="%s-t">%s</title><desc id="%s-d">%s</desc>`, id, esc(title), id, esc(desc))
	// The scale: 0 and the peak.
	fmt.Fprintf(&b, `<line x1="%.0f" y1="%.0f" x2="%.0f" y2="%.0f" class="grid"/>`, left-4, top+chartH, width-6, top+chartH)
	fmt.Fprintf(&b, `<text x="%.0f" y="%.0f" class="axis" text-anchor="end">%d</text>`, left-8, top+6, peak)
	fmt.Fprintf(&b, `<text x="%.0f" y="%.0f" class="axis" text-anchor="end">0</text>`, left-8, top+chartH)
	for i, period := range periods {
		x := left + float64(i)*(barW+gap)
		y := top + chartH
		for _, s := range series {
			if i >= len(s.Values) || s.Values[i] <= 0 {
				continue
			}
			h := chartH * float64(s.Values[i]) / float64(peak)
			y -= h
			fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.0f" height="%.1f" class="%s"><title>%s %s: %d</title></rect>`, x, y, barW, h, s.Class, esc(period), esc(s.Label), s.Values[i])
			if h >= 14 {
				fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" class="count">%d</text>`, x+barW/2, y+h/2+4, s.Values[i])
			}
		}
		if nodata[i] {
			fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" class="total nodata">—</text>`, x+barW/2, y-4)
		} else {
			fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" class="total">%d</text>`, x+barW/2, y-4, totals[i])
		}
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" class="axis period" transform="rotate(-45 %.1f %.1f)">%s</text>`, x+barW/2, top+chartH+16, x+barW/2, top+chartH+16, esc(period))
	}
	lx := left
	for _, s := range series {
		fmt.Fprintf(&b, `<rect x="%.0f" y="%.0f" width="12" height="12" class="%s"/><text x="%.0f" y="%.0f" class="legend">%s</text>`, lx, height-14, s.Class, lx+16, height-4, esc(s.Label))
		lx += 24 + 9*float64(len([]rune(s.Label)))*1.4
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String()) // built from escaped parts only
}

// Sparkline draws a series of percentages (0–100) as a small line with
// its last value, for one row of a table.
func Sparkline(title string, values []int) template.HTML {
	const w, h = 120.0, 24.0
	if len(values) == 0 {
		return ""
	}
	var pts []string
	step := w / float64(max(len(values)-1, 1))
	for i, v := range values {
		if v < 0 {
			continue // no data
		}
		v = min(v, 100)
		pts = append(pts, fmt.Sprintf("%.1f,%.1f", float64(i)*step, h-2-(h-4)*float64(v)/100))
	}
	last := values[len(values)-1]
	return template.HTML(fmt.Sprintf(`<svg class="spark" role="img" viewBox="0 0 %.0f %.0f" width="%.0f" height="%.0f" xmlns="http://www.w3.org/2000/svg"><title>%s</title><polyline points="%s" class="spark-line"/><circle cx="%.1f" cy="%s" r="2.5" class="spark-dot"/></svg>`,
		w, h, w, h, esc(title), strings.Join(pts, " "), w, strings.Split(pts[len(pts)-1], ",")[1]) + fmt.Sprintf(` <span class="spark-value">%d%%</span>`, last))
}

// Periods labels trend points: months as 2026-05, the last (today) as its
// date.
func Periods(points []trend.Point) []string {
	out := make([]string, len(points))
	for i, p := range points {
		out[i] = p.Date.String()[:7]
	}
	if len(out) > 0 {
		out[len(out)-1] = points[len(points)-1].Date.String()
	}
	return out
}

// TrendFindings draws the findings of each trend point by severity.
func TrendFindings(points []trend.Point, t T, id string) template.HTML {
	errs, warns := make([]int, len(points)), make([]int, len(points))
	for i, p := range points {
		errs[i], warns[i] = p.Errors, p.Warnings
		if p.NoData {
			errs[i], warns[i] = -1, -1
		}
	}
	return StackedBars(id, t("trends.findings"), t("trends.findings_desc"), Periods(points), []Series{
		{Class: "t-err", Label: t("severity.error"), Values: errs},
		{Class: "t-warn", Label: t("severity.warning"), Values: warns},
	})
}
