package web_test

import (
	"context"
	"strings"
	"testing"

	"github.com/cloudisms/cloudisms/internal/bundle"
)

// TestDashboardStaleApprovalsNamed: an approval gone stale is listed on the
// dashboard by the item's name (the document's title, the SoA's service
// and role), its id kept for the tooltip only.
func TestDashboardStaleApprovalsNamed(t *testing.T) {
	eachBackend(t, func(t *testing.T, st *site) {
		ctx := context.Background()
		edit := func(kind, key, from, to string) {
			t.Helper()
			cur := st.item(kind, key)
			data := strings.Replace(string(cur.Data), from, to, 1)
			it, refs, err := bundle.DecodeItem(kind, key, []byte(data), "iso27001:2022")
			if err != nil {
				t.Fatal(err)
			}
			if _, err := st.s.Put(ctx, "sample", it, refs, cur.Version, "setup"); err != nil {
				t.Fatal(err)
			}
		}
		edit("documents", "doc-pol-002", `"title":"`, `"title":"改訂中 `)
		edit(bundle.KindSoARows, "organization/5.1", `"implementation":"implemented"`, `"implementation":"partial"`)
		page := st.get("manager@example.com", "/orgs/sample/")
		mustContain(t, "the dashboard", page, `<span title="doc-pol-002">改訂中 `, `<span title="organization">`)
		if strings.Contains(page, `>doc-pol-002<`) {
			t.Error("the stale document is named by its id")
		}
	})
}
