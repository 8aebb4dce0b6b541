package web_test

import (
	"context"
	"net/url"
	"regexp"
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

// TestSoASelectorKept: the SoA selector, made once per change of the ISMS,
// lists every SoA by its name with the one shown selected, and a renamed
// service shows under its new name on the next request.
func TestSoASelectorKept(t *testing.T) {
	eachBackend(t, func(t *testing.T, st *site) {
		sel := regexp.MustCompile(`(?s)<select id="soa-sel" name="soa">(.*?)</select>`)
		opt := regexp.MustCompile(`<option value="([^"]*)"( selected)?>([^<]*)</option>`)
		options := func(path string) (values, labels []string, selected []string) {
			t.Helper()
			m := sel.FindStringSubmatch(st.get("manager@example.com", path))
			if m == nil {
				t.Fatalf("%s: no SoA selector", path)
			}
			for _, o := range opt.FindAllStringSubmatch(m[1], -1) {
				values, labels = append(values, o[1]), append(labels, o[3])
				if o[2] != "" {
					selected = append(selected, o[1])
				}
			}
			return values, labels, selected
		}
		values, labels, selected := options("/orgs/sample/soa")
		if len(values) < 2 || len(selected) != 1 || selected[0] != values[0] {
			t.Fatalf("selector: %q, selected %q", values, selected)
		}
		kintai := -1
		for i, v := range values {
			if strings.HasPrefix(v, "svc-kintai") {
				kintai = i
			}
		}
		if kintai < 0 || !strings.Contains(labels[kintai], "サンプル勤怠") {
			t.Fatalf("no SoA of svc-kintai named by its service: %q %q", values, labels)
		}
		if _, _, selected := options("/orgs/sample/soa?soa=" + url.QueryEscape(values[kintai])); len(selected) != 1 || selected[0] != values[kintai] {
			t.Errorf("with %s chosen, selected %q", values[kintai], selected)
		}

		cur := st.item("cloud_services", "svc-kintai")
		data := strings.Replace(string(cur.Data), "サンプル勤怠", "改名後勤怠", 1)
		it, refs, err := bundle.DecodeItem("cloud_services", "svc-kintai", []byte(data), "iso27001:2022")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := st.s.Put(context.Background(), "sample", it, refs, cur.Version, "setup"); err != nil {
			t.Fatal(err)
		}
		if _, labels, _ := options("/orgs/sample/soa"); !strings.Contains(labels[kintai], "改名後勤怠") {
			t.Errorf("after the rename the selector shows %q", labels[kintai])
		}
	})
}
