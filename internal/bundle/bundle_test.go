package bundle

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/cloudisms/cloudisms/internal/generate"
	"github.com/cloudisms/cloudisms/internal/i18n"
	"github.com/cloudisms/cloudisms/internal/isms"
)

func read(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// documents are the valid bundles every property test runs on.
func documents(t testing.TB) map[string][]byte {
	docs := map[string][]byte{"minimal.yaml": read(t, "testdata/minimal.yaml"), "registers.yaml": read(t, "testdata/registers.yaml")}
	samples, _ := filepath.Glob("../../examples/*.yaml")
	if len(samples) < 2 {
		t.Fatalf("expected two samples in examples/, found %v", samples)
	}
	for _, s := range samples {
		docs[filepath.Base(s)] = read(t, s)
	}
	m, err := generate.ISMS(generate.Options{Services: 3, Assets: 20, Risks: 20, Seed: 7, AsOf: isms.MustDate("2026-11-01")})
	if err != nil {
		t.Fatal(err)
	}
	g, err := Encode(m)
	if err != nil {
		t.Fatal(err)
	}
	docs["generated.yaml"] = g
	return docs
}

func TestValidDocumentsDecode(t *testing.T) {
	for name, src := range documents(t) {
		if _, err := Decode(name, src); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// Decoding, encoding and decoding again gives the same model; encoding is
// idempotent (fmt of fmt is fmt).
func TestRoundTrip(t *testing.T) {
	for name, src := range documents(t) {
		m1, err := Decode(name, src)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		out1, err := Encode(m1)
		if err != nil {
			t.Fatal(err)
		}
		m2, err := Decode(name, out1)
		if err != nil {
			t.Fatalf("%s: canonical form does not decode: %v\n%s", name, err, out1)
		}
		if !reflect.DeepEqual(m1, m2) {
			t.Errorf("%s: the model changed through encode/decode", name)
		}
		out2, _ := Encode(m2)
		if !bytes.Equal(out1, out2) {
			t.Errorf("%s: encoding is not idempotent", name)
		}
	}
}

// The canonical form keeps the order of bundle.md's tables.
func TestCanonicalKeyOrder(t *testing.T) {
	m, err := Decode("minimal.yaml", read(t, "testdata/minimal.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	out, _ := Encode(m)
	s := string(out)
	order := []string{"format:", "organization:", "people:", "cloud_services:", "risk_criteria:", "risks:"}
	last := -1
	for _, k := range order {
		i := strings.Index(s, "\n"+k)
		if k == "format:" {
			i = strings.Index(s, k)
		}
		if i <= last {
			t.Fatalf("%s out of order in\n%s", k, s)
		}
		last = i
	}
	if !strings.Contains(s, "controls: [\"8.13\"]") || !strings.Contains(s, "date: 2026-04-01") {
		t.Errorf("ids should be flow lists of text and dates plain:\n%s", s)
	}
}

// toJSON writes a parsed document as JSON, indented with tabs (which YAML
// readers refuse), to prove JSON input reads as the same model.
func nodeToJSON(n *node) any {
	switch n.kind {
	case mapNode:
		var b strings.Builder
		b.WriteString("{")
		for i := 0; i+1 < len(n.kids); i += 2 {
			if i > 0 {
				b.WriteString(",")
			}
			k, _ := json.Marshal(n.kids[i].value)
			v, _ := json.Marshal(nodeToJSON(n.kids[i+1]))
			b.Write(k)
			b.WriteString(":")
			b.Write(v)
		}
		b.WriteString("}")
		return json.RawMessage(b.String())
	case seqNode:
		out := []any{}
		for _, k := range n.kids {
			out = append(out, nodeToJSON(k))
		}
		return out
	}
	switch n.tag {
	case "int", "float":
		return json.Number(n.value)
	case "bool":
		return n.value == "true"
	case "null":
		return nil
	}
	return n.value
}

func TestJSONInput(t *testing.T) {
	for name, src := range documents(t) {
		root, err := parse(name, src)
		if err != nil {
			t.Fatal(err)
		}
		raw, err := json.Marshal(nodeToJSON(root))
		if err != nil {
			t.Fatal(err)
		}
		var pretty bytes.Buffer
		if err := json.Indent(&pretty, raw, "", "\t"); err != nil {
			t.Fatal(err)
		}
		fromYAML, err := Decode(name, src)
		if err != nil {
			t.Fatal(err)
		}
		for _, jsonName := range []string{"bundle.json", "bundle.txt"} {
			fromJSON, err := Decode(jsonName, pretty.Bytes())
			if err != nil {
				t.Fatalf("%s as JSON (%s): %v", name, jsonName, err)
			}
			if !reflect.DeepEqual(fromYAML, fromJSON) {
				t.Errorf("%s: JSON and YAML read differently", name)
			}
		}
	}
}

// problem is what an error case expects: the path, the line (0: any) and
// the message key.
type problem struct {
	path string
	line int
	key  string
}

func edit(t *testing.T, src, old, new string) string {
	t.Helper()
	if !strings.Contains(src, old) {
		t.Fatalf("test setup: %q not in document", old)
	}
	return strings.Replace(src, old, new, 1)
}

func TestErrors(t *testing.T) {
	base := string(read(t, "testdata/minimal.yaml"))
	cases := []struct {
		name     string
		file     string
		doc      func(t *testing.T) string
		problems []problem
	}{
		{"unknown top-level key", "", func(t *testing.T) string { return base + "colour: red\n" },
			[]problem{{"colour", 37, "bundle.unknown_key"}}},
		{"unknown nested key", "", func(t *testing.T) string {
			return edit(t, base, "    treatment: modify", "    severity: 3\n    treatment: modify")
		},
			[]problem{{"risks[0].severity", 34, "bundle.unknown_key"}}},
		{"wrong type", "", func(t *testing.T) string { return edit(t, base, "likelihood: 1", "likelihood: high") },
			[]problem{{"risks[0].likelihood", 32, "bundle.type"}}},
		{"list where an object belongs", "", func(t *testing.T) string { return edit(t, base, "organization:\n", "organization: [a]\nx:\n") },
			[]problem{{"organization", 2, "bundle.type"}, {"x", 3, "bundle.unknown_key"}}},
		{"bad enum", "", func(t *testing.T) string { return edit(t, base, "treatment: modify", "treatment: reduce") },
			[]problem{{"risks[0].treatment", 34, "bundle.enum"}}},
		{"bad enum in a list", "", func(t *testing.T) string {
			return edit(t, base, "    name: 山田", "    name: 山田\n    cloud_duties: [operation, sleeping]")
		},
			[]problem{{"people[0].cloud_duties[1]", 11, "bundle.enum"}}},
		{"duplicate id", "", func(t *testing.T) string {
			return base + "  - id: r1\n    title: 二重\n    treatment: retain\n"
		}, []problem{{"risks[1].id", 37, "bundle.duplicate_id"}}},
		{"duplicate key", "", func(t *testing.T) string { return edit(t, base, "    impact: 2", "    impact: 2\n    impact: 1") },
			[]problem{{"risks[0].impact", 34, "bundle.duplicate_key"}}},
		{"reference to a missing person", "", func(t *testing.T) string { return edit(t, base, "owner: p1", "owner: p9") },
			[]problem{{"risks[0].owner", 31, "bundle.unknown_ref"}}},
		{"reference to a missing service", "", func(t *testing.T) string {
			return edit(t, base, "    owner: p1", "    services: [svc-a, svc-z]\n    owner: p1")
		},
			[]problem{{"risks[0].services[1]", 31, "bundle.unknown_ref"}}},
		{"provider neither self nor a supplier", "", func(t *testing.T) string { return edit(t, base, "provider: self", "provider: aws") },
			[]problem{{"cloud_services[0].provider", 16, "bundle.unknown_provider"}}},
		{"malformed date", "", func(t *testing.T) string { return edit(t, base, "2026-04-01", "2026-02-30") },
			[]problem{{"risks[0].approval.date", 36, "bundle.date"}}},
		{"date in another form", "", func(t *testing.T) string { return edit(t, base, "2026-04-01", "2026/04/01") },
			[]problem{{"risks[0].approval.date", 36, "bundle.date"}}},
		{"v2: reassessment interval not positive", "", func(t *testing.T) string {
			return edit(t, base, "  acceptance: 2", "  acceptance: 2\n  reassessment_interval_days: 0")
		},
			[]problem{{"risk_criteria.reassessment_interval_days", 28, "bundle.positive"}}},
		{"v2: assessed_on not a date", "", func(t *testing.T) string {
			return edit(t, base, "    treatment: modify", "    assessed_on: yesterday\n    treatment: modify")
		},
			[]problem{{"risks[0].assessed_on", 34, "bundle.date"}}},
		{"v2: verification date and interval", "", func(t *testing.T) string {
			return base + "verifications:\n  - id: v1\n    service: svc-a\n    date: 2026-13-01\n    verification_interval_days: -5\n"
		},
			[]problem{{"verifications[0].date", 40, "bundle.date"}, {"verifications[0].verification_interval_days", 41, "bundle.positive"}}},
		{"unknown control", "", func(t *testing.T) string { return edit(t, base, "[8.13]", "[8.13, 9.99]") },
			[]problem{{"risks[0].controls[1]", 35, "bundle.unknown_control"}}},
		{"control of the other edition", "", func(t *testing.T) string { return edit(t, base, "[8.13]", "[A.12.3.1]") },
			[]problem{{"risks[0].controls[0]", 35, "bundle.control_edition"}}},
		{"unknown risk source", "", func(t *testing.T) string {
			return edit(t, base, "    owner: p1", "    sources: [cloud.backup, cloud.weather]\n    owner: p1")
		},
			[]problem{{"risks[0].sources[1]", 31, "bundle.unknown_source"}}},
		{"unknown format", "", func(t *testing.T) string { return edit(t, base, "cloudisms/v1", "cloudisms/v2") },
			[]problem{{"format", 1, "bundle.format"}}},
		{"missing format", "", func(t *testing.T) string { return edit(t, base, "format: cloudisms/v1\n", "") },
			[]problem{{"format", 1, "bundle.required"}}},
		{"missing required field", "", func(t *testing.T) string { return edit(t, base, "    name: サービスA\n", "") },
			[]problem{{"cloud_services[0].name", 12, "bundle.required"}}},
		{"null counts as missing", "", func(t *testing.T) string { return edit(t, base, "model: saas", "model:") },
			[]problem{{"cloud_services[0].model", 12, "bundle.required"}}},
		{"id pattern", "", func(t *testing.T) string { return edit(t, base, "id: r1", "id: Risk 1") },
			[]problem{{"risks[0].id", 29, "bundle.id_pattern"}}},
		{"scale out of order", "", func(t *testing.T) string { return edit(t, base, "{level: 2, label: 高}", "{level: 3, label: 高}") },
			[]problem{{"risk_criteria.scales.likelihood[1].level", 21, "bundle.scale_order"}}},
		{"scale the method needs", "", func(t *testing.T) string {
			return edit(t, base, "method: likelihood-impact", "method: asset-threat-vulnerability")
		}, []problem{
			{"risk_criteria.scales.asset_value", 21, "bundle.scale_missing"},
			{"risk_criteria.scales.threat", 21, "bundle.scale_missing"},
			{"risk_criteria.scales.vulnerability", 21, "bundle.scale_missing"},
		}},
		{"service SoA without role", "", func(t *testing.T) string { return base + "soa:\n  - service: svc-a\n    rows: []\n" },
			[]problem{{"soa[0].role", 38, "bundle.soa_role_required"}}},
		{"duplicate SoA row", "", func(t *testing.T) string {
			return base + "soa:\n  - rows:\n      - {control: 5.1, applicable: true}\n      - {control: 5.1, applicable: false}\n"
		}, []problem{{"soa[0].rows[1].control", 40, "bundle.duplicate_row"}}},
		{"bad evidence hash", "", func(t *testing.T) string {
			return base + "documents:\n  - id: d1\n    evidence: [{name: a.pdf, sha256: abc}]\n"
		}, []problem{{"documents[0].evidence[0].sha256", 39, "bundle.sha256"}}},
		{"syntax error", "", func(t *testing.T) string {
			return edit(t, base, "  name: テスト株式会社", "  name: [テスト株式会社")
		},
			[]problem{{"", 0, "bundle.syntax"}}},
		{"empty document", "", func(t *testing.T) string { return "# nothing here\n" },
			[]problem{{"", 1, "bundle.empty"}}},
		{"not a mapping", "", func(t *testing.T) string { return "- a\n- b\n" },
			[]problem{{"", 1, "bundle.type"}}},
		{"JSON with a wrong type", "b.json", func(t *testing.T) string {
			return "{\n\t\"format\": \"cloudisms/v1\",\n\t\"organization\": 5,\n\t\"cloud_services\": [],\n\t\"risk_criteria\": {\"method\": \"likelihood-impact\", \"scales\": {\"likelihood\": [{\"level\": 1}], \"impact\": [{\"level\": 1}]}, \"acceptance\": 1}\n}\n"
		}, []problem{{"organization", 3, "bundle.type"}}},
		{"broken JSON", "b.json", func(t *testing.T) string { return "{\n\"format\": \"cloudisms/v1\",\n}" },
			[]problem{{"", 3, "bundle.syntax"}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			file := tc.file
			if file == "" {
				file = "case.yaml"
			}
			doc := tc.doc(t)
			_, err := Decode(file, []byte(doc))
			var errs Errors
			if !errors.As(err, &errs) {
				t.Fatalf("want Errors, got %v", err)
			}
			if len(errs) != len(tc.problems) {
				t.Fatalf("got %d problems, want %d:\n%s", len(errs), len(tc.problems), errs.In(i18n.EN))
			}
			for i, want := range tc.problems {
				got := errs[i]
				if got.Path != want.path || got.Msg.Key != want.key || (want.line != 0 && got.Line != want.line) || got.File != file {
					t.Errorf("problem %d = %s:%d %s %s, want line %d %s %s", i, got.File, got.Line, got.Path, got.Msg.Key, want.line, want.path, want.key)
				}
				for _, lang := range i18n.Langs {
					if s := got.In(lang); strings.Contains(s, "{") && !strings.Contains(doc, "{") {
						t.Errorf("unreplaced placeholder: %s", s)
					}
				}
			}
		})
	}
}

// A document with many problems reports all of them, in line order.
func TestAllProblemsAtOnce(t *testing.T) {
	doc := strings.NewReplacer(
		"annex_a: iso27001:2022", "annex_a: iso27001:2099",
		"model: saas", "model: cloud",
		"owner: p1", "owner: nobody",
		"likelihood: 1\n", "likelihood: one\n",
		"treatment: modify", "treatment: hope",
	).Replace(string(read(t, "testdata/minimal.yaml"))) + "extra: 1\n"
	_, err := Decode("many.yaml", []byte(doc))
	var errs Errors
	if !errors.As(err, &errs) {
		t.Fatal(err)
	}
	var paths []string
	for _, p := range errs {
		paths = append(paths, fmt.Sprintf("%d:%s", p.Line, p.Path))
	}
	want := "5:organization.annex_a 14:cloud_services[0].model 31:risks[0].owner 32:risks[0].likelihood 34:risks[0].treatment 37:extra"
	if strings.Join(paths, " ") != want {
		t.Errorf("got %s\nwant %s", strings.Join(paths, " "), want)
	}
	ja := errs.In(i18n.JA)
	if !strings.Contains(ja, "many.yaml:14: cloud_services[0].model: 「cloud」は使えません") {
		t.Errorf("Japanese rendering:\n%s", ja)
	}
}
