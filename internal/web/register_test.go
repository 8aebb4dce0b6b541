package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// riskIDs lists the risks a register page shows, in order.
func riskIDs(body string) []string {
	var out []string
	for _, m := range regexp.MustCompile(`<tr id="risk-([^"]+)"`).FindAllStringSubmatch(body, -1) {
		out = append(out, m[1])
	}
	return out
}

// The one risk register: search, filters kept in the URL, sortable
// columns, a way to create, and names where people read.
func TestRiskRegisterFindAndCreate(t *testing.T) {
	eachBackend(t, func(t *testing.T, st *site) {
		all := riskIDs(st.get("manager@example.com", "/orgs/sample/risks"))
		if len(all) < 5 {
			t.Fatalf("register shows %v", all)
		}
		for _, c := range []struct {
			query string
			want  func(ids []string) bool
		}{
			{"q=r-02", func(ids []string) bool { return len(ids) == 1 && ids[0] == "r-02" }},
			{"q=" + "バックアップ", func(ids []string) bool { return len(ids) >= 1 && ids[0] == "r-04" }},
			{"owner=p-cs-lead", func(ids []string) bool { return len(ids) >= 1 && !contains(ids, "r-01") && contains(ids, "r-02") }},
			{"asset=a-13", func(ids []string) bool { return contains(ids, "r-01") && !contains(ids, "r-02") }},
			{"service=svc-kintai&treatment=modify", func(ids []string) bool { return contains(ids, "r-01") }},
			{"level=over", func(ids []string) bool { return contains(ids, "r-01") }}, // 2 × 3 = 6 against an acceptance of 4
			{"level=within", func(ids []string) bool { return !contains(ids, "r-01") }},
			{"approval=pending", func(ids []string) bool { return !contains(ids, "r-01") }},
			{"overdue=1", func(ids []string) bool { return !contains(ids, "r-01") }},
			{"sort=-id", func(ids []string) bool { return len(ids) == len(all) && ids[0] == all[len(all)-1] }},
		} {
			ids := riskIDs(st.get("manager@example.com", "/orgs/sample/risks?"+c.query))
			if !c.want(ids) {
				t.Errorf("%s: %v", c.query, ids)
			}
		}
		body := st.get("manager@example.com", "/orgs/sample/risks?owner=p-cs-lead&sort=level")
		// Names, not ids, in the owner column and filter; the id stays a tooltip.
		mustContain(t, "register", body, `title="p-cs-lead"`, `aria-sort="ascending"`, `name="owner"`, "新規登録",
			`/orgs/sample/items/risks?new=1&amp;owner=p-cs-lead`)
		if strings.Contains(body, ">p-cs-lead<") {
			t.Error("the owner shows as an id")
		}
		// The sort link of a column keeps the filters.
		mustContain(t, "sort link", body, `href="/orgs/sample/risks?owner=p-cs-lead&amp;sort=-level"`)
		// The filter shows its choice selected, one option only; a page
		// without it, and one with a value no option has, selects none
		// (the options are rendered once and the choice put in).
		for q, want := range map[string]int{"owner=p-cs-lead": 1, "": 0, "owner=p-nobody": 0, "owner=p-cs-lead&service=svc-kintai": 2} {
			page := st.get("manager@example.com", "/orgs/sample/risks?"+q)
			if got := strings.Count(page, `" selected>`); got != want {
				t.Errorf("risks?%s: %d options selected, want %d", q, got, want)
			}
			if want > 0 && !strings.Contains(page, `<option value="p-cs-lead" title="p-cs-lead" selected>`) {
				t.Errorf("risks?%s: p-cs-lead is not the selected owner", q)
			}
		}
		// Nothing matches: says so.
		mustContain(t, "empty", st.get("manager@example.com", "/orgs/sample/risks?q=zzz-none"), "条件に合うリスクはありません")

		// The generic list of risks leads to the register, the form back to it.
		code, _, h := st.do("manager@example.com", "GET", "/orgs/sample/items/risks?q=r-02", nil)
		if code != http.StatusSeeOther || h.Get("Location") != "/orgs/sample/risks?q=r-02" {
			t.Errorf("generic risk list: %d %s", code, h.Get("Location"))
		}
		mustContain(t, "risk form", st.get("manager@example.com", "/orgs/sample/items/risks/r-02"), `href="/orgs/sample/risks">`)
		// Assets, services and verifications offer a risk about them.
		mustContain(t, "asset form", st.get("manager@example.com", "/orgs/sample/items/assets/a-01"),
			`/orgs/sample/items/risks?new=1&amp;assets=a-01`, `/orgs/sample/risks?asset=a-01`)
		mustContain(t, "service form", st.get("manager@example.com", "/orgs/sample/items/cloud_services/svc-kintai"),
			`/orgs/sample/items/risks?new=1&amp;services=svc-kintai`)
		newForm := st.get("manager@example.com", "/orgs/sample/items/risks?new=1&assets=a-01")
		if !regexp.MustCompile(`value="a-01"[^>]* checked`).MatchString(newForm) {
			t.Error("the new risk form is not filled in with the asset")
		}
	})
}

