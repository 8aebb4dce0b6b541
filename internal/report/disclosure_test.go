package report

import (
	"slices"
	"testing"

	"github.com/cloudisms/cloudisms/internal/isms"
)

// The disclosure says what ISO/IEC 27017 asks a provider to tell its
// customers, falls back to the general allocation and the provider's
// implementation text, and names what has nothing to show.
func TestDisclosureFacts(t *testing.T) {
	m := sample(t)
	d, err := Disclosure(m, "svc-kintai", "ja", asOf)
	if err != nil {
		t.Fatal(err)
	}
	f := d.Facts
	if !d.InCertifiedScope || d.Scope == "" {
		t.Error("an in-scope service lost its certification scope")
	}
	if !slices.Equal(f.DataLocations, []string{"JP"}) || !slices.Equal(f.Jurisdictions, []string{"JP"}) || f.ChangeNotification == "" ||
		f.IncidentReporting == "" || f.Exit == "" || len(f.SLAFigures) != 4 || f.SLA == "" {
		t.Errorf("facts %+v", f)
	}
	// Not in the disclosure: taken from the backup policy and monitoring items.
	if f.Backup == "" || len(f.Monitoring) == 0 {
		t.Errorf("backup %q, monitoring %v", f.Backup, f.Monitoring)
	}
	general, implemented := 0, 0
	for _, it := range d.Items {
		if len(it.Shares) == 0 {
			general++
			if !it.General {
				t.Errorf("%s: no allocation of its own, not marked general", it.Control)
			}
			if it.Implementation != "" {
				implemented++
			}
		}
	}
	if general == 0 || implemented == 0 {
		t.Errorf("items without an allocation %d, with the provider's text %d", general, implemented)
	}
	// A row with nothing to show is listed for the publisher's warning.
	for i := range m.SoAs {
		if m.SoAs[i].Service == "svc-kintai" {
			for j := range m.SoAs[i].Rows {
				if m.SoAs[i].Rows[j].Control == "27017:6.1.1" {
					m.SoAs[i].Rows[j].Notes = ""
				}
			}
		}
	}
	m.Responsibilities = slices.DeleteFunc(m.Responsibilities, func(r isms.Responsibility) bool { return r.Control == "27017:6.1.1" })
	d, _ = Disclosure(m, "svc-kintai", "ja", asOf)
	if !slices.Contains(d.Unallocated, "27017:6.1.1") {
		t.Errorf("unallocated %v", d.Unallocated)
	}
	// Outside the certified scope: said so, and no scope shown as certified.
	serviceOf(m, "svc-kintai").InScope = false
	d, _ = Disclosure(m, "svc-kintai", "en", asOf)
	if d.InCertifiedScope || d.Scope != "" {
		t.Errorf("out-of-scope service shown as certified: %v %q", d.InCertifiedScope, d.Scope)
	}
}
