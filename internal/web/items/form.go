package items

import (
	"context"
	"encoding/json"
	"errors"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/cloudisms/cloudisms/internal/bundle"
	"github.com/cloudisms/cloudisms/internal/catalog"
	"github.com/cloudisms/cloudisms/internal/i18n"
	"github.com/cloudisms/cloudisms/internal/isms"
	"github.com/cloudisms/cloudisms/internal/store"
	"github.com/cloudisms/cloudisms/internal/web/site"
)

// formField is one field of an item form as the template renders it.
type formField struct {
	P         *site.Page
	Def       fieldDef
	Name      string // input name: the field's path in the item
	ID        string // HTML id
	Label     string
	Value     string
	Values    []string // fEnums, fRefs: the chosen values
	Options   []option
	Errors    []string
	Sub       []*formField // fGroup
	Rows      []formRow    // fGroups
	Evidence  []evidenceLink
	Approval  *approvalView
	Scale     string // the scale a level is chosen from (likelihood, asset_value); "" when none
	ReadOnly  bool   // the id of a stored item
	Disabled  bool   // the member may not write
	Autofocus bool   // the first field of a row just added
}

// formRow is one row of a group list.
type formRow struct {
	Name   string // the row's path, plan[0]
	ID     string
	Label  string
	Fields []*formField
}

type option struct {
	Value, Label string
	Selected     bool
}

type evidenceLink struct{ Name, SHA256, URL string }

type approvalView struct {
	By, Date, Accepted string
	Stale              bool
}

// IsChecked reports whether a checkbox value is chosen.
func (f *formField) IsChecked(v string) bool {
	for _, x := range f.Values {
		if x == v {
			return true
		}
	}
	return false
}

// EvidenceJSON keeps attached files through a form round trip.
func (f *formField) EvidenceJSON() string {
	if len(f.Evidence) == 0 {
		return ""
	}
	list := make([]map[string]string, len(f.Evidence))
	for i, e := range f.Evidence {
		list[i] = map[string]string{"name": e.Name, "sha256": e.SHA256}
	}
	b, _ := json.Marshal(list)
	return string(b)
}

// ErrID is the id of the field's error text, for aria-describedby.
func (f *formField) ErrID() string { return f.ID + "-err" }

// formBuilder turns an item's values into form fields.
type formBuilder struct {
	p        *site.Page
	options  map[string][]option // existing items of a referenced kind
	disabled bool
	stored   bool   // the item exists: its id cannot change
	focus    string // the row whose first field takes the focus
	index    map[string]*formField
	rows     map[string]string // row path → label
	kind     string
	criteria *isms.RiskCriteria // scales of the values a form chooses from (nil: none)
}

