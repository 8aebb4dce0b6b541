package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/cloudisms/cloudisms/internal/isms"
)

var update = flag.Bool("update", false, "rewrite golden files")

const sample = "../../examples/sample-saas.yaml"

// run drives the CLI as main does, with a fixed environment.
func run(t *testing.T, env map[string]string, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := Run(context.Background(), args, func(k string) string { return env[k] }, strings.NewReader(""), &out, &errOut)
	return code, out.String(), errOut.String()
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from the golden file; got:\n%s", name, got)
	}
}

func TestExitCodes(t *testing.T) {
	dir := t.TempDir()
	invalid := filepath.Join(dir, "invalid.yaml")
	os.WriteFile(invalid, []byte("format: cloudisms/v1\norganization: {}\n"), 0o644)
	warnOnly := filepath.Join(dir, "warn.yaml")
	src, _ := os.ReadFile(sample)
	// Without the organization SoA's approval only SOA-07, a warning, fires.
	os.WriteFile(warnOnly, bytes.Replace(src, []byte("  - approval: {by: p-ceo, date: 2026-06-24}\n    rows:"), []byte("  - rows:"), 1), 0o644)
	if _, out, _ := run(t, nil, "check", warnOnly, "--as-of", "2026-11-01", "--format", "json"); !strings.Contains(out, `"SOA-07"`) || strings.Contains(out, `"error"`+": 1") {
		t.Fatalf("the warning-only case is not what it claims:\n%s", out)
	}
	for _, tc := range []struct {
		args []string
		code int
	}{
		{[]string{"validate", sample}, 0},
		{[]string{"validate", invalid}, 2},
		{[]string{"validate", filepath.Join(dir, "missing.yaml")}, 2},
		{[]string{"validate"}, 2},
		{[]string{"check", sample, "--as-of", "2026-11-01"}, 0},
		{[]string{"check", "--as-of", "2026-11-01", sample}, 0},
		{[]string{"check", "testdata/broken.yaml", "--as-of", "2027-03-01"}, 1},
		{[]string{"check", warnOnly, "--as-of", "2026-11-01"}, 0},
		{[]string{"check", invalid}, 2},
		{[]string{"check", sample, "--as-of", "2026-13-01"}, 2},
		{[]string{"check", sample, "--format", "xml"}, 2},
		{[]string{"check", sample, "--lang", "fr"}, 2},
		{[]string{"check", sample, "--nope"}, 2},
		{[]string{"summary", sample, "--format", "json"}, 0},
		{[]string{"summary", invalid}, 2},
		{[]string{"fmt", sample}, 0},
		{[]string{"fmt", invalid}, 2},
		{[]string{"catalog", "--framework", "iso27001:2022"}, 0},
		{[]string{"catalog", "--framework", "nist"}, 2},
		{[]string{"nope"}, 2},
		{[]string{}, 2},
		{[]string{"help"}, 0},
	} {
		if code, _, stderr := run(t, nil, tc.args...); code != tc.code {
			t.Errorf("%v: exit %d, want %d (%s)", tc.args, code, tc.code, stderr)
		}
	}
}

func TestCheckJSONGolden(t *testing.T) {
	code, out, _ := run(t, nil, "check", "testdata/broken.yaml", "--as-of", "2027-03-01", "--format", "json")
	if code != 1 {
		t.Fatalf("exit %d", code)
	}
	golden(t, "broken.check.json", out)
	var r struct {
		AsOf     string           `json:"as_of"`
		Findings []map[string]any `json:"findings"`
		Counts   map[string]int   `json:"counts"`
	}
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatal(err)
	}
	if r.AsOf != "2027-03-01" || r.Counts["error"] != len(r.Findings) || r.Counts["warning"] != 0 {
		t.Errorf("report: %+v", r)
	}
	for _, f := range r.Findings {
		for _, k := range []string{"rule", "severity", "subject", "message_ja", "message_en", "reference"} {
			if s, _ := f[k].(string); s == "" {
				t.Errorf("finding lacks %s: %v", k, f)
			}
		}
	}
	// A clean ISMS gives an empty list, not null.
	_, out, _ = run(t, nil, "check", sample, "--as-of", "2026-11-01", "--format", "json")
	golden(t, "sample.check.json", out)
}

func TestCheckTextGolden(t *testing.T) {
	_, ja, _ := run(t, nil, "check", "testdata/broken.yaml", "--as-of", "2027-03-01")
	golden(t, "broken.check.ja.txt", ja)
	_, en, _ := run(t, map[string]string{"LANG": "en_US.UTF-8"}, "check", "testdata/broken.yaml", "--as-of", "2027-03-01")
	golden(t, "broken.check.en.txt", en)
	if strings.Contains(ja+en, "\x1b[") {
		t.Error("colour codes written to something that is not a terminal")
	}
	_, ja2, _ := run(t, map[string]string{"LANG": "en_US.UTF-8"}, "check", "testdata/broken.yaml", "--as-of", "2027-03-01", "--lang", "ja")
	if ja2 != ja {
		t.Error("--lang ja should override LANG")
	}
}

