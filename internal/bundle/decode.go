// Package bundle reads and writes the ISMS bundle format cloudisms/v1
// (spec/bundle.md): YAML or JSON in, canonical YAML out. Decoding is strict
// and reports every problem of a document at once, each with file, line and
// field path, so that a user fixes a document in one pass.
package bundle

import (
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/cloudisms/cloudisms/internal/catalog"
	"github.com/cloudisms/cloudisms/internal/i18n"
	"github.com/cloudisms/cloudisms/internal/isms"
)

// Decode reads a bundle. name is used in error messages and, by its ending
// (.json), to tell JSON from YAML. On any problem it returns nil and Errors.
func Decode(name string, src []byte) (*isms.ISMS, error) {
	root, err := parse(name, src)
	if err != nil {
		se := err.(*syntaxError)
		if se.tooDeep {
			return nil, Errors{{File: name, Line: se.line, Path: se.Path(), Msg: i18n.M("bundle.too_deep", "limit", strconv.Itoa(maxDepth))}}
		}
		key := "bundle.syntax"
		if se.msg == "empty" {
			key = "bundle.empty"
		}
		return nil, Errors{{File: name, Line: se.line, Msg: i18n.M(key, "detail", se.msg)}}
	}
	d := &decoder{file: name, cat: catalog.Std(), seen: map[string]map[string]int{}}
	m := d.top(root)
	d.resolve(m)
	if len(d.errs) > 0 {
		sort.SliceStable(d.errs, func(i, j int) bool { return d.errs[i].Line < d.errs[j].Line })
		return nil, d.errs
	}
	return m, nil
}

type decoder struct {
	file string
	cat  *catalog.Catalog
	errs Errors
	refs []ref
	seen map[string]map[string]int // list name → id → line, for duplicates and references
}

// ref is a reference to an id of another list, checked once all is read.
type ref struct {
	kind string // a list name (people, cloud_services, ...), or "control", "source", "provider"
	id   string
	line int
	path string
}

func (d *decoder) fail(n *node, path string, msg i18n.Message) {
	line := 0
	if n != nil {
		line = int(n.line)
	}
	d.errs = append(d.errs, Problem{File: d.file, Line: line, Path: path, Msg: msg})
}

func isNull(n *node) bool { return n == nil || (n.kind == scalarNode && n.tag == "null") }

// describe names what a node holds, for "expected X, found Y".
func describe(n *node) i18n.Message {
	switch {
	case n.kind == mapNode:
		return i18n.M("type.object")
	case n.kind == seqNode:
		return i18n.M("type.list")
	case n.tag == "int":
		return i18n.M("type.found_int", "value", n.value)
	case n.tag == "bool":
		return i18n.M("type.found_bool", "value", n.value)
	case n.tag == "null":
		return i18n.M("type.null")
	}
	return i18n.M("type.found_text", "value", n.value)
}

func (d *decoder) wrongType(n *node, path, expected string) {
	d.fail(n, path, i18n.M("bundle.type", "expected", i18n.M("type."+expected), "found", describe(n)))
}

// field is one key an object may hold.
type field struct {
	name     string
	required bool
	set      func(v *node, path string)
}

// object walks a mapping: every key must be one of fields, no key twice,
// every required field present and not null. A null value counts as absent.
func (d *decoder) object(n *node, path string, fields []field) bool {
	if n.kind != mapNode {
		d.wrongType(n, path, "object")
		return false
	}
	present := make([]bool, len(fields))
	for i := 0; i+1 < len(n.kids); i += 2 {
		k := n.kids[i]
		name := k.value
		kp := join(path, name)
		if k.kind != scalarNode {
			d.fail(k, path, i18n.M("bundle.bad_key"))
			continue
		}
		j := slices.IndexFunc(fields, func(f field) bool { return f.name == name })
		if j < 0 {
			d.fail(k, kp, i18n.M("bundle.unknown_key", "key", name, "allowed", fieldNames(fields)))
			continue
		}
		if present[j] {
			d.fail(k, kp, i18n.M("bundle.duplicate_key", "key", name))
			continue
		}
		present[j] = true
		v := n.kids[i+1]
		if isNull(v) {
			present[j] = false
			continue
		}
		fields[j].set(v, kp)
	}
	for j, f := range fields {
		if f.required && !present[j] {
			d.fail(n, join(path, f.name), i18n.M("bundle.required", "field", f.name))
		}
	}
	return true
}

