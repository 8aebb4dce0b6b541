package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/cloudisms/cloudisms/internal/bundle"
	"github.com/cloudisms/cloudisms/internal/isms"
	"github.com/cloudisms/cloudisms/internal/store"
)

// Names where people read, ids only in tooltips and URLs.
func TestNamesWherePeopleRead(t *testing.T) {
	eachBackend(t, func(t *testing.T, st *site) {
		soa := st.get("manager@example.com", "/orgs/sample/soa")
		mustContain(t, "SoA selector", soa, `<option value="organization" selected>組織全体</option>`, `<option value="svc-kintai:provider">`, `（プロバイダ）</option>`)
		if strings.Contains(soa, `>svc-kintai:provider<`) {
			t.Error("the SoA selector shows a key")
		}
		scope := st.get("manager@example.com", "/orgs/sample/scope")
		mustContain(t, "scope", scope, "山田 太郎 が")
		if strings.Contains(scope, "p-ceo が") {
			t.Error("the scope approval names an id")
		}
		resp := st.get("manager@example.com", "/orgs/sample/responsibilities")
		if strings.Contains(resp, "doc-whitepaper") && !strings.Contains(resp, `title="doc-whitepaper"`) && regexp.MustCompile(`>[^<]*doc-whitepaper`).MatchString(resp) {
			t.Error("responsibilities show a document id")
		}
		// The generic lists show referenced items by name.
		mustContain(t, "verifications list", st.get("manager@example.com", "/orgs/sample/items/verifications"), "ニンバスクラウド")
	})
}

// 責任分担: a customer cell saying 「責任なし」 gives the customer no part.
func TestResponsibilityOfNoPart(t *testing.T) {
	eachBackend(t, func(t *testing.T, st *site) {
		body := st.get("manager@example.com", "/orgs/sample/responsibilities")
		re := regexp.MustCompile(`(?s)<code>CLD\.6\.3\.1</code>.*?<td>責任なし。</td>\s*<td><span class="chip alloc ([a-z]+)">`)
		m := re.FindStringSubmatch(body)
		if m == nil || m[1] != "provider" {
			t.Errorf("CLD.6.3.1 with a customer cell of 責任なし: %v", m)
		}
	})
}

// 「変更履歴」 on the risk criteria page leads to their history.
func TestCriteriaHistory(t *testing.T) {
	eachBackend(t, func(t *testing.T, st *site) {
		page := st.get("manager@example.com", "/orgs/sample/criteria")
		mustContain(t, "criteria", page, `/orgs/sample/history/risk_criteria/risk_criteria`)
		body := st.get("manager@example.com", "/orgs/sample/history/risk_criteria/risk_criteria")
		mustContain(t, "history", body, "リスク評価の方法", `href="/orgs/sample/criteria"`)
	})
}

// Form errors speak the form's labels, not the bundle's keys.
func TestFormErrorsUseLabels(t *testing.T) {
	eachBackend(t, func(t *testing.T, st *site) {
		code, body, _ := st.do("manager@example.com", "POST", "/orgs/sample/items/risks", url.Values{"id": {"r-x"}, "treatment": {"retain"}})
		if code != http.StatusBadRequest {
			t.Fatalf("risk without a title: %d", code)
		}
		mustContain(t, "error", body, "名称を入力してください。")
		if strings.Contains(body, "「title」") {
			t.Error("the error names the bundle key")
		}
	})
}

// Dozens of SOA-03 findings of one new service SoA are one finding on the
// dashboard, listing the rows, and 「これらの行を追加」 adds them undecided.
func TestMissingRowsGroupedAndAdded(t *testing.T) {
	eachBackend(t, func(t *testing.T, st *site) {
		ctx := context.Background()
		// A new SoA of the provided service as a customer: no rows.
		it, refs, err := bundle.DecodeItem(bundle.KindSoA, "svc-kintai:customer", []byte(`{"service":"svc-kintai","role":"customer"}`), "iso27001:2022")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := st.s.Put(ctx, "sample", it, refs, 0, "t"); err != nil {
			t.Fatal(err)
		}
		checked, _, err := st.s.Findings(ctx, "sample", isms.DateOf(testNow))
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, f := range checked {
			if f.Rule == "SOA-03" && strings.HasPrefix(f.Subject, "soa/svc-kintai/customer/") {
				n++
			}
		}
		if n < 5 {
			t.Fatalf("only %d SOA-03 findings", n)
		}
		dash := st.get("manager@example.com", "/orgs/sample/")
		if got := strings.Count(dash, `data-rule="SOA-03" data-subject="soa/svc-kintai/customer/`); got != 0 {
			t.Errorf("%d single SOA-03 findings shown, want them grouped", got)
		}
		mustContain(t, "group", dash, `data-rule="SOA-03" data-subject="soa/svc-kintai/customer"`, "これらの行を追加", `name="soa" value="svc-kintai:customer"`)
		form := url.Values{"soa": {"svc-kintai:customer"}}
		for _, m := range regexp.MustCompile(`<input type="hidden" name="control" value="([^"]+)">`).FindAllStringSubmatch(dash, -1) {
			form.Add("control", m[1])
		}
		if len(form["control"]) != n {
			t.Fatalf("the group lists %d rows, want %d", len(form["control"]), n)
		}
		// A viewer may not; a manager adds them, undecided, in one go.
		if code, _, _ := st.do("viewer@example.com", "POST", "/orgs/sample/soa/rows", form); code != http.StatusForbidden {
			t.Errorf("viewer: %d", code)
		}
		code, _, h := st.do("manager@example.com", "POST", "/orgs/sample/soa/rows", form)
		if code != http.StatusSeeOther || !strings.Contains(h.Get("Location"), "state=missing") {
			t.Fatalf("add rows: %d %s", code, h.Get("Location"))
		}
		pg, err := st.s.List(ctx, "sample", bundle.KindSoARows, store.ListOptions{Query: "svc-kintai:customer/", Limit: store.MaxPage})
		if err != nil || pg.Total != n {
			t.Fatalf("%d rows stored, want %d (%v)", pg.Total, n, err)
		}
		if strings.Contains(string(pg.Items[0].Data), "applicable") {
			t.Errorf("a row was decided for the user: %s", pg.Items[0].Data)
		}
		// SOA-03 is fixed; the rows now await a decision (SOA-04, grouped too).
		after := st.get("manager@example.com", "/orgs/sample/")
		if strings.Contains(after, `data-rule="SOA-03" data-subject="soa/svc-kintai/customer`) {
			t.Error("SOA-03 still shown after adding the rows")
		}
		mustContain(t, "undecided rows", after, `data-rule="SOA-04" data-subject="soa/svc-kintai/customer"`)
	})
}
