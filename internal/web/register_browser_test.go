package web_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// A risk is found in the register by searching and filtering, the
// filters stay in the URL, and the row leads to its form, whose "back to
// the list" returns to the register.
func TestBrowserFindRisk(t *testing.T) {
	u := start(t)
	u.login("manager@example.com")
	u.run("register", chromedp.Navigate(u.url+"/orgs/sample/risks"), chromedp.WaitVisible(chromedp.ID("rq")))
	u.run("search", chromedp.SendKeys(chromedp.ID("rq"), "バックアップ"), chromedp.SetValue(chromedp.ID("owner"), "p-ops-lead"))
	u.submit("show", `.risk-filters button[type="submit"]`)
	u.run("found", chromedp.WaitVisible(chromedp.CSS(`#risk-r-04`)))
	if loc := eval[string](u, `location.search`); !strings.Contains(loc, "owner=p-ops-lead") || !strings.Contains(loc, "q=") {
		t.Errorf("the filters are not in the URL: %s", loc)
	}
	if n := eval[int](u, `document.querySelectorAll("table.risks tbody tr[id]").length`); n != 1 {
		t.Errorf("%d rows for the search, want 1", n)
	}
	if owner := u.text(`#risk-r-04 td:nth-of-type(2)`); !strings.Contains(owner, "渡辺") && strings.HasPrefix(owner, "p-") {
		t.Errorf("the owner shows as %q", owner)
	}
	u.shot("risk-search")
	// Sort by level, highest first: the column heads are links.
	u.run("clear", chromedp.Navigate(u.url+"/orgs/sample/risks?level=over"), chromedp.WaitVisible(chromedp.CSS(`table.risks`)))
	u.submit("sort by level", `th a[href*="sort=level"]`)
	u.submit("reverse", `th a[href*="sort=-level"]`)
	levels := eval[[]int](u, `[...document.querySelectorAll("table.risks tbody tr[id] td:nth-of-type(3)")].map(td => parseInt(td.textContent, 10))`)
	for i := 1; i < len(levels); i++ {
		if levels[i] > levels[i-1] {
			t.Errorf("levels not descending: %v", levels)
			break
		}
	}
	u.submit("open r-04", `#risk-r-04 th a`)
	u.submit("back to the list", `.item-links a`)
	if p := eval[string](u, `location.pathname`); p != "/orgs/sample/risks" {
		t.Errorf("back to the list leads to %s", p)
	}
}

// A likelihood is chosen from its labelled scale and the level shown
// follows it while editing.
func TestBrowserScaleSelectShowsLevel(t *testing.T) {
	u := start(t)
	u.login("manager@example.com")
	u.run("risk form", chromedp.Navigate(u.url+"/orgs/sample/items/risks/r-01"), chromedp.WaitVisible(chromedp.ID("f-likelihood")))
	labels := eval[[]string](u, `[...document.querySelectorAll("#f-likelihood option")].map(o => o.textContent)`)
	if len(labels) != 4 || !strings.Contains(labels[3], "高（月に 1 回以上）") {
		t.Errorf("likelihood choices %v", labels)
	}
	if got := u.text("#level-now"); !strings.Contains(got, "6") || !strings.Contains(got, "超える") {
		t.Errorf("level shown %q, want 6 above acceptance", got)
	}
	if eval[bool](u, `document.querySelector("#risk-level button").offsetParent !== null`) {
		t.Error("the no-script button shows while script runs")
	}
	u.run("likelihood 1", chromedp.SetValue(chromedp.ID("f-likelihood"), "1"))
	eval[bool](u, `document.getElementById("f-likelihood").dispatchEvent(new Event("change", {bubbles: true}))`)
	if got := u.text("#level-now"); !strings.Contains(got, "3") || !strings.Contains(got, "以内") {
		t.Errorf("after choosing 1: level shown %q, want 3 within acceptance", got)
	}
	u.shot("risk-level")
}
