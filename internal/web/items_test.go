package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"mime/multipart"
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
	"github.com/cloudisms/cloudisms/internal/store"
	"github.com/cloudisms/cloudisms/internal/store/storetest"
	"github.com/cloudisms/cloudisms/internal/web"
)

// itemEnv is the web UI over a store holding the sample organization,
// with a signed-in session per member.
type itemEnv struct {
	t        *testing.T
	s        *store.Store
	app      *web.App
	sessions map[string]string // by email
}

var itemUsers = []struct{ email, role, person string }{
	{"manager@example.com", "isms-manager", "p-isms"},
	{"viewer@example.com", "viewer", ""},
	{"cs@example.com", "risk-owner", "p-cs-lead"}, // owns r-02, not r-01
	{"outsider@example.com", "", ""},              // a member of no organization
}

func newItemEnv(t *testing.T, b storetest.Backend) *itemEnv {
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
	e := &itemEnv{t: t, s: s, sessions: map[string]string{}}
	for _, u := range itemUsers {
		acc, err := s.CreateUser(ctx, u.email, u.email, "ja", "correct horse battery")
		if err != nil {
			t.Fatal(err)
		}
		if u.role != "" {
			if err := s.AddMember(ctx, "sample", acc.ID, u.role, u.person); err != nil {
				t.Fatal(err)
			}
		}
		tok, err := s.CreateSession(ctx, acc.ID, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		e.sessions[u.email] = tok
	}
	e.app = newApp(t, s, time.Date(2026, 11, 1, 10, 0, 0, 0, time.UTC))
	return e
}

// do sends a request as a user and returns the status, Location and body.
func (e *itemEnv) do(user, method, path string, form url.Values) (int, string, string) {
	e.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req := httptest.NewRequest(method, path, body)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	return e.send(user, req)
}

func (e *itemEnv) send(user string, req *http.Request) (int, string, string) {
	e.t.Helper()
	if tok := e.sessions[user]; tok != "" {
		req.AddCookie(&http.Cookie{Name: api.SessionCookie, Value: tok})
	}
	rec := httptest.NewRecorder()
	e.app.ServeHTTP(rec, req)
	return rec.Code, rec.Header().Get("Location"), rec.Body.String()
}

func (e *itemEnv) get(kind, key string) (store.StoredItem, error) {
	return e.s.Get(context.Background(), "sample", kind, key)
}

// data decodes a stored item's JSON.
func (e *itemEnv) data(kind, key string) map[string]any {
	e.t.Helper()
	it, err := e.get(kind, key)
	if err != nil {
		e.t.Fatalf("%s/%s: %v", kind, key, err)
	}
	var m map[string]any
	json.Unmarshal(it.Data, &m)
	return m
}

const manager, viewer, riskOwner, outsider = "manager@example.com", "viewer@example.com", "cs@example.com", "outsider@example.com"

func assetForm(id, name, conf string) url.Values {
	return url.Values{"id": {id}, "name": {name}, "kind": {"information"}, "owner": {"p-isms"},
		"services": {"svc-kintai"}, "confidentiality": {conf}, "integrity": {"2"}, "availability": {"1"}}
}

func TestItemCreateEditHistory(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			e := newItemEnv(t, b)
			evil := "<script>alert(1)</script>"
			st, loc, body := e.do(manager, "POST", "/orgs/sample/items/assets", assetForm("a-new", evil, "2"))
			if st != http.StatusSeeOther || loc != "/orgs/sample/items/assets/a-new?saved=1" {
				t.Fatalf("create: %d %q\n%s", st, loc, body)
			}
			got := e.data("assets", "a-new")
			if got["name"] != evil || got["confidentiality"] != 2.0 || got["owner"] != "p-isms" {
				t.Fatalf("stored %v", got)
			}
			if it, _ := e.get("assets", "a-new"); it.UpdatedBy != manager {
				t.Errorf("updated by %q, want the user's email", it.UpdatedBy)
			}
			// Shown as a form, the name as text, never as markup.
			for _, path := range []string{"/orgs/sample/items/assets/a-new?saved=1", "/orgs/sample/items/assets?q=a-new", "/orgs/sample/history/assets/a-new"} {
				st, _, body = e.do(manager, "GET", path, nil)
				if st != 200 || strings.Contains(body, evil) || !strings.Contains(body, "&lt;script&gt;alert(1)&lt;/script&gt;") {
					t.Fatalf("GET %s: %d, the name must render as escaped text:\n%s", path, st, body)
				}
			}
			if !strings.Contains(body, "manager@example.com") {
				t.Error("history does not name who made the change")
			}
			_, _, body = e.do(manager, "GET", "/orgs/sample/items/assets/a-new?saved=1", nil)
			if !regexp.MustCompile(`(?s)id="f-confidentiality" name="confidentiality" data-scale="asset_value">.*?<option value="2" selected>2</option>`).MatchString(body) {
				t.Error("edit form lacks confidentiality 2 chosen from its scale")
			}
			for _, want := range []string{`<option value="p-isms" selected>`, `name="_version" value="1"`, "保存しました", `value="svc-kintai" checked`} {
				if !strings.Contains(body, want) {
					t.Errorf("edit form lacks %q", want)
				}
			}
			// Edit at the version loaded: one field changes.
			f := assetForm("a-new", evil, "3")
			f.Set("_version", "1")
			st, loc, body = e.do(manager, "POST", "/orgs/sample/items/assets/a-new", f)
			if st != http.StatusSeeOther || !strings.HasSuffix(loc, "/items/assets/a-new?saved=1") {
				t.Fatalf("save: %d %q\n%s", st, loc, body)
			}
			if it, _ := e.get("assets", "a-new"); it.Version != 2 || e.data("assets", "a-new")["confidentiality"] != 3.0 {
				t.Fatalf("after save: version %d, %v", it.Version, e.data("assets", "a-new"))
			}
			// The history shows both versions, newest first, with the changed field.
			_, _, body = e.do(manager, "GET", "/orgs/sample/history/assets/a-new", nil)
			i1, i2 := strings.Index(body, "変更</span>"), strings.Index(body, "登録</span>")
			if i1 < 0 || i2 < 0 || i1 > i2 {
				t.Fatalf("history should list the change before the creation:\n%s", body)
			}
			change := body[i1:i2]
			if !regexp.MustCompile(`機密性</th><td class="before"><del>2</del></td><td class="after"><ins>3</ins>`).MatchString(change) {
				t.Errorf("the change should show 機密性 2 → 3 and nothing else changed:\n%s", change)
			}
			if strings.Contains(change, "完全性") {
				t.Error("an unchanged field is listed as changed")
			}
			// The list finds it by search and counts.
			_, _, body = e.do(manager, "GET", "/orgs/sample/items/assets?q=a-new", nil)
			if !strings.Contains(body, `href="/orgs/sample/items/assets/a-new"`) || !strings.Contains(body, "1 件中 1〜1 件") {
				t.Errorf("list search:\n%s", body)
			}
		})
	}
}

