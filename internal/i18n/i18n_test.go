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
