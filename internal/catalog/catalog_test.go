package catalog

import (
	"slices"
	"testing"
)

func TestCounts(t *testing.T) {
	c := Std()
	guidance, cld := 0, 0
	for _, x := range c.Cloud {
		switch x.Kind {
		case "guidance":
			guidance++
		case "cld":
			cld++
		}
	}
	newIn2022 := 0
	for _, x := range c.Annex2022 {
		if len(x.Maps2013) == 0 {
			newIn2022++
		}
	}
	required := 0
	for _, s := range c.Sources {
		if s.Required {
			required++
		}
	}
	for _, tc := range []struct {
		name      string
		got, want int
	}{
		{"ISO/IEC 27001:2022 Annex A", len(c.Annex2022), 93},
		{"ISO/IEC 27001:2013 Annex A", len(c.Annex2013), 114},
		{"ISO/IEC 27017 items", len(c.Cloud), 44},
		{"27017 guidance items", guidance, 37},
		{"CLD controls", cld, 7},
		{"2022 controls new in 2022", newIn2022, 11},
		{"risk sources", len(c.Sources), 17},
		{"required risk sources", required, 6},
	} {
		if tc.got != tc.want {
			t.Errorf("%s: %d, want %d", tc.name, tc.got, tc.want)
		}
	}
}

func TestThemes(t *testing.T) {
	count := map[string]int{}
	for _, x := range Std().Annex2022 {
		count[x.Theme]++
	}
	want := map[string]int{"organizational": 37, "people": 8, "physical": 14, "technological": 34}
	for k, v := range want {
		if count[k] != v {
			t.Errorf("theme %s: %d controls, want %d", k, count[k], v)
		}
	}
}

func TestCorrespondence(t *testing.T) {
	c := Std()
	for _, tc := range []struct {
		id   string
		want []string
	}{
		{"5.1", []string{"A.5.1.1", "A.5.1.2"}},
		{"8.13", []string{"A.12.3.1"}},
		{"5.23", nil}, // new in 2022: cloud services
		{"A.12.3.1", []string{"8.13"}},
		{"A.9.4.3", []string{"5.17"}},
	} {
		ctl, ok := c.Lookup(tc.id)
		if !ok {
			t.Fatalf("%s not found", tc.id)
		}
		got := ctl.Maps2013
		if ctl.Framework == ISO27001v2013 {
			got = ctl.Maps2022
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("%s maps to %v, want %v", tc.id, got, tc.want)
		}
	}
	// Every 2013 control has a 2022 counterpart.
	for _, x := range c.Annex2013 {
		if len(x.Maps2022) == 0 {
			t.Errorf("2013 control %s maps to nothing", x.ID)
		}
	}
}

func TestCloudItems(t *testing.T) {
	c := Std()
	for _, tc := range []struct {
		id, guidance, base string
		bases2022          []string
	}{
		{"27017:12.3.1", ForBoth, "A.12.3.1", []string{"8.13"}},
		{"CLD.9.5.1", ForProvider, "", nil},
		{"CLD.9.5.2", ForSameForBoth, "", nil},
		{"27017:5.1.1", ForBoth, "A.5.1.1", []string{"5.1"}},
	} {
		x, ok := c.Lookup(tc.id)
		if !ok {
			t.Fatalf("%s not found", tc.id)
		}
		if x.GuidanceFor != tc.guidance || x.Base2013 != tc.base {
			t.Errorf("%s: guidance %s base %s, want %s %s", tc.id, x.GuidanceFor, x.Base2013, tc.guidance, tc.base)
		}
		if got := c.Bases(x, ISO27001v2022); !slices.Equal(got, tc.bases2022) {
			t.Errorf("%s: 2022 bases %v, want %v", tc.id, got, tc.bases2022)
		}
		if tc.base != "" && !slices.Equal(c.Bases(x, ISO27001v2013), []string{tc.base}) {
			t.Errorf("%s: 2013 bases %v", tc.id, c.Bases(x, ISO27001v2013))
		}
	}
	provider, customer := 0, 0
	for _, x := range c.Cloud {
		if x.GuidesRole("provider") {
			provider++
		}
		if x.GuidesRole("customer") {
			customer++
		}
	}
	if provider == 0 || customer == 0 || provider == len(c.Cloud) {
		t.Errorf("guidance roles look wrong: provider %d, customer %d of %d", provider, customer, len(c.Cloud))
	}
}

func TestTitlesAndSources(t *testing.T) {
	c := Std()
	for _, fw := range []string{ISO27001v2022, ISO27001v2013, ISO27017} {
		list, err := c.Controls(fw)
		if err != nil {
			t.Fatal(err)
		}
		for _, x := range list {
			if x.TitleJA == "" || x.TitleEN == "" {
				t.Errorf("%s %s lacks a title", fw, x.ID)
			}
		}
	}
	if _, err := c.Controls("nist-800-53"); err == nil {
		t.Error("unknown framework accepted")
	}
	for _, s := range c.Sources {
		if s.TitleJA == "" || s.TitleEN == "" || s.ProviderJA == "" || s.ProviderEN == "" || s.CustomerJA == "" || s.CustomerEN == "" || len(s.Controls) == 0 {
			t.Errorf("risk source %s is incomplete", s.ID)
		}
	}
	if got := c.To2022([]string{"A.12.3.1", "CLD.12.4.5", "A.5.1.1", "A.5.1.2"}); !slices.Equal(got, []string{"8.13", "CLD.12.4.5", "5.1"}) {
		t.Errorf("To2022 = %v", got)
	}
}

func TestValidFor(t *testing.T) {
	c := Std()
	for _, tc := range []struct {
		id, edition string
		want        bool
	}{
		{"8.13", ISO27001v2022, true},
		{"8.13", ISO27001v2013, false},
		{"A.12.3.1", ISO27001v2013, true},
		{"A.12.3.1", ISO27001v2022, false},
		{"27017:12.3.1", ISO27001v2022, true},
		{"CLD.6.3.1", ISO27001v2013, true},
		{"27017:5.1.2", ISO27001v2022, false}, // no cloud guidance for 5.1.2
		{"9.99", ISO27001v2022, false},
	} {
		if got := c.ValidFor(tc.id, tc.edition); got != tc.want {
			t.Errorf("ValidFor(%s, %s) = %v", tc.id, tc.edition, got)
		}
	}
}

// Japanese titles not confirmed by a published list are flagged; an
// organization's own title (control texts, ID#title) replaces the
// catalog's and is not flagged.
func TestJATitle(t *testing.T) {
	c := Std()
	var sourced, unverified *Control
	for _, x := range append(append([]*Control{}, c.Annex2022...), c.Cloud...) {
		switch {
		case x.TitleJAStatus == TitleSourced && sourced == nil:
			sourced = x
		case x.TitleJAStatus != TitleSourced && unverified == nil:
			unverified = x
		}
	}
	if sourced == nil || unverified == nil {
		t.Fatal("the catalog should hold sourced and unverified titles")
	}
	if title, un := JATitle(sourced, nil); title != sourced.TitleJA || un {
		t.Errorf("sourced %s: %q %v", sourced.ID, title, un)
	}
	if _, un := JATitle(unverified, nil); !un {
		t.Errorf("unverified %s not flagged", unverified.ID)
	}
	own := map[string]string{unverified.ID + TitleKeySuffix: "組織の名称"}
	if title, un := JATitle(unverified, own); title != "組織の名称" || un {
		t.Errorf("own title of %s: %q %v", unverified.ID, title, un)
	}
}