func TestItemValidationBesideField(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			e := newItemEnv(t, b)
			st, _, body := e.do(manager, "POST", "/orgs/sample/items/assets", assetForm("a-bad", "台帳", "高い"))
			if st != http.StatusBadRequest {
				t.Fatalf("bad integer: %d", st)
			}
			if _, err := e.get("assets", "a-bad"); err == nil {
				t.Fatal("an invalid item was stored")
			}
			// The message sits in the field's block, before its input, which points at it.
			re := regexp.MustCompile(`(?s)<label for="f-confidentiality">.*?<div class="field-error" id="f-confidentiality-err"><p>([^<]+)</p></div>\s*<select id="f-confidentiality" name="confidentiality" data-scale="asset_value" aria-invalid="true" aria-describedby="f-confidentiality-err">.*?<option value="高い" selected>`)
			m := re.FindStringSubmatch(body)
			if m == nil {
				t.Fatalf("no error beside the confidentiality field:\n%s", body)
			}
			if !strings.Contains(m[1], "整数") {
				t.Errorf("message %q should say an integer is expected, in Japanese", m[1])
			}
			if !strings.Contains(body, `<a href="#f-confidentiality">`) {
				t.Error("the summary should link to the field")
			}
			if !strings.Contains(body, `value="台帳"`) {
				t.Error("the user's other values must stay in the form")
			}
			// In English, the same error in English.
			req := httptest.NewRequest("POST", "/orgs/sample/items/assets", strings.NewReader(assetForm("a-bad", "x", "high").Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			e.s.SetUserLang(context.Background(), mustUser(t, e, manager), "en")
			_, _, body = e.send(manager, req)
			if !regexp.MustCompile(`id="f-confidentiality-err"><p>[^<]*int`).MatchString(body) {
				t.Errorf("English error beside the field expected:\n%s", body)
			}
			e.s.SetUserLang(context.Background(), mustUser(t, e, manager), "ja")
			// A nested field: a plan action's due date.
			f := riskForm(t, e, "r-01")
			f.Set("plan[0].due", "2026-13-45")
			st, _, body = e.do(manager, "POST", "/orgs/sample/items/risks/r-01", f)
			if st != http.StatusBadRequest || !regexp.MustCompile(`id="f-plan-0--due-err"><p>[^<]+</p></div>\s*<input type="text" id="f-plan-0--due" name="plan\[0\].due" value="2026-13-45"`).MatchString(body) {
				t.Fatalf("nested date error: %d\n%s", st, body)
			}
			// A reference to nothing (only a crafted request can send one)
			// is an error beside that field, from the store's check.
			f = assetForm("a-dangling", "x", "1")
			f.Set("owner", "p-nobody")
			st, _, body = e.do(manager, "POST", "/orgs/sample/items/assets", f)
			if st != http.StatusBadRequest || !regexp.MustCompile(`id="f-owner-err"><p>[^<]*p-nobody`).MatchString(body) {
				t.Fatalf("dangling reference: %d\n%s", st, body)
			}
			// A duplicate id is an error beside the id.
			st, _, body = e.do(manager, "POST", "/orgs/sample/items/assets", assetForm("a-01", "dup", "1"))
			if st != http.StatusConflict || !strings.Contains(body, `id="f-id-err"`) {
				t.Fatalf("duplicate id: %d\n%s", st, body)
			}
		})
	}
}

