package oscal

import (
	"regexp"
	"strings"

	"github.com/cloudisms/cloudisms/internal/i18n"
	"github.com/cloudisms/cloudisms/internal/store"
)

// insertParam finds a parameter insert in catalog prose.
var insertParam = regexp.MustCompile(`\{\{\s*insert:\s*param,\s*([^\s}]+)\s*\}\}`)

// Segment is a piece of a rendered statement: text, or the value of a
// parameter (Param names it), which is the organization's own when Set.
type Segment struct {
	Text  string
	Param string
	Set   bool
}

// RenderProse renders catalog prose with its parameter inserts replaced:
// by the organization's value when it gave one, otherwise by what the
// catalog asks for ([Assignment: ...], [Selection: ...]) in the language.
func RenderProse(prose string, ctl store.FrameworkControl, values map[string]string, lang string) []Segment {
	params := map[string]store.FrameworkParam{}
	for _, p := range ctl.Params {
		params[p.ID] = p
	}
	return renderProse(prose, params, values, lang, 0)
}

// RenderText is RenderProse as plain text.
func RenderText(prose string, ctl store.FrameworkControl, values map[string]string, lang string) string {
	var b strings.Builder
	for _, s := range RenderProse(prose, ctl, values, lang) {
		b.WriteString(s.Text)
	}
	return b.String()
}

func renderProse(prose string, params map[string]store.FrameworkParam, values map[string]string, lang string, depth int) []Segment {
	var out []Segment
	last := 0
	for _, m := range insertParam.FindAllStringSubmatchIndex(prose, -1) {
		if m[0] > last {
			out = append(out, Segment{Text: prose[last:m[0]]})
		}
		id := prose[m[2]:m[3]]
		if v := strings.TrimSpace(values[id]); v != "" {
			out = append(out, Segment{Text: v, Param: id, Set: true})
		} else {
			out = append(out, Segment{Text: placeholder(params[id], id, params, values, lang, depth), Param: id})
		}
		last = m[1]
	}
	if last < len(prose) {
		out = append(out, Segment{Text: prose[last:]})
	}
	return out
}

// placeholder says what a parameter without the organization's value asks
// for: the values a baseline sets, a selection among its choices, or an
// assignment of what its label names (with a baseline's constraint).
func placeholder(p store.FrameworkParam, id string, params map[string]store.FrameworkParam, values map[string]string, lang string, depth int) string {
	if len(p.Values) > 0 {
		return strings.Join(p.Values, ", ")
	}
	if len(p.Choice) > 0 {
		var cs []string
		for _, c := range p.Choice {
			if depth < 4 {
				var b strings.Builder
				for _, s := range renderProse(c, params, values, lang, depth+1) {
					b.WriteString(s.Text)
				}
				c = b.String()
			}
			cs = append(cs, c)
		}
		key := "frameworks.param.select_one"
		if p.HowMany == "one-or-more" {
			key = "frameworks.param.select_many"
		}
		return i18n.M(key, "choices", strings.Join(cs, "; ")).In(lang)
	}
	what := p.Label
	if what == "" {
		what = id
	}
	if p.Constraint != "" {
		return i18n.M("frameworks.param.assign_constrained", "what", what, "constraint", p.Constraint).In(lang)
	}
	return i18n.M("frameworks.param.assign", "what", what).In(lang)
}

// ParamText is what a parameter asks for, for a form label: its label or
// guideline and, for a selection, its choices.
func ParamText(ctl store.FrameworkControl, p store.FrameworkParam, lang string) string {
	params := map[string]store.FrameworkParam{}
	for _, x := range ctl.Params {
		params[x.ID] = x
	}
	return placeholder(p, p.ID, params, nil, lang, 0)
}
