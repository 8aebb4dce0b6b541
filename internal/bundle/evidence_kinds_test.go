package bundle

import (
	"reflect"
	"strings"
	"testing"

	"github.com/cloudisms/cloudisms/internal/isms"
)

// Evidence on a risk, a service's monitoring entry and a management
// review: decoded strictly, written back in the canonical place, found by
// EvidenceRefs (so the store checks that the organization holds the files)
// and decoded the same again.
func TestEvidenceOnRisksMonitoringReviews(t *testing.T) {
	const a, b, c = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
		"bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb", "cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc"
	base := string(read(t, "testdata/minimal.yaml"))
	doc := edit(t, base, "    approval: {by: p1, date: 2026-04-01}", "    approval: {by: p1, date: 2026-04-01}\n    evidence: [{name: 評価表.xlsx, sha256: "+a+"}]") +
		"monitoring:\n  - service: svc-a\n    items:\n      - what: 死活監視\n        owner: p1\n        evidence: [{name: 月次報告.pdf, sha256: " + b + "}]\n" +
		"reviews:\n  - id: mr-1\n    date: 2026-05-01\n    chair: p1\n    evidence: [{name: 議事録.pdf, sha256: " + c + "}]\n"
	m, err := Decode("b.yaml", []byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	want := func(name, sum string) []isms.Evidence { return []isms.Evidence{{Name: name, SHA256: sum}} }
	if !reflect.DeepEqual(m.Risks[0].Evidence, want("評価表.xlsx", a)) || !reflect.DeepEqual(m.Monitoring[0].Items[0].Evidence, want("月次報告.pdf", b)) ||
		!reflect.DeepEqual(m.Reviews[0].Evidence, want("議事録.pdf", c)) {
		t.Fatalf("decoded: %+v %+v %+v", m.Risks[0].Evidence, m.Monitoring[0].Items, m.Reviews[0].Evidence)
	}
	out, err := Encode(m)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"    evidence:\n      - name: 評価表.xlsx", "        evidence:\n          - name: 月次報告.pdf", "    evidence:\n      - name: 議事録.pdf"} {
		if !strings.Contains(string(out), s) {
			t.Errorf("canonical YAML lacks %q:\n%s", s, out)
		}
	}
	again, err := Decode("b.yaml", out)
	if err != nil || !reflect.DeepEqual(again, m) {
		t.Fatalf("round trip: %v", err)
	}
	refs, err := EvidenceRefs("b.yaml", out, "")
	if err != nil {
		t.Fatal(err)
	}
	paths := map[string]string{}
	for _, r := range refs {
		paths[r.Path] = r.ID
	}
	for path, sum := range map[string]string{"risks[0].evidence[0].sha256": a, "monitoring[0].items[0].evidence[0].sha256": b, "reviews[0].evidence[0].sha256": c} {
		if paths[path] != sum {
			t.Errorf("EvidenceRefs: %s = %q, want %s (%v)", path, paths[path], sum, paths)
		}
	}
	// Strict: a bad hash and an unknown key are refused where they are.
	for _, c := range []struct{ name, doc, path, key string }{
		{"bad hash on a risk", strings.Replace(doc, a, "abc", 1), "risks[0].evidence[0].sha256", "bundle.sha256"},
		{"unknown key in a monitoring entry's evidence", strings.Replace(doc, "{name: 月次報告.pdf,", "{name: 月次報告.pdf, size: 3,", 1), "monitoring[0].items[0].evidence[0].size", "bundle.unknown_key"},
		{"review evidence without a name", strings.Replace(doc, "{name: 議事録.pdf, sha256: "+c+"}", "{sha256: "+c+"}", 1), "reviews[0].evidence[0].name", "bundle.required"},
	} {
		_, err := Decode("b.yaml", []byte(c.doc))
		errs, ok := err.(Errors)
		if !ok || len(errs) != 1 || errs[0].Path != c.path || errs[0].Msg.Key != c.key {
			t.Errorf("%s: %v, want %s at %s", c.name, err, c.key, c.path)
		}
	}
}
