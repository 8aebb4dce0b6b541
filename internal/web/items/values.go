package items

import (
	"bytes"
	"encoding/json"
	"net/url"
	"regexp"
	"strconv"
	"strings"
)

// An item's form values are its bundle data: a JSON object read from the
// store or built from a submitted form. Input names are the field paths
// the bundle decoder reports errors at (plan[0].due), so an error finds
// its field by name.

// obj is an item, or a nested object of one, as decoded JSON.
type obj = map[string]any

// decodeObj reads item JSON keeping numbers as written.
func decodeObj(data []byte) obj {
	d := json.NewDecoder(bytes.NewReader(data))
	d.UseNumber()
	var m obj
	if err := d.Decode(&m); err != nil || m == nil {
		return obj{}
	}
	return m
}

// rowsSuffix names the hidden input that says how many rows a group list
// has, so that a row left empty survives "add row" and rendering.
const rowsSuffix = "#rows"

// parseForm reads the fields of defs under prefix from a submitted form.
// Values that are not what the field wants are kept as text so that the
// decoder reports them beside the field and the user sees what they typed.
func parseForm(defs []fieldDef, prefix string, form url.Values) obj {
	m := obj{}
	for _, f := range defs {
		name := prefix + f.Name
		v := strings.TrimSpace(form.Get(name))
		switch f.Type {
		case fText, fSelect, fRef, fDate:
			if v != "" {
				m[f.Name] = v
			}
		case fTextarea:
			if v != "" {
				m[f.Name] = strings.ReplaceAll(v, "\r\n", "\n")
			}
		case fInt, fFactor:
			if v == "" {
				continue
			}
			if _, err := strconv.ParseInt(v, 10, 64); err == nil {
				m[f.Name] = json.Number(v)
			} else {
				m[f.Name] = v
			}
		case fBool:
			switch v {
			case "true":
				m[f.Name] = true
			case "false":
				m[f.Name] = false
			}
		case fEnums, fRefs:
			var list []any
			for _, x := range form[name] {
				if x = strings.TrimSpace(x); x != "" {
					list = append(list, x)
				}
			}
			if len(list) > 0 {
				m[f.Name] = list
			}
		case fStrings:
			var list []any
			for _, line := range strings.Split(strings.ReplaceAll(v, "\r\n", "\n"), "\n") {
				if line = strings.TrimSpace(line); line != "" {
					list = append(list, line)
				}
			}
			if len(list) > 0 {
				m[f.Name] = list
			}
		case fEvidence:
			var list []any
			if v != "" && json.Unmarshal([]byte(v), &list) == nil && len(list) > 0 {
				m[f.Name] = list
			}
		case fGroup:
			m[f.Name] = parseForm(f.Fields, name+".", form)
		case fGroups:
			n, _ := strconv.Atoi(form.Get(name + rowsSuffix))
			n = min(max(n, 0), maxRows)
			rows := make([]any, n)
			for i := range n {
				rows[i] = parseForm(f.Fields, name+"["+strconv.Itoa(i)+"].", form)
			}
			m[f.Name] = rows
		}
	}
	return m
}

// maxRows caps the rows of one group list a form may send.
const maxRows = 500

// prune drops what a form leaves empty: empty nested objects and rows, so
// that an added row nobody filled in is not saved.
func prune(m obj) obj {
	for k, v := range m {
		switch x := v.(type) {
		case obj:
			if p := prune(x); len(p) == 0 {
				delete(m, k)
			}
		case []any:
			var keep []any
			for _, e := range x {
				if o, ok := e.(obj); ok {
					if len(prune(o)) == 0 {
						continue
					}
				}
				keep = append(keep, e)
			}
			if len(keep) == 0 {
				delete(m, k)
			} else {
				m[k] = keep
			}
		}
	}
	return m
}

var rowStep = regexp.MustCompile(`^([a-z_]+)(?:\[(\d+)\])?$`)

// rowList finds the list of rows a path like findings or plan names, and
// the object holding it, in an item's values.
func rowList(m obj, path string) (obj, string, bool) {
	parts := strings.Split(path, ".")
	cur := m
	for _, part := range parts[:len(parts)-1] {
		s := rowStep.FindStringSubmatch(part)
		if s == nil {
			return nil, "", false
		}
		next := cur[s[1]]
		if s[2] != "" {
			list, _ := next.([]any)
			i, _ := strconv.Atoi(s[2])
			if i >= len(list) {
				return nil, "", false
			}
			next = list[i]
		}
		o, ok := next.(obj)
		if !ok {
			o = obj{}
			cur[s[1]] = o
		}
		cur = o
	}
	last := parts[len(parts)-1]
	if !rowStep.MatchString(last) {
		return nil, "", false
	}
	return cur, last, true
}

// addRow appends an empty row to the group list at path.
func addRow(m obj, path string) bool {
	holder, key, ok := rowList(m, path)
	if !ok {
		return false
	}
	list, _ := holder[key].([]any)
	if len(list) >= maxRows {
		return false
	}
	holder[key] = append(list, obj{})
	return true
}

// removeRow drops row i of the group list at path (path ends in [i]).
func removeRow(m obj, path string) bool {
	open := strings.LastIndexByte(path, '[')
	if open < 0 || !strings.HasSuffix(path, "]") {
		return false
	}
	i, err := strconv.Atoi(path[open+1 : len(path)-1])
	if err != nil {
		return false
	}
	holder, key, ok := rowList(m, path[:open])
	if !ok {
		return false
	}
	list, _ := holder[key].([]any)
	if i < 0 || i >= len(list) {
		return false
	}
	holder[key] = append(list[:i:i], list[i+1:]...)
	return true
}

// scalarText shows a JSON scalar as a form shows it.
func scalarText(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case json.Number:
		return x.String()
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case bool:
		if x {
			return "true"
		}
		return "false"
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// textList shows a JSON list of scalars, one per element.
func textList(v any) []string {
	list, _ := v.([]any)
	out := make([]string, 0, len(list))
	for _, x := range list {
		out = append(out, scalarText(x))
	}
	return out
}
