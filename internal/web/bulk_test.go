package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/cloudisms/cloudisms/internal/store"
	"github.com/cloudisms/cloudisms/internal/store/storetest"
)

// An ISMS office sets many SoA rows at once: choose the rows, preview each
// row's before and after, apply; one history record per row, nothing
// written by the preview, and nothing at all when a row changed since.
func TestBulkSoARows(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			st := newSite(t, b)
			ctx := context.Background()
			const as = "manager@example.com"
			if page := st.get(as, "/orgs/sample/soa"); !strings.Contains(page, `href="/orgs/sample/soa/bulk?soa=organization"`) {
				t.Fatal("the SoA page does not link to bulk editing")
			}
			page := st.get(as, "/orgs/sample/soa/bulk?soa=organization")
			if !strings.Contains(page, `name="control" value="5.1" id="sel-5.1"`) {
				t.Fatal("the bulk page does not offer the rows")
			}
			chosen := []string{"5.1", "5.2", "8.12"}
			version := func(key string) int64 {
				it, err := st.s.Get(ctx, "sample", "soa_rows", key)
				if err != nil {
					t.Fatal(err)
				}
				return it.Version
			}
			before := map[string]int64{}
			for _, c := range chosen {
				before[c] = version("organization/" + c)
			}
			form := url.Values{"soa": {"organization"}, "control": chosen, "implementation": {"partial"}, "notes": {"一括で見直し中"}, "step": {"preview"}}
			code, body, _ := st.do(as, "POST", "/orgs/sample/soa/bulk", form)
			if code != http.StatusOK || !strings.Contains(body, `id="pv-8.12"`) || !strings.Contains(body, "一部実施") {
				t.Fatalf("preview: %d\n%s", code, body)
			}
			for _, c := range chosen {
				if v := version("organization/" + c); v != before[c] {
					t.Fatalf("the preview changed %s", c)
				}
			}
			// Apply with the versions the preview showed.
			seen := regexp.MustCompile(`name="v-([^"]+)" value="(\d+)"`).FindAllStringSubmatch(body, -1)
			if len(seen) != len(chosen) {
				t.Fatalf("preview carries %d versions", len(seen))
			}
			for _, m := range seen {
				form.Set("v-"+m[1], m[2])
			}
			form.Set("step", "apply")
			code, _, h := st.do(as, "POST", "/orgs/sample/soa/bulk", form)
			if code != http.StatusSeeOther || !strings.Contains(h.Get("Location"), "bulk=3") {
				t.Fatalf("apply: %d %s", code, h.Get("Location"))
			}
			for _, c := range chosen {
				it, _ := st.s.Get(ctx, "sample", "soa_rows", "organization/"+c)
				if !strings.Contains(string(it.Data), `"implementation":"partial"`) || !strings.Contains(string(it.Data), "一括で見直し中") {
					t.Errorf("%s not changed: %s", c, it.Data)
				}
				hist, err := st.s.History(ctx, "sample", store.HistoryFilter{Kind: "soa_rows", Key: "organization/" + c})
				if err != nil {
					t.Fatal(err)
				}
				if n := len(hist); n < 2 || hist[n-1].Actor != as {
					t.Errorf("%s: the change is not its own history record by the member (%d records)", c, n)
				}
			}
			if page := st.get(as, "/orgs/sample/soa?soa=organization&bulk=3"); !strings.Contains(page, "3 行を更新しました") {
				t.Error("no flash after applying")
			}

			// A row changed by someone else after the preview: nothing is written.
			form = url.Values{"soa": {"organization"}, "control": {"5.1", "5.2"}, "implementation": {"planned"}, "step": {"preview"}}
			_, body, _ = st.do(as, "POST", "/orgs/sample/soa/bulk", form)
			for _, m := range regexp.MustCompile(`name="v-([^"]+)" value="(\d+)"`).FindAllStringSubmatch(body, -1) {
				form.Set("v-"+m[1], m[2])
			}
			it, _ := st.s.Get(ctx, "sample", "soa_rows", "organization/5.2")
			putRaw(t, st, "soa_rows", "organization/5.2", strings.Replace(string(it.Data), "一括で見直し中", "別の人の変更", 1), it.Version)
			v51 := version("organization/5.1")
			form.Set("step", "apply")
			code, body, _ = st.do(as, "POST", "/orgs/sample/soa/bulk", form)
			if code != http.StatusConflict || !strings.Contains(body, "何も保存していません") {
				t.Fatalf("stale apply: %d", code)
			}
			if version("organization/5.1") != v51 {
				t.Error("a stale bulk change wrote a row")
			}

			// A service SoA: a row inherited from the organization becomes the service's own.
			key := "svc-kintai:provider"
			form = url.Values{"soa": {key}, "control": {"5.3"}, "justification": {"サービス固有の理由"}, "applicable": {"true"}, "step": {"preview"}}
			_, body, _ = st.do(as, "POST", "/orgs/sample/soa/bulk", form)
			for _, m := range regexp.MustCompile(`name="v-([^"]+)" value="(\d+)"`).FindAllStringSubmatch(body, -1) {
				form.Set("v-"+m[1], m[2])
			}
			form.Set("step", "apply")
			if code, body, _ := st.do(as, "POST", "/orgs/sample/soa/bulk", form); code != http.StatusSeeOther {
				t.Fatalf("service apply: %d\n%s", code, body)
			}
			if it, err := st.s.Get(ctx, "sample", "soa_rows", key+"/5.3"); err != nil || !strings.Contains(string(it.Data), "サービス固有の理由") {
				t.Errorf("the service's own row: %s %v", it.Data, err)
			}

			// What cannot be done says why, and changes nothing.
			for _, c := range []struct {
				form url.Values
				want string
			}{
				{url.Values{"soa": {"organization"}, "implementation": {"partial"}, "step": {"preview"}}, "行が選ばれていません"},
				{url.Values{"soa": {"organization"}, "control": {"5.1"}, "step": {"preview"}}, "設定する内容が指定されていません"},
			} {
				if code, body, _ := st.do(as, "POST", "/orgs/sample/soa/bulk", c.form); code != http.StatusBadRequest || !strings.Contains(body, c.want) {
					t.Errorf("%v: %d, want 400 with %q", c.form, code, c.want)
				}
			}
			if code, _, _ := st.do("viewer@example.com", "POST", "/orgs/sample/soa/bulk", url.Values{"soa": {"organization"}, "control": {"5.1"}, "implementation": {"partial"}, "step": {"apply"}}); code != http.StatusForbidden {
				t.Errorf("a viewer's bulk change: %d, want 403", code)
			}
		})
	}
}

