package web_test

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/cloudisms/cloudisms/internal/bundle"
)

// In English, a cloud policy finding is followed from the dashboard to a
// new policy filled in with the missing topic, saved, approved by top
// management (the approval asks once) and gone from the dashboard.
func TestBrowserFixCloudPolicy(t *testing.T) {
	u := start(t)
	ctx := context.Background()
	d, err := u.store.Get(ctx, "sample", "documents", "doc-pol-002")
	if err != nil {
		t.Fatal(err)
	}
	data := strings.Replace(string(d.Data), `"virtualization",`, "", 1)
	if data == string(d.Data) {
		t.Fatal("the sample's cloud policy no longer lists virtualization first")
	}
	it, refs, err := bundle.DecodeItem("documents", "doc-pol-002", []byte(data), "iso27001:2022")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := u.store.Put(ctx, "sample", it, refs, d.Version, "t"); err != nil {
		t.Fatal(err)
	}
	// The CEO (p-ceo, top management) approves the policy.
	ceo, err := u.store.CreateUser(ctx, "ceo@example.com", "ceo@example.com", "ja", password)
	if err != nil {
		t.Fatal(err)
	}
	if err := u.store.AddMember(ctx, "sample", ceo.ID, "executive", "p-ceo"); err != nil {
		t.Fatal(err)
	}
	dialogs := u.acceptDialogs()
	u.login("manager@example.com")
	u.submit("switch to English", `form[action="/lang"] button`)
	finding := `li.finding[data-rule="POL-01"]`
	if got := strings.ToLower(u.text(finding + " p")); !strings.Contains(got, "virtualization") || !strings.Contains(got, "policy") {
		t.Errorf("finding text %q", got)
	}
	u.submit("follow the finding", finding+" a")
	if got := eval[bool](u, `document.querySelector('input[name="cloud_topics"][value="virtualization"]').checked && document.getElementById("f-kind").value === "policy"`); !got {
		t.Fatal("the new policy is not filled in with the missing topic")
	}
	u.run("fill in", chromedp.SendKeys(chromedp.ID("f-id"), "doc-pol-090"), chromedp.SendKeys(chromedp.ID("f-title"), "Cloud policy addendum"))
	u.submit("save", `.item-form .top-actions button`)
	// v2: a policy counts once top management approved it; the CEO does.
	u.submit("log out", `form[action="/logout"] button`)
	u.login("ceo@example.com")
	u.submit("switch to English", `form[action="/lang"] button`)
	u.run("the new policy", chromedp.Navigate(u.url+"/orgs/sample/items/documents/doc-pol-090"), chromedp.WaitVisible(chromedp.CSS(`form.approve-form button`)))
	u.submit("approve", `form.approve-form button`)
	u.run("approved", chromedp.WaitVisible(chromedp.CSS(`p.flash`)))
	if got := u.text(`p.flash`); !strings.Contains(got, "approval has been recorded") {
		t.Errorf("flash %q", got)
	}
	if *dialogs != 1 {
		t.Errorf("%d dialogs, want 1", *dialogs)
	}
	u.run("dashboard", chromedp.Navigate(u.url+"/orgs/sample/"), chromedp.WaitVisible(chromedp.CSS(`#f-h`)))
	if strings.Contains(u.html(), `data-rule="POL-01"`) {
		t.Error("the POL-01 finding stays after the fix")
	}
}
