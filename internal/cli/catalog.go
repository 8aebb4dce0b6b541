package cli

import (
	"fmt"
	"strings"

	"github.com/cloudisms/cloudisms/internal/catalog"
	"github.com/cloudisms/cloudisms/internal/i18n"
)

func runCatalog(e *env, args []string) int {
	fs, lang := e.flags("catalog")
	framework := fs.String("framework", catalog.ISO27001v2022, strings.Join(catalog.Frameworks, "|"))
	format := fs.String("format", "text", "text|json")
	pos, ok := e.parse(fs, lang, args)
	if !ok || !e.oneOf("--format", *format, "text", "json") || !e.oneOf("--framework", *framework, catalog.Frameworks...) {
		return exitInvalid
	}
	if len(pos) > 0 {
		e.errorf("cli.no_args", "command", "catalog")
		return exitInvalid
	}
	cat := catalog.Std()
	if *framework == catalog.RiskSources {
		return e.catalogSources(cat, *format)
	}
	controls, _ := cat.Controls(*framework)
	if *format == "json" {
		writeJSON(e.stdout, controlsJSON(*framework, controls))
		return exitOK
	}
	var rows [][]string
	unconfirmed := false
	for _, c := range controls {
		title := c.TitleJA
		if e.lang == i18n.EN {
			title = c.TitleEN
		} else if c.TitleJA != "" && c.TitleJAStatus != catalog.TitleSourced {
			title += i18n.M("catalog.unconfirmed_mark").In(e.lang) // explained after the table
			unconfirmed = true
		}
		extra := ""
		switch *framework {
		case catalog.ISO27001v2022:
			extra = c.Theme + "\t" + strings.Join(c.Maps2013, " ")
		case catalog.ISO27001v2013:
			extra = strings.Join(c.Maps2022, " ")
		case catalog.ISO27017:
			extra = c.GuidanceFor + "\t" + c.Base2013
		}
		rows = append(rows, append([]string{c.ID, title}, strings.Split(extra, "\t")...))
	}
	writeTable(e.stdout, rows, false)
	if unconfirmed { // on stderr: stdout keeps one line per control for scripts
		fmt.Fprintln(e.stderr, i18n.M("catalog.unconfirmed_note", "mark", i18n.M("catalog.unconfirmed_mark").In(e.lang)).In(e.lang))
	}
	return exitOK
}

// controlsJSON shapes each framework's entries with exactly the fields the
// catalog command promises; lists are always arrays.
func controlsJSON(framework string, controls []*catalog.Control) any {
	list := func(s []string) []string {
		if s == nil {
			return []string{}
		}
		return s
	}
	switch framework {
	case catalog.ISO27001v2022:
		type row struct {
			ID       string   `json:"id"`
			TitleJA  string   `json:"title_ja"`
			TitleEN  string   `json:"title_en"`
			Theme    string   `json:"theme"`
			Maps2013 []string `json:"maps_2013"`
			Relation string   `json:"relation"`
		}
		out := make([]row, 0, len(controls))
		for _, c := range controls {
			out = append(out, row{c.ID, c.TitleJA, c.TitleEN, c.Theme, list(c.Maps2013), c.Relation})
		}
		return out
	case catalog.ISO27001v2013:
		type row struct {
			ID             string   `json:"id"`
			TitleJA        string   `json:"title_ja"`
			TitleEN        string   `json:"title_en"`
			Clause         string   `json:"clause"`
			ClauseTitle    string   `json:"clause_title"`
			Objective      string   `json:"objective"`
			ObjectiveTitle string   `json:"objective_title"`
			Maps2022       []string `json:"maps_2022"`
		}
		out := make([]row, 0, len(controls))
		for _, c := range controls {
			out = append(out, row{c.ID, c.TitleJA, c.TitleEN, c.Clause, c.ClauseTitle, c.Objective, c.ObjectiveTitle, list(c.Maps2022)})
		}
		return out
	default:
		type row struct {
			ID          string  `json:"id"`
			TitleJA     string  `json:"title_ja"`
			TitleEN     string  `json:"title_en"`
			Kind        string  `json:"kind"`
			GuidanceFor string  `json:"guidance_for"`
			Base2013    *string `json:"base_2013"`
			Objective   string  `json:"objective"`
		}
		out := make([]row, 0, len(controls))
		for _, c := range controls {
			r := row{ID: c.ID, TitleJA: c.TitleJA, TitleEN: c.TitleEN, Kind: c.Kind, GuidanceFor: c.GuidanceFor, Objective: c.Objective}
			if c.Base2013 != "" {
				b := c.Base2013
				r.Base2013 = &b
			}
			out = append(out, r)
		}
		return out
	}
}

func (e *env) catalogSources(cat *catalog.Catalog, format string) int {
	if format == "json" {
		type row struct {
			*catalog.RiskSource
			Controls2022 []string `json:"controls_2022"`
		}
		out := make([]row, 0, len(cat.Sources))
		for _, s := range cat.Sources {
			out = append(out, row{s, cat.To2022(s.Controls)})
		}
		writeJSON(e.stdout, out)
		return exitOK
	}
	var rows [][]string
	for _, s := range cat.Sources {
		title := s.TitleJA
		if e.lang == i18n.EN {
			title = s.TitleEN
		}
		req := ""
		if s.Required {
			req = i18n.M("catalog.required").In(e.lang)
		}
		rows = append(rows, []string{s.ID, req, title, strings.Join(s.Controls, " ")})
	}
	writeTable(e.stdout, rows, false)
	return exitOK
}