// In a browser: from the SoA page to bulk editing, choose every planned
// row with the "all" box, set them implemented, check the preview, apply.
func TestBrowserBulkSoA(t *testing.T) {
	u := start(t)
	u.login("manager@example.com")
	u.run("SoA", chromedp.Navigate(u.url+"/orgs/sample/soa?state=planned"), chromedp.WaitVisible(chromedp.CSS(`a.bulk-link`)))
	planned := eval[int](u, `document.querySelectorAll("table.soa tbody tr").length`)
	if planned == 0 {
		t.Fatal("fixture: the sample has no planned rows")
	}
	u.submit("bulk editing", `a.bulk-link`)
	u.run("rows", chromedp.WaitVisible(chromedp.ID("bulk-all")))
	if n := eval[int](u, `document.querySelectorAll("table.bulk-rows tbody tr").length`); n != planned {
		t.Errorf("the bulk page keeps the state filter: %d rows, want %d", n, planned)
	}
	u.run("choose all", chromedp.Click(chromedp.ID("bulk-all")))
	if n := eval[int](u, `document.querySelectorAll('input[name=control]:checked').length`); n != planned {
		t.Fatalf("the all box chose %d of %d rows", n, planned)
	}
	u.run("set implemented", chromedp.SetValue(chromedp.ID("bulk-impl"), "implemented"))
	u.submit("preview", `button[name=step][value=preview]`)
	u.run("preview", chromedp.WaitVisible(chromedp.ID("preview")))
	if n := eval[int](u, `document.querySelectorAll("table.bulk-preview-table tr.changed").length`); n != planned {
		t.Errorf("%d rows change in the preview, want %d", n, planned)
	}
	readmeShot(t, u, "bulk-soa", "#preview")
	u.submit("apply", `button[name=step][value=apply]`)
	u.run("applied", chromedp.WaitVisible(chromedp.CSS(".flash")))
	if msg := u.text(".flash"); !strings.Contains(msg, "行を更新しました") {
		t.Errorf("flash: %q", msg)
	}
	u.run("no planned rows left", chromedp.Navigate(u.url+"/orgs/sample/soa?state=planned"), chromedp.WaitVisible(chromedp.CSS("table.soa")))
	if n := eval[int](u, `document.querySelectorAll("table.soa tbody tr[data-state]").length`); n != 0 {
		t.Errorf("%d rows still planned", n)
	}
}

