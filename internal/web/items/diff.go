package items

import (
	"sort"
	"strconv"
	"strings"

	"github.com/cloudisms/cloudisms/internal/i18n"
	"github.com/cloudisms/cloudisms/internal/web/site"
)

// A readable diff of two versions of an item: every field flattened to a
// labelled line in the form's order, then compared line by line.

// flatLine is one field of an item shown as text.
type flatLine struct {
	Path, Label, Text string
}

// flatten lists an item's fields in the order of defs; keys the schema
// does not know come last, under their own names.
func flatten(p *site.Page, rl refLabels, defs []fieldDef, prefix, labelPrefix string, m obj) []flatLine {
	var out []flatLine
	known := map[string]bool{}
	for _, d := range defs {
		known[d.Name] = true
		v, ok := m[d.Name]
		if !ok {
			continue
		}
		path, label := prefix+d.Name, labelPrefix+p.T(d.LabelKey())
		switch d.Type {
		case fGroup:
			sub, _ := v.(obj)
			out = append(out, flatten(p, rl, d.Fields, path+".", label+" › ", sub)...)
		case fGroups:
			list, _ := v.([]any)
			for i, x := range list {
				row, _ := x.(obj)
				rp := path + "[" + strconv.Itoa(i) + "]"
				out = append(out, flatten(p, rl, d.Fields, rp+".", p.T("items.row", "label", label, "n", i+1)+" › ", row)...)
			}
		default:
			out = append(out, flatLine{Path: path, Label: label, Text: showValue(p, rl, d, v)})
		}
	}
	var extra []string
	for k := range m {
		if !known[k] {
			extra = append(extra, k)
		}
	}
	sort.Strings(extra)
	for _, k := range extra {
		out = append(out, flatLine{Path: prefix + k, Label: labelPrefix + k, Text: scalarText(m[k])})
	}
	return out
}

// showValue renders a field's value for reading: choices by their label,
// lists joined, approvals and files by what they say.
func showValue(p *site.Page, rl refLabels, d fieldDef, v any) string {
	switch d.Type {
	case fSelect:
		s := scalarText(v)
		return p.T(d.valueKey(s))
	case fEnums:
		var parts []string
		for _, s := range textList(v) {
			parts = append(parts, p.T(d.valueKey(s)))
		}
		return strings.Join(parts, ", ")
	case fRef:
		return rl.name(d.Ref, scalarText(v))
	case fRefs:
		ids := textList(v)
		for i, id := range ids {
			ids[i] = rl.name(d.Ref, id)
		}
		return strings.Join(ids, i18n.List(p.Lang))
	case fStrings:
		return strings.Join(textList(v), ", ")
	case fBool:
		if b, ok := v.(bool); ok {
			return p.T("items.bool." + strconv.FormatBool(b))
		}
	case fEvidence:
		var names []string
		list, _ := v.([]any)
		for _, x := range list {
			e, _ := x.(obj)
			names = append(names, scalarText(e["name"]))
		}
		return strings.Join(names, ", ")
	case fGroups:
		list, _ := v.([]any)
		return p.T("items.n_rows", "n", len(list))
	case fApproval:
		a, _ := v.(obj)
		s := p.T("items.approved_by", "by", rl.name("people", scalarText(a["by"])), "date", scalarText(a["date"]))
		if acc, ok := a["residual_accepted"].(bool); ok {
			s += " · " + p.T("ui.accept_residual") + ": " + p.T("items.bool."+strconv.FormatBool(acc))
		}
		return s
	}
	return scalarText(v)
}

// diffLine is one field in two versions.
type diffLine struct {
	Label, Before, After string
	Changed              bool
}

// diff compares two flattened versions; with all, unchanged fields are
// listed too (the conflict view shows both versions whole).
func diff(before, after []flatLine, all bool) []diffLine {
	b := map[string]flatLine{}
	for _, l := range before {
		b[l.Path] = l
	}
	seen := map[string]bool{}
	var out []diffLine
	for _, l := range after {
		seen[l.Path] = true
		old, had := b[l.Path]
		changed := !had || old.Text != l.Text
		if changed || all {
			out = append(out, diffLine{Label: l.Label, Before: old.Text, After: l.Text, Changed: changed})
		}
	}
	for _, l := range before {
		if !seen[l.Path] {
			out = append(out, diffLine{Label: l.Label, Before: l.Text, Changed: true})
		}
	}
	return out
}

// refLabels are the names of the items a form's references may point at,
// by kind and id, so that a list or a history shows 山田 太郎 where the
// item holds p-ceo.
type refLabels map[string]map[string]string

// labelsOf indexes reference options by kind and id.
func labelsOf(opts map[string][]option) refLabels {
	out := refLabels{}
	for kind, list := range opts {
		m := make(map[string]string, len(list))
		for _, o := range list {
			m[o.Value] = o.Label
		}
		out[kind] = m
	}
	return out
}

// name is the label of an item of a kind, else its id.
func (rl refLabels) name(kind, id string) string {
	if l := rl[kind][id]; l != "" {
		return l
	}
	return id
}
