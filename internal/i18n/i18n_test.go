package i18n

import (
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
)

var placeholder = regexp.MustCompile(`\{[a-z_]+\}`)

// The catalogs must hold the same keys, no empty text, and the same
// placeholders, so that no message is missing or garbled in either language.
func TestCatalogsMatch(t *testing.T) {
	ja, en := Keys(JA), Keys(EN)
	sort.Strings(ja)
	sort.Strings(en)
	if !slices.Equal(ja, en) {
		for _, k := range ja {
			if !Has(EN, k) {
				t.Errorf("%s: missing in en.json", k)
			}
		}
		for _, k := range en {
			if !Has(JA, k) {
				t.Errorf("%s: missing in ja.json", k)
			}
		}
	}
	for _, k := range ja {
		j, e := M(k).In(JA), M(k).In(EN)
		if strings.TrimSpace(j) == "" || strings.TrimSpace(e) == "" {
			t.Errorf("%s: empty text", k)
		}
		pj, pe := placeholder.FindAllString(j, -1), placeholder.FindAllString(e, -1)
		sort.Strings(pj)
		sort.Strings(pe)
		if !slices.Equal(slices.Compact(pj), slices.Compact(pe)) {
			t.Errorf("%s: placeholders differ: ja %v, en %v", k, pj, pe)
		}
	}
}

func TestRender(t *testing.T) {
	m := M("bundle.enum", "value", "x", "allowed", "a, b")
	if got := m.In(EN); got != `"x" is not allowed (expected one of: a, b)` {
		t.Errorf("en: %s", got)
	}
	if got := m.In("fr"); got != m.In(JA) {
		t.Errorf("unknown language should fall back to Japanese: %s", got)
	}
	nested := M("bundle.type", "expected", M("type.int"), "found", M("type.found_text", "value", "abc"))
	if got := nested.In(EN); got != `expected an integer, found the text "abc"` {
		t.Errorf("nested: %s", got)
	}
	if got := M("cli.one_file", "command", []string{"a", "b"}).In(JA); !strings.Contains(got, "a、b") {
		t.Errorf("list: %s", got)
	}
}

func TestFromEnv(t *testing.T) {
	for in, want := range map[string]string{"ja_JP.UTF-8": JA, "en_US.UTF-8": EN, "en": EN, "C": JA, "": JA, "de_DE": JA} {
		if got := FromEnv(in); got != want {
			t.Errorf("FromEnv(%q) = %s, want %s", in, got, want)
		}
	}
}

// fillByReplacer is how messages were filled before fill: a
// strings.Replacer of every argument, first one of a name winning.
func fillByReplacer(tpl string, args []Arg, lang string) string {
	pairs := make([]string, 0, 2*len(args))
	for _, a := range args {
		pairs = append(pairs, "{"+a.Name+"}", render(a.Value, lang))
	}
	return strings.NewReplacer(pairs...).Replace(tpl)
}

// TestFillAsReplacer: every message of both catalogs, with its
// placeholders given values (some holding braces themselves, some names
// repeated, one missing), and a few made-up templates, fill as a Replacer
// would.
func TestFillAsReplacer(t *testing.T) {
	tpls := []string{"", "{", "}", "{}", "{a", "a}", "{{a}}", "{a}{a}", "x {b} y {a}", "{ {a} }", "{missing} {a}", "{a}}{", "日本語{a}です"}
	for _, lang := range []string{JA, EN} {
		for _, k := range Keys(lang) {
			tpls = append(tpls, catalogs[lang][k])
		}
	}
	for i, tpl := range tpls {
		var args []Arg
		for j, p := range placeholder.FindAllString(tpl, -1) {
			name := strings.Trim(p, "{}")
			if j == 1 {
				continue // one placeholder left without a value
			}
			args = append(args, Arg{Name: name, Value: "<" + name + " {a} 値>"})
		}
		args = append(args, Arg{Name: "a", Value: i}, Arg{Name: "a", Value: "second"}, Arg{Name: "b", Value: []string{"x", "y"}})
		for _, lang := range []string{JA, EN} {
			if got, want := fill(tpl, args, lang), fillByReplacer(tpl, args, lang); got != want {
				t.Fatalf("%q (%s): %q, want %q", tpl, lang, got, want)
			}
		}
	}
}

// BenchmarkFill is one message with two arguments, as pages translate
// thousands (fill against the Replacer it replaced).
func BenchmarkFill(b *testing.B) {
	m := M("bundle.enum", "value", "x", "allowed", "a, b")
	b.Run("fill", func(b *testing.B) {
		for b.Loop() {
			m.In(EN)
		}
	})
	b.Run("replacer", func(b *testing.B) {
		tpl := catalogs[EN]["bundle.enum"]
		for b.Loop() {
			fillByReplacer(tpl, m.Args, EN)
		}
	})
}
