package oscal

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

//go:embed schema/*.json
var schemaFS embed.FS

var schemaFiles = map[string]string{V113: "schema/oscal_complete_schema-1-1-3.json", V122: "schema/oscal_complete_schema-1-2-2.json"}

var (
	compileOnce sync.Once
	compiled    map[string]*jsonschema.Schema
	compileErr  error
)

func schemas() (map[string]*jsonschema.Schema, error) {
	compileOnce.Do(func() {
		compiled = map[string]*jsonschema.Schema{}
		for v, name := range schemaFiles {
			b, err := schemaFS.ReadFile(name)
			if err != nil {
				compileErr = err
				return
			}
			doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
			if err != nil {
				compileErr = fmt.Errorf("%s: %w", name, err)
				return
			}
			c := jsonschema.NewCompiler()
			url := "https://cloudisms.invalid/" + name
			if err := c.AddResource(url, doc); err != nil {
				compileErr = err
				return
			}
			s, err := c.Compile(url)
			if err != nil {
				compileErr = fmt.Errorf("%s: %w", name, err)
				return
			}
			compiled[v] = s
		}
	})
	return compiled, compileErr
}

// Validate checks a JSON document against NIST's OSCAL schema of a version.
func Validate(version string, doc []byte) error {
	all, err := schemas()
	if err != nil {
		return fmt.Errorf("OSCAL schema: %w", err)
	}
	s, ok := all[version]
	if !ok {
		return fmt.Errorf("OSCAL version %q is not supported (expected %s or %s)", version, V113, V122)
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(doc))
	if err != nil {
		return fmt.Errorf("not JSON: %w", err)
	}
	return s.Validate(inst)
}

// Encode marshals a document and validates it before it is given out, so
// that cloudisms never writes an OSCAL document the schema refuses.
func Encode(doc any, version string) ([]byte, error) {
	b, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return nil, err
	}
	if err := Validate(version, b); err != nil {
		return nil, fmt.Errorf("OSCAL %s output is not valid (a bug): %w", version, err)
	}
	return append(b, '\n'), nil
}
