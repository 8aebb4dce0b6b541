package web_test

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// In the browser: a CISO Assistant library uploaded on the reports page
// becomes a framework; its SoA shows the headings, the requirements and
// the Annex A rows that cover them, and a requirement's row is saved. An
// OSCAL catalog with parameters is uploaded too; the organization's value
// of a parameter appears in the rendered statement, and withdrawn
// controls show only when asked for.
func TestFrameworkUploadToSoAInBrowser(t *testing.T) {
	u := start(t)
	u.login("manager@example.com")
	lib, _ := filepath.Abs("../library/testdata/sample-library.yaml")
	u.run("reports page", chromedp.Navigate(u.url+"/orgs/sample/reports"), chromedp.WaitVisible(chromedp.ID("library-form")),
		chromedp.SetUploadFiles(chromedp.ID("library"), []string{lib}))
	u.submit("upload library", "#library-form button")
	if flash := u.text("main"); !strings.Contains(flash, "適用宣言の行 3 件") || !strings.Contains(flash, "附属書A への対応付けのある要求事項 2 件") {
		t.Fatalf("after the upload: %.400q", flash)
	}
	u.submit("open the framework", `a[href="/orgs/sample/frameworks/sample-cloud-rules"]`)
	u.run("framework SoA", chromedp.WaitVisible(chromedp.CSS("table.framework")))
	if h := u.text("#c-ac"); !strings.Contains(h, "AC") || !strings.Contains(h, "Access") {
		t.Errorf("heading row: %q", h)
	}
	if row := u.text("#c-ac-01"); !strings.Contains(row, "5.15 アクセス制御") || !strings.Contains(row, "5.16 ") {
		t.Errorf("the Annex A rows that cover AC-01 are not shown: %q", row)
	}
	u.submit("edit AC-01", `#c-ac-01 a[href="?control=ac-01#fw-edit"]`)
	u.run("fill the row", chromedp.WaitVisible(chromedp.ID("fw-edit")),
		chromedp.Click(chromedp.CSS(`#fw-edit input[name="applicable"][value="true"]`)),
		chromedp.SetValue(chromedp.ID("fw-impl"), "implemented"))
	if edit := u.text("#fw-edit"); !strings.Contains(edit, "Every person signs in with an account of their own") || !strings.Contains(edit, "5.15") {
		t.Errorf("edit form: %.400q", edit)
	}
	u.submit("save AC-01", `#fw-edit button[type="submit"]`)
	saveShot(t, u, "framework-library")
	rows, _ := u.store.FrameworkRows(context.Background(), "sample", "sample-cloud-rules")
	if rows["ac-01"].Applicable != "true" || rows["ac-01"].Implementation != "implemented" {
		t.Fatalf("stored row: %+v", rows["ac-01"])
	}

	cat, _ := filepath.Abs("../oscal/testdata/sample-params-catalog.json")
	u.run("reports page", chromedp.Navigate(u.url+"/orgs/sample/reports"), chromedp.WaitVisible(chromedp.ID("catalog")),
		chromedp.SetUploadFiles(chromedp.ID("catalog"), []string{cat}), chromedp.SendKeys(chromedp.ID("fw-id"), "sample-cat"))
	u.submit("upload catalog", `form[action="/orgs/sample/reports/frameworks"] button`)
	u.run("catalog SoA", chromedp.Navigate(u.url+"/orgs/sample/frameworks/sample-cat?control=ac-1#fw-edit"), chromedp.WaitVisible(chromedp.ID("fw-params")))
	if strings.Contains(u.html(), `id="c-ac-2"`) {
		t.Error("a withdrawn control is listed by default")
	}
	u.run("assign a value", chromedp.SendKeys(chromedp.CSS(`input[name="param.ac-01_odp.01"]`), "全従業員"),
		chromedp.Click(chromedp.CSS(`#fw-edit input[name="applicable"][value="true"]`)))
	saveShot(t, u, "framework-params")
	u.submit("save AC-1", `#fw-edit button[type="submit"]`)
	// The statement in the list is folded: read its text.
	if s := eval[string](u, `document.querySelector("#c-ac-1 .stmt").textContent`); !strings.Contains(s, "hand them to 全従業員 at the [選択（1つ以上）") {
		t.Errorf("rendered statement: %q", s)
	}
	u.submit("show withdrawn", "#show-withdrawn")
	if w := u.text("#c-ac-2"); !strings.Contains(w, "取り下げ") || !strings.Contains(w, "AC-1") {
		t.Errorf("withdrawn row: %q", w)
	}
}
