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
	if len(src) > MaxCatalogBytes {
		return f, fail("report.oscal.import.too_large", "max", MaxCatalogBytes)
	}
	var root map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(src))
	if err := dec.Decode(&root); err != nil {
		return f, fail("report.oscal.import.not_json", "detail", jsonErr(src, err))
	}
	if dec.More() {
		return f, fail("report.oscal.import.not_json", "detail", "trailing data after the document")
	}
	raw, ok := root["catalog"]
	if !ok {
		var kinds []string
		for k := range root {
			if k != "$schema" {
				kinds = append(kinds, k)
			}
		}
		return f, fail("report.oscal.import.not_catalog", "found", strings.Join(kinds, ", "))
	}
	var head struct {
		UUID     string `json:"uuid"`
		Metadata struct {
			Title        string `json:"title"`
			Version      string `json:"version"`
			OSCALVersion string `json:"oscal-version"`
		} `json:"metadata"`
	}
	if err := json.Unmarshal(raw, &head); err != nil {
		return f, fail("report.oscal.import.invalid", "detail", err.Error())
	}
	schema, ok := schemaFor(head.Metadata.OSCALVersion)
	if !ok {
		return f, fail("report.oscal.import.version", "version", head.Metadata.OSCALVersion)
	}
	if err := Validate(schema, src); err != nil {
		return f, fail("report.oscal.import.invalid", "detail", schemaErr(err))
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
	var walkC func(cs []importControl, group, parent string) error
	walkC = func(cs []importControl, group, parent string) error {
		for _, c := range cs {
			if seen[c.ID] {
				return fail("report.oscal.import.duplicate", "id", c.ID)
			}
			seen[c.ID] = true
			if len(f.Controls) >= MaxCatalogControls {
				return fail("report.oscal.import.too_many", "max", MaxCatalogControls)
			}
			fc := store.FrameworkControl{ID: c.ID, Title: c.Title, Group: group, Parent: parent}
			for _, p := range c.Props {
				if p.Name == "label" && p.NS == "" {
					fc.Label = p.Value
				}
			}
			f.Controls = append(f.Controls, fc)
			if err := walkC(c.Controls, group, c.ID); err != nil {
				return err
			}
		}
		return nil
	}
	var walkG func(gs []importGroup, path string) error
	walkG = func(gs []importGroup, path string) error {
		for _, g := range gs {
			t := strings.TrimSpace(path + " / " + g.Title)
			t = strings.TrimPrefix(t, "/ ")
			if err := walkC(g.Controls, t, ""); err != nil {
				return err
			}
			if err := walkG(g.Groups, t); err != nil {
				return err
			}
		}
		return nil
	}
	if err := walkC(cat.Controls, "", ""); err != nil {
		return store.Framework{}, err
	}
	if err := walkG(cat.Groups, ""); err != nil {
		return store.Framework{}, err
	}
	if len(f.Controls) == 0 {
		return store.Framework{}, fail("report.oscal.import.no_controls")
	}
	return f, nil
}

type importGroup struct {
	Title    string          `json:"title"`
	Groups   []importGroup   `json:"groups"`
	Controls []importControl `json:"controls"`
}

type importControl struct {
	ID       string          `json:"id"`
	Title    string          `json:"title"`
	Props    []Prop          `json:"props"`
	Controls []importControl `json:"controls"`
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
