package web

import (
	"fmt"
	"html/template"
	"strings"

	"github.com/cloudisms/cloudisms/internal/isms"
)

// esc escapes text for SVG (XML).
func esc(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;", "'", "&#39;").Replace(s)
}

// coverageSVG draws one stacked bar per SoA: implemented, partial,
// planned, not implemented, excluded, missing; each segment labelled with
// its count (never colour alone).
func coverageSVG(soas []isms.SoASummary, p *page) template.HTML {
	const barW, rowH, left = 420.0, 34.0, 190.0
	var b strings.Builder
	h := rowH*float64(len(soas)) + 40
	fmt.Fprintf(&b, `<svg class="chart" role="img" viewBox="0 0 %.0f %.0f" xmlns="http://www.w3.org/2000/svg" aria-labelledby="cov-t cov-d">`, left+barW+20, h)
	fmt.Fprintf(&b, `<title id="cov-t">%s</title><desc id="cov-d">%s</desc>`, esc(p.T("ui.coverage")), esc(p.T("ui.coverage_desc")))
	type seg struct {
		n     int
		class string
		label string
	}
	for i, s := range soas {
		y := 10 + float64(i)*rowH
		name := p.T("summary.org_soa")
		if s.Service != "" {
			name = s.Service + " / " + p.T("role."+s.Role)
		}
		fmt.Fprintf(&b, `<text x="0" y="%.0f" class="label">%s</text>`, y+17, esc(name))
		c := s.Counts
		segs := []seg{{c.Implemented, "s-impl", p.T("summary.col.implemented")}, {c.Partial, "s-part", p.T("summary.col.partial")},
			{c.Planned, "s-plan", p.T("summary.col.planned")}, {c.NotImplemented, "s-none", p.T("ui.not_implemented")},
			{c.Excluded, "s-excl", p.T("summary.col.excluded")}, {c.Missing, "s-miss", p.T("summary.col.missing")}}
		x := left
		for _, sg := range segs {
			if sg.n == 0 || c.Rows == 0 {
				continue
			}
			wd := barW * float64(sg.n) / float64(c.Rows)
			fmt.Fprintf(&b, `<rect x="%.1f" y="%.0f" width="%.1f" height="22" class="%s"><title>%s %d</title></rect>`, x, y, wd, sg.class, esc(sg.label), sg.n)
			if wd > 22 {
				fmt.Fprintf(&b, `<text x="%.1f" y="%.0f" class="count">%d</text>`, x+wd/2, y+16, sg.n)
			}
			x += wd
		}
	}
	legend := []struct{ class, key string }{{"s-impl", "summary.col.implemented"}, {"s-part", "summary.col.partial"}, {"s-plan", "summary.col.planned"},
		{"s-none", "ui.not_implemented"}, {"s-excl", "summary.col.excluded"}, {"s-miss", "summary.col.missing"}}
	for i, l := range legend {
		x := float64(i) * 100
		fmt.Fprintf(&b, `<rect x="%.0f" y="%.0f" width="12" height="12" class="%s"/><text x="%.0f" y="%.0f" class="legend">%s</text>`, x, h-18, l.class, x+16, h-8, esc(p.T(l.key)))
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String()) // built from escaped parts only
}

// heatSVG draws the heat map before or after treatment; each cell shows its
// count and level, and the cells above acceptance are hatched as well as
// coloured, for readers who cannot tell the colours apart.
func heatSVG(h isms.HeatMapSummary, after bool, acceptance int, p *page) template.HTML {
	grid := h.Before
	title := p.T("ui.heat_before")
	if after {
		grid, title = h.After, p.T("ui.heat_after")
	}
	rows := len(grid)
	if rows == 0 {
		return ""
	}
	cols := len(grid[0])
	cell := 56.0
	if cols > 6 {
		cell = 340 / float64(cols)
	}
	var b strings.Builder
	id := "heat-before"
	if after {
		id = "heat-after"
	}
	wd, ht := 60+cell*float64(cols), 30+cell*float64(rows)
	fmt.Fprintf(&b, `<svg class="chart heat" role="img" viewBox="0 0 %.0f %.0f" xmlns="http://www.w3.org/2000/svg" aria-labelledby="%s-t">`, wd, ht, id)
	fmt.Fprintf(&b, `<title id="%s-t">%s</title>`, id, esc(title))
	b.WriteString(`<defs><pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><line x1="0" y1="0" x2="0" y2="6" class="hatch"/></pattern></defs>`)
	for y := 0; y < rows; y++ {
		row := rows - 1 - y // the highest level on top
		for x := 0; x < cols; x++ {
			level := (row + 1) * (x + 1)
			class := "h-low"
			switch {
			case level > acceptance*2:
				class = "h-high"
			case level > acceptance:
				class = "h-mid"
			}
			px, py := 40+float64(x)*cell, 4+float64(y)*cell
			n := grid[row][x]
			fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" class="%s"><title>%s</title></rect>`, px, py, cell-2, cell-2, class,
				esc(p.T("ui.heat_cell", "row", row+1, "col", x+1, "n", n, "level", level)))
			if level > acceptance {
				fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="url(#hatch)"/>`, px, py, cell-2, cell-2)
			}
			if cell >= 30 {
				fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" class="n">%d</text><text x="%.1f" y="%.1f" class="lv">L%d</text>`, px+cell/2-1, py+cell/2+2, n, px+cell/2-1, py+cell-8, level)
			}
		}
		fmt.Fprintf(&b, `<text x="28" y="%.1f" class="axis">%d</text>`, 4+float64(y)*cell+cell/2+4, row+1)
	}
	for x := 0; x < cols; x++ {
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" class="axis">%d</text>`, 40+float64(x)*cell+cell/2-1, ht-10, x+1)
	}
	b.WriteString(`</svg>`)
	caption := esc(title) + "<br><small>" + esc(p.T("ui.heat_axes", "rows", p.T("factor."+h.RowFactor), "cols", p.T("factor."+h.ColFactor))) + "</small>"
	return template.HTML(`<figure class="heatmap">` + b.String() + `<figcaption>` + caption + `</figcaption></figure>`)
}
