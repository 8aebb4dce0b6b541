package web

import "testing"

// Findings about the kinds the item pages edit lead to the item's form;
// the others keep the pages that own them.
func TestItemSubjectLinks(t *testing.T) {
	for _, c := range []struct{ subject, want string }{
		{"assets/a-01", "/orgs/o/items/assets/a-01"},
		{"systems/sys-app", "/orgs/o/items/systems/sys-app"},
		{"people/p-1", "/orgs/o/items/people/p-1"},
		{"cloud_services/svc-x/uses/svc-y", "/orgs/o/items/cloud_services/svc-x"},
		{"cloud_services/svc-x/verifications/5.23", "/orgs/o/items/cloud_services/svc-x"},
		{"documents/doc-1", "/orgs/o/items/documents/doc-1"},
		{"legal/law-1", "/orgs/o/items/legal/law-1"},
		{"backups/svc-kintai", "/orgs/o/items/backups?q=svc-kintai"},
		{"risks/r-1", "/orgs/o/risks#risk-r-1"},
	} {
		if got := link("o", c.subject); got != c.want {
			t.Errorf("link(%q) = %q, want %q", c.subject, got, c.want)
		}
	}
}

// The navigation lists the item sections in the order of the ISMS.
func TestItemNav(t *testing.T) {
	order := map[string]int{}
	for i, n := range navItems {
		order[n.Path] = i
	}
	seq := []string{"", "items/assets", "risks", "soa", "items/legal", "items/backups", "items/monitoring", "items/documents", "import"}
	for i := 1; i < len(seq); i++ {
		a, okA := order[seq[i-1]]
		b, okB := order[seq[i]]
		if !okA || !okB || a > b {
			t.Errorf("navigation: %q should come before %q (%v)", seq[i-1], seq[i], navItems)
		}
	}
}