// Approving is offered to the owner only where there is something to
// approve, and approving again says so.
func TestRiskRegisterApproveWording(t *testing.T) {
	eachBackend(t, func(t *testing.T, st *site) {
		// The manager is p-isms, who owns r-01, approved in the import:
		// whether it changed since cannot be told, so approving again is
		// offered in those words.
		body := st.get("manager@example.com", "/orgs/sample/risks?q=r-01")
		mustContain(t, "imported approval", body, `id="approve-r-01"`, "再承認する")
		if code, b, _ := st.do("manager@example.com", "POST", "/orgs/sample/risks/r-01/approve", url.Values{"residual_accepted": {"true"}}); code != http.StatusSeeOther {
			t.Fatalf("approve: %d %s", code, b)
		}
		// Approved here and unchanged: nothing to approve.
		body = st.get("manager@example.com", "/orgs/sample/risks?q=r-01")
		if strings.Contains(body, `id="approve-r-01"`) {
			t.Error("an approved, unchanged risk offers approval")
		}
		// A change after approval: the owner is asked to approve again.
		form := formValues(st.get("manager@example.com", "/orgs/sample/items/risks/r-01"))
		form.Set("title", "変更後のリスク")
		if code, b, _ := st.do("manager@example.com", "POST", "/orgs/sample/items/risks/r-01", form); code != http.StatusSeeOther {
			t.Fatalf("save: %d %s", code, b)
		}
		body = st.get("manager@example.com", "/orgs/sample/risks?q=r-01")
		mustContain(t, "stale risk", body, `id="approve-r-01"`, "再承認する")
	})
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// Values on a scale are chosen from it, refused beside their field when
// outside it, and the form shows the level they give.
func TestRiskScaleSelectsAndLevel(t *testing.T) {
	eachBackend(t, func(t *testing.T, st *site) {
		body := st.get("manager@example.com", "/orgs/sample/items/risks/r-01")
		// Likelihood 2 of the three labelled levels; level 2 × 3 = 6, above 4.
		if !regexp.MustCompile(`(?s)<select id="f-likelihood" name="likelihood" data-scale="likelihood">.*?<option value="2" selected>2 中（年に 1 回程度）</option>`).MatchString(body) {
			t.Error("likelihood is not chosen from its labelled scale")
		}
		mustContain(t, "level", body, `id="risk-level"`, `<output id="level-now" aria-live="polite">6 <span class="chip warn">受容基準 4 を超える</span>`,
			`<output id="level-after" aria-live="polite">3 <span class="chip ok">受容基準 4 以内</span>`)
		// Without script, "compute the level" shows the level of the values sent, saving nothing.
		version := st.item("risks", "r-01").Version
		form := formValues(body)
		form.Set("likelihood", "1")
		form.Set("_action", "assess")
		code, out, _ := st.do("manager@example.com", "POST", "/orgs/sample/items/risks/r-01", form)
		if code != http.StatusOK || !strings.Contains(out, `<output id="level-now" aria-live="polite">3 <span class="chip ok">`) {
			t.Errorf("assess: %d", code)
		}
		if st.item("risks", "r-01").Version != version {
			t.Error("assessing saved the risk")
		}
		// Likelihood 7 on a 1–3 scale: refused, beside the field, nothing stored.
		form.Set("likelihood", "7")
		form.Set("_action", "save")
		code, out, _ = st.do("manager@example.com", "POST", "/orgs/sample/items/risks/r-01", form)
		if code != http.StatusBadRequest {
			t.Fatalf("likelihood 7: %d", code)
		}
		if !regexp.MustCompile(`(?s)<div class="field-error" id="f-likelihood-err"><p>[^<]*1〜3[^<]*</p></div>\s*<select id="f-likelihood"`).MatchString(out) {
			t.Errorf("no error beside the likelihood field:\n%s", errorsOf(out))
		}
		mustContain(t, "out of scale option", out, `<option value="7" selected>7（尺度の範囲外）</option>`)
		if strings.Contains(string(st.item("risks", "r-01").Data), `"likelihood":7`) {
			t.Error("likelihood 7 was stored")
		}
		// An asset's confidentiality of 9 on the default 1–3 scale.
		code, out, _ = st.do("manager@example.com", "POST", "/orgs/sample/items/assets", url.Values{"id": {"a-nine"}, "name": {"n"}, "confidentiality": {"9"}})
		if code != http.StatusBadRequest || !strings.Contains(out, `id="f-confidentiality-err"`) {
			t.Errorf("confidentiality 9: %d", code)
		}
	})
}
