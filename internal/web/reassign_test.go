package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/cloudisms/cloudisms/internal/bundle"
	"github.com/cloudisms/cloudisms/internal/store"
	"github.com/cloudisms/cloudisms/internal/store/storetest"
)

// The corrective actions of internal audits, certification audits and
// nonconformities change owner together: preview, apply against the
// previewed versions, one history record per item holding them; a change
// made after the preview leaves everything as it was, and a member who may
// not edit audits cannot reassign.
func TestReassignCorrectiveActions(t *testing.T) {
	chosen := []string{"audits/aud-2026-01/findings/f-01", "external_audits/ea-2025-sv1/findings/f-sv1-1", "nonconformities/nc-2026-01"}
	items := [][2]string{{"audits", "aud-2026-01"}, {"external_audits", "ea-2025-sv1"}, {"nonconformities", "nc-2026-01"}}
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			st := newSite(t, b)
			ctx := context.Background()
			const as = "manager@example.com"
			if page := st.get(as, "/orgs/sample/audits"); !strings.Contains(page, `href="/orgs/sample/audits/reassign"`) {
				t.Fatal("the audits page does not link to reassigning corrective actions")
			}
			page := st.get(as, "/orgs/sample/audits/reassign")
			for _, c := range chosen {
				if !strings.Contains(page, `name="ca" value="`+c+`"`) {
					t.Errorf("the page does not offer %s", c)
				}
			}
			if !strings.Contains(page, "是正処置の担当者をまとめて変更") {
				t.Error("the page is not titled in Japanese")
			}
			if only := st.get(as, "/orgs/sample/audits/reassign?owner=p-cs-lead"); strings.Contains(only, `value="audits/aud-2026-01/findings/f-01"`) || !strings.Contains(only, `value="nonconformities/nc-2026-01"`) {
				t.Error("the owner filter does not keep only that owner's actions")
			}
			versions := func() map[string]int64 {
				out := map[string]int64{}
				for _, k := range items {
					it, err := st.s.Get(ctx, "sample", k[0], k[1])
					if err != nil {
						t.Fatal(err)
					}
					out[k[0]+"/"+k[1]] = it.Version
				}
				return out
			}
			before := versions()
			form := url.Values{"ca": chosen, "new_owner": {"p-dev-lead"}, "step": {"preview"}}
			code, body, _ := st.do(as, "POST", "/orgs/sample/audits/reassign", form)
			if code != http.StatusOK || strings.Count(body, `class="changed"`) != 3 || !strings.Contains(body, "開発部長") && !strings.Contains(body, "p-dev-lead") {
				t.Fatalf("preview: %d\n%s", code, body)
			}
			if after := versions(); !equalVersions(before, after) {
				t.Fatal("the preview wrote")
			}
			seen := regexp.MustCompile(`name="v-([^"]+)" value="(\d+)"`).FindAllStringSubmatch(body, -1)
			if len(seen) != 3 {
				t.Fatalf("the preview carries %d versions, want 3", len(seen))
			}
			applyForm := url.Values{"ca": chosen, "new_owner": {"p-dev-lead"}, "step": {"apply"}}
			for _, m := range seen {
				applyForm.Set("v-"+m[1], m[2])
			}
			// Someone edits the nonconformity after the preview: nothing is written.
			nc, _ := st.s.Get(ctx, "sample", "nonconformities", "nc-2026-01")
			item, refs := decodeWeb(t, "nonconformities", strings.Replace(string(nc.Data), "影響を受けたカスタマ", "影響のあったカスタマ", 1))
			if _, err := st.s.Put(ctx, "sample", item, refs, nc.Version, "other"); err != nil {
				t.Fatal(err)
			}
			mid := versions()
			if code, _, _ := st.do(as, "POST", "/orgs/sample/audits/reassign", applyForm); code != http.StatusConflict {
				t.Fatalf("apply over a changed item: %d, want 409", code)
			}
			if after := versions(); !equalVersions(mid, after) {
				t.Fatal("a stale apply wrote some items")
			}
			applyForm.Set("v-nonconformities/nc-2026-01", itoa(mid["nonconformities/nc-2026-01"]))
			code, _, h := st.do(as, "POST", "/orgs/sample/audits/reassign", applyForm)
			if code != http.StatusSeeOther || !strings.Contains(h.Get("Location"), "done=3") {
				t.Fatalf("apply: %d %v", code, h)
			}
			for _, k := range items {
				it, _ := st.s.Get(ctx, "sample", k[0], k[1])
				if !strings.Contains(string(it.Data), `"owner":"p-dev-lead"`) {
					t.Errorf("%s: not given to p-dev-lead: %s", k, it.Data)
				}
				hist, err := st.s.History(ctx, "sample", store.HistoryFilter{Kind: k[0], Key: k[1]})
				if err != nil {
					t.Fatal(err)
				}
				if n := len(hist); hist[n-1].Actor != as || it.Version != mid[k[0]+"/"+k[1]]+1 {
					t.Errorf("%s: not one history record by the member (%d records, version %d)", k, n, it.Version)
				}
			}
			if page := st.get(as, "/orgs/sample/audits/reassign?done=3"); !strings.Contains(page, "3 件の是正処置の担当者を変更しました") {
				t.Error("no flash after applying")
			}
			// Bad input: no owner, an unknown person, a made-up action.
			for _, c := range []struct {
				name string
				form url.Values
				want int
			}{
				{"no owner", url.Values{"ca": chosen, "step": {"preview"}}, http.StatusBadRequest},
				{"unknown person", url.Values{"ca": chosen, "new_owner": {"p-nobody"}, "step": {"preview"}}, http.StatusBadRequest},
				{"nothing chosen", url.Values{"new_owner": {"p-isms"}, "step": {"preview"}}, http.StatusBadRequest},
				{"made-up action", url.Values{"ca": {"risks/r-01"}, "new_owner": {"p-isms"}, "step": {"apply"}}, http.StatusBadRequest},
			} {
				if code, _, _ := st.do(as, "POST", "/orgs/sample/audits/reassign", c.form); code != c.want {
					t.Errorf("%s: %d, want %d", c.name, code, c.want)
				}
			}
			// A viewer and an auditor may look but not reassign.
			for _, who := range []string{"viewer@example.com", "ops@example.com"} {
				if code, _, _ := st.do(who, "POST", "/orgs/sample/audits/reassign", applyForm); code != http.StatusForbidden {
					t.Errorf("%s reassigning: %d, want 403", who, code)
				}
			}
		})
	}
}