func TestValidateReportsEveryProblem(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.yaml")
	src, _ := os.ReadFile(sample)
	broken := strings.NewReplacer("model: saas", "model: cloud", "treatment: modify", "treatment: reduce").Replace(string(src))
	os.WriteFile(bad, []byte(broken), 0o644)
	code, _, stderr := run(t, map[string]string{"LANG": "en_US.UTF-8"}, "validate", bad)
	if code != 2 {
		t.Fatalf("exit %d", code)
	}
	if !strings.Contains(stderr, bad+":") || !strings.Contains(stderr, "cloud_services[0].model: \"cloud\" is not allowed") {
		t.Errorf("stderr:\n%s", stderr)
	}
	n := strings.Count(broken, "treatment: reduce") + strings.Count(broken, "model: cloud")
	if got := strings.Count(stderr, "is not allowed"); got != n {
		t.Errorf("%d problems reported, want %d", got, n)
	}
	code, out, _ := run(t, nil, "validate", "--format", "json", bad)
	var r struct {
		Valid  bool
		Errors []struct {
			File, Path, Message string
			Line                int
		}
	}
	if err := json.Unmarshal([]byte(out), &r); err != nil || code != 2 || r.Valid || len(r.Errors) != n || r.Errors[0].Line == 0 {
		t.Errorf("json: %v %+v", err, r)
	}
}

func TestFmt(t *testing.T) {
	dir := t.TempDir()
	f := filepath.Join(dir, "b.yaml")
	src, _ := os.ReadFile(sample)
	os.WriteFile(f, src, 0o644)
	_, canonical, _ := run(t, nil, "fmt", f)
	if code, _, e := run(t, nil, "fmt", "-w", f); code != 0 {
		t.Fatal(e)
	}
	written, _ := os.ReadFile(f)
	if string(written) != canonical {
		t.Error("fmt -w wrote something else than fmt prints")
	}
	if _, again, _ := run(t, nil, "fmt", f); again != canonical {
		t.Error("fmt is not idempotent")
	}
	// The canonical form means the same: the check result is unchanged.
	_, a, _ := run(t, nil, "check", sample, "--as-of", "2027-03-01", "--format", "json")
	_, b, _ := run(t, nil, "check", f, "--as-of", "2027-03-01", "--format", "json")
	if a != b {
		t.Error("fmt changed the meaning")
	}
	// An invalid file is left exactly as it was.
	bad := []byte("format: cloudisms/v1\nbogus: 1\n")
	os.WriteFile(f, bad, 0o644)
	if code, _, _ := run(t, nil, "fmt", "-w", f); code != 2 {
		t.Errorf("fmt -w on an invalid file: exit %d", code)
	}
	if now, _ := os.ReadFile(f); !bytes.Equal(now, bad) {
		t.Error("fmt -w changed an invalid file")
	}
}

func TestCatalogJSON(t *testing.T) {
	for _, tc := range []struct {
		framework string
		count     int
		fields    []string
	}{
		{"iso27001:2022", 93, []string{"id", "title_ja", "title_en", "theme", "maps_2013"}},
		{"iso27001:2013", 114, []string{"id", "title_ja", "title_en", "maps_2022"}},
		{"iso27017:2015", 44, []string{"id", "title_ja", "title_en", "guidance_for", "base_2013"}},
		{"risk-sources", 17, []string{"id", "title_ja", "title_en", "required", "controls_2013", "provider_ja", "customer_en"}},
	} {
		code, out, stderr := run(t, nil, "catalog", "--framework", tc.framework, "--format", "json")
		if code != 0 {
			t.Fatal(stderr)
		}
		var rows []map[string]any
		if err := json.Unmarshal([]byte(out), &rows); err != nil {
			t.Fatal(err)
		}
		if len(rows) != tc.count {
			t.Errorf("%s: %d entries, want %d", tc.framework, len(rows), tc.count)
		}
		for _, f := range tc.fields {
			if _, ok := rows[0][f]; !ok {
				t.Errorf("%s: no field %s in %v", tc.framework, f, rows[0])
			}
		}
		_, text, _ := run(t, nil, "catalog", "--framework", tc.framework)
		if lines := strings.Count(text, "\n"); lines != tc.count {
			t.Errorf("%s text: %d lines", tc.framework, lines)
		}
	}
	// Unconfirmed Japanese titles are marked, and the note says why (on
	// stderr, so that stdout keeps one line per control).
	_, text, stderr := run(t, nil, "catalog", "--framework", "iso27001:2022")
	if !regexp.MustCompile(`(?m)^5\.23 .*＊`).MatchString(text) || !strings.Contains(stderr, "＊") {
		t.Errorf("5.23's unconfirmed title is not marked:\n%s", stderr)
	}
	_, out, _ := run(t, nil, "catalog", "--framework", "iso27001:2022", "--format", "json")
	if !strings.Contains(out, `"id": "8.13"`) || !strings.Contains(out, `"A.12.3.1"`) {
		t.Error("8.13 should map to A.12.3.1")
	}
}

