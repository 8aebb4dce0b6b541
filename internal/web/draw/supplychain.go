package draw

import (
	"fmt"
	"html/template"
	"strings"

	"github.com/cloudisms/cloudisms/internal/isms"
)

// SupplyChain draws the ICT supply chain: each cloud service a box (its
// role written in it, not only coloured), each "uses" an arrow from the
// service to the one it is built on, and each outside provider a box on
// the right with a dashed line to the services it provides. Services are
// placed in columns by how far down the chain they are, so that arrows
// run left to right.
func SupplyChain(m *isms.ISMS, t T) template.HTML {
	if len(m.Services) == 0 {
		return ""
	}
	const boxH, gapX, gapY, pad = 58.0, 90.0, 18.0, 20.0
	// Boxes are as wide as the longest name needs (names are 13px bold),
	// within bounds; a name longer still is shortened with its full text
	// in the box's title.
	boxW := 230.0
	for _, s := range m.Services {
		boxW = max(boxW, nameWidth(s.Name)+24)
	}
	for _, s := range m.Suppliers {
		boxW = max(boxW, nameWidth(s.Name)+24)
	}
	boxW = min(boxW, maxBoxW)
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
		legendW += textWidth(t(k))
	}
	height := legendY + 40
	width = max(width, legendW)
	xy := func(i int) (float64, float64) {
		return pad + float64(col[i])*(boxW+gapX), pad + float64(rowOf[i])*(boxH+gapY)
	}
	var b, desc strings.Builder
	for _, s := range m.Services {
		for _, u := range s.Uses {
			desc.WriteString(t("views.svg.uses_sentence", "service", s.Name, "used", serviceName(m, u)) + " ")
		}
		if s.Provider != isms.ProviderSelf {
			desc.WriteString(t("views.svg.provides_sentence", "provider", supplierName[s.Provider], "service", s.Name) + " ")
		}
	}
	fmt.Fprintf(&b, `<svg class="chart supply" role="img" viewBox="0 0 %.0f %.0f" width="%.0f" xmlns="http://www.w3.org/2000/svg" aria-labelledby="sc-t sc-d">`, width, height, width)
	fmt.Fprintf(&b, `<title id="sc-t">%s</title><desc id="sc-d">%s</desc>`, esc(t("views.svg.title")), esc(strings.TrimSpace(desc.String())))
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
					sx, sy, sx, sy+gapY*2, ex, ey+gapY*2, ex, ey, esc(t("views.svg.uses_sentence", "service", s.Name, "used", serviceName(m, u))))
				continue
			}
			mx := (sx + ex) / 2
			fmt.Fprintf(&b, `<path d="M%.1f,%.1f C%.1f,%.1f %.1f,%.1f %.1f,%.1f" class="sc-uses" marker-end="url(#sc-arrow)"><title>%s</title></path>`,
				sx, sy, mx, sy, mx, ey, ex, ey, esc(t("views.svg.uses_sentence", "service", s.Name, "used", serviceName(m, u))))
		}
		if r, ok := provRow[s.Provider]; ok {
			py := pad + float64(r)*(boxH+gapY) + boxH/2
			fmt.Fprintf(&b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" class="sc-provides"><title>%s</title></line>`,
				provX, py, x1+boxW, y1+boxH/2+8, esc(t("views.svg.provides_sentence", "provider", supplierName[s.Provider], "service", s.Name)))
		}
	}
	for i, s := range m.Services {
		x, y := xy(i)
		class := "sc-svc r-" + s.Role
		if !s.InScope {
			class += " out"
		}
		role := t("role." + s.Role)
		if !s.InScope {
			role += " · " + t("views.out_of_scope")
		}
		fmt.Fprintf(&b, `<g class="%s" id="sc-%s"><title>%s</title><rect x="%.1f" y="%.1f" width="%.0f" height="%.0f" rx="6"/>`, class, esc(s.ID), esc(s.Name+" ("+s.ID+")"), x, y, boxW, boxH)
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" class="sc-name">%s</text>`, x+10, y+22, esc(clipWidth(s.Name, boxW-20)))
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" class="sc-meta">%s</text></g>`, x+10, y+44, esc(clipWidth(role+" · "+strings.ToUpper(s.Model), boxW-20)))
	}
	for r, id := range providers {
		y := pad + float64(r)*(boxH+gapY)
		name := supplierName[id]
		if name == "" {
			name = id
		}
		fmt.Fprintf(&b, `<g class="sc-sup"><title>%s</title><rect x="%.1f" y="%.1f" width="%.0f" height="%.0f" rx="2"/>`, esc(name+" ("+id+")"), provX, y, boxW, boxH)
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" class="sc-name">%s</text>`, provX+10, y+22, esc(clipWidth(name, boxW-20)))
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" class="sc-meta">%s</text></g>`, provX+10, y+44, esc(t("views.svg.supplier")))
	}
	// Legend: the line styles and box styles in words.
	lx := pad
	for _, l := range []struct{ class, key string }{{"sc-key r-provider", "role.provider"}, {"sc-key r-customer", "role.customer"}, {"sc-key r-both", "role.both"}, {"sc-key sup", "views.svg.supplier"}} {
		label := t(l.key)
		fmt.Fprintf(&b, `<rect x="%.0f" y="%.0f" width="14" height="14" class="%s"/><text x="%.0f" y="%.0f" class="legend">%s</text>`, lx, legendY, l.class, lx+20, legendY+12, esc(label))
		lx += 40 + textWidth(label)
	}
	fmt.Fprintf(&b, `<line x1="%.0f" y1="%.0f" x2="%.0f" y2="%.0f" class="sc-uses" marker-end="url(#sc-arrow)"/><text x="%.0f" y="%.0f" class="legend">%s</text>`, lx, legendY+7, lx+40, legendY+7, lx+46, legendY+12, esc(t("views.svg.uses")))
	lx += 66 + textWidth(t("views.svg.uses"))
	fmt.Fprintf(&b, `<line x1="%.0f" y1="%.0f" x2="%.0f" y2="%.0f" class="sc-provides"/><text x="%.0f" y="%.0f" class="legend">%s</text>`, lx, legendY+7, lx+40, legendY+7, lx+46, legendY+12, esc(t("views.svg.provides")))
	b.WriteString(`</svg>`)
	return template.HTML(b.String()) // built from escaped parts only
}

// serviceName is a service's name, or its id when it is not in the list.
func serviceName(m *isms.ISMS, id string) string {
	for _, s := range m.Services {
		if s.ID == id {
			return s.Name
		}
	}
	return id
}

// maxBoxW bounds a service box: a diagram stays readable on a laptop.
const maxBoxW = 380.0

// nameWidth estimates the width of a name in 13px bold.
func nameWidth(s string) float64 { return textWidth(s) * 13 / 12 * 1.05 }

// clipWidth shortens a name to fit a width; the full text is in the box's
// title.
func clipWidth(s string, w float64) string {
	if nameWidth(s) <= w {
		return s
	}
	r := []rune(s)
	for len(r) > 1 && nameWidth(string(r)+"…") > w {
		r = r[:len(r)-1]
	}
	return string(r) + "…"
}
