package cli

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/cloudisms/cloudisms/internal/i18n"
	"github.com/cloudisms/cloudisms/internal/isms"
)

// summaryReport is the JSON of cloudisms summary: the computed views.
type summaryReport struct {
	AsOf    string         `json:"as_of"`
	SoA     []soaSummary   `json:"soa"`
	Risks   []riskSummary  `json:"risks"`
	HeatMap heatMapSummary `json:"heat_map"`
	Due     []dueSummary   `json:"due"`
}

type soaSummary struct {
	Service  string         `json:"service,omitempty"`
	Role     string         `json:"role,omitempty"`
	Exists   bool           `json:"exists"`
	Approved bool           `json:"approved"`
	Counts   isms.SoACounts `json:"counts"`
	Rows     []soaRowView   `json:"rows"`
}

type soaRowView struct {
	Control        string `json:"control"`
	TitleJA        string `json:"title_ja"`
	TitleEN        string `json:"title_en"`
	From           string `json:"from"`
	Applicable     *bool  `json:"applicable"`
	Implementation string `json:"implementation,omitempty"`
}

type riskSummary struct {
	ID                 string `json:"id"`
	Title              string `json:"title"`
	Owner              string `json:"owner,omitempty"`
	Treatment          string `json:"treatment"`
	Assessed           bool   `json:"assessed"`
	Level              int    `json:"level"`
	Residual           int    `json:"residual"`
	Acceptable         bool   `json:"acceptable"`
	ResidualAcceptable bool   `json:"residual_acceptable"`
}

type heatMapSummary struct {
	RowFactor  string  `json:"row_factor"`
	ColFactor  string  `json:"col_factor"`
	Before     [][]int `json:"before"`
	After      [][]int `json:"after"`
	Unassessed int     `json:"unassessed"`
}

type dueSummary struct {
	Kind    string `json:"kind"`
	Subject string `json:"subject"`
	Title   string `json:"title,omitempty"`
	Owner   string `json:"owner,omitempty"`
	Due     string `json:"due"`
	Overdue bool   `json:"overdue"`
}

// DueHorizon is how far ahead "what falls due" looks.
const DueHorizon = 30

func newSummary(m *isms.ISMS, asOf isms.Date) summaryReport {
	r := summaryReport{AsOf: asOf.String(), Risks: []riskSummary{}, Due: []dueSummary{}}
	for _, v := range isms.SoAViews(m) {
		s := soaSummary{Service: v.Service, Role: v.Role, Exists: v.SoA != nil, Counts: v.Counts, Rows: make([]soaRowView, 0, len(v.Rows))}
		s.Approved = v.SoA != nil && v.SoA.Approval != nil
		for _, er := range v.Rows {
			row := soaRowView{Control: er.Control.ID, TitleJA: er.Control.TitleJA, TitleEN: er.Control.TitleEN, From: er.From}
			if er.Row != nil {
				row.Applicable, row.Implementation = er.Row.Applicable, er.Row.Implementation
			}
			s.Rows = append(s.Rows, row)
		}
		r.SoA = append(r.SoA, s)
	}
	risks := isms.RiskViews(m)
	for _, rv := range risks {
		r.Risks = append(r.Risks, riskSummary{rv.Risk.ID, rv.Risk.Title, rv.Risk.Owner, rv.Risk.Treatment, rv.OK,
			rv.Level, rv.Residual, rv.Acceptable, rv.ResidualAcceptable})
	}
	h := isms.NewHeatMap(m, risks)
	r.HeatMap = heatMapSummary{h.RowFactor, h.ColFactor, h.Before, h.After, h.Unassessed}
	for _, d := range isms.DueWithin(m, asOf, DueHorizon) {
		r.Due = append(r.Due, dueSummary{d.Kind, d.Subject, d.Title, d.Owner, d.Due.String(), d.Overdue})
	}
	return r
}

