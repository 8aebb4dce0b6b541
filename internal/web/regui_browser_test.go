package web_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/cloudisms/cloudisms/internal/report"
	"github.com/xuri/excelize/v2"
)

// A register flow in the browser: the ISMS office adds a training held
// in Excel with its attendance (the workbook cloudisms wrote), previews
// and applies it, and the attendee's page shows the training and the
// competence requirement met. Screenshots (ja) of the new pages.
func TestBrowserTrainingAttendance(t *testing.T) {
	u := start(t)
	m := sampleWithRegisters(t)
	if _, err := u.store.Import(context.Background(), "sample", m, "t"); err != nil {
		t.Fatal(err)
	}
	// The workbook as Excel edits it: a new training and its two attendees.
	var buf bytes.Buffer
	if err := report.Write(&buf, m, report.KindCompetence, report.Options{Lang: "ja"}); err != nil {
		t.Fatal(err)
	}
	x, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	rows, _ := x.GetRows("教育訓練の実施記録")
	r := strconv.Itoa(len(rows) + 1)
	for col, v := range map[string]string{"A": "tr-2026-10", "B": "2026-10-20", "C": "クラウドセキュリティ研修（秋）", "D": "力量", "E": "cloud-security"} {
		x.SetCellValue("教育訓練の実施記録", col+r, v)
	}
	rows, _ = x.GetRows("出席記録")
	for i, p := range []string{"p-dev", "p-ops"} {
		n := strconv.Itoa(len(rows) + 1 + i)
		x.SetCellValue("出席記録", "C"+n, "tr-2026-10")
		x.SetCellValue("出席記録", "D"+n, p)
	}
	file := filepath.Join(t.TempDir(), "教育訓練記録.xlsx")
	out, err := os.Create(file)
	if err != nil {
		t.Fatal(err)
	}
	x.WriteTo(out)
	out.Close()
	x.Close()

	u.login("manager@example.com")
	dir := shotDir(t)
	save := func(name string) {
		buf, err := chromedp.Run(u.ctx, chromedp.FullScreenshot(90))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name+".png"), buf, 0o644); err != nil {
			t.Error(err)
		}
	}
	u.run("dashboard", chromedp.Navigate(u.url+"/orgs/sample/"), chromedp.WaitVisible(chromedp.ID("dash-registers")))
	u.run("scroll to the registers", chromedp.ScrollIntoView(chromedp.ID("dash-registers")))
	save("dashboard-registers")
	u.run("reports", chromedp.Navigate(u.url+"/orgs/sample/reports"), chromedp.WaitVisible(chromedp.ID("register-import-link")))
	u.submit("import page", "#register-import-link")
	u.run("choose the workbook",
		chromedp.SetValue(chromedp.ID("ri-kind"), "trainings"),
		chromedp.SetUploadFiles(chromedp.ID("ri-file"), []string{file}))
	u.submit("preview", `#register-import-form button`)
	u.run("preview shown", chromedp.WaitVisible(chromedp.ID("register-import-apply")))
	if s := u.text("#register-import-preview"); !strings.Contains(s, "tr-2026-10") || !strings.Contains(s, "追加") {
		t.Fatalf("preview: %q", s)
	}
	save("register-import")
	u.submit("apply", "#register-import-apply")
	u.run("applied", chromedp.WaitVisible(chromedp.CSS(".flash")))
	// The person's page, from the scope page's list of people.
	u.run("scope", chromedp.Navigate(u.url+"/orgs/sample/scope"), chromedp.WaitVisible(chromedp.CSS(`#person-p-dev a`)))
	u.submit("p-dev's page", `#person-p-dev a`)
	u.run("person page", chromedp.WaitVisible(chromedp.ID("competence")))
	if s := u.text("#trainings"); !strings.Contains(s, "クラウドセキュリティ研修（秋）") || !strings.Contains(s, "2026-10-20") {
		t.Errorf("trainings on the person's page: %q", s)
	}
	if met := eval[string](u, `document.querySelector('tr.competence-row[data-topic="cloud-security"]').dataset.met`); met != "true" {
		t.Errorf("cloud-security requirement met: %s", met)
	}
	save("person")
	u.run("print", chromedp.Navigate(u.url+"/orgs/sample/print/competence"), chromedp.WaitVisible(chromedp.CSS("table")))
	if s := u.text("body"); !strings.Contains(s, "クラウドセキュリティ研修（秋）") || !strings.Contains(s, "伊藤 美咲") {
		t.Errorf("the printed competence record lacks the new training")
	}
	save("print-competence")
}
