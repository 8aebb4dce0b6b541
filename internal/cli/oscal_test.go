package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cloudisms/cloudisms/internal/oscal"
)

func TestOSCALCommands(t *testing.T) {
	env := map[string]string{"CLOUDISMS_DATA": t.TempDir(), "LANG": "en_US.UTF-8", "USER": "alice"}
	if code, _, e := run(t, env, "import", sample, "--org", "sample"); code != 0 {
		t.Fatal(e)
	}
	for _, args := range [][]string{
		{"oscal", "catalog", "--framework", "iso27017:2015"},
		{"oscal", "catalog", "--framework", "iso27001:2013", "--oscal-version", "1.2.2"},
		{"oscal", "ssp", "--org", "sample"},
		{"oscal", "ssp", "--org", "sample", "--soa", "svc-kintai:provider", "--lang", "ja"},
		{"oscal", "assessment-results", "--org", "sample"},
		{"oscal", "poam", "--org", "sample", "--oscal-version", "1.2.2"},
	} {
		code, out, e := run(t, env, args...)
		v := oscal.V113
		if strings.Contains(strings.Join(args, " "), "1.2.2") {
			v = oscal.V122
		}
		if code != 0 || oscal.Validate(v, []byte(out)) != nil {
			t.Errorf("%v: %d %s %v", args, code, e, oscal.Validate(v, []byte(out)))
		}
	}
	dir := t.TempDir()
	cat := filepath.Join(dir, "basic.json")
	src, _ := os.ReadFile("../oscal/testdata/basic-catalog.json")
	os.WriteFile(cat, src, 0o644)
	code, out, e := run(t, env, "oscal", "import-catalog", cat, "--org", "sample", "--id", "nist-basic")
	if code != 0 || !strings.Contains(out, "nist-basic") {
		t.Fatalf("import: %d %s %s", code, out, e)
	}
	if _, out, _ := run(t, env, "oscal", "frameworks", "--org", "sample"); !strings.HasPrefix(out, "nist-basic\t") {
		t.Errorf("frameworks: %q", out)
	}
	// --framework picks the imported framework's plan (it was ignored).
	code, out, e = run(t, env, "oscal", "ssp", "--org", "sample", "--framework", "nist-basic")
	if code != 0 || oscal.Validate(oscal.V113, []byte(out)) != nil || !strings.Contains(out, `"control-id": "s1.1.1"`) || strings.Contains(out, "iso27001-2022-5.1") {
		t.Errorf("ssp --framework: %d %s %.300s", code, e, out)
	}
	if code, _, e := run(t, env, "oscal", "ssp", "--org", "sample", "--framework", "nist-nope"); code != 2 || !strings.Contains(e, "nist-nope") {
		t.Errorf("unknown framework: %d %s", code, e)
	}
	broken := filepath.Join(dir, "broken.json")
	os.WriteFile(broken, []byte(`{"profile":{}}`), 0o644)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"oscal", "import-catalog", broken, "--org", "sample", "--id", "x"}, "not an OSCAL catalog"},
		{[]string{"oscal", "import-catalog", cat, "--org", "sample", "--id", "Bad Name"}, "--id"},
		{[]string{"oscal", "ssp", "--org", "sample", "--soa", "svc-none:provider"}, "svc-none:provider"},
		{[]string{"oscal", "catalog", "--framework", "nist"}, "nist"},
		{[]string{"oscal", "pdf"}, "catalog"},
	} {
		if code, _, e := run(t, env, c.args...); code != 2 || !strings.Contains(e, c.want) {
			t.Errorf("%v: %d %q", c.args, code, e)
		}
	}
	if _, out, _ := run(t, env, "oscal", "frameworks", "--org", "sample"); strings.Count(out, "\n") != 1 {
		t.Errorf("a refused import changed the frameworks: %q", out)
	}
}
