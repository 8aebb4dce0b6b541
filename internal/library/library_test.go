package library

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cloudisms/cloudisms/internal/store"
)

func readFile(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func byID(f store.Framework) map[string]store.FrameworkControl {
	out := map[string]store.FrameworkControl{}
	for _, c := range f.Controls {
		out[c.ID] = c
	}
	return out
}

// A library's requirement nodes become the framework's controls and
// headings, with their reference ids, names, descriptions, hierarchy and
// the Annex A controls the file's mapping set relates them to.
func TestReadSampleLibrary(t *testing.T) {
	lib, err := Read(readFile(t, "sample-library.yaml"), "scr")
	if err != nil {
		t.Fatal(err)
	}
	f := lib.Framework
	if f == nil || f.ID != "scr" || f.Title != "Sample cloud rules v2" || f.Version != "2" || f.SourceUUID != "urn:cloudisms:risk:framework:sample-cloud-rules" || len(f.Controls) != 6 {
		t.Fatalf("%+v", f)
	}
	got := byID(*f)
	cases := []struct {
		id, label, title, statement, parent string
		heading                             bool
		annex                               string
	}{
		{"ac", "AC", "Access", "Who may reach what", "", true, "[]"},
		{"ac-01", "AC-01", "Named accounts", "Every person signs in with an account of their own; shared accounts are not used.", "ac", false, "[5.15 5.16]"},
		{"ac-02", "AC-02", "", "Administrator sign-in needs a second factor.", "ac", false, "[8.5]"},
		{"op", "OP", "Operations", "", "", true, "[]"},
		{"op.note", "", "The rules below apply to production only.", "", "op", true, "[]"},
		{"r-1.1", "1.1", "Backups tested", "A restore from backup is tried at least twice a year.", "op", false, "[]"},
	}
	for _, c := range cases {
		x, ok := got[c.id]
		stmt := ""
		if len(x.Statement) > 0 {
			stmt = x.Statement[0].Prose
		}
		if !ok || x.Label != c.label || x.Title != c.title || stmt != c.statement || x.Parent != c.parent || x.Heading != c.heading || fmt.Sprint(x.AnnexA) != c.annex {
			t.Errorf("%s: %+v", c.id, x)
		}
	}
	if got["ac-01"].Guidance != "Example: a list of accounts reviewed each quarter." || !got["ac-01"].InSoA() || got["ac"].InSoA() {
		t.Errorf("ac-01: %+v", got["ac-01"])
	}
}

// A mapping library of its own (ISO/IEC 27001:2022 → the framework)
// adds its Annex A controls to a framework read before.
func TestApplyMappingLibrary(t *testing.T) {
	lib, _ := Read(readFile(t, "sample-library.yaml"), "scr")
	maps, err := Read(readFile(t, "sample-mapping.yaml"), "")
	if err != nil || maps.Framework != nil || len(maps.Mappings) != 1 || len(maps.Mappings[0].Mappings) != 2 {
		t.Fatalf("%+v %v", maps, err)
	}
	n, err := ApplyMappings(lib.Framework, maps.Mappings)
	if err != nil || n != 1 || fmt.Sprint(byID(*lib.Framework)["r-1.1"].AnnexA) != "[5.30 8.13]" {
		t.Fatalf("%d %v %+v", n, err, byID(*lib.Framework)["r-1.1"])
	}
	if n, _ := ApplyMappings(lib.Framework, maps.Mappings); n != 1 || fmt.Sprint(byID(*lib.Framework)["r-1.1"].AnnexA) != "[5.30 8.13]" || fmt.Sprint(byID(*lib.Framework)["ac-01"].AnnexA) != "[5.15 5.16]" {
		t.Errorf("applying again, or the file's own mappings, changed: %+v", lib.Framework.Controls)
	}
	other := store.Framework{SourceUUID: "urn:x:framework:other", Controls: []store.FrameworkControl{{ID: "a"}}}
	var le *Error
	if _, err := ApplyMappings(&other, maps.Mappings); !errors.As(err, &le) || !strings.Contains(le.In("en"), "urn:x:framework:other") {
		t.Errorf("a mapping for another framework: %v", err)
	}
}

// Bad libraries are refused with the place in the file; none panics.
func TestReadRejects(t *testing.T) {
	good := string(readFile(t, "sample-library.yaml"))
	cases := []struct{ name, src, want string }{
		{"empty", "  \n", "empty"},
		{"not yaml", "urn: [1,\n", "YAML"},
		{"no urn", "name: x\n", "urn is missing"},
		{"nothing", "urn: urn:a\nname: A\nobjects: {}\n", "neither a framework"},
		{"node without urn", strings.Replace(good, "    - urn: urn:cloudisms:risk:req_node:sample-cloud-rules:ac-02\n", "    - annotation: x\n", 1), "objects.framework.requirement_nodes[2].urn is missing"},
		{"parent later", strings.Replace(good, "parent_urn: urn:cloudisms:risk:req_node:sample-cloud-rules:op\n", "parent_urn: urn:cloudisms:risk:req_node:sample-cloud-rules:zz\n", 1), "requirement_nodes[4].parent_urn"},
		{"duplicate", strings.Replace(good, "sample-cloud-rules:ac-02\n", "sample-cloud-rules:ac-01\n", 1), "appears twice"},
		{"deep", strings.Replace(good, "depth: 1\n", "depth: 99\n", 1), "requirement_nodes[0].depth"},
		{"none assessable", strings.ReplaceAll(good, "assessable: true", "assessable: false"), "no assessable requirement"},
		{"bad type", strings.Replace(good, "assessable: false", "assessable: [x]", 1), "line"},
		{"too large", good + "#" + strings.Repeat("x", MaxBytes), "too large"},
	}
	for _, c := range cases {
		_, err := Read([]byte(c.src), "x")
		var le *Error
		if !errors.As(err, &le) || !strings.Contains(le.In("en"), c.want) || le.In("ja") == le.In("en") {
			t.Errorf("%s: %v (want %q)", c.name, err, c.want)
		}
	}
}

// Any bytes: a library or an Error; never a panic, and a framework read
// has controls, an assessable one among them, and unique ids.
func FuzzRead(f *testing.F) {
	f.Add(readFile(f, "sample-library.yaml"))
	f.Add(readFile(f, "sample-mapping.yaml"))
	f.Add([]byte("urn: a\nobjects:\n  framework:\n    urn: b\n    requirement_nodes:\n    - {urn: c, assessable: true, name: n}\n"))
	f.Add([]byte("a: &a [*a, *a]\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		lib, err := Read(b, "fz")
		if err != nil {
			var le *Error
			if !errors.As(err, &le) {
				t.Fatalf("not a library error: %v", err)
			}
			return
		}
		if lib.Framework == nil {
			if len(lib.Mappings) == 0 {
				t.Fatal("neither framework nor mappings")
			}
			return
		}
		seen := map[string]bool{}
		assessable := false
		for _, c := range lib.Framework.Controls {
			if seen[c.ID] || c.ID == "" {
				t.Fatalf("id %q twice or empty", c.ID)
			}
			seen[c.ID] = true
			assessable = assessable || c.InSoA()
		}
		if !assessable {
			t.Fatal("no assessable requirement")
		}
	})
}

// mirrorFile reads a file of CISO Assistant's repository when it was
// fetched onto this machine, or skips.
func mirrorFile(t testing.TB, path string) []byte {
	t.Helper()
	b, err := exec.Command("git", "-C", "/work/.mirror/intuitem+ciso-assistant-community/repo", "show", "HEAD:backend/library/libraries/"+path).Output()
	if err != nil || len(b) == 0 {
		t.Skipf("%s is not on this machine (fetch github:intuitem/ciso-assistant-community to test with it)", path)
	}
	return b
}

// CISO Assistant's own libraries read as frameworks, and their mapping
// libraries to ISO/IEC 27001:2022 apply.
func TestReadPublishedLibraries(t *testing.T) {
	cases := []struct {
		file, mapping string
		minNodes      int
		label         string
	}{
		{"nist-csf-2.0.yaml", "mapping-nist-csf-2.0-to-iso27001-2022.yaml", 100, "GV.OC-01"},
		{"soc2_2017_with_rev_2022.yaml", "mapping-soc2-2017-rev-2022-to-iso27001-2022.yaml", 50, "CC6.1"},
		{"bsi-c5-2020.yaml", "", 100, "OIS-01"},
		{"cis-benchmark-kubernetes.yaml", "", 50, "1.1.1"},
	}
	for _, c := range cases {
		t.Run(c.file, func(t *testing.T) {
			lib, err := Read(mirrorFile(t, c.file), "x")
			if err != nil {
				t.Fatal(err)
			}
			f := lib.Framework
			labels := map[string]bool{}
			for _, x := range f.Controls {
				labels[x.Label] = true
			}
			if f == nil || len(f.Controls) < c.minNodes || !labels[c.label] {
				t.Fatalf("%d controls, label %s: %v", len(f.Controls), c.label, labels[c.label])
			}
			if c.mapping == "" {
				return
			}
			maps, err := Read(mirrorFile(t, c.mapping), "")
			if err != nil {
				t.Fatal(err)
			}
			n, err := ApplyMappings(f, maps.Mappings)
			if err != nil || n < 10 {
				t.Errorf("%d requirements mapped: %v", n, err)
			}
		})
	}
}