func equalVersions(a, b map[string]int64) bool {
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return len(a) == len(b)
}

// In a browser: from the audits page to the reassignment, filter by the
// present owner, choose all, preview and apply.
func TestBrowserReassignActions(t *testing.T) {
	u := start(t)
	u.login("manager@example.com")
	u.run("audits", chromedp.Navigate(u.url+"/orgs/sample/audits"), chromedp.WaitVisible(chromedp.CSS(`a.bulk-link`)))
	u.submit("reassign page", `a.bulk-link`)
	u.run("filter", chromedp.WaitVisible(chromedp.ID("ca-owner")), chromedp.SetValue(chromedp.ID("ca-owner"), "p-ops-lead"))
	u.submit("filtered", `#cabulk-filter button`)
	n := eval[int](u, `document.querySelectorAll("table.ca-rows tbody input[name=ca]").length`)
	if n == 0 {
		t.Fatal("fixture: p-ops-lead owns no corrective action")
	}
	u.run("choose all", chromedp.Click(chromedp.ID("bulk-all")), chromedp.SetValue(chromedp.ID("new-owner"), "p-dev-lead"))
	u.submit("preview", `button[name=step][value=preview]`)
	u.run("preview", chromedp.WaitVisible(chromedp.ID("preview")))
	if got := eval[int](u, `document.querySelectorAll("table.bulk-preview-table tr.changed").length`); got != n {
		t.Errorf("%d actions change in the preview, want %d", got, n)
	}
	// Readable widths: the description and the action are at least about
	// 12 characters wide, the source wraps rather than taking their width,
	// and the table fits the page at the browser's 1280 px.
	narrow := eval[string](u, `(() => {
		const t = document.querySelector("table.ca-rows"), row = t.querySelector("tbody tr");
		const w = el => el.getBoundingClientRect().width;
		const out = [];
		for (const td of row.querySelectorAll("td.ca-text")) if (w(td) < 12 * 14) out.push("text " + Math.round(w(td)));
		if (t.scrollWidth > t.parentElement.clientWidth + 1) out.push("table " + t.scrollWidth + " > " + t.parentElement.clientWidth);
		return out.join(", ");
	})()`)
	if narrow != "" {
		t.Errorf("reassign columns too narrow or too wide: %s", narrow)
	}
	readmeShot(t, u, "reassign-actions", "#preview")
	u.submit("apply", `button[name=step][value=apply]`)
	u.run("applied", chromedp.WaitVisible(chromedp.CSS(".flash")))
	if msg := u.text(".flash"); !strings.Contains(msg, "是正処置の担当者を変更しました") {
		t.Errorf("flash: %q", msg)
	}
	if left := eval[int](u, `document.querySelectorAll("table.ca-rows tbody input[name=ca]").length`); left != 0 {
		t.Errorf("%d actions still owned by p-ops-lead", left)
	}
}

func decodeWeb(t *testing.T, kind, data string) (bundle.Item, []bundle.Ref) {
	t.Helper()
	it, refs, err := bundle.DecodeItem(kind, "", []byte(data), "iso27001:2022")
	if err != nil {
		t.Fatal(err)
	}
	return it, refs
}
