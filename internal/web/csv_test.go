package web_test

import (
	"context"
	"encoding/csv"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/cloudisms/cloudisms/internal/bundle"
	"github.com/cloudisms/cloudisms/internal/store"
	"github.com/cloudisms/cloudisms/internal/store/storetest"
)

// Every list page offers its rows as CSV, as filtered: a link beside the
// heading, and the same URL with format=csv answering a UTF-8 file that
// Excel opens (byte order mark, CRLF), with the page's headings, names
// rather than ids, and every matching row rather than one page.
func TestListPagesAsCSV(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			st := newSite(t, b)
			cases := []struct {
				page     string // the list page, with its filters
				file     string // the file name's middle part
				head     string // the first heading
				min, max int    // data rows expected
				contains string // a cell some row carries
				allInCol int    // with allEqual: every row's cell in this column
				allEqual string
			}{
				{page: "/orgs/sample/risks", file: "risks", head: "ID", min: 14, max: 14, contains: "山田"},
				{page: "/orgs/sample/risks?owner=p-cs-lead", file: "risks", head: "ID", min: 1, max: 13, allInCol: 2, allEqual: personName(t, st, "p-cs-lead")},
				{page: "/orgs/sample/soa", file: "soa-organization", head: "管理策", min: 93, max: 93, contains: "採用"},
				{page: "/orgs/sample/soa?soa=svc-kintai:provider", file: "soa-svc-kintai-provider", head: "管理策", min: 94, max: 200, contains: "CLD.6.3.1"},
				{page: "/orgs/sample/items/assets", file: "assets", head: "ID", min: 2, max: 100, contains: "顧客の勤怠データ（打刻・勤務実績・休暇）"},
				{page: "/orgs/sample/items/assets?q=no-such-asset-anywhere", file: "assets", head: "ID", min: 0, max: 0},
				{page: "/orgs/sample/items/people", file: "people", head: "ID", min: 3, max: 100},
				{page: "/orgs/sample/responsibilities", file: "responsibilities", head: "クラウドサービス", min: 1, max: 500},
				{page: "/orgs/sample/verifications", file: "verifications", head: "ID", min: 1, max: 100},
				{page: "/orgs/sample/audits", file: "audits", head: "ID", min: 1, max: 100},
				{page: "/orgs/sample/tasks", file: "tasks", head: "区分", min: 0, max: 100},
			}
			for _, c := range cases {
				html := st.get("manager@example.com", c.page)
				link := regexp.MustCompile(`<a class="csv-download" href="([^"]+)"`).FindStringSubmatch(html)
				if link == nil {
					t.Errorf("%s: no CSV link", c.page)
					continue
				}
				href := strings.ReplaceAll(link[1], "&amp;", "&")
				if !strings.Contains(href, "format=csv") {
					t.Errorf("%s: CSV link %q", c.page, href)
				}
				code, body, h := st.do("manager@example.com", "GET", href, nil)
				if code != http.StatusOK || !strings.HasPrefix(h.Get("Content-Type"), "text/csv") {
					t.Errorf("%s: %d %s", href, code, h.Get("Content-Type"))
					continue
				}
				if cd := h.Get("Content-Disposition"); !strings.Contains(cd, "attachment") || !strings.Contains(cd, "sample-"+c.file+"-2026") {
					t.Errorf("%s: Content-Disposition %q", href, cd)
				}
				if !strings.HasPrefix(body, "\ufeff") || !strings.Contains(body, "\r\n") {
					t.Errorf("%s: not a BOM-headed CRLF file", href)
				}
				recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(body, "\ufeff"))).ReadAll()
				if err != nil || len(recs) == 0 {
					t.Errorf("%s: unreadable CSV: %v", href, err)
					continue
				}
				if recs[0][0] != c.head {
					t.Errorf("%s: first heading %q, want %q", href, recs[0][0], c.head)
				}
				if n := len(recs) - 1; n < c.min || n > c.max {
					t.Errorf("%s: %d rows, want %d to %d", href, n, c.min, c.max)
				}
				if c.contains != "" && !strings.Contains(body, c.contains) {
					t.Errorf("%s: no cell with %q", href, c.contains)
				}
				for _, rec := range recs[1:] {
					if c.allEqual != "" && rec[c.allInCol] != c.allEqual {
						t.Errorf("%s: a row outside the filter: %q", href, rec)
					}
				}
			}
			// Nobody outside the organization gets its CSV.
			if code, _, _ := st.do("", "GET", "/orgs/sample/risks?format=csv", nil); code == http.StatusOK {
				t.Error("an anonymous client got the risk register as CSV")
			}
		})
	}
}

