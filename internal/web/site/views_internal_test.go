package site

import (
	"fmt"
	"html/template"
	"testing"

	"github.com/cloudisms/cloudisms/internal/store"
)

// TestPartsKeptApartFromViews: rendered HTML of many variants (an SoA's
// rows per filter and page) fills a cache of its own, bounded, and never
// pushes out the views pages compute from (names, drawings).
func TestPartsKeptApartFromViews(t *testing.T) {
	a := &App{views: newViews(), parts: store.NewHeadCache[any](maxParts), navs: store.NewHeadCache[any](maxNavs)}
	made := 0
	names := func() any { made++; return "names" }
	a.View("o", 1, "ja", "names", names)
	for i := range maxViews + maxParts {
		a.PartIf("o", 1, "ja", fmt.Sprint("rows ", i), func() (any, bool) { return template.HTML("<tr></tr>"), true })
	}
	a.View("o", 1, "ja", "names", names)
	if made != 1 {
		t.Errorf("the view was made %d times, want once: the parts pushed it out", made)
	}
	renders := 0
	part := func() (any, bool) { renders++; return template.HTML("<tr></tr>"), true }
	a.PartIf("o", 1, "ja", "recent", part)
	a.PartIf("o", 1, "ja", "recent", part)
	if renders != 1 {
		t.Errorf("a kept part was rendered %d times, want once", renders)
	}
}
