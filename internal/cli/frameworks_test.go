package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cloudisms/cloudisms/internal/oscal"
)

// frameworks import-library reads a CISO Assistant library into a
// framework with its own SoA; a mapping library adds its Annex A
// mappings to it; bad files are refused with the place and change nothing.
func TestFrameworksImportLibrary(t *testing.T) {
	env := map[string]string{"CLOUDISMS_DATA": t.TempDir(), "LANG": "en_US.UTF-8", "USER": "alice"}
	if code, _, e := run(t, env, "import", sample, "--org", "sample"); code != 0 {
		t.Fatal(e)
	}
	lib := "../library/testdata/sample-library.yaml"
	code, out, e := run(t, env, "frameworks", "import-library", lib, "--org", "sample")
	if code != 0 || !strings.Contains(out, "imported framework sample-cloud-rules (Sample cloud rules v2) into sample: 3 rows") || !strings.Contains(out, "2 requirements mapped") {
		t.Fatalf("import: %d %q %s", code, out, e)
	}
	if _, out, _ := run(t, env, "frameworks", "list", "--org", "sample"); !strings.HasPrefix(out, "sample-cloud-rules\tSample cloud rules v2\t2\t") {
		t.Errorf("list: %q", out)
	}
	code, out, e = run(t, env, "frameworks", "import-library", "../library/testdata/sample-mapping.yaml", "--org", "sample", "--id", "sample-cloud-rules", "--lang", "ja")
	if code != 0 || !strings.Contains(out, "附属書A への対応付けのある要求事項 1 件") {
		t.Fatalf("mapping library: %d %q %s", code, out, e)
	}
	code, out, e = run(t, env, "oscal", "ssp", "--org", "sample", "--framework", "sample-cloud-rules")
	if code != 0 || oscal.Validate(oscal.V113, []byte(out)) != nil {
		t.Errorf("the library's plan: %d %s", code, e)
	}
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.yaml")
	src, _ := os.ReadFile(lib)
	os.WriteFile(bad, []byte(strings.Replace(string(src), "parent_urn: urn:cloudisms:risk:req_node:sample-cloud-rules:op\n", "parent_urn: urn:nowhere\n", 1)), 0o644)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"frameworks", "import-library", bad, "--org", "sample", "--id", "sample-cloud-rules"}, "objects.framework.requirement_nodes[4].parent_urn: its parent urn:nowhere"},
		{[]string{"frameworks", "import-library", "../library/testdata/sample-mapping.yaml", "--org", "sample"}, "--id"},
		{[]string{"frameworks", "import-library", "../library/testdata/sample-mapping.yaml", "--org", "sample", "--id", "nothing-here"}, "mappings only"},
		{[]string{"frameworks", "import-library", lib, "--org", "sample", "--id", "Bad Name"}, "Bad Name"},
		{[]string{"frameworks", "export"}, "import-library, list"},
	} {
		code, _, e := run(t, env, c.args...)
		if code == 0 || !strings.Contains(e, c.want) {
			t.Errorf("%v: %d %s", c.args, code, e)
		}
	}
	if _, out, _ := run(t, env, "frameworks", "list", "--org", "sample"); strings.Count(out, "\n") != 1 {
		t.Errorf("a refused import changed the frameworks: %q", out)
	}
}

// oscal import-profile reads a baseline against a catalog imported
// before; without the catalog, or with one lacking its controls, it is
// refused and nothing changes.
func TestOSCALImportProfile(t *testing.T) {
	env := map[string]string{"CLOUDISMS_DATA": t.TempDir(), "LANG": "en_US.UTF-8", "USER": "alice"}
	if code, _, e := run(t, env, "import", sample, "--org", "sample"); code != 0 {
		t.Fatal(e)
	}
	prof := "../oscal/testdata/sample-low-profile.json"
	if code, _, e := run(t, env, "oscal", "import-profile", prof, "--org", "sample", "--id", "low"); code == 0 || !strings.Contains(e, "--catalog") {
		t.Errorf("without --catalog: %d %s", code, e)
	}
	if code, _, e := run(t, env, "oscal", "import-profile", prof, "--org", "sample", "--id", "low", "--catalog", "cat"); code == 0 || !strings.Contains(e, "no imported framework cat") {
		t.Errorf("unknown catalog: %d %s", code, e)
	}
	if code, _, e := run(t, env, "oscal", "import-catalog", "../oscal/testdata/sample-params-catalog.json", "--org", "sample", "--id", "cat"); code != 0 {
		t.Fatal(e)
	}
	code, out, e := run(t, env, "oscal", "import-profile", prof, "--org", "sample", "--id", "low", "--catalog", "cat")
	if code != 0 || !strings.Contains(out, "low") {
		t.Fatalf("import-profile: %d %s %s", code, out, e)
	}
	code, out, e = run(t, env, "oscal", "ssp", "--org", "sample", "--framework", "low")
	if code != 0 || oscal.Validate(oscal.V113, []byte(out)) != nil {
		t.Errorf("the baseline's plan: %d %s", code, e)
	}
}
