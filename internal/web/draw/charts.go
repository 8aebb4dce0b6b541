// Package draw draws the server-side SVG of the web UI: heat maps, SoA
// coverage bars and the supply-chain diagram. It is pure: data and a
// translation function in, escaped SVG out, no I/O and no HTTP.
package draw

import (
	"fmt"
	"html/template"
	"strings"

	"github.com/cloudisms/cloudisms/internal/isms"
)

// T renders a message key in the page's language (site.Page.T).
type T func(key string, args ...any) string

// svgEscaper is built once: a Replacer builds its lookup tables on first
// use, which is most of the cost when one is made per call (a heat map
// escapes dozens of labels).
var svgEscaper = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;", "'", "&#39;")

// esc escapes text for SVG (XML). Most labels have nothing to escape and
// are returned as they are, without a copy.
func esc(s string) string {
	if !strings.ContainsAny(s, `&<>"'`) {
		return s
	}
	return svgEscaper.Replace(s)
}

// Coverage draws one stacked bar per SoA: implemented, partial,
// planned, not implemented, excluded, missing; each segment labelled with
// its count (never colour alone).
//
// name gives a service SoA's label (サンプル勤怠（プロバイダ）); the
// organization's is "summary.org_soa".
func Coverage(soas []isms.SoASummary, t T, name func(service, role string) string) template.HTML {
	const barW, rowH, left = 420.0, 34.0, 190.0
	var b strings.Builder
	width := left + barW + 20
	h := rowH*float64(len(soas)) + 40
	legendRows := coverageLegendRows(t, width)
	height := h + 18*float64(legendRows-1)
	fmt.Fprintf(&b, `<svg class="chart" role="img" viewBox="0 0 %.0f %.0f" xmlns="http://www.w3.org/2000/svg" aria-labelledby="cov-t cov-d">`, width, height)
	fmt.Fprintf(&b, `<title id="cov-t">%s</title><desc id="cov-d">%s</desc>`, esc(t("ui.coverage")), esc(t("ui.coverage_desc")))
	type seg struct {
		n     int
		class string
		label string
	}
	for i, s := range soas {
		y := 10 + float64(i)*rowH
		label := t("summary.org_soa")
		if s.Service != "" {
			label = name(s.Service, s.Role)
		}
		fmt.Fprintf(&b, `<text x="0" y="%.0f" class="label"><title>%s</title>%s</text>`, y+17, esc(label), esc(clipText(label, left-8)))
		c := s.Counts
		segs := []seg{{c.Implemented, "s-impl", t("summary.col.implemented")}, {c.Partial, "s-part", t("summary.col.partial")},
			{c.Planned, "s-plan", t("summary.col.planned")}, {c.NotImplemented, "s-none", t("ui.not_implemented")},
			{c.Excluded, "s-excl", t("summary.col.excluded")}, {c.Missing, "s-miss", t("summary.col.missing")}}
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
	// The legend's entries are placed by the width of their words (English
	// labels are longer than Japanese ones), wrapping to another line
	// rather than running into each other.
	legend := []struct{ class, key string }{{"s-impl", "summary.col.implemented"}, {"s-part", "summary.col.partial"}, {"s-plan", "summary.col.planned"},
		{"s-none", "ui.not_implemented"}, {"s-excl", "summary.col.excluded"}, {"s-miss", "summary.col.missing"}}
	x, y := 0.0, h-18
	for _, l := range legend {
		label := t(l.key)
		w := 16 + textWidth(label) + 16
		if x > 0 && x+w > width {
			x, y = 0, y+18
		}
		fmt.Fprintf(&b, `<rect x="%.0f" y="%.0f" width="12" height="12" class="%s"/><text x="%.0f" y="%.0f" class="legend">%s</text>`, x, y, l.class, x+16, y+10, esc(label))
		x += w
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String()) // built from escaped parts only
}

// HeatMap draws the heat map before or after treatment; each cell shows its
// count and level, and the cells above acceptance are hatched as well as
// coloured, for readers who cannot tell the colours apart.
func HeatMap(h isms.HeatMapSummary, after bool, acceptance int, t T) template.HTML {
	id, title := "heat-before", t("ui.heat_before")
	if after {
		id, title = "heat-after", t("ui.heat_after")
	}
	return HeatMapAs(h, after, acceptance, t, id, title)
}

// HeatMapAs is HeatMap with its own element id and title, for pages that
// show several (the trends' heat maps then and now).
func HeatMapAs(h isms.HeatMapSummary, after bool, acceptance int, t T, id, title string) template.HTML {
	grid := h.Before
	if after {
		grid = h.After
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
				esc(t("ui.heat_cell", "row", row+1, "col", x+1, "n", n, "level", level)))
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
	caption := esc(title) + "<br><small>" + esc(t("ui.heat_axes", "rows", t("factor."+h.RowFactor), "cols", t("factor."+h.ColFactor))) + "</small>"
	return template.HTML(`<figure class="heatmap">` + b.String() + `<figcaption>` + caption + `</figcaption></figure>`)
}

// coverageLegendRows is how many lines the coverage legend takes.
func coverageLegendRows(t T, width float64) int {
	rows, x := 1, 0.0
	for _, k := range []string{"summary.col.implemented", "summary.col.partial", "summary.col.planned", "ui.not_implemented", "summary.col.excluded", "summary.col.missing"} {
		w := 16 + textWidth(t(k)) + 16
		if x > 0 && x+w > width {
			rows, x = rows+1, 0
		}
		x += w
	}
	return rows
}

// textWidth estimates the width of 12px text: full-width characters take
// about a font size, others about half.
func textWidth(s string) float64 {
	w := 0.0
	for _, r := range s {
		if r > 0x2e80 {
			w += 12
		} else {
			w += 6.5
		}
	}
	return w
}

// clipText shortens 12px text to a width, ending it with "…".
func clipText(s string, w float64) string {
	if textWidth(s) <= w {
		return s
	}
	r := []rune(s)
	for len(r) > 1 && textWidth(string(r)+"…") > w {
		r = r[:len(r)-1]
	}
	return string(r) + "…"
}
