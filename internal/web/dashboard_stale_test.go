package web_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/cloudisms/cloudisms/internal/bundle"
)

// TestDashboardStaleApprovalsNamed: an approval gone stale is listed on the
// dashboard by the item's name (the document's title, the SoA's service
// and role), its id kept for the tooltip only.
func TestDashboardStaleApprovalsNamed(t *testing.T) {
	eachBackend(t, func(t *testing.T, st *site) {
		st.edit("documents", "doc-pol-002", `"title":"`, `"title":"改訂中 `)
		st.edit(bundle.KindSoARows, "organization/5.1", `"implementation":"implemented"`, `"implementation":"partial"`)
		page := st.get("manager@example.com", "/orgs/sample/")
		mustContain(t, "the dashboard", page, `<span title="doc-pol-002">改訂中 `, `<span title="organization">`)
		if strings.Contains(page, `>doc-pol-002<`) {
			t.Error("the stale document is named by its id")
		}
	})
}

// TestDashboardStaleApprovalsBounded: when more approvals went stale than
// the dashboard lists, it lists the first ones, says how many more there
// are, and links to the risk register's filter of stale risk approvals.
func TestDashboardStaleApprovalsBounded(t *testing.T) {
	eachBackend(t, func(t *testing.T, st *site) {
		ctx := context.Background()
		index, err := st.s.ApprovalsIndex(ctx, "sample")
		if err != nil {
			t.Fatal(err)
		}
		edited := 0
		for _, ap := range index.All() {
			if ap.Kind != "documents" && ap.Kind != bundle.KindRisks {
				continue
			}
			cur := st.item(ap.Kind, ap.Key)
			data := strings.Replace(string(cur.Data), `"title":"`, `"title":"改訂 `, 1)
			it, refs, err := bundle.DecodeItem(ap.Kind, ap.Key, []byte(data), "iso27001:2022")
			if err != nil {
				t.Fatal(err)
			}
			if _, err := st.s.Put(ctx, "sample", it, refs, cur.Version, "setup"); err != nil {
				t.Fatal(err)
			}
			edited++
		}
		if edited <= 20 {
			t.Fatalf("the sample has %d approved documents and risks; the test needs more than 20", edited)
		}
		index, err = st.s.ApprovalsIndex(ctx, "sample")
		if err != nil {
			t.Fatal(err)
		}
		stale := len(index.Stale())
		page := st.get("manager@example.com", "/orgs/sample/")
		list := page[strings.Index(page, `<ul id="stale-list">`):]
		list = list[:strings.Index(list, "</ul>")]
		if n := strings.Count(list, "<li>"); n != 20 {
			t.Errorf("the dashboard lists %d stale approvals, want 20 of %d", n, stale)
		}
		mustContain(t, "the dashboard", page, fmt.Sprintf("ほかに %d 件あります", stale-20), `href="/orgs/sample/risks?approval=stale"`)
	})
}

// TestDashboardDueNamed: the due table names each item (a risk by its
// title, the management review's organization in words) and links it to
// where it is fixed (a risk: its row in the register), the subject path kept for the tooltip only.
func TestDashboardDueNamed(t *testing.T) {
	get, _ := pages(t, 200)
	page := get("/orgs/big/")
	due := page[strings.Index(page, `id="d-h"`):]
	due = due[:strings.Index(due, "</section>")]
	if !strings.Contains(due, `title="risks/`) {
		t.Fatalf("no risk falls due on the dashboard:\n%s", due)
	}
	for _, cell := range strings.Split(due, "<td>")[1:] {
		if strings.HasPrefix(cell, "risks/") || strings.HasPrefix(cell, "organization") {
			t.Errorf("a due item shown by its subject path: %.80s", cell)
		}
	}
	mustContain(t, "the due table", due, `<a href="/orgs/big/risks?q=r-`)
}
