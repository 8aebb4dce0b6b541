package bundle

import (
	"bytes"
	"errors"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/cloudisms/cloudisms/internal/isms"
)

// addSeeds gives the fuzzers small documents: large seeds make every run
// and every minimisation slow, and the samples are covered by unit tests.
func addSeeds(f *testing.F) {
	f.Add(read(f, "testdata/minimal.yaml"))
	for _, s := range []string{
		"format: cloudisms/v1\n", "a: |\n  x\n  y\n", "a: |-\n  x\n\n", "a: |+\n  x\n", "a:\n- b\n- c: d\n  e: f\n",
		"a: [b, 'c''d', \"e\\u00e9\"]\n", "a: {}\n", "a: 08\n", "a: 0x1F\n", "a: 1_000\n", "a: .5\n", "a: 2026-1-2\n",
		"a: &x 1\nb: *x\n", "a: b: c\n", "- - a\n  - b\n", "a:\n  - b\n c: d\n", "? a\n: b\n", "a: >\n  x\n",
		"{\"format\": \"cloudisms/v1\"}", "a: 'x\n  y'\n", "a: x\n  y\n", "a: # c\n  b: 1\n",
	} {
		f.Add([]byte(s))
	}
}

// FuzzDecode: the decoder never panics, and what it accepts survives
// encode/decode unchanged.
func FuzzDecode(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, src []byte) {
		m, err := Decode("fuzz.yaml", src)
		if err != nil {
			var errs Errors
			if !errors.As(err, &errs) || len(errs) == 0 {
				t.Fatalf("error is not a list of problems: %v", err)
			}
			return
		}
		out, err := Encode(m)
		if err != nil {
			t.Fatalf("encode: %v", err)
		}
		m2, err := Decode("fuzz.yaml", out)
		if err != nil {
			t.Fatalf("canonical form rejected: %v\n%s", err, out)
		}
		if !reflect.DeepEqual(m, m2) {
			t.Fatalf("model changed through the canonical form\n%s", out)
		}
		out2, _ := Encode(m2)
		if !bytes.Equal(out, out2) {
			t.Fatal("encoding not idempotent")
		}
	})
}

// FuzzFastParser: whatever the fast path accepts, it reads exactly as the
// general YAML parser does.
func FuzzFastParser(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, src []byte) {
		fast, ok, ferr := parseFast(src)
		if !ok {
			return
		}
		slow, err := parseYAML(src)
		if ferr != nil {
			if err == nil {
				t.Fatalf("fast path refused (%v) what YAML reads:\n%q", ferr, src)
			}
			return
		}
		if err != nil {
			t.Fatalf("fast path accepted what YAML rejects (%v):\n%q", err, src)
		}
		if diff := sameNode(fast, slow, "$"); diff != "" {
			t.Fatalf("fast path reads differently at %s:\n%q", diff, src)
		}
	})
}

// sameNode compares two trees and returns where they differ ("" if not).
func sameNode(a, b *node, at string) string {
	if a.kind != b.kind || a.line != b.line {
		return at + " kind/line"
	}
	if a.kind == scalarNode {
		if a.tag != b.tag || a.value != b.value {
			return at + " " + a.tag + ":" + a.value + " vs " + b.tag + ":" + b.value
		}
		return ""
	}
	if len(a.kids) != len(b.kids) {
		return at + " length"
	}
	for i := range a.kids {
		if d := sameNode(a.kids[i], b.kids[i], at+"/"+strings.TrimSpace(a.kids[i].value)); d != "" {
			return d
		}
	}
	return ""
}

func TestFastPathTakesBundles(t *testing.T) {
	for name, src := range documents(t) {
		fast, ok, err := parseFast(src)
		if !ok || err != nil {
			t.Errorf("%s: the fast path gave up on a plain bundle (%v)", name, err)
			continue
		}
		slow, err := parseYAML(src)
		if err != nil {
			t.Fatal(err)
		}
		if d := sameNode(fast, slow, "$"); d != "" {
			t.Errorf("%s: differs at %s", name, d)
		}
		// The canonical form, too, is read by the fast path.
		m, _ := Decode(name, src)
		out, _ := Encode(m)
		if _, ok, _ := parseFast(out); !ok {
			t.Errorf("%s: the fast path gave up on the canonical form", name)
		}
	}
}

// FuzzTextRoundTrip: any text, in any text field, list or factor, comes
// back unchanged through the canonical form.
func FuzzTextRoundTrip(f *testing.F) {
	for _, s := range []string{"株式会社", "a: b", "- x", "yes", "1.0", "8.13", "2026-01-01", "x\ny\n", "x\n\n", " lead", "trail ", "\ttab", "#c", "a #b", "é\u0085", "null", "~", "", "[a]", "x\n y", "\n\nx", "\"q\"", "'s'", "|", "<<"} {
		f.Add(s)
	}
	base := read(f, "testdata/minimal.yaml")
	f.Fuzz(func(t *testing.T, s string) {
		if !utf8.ValidString(s) || s == "" {
			return // YAML text is UTF-8; empty text means absent
		}
		m, err := Decode("minimal.yaml", base)
		if err != nil {
			t.Fatal(err)
		}
		m.Organization.ISMSScope = s
		m.Organization.CloudScope = s + "\n" + s
		m.Risks[0].Title = s
		m.Risks[0].Threat = isms.Factor{Set: true, Text: s}
		m.Services[0].DataLocations = []string{s, s + ","}
		out, err := Encode(m)
		if err != nil {
			t.Fatal(err)
		}
		m2, err := Decode("out.yaml", out)
		if err != nil {
			t.Fatalf("canonical form rejected: %v\n%s", err, out)
		}
		if !reflect.DeepEqual(m, m2) {
			t.Fatalf("text changed: %q\n%s", s, out)
		}
	})
}