func mustUser(t *testing.T, e *itemEnv, email string) int64 {
	u, err := e.s.UserByEmail(context.Background(), email)
	if err != nil {
		t.Fatal(err)
	}
	return u.ID
}

// riskForm reads a risk's edit form back as the values a browser would send.
func riskForm(t *testing.T, e *itemEnv, id string) url.Values {
	t.Helper()
	_, _, body := e.do(manager, "GET", "/orgs/sample/items/risks/"+id, nil)
	return formValues(body)
}

// formValues collects the successful controls of the item form in a page.
func formValues(body string) url.Values {
	start := strings.Index(body, `class="item-form"`)
	end := strings.Index(body[start:], "</form>")
	form := body[start : start+end]
	v := url.Values{}
	unq := func(s string) string {
		r := strings.NewReplacer("&lt;", "<", "&gt;", ">", "&#34;", `"`, "&#39;", "'", "&amp;", "&")
		return r.Replace(s)
	}
	for _, m := range regexp.MustCompile(`<input type="(?:text|hidden)"[^>]*?name="([^"]+)" value="([^"]*)"`).FindAllStringSubmatch(form, -1) {
		v.Add(unq(m[1]), unq(m[2]))
	}
	for _, m := range regexp.MustCompile(`<input type="checkbox" name="([^"]+)" value="([^"]*)" checked`).FindAllStringSubmatch(form, -1) {
		v.Add(unq(m[1]), unq(m[2]))
	}
	for _, m := range regexp.MustCompile(`(?s)<textarea id="[^"]+" name="([^"]+)"[^>]*>(.*?)</textarea>`).FindAllStringSubmatch(form, -1) {
		v.Add(unq(m[1]), unq(m[2]))
	}
	for _, m := range regexp.MustCompile(`(?s)<select id="[^"]+" name="([^"]+)"[^>]*>(.*?)</select>`).FindAllStringSubmatch(form, -1) {
		if s := regexp.MustCompile(`<option value="([^"]*)" selected>`).FindStringSubmatch(m[2]); s != nil {
			v.Add(unq(m[1]), unq(s[1]))
		}
	}
	return v
}