func TestSummary(t *testing.T) {
	_, out, _ := run(t, nil, "summary", sample, "--as-of", "2026-11-01", "--format", "json")
	var r isms.Summary
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatal(err)
	}
	if len(r.SoA) < 3 || r.SoA[0].Counts.Rows != 93 || len(r.Risks) == 0 || len(r.HeatMap.Before) == 0 {
		t.Errorf("summary: %d SoAs, %d risks", len(r.SoA), len(r.Risks))
	}
	_, text, _ := run(t, map[string]string{"LANG": "en_US.UTF-8"}, "summary", sample, "--as-of", "2026-11-01")
	for _, want := range []string{"Statements of Applicability", "Heat map before treatment", "Due within 30 days"} {
		if !strings.Contains(text, want) {
			t.Errorf("summary text lacks %q", want)
		}
	}
}

func TestGenerate(t *testing.T) {
	f := filepath.Join(t.TempDir(), "g.yaml")
	if code, _, e := run(t, nil, "generate", "--services", "3", "--assets", "10", "--risks", "10", "--seed", "5", "--as-of", "2026-11-01", "-o", f); code != 0 {
		t.Fatal(e)
	}
	if code, _, e := run(t, nil, "check", f, "--as-of", "2026-11-01"); code != 0 {
		t.Errorf("generated bundle does not check clean: %s", e)
	}
	if code, _, _ := run(t, nil, "generate", "--services", "x"); code != 2 {
		t.Error("bad number accepted")
	}
	if code, _, _ := run(t, nil, "generate", "--services", "0"); code != 2 {
		t.Error("zero services accepted")
	}
}

func TestStoreCommands(t *testing.T) {
	data := t.TempDir()
	env := map[string]string{"CLOUDISMS_DATA": data, "LANG": "en_US.UTF-8"}
	if code, _, e := run(t, env, "migrate"); code != 0 {
		t.Fatal(e)
	}
	if code, _, e := run(t, env, "import", sample, "--org", "sample"); code != 0 {
		t.Fatal(e)
	}
	_, canonical, _ := run(t, env, "fmt", sample)
	code, exported, e := run(t, env, "export", "--org", "sample")
	if code != 0 || exported != canonical {
		t.Fatalf("export differs from fmt (%d %s)", code, e)
	}
	if code, _, _ := run(t, env, "check", "--org", "sample", "--as-of", "2026-11-01"); code != 0 {
		t.Errorf("check --org: exit %d", code)
	}
	if code, _, _ := run(t, env, "check", "--org", "sample", "--as-of", "2030-01-01"); code != 1 {
		t.Errorf("check --org years later should find errors: exit %d", code)
	}
	if code, out, _ := run(t, env, "summary", "--org", "sample", "--format", "json"); code != 0 || !strings.Contains(out, `"soa"`) {
		t.Errorf("summary --org: %d", code)
	}
	// An invalid bundle is refused and the stored ISMS stays as it was.
	bad := filepath.Join(t.TempDir(), "bad.yaml")
	os.WriteFile(bad, []byte(strings.Replace(canonical, "treatment: modify", "treatment: hope", 1)), 0o644)
	if code, _, _ := run(t, env, "import", bad, "--org", "sample"); code != 2 {
		t.Errorf("invalid import: exit %d", code)
	}
	if _, again, _ := run(t, env, "export", "--org", "sample"); again != canonical {
		t.Error("a refused import changed the stored ISMS")
	}
	for _, tc := range []struct {
		args []string
		code int
	}{
		{[]string{"export", "--org", "nobody"}, 2},
		{[]string{"check", "--org", "nobody"}, 2},
		{[]string{"check", sample, "--org", "sample"}, 2},
		{[]string{"import", sample}, 2},
		{[]string{"org", "add", "Bad Id"}, 2},
		{[]string{"org", "add", "acme", "--name", "アクメ"}, 0},
		{[]string{"org", "add", "acme"}, 2},
		{[]string{"org"}, 2},
		{[]string{"history", "verify"}, 0},
		{[]string{"history"}, 2},
	} {
		if code, _, e := run(t, env, tc.args...); code != tc.code {
			t.Errorf("%v: exit %d, want %d (%s)", tc.args, code, tc.code, e)
		}
	}
	if _, out, _ := run(t, env, "org", "list"); !strings.Contains(out, "acme") || !strings.Contains(out, "sample") {
		t.Errorf("org list:\n%s", out)
	}
}