func (b *formBuilder) build(defs []fieldDef, prefix string, m obj) []*formField {
	var out []*formField
	for _, d := range defs {
		name := prefix + d.Name
		f := &formField{P: b.p, Def: d, Name: name, ID: HTMLID(name), Label: b.p.T(d.LabelKey()), Disabled: b.disabled}
		v := m[d.Name]
		switch d.Type {
		case fSelect:
			f.Value = scalarText(v)
			for _, x := range d.Values {
				f.Options = append(f.Options, option{Value: x, Label: b.p.T(d.valueKey(x)), Selected: x == f.Value})
			}
			if f.Value != "" && !hasOption(f.Options, f.Value) {
				f.Options = append(f.Options, option{Value: f.Value, Label: f.Value, Selected: true})
			}
		case fRef:
			f.Value = scalarText(v)
			f.Options = markSelected(b.options[d.Ref], f.Value)
		case fRefs:
			f.Values = textList(v)
			f.Options = withSelected(b.options[d.Ref], f.Values)
		case fEnums:
			f.Values = textList(v)
			for _, x := range d.Values {
				f.Options = append(f.Options, option{Value: x, Label: b.p.T(d.valueKey(x))})
			}
			f.Options = withSelected(f.Options, f.Values)
		case fStrings:
			f.Value = strings.Join(textList(v), "\n")
		case fGroup:
			sub, _ := v.(obj)
			f.Sub = b.build(d.Fields, name+".", sub)
		case fGroups:
			list, _ := v.([]any)
			for i, x := range list {
				row, _ := x.(obj)
				rn := name + "[" + strconv.Itoa(i) + "]"
				fr := formRow{Name: rn, ID: HTMLID(rn), Label: b.p.T("items.row", "label", f.Label, "n", i+1)}
				fr.Fields = b.build(d.Fields, rn+".", row)
				if b.rows != nil {
					b.rows[rn] = fr.Label
				}
				if rn == b.focus && len(fr.Fields) > 0 {
					fr.Fields[0].Autofocus = true
				}
				f.Rows = append(f.Rows, fr)
			}
		case fEvidence:
			list, _ := v.([]any)
			for _, x := range list {
				e, _ := x.(obj)
				name, sum := scalarText(e["name"]), scalarText(e["sha256"])
				f.Evidence = append(f.Evidence, evidenceLink{Name: name, SHA256: sum,
					URL: "/api/v1/orgs/" + url.PathEscape(b.p.Org) + "/evidence/" + url.PathEscape(sum) + "?name=" + url.QueryEscape(name)})
			}
		case fApproval:
			if a, ok := v.(obj); ok {
				f.Approval = &approvalView{By: labelsOf(b.options).name("people", scalarText(a["by"])), Date: scalarText(a["date"])}
				if acc, ok := a["residual_accepted"].(bool); ok {
					f.Approval.Accepted = b.p.T("items.bool." + strconv.FormatBool(acc))
				}
			}
		case fInt, fFactor:
			f.Value = scalarText(v)
			b.scale(f, name)
		default:
			f.Value = scalarText(v)
		}
		if (d.Name == "id" || d.Fixed) && b.stored {
			f.ReadOnly = true
		}
		b.index[name] = f
		out = append(out, f)
	}
	return out
}

// scale makes a value on one of the criteria's scales a choice of its
// levels, each with its label; a stored value outside the scale stays
// visible, marked, so that it can be corrected. A factor that the method
// does not multiply may stay text (a threat described in words).
func (b *formBuilder) scale(f *formField, name string) {
	if b.criteria == nil {
		return
	}
	scale := bundle.ScaleOf(b.kind, rowless(name))
	max := bundle.ScaleMax(b.kind, scale, *b.criteria)
	if scale == "" || max == 0 || f.Def.Type == fFactor && !slices.Contains(b.criteria.Factors(), scale) {
		return
	}
	f.Scale = scale
	labels := map[int]string{}
	for _, l := range b.criteria.Scales[scale] {
		labels[l.Level] = l.Label
	}
	for n := 1; n <= max; n++ {
		label := strconv.Itoa(n)
		if l := labels[n]; l != "" {
			label += " " + l
		}
		f.Options = append(f.Options, option{Value: strconv.Itoa(n), Label: label, Selected: f.Value == strconv.Itoa(n)})
	}
	if f.Value != "" && !hasOption(f.Options, f.Value) {
		f.Options = append(f.Options, option{Value: f.Value, Label: b.p.T("web.scale.outside", "value", f.Value), Selected: true})
	}
}

// rowless is a field path without row indexes (plan[0].due → plan.due).
func rowless(name string) string {
	for {
		i := strings.IndexByte(name, '[')
		if i < 0 {
			return name
		}
		j := strings.IndexByte(name[i:], ']')
		if j < 0 {
			return name
		}
		name = name[:i] + name[i+j+1:]
	}
}

func hasOption(opts []option, v string) bool {
	for _, o := range opts {
		if o.Value == v {
			return true
		}
	}
	return false
}