func TestItemStaleConflict(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			e := newItemEnv(t, b)
			mine := riskForm(t, e, "r-01")
			theirs := riskForm(t, e, "r-01")
			theirs.Set("title", "他の人の題名")
			if st, _, body := e.do(manager, "POST", "/orgs/sample/items/risks/r-01", theirs); st != http.StatusSeeOther {
				t.Fatalf("first save: %d\n%s", st, body)
			}
			mine.Set("title", "私の題名")
			st, _, body := e.do(manager, "POST", "/orgs/sample/items/risks/r-01", mine)
			if st != http.StatusConflict {
				t.Fatalf("stale save: %d", st)
			}
			if got := e.data("risks", "r-01")["title"]; got != "他の人の題名" {
				t.Fatalf("a stale save overwrote the stored item: %v", got)
			}
			if !regexp.MustCompile(`(?s)<tr class="changed"><th scope="row">名称 <span class="chip warn">相違</span></th><td>私の題名</td><td>他の人の題名</td></tr>`).MatchString(body) {
				t.Errorf("conflict view should show both titles side by side:\n%s", body)
			}
			if !strings.Contains(body, `value="私の題名"`) || !strings.Contains(body, `name="_version" value="2"`) {
				t.Error("the form should keep the user's values, now against the current version")
			}
		})
	}
}

func TestItemDelete(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			e := newItemEnv(t, b)
			// First a confirmation page; nothing deleted yet.
			st, _, body := e.do(manager, "POST", "/orgs/sample/items/assets/a-01", url.Values{"_action": {"delete"}, "_version": {"1"}})
			if st != 200 || !strings.Contains(body, `value="delete-confirm"`) {
				t.Fatalf("confirm step: %d\n%s", st, body)
			}
			if _, err := e.get("assets", "a-01"); err != nil {
				t.Fatal("deleted before confirmation")
			}
			// Risks refer to a-01: refused, with links to them.
			st, _, body = e.do(manager, "POST", "/orgs/sample/items/assets/a-01", url.Values{"_action": {"delete-confirm"}, "_version": {"1"}})
			if st != http.StatusConflict || !strings.Contains(body, `<a href="/orgs/sample/items/risks/r-01">リスク r-01</a>`) {
				t.Fatalf("refused delete: %d\n%s", st, body)
			}
			if _, err := e.get("assets", "a-01"); err != nil {
				t.Fatal("a referenced item was deleted")
			}
			// An item nobody refers to goes, after the confirmation.
			e.do(manager, "POST", "/orgs/sample/items/assets", assetForm("a-gone", "消す資産", "1"))
			st, loc, _ := e.do(manager, "POST", "/orgs/sample/items/assets/a-gone", url.Values{"_action": {"delete-confirm"}, "_version": {"1"}})
			if st != http.StatusSeeOther || loc != "/orgs/sample/items/assets?deleted=a-gone" {
				t.Fatalf("delete: %d %q", st, loc)
			}
			if _, err := e.get("assets", "a-gone"); err == nil {
				t.Fatal("not deleted")
			}
			_, _, body = e.do(manager, "GET", "/orgs/sample/history/assets/a-gone", nil)
			if !strings.Contains(body, "削除</span>") || !strings.Contains(body, "<del>消す資産</del>") {
				t.Errorf("history of a deleted item:\n%s", body)
			}
			// A stale confirmation deletes nothing.
			e.do(manager, "POST", "/orgs/sample/items/assets", assetForm("a-stale", "x", "1"))
			f := assetForm("a-stale", "y", "1")
			f.Set("_version", "1")
			e.do(manager, "POST", "/orgs/sample/items/assets/a-stale", f)
			st, _, _ = e.do(manager, "POST", "/orgs/sample/items/assets/a-stale", url.Values{"_action": {"delete-confirm"}, "_version": {"1"}})
			if _, err := e.get("assets", "a-stale"); st != http.StatusConflict || err != nil {
				t.Fatalf("stale delete: %d, %v", st, err)
			}
		})
	}
}