// A new service SoA starts from another service's decisions: the chosen
// rows are copied as its own rows and the SoA is created with them.
func TestCopySoARows(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			st := newSite(t, b)
			ctx := context.Background()
			const as = "manager@example.com"
			// The chat service enters the scope: its customer SoA is missing.
			it, err := st.s.Get(ctx, "sample", "cloud_services", "svc-workchat")
			if err != nil {
				t.Fatal(err)
			}
			putRaw(t, st, "cloud_services", "svc-workchat", strings.Replace(string(it.Data), `"in_scope":false`, `"in_scope":true`, 1), it.Version)
			const target = "svc-workchat:customer"
			page := st.get(as, "/orgs/sample/soa?soa="+target)
			if !strings.Contains(page, `href="/orgs/sample/soa/copy?soa=svc-workchat%3acustomer"`) {
				t.Fatalf("no copy link on the missing service SoA: %s", regexp.MustCompile(`(?s)<select id="soa-sel".*?</select>`).FindString(page))
			}
			page = st.get(as, "/orgs/sample/soa/copy?soa="+target+"&from=svc-iaas:customer")
			boxes := regexp.MustCompile(`name="control" value="(27017:[^"]+)"`).FindAllStringSubmatch(page, -1)
			if len(boxes) < 2 {
				t.Fatalf("the copy page offers %d 27017 rows of the IaaS SoA", len(boxes))
			}
			chosen := []string{boxes[0][1], boxes[1][1]}
			form := url.Values{"soa": {target}, "from": {"svc-iaas:customer"}, "control": chosen}
			code, _, h := st.do(as, "POST", "/orgs/sample/soa/copy", form)
			if code != http.StatusSeeOther || !strings.Contains(h.Get("Location"), "copied=2") {
				t.Fatalf("copy: %d %s", code, h.Get("Location"))
			}
			if _, err := st.s.Get(ctx, "sample", "soa", target); err != nil {
				t.Fatalf("the SoA was not created: %v", err)
			}
			for _, c := range chosen {
				src, _ := st.s.Get(ctx, "sample", "soa_rows", "svc-iaas:customer/"+c)
				got, err := st.s.Get(ctx, "sample", "soa_rows", target+"/"+c)
				if err != nil {
					t.Fatalf("%s not copied: %v", c, err)
				}
				var want, have map[string]any
				json.Unmarshal(src.Data, &want)
				json.Unmarshal(got.Data, &have)
				delete(want, "evidence") // evidence stays with the row it proves
				if !reflect.DeepEqual(want, have) {
					t.Errorf("%s copied as %s, source %s", c, got.Data, src.Data)
				}
			}
			// Copying a row the SoA has already: nothing is written.
			form.Set("control", chosen[0])
			form.Add("control", boxes[2][1])
			if code, _, _ := st.do(as, "POST", "/orgs/sample/soa/copy", form); code != http.StatusConflict {
				t.Errorf("copying over an own row: %d, want 409", code)
			}
			if _, err := st.s.Get(ctx, "sample", "soa_rows", target+"/"+boxes[2][1]); err == nil {
				t.Error("a refused copy wrote a row")
			}
			if code, _, _ := st.do("viewer@example.com", "POST", "/orgs/sample/soa/copy", form); code != http.StatusForbidden {
				t.Errorf("a viewer's copy: %d, want 403", code)
			}
		})
	}
}

