package site

import (
	"strings"
	"testing"
	"time"

	"github.com/cloudisms/cloudisms/internal/isms"
)

// The side navigation groups sections by ISMS area in the order of the
// standard; a section without an area keeps its own place.
func TestGroupNav(t *testing.T) {
	items := []NavItem{
		{Order: 10, Section: "dashboard"}, {Order: 20, Section: "scope"}, {Order: 30, Section: "criteria"},
		{Order: 40, Section: "assets"}, {Order: 50, Section: "risks"}, {Order: 60, Section: "soa"},
		{Order: 70, Section: "responsibilities"}, {Order: 75, Section: "verifications"}, {Order: 80, Section: "legal"},
		{Order: 85, Section: "something-new"}, {Order: 120, Section: "audits"}, {Order: 900, Section: "admin"},
		{Order: 910, Section: "members"},
	}
	var got []string
	for _, g := range groupNav(items) {
		var secs []string
		for _, n := range g.Items {
			secs = append(secs, n.Section)
		}
		got = append(got, g.Label+":"+strings.Join(secs, ","))
	}
	want := []string{
		":dashboard,scope,assets",
		"look.nav.risk:criteria,risks,soa",
		"look.nav.cloud:responsibilities,verifications",
		"look.nav.ops:legal",
		":something-new",
		"look.nav.improve:audits",
		"look.nav.admin:admin,members",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("groups:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// Every registered section is shown exactly once.
	n := 0
	for _, g := range groupNav(navItems) {
		n += len(g.Items)
	}
	if n != len(navItems) {
		t.Errorf("%d entries in groups, %d registered", n, len(navItems))
	}
}

func TestProseDate(t *testing.T) {
	d := time.Date(2026, 11, 6, 23, 0, 0, 0, isms.JST)
	for lang, want := range map[string]string{"ja": "2026年11月6日", "en": "6 November 2026"} {
		if got := proseDate(d, lang); got != want {
			t.Errorf("%s: %q, want %q", lang, got, want)
		}
	}
}
