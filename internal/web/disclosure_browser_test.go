package web_test

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/xuri/excelize/v2"

	"github.com/cloudisms/cloudisms/internal/report"
	"github.com/cloudisms/cloudisms/internal/store"
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
	for _, want := range []string{"プロバイダが実施する事項", "カスタマに実施していただく事項", "CLD.6.3.1", "認証の適用範囲",
		"データの保存・処理の場所", "日本 (JP)", "適用される法域", "変更の通知", "インシデントの報告窓口と通知", "バックアップの仕様",
		"カスタマが利用できる監視", "終了時のデータの返却と削除", "月間稼働率", "全般の分担によります"} {
		if !strings.Contains(page, want) {
			t.Errorf("the public page lacks %q", want)
		}
	}
	// The allocation table takes the page's width (it was a narrow column).
	if wide := eval[bool](u, `document.querySelector("table.allocations").getBoundingClientRect().width > 0.8 * document.querySelector("main").clientWidth`); !wide {
		t.Error("the allocation table does not take the page's width")
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

// The Excel round trip in the browser: download the SoA workbook, edit it,
// upload it, see the changed row in the preview, apply it.
func TestSoAWorkbookRoundTripInBrowser(t *testing.T) {
	u := start(t)
	ctx := context.Background()
	m, head, err := u.store.ISMSAt(ctx, "sample")
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := report.Write(&buf, m, report.KindSoA, report.Options{}); err != nil {
		t.Fatal(err)
	}
	x, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	sh := x.GetSheetList()[0]
	rows, _ := x.GetRows(sh)
	for i, r := range rows {
		if len(r) > 0 && r[0] == "5.3" {
			x.SetCellValue(sh, fmt.Sprintf("F%d", i+1), "計画中")
		}
	}
	file := filepath.Join(t.TempDir(), "soa.xlsx")
	if err := x.SaveAs(file); err != nil {
		t.Fatal(err)
	}
	x.Close()
	u.acceptDialogs()
	u.login("manager@example.com")
	u.run("reports page", chromedp.Navigate(u.url+"/orgs/sample/reports"), chromedp.WaitVisible(chromedp.ID("workbook")),
		chromedp.SetUploadFiles(chromedp.ID("workbook"), []string{file}))
	u.submit("preview", `form[action$="/reports/soa-import"] button`)
	if c := u.text("#changes"); !strings.Contains(c, "5.3") || !strings.Contains(c, "計画中") {
		t.Fatalf("preview: %q", c)
	}
	if _, h, _ := u.store.ISMSAt(ctx, "sample"); h != head {
		t.Fatal("the preview changed the ISMS")
	}
	u.submit("apply", "#apply")
	if f := u.text(".flash"); !strings.Contains(f, "1 行") {
		t.Fatalf("after applying: %q", f)
	}
	hist, _ := u.store.History(ctx, "sample", store.HistoryFilter{After: head})
	if len(hist) != 1 || hist[0].Actor != "manager@example.com" || hist[0].Key != "organization/5.3" {
		t.Errorf("history %+v", hist)
	}
}
