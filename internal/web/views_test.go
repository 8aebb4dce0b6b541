package web_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cloudisms/cloudisms/internal/api"
	"github.com/cloudisms/cloudisms/internal/bundle"
	"github.com/cloudisms/cloudisms/internal/conformity"
	"github.com/cloudisms/cloudisms/internal/isms"
	"github.com/cloudisms/cloudisms/internal/store"
	"github.com/cloudisms/cloudisms/internal/store/storetest"
	"github.com/cloudisms/cloudisms/internal/web"
)

// site is the UI on one backend with the sample organization and one
// signed-in session per role.
type site struct {
	t        *testing.T
	s        *store.Store
	h        http.Handler
	sessions map[string]string // by email
	users    map[string]store.User
}

var testNow = time.Date(2026, 11, 1, 10, 0, 0, 0, time.UTC)

// members of the sample organization: email → role, person.
var siteMembers = []struct{ email, role, person string }{
	{"admin@example.com", "admin", "p-isms"},
	{"manager@example.com", "isms-manager", "p-isms"},
	{"ceo@example.com", "executive", "p-ceo"},
	{"viewer@example.com", "viewer", ""},
	{"auditor@example.com", "auditor", "p-audit-lead"},
	{"ops@example.com", "risk-owner", "p-ops"},
}

func newSite(t *testing.T, b storetest.Backend) *site {
	t.Helper()
	s, _ := b.Open(t)
	ctx := context.Background()
	src, err := os.ReadFile("../../examples/sample-saas.yaml")
	if err != nil {
		t.Fatal(err)
	}
	m, err := bundle.Decode("sample-saas.yaml", src)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Import(ctx, "sample", m, "setup"); err != nil {
		t.Fatal(err)
	}
	app := newApp(t, s, testNow)
	st := &site{t: t, s: s, h: app, sessions: map[string]string{}, users: map[string]store.User{}}
	for _, u := range siteMembers {
		acc, err := s.CreateUser(ctx, u.email, u.email, "ja", password)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.AddMember(ctx, "sample", acc.ID, u.role, u.person); err != nil {
			t.Fatal(err)
		}
		tok, err := s.CreateSession(ctx, acc.ID, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		st.sessions[u.email], st.users[u.email] = tok, acc
	}
	return st
}

// newApp is the web UI over a store, its clock stopped at now and its log
// discarded.
func newApp(tb testing.TB, s *store.Store, now time.Time) *web.App {
	tb.Helper()
	app, err := web.New(s, slog.New(slog.NewTextHandler(io.Discard, nil)), func() time.Time { return now })
	if err != nil {
		tb.Fatal(err)
	}
	return app
}

// do sends a request as a user ("" for nobody) and returns the status and body.
func (st *site) do(as, method, path string, form url.Values) (int, string, http.Header) {
	st.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req := httptest.NewRequest(method, path, body)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if tok := st.sessions[as]; tok != "" {
		req.AddCookie(&http.Cookie{Name: api.SessionCookie, Value: tok})
	}
	rec := httptest.NewRecorder()
	st.h.ServeHTTP(rec, req)
	return rec.Code, rec.Body.String(), rec.Header()
}

func (st *site) get(as, path string) string {
	st.t.Helper()
	code, body, _ := st.do(as, "GET", path, nil)
	if code != http.StatusOK {
		st.t.Fatalf("GET %s as %s: %d\n%s", path, as, code, body)
	}
	return body
}

func (st *site) item(kind, key string) store.StoredItem {
	st.t.Helper()
	it, err := st.s.Get(context.Background(), "sample", kind, key)
	if err != nil {
		st.t.Fatalf("%s/%s: %v", kind, key, err)
	}
	return it
}

// edit replaces the first from in an item's stored data with to and
// writes it at the version read, as a form's save does.
func (st *site) edit(kind, key, from, to string) {
	st.t.Helper()
	cur := st.item(kind, key)
	data := strings.Replace(string(cur.Data), from, to, 1)
	if data == string(cur.Data) {
		st.t.Fatalf("%s/%s has no %q", kind, key, from)
	}
	it, refs, err := bundle.DecodeItem(kind, key, []byte(data), "iso27001:2022")
	if err != nil {
		st.t.Fatal(err)
	}
	if _, err := st.s.Put(context.Background(), "sample", it, refs, cur.Version, "setup"); err != nil {
		st.t.Fatal(err)
	}
}

// eachBackend runs a test on SQLite and, when configured, PostgreSQL.
func eachBackend(t *testing.T, f func(t *testing.T, st *site)) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) { f(t, newSite(t, b)) })
	}
}

func mustContain(t *testing.T, what, body string, parts ...string) {
	t.Helper()
	for _, p := range parts {
		if !strings.Contains(body, p) {
			t.Errorf("%s lacks %q", what, p)
		}
	}
}

func TestViewPagesRender(t *testing.T) {
	eachBackend(t, func(t *testing.T, st *site) {
		pages := map[string][]string{
			"/orgs/sample/scope": {`id="statements"`, "クラウド勤怠管理サービス「サンプル勤怠」", `<svg class="chart supply"`, `id="svc-svc-kintai"`, `id="person-p-ops"`,
				`id="sys-sys-app"`, `href="/orgs/sample/items/people/p-ops"`, `href="/orgs/sample/items/people?new=1"`, "クラウドセキュリティ要員"},
			"/orgs/sample/criteria":         {"起こりやすさ × 影響度", `class="matrix"`, "高（月に 1 回以上）", `name="scale_likelihood"`},
			"/orgs/sample/responsibilities": {`id="resp-svc-kintai"`, "利用者アカウントの登録・削除と権限の設定", `id="resp-missing-svc-kintai"`, `href="/orgs/sample/items/responsibilities/`},
			"/orgs/sample/verifications":    {`id="ver-ver-04"`, "差異あり", `href="/orgs/sample/risks#risk-r-06"`},
			"/orgs/sample/audits":           {`id="audit-aud-2026-01"`, `id="finding-aud-2026-01-f-01"`, "独立性あり", "完了・有効性確認済み"},
			"/orgs/sample/reviews":          {`id="review-mr-2026"`, "a) 前回までのマネジメントレビューの結果とった処置の状況", "IaaS 操作ログの長期保存"},
			"/orgs/sample/members":          {"manager@example.com", "ISMS 管理責任者", "招待する"},
			"/orgs/sample/account":          {`name="current"`},
			"/account":                      {`name="current"`},
		}
		for path, parts := range pages {
			mustContain(t, path, st.get("admin@example.com", path), parts...)
		}
	})
}

func TestSupplyChainDiagramEscapesAndScales(t *testing.T) {
	eachBackend(t, func(t *testing.T, st *site) {
		ctx := context.Background()
		// Twenty services in a chain, one with markup in its name.
		for i := 0; i < 20; i++ {
			id := "svc-x" + string(rune('a'+i))
			uses := ""
			if i > 0 {
				uses = `,"uses":["svc-x` + string(rune('a'+i-1)) + `"]`
			}
			name := "Service " + id
			if i == 3 {
				name = `<script>alert("x")</script> & co`
			}
			it, refs, err := bundle.DecodeItem("cloud_services", "", []byte(`{"id":"`+id+`","name":`+jsonString(name)+`,"model":"saas","role":"customer","provider":"sup-nimbus","in_scope":false`+uses+`}`), "iso27001:2022")
			if err != nil {
				t.Fatal(err)
			}
			if _, err := st.s.Put(ctx, "sample", it, refs, 0, "t"); err != nil {
				t.Fatal(err)
			}
		}
		body := st.get("manager@example.com", "/orgs/sample/scope")
		start := strings.Index(body, `<svg class="chart supply"`)
		end := strings.Index(body[start:], "</svg>")
		svg := body[start : start+end]
		if strings.Contains(svg, "<script") {
			t.Error("a service name was written into the SVG unescaped")
		}
		mustContain(t, "diagram", svg, "&lt;script&gt;", `<title id="sc-t">`, `<desc id="sc-d">`, `id="sc-svc-xt"`, "marker-end", "sc-provides")
		if n := strings.Count(svg, `class="sc-svc`); n != 23 {
			t.Errorf("%d service boxes, want 23", n)
		}
	})
}

func jsonString(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`)
	return `"` + r.Replace(s) + `"`
}

func TestScopeApproval(t *testing.T) {
	eachBackend(t, func(t *testing.T, st *site) {
		org := st.item(bundle.KindOrganization, bundle.KindOrganization)
		v := url.Values{"version": {itoa(org.Version)}}
		// A viewer and an auditor may not approve the scope.
		for _, who := range []string{"viewer@example.com", "auditor@example.com", "ops@example.com"} {
			if code, _, _ := st.do(who, "POST", "/orgs/sample/scope/approve", v); code != http.StatusForbidden {
				t.Errorf("%s approving the scope: %d, want 403", who, code)
			}
		}
		if st.item(bundle.KindOrganization, bundle.KindOrganization).Version != org.Version {
			t.Fatal("a refused approval changed the organization")
		}
		// Top management approves; the approval is recorded and not stale.
		code, _, h := st.do("ceo@example.com", "POST", "/orgs/sample/scope/approve", v)
		if code != http.StatusSeeOther || !strings.Contains(h.Get("Location"), "approved=1") {
			t.Fatalf("approve: %d %s", code, h.Get("Location"))
		}
		now := st.item(bundle.KindOrganization, bundle.KindOrganization)
		if !strings.Contains(string(now.Data), `"scope_approval":{"by":"p-ceo","date":"2026-11-01"}`) {
			t.Errorf("approval not stored: %s", now.Data)
		}
		ap, err := st.s.ApprovalOf(context.Background(), "sample", bundle.KindOrganization, bundle.KindOrganization)
		if err != nil || ap.Stale || ap.Person != "p-ceo" {
			t.Errorf("recorded approval: %+v %v", ap, err)
		}
		// The form read an old version: a second approval from it conflicts.
		code, _, h = st.do("manager@example.com", "POST", "/orgs/sample/scope/approve", v)
		if code != http.StatusSeeOther || !strings.Contains(h.Get("Location"), "conflict=1") {
			t.Errorf("stale approval: %d %s", code, h.Get("Location"))
		}
		// A change of the scope text makes the approval stale, and the page says so.
		changed := strings.Replace(string(now.Data), "新規事業室", "新規事業部", 1)
		it, refs, err := bundle.DecodeItem(bundle.KindOrganization, bundle.KindOrganization, []byte(changed), "")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := st.s.Put(context.Background(), "sample", it, refs, now.Version, "t"); err != nil {
			t.Fatal(err)
		}
		mustContain(t, "scope page", st.get("viewer@example.com", "/orgs/sample/scope"), `class="chip warn stale"`)
		if strings.Contains(st.get("viewer@example.com", "/orgs/sample/scope"), `action="/orgs/sample/scope/approve"`) {
			t.Error("a viewer is offered the approval")
		}
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func TestCriteriaEdit(t *testing.T) {
	eachBackend(t, func(t *testing.T, st *site) {
		cur := st.item(bundle.KindCriteria, bundle.KindCriteria)
		form := url.Values{"version": {itoa(cur.Version)}, "method": {"likelihood-impact"}, "acceptance": {"abc"},
			"scale_likelihood": {"低\n中\n高"}, "scale_impact": {""}}
		// Two problems, each beside its field; nothing stored.
		code, body, _ := st.do("manager@example.com", "POST", "/orgs/sample/criteria", form)
		if code != http.StatusBadRequest {
			t.Fatalf("bad criteria: %d", code)
		}
		for _, id := range []string{"scale_impact-err", "acceptance-err"} {
			i := strings.Index(body, `id="`+id+`"`)
			if i < 0 || !strings.Contains(body[i:i+300], "<p>") {
				t.Errorf("no error beside %s", id)
			}
		}
		if st.item(bundle.KindCriteria, bundle.KindCriteria).Version != cur.Version {
			t.Fatal("rejected criteria were stored")
		}
		// A viewer may not save.
		form.Set("acceptance", "3")
		form.Set("scale_impact", "小\n中\n大")
		if code, _, _ := st.do("viewer@example.com", "POST", "/orgs/sample/criteria", form); code != http.StatusForbidden {
			t.Errorf("viewer saving criteria: %d", code)
		}
		code, _, _ = st.do("manager@example.com", "POST", "/orgs/sample/criteria", form)
		if code != http.StatusSeeOther {
			t.Fatalf("save: %d", code)
		}
		now := st.item(bundle.KindCriteria, bundle.KindCriteria)
		if !strings.Contains(string(now.Data), `"acceptance":3`) || !strings.Contains(string(now.Data), `{"level":3,"label":"大"}`) {
			t.Errorf("stored: %s", now.Data)
		}
		// The same form again is stale: both values are shown, the newer kept.
		form.Set("acceptance", "6")
		code, body, _ = st.do("manager@example.com", "POST", "/orgs/sample/criteria", form)
		if code != http.StatusConflict {
			t.Fatalf("stale save: %d", code)
		}
		i := strings.Index(body, `id="conflict"`)
		if i < 0 {
			t.Fatal("no conflict view")
		}
		mustContain(t, "conflict", body[i:], "<dd>6</dd>", "<dd>3</dd>")
		if st.item(bundle.KindCriteria, bundle.KindCriteria).Version != now.Version {
			t.Error("the stale save overwrote the criteria")
		}
	})
}

// gapSite turns ver-04 into a gap with no risk.
func gapSite(t *testing.T, st *site) store.StoredItem {
	ctx := context.Background()
	v := st.item("verifications", "ver-04")
	data := strings.Replace(string(v.Data), `,"risk":"r-06"`, "", 1)
	it, refs, err := bundle.DecodeItem("verifications", "ver-04", []byte(data), "iso27001:2022")
	if err != nil {
		t.Fatal(err)
	}
	out, err := st.s.Put(ctx, "sample", it, refs, v.Version, "t")
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestRiskFromVerificationGap(t *testing.T) {
	eachBackend(t, func(t *testing.T, st *site) {
		ctx := context.Background()
		v := gapSite(t, st)
		body := st.get("manager@example.com", "/orgs/sample/verifications")
		mustContain(t, "verifications", body, `action="/orgs/sample/verifications/ver-04/risk"`, `value="r-15"`)
		form := url.Values{"version": {itoa(v.Version)}, "id": {"r-15"}, "title": {"操作ログの保存期間の不足"}, "owner": {"p-ops-lead"}, "treatment": {"modify"}}
		// A viewer may not; an auditor neither.
		for _, who := range []string{"viewer@example.com", "auditor@example.com"} {
			if code, _, _ := st.do(who, "POST", "/orgs/sample/verifications/ver-04/risk", form); code != http.StatusForbidden {
				t.Errorf("%s creating the risk: %d", who, code)
			}
		}
		// An owner who does not exist: nothing is written.
		before, _ := st.s.Export(ctx, "sample")
		bad := url.Values{"version": {itoa(v.Version)}, "id": {"r-15"}, "title": {"x"}, "owner": {"nobody"}, "treatment": {"modify"}}
		if code, _, _ := st.do("manager@example.com", "POST", "/orgs/sample/verifications/ver-04/risk", bad); code != http.StatusBadRequest {
			t.Errorf("unknown owner: %d", code)
		}
		// A stale verification: the risk must not be left behind.
		stale := url.Values{"version": {itoa(v.Version - 1)}, "id": {"r-15"}, "title": {"x"}, "owner": {"p-ops"}, "treatment": {"modify"}}
		if code, _, _ := st.do("manager@example.com", "POST", "/orgs/sample/verifications/ver-04/risk", stale); code != http.StatusConflict {
			t.Errorf("stale verification: %d", code)
		}
		// An empty title is shown beside the field.
		empty := url.Values{"version": {itoa(v.Version)}, "id": {"r-15"}, "title": {""}, "owner": {"p-ops"}, "treatment": {"modify"}}
		code, body, _ := st.do("manager@example.com", "POST", "/orgs/sample/verifications/ver-04/risk", empty)
		if code != http.StatusBadRequest || !strings.Contains(body, `class="field-error"><p>`) {
			t.Errorf("empty title: %d", code)
		}
		after, _ := st.s.Export(ctx, "sample")
		if string(before) != string(after) {
			t.Fatal("a failed creation changed the ISMS")
		}
		code, _, h := st.do("manager@example.com", "POST", "/orgs/sample/verifications/ver-04/risk", form)
		if code != http.StatusSeeOther || !strings.Contains(h.Get("Location"), "created=r-15") {
			t.Fatalf("create: %d %s", code, h.Get("Location"))
		}
		m, err := st.s.ISMS(ctx, "sample")
		if err != nil {
			t.Fatal(err)
		}
		var risk *isms.Risk
		for i := range m.Risks {
			if m.Risks[i].ID == "r-15" {
				risk = m.Risks[i]
			}
		}
		if risk == nil {
			t.Fatal("the risk was not created")
		}
		if risk.Owner != "p-ops-lead" || risk.Title != "操作ログの保存期間の不足" || len(risk.Services) != 1 || risk.Services[0] != "svc-iaas" ||
			len(risk.Sources) != 1 || !strings.Contains(risk.Vulnerability.Text, "90 日") || len(risk.Controls) != 1 || risk.Controls[0] != "27017:12.4.1" {
			t.Errorf("risk: %+v", *risk)
		}
		for _, x := range m.Verifications {
			if x.ID == "ver-04" && x.Risk != "r-15" {
				t.Errorf("verification links %q", x.Risk)
			}
		}
		for _, f := range conformity.Check(m, isms.DateOf(testNow)) {
			if f.Rule == "VERIFY-02" {
				t.Errorf("VERIFY-02 still fires: %s", f.Subject)
			}
		}
	})
}

func TestReviewDraftAndSave(t *testing.T) {
	eachBackend(t, func(t *testing.T, st *site) {
		body := st.get("ceo@example.com", "/orgs/sample/reviews/new")
		// Pre-filled from the sample as of 2026-11-01: the previous review's
		// decisions, the audits and the risk status.
		mustContain(t, "draft", body, "mr-2026 の決定：IaaS 操作ログの長期保存（r-06）", "リスク 14 件", `value="2026-11-01"`, `<option value="p-ceo" selected>`,
			"2026-10-20 以降に終了した内部監査はありません。")
		if code, _, _ := st.do("viewer@example.com", "GET", "/orgs/sample/reviews/new", nil); code != http.StatusForbidden {
			t.Errorf("viewer preparing a review: %d", code)
		}
		form := url.Values{"id": {"mr-2026-11"}, "date": {"2026-11-01"}, "chair": {"p-ceo"}, "decision0": {"ログ保存の前倒し"}, "owner0": {"p-ops-lead"}, "due0": {"2026-12-31"}}
		for _, k := range isms.ReviewInputKeys {
			form.Set("in_"+k, "入力 "+k)
		}
		form.Set("due1", "2026-13-40") // a bad date beside its row
		code, body, _ := st.do("ceo@example.com", "POST", "/orgs/sample/reviews/new", form)
		if code != http.StatusBadRequest {
			t.Fatalf("bad date: %d", code)
		}
		// The problem is shown in the decisions' field, and what was typed stays.
		i := strings.Index(body, `<legend>決定事項（アウトプット）</legend>`)
		if i < 0 || !strings.Contains(body[i:], `outputs[1].due`) || !strings.Contains(body[i:], `value="2026-13-40"`) || !strings.Contains(body, "入力 risk_status") {
			t.Errorf("the bad date is not shown beside the decisions: %s", body[i:i+600])
		}
		form.Del("due1")
		code, _, h := st.do("ceo@example.com", "POST", "/orgs/sample/reviews/new", form)
		if code != http.StatusSeeOther || h.Get("Location") != "/orgs/sample/reviews?saved=mr-2026-11#review-mr-2026-11" {
			t.Fatalf("save: %d %s", code, h.Get("Location"))
		}
		it := st.item("reviews", "mr-2026-11")
		mustContain(t, "stored review", string(it.Data), `"chair":"p-ceo"`, `"previous_actions":"入力 previous_actions"`, `"decision":"ログ保存の前倒し"`)
		// The same id again is refused beside the field.
		code, body, _ = st.do("ceo@example.com", "POST", "/orgs/sample/reviews/new", form)
		if code != http.StatusBadRequest || !strings.Contains(body, "既に使われています") {
			t.Errorf("duplicate id: %d", code)
		}
	})
}

func TestMembersAdmin(t *testing.T) {
	eachBackend(t, func(t *testing.T, st *site) {
		ctx := context.Background()
		for _, who := range []string{"manager@example.com", "viewer@example.com", "ceo@example.com"} {
			if code, _, _ := st.do(who, "GET", "/orgs/sample/members", nil); code != http.StatusForbidden {
				t.Errorf("%s opening members: %d", who, code)
			}
			if code, _, _ := st.do(who, "POST", "/orgs/sample/members", url.Values{"action": {"add"}, "email": {"x@example.com"}, "role": {"admin"}, "password": {"long enough pass"}}); code != http.StatusForbidden {
				t.Errorf("%s adding a member: %d", who, code)
			}
		}
		if _, err := st.s.UserByEmail(ctx, "x@example.com"); err == nil {
			t.Fatal("a refused add created a user")
		}
		// A new user is invited, linked to a person, and sets their own
		// password through the link.
		add := url.Values{"action": {"add"}, "email": {"new@example.com"}, "role": {"viewer"}, "person": {"p-dev"}}
		code, body, _ := st.do("admin@example.com", "POST", "/orgs/sample/members", add)
		if code != http.StatusOK {
			t.Fatalf("invite: %d %s", code, body)
		}
		link := invitationPath(t, body)
		if code, _, _ := st.do("", "POST", link, url.Values{"name": {"新人"}, "password": {"my own password 1"}, "again": {"my own password 1"}}); code != http.StatusSeeOther {
			t.Fatalf("accept: %d", code)
		}
		u, err := st.s.UserByEmail(ctx, "new@example.com")
		if err != nil {
			t.Fatal(err)
		}
		if mm, err := st.s.Member(ctx, "sample", u.ID); err != nil || mm.Role != "viewer" || mm.Person != "p-dev" {
			t.Errorf("membership: %+v %v", mm, err)
		}
		// An unknown person is refused.
		bad := url.Values{"action": {"update"}, "user": {itoa(u.ID)}, "role": {"auditor"}, "person": {"nobody"}}
		if code, _, _ := st.do("admin@example.com", "POST", "/orgs/sample/members", bad); code != http.StatusBadRequest {
			t.Errorf("unknown person: %d", code)
		}
		upd := url.Values{"action": {"update"}, "user": {itoa(u.ID)}, "role": {"auditor"}, "person": {"p-auditor"}}
		if code, _, _ := st.do("admin@example.com", "POST", "/orgs/sample/members", upd); code != http.StatusSeeOther {
			t.Errorf("update: %d", code)
		}
		if mm, _ := st.s.Member(ctx, "sample", u.ID); mm.Role != "auditor" {
			t.Errorf("role now %q", mm.Role)
		}
		// Removing asks first, then removes.
		rm := url.Values{"action": {"remove"}, "user": {itoa(u.ID)}}
		code, body, _ = st.do("admin@example.com", "POST", "/orgs/sample/members", rm)
		if code != http.StatusOK || !strings.Contains(body, `name="confirmed" value="yes"`) {
			t.Fatalf("remove without confirmation: %d", code)
		}
		if _, err := st.s.Member(ctx, "sample", u.ID); err != nil {
			t.Fatal("removed without confirmation")
		}
		rm.Set("confirmed", "yes")
		if code, _, _ := st.do("admin@example.com", "POST", "/orgs/sample/members", rm); code != http.StatusSeeOther {
			t.Errorf("remove: %d", code)
		}
		if _, err := st.s.Member(ctx, "sample", u.ID); err == nil {
			t.Error("still a member")
		}
		// Disabling ends the user's sessions.
		viewer := st.users["viewer@example.com"]
		dis := url.Values{"action": {"disable"}, "user": {itoa(viewer.ID)}, "confirmed": {"yes"}}
		if code, _, _ := st.do("admin@example.com", "POST", "/orgs/sample/members", dis); code != http.StatusSeeOther {
			t.Errorf("disable: %d", code)
		}
		if code, _, _ := st.do("viewer@example.com", "GET", "/orgs/sample/scope", nil); code != http.StatusSeeOther {
			t.Errorf("a disabled user's session still works: %d", code)
		}
		// The admin cannot lock themselves out.
		self := url.Values{"action": {"disable"}, "user": {itoa(st.users["admin@example.com"].ID)}, "confirmed": {"yes"}}
		if code, _, _ := st.do("admin@example.com", "POST", "/orgs/sample/members", self); code != http.StatusBadRequest {
			t.Errorf("disabling oneself: %d", code)
		}
	})
}

func TestPasswordChangeEndsOtherSessions(t *testing.T) {
	eachBackend(t, func(t *testing.T, st *site) {
		ctx := context.Background()
		u := st.users["viewer@example.com"]
		other, err := st.s.CreateSession(ctx, u.ID, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		wrong := url.Values{"current": {"not the password"}, "new": {"a brand new passphrase"}, "again": {"a brand new passphrase"}}
		code, body, _ := st.do("viewer@example.com", "POST", "/account", wrong)
		if code != http.StatusBadRequest || !strings.Contains(body, "現在のパスワードが違います") {
			t.Fatalf("wrong current password: %d", code)
		}
		mismatch := url.Values{"current": {password}, "new": {"a brand new passphrase"}, "again": {"something else entirely"}}
		if code, _, _ := st.do("viewer@example.com", "POST", "/account", mismatch); code != http.StatusBadRequest {
			t.Errorf("mismatch: %d", code)
		}
		if _, err := st.s.SessionUser(ctx, other); err != nil {
			t.Fatal("a refused change ended a session")
		}
		ok := url.Values{"current": {password}, "new": {"a brand new passphrase"}, "again": {"a brand new passphrase"}}
		code, _, h := st.do("viewer@example.com", "POST", "/orgs/sample/account", ok)
		if code != http.StatusSeeOther || h.Get("Location") != "/orgs/sample/account?changed=1" {
			t.Fatalf("change: %d %s", code, h.Get("Location"))
		}
		if _, err := st.s.SessionUser(ctx, other); err == nil {
			t.Error("the other session survived the password change")
		}
		if code, _, _ := st.do("viewer@example.com", "GET", "/orgs/sample/account?changed=1", nil); code != http.StatusOK {
			t.Errorf("the session of the change ended: %d", code)
		}
		if _, err := st.s.Authenticate(ctx, u.Email, "a brand new passphrase"); err != nil {
			t.Errorf("new password: %v", err)
		}
		if code, _, _ := st.do("", "GET", "/account", nil); code != http.StatusSeeOther {
			t.Errorf("account page without a session: %d", code)
		}
	})
}

var subjectHref = regexp.MustCompile(`data-subject="([^"]+)">\s*<span[^>]*>[^<]*</span>\s*<a href="([^"]+)"`)

// Every finding of the kinds these pages fix links to a row that exists
// on the linked page.
func TestFindingLinksPointAtRows(t *testing.T) {
	eachBackend(t, func(t *testing.T, st *site) {
		ctx := context.Background()
		src, err := st.s.Export(ctx, "sample")
		if err != nil {
			t.Fatal(err)
		}
		text := string(src)
		for _, r := range [][2]string{
			{"    isms_personnel: false\n    cloud_security_personnel: false\n    top_management: false\nsites:", "    isms_personnel: false\n    cloud_security_personnel: false\n    cloud_duties: [operation]\n    top_management: false\nsites:"}, // SCOPE-06 on p-newbiz
			{"\n    risk: r-06", ""}, // VERIFY-02
			{"control: 27017:9.2.4\n    provider_statement: IaaS の認証情報", "control: 27017:9.2.1\n    provider_statement: IaaS の認証情報"}, // VERIFY-01
			{"auditors: [p-dev]", "auditors: [p-isms]"}, // AUD-02
			{"\n          done_on: 2026-09-30", ""},     // AUD-04
			{"chair: p-ceo", "chair: p-isms"},           // MR-02
			{"    in_service_catalog: true\n    in_scope: true", "    in_service_catalog: true\n    in_scope: false"}, // SCOPE-04
		} {
			if !strings.Contains(text, r[0]) {
				t.Fatalf("the sample no longer holds %q", r[0])
			}
			text = strings.Replace(text, r[0], r[1], 1)
		}
		m, err := bundle.Decode("broken.yaml", []byte(text))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := st.s.Import(ctx, "sample", m, "t"); err != nil {
			t.Fatal(err)
		}
		dash := st.get("manager@example.com", "/orgs/sample/")
		pages := map[string]string{}
		seen := map[string]bool{}
		for _, x := range subjectHref.FindAllStringSubmatch(dash, -1) {
			subject, href := x[1], strings.ReplaceAll(x[2], "&amp;", "&")
			kind := strings.Split(subject, "/")[0]
			switch kind {
			case "organization", "verifications", "audits", "reviews":
			case "cloud_services":
				if !strings.Contains(subject, "/verifications") {
					continue
				}
			default:
				continue
			}
			path, anchor, ok := strings.Cut(href, "#")
			if !ok {
				t.Errorf("%s links to %s, without a row", subject, href)
				continue
			}
			if pages[path] == "" {
				pages[path] = st.get("manager@example.com", path)
			}
			if !strings.Contains(pages[path], `id="`+anchor+`"`) {
				t.Errorf("%s links to %s, and that page has no such row", subject, href)
			}
			seen[strings.Join(strings.Split(subject, "/")[:min(3, len(strings.Split(subject, "/")))], "/")] = true
		}
		for _, want := range []string{"verifications/ver-04", "cloud_services/svc-iaas/verifications", "audits/aud-2026-02/auditors", "audits/aud-2026-01/findings", "reviews/mr-2026"} {
			if !seen[want] {
				t.Errorf("no linked finding on %s (seen %v)", want, seen)
			}
		}
		// The audit page shows the auditor who audits their own unit.
		mustContain(t, "audits", st.get("manager@example.com", "/orgs/sample/audits"), "自部門を監査（独立性なし）", "期限超過")
	})
}

// An administrator of one organization cannot disable an account that
// another organization also uses.
func TestDisableNeedsAdminOfEveryOrganization(t *testing.T) {
	eachBackend(t, func(t *testing.T, st *site) {
		ctx := context.Background()
		if err := st.s.CreateOrg(ctx, "other", "Other"); err != nil {
			t.Fatal(err)
		}
		shared := st.users["auditor@example.com"]
		if err := st.s.AddMember(ctx, "other", shared.ID, "viewer", ""); err != nil {
			t.Fatal(err)
		}
		dis := url.Values{"action": {"disable"}, "user": {itoa(shared.ID)}, "confirmed": {"yes"}}
		if code, _, _ := st.do("admin@example.com", "POST", "/orgs/sample/members", dis); code != http.StatusBadRequest {
			t.Errorf("disabling a shared account: %d", code)
		}
		if u, _ := st.s.UserByID(ctx, shared.ID); u.Disabled {
			t.Error("the shared account was disabled")
		}
	})
}
