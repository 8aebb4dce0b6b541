package oscal

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/cloudisms/cloudisms/internal/i18n"
	"github.com/cloudisms/cloudisms/internal/store"
	"github.com/santhosh-tekuri/jsonschema/v6"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

var printer = message.NewPrinter(language.English)

// Limits of an imported catalog.
const (
	MaxCatalogBytes    = 16 << 20
	MaxCatalogControls = 20000
)

// ImportError says why a document cannot be imported; nothing is changed.
type ImportError struct{ Msg i18n.Message }

func (e *ImportError) Error() string { return e.Msg.In(i18n.EN) }

// In renders the error in a language.
func (e *ImportError) In(lang string) string { return e.Msg.In(lang) }

func fail(key string, args ...any) error { return &ImportError{i18n.M(key, args...)} }

// ReadCatalog reads an OSCAL catalog (JSON, OSCAL 1.0 to 1.2) as a
// framework with the given id: the document must be valid against NIST's
// schema for its version, hold a catalog (not another OSCAL model) and at
// least one control. Groups and nested controls (enhancements) are
// flattened, each control keeping its group and parent.
func ReadCatalog(src []byte, id string) (store.Framework, error) {
	var f store.Framework
	raw, head, err := readModel(src, "catalog", "report.oscal.import.not_catalog")
	if err != nil {
		return f, err
	}
	var cat struct {
		Groups   []importGroup   `json:"groups"`
		Controls []importControl `json:"controls"`
	}
	if err := json.Unmarshal(raw, &cat); err != nil {
		return f, fail("report.oscal.import.invalid", "detail", err.Error())
	}
	f = store.Framework{ID: id, Title: head.Metadata.Title, Version: head.Metadata.Version, OSCALVersion: head.Metadata.OSCALVersion, SourceUUID: head.UUID}
	seen := map[string]bool{}
	var walkC func(cs []importControl, group, parent string, depth int) error
	walkC = func(cs []importControl, group, parent string, depth int) error {
		if depth > maxNesting {
			return fail("frameworks.import.too_deep", "max", maxNesting)
		}
		for _, c := range cs {
			if seen[c.ID] {
				return fail("report.oscal.import.duplicate", "id", c.ID)
			}
			seen[c.ID] = true
			if len(f.Controls) >= MaxCatalogControls {
				return fail("report.oscal.import.too_many", "max", MaxCatalogControls)
			}
			f.Controls = append(f.Controls, c.framework(group, parent))
			if err := walkC(c.Controls, group, c.ID, depth+1); err != nil {
				return err
			}
		}
		return nil
	}
	var walkG func(gs []importGroup, path string, depth int) error
	walkG = func(gs []importGroup, path string, depth int) error {
		if depth > maxNesting {
			return fail("frameworks.import.too_deep", "max", maxNesting)
		}
		for _, g := range gs {
			t := strings.TrimSpace(path + " / " + g.Title)
			t = strings.TrimPrefix(t, "/ ")
			if err := walkC(g.Controls, t, "", depth+1); err != nil {
				return err
			}
			if err := walkG(g.Groups, t, depth+1); err != nil {
				return err
			}
		}
		return nil
	}
	if err := walkC(cat.Controls, "", "", 0); err != nil {
		return store.Framework{}, err
	}
	if err := walkG(cat.Groups, "", 0); err != nil {
		return store.Framework{}, err
	}
	if len(f.Controls) == 0 {
		return store.Framework{}, fail("report.oscal.import.no_controls")
	}
	return f, nil
}

// docHead is what every OSCAL model says of itself.
type docHead struct {
	UUID     string `json:"uuid"`
	Metadata struct {
		Title        string `json:"title"`
		Version      string `json:"version"`
		OSCALVersion string `json:"oscal-version"`
	} `json:"metadata"`
}

// readModel reads an OSCAL document holding the given model (catalog,
// profile): it must be one JSON value of at most MaxCatalogBytes, hold
// that model (notKey names the others found) and be valid against NIST's
// schema for its version. It returns the model's JSON and its head.
func readModel(src []byte, model, notKey string) (json.RawMessage, docHead, error) {
	var head docHead
	if len(src) > MaxCatalogBytes {
		return nil, head, fail("report.oscal.import.too_large", "max", MaxCatalogBytes)
	}
	var root map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(src))
	if err := dec.Decode(&root); err != nil {
		return nil, head, fail("report.oscal.import.not_json", "detail", jsonErr(src, err))
	}
	if dec.More() {
		return nil, head, fail("report.oscal.import.not_json", "detail", "trailing data after the document")
	}
	raw, ok := root[model]
	if !ok {
		var kinds []string
		for k := range root {
			if k != "$schema" {
				kinds = append(kinds, k)
			}
		}
		return nil, head, fail(notKey, "found", strings.Join(kinds, ", "))
	}
	if err := json.Unmarshal(raw, &head); err != nil {
		return nil, head, fail("report.oscal.import.invalid", "detail", err.Error())
	}
	schema, ok := schemaFor(head.Metadata.OSCALVersion)
	if !ok {
		return nil, head, fail("report.oscal.import.version", "version", head.Metadata.OSCALVersion)
	}
	if err := Validate(schema, src); err != nil {
		return nil, head, fail("report.oscal.import.invalid", "detail", schemaErr(err))
	}
	return raw, head, nil
}

// constraints are a parameter's constraints, as a catalog or a profile
// writes them.
type constraints []struct{ Description string }

// text is the constraints' descriptions, one after the other.
func (cs constraints) text() string {
	var out []string
	for _, c := range cs {
		if d := strings.TrimSpace(c.Description); d != "" {
			out = append(out, d)
		}
	}
	return strings.Join(out, "; ")
}