// Text from the ISMS never runs as a formula in the reader's spreadsheet.
func TestCSVCellsAreInert(t *testing.T) {
	st := newSite(t, storetest.Backends(t)[0])
	ctx := context.Background()
	it, err := st.s.Get(ctx, "sample", "assets", "a-01")
	if err != nil {
		t.Fatal(err)
	}
	data := strings.Replace(string(it.Data), `"name":"顧客の勤怠データ（打刻・勤務実績・休暇）"`, `"name":"=HYPERLINK(\"http://evil.example\",\"x\")"`, 1)
	if data == string(it.Data) {
		t.Fatalf("fixture: a-01's name not found in %s", it.Data)
	}
	putRaw(t, st, "assets", "a-01", data, it.Version)
	body := st.get("manager@example.com", "/orgs/sample/items/assets?format=csv")
	recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(body, "\ufeff"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	for _, rec := range recs {
		for _, cell := range rec {
			if strings.HasPrefix(cell, "=") {
				t.Errorf("a cell a spreadsheet runs: %q", cell)
			}
			if strings.Contains(cell, "HYPERLINK") && !strings.HasPrefix(cell, "'=") {
				t.Errorf("the formula is not made inert: %q", cell)
			}
		}
	}
}

// personName is a person's name in the stored sample.
func personName(t *testing.T, st *site, id string) string {
	t.Helper()
	m, err := st.s.ISMS(context.Background(), "sample")
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range m.People {
		if p.ID == id {
			return p.Name
		}
	}
	t.Fatalf("fixture: no person %s", id)
	return ""
}

// putRaw stores an item's JSON as it is, past the forms.
func putRaw(t *testing.T, st *site, kind, key, data string, version int64) {
	t.Helper()
	ctx := context.Background()
	edition, err := st.s.Edition(ctx, "sample")
	if err != nil {
		t.Fatal(err)
	}
	it, refs, err := bundle.DecodeItem(kind, key, []byte(data), edition)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.s.PutItems(ctx, "sample", []store.ItemWrite{{Item: it, Refs: refs, IfVersion: version}}, "test"); err != nil {
		t.Fatal(err)
	}
}

// A register's list filters by its columns of set values (a choice, a
// reference, yes or no), in the URL, for the page and its CSV alike.
func TestRegisterListFilters(t *testing.T) {
	st := newSite(t, storetest.Backends(t)[0])
	page := st.get("manager@example.com", "/orgs/sample/items/trainings")
	if !strings.Contains(page, `<select id="flt-kind" name="f.kind">`) {
		t.Fatal("the trainings list offers no filter by kind")
	}
	page = st.get("manager@example.com", "/orgs/sample/items/trainings?f.kind=competence")
	if !strings.Contains(page, "tr-2026-cloud") || !strings.Contains(page, "tr-2026-audit") || strings.Contains(page, ">tr-2026-aware<") {
		t.Error("the competence filter shows the wrong trainings")
	}
	if !strings.Contains(page, `<option value="competence" selected>`) {
		t.Error("the chosen filter is not kept in the form")
	}
	body := st.get("manager@example.com", "/orgs/sample/items/trainings?f.kind=awareness&format=csv")
	recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(body, "\ufeff"))).ReadAll()
	if err != nil || len(recs) != 2 || recs[1][0] != "tr-2026-aware" {
		t.Errorf("filtered CSV: %v %v", recs, err)
	}
	if page := st.get("manager@example.com", "/orgs/sample/items/trainings?f.kind=no-such-kind"); !strings.Contains(page, `class="empty"`) {
		t.Error("a filter matching nothing does not say so")
	}
}
