package draw

import (
	"regexp"
	"strconv"
	"testing"

	"github.com/cloudisms/cloudisms/internal/i18n"
	"github.com/cloudisms/cloudisms/internal/isms"
)

// The coverage legend's entries never run into each other, in either
// language (English labels are the longer).
func TestCoverageLegendDoesNotOverlap(t *testing.T) {
	for _, lang := range i18n.Langs {
		tr := func(key string, args ...any) string { return i18n.M(key, args...).In(lang) }
		svg := string(Coverage([]isms.SoASummary{{Service: "svc", Role: "provider"}}, tr, func(s, r string) string { return s }))
		re := regexp.MustCompile(`<text x="([0-9.]+)" y="([0-9.]+)" class="legend">([^<]+)</text>`)
		type entry struct {
			x, y float64
			text string
		}
		var prev *entry
		for _, m := range re.FindAllStringSubmatch(svg, -1) {
			x, _ := strconv.ParseFloat(m[1], 64)
			y, _ := strconv.ParseFloat(m[2], 64)
			e := entry{x, y, m[3]}
			if prev != nil && prev.y == e.y && prev.x+textWidth(prev.text) > e.x-16 {
				t.Errorf("%s: %q runs into %q", lang, prev.text, e.text)
			}
			prev = &e
		}
		if prev == nil {
			t.Fatalf("%s: no legend", lang)
		}
	}
}

// A long service name widens its box instead of being cut.
func TestSupplyChainFitsNames(t *testing.T) {
	long := "クラウド勤怠管理サービス「サンプル勤怠」"
	m := &isms.ISMS{Services: []isms.CloudService{{ID: "s", Name: long, Role: "provider", Provider: "self", InScope: true, Model: "saas"}}}
	svg := string(SupplyChain(m, func(key string, args ...any) string { return key }))
	if !regexp.MustCompile(`class="sc-name">` + regexp.QuoteMeta(long) + `<`).MatchString(svg) {
		t.Errorf("the name is cut:\n%s", svg)
	}
}

// TestEsc: the shared escaper escapes as a Replacer made per call did, and
// text without markup comes back unchanged.
func TestEsc(t *testing.T) {
	for in, want := range map[string]string{
		"":                   "",
		"受容基準":               "受容基準",
		`a&b<c>"d"'e'`:       "a&amp;b&lt;c&gt;&quot;d&quot;&#39;e&#39;",
		"既に &amp; 含む":        "既に &amp;amp; 含む",
		"<script>x</script>": "&lt;script&gt;x&lt;/script&gt;",
	} {
		if got := esc(in); got != want {
			t.Errorf("esc(%q) = %q, want %q", in, got, want)
		}
	}
}