// withSelected lists the chosen values first, in their stored order (so a
// save keeps the item's order), then the other options; a chosen value
// that is not an option (a dangling id) is kept and shown as it is.
func withSelected(opts []option, chosen []string) []option {
	out := make([]option, 0, len(opts)+len(chosen))
	picked := map[string]bool{}
	for _, c := range chosen {
		if c == "" || picked[c] {
			continue
		}
		picked[c] = true
		o := option{Value: c, Label: c, Selected: true}
		for _, x := range opts {
			if x.Value == c {
				o.Label = x.Label
			}
		}
		out = append(out, o)
	}
	for _, x := range opts {
		if !picked[x.Value] {
			out = append(out, x)
		}
	}
	return out
}

// markSelected copies a select's options in their order, marking the
// chosen one (kept even when it is not an option).
func markSelected(opts []option, v string) []option {
	out := make([]option, len(opts), len(opts)+1)
	copy(out, opts)
	for i := range out {
		if out[i].Value == v {
			out[i].Selected = true
			return out
		}
	}
	if v != "" {
		out = append(out, option{Value: v, Label: v, Selected: true})
	}
	return out
}

// refKinds lists the kinds whose items the fields of defs refer to.
func refKinds(defs []fieldDef, into map[string]bool) {
	for _, d := range defs {
		if d.Ref != "" {
			into[d.Ref] = true
		}
		if d.Type == fApproval {
			into["people"] = true // the approver, by name
		}
		refKinds(d.Fields, into)
	}
}

