package web_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// The registers of the whole ISMS as a member reads them: the
// nonconformities list, filtered by source, and a certificate's form with
// its fields by their labels. Kept as README screenshots on request.
func TestBrowserRegisterPages(t *testing.T) {
	u := start(t)
	u.login("manager@example.com")
	u.run("nonconformities", chromedp.Navigate(u.url+"/orgs/sample/items/nonconformities"), chromedp.WaitVisible(chromedp.CSS("table.items")))
	if nav := u.text(`nav.side a[aria-current]`); nav == "" {
		t.Error("the register is not current in the navigation")
	}
	if !strings.Contains(u.html(), `name="f.source"`) {
		t.Error("no filter by source")
	}
	readmeShot(t, u, "register-nonconformities", "")
	u.run("trainings", chromedp.Navigate(u.url+"/orgs/sample/items/trainings?f.kind=competence"), chromedp.WaitVisible(chromedp.CSS("table.items")))
	if n := eval[int](u, `document.querySelectorAll("table.items tbody tr").length`); n != 2 {
		t.Errorf("%d competence trainings listed, want 2", n)
	}
	u.run("a certificate", chromedp.Navigate(u.url+"/orgs/sample/items/certificates"), chromedp.WaitVisible(chromedp.CSS("table.items tbody tr th a")))
	u.submit("open it", `table.items tbody tr th a`)
	u.run("form", chromedp.WaitVisible(chromedp.ID("f-id")))
	if labels := u.text("form"); strings.Contains(labels, "expires") || strings.Contains(labels, "certificate_number") {
		t.Errorf("the form shows bundle keys: %.300s", labels)
	}
	readmeShot(t, u, "register-certificate", "")
}