func fieldNames(fs []field) string {
	names := make([]string, len(fs))
	for i, f := range fs {
		names[i] = f.name
	}
	return strings.Join(names, ", ")
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func index(path string, i int) string { return path + "[" + strconv.Itoa(i) + "]" }

// list walks a sequence, calling each for every item.
func (d *decoder) list(n *node, path string, each func(it *node, path string)) {
	if n.kind != seqNode {
		d.wrongType(n, path, "list")
		return
	}
	for i, it := range n.kids {
		ip := index(path, i)
		if isNull(it) {
			d.wrongType(it, ip, "object")
			continue
		}
		each(it, ip)
	}
}

// str reads text. Any YAML scalar is taken as written (version: 1.0 is the
// text "1.0"); a list or object is an error.
func (d *decoder) str(n *node, path string) string {
	if n.kind != scalarNode {
		d.wrongType(n, path, "text")
		return ""
	}
	return n.value
}

func (d *decoder) integer(n *node, path string) *int {
	if n.kind != scalarNode || n.tag != "int" {
		d.wrongType(n, path, "int")
		return nil
	}
	v, err := strconv.Atoi(strings.ReplaceAll(n.value, "_", ""))
	if err != nil {
		d.wrongType(n, path, "int")
		return nil
	}
	return &v
}

func (d *decoder) boolean(n *node, path string) *bool {
	if n.kind != scalarNode || n.tag != "bool" {
		d.wrongType(n, path, "bool")
		return nil
	}
	v := strings.EqualFold(n.value, "true")
	return &v
}

func (d *decoder) date(n *node, path string) isms.Date {
	if n.kind != scalarNode || (n.tag != "str" && n.tag != "timestamp") {
		d.wrongType(n, path, "date")
		return isms.Date{}
	}
	t, err := isms.ParseDate(n.value)
	if err != nil {
		d.fail(n, path, i18n.M("bundle.date", "value", n.value))
	}
	return t
}

func (d *decoder) enum(n *node, path string, allowed ...string) string {
	s := d.str(n, path)
	if n.kind == scalarNode && !slices.Contains(allowed, s) {
		d.fail(n, path, i18n.M("bundle.enum", "value", s, "allowed", strings.Join(allowed, ", ")))
		return ""
	}
	return s
}

var idPattern = regexp.MustCompile(`^[a-z0-9._-]{1,64}$`)

// id reads an item's own id and records it in its list for duplicate and
// reference checks.
func (d *decoder) id(n *node, path, list string) string {
	s := d.str(n, path)
	if n.kind != scalarNode {
		return ""
	}
	if !idPattern.MatchString(s) {
		d.fail(n, path, i18n.M("bundle.id_pattern", "value", s))
		return s
	}
	if d.seen[list] == nil {
		d.seen[list] = map[string]int{}
	}
	if first, dup := d.seen[list][s]; dup {
		d.fail(n, path, i18n.M("bundle.duplicate_id", "id", s, "list", list, "line", first))
		return s
	}
	d.seen[list][s] = int(n.line)
	return s
}

// refTo reads an id that must exist in another list.
func (d *decoder) refTo(n *node, path, kind string) string {
	s := d.str(n, path)
	if n.kind == scalarNode {
		d.refs = append(d.refs, ref{kind: kind, id: s, line: int(n.line), path: path})
	}
	return s
}

func (d *decoder) strs(n *node, path string, one func(*node, string) string) []string {
	if n.kind != seqNode {
		d.wrongType(n, path, "list")
		return nil
	}
	out := make([]string, 0, len(n.kids))
	for i, it := range n.kids {
		out = append(out, one(it, index(path, i)))
	}
	return out
}

func (d *decoder) refs_(kind string) func(*node, string) string {
	return func(n *node, p string) string { return d.refTo(n, p, kind) }
}

func (d *decoder) enums(allowed ...string) func(*node, string) string {
	return func(n *node, p string) string { return d.enum(n, p, allowed...) }
}

func (d *decoder) text(n *node, p string) string { return d.str(n, p) }

func (d *decoder) approval(n *node, path string) *isms.Approval {
	a := &isms.Approval{}
	d.object(n, path, []field{
		{"by", true, func(v *node, p string) { a.By = d.refTo(v, p, "people") }},
		{"date", true, func(v *node, p string) { a.Date = d.date(v, p) }},
	})
	return a
}

var sha256Pattern = regexp.MustCompile(`^[0-9a-f]{64}$`)

func (d *decoder) evidence(n *node, path string) []isms.Evidence {
	var out []isms.Evidence
	d.list(n, path, func(it *node, ip string) {
		var e isms.Evidence
		d.object(it, ip, []field{
			{"name", true, func(v *node, p string) { e.Name = d.str(v, p) }},
			{"sha256", true, func(v *node, p string) {
				e.SHA256 = d.str(v, p)
				if v.kind == scalarNode && !sha256Pattern.MatchString(e.SHA256) {
					d.fail(v, p, i18n.M("bundle.sha256", "value", e.SHA256))
				}
			}},
		})
		out = append(out, e)
	})
	return out
}