// refOptions loads the choices of every reference in a form.
func (a *handlers) refOptions(ctx context.Context, p *site.Page, def *kindDef) (map[string][]option, error) {
	kinds := map[string]bool{}
	refKinds(def.Fields, kinds)
	out := map[string][]option{}
	load := func(kind string) ([]option, error) {
		pg, err := a.Store.List(ctx, p.Org, kind, store.ListOptions{Limit: store.MaxPage, Sort: "key"})
		if err != nil {
			return nil, err
		}
		opts := make([]option, 0, len(pg.Items))
		for _, it := range pg.Items {
			label := it.Label // a name where people read; the id is the value
			if label == "" {
				label = it.Key
			}
			opts = append(opts, option{Value: it.Key, Label: label})
		}
		return opts, nil
	}
	for k := range kinds {
		var err error
		switch k {
		case "provider":
			sup, lerr := load("suppliers")
			out[k], err = append([]option{{Value: "self", Label: p.T("items.self")}}, sup...), lerr
		case "source":
			own, lerr := load("risk_sources")
			var lib []option
			for _, s := range catalog.Std().Sources {
				title := s.TitleJA
				if p.Lang == i18n.EN {
					title = s.TitleEN
				}
				lib = append(lib, option{Value: s.ID, Label: s.ID + " " + title})
			}
			out[k], err = append(lib, own...), lerr
		default:
			out[k], err = load(k)
		}
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// fieldError is a validation message and the field it belongs to.
type fieldError struct {
	Msg string
	ID  string // the field's HTML id, "" when it maps to no field
}

// placeErrors puts each problem beside its field: the problem's path
// without the kind, else the nearest enclosing field; problems that fit no
// field are returned for the summary only (ID "").
func placeErrors(kind string, probs []Problem, index map[string]*formField) []fieldError {
	var out []fieldError
	for _, pr := range probs {
		path := strings.TrimPrefix(strings.TrimPrefix(pr.Path, kind), ".")
		f := nearestField(path, index)
		fe := fieldError{Msg: pr.Msg}
		if f != nil {
			if pr.Message != nil && f.P != nil {
				fe.Msg = inFormWords(*pr.Message, f)
			}
			f.Errors = append(f.Errors, fe.Msg)
			fe.ID = f.ID
		}
		out = append(out, fe)
	}
	return out
}

// inFormWords says a decoder's message about a field in the form's words:
// the catalog's "web."+key version of it, given the field's label (and
// the row it is in), where there is one.
func inFormWords(m i18n.Message, f *formField) string {
	key := "web." + m.Key
	if !i18n.Has(f.P.Lang, key) {
		return m.In(f.P.Lang)
	}
	return i18n.Message{Key: key, Args: append(append([]i18n.Arg{}, m.Args...), i18n.Arg{Name: "label", Value: f.Label})}.In(f.P.Lang)
}

func nearestField(path string, index map[string]*formField) *formField {
	return index[enclosingPath(path, func(p string) bool { return index[p] != nil })]
}

// enclosingPath is path itself or the nearest path enclosing it
// (a.b[2].c, a.b[2], a.b, a) for which is holds; "" when none does.
func enclosingPath(path string, is func(string) bool) string {
	for path != "" {
		if is(path) {
			return path
		}
		if strings.HasSuffix(path, "]") {
			path = path[:strings.LastIndexByte(path, '[')]
			continue
		}
		i := strings.LastIndexByte(path, '.')
		if i < 0 {
			return ""
		}
		path = path[:i]
	}
	return ""
}

// Problem is one validation message at a path of the item. Message, when
// set, is the decoder's message, which the form says again in its own
// words: the field's label instead of its bundle key.
type Problem struct {
	Path, Msg string
	Message   *i18n.Message
}

func problemsOfErrors(errs bundle.Errors, lang string) []Problem {
	probs, _ := ProblemsOf(errs, lang)
	return probs
}

// ProblemsOf turns a decoder or store error into messages by path.
func ProblemsOf(err error, lang string) ([]Problem, bool) {
	var errs bundle.Errors
	if errors.As(err, &errs) {
		out := make([]Problem, len(errs))
		for i, e := range errs {
			m := e.Msg
			out[i] = Problem{Path: e.Path, Msg: e.Msg.In(lang), Message: &m}
		}
		return out, true
	}
	return nil, false
}

// evidenceTargets lists where files can be attached in an item: "" for
// the item itself, else the path of a row or group that has evidence
// (tests[0], findings[1].corrective_action), each with a readable label.
func evidenceTargets(p *site.Page, def *kindDef, data obj) []option {
	b := &formBuilder{p: p, options: map[string][]option{}, index: map[string]*formField{}, rows: map[string]string{}}
	var out []option
	var walk func(fields []*formField)
	walk = func(fields []*formField) {
		for _, f := range fields {
			switch f.Def.Type {
			case fEvidence:
				at := strings.TrimSuffix(strings.TrimSuffix(f.Name, "evidence"), ".")
				out = append(out, option{Value: at, Label: b.targetLabel(at)})
			case fGroup:
				walk(f.Sub)
			case fGroups:
				for _, r := range f.Rows {
					walk(r.Fields)
				}
			}
		}
	}
	walk(b.build(def.Fields, "", data))
	return out
}

// targetLabel names a place in an item by its rows and groups.
func (b *formBuilder) targetLabel(at string) string {
	if at == "" {
		return b.p.T("items.upload_item")
	}
	var parts []string
	prefix := ""
	for _, seg := range strings.Split(at, ".") {
		prefix = strings.TrimPrefix(prefix+"."+seg, ".")
		if l, ok := b.rows[prefix]; ok {
			parts = append(parts, l)
		} else if f := b.index[prefix]; f != nil && f.Def.Type == fGroup {
			parts = append(parts, f.Label)
		}
	}
	return strings.Join(parts, " › ")
}

// descendTo finds (creating missing groups) the object at a target path.
func descendTo(m obj, at string) (obj, bool) {
	cur := m
	if at == "" {
		return cur, true
	}
	for _, part := range strings.Split(at, ".") {
		s := rowStep.FindStringSubmatch(part)
		if s == nil {
			return nil, false
		}
		next := cur[s[1]]
		if s[2] != "" {
			list, _ := next.([]any)
			i, _ := strconv.Atoi(s[2])
			if i >= len(list) {
				return nil, false
			}
			next = list[i]
		} else if next == nil {
			next = obj{}
			cur[s[1]] = next
		}
		o, ok := next.(obj)
		if !ok {
			return nil, false
		}
		cur = o
	}
	return cur, true
}
