package web_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/cloudisms/cloudisms/internal/store/storetest"
)

// The pages of an asset, a risk and a cloud service show the records
// linked with them, by name and linked: the risk's controls lead to the
// SoA rows, the asset's risks and systems, the service's SoAs, monitoring,
// backups and more.
func TestLinkedRecords(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			st := newSite(t, b)
			const as = "viewer@example.com"
			for _, c := range []struct {
				path string
				want []string
			}{
				{"/orgs/sample/items/risks/r-01", []string{"関連する記録", `href="/orgs/sample/soa/row?soa=organization&amp;control=5.1"`, `href="/orgs/sample/items/assets/a-01"`,
					"顧客の勤怠データ（打刻・勤務実績・休暇）", `href="/orgs/sample/items/cloud_services/svc-kintai"`}},
				{"/orgs/sample/items/assets/a-01", []string{"関連する記録", `href="/orgs/sample/items/risks/r-01"`, `href="/orgs/sample/items/systems/sys-db"`, `href="/orgs/sample/items/cloud_services/svc-kintai"`}},
				{"/orgs/sample/items/cloud_services/svc-kintai", []string{"関連する記録", "適用宣言書", `href="/orgs/sample/soa?soa=svc-kintai%3Aprovider"`,
					`href="/orgs/sample/items/risks/r-01"`, `href="/orgs/sample/items/monitoring/000001"`, `href="/orgs/sample/items/assets/a-01"`, "バックアップ"}},
			} {
				page := st.get(as, c.path)
				i := strings.Index(page, `id="linked"`)
				if i < 0 {
					t.Errorf("%s: no linked records", c.path)
					continue
				}
				section := page[i:]
				section = section[:strings.Index(section, "</section>")]
				for _, w := range c.want {
					if !strings.Contains(section, w) && !strings.Contains(page, w) {
						t.Errorf("%s: the linked records lack %q\n%s", c.path, w, section)
					}
				}
				if strings.Contains(section, ">r-01<") || strings.Contains(section, ">svc-kintai<") {
					t.Errorf("%s: an id shown where a name belongs\n%s", c.path, section)
				}
			}
		})
	}
}

// In a browser: a risk's linked controls lead to the SoA row's page,
// whose linked records lead back to the risk.
func TestBrowserLinkedRecords(t *testing.T) {
	u := start(t)
	u.login("manager@example.com")
	u.run("risk", chromedp.Navigate(u.url+"/orgs/sample/items/risks/r-01"), chromedp.WaitVisible(chromedp.ID("linked")))
	readmeShot(t, u, "linked-risk", "#linked")
	u.submit("to the SoA row", `#linked a[href$="soa=organization&control=5.1"]`)
	u.run("SoA row", chromedp.WaitVisible(`[id="row-5.1"]`), chromedp.WaitVisible(`#linked a[href="/orgs/sample/items/risks/r-01"]`),
		chromedp.WaitVisible(`#evidence`))
	readmeShot(t, u, "soa-row", "main")
	u.submit("back to the risk", `#linked a[href="/orgs/sample/items/risks/r-01"]`)
	u.run("risk again", chromedp.WaitVisible(chromedp.ID("linked")))
}
