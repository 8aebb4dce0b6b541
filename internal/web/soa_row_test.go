package web_test

import (
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// The SoA page's rows are read-only; each row's edit link opens the row's
// own page (what a browser without JavaScript gets), whose form saves the
// row and goes back to the SoA at the row; with script the same form is
// fetched alone into the row (?part=form).
func TestSoARowEditPage(t *testing.T) {
	eachBackend(t, func(t *testing.T, st *site) {
		page := st.get(fixManager, "/orgs/sample/soa?soa=organization")
		// Issue 16's goal for the sample's organization SoA page; the size
		// does not depend on the machine (BenchmarkSoAPage times it).
		if len(page) >= 60000 {
			t.Errorf("the sample's organization SoA page is %d bytes, over the 60 KB goal", len(page))
		}
		if strings.Contains(page, `<form method="post" action="/orgs/sample/soa" class="row-form"`) {
			t.Error("the SoA page still carries the rows' edit forms")
		}
		i := strings.Index(page, `<tr id="row-5.2"`)
		if i < 0 {
			t.Fatal("no row 5.2")
		}
		link := soaRowEdit.FindStringSubmatch(page[i : i+strings.Index(page[i:], "</tr>")])
		if link == nil {
			t.Fatal("row 5.2 has no edit link")
		}
		// The link is relative to the SoA page, as a browser resolves it.
		base, _ := url.Parse("/orgs/sample/soa?soa=organization")
		rel, err := url.Parse(html.UnescapeString(link[1]))
		if err != nil {
			t.Fatal(err)
		}
		href := base.ResolveReference(rel).String()
		rowPage := st.get(fixManager, href)
		if !strings.Contains(rowPage, "<html") || !strings.Contains(rowPage, `href="/orgs/sample/soa?soa=organization#row-5.2"`) {
			t.Error("the row page is not a whole page leading back to the row")
		}
		part := st.get(fixManager, href+"&part=form")
		if strings.Contains(part, "<html") || !strings.Contains(part, `name="control" value="5.2"`) {
			t.Errorf("the fetched form is not the row's form alone: %.300s", part)
		}
		f := formAt(t, rowPage, "/orgs/sample/soa", `name="control" value="5.2"`)
		stale := url.Values{}
		for k, v := range f {
			stale[k] = v
		}
		f.Set("notes", "行の編集ページから保存")
		code, _, h := st.do(fixManager, "POST", "/orgs/sample/soa", f)
		if code != http.StatusSeeOther || !strings.HasSuffix(h.Get("Location"), "#row-5.2") {
			t.Fatalf("save: %d to %q", code, h.Get("Location"))
		}
		if it := st.item("soa_rows", "organization/5.2"); !strings.Contains(string(it.Data), "行の編集ページから保存") {
			t.Errorf("not saved: %s", it.Data)
		}
		if !strings.Contains(st.get(fixManager, "/orgs/sample/soa?soa=organization"), "行の編集ページから保存") {
			t.Error("the SoA page does not show the saved notes")
		}
		// The same form again, at the version it was drawn: a conflict,
		// shown on the row's page with both values; nothing overwritten.
		stale.Set("notes", "古い版からの変更")
		code, body, _ := st.do(fixManager, "POST", "/orgs/sample/soa", stale)
		if code != http.StatusConflict || !strings.Contains(body, `id="conflict"`) || !strings.Contains(body, "古い版からの変更") || !strings.Contains(body, "行の編集ページから保存") {
			t.Errorf("stale save: %d", code)
		}
		if it := st.item("soa_rows", "organization/5.2"); strings.Contains(string(it.Data), "古い版からの変更") {
			t.Error("the stale save overwrote the row")
		}
		for _, c := range []struct {
			as, path string
			want     int
		}{
			{"viewer@example.com", href, http.StatusOK}, // the row's facts and linked records, without the form
			{"viewer@example.com", href + "&part=form", http.StatusForbidden},
			{fixManager, "/orgs/sample/soa/row?soa=organization&control=99.99", http.StatusNotFound},
			{fixManager, "/orgs/sample/soa/row?soa=nowhere:x&control=5.2", http.StatusNotFound},
			{"", href, http.StatusSeeOther}, // to the sign-in page
		} {
			if code, _, _ := st.do(c.as, "GET", c.path, nil); code != c.want {
				t.Errorf("GET %s as %q: %d, want %d", c.path, c.as, code, c.want)
			}
		}
		if regexp.MustCompile(`class="row-edit"`).MatchString(st.get("viewer@example.com", "/orgs/sample/soa")) {
			t.Error("a viewer is offered row edits")
		}
	})
}

// TestSoAHeaderFollowsApproval: the SoA page's approval line says what the
// approval is now: imported with the sample, marked stale once a row
// changes, and plain again once the SoA is approved anew.
func TestSoAHeaderFollowsApproval(t *testing.T) {
	eachBackend(t, func(t *testing.T, st *site) {
		const path = "/orgs/sample/soa?soa=organization"
		header := func() string {
			t.Helper()
			page := st.get(fixCEO, path)
			i := strings.Index(page, `id="soa-state"`)
			if i < 0 {
				t.Fatal("the SoA page has no approval line")
			}
			return page[i:min(len(page), i+2000)]
		}
		if h := header(); !strings.Contains(h, `chip imported`) || strings.Contains(h, `chip warn stale`) {
			t.Fatalf("after the import: %.600s", h)
		}
		row := st.get(fixManager, "/orgs/sample/soa/row?soa=organization&control=5.2")
		f := formAt(t, row, "/orgs/sample/soa", `name="control" value="5.2"`)
		f.Set("notes", "承認のあとの変更")
		if code, _, _ := st.do(fixManager, "POST", "/orgs/sample/soa", f); code != http.StatusSeeOther {
			t.Fatalf("row save: %d", code)
		}
		if h := header(); !strings.Contains(h, `chip warn stale`) {
			t.Fatalf("after a row's edit the approval is not marked stale: %.600s", h)
		}
		approve := formAt(t, st.get(fixCEO, path), "/orgs/sample/soa/approve")
		if code, _, loc := st.do(fixCEO, "POST", "/orgs/sample/soa/approve", approve); code != http.StatusSeeOther || strings.Contains(loc.Get("Location"), "conflict") {
			t.Fatalf("approve: %d to %s", code, loc.Get("Location"))
		}
		if h := header(); strings.Contains(h, `chip warn stale`) || strings.Contains(h, `chip imported`) {
			t.Errorf("after approving anew: %.600s", h)
		}
	})
}
