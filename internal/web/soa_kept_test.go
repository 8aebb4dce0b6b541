package web_test

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/cloudisms/cloudisms/internal/bundle"
)

// TestSoARowsKept: an SoA page's rows are kept between requests, but never
// across what decides them: a reader who may not edit never gets the edit
// links a manager's page had, a filter value that is no state shows no row
// even after one that did, and an edit of a row shows on the next request.
func TestSoARowsKept(t *testing.T) {
	eachBackend(t, func(t *testing.T, st *site) {
		const editLink = `class="row-edit"`
		manager := st.get("manager@example.com", "/orgs/sample/soa")
		viewer := st.get("viewer@example.com", "/orgs/sample/soa")
		if !strings.Contains(manager, editLink) {
			t.Fatal("the manager's SoA page has no edit link")
		}
		if strings.Contains(viewer, editLink) {
			t.Fatal("the viewer's SoA page has the manager's edit links")
		}
		if again := st.get("manager@example.com", "/orgs/sample/soa"); again != manager {
			t.Error("the same page, asked again without a change, differs")
		}

		rowsOf := func(page string) int { return strings.Count(page, `<tr id="row-`) }
		if n := rowsOf(st.get("manager@example.com", "/orgs/sample/soa?state=implemented")); n == 0 {
			t.Fatal("no implemented row in the sample's SoA")
		}
		for _, bogus := range []string{"nonsense", "<script>", "implemented "} {
			if n := rowsOf(st.get("manager@example.com", "/orgs/sample/soa?state="+url.QueryEscape(bogus))); n != 0 {
				t.Errorf("state=%q shows %d rows, want none", bogus, n)
			}
		}

		// An edit of a row shows at once.
		ctx := context.Background()
		cur := st.item(bundle.KindSoARows, "organization/5.1")
		data := strings.Replace(string(cur.Data), `"implementation":"implemented"`, `"implementation":"partial"`, 1)
		it, refs, err := bundle.DecodeItem(bundle.KindSoARows, "organization/5.1", []byte(data), "iso27001:2022")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := st.s.Put(ctx, "sample", it, refs, cur.Version, "setup"); err != nil {
			t.Fatal(err)
		}
		after := st.get("manager@example.com", "/orgs/sample/soa")
		row := after[strings.Index(after, `<tr id="row-5.1"`):]
		row = row[:strings.Index(row, "</tr>")]
		if !strings.Contains(row, `data-state="partial"`) {
			t.Errorf("row 5.1 after its edit: %s", row)
		}
	})
}
