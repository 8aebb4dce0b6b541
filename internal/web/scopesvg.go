package web

import (
	"fmt"
	"html/template"
	"strings"

	"github.com/cloudisms/cloudisms/internal/isms"
)

// supplyChainSVG draws the ICT supply chain: each cloud service a box (its
// role written in it, not only coloured), each "uses" an arrow from the
// service to the one it is built on, and each outside provider a box on
// the right with a dashed line to the services it provides. Services are
// placed in columns by how far down the chain they are, so that arrows
// run left to right.
func supplyChainSVG(m *isms.ISMS, p *page) template.HTML {
	if len(m.Services) == 0 {
		return ""
	}
	const boxW, boxH, gapX, gapY, pad = 230.0, 58.0, 90.0, 18.0, 20.0
	index := map[string]int{}
	for i, s := range m.Services {
		index[s.ID] = i
	}
	// A service's column is one more than the deepest service that uses
	// it; a cycle is cut after as many steps as there are services.
	col := make([]int, len(m.Services))
	for range m.Services {
		changed := false
		for i, s := range m.Services {
			for _, u := range s.Uses {
				if j, ok := index[u]; ok && j != i && col[j] < col[i]+1 && col[i]+1 < len(m.Services) {
					col[j] = col[i] + 1
					changed = true
				}
			}
		}
		if !changed {
			break
		}
	}
	cols := 0
	for _, c := range col {
		cols = max(cols, c+1)
	}
	rowOf := make([]int, len(m.Services))
	perCol := make([]int, cols)
	for i := range m.Services {
		rowOf[i] = perCol[col[i]]
		perCol[col[i]]++
	}
	// Outside providers, in the order their services come.
	var providers []string
	provRow := map[string]int{}
	supplierName := map[string]string{}
	for _, s := range m.Suppliers {
		supplierName[s.ID] = s.Name
	}
	for _, s := range m.Services {
		if s.Provider != isms.ProviderSelf && s.Provider != "" {
			if _, ok := provRow[s.Provider]; !ok {
				provRow[s.Provider] = len(providers)
				providers = append(providers, s.Provider)
			}
		}
	}
	rows := len(providers)
	for _, n := range perCol {
		rows = max(rows, n)
	}
	provX := pad + float64(cols)*(boxW+gapX)
	width := provX + boxW + pad
	if len(providers) == 0 {
		width = provX - gapX + pad
	}
	legendY := pad + float64(rows)*(boxH+gapY) + 10
	// The legend needs its own width where there are few columns.
	legendW := 2*pad + 4*40 + 2*66
	for _, k := range []string{"role.provider", "role.customer", "role.both", "views.svg.supplier", "views.svg.uses", "views.svg.provides"} {
		legendW += viewsTextWidth(p.T(k))
	}
	height := legendY + 40
	width = max(width, legendW)
	xy := func(i int) (float64, float64) {
		return pad + float64(col[i])*(boxW+gapX), pad + float64(rowOf[i])*(boxH+gapY)
	}
	var b, desc strings.Builder
	for _, s := range m.Services {
		for _, u := range s.Uses {
			desc.WriteString(p.T("views.svg.uses_sentence", "service", s.Name, "used", viewsServiceName(m, u)) + " ")
		}
		if s.Provider != isms.ProviderSelf {
			desc.WriteString(p.T("views.svg.provides_sentence", "provider", supplierName[s.Provider], "service", s.Name) + " ")
		}
	}
	fmt.Fprintf(&b, `<svg class="chart supply" role="img" viewBox="0 0 %.0f %.0f" width="%.0f" xmlns="http://www.w3.org/2000/svg" aria-labelledby="sc-t sc-d">`, width, height, width)
	fmt.Fprintf(&b, `<title id="sc-t">%s</title><desc id="sc-d">%s</desc>`, esc(p.T("views.svg.title")), esc(strings.TrimSpace(desc.String())))
	b.WriteString(`<defs><marker id="sc-arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" markerHeight="8" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" class="sc-head"/></marker></defs>`)
	// Edges first, so that boxes cover their ends.
	for i, s := range m.Services {
		x1, y1 := xy(i)
		for _, u := range s.Uses {
			j, ok := index[u]
			if !ok {
				continue
			}
			x2, y2 := xy(j)
			sx, sy, ex, ey := x1+boxW, y1+boxH/2, x2, y2+boxH/2
			if x2 <= x1 { // a cycle or a sideways use: loop around below
				sx, sy, ex, ey = x1+boxW/2, y1+boxH, x2+boxW/2, y2+boxH
				fmt.Fprintf(&b, `<path d="M%.1f,%.1f C%.1f,%.1f %.1f,%.1f %.1f,%.1f" class="sc-uses" marker-end="url(#sc-arrow)"><title>%s</title></path>`,
					sx, sy, sx, sy+gapY*2, ex, ey+gapY*2, ex, ey, esc(p.T("views.svg.uses_sentence", "service", s.Name, "used", viewsServiceName(m, u))))
				continue
			}
			mx := (sx + ex) / 2
			fmt.Fprintf(&b, `<path d="M%.1f,%.1f C%.1f,%.1f %.1f,%.1f %.1f,%.1f" class="sc-uses" marker-end="url(#sc-arrow)"><title>%s</title></path>`,
				sx, sy, mx, sy, mx, ey, ex, ey, esc(p.T("views.svg.uses_sentence", "service", s.Name, "used", viewsServiceName(m, u))))
		}
		if r, ok := provRow[s.Provider]; ok {
			py := pad + float64(r)*(boxH+gapY) + boxH/2
			fmt.Fprintf(&b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" class="sc-provides"><title>%s</title></line>`,
				provX, py, x1+boxW, y1+boxH/2+8, esc(p.T("views.svg.provides_sentence", "provider", supplierName[s.Provider], "service", s.Name)))
		}
	}
	for i, s := range m.Services {
		x, y := xy(i)
		class := "sc-svc r-" + s.Role
		if !s.InScope {
			class += " out"
		}
		role := p.T("role." + s.Role)
		if !s.InScope {
			role += " · " + p.T("views.out_of_scope")
		}
		fmt.Fprintf(&b, `<g class="%s" id="sc-%s"><title>%s</title><rect x="%.1f" y="%.1f" width="%.0f" height="%.0f" rx="6"/>`, class, esc(s.ID), esc(s.Name+" ("+s.ID+")"), x, y, boxW, boxH)
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" class="sc-name">%s</text>`, x+10, y+22, esc(viewsClip(s.Name, 17)))
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" class="sc-meta">%s</text></g>`, x+10, y+44, esc(viewsClip(role+" · "+strings.ToUpper(s.Model), 30)))
	}
	for r, id := range providers {
		y := pad + float64(r)*(boxH+gapY)
		name := supplierName[id]
		if name == "" {
			name = id
		}
		fmt.Fprintf(&b, `<g class="sc-sup"><title>%s</title><rect x="%.1f" y="%.1f" width="%.0f" height="%.0f" rx="2"/>`, esc(name+" ("+id+")"), provX, y, boxW, boxH)
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" class="sc-name">%s</text>`, provX+10, y+22, esc(viewsClip(name, 17)))
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" class="sc-meta">%s</text></g>`, provX+10, y+44, esc(p.T("views.svg.supplier")))
	}
	// Legend: the line styles and box styles in words.
	lx := pad
	for _, l := range []struct{ class, key string }{{"sc-key r-provider", "role.provider"}, {"sc-key r-customer", "role.customer"}, {"sc-key r-both", "role.both"}, {"sc-key sup", "views.svg.supplier"}} {
		label := p.T(l.key)
		fmt.Fprintf(&b, `<rect x="%.0f" y="%.0f" width="14" height="14" class="%s"/><text x="%.0f" y="%.0f" class="legend">%s</text>`, lx, legendY, l.class, lx+20, legendY+12, esc(label))
		lx += 40 + viewsTextWidth(label)
	}
	fmt.Fprintf(&b, `<line x1="%.0f" y1="%.0f" x2="%.0f" y2="%.0f" class="sc-uses" marker-end="url(#sc-arrow)"/><text x="%.0f" y="%.0f" class="legend">%s</text>`, lx, legendY+7, lx+40, legendY+7, lx+46, legendY+12, esc(p.T("views.svg.uses")))
	lx += 66 + viewsTextWidth(p.T("views.svg.uses"))
	fmt.Fprintf(&b, `<line x1="%.0f" y1="%.0f" x2="%.0f" y2="%.0f" class="sc-provides"/><text x="%.0f" y="%.0f" class="legend">%s</text>`, lx, legendY+7, lx+40, legendY+7, lx+46, legendY+12, esc(p.T("views.svg.provides")))
	b.WriteString(`</svg>`)
	return template.HTML(b.String()) // built from escaped parts only
}

// textWidth estimates the width of legend text at 12px: full-width
// characters take about a font size, others about half.
func viewsTextWidth(s string) float64 {
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

// nameOf is a service's name, or its id when it is not in the list.
func viewsServiceName(m *isms.ISMS, id string) string {
	for _, s := range m.Services {
		if s.ID == id {
			return s.Name
		}
	}
	return id
}

// clip shortens text to n characters for a box; the full text is in the
// box's title.
func viewsClip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
