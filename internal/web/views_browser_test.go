package web_test

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/cloudisms/cloudisms/internal/bundle"
)

func TestBrowserScopeDiagram(t *testing.T) {
	u := start(t)
	u.login("manager@example.com")
	u.run("scope page", chromedp.Navigate(u.url+"/orgs/sample/scope"), chromedp.WaitVisible(chromedp.CSS(`svg.supply`)))
	svg := eval[string](u, `document.querySelector("svg.supply").textContent`)
	for _, name := range []string{"クラウド勤怠管理サービス", "ニンバスクラウド IaaS", "ニンバスクラウド株式会社"} {
		if !strings.Contains(svg, name) {
			t.Errorf("the diagram does not show %q: %q", name, svg)
		}
	}
	// The boxes are laid out: the used service stands right of its user.
	kintai := eval[float64](u, `document.getElementById("sc-svc-kintai").getBoundingClientRect().x`)
	iaas := eval[float64](u, `document.getElementById("sc-svc-iaas").getBoundingClientRect().x`)
	if !(iaas > kintai) {
		t.Errorf("svc-iaas (x=%.0f) is not right of svc-kintai (x=%.0f)", iaas, kintai)
	}
	// Following the people link reaches the row of a person.
	if n := eval[int](u, `document.querySelectorAll("#person-p-ops a[href='/orgs/sample/items/people/p-ops']").length`); n != 1 {
		t.Errorf("edit link of p-ops: %d", n)
	}
	saveShot(t, u, "scope")
}

func TestBrowserRiskFromGap(t *testing.T) {
	u := start(t)
	ctx := context.Background()
	v, err := u.store.Get(ctx, "sample", "verifications", "ver-04")
	if err != nil {
		t.Fatal(err)
	}
	it, refs, err := bundle.DecodeItem("verifications", "ver-04", []byte(strings.Replace(string(v.Data), `,"risk":"r-06"`, "", 1)), "iso27001:2022")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := u.store.Put(ctx, "sample", it, refs, v.Version, "t"); err != nil {
		t.Fatal(err)
	}
	u.login("manager@example.com")
	u.run("verifications", chromedp.Navigate(u.url+"/orgs/sample/verifications#ver-ver-04"), chromedp.WaitVisible(chromedp.CSS(`#ver-ver-04 form.create-risk`)),
		chromedp.SetValue(chromedp.CSS(`#rowner-ver-04`), "p-ops-lead"))
	u.submit("create the risk", `#ver-ver-04 form.create-risk button`)
	u.run("created", chromedp.WaitVisible(chromedp.CSS(`p.flash`)))
	if got := u.text(`#ver-ver-04 .risk-link`); got != "r-15" {
		t.Errorf("the verification links %q", got)
	}
	u.submit("open the risk", `p.flash a`)
	u.run("risk row", chromedp.WaitVisible(chromedp.CSS(`#risk-r-15`)))
	if got := u.text(`#risk-r-15 .title`); !strings.Contains(got, "svc") && !strings.Contains(got, "ニンバスクラウド") {
		t.Errorf("risk title %q", got)
	}
	saveShot(t, u, "verifications")
}

// Removing a member asks once: a dialog where JavaScript runs, and the
// member is gone after it is accepted.
func TestBrowserRemoveMemberAsksOnce(t *testing.T) {
	u := start(t)
	ctx := context.Background()
	admin, err := u.store.CreateUser(ctx, "admin@example.com", "管理者", "ja", password)
	if err != nil {
		t.Fatal(err)
	}
	if err := u.store.AddMember(ctx, "sample", admin.ID, "admin", "p-isms"); err != nil {
		t.Fatal(err)
	}
	ops, _ := u.store.UserByEmail(ctx, "ops@example.com")
	dialogs := u.acceptDialogs()
	u.login("admin@example.com")
	row := "#member-" + strconv.FormatInt(ops.ID, 10)
	u.run("members", chromedp.Navigate(u.url+"/orgs/sample/members"), chromedp.WaitVisible(chromedp.CSS(row)))
	u.submit("remove", row+` button[data-confirmed]`)
	u.run("removed", chromedp.WaitVisible(chromedp.CSS(`p.flash`)))
	if *dialogs != 1 {
		t.Errorf("%d dialogs, want 1", *dialogs)
	}
	if _, err := u.store.Member(ctx, "sample", ops.ID); err == nil {
		t.Error("the member was not removed")
	}
}

// Printed, a page keeps its content and drops navigation, forms and edit links.
func TestBrowserPrintStyles(t *testing.T) {
	u := start(t)
	u.login("manager@example.com")
	if _, err := chromedp.Call(u.ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: "print"}); err != nil {
		t.Fatal(err)
	}
	u.run("scope", chromedp.Navigate(u.url+"/orgs/sample/scope"), chromedp.WaitVisible(chromedp.CSS("main h1")))
	hidden := eval[bool](u, `["nav.side", "header.top", "form.approve-form", "#svc-svc-kintai td.actions", "p.actions"].every(s => getComputedStyle(document.querySelector(s)).display === "none")`)
	if !hidden {
		t.Error("navigation, forms or edit links are printed")
	}
	shown := eval[bool](u, `["svg.supply", "#person-p-ops", "#statements .statement"].every(s => getComputedStyle(document.querySelector(s)).display !== "none")`)
	if !shown {
		t.Error("content is left off the print")
	}
	if c := eval[string](u, `getComputedStyle(document.querySelector("main a")).color`); c != "rgb(0, 0, 0)" {
		t.Errorf("links print in %s, not black", c)
	}
}