func TestItemPermissions(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			e := newItemEnv(t, b)
			// A viewer reads a read-only form and cannot save.
			st, _, body := e.do(viewer, "GET", "/orgs/sample/items/assets/a-01", nil)
			if st != 200 || strings.Contains(body, `value="save"`) || !strings.Contains(body, "閲覧のみ") || !strings.Contains(body, "disabled") {
				t.Fatalf("viewer's view: %d\n%s", st, body)
			}
			f := assetForm("a-01", "書き換え", "1")
			f.Set("_version", "1")
			if st, _, _ := e.do(viewer, "POST", "/orgs/sample/items/assets/a-01", f); st != http.StatusForbidden {
				t.Errorf("viewer save: %d, want 403", st)
			}
			if st, _, _ := e.do(viewer, "POST", "/orgs/sample/items/assets", assetForm("a-v", "x", "1")); st != http.StatusForbidden {
				t.Errorf("viewer create: %d, want 403", st)
			}
			if st, _, _ := e.do(viewer, "GET", "/orgs/sample/items/assets?new=1", nil); st != http.StatusForbidden {
				t.Errorf("viewer new form: %d, want 403", st)
			}
			if st, _, _ := e.do(viewer, "POST", "/orgs/sample/items/assets/a-01", url.Values{"_action": {"delete-confirm"}, "_version": {"1"}}); st != http.StatusForbidden {
				t.Errorf("viewer delete: %d, want 403", st)
			}
			if e.data("assets", "a-01")["name"] == "書き換え" {
				t.Fatal("a viewer changed an item")
			}
			// Someone outside the organization sees nothing at all.
			for _, path := range []string{"/orgs/sample/items/assets", "/orgs/sample/items/assets/a-01", "/orgs/sample/history/assets/a-01"} {
				if st, _, _ := e.do(outsider, "GET", path, nil); st != http.StatusNotFound {
					t.Errorf("non-member GET %s: %d, want 404", path, st)
				}
			}
			if st, _, _ := e.do(outsider, "POST", "/orgs/sample/items/assets/a-01", f); st != http.StatusNotFound {
				t.Errorf("non-member POST: %d, want 404", st)
			}
			// Kinds without a generic form are not found.
			if st, _, _ := e.do(manager, "GET", "/orgs/sample/items/soa_rows", nil); st != http.StatusNotFound {
				t.Errorf("soa_rows list: %d, want 404", st)
			}
			// A risk owner edits their own risk, not another's, and never the approval.
			own := riskForm(t, e, "r-02")
			own.Set("title", "所有者が直した題名")
			own.Set("approval.by", "p-cs-lead")
			own.Set("approval", `{"by":"p-cs-lead","date":"2026-11-01"}`)
			before := e.data("risks", "r-02")["approval"]
			if st, _, body := e.do(riskOwner, "POST", "/orgs/sample/items/risks/r-02", own); st != http.StatusSeeOther {
				t.Fatalf("owner edits own risk: %d\n%s", st, body)
			}
			after := e.data("risks", "r-02")
			if after["title"] != "所有者が直した題名" || !jsonEqual(after["approval"], before) {
				t.Errorf("owner edit: title %v, approval %v (was %v)", after["title"], after["approval"], before)
			}
			other := riskForm(t, e, "r-01")
			other.Set("title", "他人のリスク")
			if st, _, _ := e.do(riskOwner, "POST", "/orgs/sample/items/risks/r-01", other); st != http.StatusForbidden {
				t.Errorf("owner edits another's risk: %d, want 403", st)
			}
			// Nor may they hand their risk to someone else.
			own = riskForm(t, e, "r-02")
			own.Set("owner", "p-isms")
			if st, _, _ := e.do(riskOwner, "POST", "/orgs/sample/items/risks/r-02", own); st != http.StatusForbidden {
				t.Errorf("owner gives the risk away: %d, want 403", st)
			}
		})
	}
}

