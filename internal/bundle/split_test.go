package bundle

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

// Splitting an ISMS into items and joining them gives the same ISMS, and
// the same canonical bundle.
func TestSplitJoin(t *testing.T) {
	for name, src := range documents(t) {
		m, err := Decode(name, src)
		if err != nil {
			t.Fatal(err)
		}
		items := Split(m)
		keys := map[string]bool{}
		for _, it := range items {
			k := it.Kind + "/" + it.Key
			if keys[k] {
				t.Errorf("%s: item key %s twice", name, k)
			}
			keys[k] = true
		}
		m2, err := Join(name, items)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !reflect.DeepEqual(m, m2) {
			t.Errorf("%s: join(split(m)) != m", name)
		}
		a, _ := Encode(m)
		b, _ := Encode(m2)
		if string(a) != string(b) {
			t.Errorf("%s: canonical forms differ", name)
		}
	}
}

func TestJoinValidatesTheWhole(t *testing.T) {
	m, err := Decode("minimal.yaml", read(t, "testdata/minimal.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	items := Split(m)
	var kept []Item
	for _, it := range items {
		if it.Kind != "people" {
			kept = append(kept, it)
		}
	}
	_, err = Join("org", kept)
	var errs Errors
	if !errors.As(err, &errs) || len(errs) != 2 || errs[0].Path != "risks[0].owner" {
		t.Fatalf("want the dangling owner reported, got %v", err)
	}
}

func TestDecodeItem(t *testing.T) {
	for _, tc := range []struct {
		kind, key, data string
		wantKey         string
		refs            string
		errPath         string
	}{
		{"risks", "", `{"id":"r9","title":"x","owner":"p1","treatment":"modify","controls":["8.13"],"services":["svc-a"]}`, "r9", "people:p1 cloud_services:svc-a", ""},
		{"risks", "", `{"id":"r9","title":"x","treatment":"reduce"}`, "", "", "risks.treatment"},
		{"risks", "", `{"id":"r9","title":"x","treatment":"retain","controls":["A.12.3.1"]}`, "", "", "risks.controls[0]"},
		{"risks", "", `{"id":"r9","title":"x","treatment":"retain","sources":["cloud.backup","own.x"]}`, "r9", "source:own.x", ""},
		{"soa_rows", "organization/5.1", `{"control":"5.1","applicable":true,"reasons":["risk"],"implementation":"implemented"}`, "organization/5.1", "", ""},
		{"soa", "", `{"rows":[]}`, "organization", "", ""},
		{"soa", "", `{"rows":[{"control":"5.1"}]}`, "", "", "soa.rows"},
		{"backups", "000003", `{"service":"svc-a","tests":[{"date":"2026-02-30","result":"pass"}]}`, "", "", "backups.tests[0].date"},
		{"organization", "", `[1]`, "", "", "organization"},
		{"cloud_services", "", `{"id":"s","name":"S","model":"saas","role":"provider","provider":"self","in_scope":true,"colour":1}`, "", "", "cloud_services.colour"},
	} {
		it, refs, err := DecodeItem(tc.kind, tc.key, []byte(tc.data), "iso27001:2022")
		if tc.errPath != "" {
			var errs Errors
			if !errors.As(err, &errs) || errs[0].Path != tc.errPath {
				t.Errorf("%s %s: want error at %s, got %v", tc.kind, tc.data, tc.errPath, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", tc.kind, err)
			continue
		}
		var got []string
		for _, r := range refs {
			got = append(got, r.List+":"+r.ID)
		}
		if it.Key != tc.wantKey || strings.Join(got, " ") != tc.refs {
			t.Errorf("%s: key %q refs %v", tc.kind, it.Key, got)
		}
	}
}
