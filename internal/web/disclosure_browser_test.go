package web_test

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// An admin publishes a provider service's disclosure page from the reports
// page; anyone can then read it, in Japanese and English. The Japanese
// page is kept as docs/screenshots/disclosure.png.
func TestDisclosurePageInBrowser(t *testing.T) {
	u := start(t)
	ctx := context.Background()
	acc, err := u.store.CreateUser(ctx, "admin@example.com", "admin@example.com", "ja", password)
	if err != nil {
		t.Fatal(err)
	}
	if err := u.store.AddMember(ctx, "sample", acc.ID, "admin", "p-isms"); err != nil {
		t.Fatal(err)
	}
	dialogs := u.acceptDialogs()
	u.login("admin@example.com")
	u.run("reports page", chromedp.Navigate(u.url+"/orgs/sample/reports"), chromedp.WaitVisible(chromedp.ID("publish-svc-kintai")))
	u.submit("publish", "#publish-svc-kintai")
	if *dialogs == 0 {
		t.Error("publishing did not ask for confirmation")
	}
	u.run("public link", chromedp.WaitVisible(chromedp.ID("public-svc-kintai")))
	saveShot(t, u, "reports")
	u.submit("log out", `form[action="/logout"] button`)
	u.run("public page", chromedp.Navigate(u.url+"/disclosure/sample/svc-kintai?lang=ja"), chromedp.WaitVisible(chromedp.ID("disclosure")))
	page := u.text("main")
	for _, want := range []string{"プロバイダが実施する事項", "カスタマに実施していただく事項", "CLD.6.3.1", "認証の適用範囲"} {
		if !strings.Contains(page, want) {
			t.Errorf("the public page lacks %q", want)
		}
	}
	saveShot(t, u, "disclosure")
	u.run("English", chromedp.Navigate(u.url+"/disclosure/sample/svc-kintai?lang=en"), chromedp.WaitVisible(chromedp.ID("disclosure")))
	if !strings.Contains(u.text("main"), "Left to the customer") {
		t.Error("the English page is not in English")
	}
	// Printed documents open with their page style allowed by the CSP.
	u.login("admin@example.com")
	u.run("print page", chromedp.Navigate(u.url+"/orgs/sample/print/soa"), chromedp.WaitVisible(chromedp.CSS("h1")))
	styled := eval[bool](u, `getComputedStyle(document.querySelector("th")).borderTopStyle === "solid"`)
	if !styled {
		t.Error("the print style sheet is not applied")
	}
}