func jsonEqual(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return bytes.Equal(x, y)
}

func TestItemRows(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			e := newItemEnv(t, b)
			f := riskForm(t, e, "r-01")
			n, _ := strconv.Atoi(f.Get("plan#rows"))
			f.Set("_action", "add:plan")
			f.Set("title", "入力途中の題名")
			st, _, body := e.do(manager, "POST", "/orgs/sample/items/risks/r-01", f)
			next := "plan[" + strconv.Itoa(n) + "]"
			if st != 200 || !strings.Contains(body, `name="`+next+`.action"`) || !strings.Contains(body, `value="入力途中の題名"`) {
				t.Fatalf("add row: %d\n%s", st, body)
			}
			if !strings.Contains(body, "鈴木 一郎 が 2026-05-20 に承認") {
				t.Error("the stored approval should still show while rows are edited")
			}
			if e.data("risks", "r-01")["title"] == "入力途中の題名" {
				t.Fatal("adding a row saved the item")
			}
			// Fill the new row and save; an empty row added and left is dropped.
			f = formValues(body)
			f.Set(next+".action", "手順書を改訂する")
			f.Set(next+".owner", "p-isms")
			f.Set(next+".due", "2026-12-31")
			f.Set("_action", "add:plan")
			_, _, body = e.do(manager, "POST", "/orgs/sample/items/risks/r-01", f)
			f = formValues(body)
			f.Set("_action", "save")
			if st, _, body := e.do(manager, "POST", "/orgs/sample/items/risks/r-01", f); st != http.StatusSeeOther {
				t.Fatalf("save with rows: %d\n%s", st, body)
			}
			plan := e.data("risks", "r-01")["plan"].([]any)
			if len(plan) != n+1 || plan[n].(map[string]any)["action"] != "手順書を改訂する" || plan[n].(map[string]any)["due"] != "2026-12-31" {
				t.Fatalf("plan after save: %v", plan)
			}
			// Remove the first row.
			f = riskForm(t, e, "r-01")
			f.Set("_action", "remove:plan[0]")
			_, _, body = e.do(manager, "POST", "/orgs/sample/items/risks/r-01", f)
			f = formValues(body)
			f.Set("_action", "save")
			e.do(manager, "POST", "/orgs/sample/items/risks/r-01", f)
			plan = e.data("risks", "r-01")["plan"].([]any)
			if len(plan) != n || plan[n-1].(map[string]any)["action"] != "手順書を改訂する" {
				t.Fatalf("plan after removing the first row: %v", plan)
			}
		})
	}
}

func TestItemEvidenceUpload(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			e := newItemEnv(t, b)
			it, err := e.get("documents", "doc-pol-002")
			if err != nil {
				t.Skip("the sample has no doc-pol-002:", err)
			}
			var buf bytes.Buffer
			mw := multipart.NewWriter(&buf)
			mw.WriteField("_action", "upload")
			mw.WriteField("_version", strconv.FormatInt(it.Version, 10))
			fw, _ := mw.CreateFormFile("file", "承認記録.pdf")
			fw.Write([]byte("%PDF-1.4 approval record"))
			mw.Close()
			req := httptest.NewRequest("POST", "/orgs/sample/items/documents/doc-pol-002", &buf)
			req.Header.Set("Content-Type", mw.FormDataContentType())
			st, _, body := e.send(manager, req)
			if st != http.StatusSeeOther {
				t.Fatalf("upload: %d\n%s", st, body)
			}
			ev := e.data("documents", "doc-pol-002")["evidence"].([]any)
			last := ev[len(ev)-1].(map[string]any)
			if last["name"] != "承認記録.pdf" {
				t.Fatalf("evidence %v", ev)
			}
			_, _, body = e.do(manager, "GET", "/orgs/sample/items/documents/doc-pol-002", nil)
			if !strings.Contains(body, "/api/v1/orgs/sample/evidence/"+last["sha256"].(string)+"?name=") {
				t.Errorf("no download link for the evidence:\n%s", body)
			}
		})
	}
}

// Every kind's pages render in both languages with no message key left
// untranslated, and every stored item of the sample survives a round
// trip through its form unchanged: the form loses nothing.
func TestItemFormsRoundTrip(t *testing.T) {
	e := newItemEnv(t, storetest.Backends(t)[0])
	ctx := context.Background()
	untranslated := regexp.MustCompile(`[>"](items|field)\.[a-z_.]+[<"]`)
	kinds := []string{"units", "people", "sites", "systems", "suppliers", "cloud_services", "documents", "assets", "risk_sources",
		"risk_sources_not_applicable", "risks", "responsibilities", "verifications", "legal", "backups", "monitoring", "audits", "reviews"}
	for _, lang := range []string{"en", "ja"} {
		e.s.SetUserLang(ctx, mustUser(t, e, manager), lang)
		for _, kind := range kinds {
			for _, path := range []string{"/orgs/sample/items/" + kind, "/orgs/sample/items/" + kind + "?new=1"} {
				st, h, body := e.do(manager, "GET", path, nil)
				if kind == "risks" && path == "/orgs/sample/items/risks" {
					// One register: the generic list of risks leads to it.
					if st != http.StatusSeeOther || h != "/orgs/sample/risks" {
						t.Errorf("%s: %d %s", path, st, h)
					}
					continue
				}
				if st != 200 || untranslated.MatchString(body) {
					t.Errorf("%s GET %s: %d %v", lang, path, st, untranslated.FindAllString(body, 5))
				}
			}
		}
	}
	for _, kind := range append(kinds, "organization") {
		pg, err := e.s.List(ctx, "sample", kind, store.ListOptions{Limit: 5})
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range pg.Items {
			path := "/orgs/sample/items/" + kind + "/" + it.Key
			st, _, body := e.do(manager, "GET", path, nil)
			if st != 200 || untranslated.MatchString(body) {
				t.Errorf("GET %s: %d %v", path, st, untranslated.FindAllString(body, 5))
				continue
			}
			f := formValues(body)
			f.Set("_action", "save")
			if st, _, body := e.do(manager, "POST", path, f); st != http.StatusSeeOther {
				t.Errorf("resave %s: %d\n%s", path, st, body)
				continue
			}
			after, _ := e.get(kind, it.Key)
			if after.Version != it.Version || string(after.Data) != string(it.Data) {
				t.Errorf("%s changed by a round trip through its form:\nbefore %s\nafter  %s", path, it.Data, after.Data)
			}
		}
	}
}

// The risk register links each risk to its form.
func TestRisksLinkToForm(t *testing.T) {
	e := newItemEnv(t, storetest.Backends(t)[0])
	_, _, body := e.do(viewer, "GET", "/orgs/sample/risks", nil)
	if !strings.Contains(body, `<a href="/orgs/sample/items/risks/r-01">r-01</a>`) {
		t.Errorf("no link from the register to r-01's form:\n%s", body)
	}
}