// maxNesting bounds how deep groups, controls and parts may nest.
const maxNesting = 16

type importGroup struct {
	Title    string          `json:"title"`
	Groups   []importGroup   `json:"groups"`
	Controls []importControl `json:"controls"`
}

type importControl struct {
	ID       string          `json:"id"`
	Title    string          `json:"title"`
	Params   []importParam   `json:"params"`
	Props    []Prop          `json:"props"`
	Links    []importLink    `json:"links"`
	Parts    []importPart    `json:"parts"`
	Controls []importControl `json:"controls"`
}

type importParam struct {
	ID     string `json:"id"`
	Label  string `json:"label"`
	Select *struct {
		HowMany string   `json:"how-many"`
		Choice  []string `json:"choice"`
	} `json:"select"`
	Guidelines  []struct{ Prose string } `json:"guidelines"`
	Constraints constraints              `json:"constraints"`
	Values      []string                 `json:"values"`
}

type importLink struct {
	Href string `json:"href"`
	Rel  string `json:"rel"`
}

type importPart struct {
	Name  string       `json:"name"`
	Prose string       `json:"prose"`
	Props []Prop       `json:"props"`
	Parts []importPart `json:"parts"`
}

// label is the label a catalog gives without a class (AC-2(1)); NIST's
// other labels (zero-padded, SP 800-53A's) only when there is no such.
func label(props []Prop) string {
	out := ""
	for _, p := range props {
		if p.Name != "label" || p.NS != "" {
			continue
		}
		if p.Class == "" {
			return p.Value
		}
		if out == "" {
			out = p.Value
		}
	}
	return out
}

// framework is the control as stored: its statement flattened into items
// with their depth, its guidance as text, its parameters, and whether it
// is withdrawn (and where it went).
func (c importControl) framework(group, parent string) store.FrameworkControl {
	fc := store.FrameworkControl{ID: c.ID, Title: c.Title, Group: group, Parent: parent, Label: label(c.Props)}
	for _, p := range c.Props {
		if p.Name == "status" && p.NS == "" && strings.EqualFold(p.Value, "withdrawn") {
			fc.Withdrawn = true
		}
	}
	if fc.Withdrawn {
		for _, l := range c.Links {
			if (l.Rel == "moved-to" || l.Rel == "incorporated-into") && strings.HasPrefix(l.Href, "#") {
				fc.WithdrawnTo = append(fc.WithdrawnTo, strings.TrimPrefix(l.Href, "#"))
			}
		}
	}
	for _, p := range c.Parts {
		switch p.Name {
		case "statement":
			flattenPart(p, 0, &fc.Statement)
		case "guidance":
			fc.Guidance = joinProse(fc.Guidance, proseOf(p, 0))
		}
	}
	for _, p := range c.Params {
		fp := store.FrameworkParam{ID: p.ID, Label: p.Label, Values: p.Values}
		if p.Select != nil {
			fp.Choice, fp.HowMany = p.Select.Choice, p.Select.HowMany
		}
		for _, g := range p.Guidelines {
			fp.Guideline = joinProse(fp.Guideline, strings.TrimSpace(g.Prose))
		}
		fp.Constraint = p.Constraints.text()
		fc.Params = append(fc.Params, fp)
	}
	return fc
}

// flattenPart appends a statement part and its items in reading order.
func flattenPart(p importPart, depth int, out *[]store.FrameworkPart) {
	if depth > maxNesting {
		return
	}
	if l, prose := label(p.Props), strings.TrimSpace(p.Prose); l != "" || prose != "" {
		*out = append(*out, store.FrameworkPart{Label: l, Prose: prose, Depth: depth})
	}
	for _, q := range p.Parts {
		if q.Name == "item" || q.Name == "statement" || q.Name == "" {
			flattenPart(q, depth+1, out)
		}
	}
}

// proseOf is a part's prose with its sub-parts', paragraph by paragraph.
func proseOf(p importPart, depth int) string {
	out := strings.TrimSpace(p.Prose)
	if depth > maxNesting {
		return out
	}
	for _, q := range p.Parts {
		out = joinProse(out, proseOf(q, depth+1))
	}
	return out
}

func joinProse(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "":
		return a
	}
	return a + "\n\n" + b
}

// schemaFor picks the schema a document's OSCAL version is checked with.
func schemaFor(v string) (string, bool) {
	switch {
	case strings.HasPrefix(v, "1.0.") || strings.HasPrefix(v, "1.1."):
		return V113, true
	case strings.HasPrefix(v, "1.2."):
		return V122, true
	}
	return "", false
}

// jsonErr places a JSON syntax error by line and column.
func jsonErr(src []byte, err error) string {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		line := 1 + bytes.Count(src[:min(int(se.Offset), len(src))], []byte("\n"))
		col := int(se.Offset) - bytes.LastIndexByte(src[:min(int(se.Offset), len(src))], '\n') - 1
		return fmt.Sprintf("line %d, column %d: %v", line, col, err)
	}
	return err.Error()
}

// schemaErr names the first few places where the document breaks the schema.
func schemaErr(err error) string {
	var ve *jsonschema.ValidationError
	if !errors.As(err, &ve) {
		return err.Error()
	}
	var out []string
	var walk func(e *jsonschema.ValidationError)
	walk = func(e *jsonschema.ValidationError) {
		if len(out) >= 5 {
			return
		}
		if len(e.Causes) == 0 {
			out = append(out, "/"+strings.Join(e.InstanceLocation, "/")+": "+e.ErrorKind.LocalizedString(printer))
			return
		}
		for _, c := range e.Causes {
			walk(c)
		}
	}
	walk(ve)
	return strings.Join(out, "; ")
}