func runSummary(e *env, args []string) int {
	fs, lang := e.flags("summary")
	sf := e.addStoreFlags(fs)
	org := fs.String("org", "", "ID")
	asOfFlag := fs.String("as-of", "", "YYYY-MM-DD")
	format := fs.String("format", "text", "text|json")
	pos, ok := e.parse(fs, lang, args)
	if !ok || !e.oneOf("--format", *format, "text", "json") {
		return exitInvalid
	}
	asOf, ok := e.asOf(*asOfFlag)
	if !ok {
		return exitInvalid
	}
	m, ok := e.loadFrom("summary", pos, *org, sf)
	if !ok {
		return exitInvalid
	}
	r := newSummary(m, asOf)
	if *format == "json" {
		writeJSON(e.stdout, r)
		return exitOK
	}
	printSummary(e.stdout, m, r, e.lang)
	return exitOK
}

func printSummary(w io.Writer, m *isms.ISMS, r summaryReport, lang string) {
	t := func(key string, args ...any) string { return i18n.M(key, args...).In(lang) }
	fmt.Fprintln(w, t("summary.header", "org", m.Organization.Name, "as_of", r.AsOf))

	fmt.Fprintf(w, "\n%s\n", t("summary.soa"))
	rows := [][]string{{t("summary.col.soa"), t("summary.col.applicable"), t("summary.col.implemented"),
		t("summary.col.partial"), t("summary.col.planned"), t("summary.col.excluded"), t("summary.col.missing")}}
	for _, s := range r.SoA {
		name := t("summary.org_soa")
		if s.Service != "" {
			name = s.Service + " / " + t("role."+s.Role)
		}
		if !s.Exists {
			name += " " + t("summary.not_written")
		}
		c := s.Counts
		rows = append(rows, []string{name, itoa(c.Applicable), itoa(c.Implemented), itoa(c.Partial), itoa(c.Planned), itoa(c.Excluded), itoa(c.Missing)})
	}
	writeTable(w, rows, true)

	above, unassessed := 0, 0
	for _, rk := range r.Risks {
		if !rk.Assessed {
			unassessed++
		} else if !rk.ResidualAcceptable {
			above++
		}
	}
	fmt.Fprintf(w, "\n%s\n", t("summary.risks", "n", len(r.Risks), "above", above, "unassessed", unassessed, "acceptance", m.Criteria.Acceptance))
	for _, rk := range r.Risks {
		if rk.Assessed && !rk.ResidualAcceptable {
			fmt.Fprintf(w, "  %s  %s  %s\n", rk.ID, t("summary.levels", "level", rk.Level, "residual", rk.Residual), rk.Title)
		}
	}
	printHeat(w, t("summary.heat_before", "rows", r.HeatMap.RowFactor, "cols", r.HeatMap.ColFactor), r.HeatMap.Before)
	printHeat(w, t("summary.heat_after", "rows", r.HeatMap.RowFactor, "cols", r.HeatMap.ColFactor), r.HeatMap.After)

	fmt.Fprintf(w, "\n%s\n", t("summary.due", "days", DueHorizon))
	if len(r.Due) == 0 {
		fmt.Fprintln(w, "  "+t("summary.nothing_due"))
	}
	for _, d := range r.Due {
		mark := ""
		if d.Overdue {
			mark = t("summary.overdue")
		}
		fmt.Fprintf(w, "  %s  %s  %s  %s %s\n", d.Due, t("due."+d.Kind), d.Subject, d.Title, mark)
	}
}

// printHeat draws a grid with the highest row on top, as heat maps read.
func printHeat(w io.Writer, title string, g [][]int) {
	fmt.Fprintf(w, "\n%s\n", title)
	for y := len(g) - 1; y >= 0; y-- {
		fmt.Fprintf(w, "  %2d |", y+1)
		for _, n := range g[y] {
			fmt.Fprintf(w, " %4d", n)
		}
		fmt.Fprintln(w)
	}
	if len(g) > 0 {
		fmt.Fprintf(w, "     +%s\n      ", strings.Repeat("-----", len(g[0])))
		for x := range g[0] {
			fmt.Fprintf(w, " %4d", x+1)
		}
		fmt.Fprintln(w)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }
