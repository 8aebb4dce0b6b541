package cli

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/cloudisms/cloudisms/internal/i18n"
	"github.com/cloudisms/cloudisms/internal/isms"
)

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
	r := isms.NewSummary(m, asOf)
	if *format == "json" {
		writeJSON(e.stdout, r)
		return exitOK
	}
	printSummary(e.stdout, m, r, e.lang)
	return exitOK
}

func printSummary(w io.Writer, m *isms.ISMS, r isms.Summary, lang string) {
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

	fmt.Fprintf(w, "\n%s\n", t("summary.due", "days", isms.DueHorizon))
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
