package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/cloudisms/cloudisms/internal/store/storetest"
)

// One search box for the whole ISMS: items by any text, controls by their
// titles and current findings, grouped by kind, each linking to its place;
// only the organization's own items.
func TestSearchPage(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			st := newSite(t, b)
			if page := st.get("viewer@example.com", "/orgs/sample/"); !strings.Contains(page, `action="/orgs/sample/search"`) {
				t.Fatal("no search box in the navigation")
			}
			for _, c := range []struct {
				q     string
				group string // the section id expected
				link  string // a link expected in it
			}{
				{"勤怠", "k-cloud_services", `href="/orgs/sample/items/cloud_services/svc-kintai"`},
				{"ニンバス", "k-suppliers", `href="/orgs/sample/items/suppliers/sup-nimbus"`},
				{"脅威インテリジェンス", "k-controls", `href="/orgs/sample/soa?soa=organization#row-5.7"`},
				{"threat intelligence", "k-controls", `#row-5.7"`},
			} {
				page := st.get("viewer@example.com", "/orgs/sample/search?q="+url.QueryEscape(c.q))
				sec := regexp.MustCompile(`(?s)<section class="search-group" id="` + c.group + `".*?</section>`).FindString(page)
				if sec == "" || !strings.Contains(sec, c.link) {
					t.Errorf("%q: no %s group linking %s\n%s", c.q, c.group, c.link, sec)
				}
			}
			// What matched is shown in the form's words: a person's id finds
			// their risks, but the snippets name the person, never the id.
			page := st.get("viewer@example.com", "/orgs/sample/search?q=p-ops-lead")
			risks := regexp.MustCompile(`(?s)<section class="search-group" id="k-risks".*?</section>`).FindString(page)
			if risks == "" || strings.Contains(regexp.MustCompile(`(?s)<small class="snippet">.*?</small>`).ReplaceAllStringFunc(risks, func(s string) string {
				if strings.Contains(s, "p-ops-lead") {
					return "RAW-ID"
				}
				return ""
			}), "RAW-ID") {
				t.Errorf("a search by a person's id shows the id in a snippet or finds no risk:\n%s", risks)
			}
			if page := st.get("viewer@example.com", "/orgs/sample/search?q="+url.QueryEscape("見つからないはずの語句")); !strings.Contains(page, `id="no-results"`) {
				t.Error("no 'nothing found' message")
			}
			if code, _, _ := st.do("viewer@example.com", "GET", "/orgs/sample/search?q="+strings.Repeat("x", 50000), nil); code != http.StatusBadRequest {
				t.Errorf("a 50,000-character query: %d, want 400", code)
			}
			if code, _, _ := st.do("", "GET", "/orgs/sample/search?q=勤怠", nil); code == http.StatusOK {
				t.Error("an anonymous client searched the ISMS")
			}
		})
	}
}

// In a browser: type in the navigation's box, land on the grouped results,
// follow a risk to its page.
func TestBrowserSearch(t *testing.T) {
	u := start(t)
	u.login("manager@example.com")
	u.run("dashboard", chromedp.Navigate(u.url+"/orgs/sample/"), chromedp.WaitVisible(chromedp.ID("side-q")))
	u.run("search", chromedp.SendKeys(chromedp.ID("side-q"), "漏えい\n"), chromedp.WaitVisible(chromedp.CSS("section.search-group")))
	if n := eval[int](u, `document.querySelectorAll("#k-risks .search-hits li").length`); n == 0 {
		t.Fatalf("no risk found for 漏えい:\n%s", u.html())
	}
	readmeShot(t, u, "search", "")
	u.submit("open the first risk", `#k-risks .search-hits a`)
	u.run("risk page", chromedp.WaitVisible(chromedp.ID("f-title")))
	if path := eval[string](u, `location.pathname`); !strings.HasPrefix(path, "/orgs/sample/items/risks/") {
		t.Errorf("the first risk found led to %s", path)
	}
}
