package web_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// An asset saved with an id that is already taken shows the error beside
// the id field, keeps what was typed, and once fixed is saved and listed.
// (Values on a scale are chosen from selects, so the id is the field a
// user can still get wrong in a browser.)
func TestBrowserAssetErrorBesideField(t *testing.T) {
	u := start(t)
	u.login("manager@example.com")
	u.run("asset inventory", chromedp.Navigate(u.url+"/orgs/sample/items/assets"), chromedp.WaitVisible(chromedp.CSS(`a.new-item`)))
	if nav := u.text(`nav.side a[aria-current]`); nav != "情報資産" {
		t.Errorf("current navigation entry %q, want 情報資産", nav)
	}
	u.submit("open the new asset form", `a.new-item`)
	u.run("fill in the form",
		chromedp.WaitVisible(chromedp.ID("f-id")),
		chromedp.SendKeys(chromedp.ID("f-id"), "a-01"),
		chromedp.SendKeys(chromedp.ID("f-name"), "ブラウザで登録した資産"),
		chromedp.SetValue(chromedp.ID("f-kind"), "information"),
		chromedp.SetValue(chromedp.ID("f-owner"), "p-isms"),
		chromedp.SetValue(chromedp.ID("f-confidentiality"), "3"),
		chromedp.SetValue(chromedp.ID("f-integrity"), "2"),
	)
	u.submit("save with an id already taken", `.top-actions button`)
	u.run("error beside the field", chromedp.WaitVisible(chromedp.ID("f-id-err")))
	if msg := u.text("#f-id-err"); !strings.Contains(msg, "既に") {
		t.Errorf("error beside the field: %q", msg)
	}
	// The message is inside the field's own block, and the summary links to it.
	if same := eval[bool](u, `document.getElementById("f-id-err").parentElement === document.getElementById("f-id").parentElement`); !same {
		t.Error("the error is not beside its field")
	}
	if href := eval[string](u, `document.querySelector(".error-list a").getAttribute("href")`); href != "#f-id" {
		t.Errorf("summary link %q", href)
	}
	if v := eval[string](u, `document.getElementById("f-name").value`); v != "ブラウザで登録した資産" {
		t.Errorf("typed values lost: %q", v)
	}
	if v := eval[string](u, `document.getElementById("f-confidentiality").value`); v != "3" {
		t.Errorf("chosen scale value lost: %q", v)
	}
	u.shot("asset-error")
	u.run("fix the id", chromedp.SetValue(chromedp.ID("f-id"), "a-browser"))
	u.submit("save again", `.top-actions button`)
	u.run("saved", chromedp.WaitVisible(chromedp.CSS(".flash")))
	u.run("list", chromedp.Navigate(u.url+"/orgs/sample/items/assets?sort=-updated_at"), chromedp.WaitVisible(chromedp.CSS("table.items")))
	if first := u.text(`table.items tbody tr:first-child`); !strings.Contains(first, "ブラウザで登録した資産") {
		t.Errorf("newest asset in the list: %q", first)
	}
	it, err := u.store.Get(context.Background(), "sample", "assets", "a-browser")
	if err != nil || !strings.Contains(string(it.Data), `"confidentiality":3`) {
		t.Fatalf("stored: %s %v", it.Data, err)
	}
}

// A risk owner follows the link from the risk register to their risk,
// adds a plan action without JavaScript's help, and saves it.
func TestBrowserRiskPlanAction(t *testing.T) {
	u := start(t)
	u.login("cs@example.com") // owns r-02
	u.run("risk register", chromedp.Navigate(u.url+"/orgs/sample/risks"), chromedp.WaitVisible(chromedp.CSS(`#risk-r-02 th a`)))
	u.submit("open r-02", `#risk-r-02 th a`)
	u.run("form", chromedp.WaitVisible(chromedp.ID("f-plan")))
	u.submit("add a plan action", `button.add-row[value="add:plan"]`)
	u.run("new row", chromedp.WaitVisible(chromedp.ID("f-plan-1--action")))
	if focused := eval[string](u, `document.activeElement.id`); focused != "f-plan-1--action" {
		t.Errorf("focus after adding a row is on %q", focused)
	}
	u.run("fill the row",
		chromedp.SendKeys(chromedp.ID("f-plan-1--action"), "責任分担表を年 1 回見直す"),
		chromedp.SetValue(chromedp.ID("f-plan-1--owner"), "p-cs-lead"),
		chromedp.SendKeys(chromedp.ID("f-plan-1--due"), "2027-03-31"),
	)
	u.shot("risk-plan")
	u.submit("save", `.top-actions button`)
	u.run("saved", chromedp.WaitVisible(chromedp.CSS(".flash")))
	it, err := u.store.Get(context.Background(), "sample", "risks", "r-02")
	if err != nil {
		t.Fatal(err)
	}
	var r struct {
		Plan []struct{ Action, Owner, Due string }
	}
	json.Unmarshal(it.Data, &r)
	if len(r.Plan) != 2 || r.Plan[1].Action != "責任分担表を年 1 回見直す" || r.Plan[1].Owner != "p-cs-lead" || r.Plan[1].Due != "2027-03-31" {
		t.Fatalf("plan after save: %+v", r.Plan)
	}
	if it.UpdatedBy != "cs@example.com" {
		t.Errorf("changed by %q", it.UpdatedBy)
	}
	// The change history names the owner and the new action.
	u.submit("history", `.item-links a[href*="/history/"]`)
	u.run("history page", chromedp.WaitVisible(chromedp.CSS("ol.history")))
	if h := u.text("ol.history li:first-child"); !strings.Contains(h, "cs@example.com") || !strings.Contains(h, "責任分担表を年 1 回見直す") {
		t.Errorf("history: %q", h)
	}
}