// A finding about an item shows on its form, and goes once the form fixes it.
func TestItemFindingsOnForm(t *testing.T) {
	e := newItemEnv(t, storetest.Backends(t)[0])
	path := "/orgs/sample/items/people/p-dev"
	_, _, body := e.do(manager, "GET", path, nil)
	if strings.Contains(body, `data-rule="SCOPE-06"`) {
		t.Fatal("the sample should have no SCOPE-06 finding on p-dev")
	}
	f := formValues(body)
	f.Set("cloud_security_personnel", "false")
	if st, _, body := e.do(manager, "POST", path, f); st != http.StatusSeeOther {
		t.Fatalf("save: %d\n%s", st, body)
	}
	_, _, body = e.do(manager, "GET", path, nil)
	if !strings.Contains(body, `data-rule="SCOPE-06" data-subject="people/p-dev"`) {
		t.Fatalf("the SCOPE-06 finding is not on the form:\n%s", body)
	}
	f = formValues(body)
	f.Set("cloud_security_personnel", "true")
	e.do(manager, "POST", path, f)
	if _, _, body = e.do(manager, "GET", path, nil); strings.Contains(body, `data-rule="SCOPE-06"`) {
		t.Error("the finding stays after the fix")
	}
}

// Files attach inside an item too: to an audit finding's corrective
// action, which the upload creates when the finding has none yet.
func TestItemEvidenceNested(t *testing.T) {
	e := newItemEnv(t, storetest.Backends(t)[0])
	path := "/orgs/sample/items/audits/aud-2026-01"
	_, _, body := e.do(manager, "GET", path, nil)
	if !strings.Contains(body, `<option value="findings[1].corrective_action">指摘事項 2 › 是正処置</option>`) {
		t.Fatalf("no attach target for the second finding's corrective action:\n%s", body)
	}
	upload := func(at string) int {
		var buf bytes.Buffer
		mw := multipart.NewWriter(&buf)
		mw.WriteField("_action", "upload")
		mw.WriteField("_version", "1")
		mw.WriteField("at", at)
		fw, _ := mw.CreateFormFile("file", `C:\records\是正記録.xlsx`)
		fw.Write([]byte("record"))
		mw.Close()
		req := httptest.NewRequest("POST", path, &buf)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		st, _, _ := e.send(manager, req)
		return st
	}
	if st := upload("findings[9]"); st != http.StatusBadRequest {
		t.Errorf("a target that is not in the item: %d, want 400", st)
	}
	if st := upload("findings[1].corrective_action"); st != http.StatusSeeOther {
		t.Fatalf("upload: %d", st)
	}
	f := e.data("audits", "aud-2026-01")["findings"].([]any)[1].(map[string]any)
	ev := f["corrective_action"].(map[string]any)["evidence"].([]any)
	if len(ev) != 1 || ev[0].(map[string]any)["name"] != "是正記録.xlsx" {
		t.Fatalf("evidence %v", f)
	}
}

// A long list comes in pages of 50 with counts, and keeps the search and
// sort in its links.
func TestItemListPages(t *testing.T) {
	e := newItemEnv(t, storetest.Backends(t)[0])
	ctx := context.Background()
	for i := range 60 {
		id := "u-page-" + strconv.Itoa(100+i)
		it, _, err := bundle.DecodeItem("units", id, []byte(`{"id":"`+id+`","name":"部門 `+strconv.Itoa(i)+`"}`), "")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := e.s.Put(ctx, "sample", it, nil, 0, "setup"); err != nil {
			t.Fatal(err)
		}
	}
	_, _, body := e.do(manager, "GET", "/orgs/sample/items/units?q=u-page&sort=key", nil)
	if !strings.Contains(body, "60 件中 1〜50 件") || !strings.Contains(body, `href="?page=2&amp;q=u-page&amp;sort=key" rel="next"`) || strings.Contains(body, `rel="prev"`) {
		t.Fatalf("first page:\n%s", body)
	}
	_, _, body = e.do(manager, "GET", "/orgs/sample/items/units?q=u-page&sort=key&page=2", nil)
	if !strings.Contains(body, "60 件中 51〜60 件") || !strings.Contains(body, `rel="prev"`) || strings.Contains(body, `rel="next"`) ||
		!strings.Contains(body, ">u-page-150<") || strings.Contains(body, ">u-page-149<") {
		t.Fatalf("second page:\n%s", body)
	}
}
