package oscal

import (
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/cloudisms/cloudisms/internal/catalog"
	"github.com/cloudisms/cloudisms/internal/store"
)

func TestReadNISTExampleCatalog(t *testing.T) {
	src, err := os.ReadFile("testdata/basic-catalog.json")
	if err != nil {
		t.Fatal(err)
	}
	f, err := ReadCatalog(src, "nist-basic")
	if err != nil {
		t.Fatal(err)
	}
	if f.ID != "nist-basic" || f.Title == "" || f.OSCALVersion != "1.1.2" || len(f.Controls) == 0 {
		t.Fatalf("%+v", f)
	}
	byID := map[string]int{}
	for i, c := range f.Controls {
		byID[c.ID] = i
	}
	c, ok := byID["s1.1.1"]
	if !ok || f.Controls[c].Title == "" || !strings.Contains(f.Controls[c].Group, "Organization of Information Security") {
		t.Errorf("s1.1.1: %+v", f.Controls)
	}
}

// A catalog cloudisms writes reads back with every control and label.
func TestCatalogRoundTrip(t *testing.T) {
	for _, v := range Versions {
		doc, _ := CatalogOf(catalog.ISO27017, Options{OSCALVersion: v, Lang: "en"})
		b, err := Encode(doc, v)
		if err != nil {
			t.Fatal(err)
		}
		f, err := ReadCatalog(b, "iso27017-copy")
		if err != nil {
			t.Fatal(err)
		}
		if len(f.Controls) != len(catalog.Std().Cloud) || f.Controls[0].Label != catalog.Std().Cloud[0].ID {
			t.Fatalf("%s: %d controls, first %+v", v, len(f.Controls), f.Controls[0])
		}
	}
}

func TestReadCatalogRejects(t *testing.T) {
	ssp, _ := os.ReadFile("testdata/oscal_leveraged-example_ssp.json")
	cases := []struct {
		name, src, want string
	}{
		{"not json", "{\"catalog\": \n [1,,]}", "not readable as JSON: line 2"},
		{"another model", string(ssp), "not an OSCAL catalog (found: system-security-plan)"},
		{"old version", `{"catalog":{"uuid":"5b8a4c3e-1f5a-4d64-9b5d-2f0b8b9b1c11","metadata":{"title":"x","last-modified":"2024-01-01T00:00:00Z","version":"1","oscal-version":"0.9"}}}`, "version \"0.9\""},
		{"schema", `{"catalog":{"uuid":"not-a-uuid","metadata":{"title":"x","last-modified":"2024-01-01T00:00:00Z","version":"1","oscal-version":"1.1.3"}}}`, "/catalog/uuid"},
		{"no controls", `{"catalog":{"uuid":"5b8a4c3e-1f5a-4d64-9b5d-2f0b8b9b1c11","metadata":{"title":"x","last-modified":"2024-01-01T00:00:00Z","version":"1","oscal-version":"1.1.3"}}}`, "no controls"},
		{"duplicate", `{"catalog":{"uuid":"5b8a4c3e-1f5a-4d64-9b5d-2f0b8b9b1c11","metadata":{"title":"x","last-modified":"2024-01-01T00:00:00Z","version":"1","oscal-version":"1.1.3"},"controls":[{"id":"a-1","title":"A"},{"id":"a-1","title":"B"}]}}`, "appears twice"},
	}
	for _, c := range cases {
		_, err := ReadCatalog([]byte(c.src), "x")
		var ie *ImportError
		if !errors.As(err, &ie) || !strings.Contains(ie.In("en"), c.want) || ie.In("ja") == ie.In("en") {
			t.Errorf("%s: %v (want %q)", c.name, err, c.want)
		}
	}
}

// Any bytes: a framework with controls, or an ImportError; never a panic.
func FuzzReadCatalog(f *testing.F) {
	src, _ := os.ReadFile("testdata/basic-catalog.json")
	f.Add(src)
	f.Add([]byte(`{"catalog":{"uuid":"5b8a4c3e-1f5a-4d64-9b5d-2f0b8b9b1c11","metadata":{"title":"x","last-modified":"2024-01-01T00:00:00Z","version":"1","oscal-version":"1.1.3"},"controls":[{"id":"a-1","title":"A","controls":[{"id":"a-1.1","title":"B"}]}]}}`))
	f.Add([]byte(`{"profile":{}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		fw, err := ReadCatalog(b, "x")
		if err != nil {
			var ie *ImportError
			if !errors.As(err, &ie) {
				t.Fatalf("not an ImportError: %v", err)
			}
			return
		}
		if len(fw.Controls) == 0 {
			t.Fatal("accepted a catalog without controls")
		}
		seen := map[string]bool{}
		for _, c := range fw.Controls {
			if c.ID == "" || seen[c.ID] {
				t.Fatalf("control id %q empty or repeated", c.ID)
			}
			seen[c.ID] = true
		}
	})
}

// The SoA of an imported framework is written as a valid plan against
// that catalog's own control ids.
func TestFrameworkSSP(t *testing.T) {
	src, _ := os.ReadFile("testdata/basic-catalog.json")
	fw, err := ReadCatalog(src, "nist-basic")
	if err != nil {
		t.Fatal(err)
	}
	m := sample(t)
	first := fw.Controls[0].ID
	rows := map[string]store.FrameworkRow{first: {Control: first, Applicable: "false", Justification: "対象外"}}
	for _, v := range Versions {
		doc := FrameworkSSP(m, fw, rows, Options{OSCALVersion: v, Now: now})
		if _, err := Encode(doc, v); err != nil {
			t.Fatalf("%s: %v", v, err)
		}
		req := doc.SSP.ControlImplementation.ImplementedRequirements
		if len(req) != 1 || req[0].ControlID != first || req[0].ByComponents[0].ImplementationStatus.State != "not-applicable" {
			t.Errorf("%+v", req)
		}
	}
	// Without rows the plan is still valid.
	if _, err := Encode(FrameworkSSP(m, fw, nil, Options{Now: now}), V113); err != nil {
		t.Error(err)
	}
}
