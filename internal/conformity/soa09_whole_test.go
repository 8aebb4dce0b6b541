package conformity_test

import (
	"slices"
	"testing"

	"github.com/cloudisms/cloudisms/internal/conformity"
	"github.com/cloudisms/cloudisms/internal/isms"
)

// The situation at the size it was met: every applicable row of
// the organization's SoA gives "risk" as a reason, and SOA-09 fires on
// exactly those whose control no risk names (60 of the SaaS sample's 91
// applicable rows; 90 on the 2013 sample), once each, and on nothing
// else.
func TestSOA09EveryOrganizationRowGivesRisk(t *testing.T) {
	for _, tc := range []struct {
		sample string
		want   int
	}{
		{saas, 60},
		{y2013, 90},
	} {
		t.Run(tc.sample, func(t *testing.T) {
			m := load(t, tc.sample)
			named := map[string]bool{}
			for _, r := range m.Risks {
				for _, c := range r.Controls {
					named[c] = true
				}
			}
			org := soa(m, "", "")
			var want []string
			for i := range org.Rows {
				r := &org.Rows[i]
				if !isms.IsTrue(r.Applicable) {
					continue
				}
				if !slices.Contains(r.Reasons, "risk") {
					r.Reasons = append(r.Reasons, "risk")
				}
				if !named[r.Control] {
					want = append(want, "soa/organization/"+r.Control)
				}
			}
			slices.Sort(want)
			if len(want) != tc.want {
				t.Fatalf("fixture: %d applicable rows no risk names, want %d", len(want), tc.want)
			}
			var got []string
			for _, f := range conformity.Check(m, isms.MustDate(asOfSD)) {
				switch f.Rule {
				case "SOA-09":
					got = append(got, f.Subject)
				case "EDITION-01":
				default:
					t.Errorf("another finding: %s %s", f.Rule, f.Subject)
				}
			}
			if !slices.Equal(got, want) {
				t.Errorf("SOA-09 on %d rows, want %d:\n got  %q\n want %q", len(got), len(want), got, want)
			}
		})
	}
}