// The risk register's bulk actions: an ISMS manager hands one owner's
// risks to another in one step; an owner approves several of their own
// risks at once, each approval recorded per risk; nobody approves a risk
// they do not own, in bulk or not.
func TestBulkRisks(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			st := newSite(t, b)
			ctx := context.Background()
			const as = "manager@example.com" // isms-manager, p-isms
			if page := st.get(as, "/orgs/sample/risks?owner=p-ops-lead"); !strings.Contains(page, `href="/orgs/sample/risks/bulk?owner=p-ops-lead"`) {
				t.Fatal("the register does not link to its bulk actions with its filter")
			}
			page := st.get(as, "/orgs/sample/risks/bulk?owner=p-ops-lead")
			ids := regexp.MustCompile(`name="risk" value="(r-\d+)"`).FindAllStringSubmatch(page, -1)
			if len(ids) != 4 {
				t.Fatalf("the bulk page offers %d risks of p-ops-lead, want 4", len(ids))
			}
			form := url.Values{"owner": {"p-ops-lead"}, "action": {"owner"}, "new_owner": {"p-cs-lead"}, "step": {"preview"}}
			for _, m := range ids {
				form.Add("risk", m[1])
			}
			apply := func(as string, form url.Values) (int, string, http.Header) {
				t.Helper()
				code, body, _ := st.do(as, "POST", "/orgs/sample/risks/bulk", form)
				if code != http.StatusOK {
					return code, body, nil
				}
				f := url.Values{}
				for k, v := range form {
					f[k] = v
				}
				for _, m := range regexp.MustCompile(`name="v-([^"]+)" value="(\d+)"`).FindAllStringSubmatch(body, -1) {
					f.Set("v-"+m[1], m[2])
				}
				f.Set("step", "apply")
				return st.do(as, "POST", "/orgs/sample/risks/bulk", f)
			}
			code, _, h := apply(as, form)
			if code != http.StatusSeeOther || !strings.Contains(h.Get("Location"), "bulk=4") {
				t.Fatalf("reassign: %d %v", code, h)
			}
			for _, m := range ids {
				it, _ := st.s.Get(ctx, "sample", "risks", m[1])
				if !strings.Contains(string(it.Data), `"owner":"p-cs-lead"`) {
					t.Errorf("%s not given to p-cs-lead: %s", m[1], it.Data)
				}
			}
			// The manager owns r-01, r-03 and r-13; r-02 is someone else's.
			form = url.Values{"action": {"approve"}, "risk": {"r-01", "r-03"}, "residual_accepted": {"true", "false"}, "step": {"preview"}}
			if code, body, _ := apply(as, form); code != http.StatusSeeOther {
				t.Fatalf("approve own risks: %d\n%s", code, body)
			}
			for _, id := range []string{"r-01", "r-03"} {
				ap, err := st.s.ApprovalOf(ctx, "sample", "risks", id)
				if err != nil || ap.Person != "p-isms" || ap.Stale {
					t.Errorf("%s: approval %+v %v", id, ap, err)
				}
			}
			form = url.Values{"action": {"approve"}, "risk": {"r-13", "r-02"}, "step": {"preview"}}
			_, body, _ := st.do(as, "POST", "/orgs/sample/risks/bulk", form)
			if !regexp.MustCompile(`id="pv-r-02" class="error"`).MatchString(body) {
				t.Error("the preview does not refuse approving another owner's risk")
			}
			before, _ := st.s.Get(ctx, "sample", "risks", "r-13")
			if code, _, _ := apply(as, form); code != http.StatusBadRequest {
				t.Errorf("approving another owner's risk in bulk: %d, want 400", code)
			}
			if after, _ := st.s.Get(ctx, "sample", "risks", "r-13"); after.Version != before.Version {
				t.Error("a refused bulk approval approved the manager's own risk anyway")
			}
			// A risk owner may approve their own risks but not reassign any.
			if code, _, _ := st.do("ops@example.com", "POST", "/orgs/sample/risks/bulk", url.Values{"action": {"owner"}, "new_owner": {"p-ops"}, "risk": {"r-01"}, "step": {"apply"}}); code != http.StatusForbidden {
				t.Errorf("a risk owner reassigning: %d, want 403", code)
			}
		})
	}
}

// The catalog's unconfirmed Japanese titles are marked wherever the bulk
// editor, the copy page and the search show a title, with the note.
func TestUnconfirmedTitlesMarkedElsewhere(t *testing.T) {
	st := newSite(t, storetest.Backends(t)[0])
	for _, path := range []string{"/orgs/sample/soa/bulk?soa=organization", "/orgs/sample/soa/copy?soa=svc-kintai:provider&from=organization",
		"/orgs/sample/search?q=" + url.QueryEscape("5.23"), "/orgs/sample/control-texts"} {
		page := st.get("manager@example.com", path)
		if !strings.Contains(page, "＊") || !strings.Contains(page, `class="hint unconfirmed-note"`) {
			t.Errorf("%s marks no unconfirmed title", path)
		}
	}
}
