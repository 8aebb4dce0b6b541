package api_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cloudisms/cloudisms/internal/api"
	"github.com/cloudisms/cloudisms/internal/authz"
	"github.com/cloudisms/cloudisms/internal/bundle"
	"github.com/cloudisms/cloudisms/internal/store"
	"github.com/cloudisms/cloudisms/internal/store/storetest"
)

// env is a running API over a store with two organizations ("own" and
// "other", both the sample) and one user per role in "own".
type env struct {
	t      *testing.T
	srv    *httptest.Server
	store  *store.Store
	tokens map[string]string // role → token; "outsider" belongs to "other" only
}

var ctx = context.Background()

func setup(t *testing.T, open func(testing.TB) (*store.Store, string)) *env {
	s, _ := open(t)
	src, err := os.ReadFile("../../examples/sample-saas.yaml")
	if err != nil {
		t.Fatal(err)
	}
	m, err := bundle.Decode("sample-saas.yaml", src)
	if err != nil {
		t.Fatal(err)
	}
	for _, org := range []string{"own", "other"} {
		if _, err := s.Import(ctx, org, m, "setup"); err != nil {
			t.Fatal(err)
		}
	}
	e := &env{t: t, store: s, tokens: map[string]string{}}
	add := func(name, org, role, person string) {
		u, err := s.CreateUser(ctx, name+"@example.com", name, "en", "correct horse battery")
		if err != nil {
			t.Fatal(err)
		}
		if err := s.AddMember(ctx, org, u.ID, role, person); err != nil {
			t.Fatal(err)
		}
		tok, _, err := s.CreateToken(ctx, u.ID, "test", time.Now().Add(time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		e.tokens[name] = tok
	}
	for _, role := range authz.Roles {
		add(role, "own", role, "p-isms") // p-isms owns risk r-01 in the sample
	}
	add("outsider", "other", authz.Admin, "p-isms")
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	e.srv = httptest.NewServer(api.New(s, log, func() time.Time { return time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC) }))
	t.Cleanup(e.srv.Close)
	return e
}

type resp struct {
	status int
	header http.Header
	body   []byte
}

func (e *env) do(who, method, path string, body any, hdr ...string) resp {
	e.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		j, _ := json.Marshal(b)
		rd = bytes.NewReader(j)
	}
	req, _ := http.NewRequest(method, e.srv.URL+path, rd)
	if tok := e.tokens[who]; tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return resp{res.StatusCode, res.Header, b}
}

func (e *env) item(who, kind, key string) (map[string]any, string) {
	r := e.do(who, "GET", "/api/v1/orgs/own/items/"+kind+"/"+key, nil)
	if r.status != 200 {
		e.t.Fatalf("get %s/%s: %d %s", kind, key, r.status, r.body)
	}
	var it struct{ Data map[string]any }
	json.Unmarshal(r.body, &it)
	return it.Data, r.header.Get("ETag")
}

// tagIn reads an item's current ETag in either organization.
func (e *env) tagIn(org, kind, key string) string {
	who := authz.Admin
	if org == "other" {
		who = "outsider"
	}
	r := e.do(who, "GET", "/api/v1/orgs/"+org+"/items/"+kind+"/"+key, nil)
	return r.header.Get("ETag")
}

// errorShape checks the one error shape.
func errorShape(t *testing.T, r resp) {
	t.Helper()
	var b struct {
		Error *struct {
			Code, Message string
			Fields        []struct{ Path, Message string }
		}
	}
	if err := json.Unmarshal(r.body, &b); err != nil || b.Error == nil || b.Error.Code == "" || b.Error.Message == "" || b.Error.Fields == nil {
		t.Errorf("status %d: not the error shape: %s", r.status, r.body)
	}
}

func forEachBackend(t *testing.T, f func(t *testing.T, e *env)) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) { f(t, setup(t, b.Open)) })
	}
}

// TestPermissionMatrix: every route × every role × own and foreign
// organization, expected status from authz (the one place permissions live).
func TestPermissionMatrix(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		r01, _ := e.item(authz.Admin, "risks", "r-01")
		r02, _ := e.item(authz.Admin, "risks", "r-02")
		evidence := []byte("監査証跡のテスト %PDF")
		for _, org := range []string{"own", "other"} {
			who := authz.Admin
			if org == "other" {
				who = "outsider"
			}
			r := e.do(who, "POST", "/api/v1/orgs/"+org+"/evidence/documents/doc-pol-001?name=policy.pdf", evidence,
				"Content-Type", "application/pdf", "If-Match", e.tagIn(org, "documents", "doc-pol-001"))
			if r.status != 201 {
				t.Fatalf("setup evidence: %d %s", r.status, r.body)
			}
		}
		sum := fmt.Sprintf("%x", sha256.Sum256(evidence))
		bundleYAML, _ := e.store.Export(ctx, "own") // lists the evidence: re-importing keeps it
		for _, rt := range api.Routes() {
			if rt.Public {
				continue // logging in is tested on its own
			}
			for _, who := range append(append([]string{}, authz.Roles...), "outsider", "nobody") {
				for _, org := range []string{"own", "other"} {
					path := strings.ReplaceAll(rt.Path, "{org}", org)
					kind, key := "risks", "r-02"
					// A risk owner may write r-01 (theirs) but not r-02.
					if who == authz.RiskOwner {
						key = "r-01"
					}
					if strings.Contains(rt.Path, "/evidence/") {
						kind, key = "soa_rows", "organization/5.1"
					}
					path = strings.ReplaceAll(path, "{kind}", kind)
					path = strings.ReplaceAll(path, "{key...}", key)
					path = strings.ReplaceAll(path, "{sha256}", sum)
					var body any
					hdr := []string{}
					switch {
					case rt.Method == "PUT" && strings.HasSuffix(rt.Path, "/bundle"):
						body, hdr = bundleYAML, []string{"Content-Type", "application/yaml"}
					case rt.Method == "PUT":
						data := r02
						if key == "r-01" {
							data = r01
						}
						body, hdr = data, []string{"If-Match", e.tagIn(org, kind, key)}
					case rt.Method == "POST" && strings.Contains(rt.Path, "/evidence/"):
						body, hdr = []byte("証跡 "+who+org), []string{"Content-Type", "application/octet-stream", "If-Match", e.tagIn(org, kind, key)}
						path += "?name=evidence.txt"
					case strings.Contains(rt.Path, "/approvals/"):
						hdr = []string{"If-Match", e.tagIn(org, kind, key)}
					case rt.Method == "POST" && strings.Contains(rt.Path, "/threads/"):
						body = map[string]any{"body": "コメント " + who}
					case rt.Method == "POST" && strings.Contains(rt.Path, "/approval-requests/"):
						body = map[string]any{"person": "p-isms", "note": "確認をお願いします"}
					case rt.Method == "DELETE" && strings.Contains(rt.Path, "/comments/"):
						// Delete a comment of one's own where the role may
						// comment, else another member's.
						author := who
						if org == "other" {
							author = "outsider"
						} else if !authz.Can(who, authz.Comment, authz.Subject{Kind: "risks"}) {
							author = authz.Admin
						}
						posted := e.do(author, "POST", "/api/v1/orgs/"+org+"/threads/risks/r-01", map[string]any{"body": "消すコメント"})
						if posted.status != 201 {
							t.Fatalf("setup comment: %d %s", posted.status, posted.body)
						}
						var c struct{ ID int64 }
						json.Unmarshal(posted.body, &c)
						path = strings.ReplaceAll(path, "{id}", fmt.Sprint(c.ID))
					case rt.Method == "POST" && strings.HasSuffix(rt.Path, "/soa-import"):
						body, hdr = soaWorkbook(t, e, org), []string{"Content-Type", api.XLSXType}
					case rt.Method == "POST" && strings.HasSuffix(rt.Path, "/corrective-actions/reassign"):
						body = map[string]any{"owner": "p-isms", "dry_run": true, "actions": []map[string]any{{"subject": "nonconformities/nc-2026-01", "version": 1}}}
					case rt.Method == "POST" && strings.HasSuffix(rt.Path, "/frameworks"):
						body, path = basicCatalog, path+"?id=nist-"+strings.ToLower(who)
					case rt.Method == "POST" && strings.HasSuffix(rt.Path, "/frameworks/library"):
						body, path = sampleLibrary, path+"?id=lib-"+strings.ToLower(who)
					case rt.Method == "POST":
						body = map[string]any{"id": "new-" + who + "-" + org, "title": "新しいリスク", "treatment": "retain", "owner": "p-isms"}
					case rt.Method == "DELETE" && strings.Contains(rt.Path, "{org}"):
						// Delete a fresh item, so that nothing refers to it.
						creator := authz.Admin
						if org == "other" {
							creator = "outsider"
						}
						created := e.do(creator, "POST", "/api/v1/orgs/"+org+"/items/risks", map[string]any{"id": "del-" + who, "title": "x", "treatment": "retain", "owner": "p-isms"})
						if created.status != 201 {
							t.Fatalf("setup: %d %s", created.status, created.body)
						}
						path = strings.TrimSuffix(path, "/"+key) + "/del-" + who
						hdr = []string{"If-Match", `"1"`}
					}
					got := e.do(who, rt.Method, path, body, hdr...)
					want := expected(rt, who, org)
					if got.status != want {
						t.Errorf("%s %s as %s: %d, want %d (%s)", rt.Method, path, who, got.status, want, got.body)
					}
					if got.status >= 400 {
						errorShape(t, got)
					}
				}
			}
		}
	})
}

// expected derives a route's status for a caller from authz.
func expected(r api.Route, who, org string) int {
	if who == "nobody" {
		return 401
	}
	if r.Action == "" {
		if r.Method == "DELETE" {
			return 204 // logging out
		}
		return 200
	}
	member := (who == "outsider" && org == "other") || (who != "outsider" && org == "own")
	if !member {
		return 404
	}
	role := who
	if who == "outsider" {
		role = authz.Admin
	}
	subject := authz.Subject{Kind: "risks", IsOwner: who == authz.RiskOwner}
	if strings.Contains(r.Path, "/evidence/") || strings.Contains(r.Path, "/soa-import") {
		subject = authz.Subject{Kind: "soa_rows"}
	}
	if strings.Contains(r.Path, "/corrective-actions") {
		subject = authz.Subject{Kind: "nonconformities"}
	}
	if r.Action == authz.DeleteComment {
		// The comment is the member's own where their role may comment.
		subject = authz.Subject{IsOwner: authz.Can(role, authz.Comment, authz.Subject{Kind: "risks"})}
	}
	if !authz.Can(role, r.Action, subject) {
		return 403
	}
	switch {
	case strings.HasSuffix(r.Path, "/soa-import"), strings.HasSuffix(r.Path, "/reassign"):
		return 200
	case r.Method == "POST" && strings.Contains(r.Path, "/approvals/"):
		return 200
	case r.Method == "POST":
		return 201
	case r.Method == "DELETE":
		return 204
	}
	return 200
}

func TestErrors(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		a := authz.Admin
		_, tag := e.item(a, "risks", "r-01")
		cases := []struct {
			name   string
			r      resp
			status int
			code   string
		}{
			{"no credentials", e.do("nobody", "GET", "/api/v1/orgs/own/items/risks", nil), 401, "unauthorized"},
			{"foreign organization", e.do(a, "GET", "/api/v1/orgs/other/items/risks/r-01", nil), 404, "not_found"},
			{"missing organization", e.do(a, "GET", "/api/v1/orgs/nowhere/check", nil), 404, "not_found"},
			{"unknown kind", e.do(a, "GET", "/api/v1/orgs/own/items/dragons", nil), 404, "not_found"},
			{"missing item", e.do(a, "GET", "/api/v1/orgs/own/items/risks/r-99", nil), 404, "not_found"},
			{"invalid field", e.do(a, "POST", "/api/v1/orgs/own/items/risks", `{"id":"x1","title":"t","treatment":"reduce"}`), 400, "invalid"},
			{"unknown reference", e.do(a, "POST", "/api/v1/orgs/own/items/risks", `{"id":"x2","title":"t","treatment":"retain","owner":"p-nobody"}`), 400, "invalid"},
			{"wrong edition control", e.do(a, "POST", "/api/v1/orgs/own/items/risks", `{"id":"x3","title":"t","treatment":"modify","controls":["A.12.3.1"]}`), 400, "invalid"},
			{"malformed JSON", e.do(a, "POST", "/api/v1/orgs/own/items/risks", `{"id":`), 400, "invalid"},
			{"wrong content type", e.do(a, "POST", "/api/v1/orgs/own/items/risks", "id: x", "Content-Type", "text/plain"), 415, "unsupported_media_type"},
			{"too large", e.do(a, "POST", "/api/v1/orgs/own/items/risks", `{"id":"x4","title":"`+strings.Repeat("あ", api.MaxItemBody/3+10)+`"}`), 413, "too_large"},
			{"stale version", e.do(a, "PUT", "/api/v1/orgs/own/items/risks/r-01", `{"id":"r-01","title":"t","treatment":"retain"}`, "If-Match", `"999"`), 409, "conflict"},
			{"no If-Match", e.do(a, "PUT", "/api/v1/orgs/own/items/risks/r-01", `{"id":"r-01","title":"t","treatment":"retain"}`), 428, "if_match_required"},
			{"id changed", e.do(a, "PUT", "/api/v1/orgs/own/items/risks/r-01", `{"id":"r-77","title":"t","treatment":"retain"}`, "If-Match", tag), 400, "invalid"},
			{"duplicate id", e.do(a, "POST", "/api/v1/orgs/own/items/risks", `{"id":"r-01","title":"t","treatment":"retain"}`), 409, "exists"},
			{"delete a referenced person", e.do(a, "DELETE", "/api/v1/orgs/own/items/people/p-isms", nil, "If-Match", `"1"`), 409, "referenced"},
			{"bad as_of", e.do(a, "GET", "/api/v1/orgs/own/check?as_of=2026-02-30", nil), 400, "invalid"},
			{"bad limit", e.do(a, "GET", "/api/v1/orgs/own/items/risks?limit=100000", nil), 400, "invalid"},
			{"bad sort", e.do(a, "GET", "/api/v1/orgs/own/items/risks?sort=secret", nil), 400, "invalid"},
			{"invalid bundle", e.do(a, "PUT", "/api/v1/orgs/own/bundle", "format: cloudisms/v2\n", "Content-Type", "application/yaml"), 400, "invalid"},
			{"bundle as text/plain", e.do(a, "PUT", "/api/v1/orgs/own/bundle", "format: x\n", "Content-Type", "text/plain"), 415, "unsupported_media_type"},
			{"no such route", e.do(a, "GET", "/api/v1/nothing", nil), 404, "not_found"},
		}
		for _, c := range cases {
			if c.r.status != c.status {
				t.Errorf("%s: %d, want %d: %s", c.name, c.r.status, c.status, c.r.body)
				continue
			}
			errorShape(t, c.r)
			var b struct{ Error struct{ Code string } }
			json.Unmarshal(c.r.body, &b)
			if b.Error.Code != c.code {
				t.Errorf("%s: code %s, want %s", c.name, b.Error.Code, c.code)
			}
		}
		// Field errors carry paths, in the caller's language.
		r := e.do(a, "POST", "/api/v1/orgs/own/items/risks", `{"id":"x5","title":"t","treatment":"reduce","likelihood":"high"}`, "Accept-Language", "ja")
		if !strings.Contains(string(r.body), `"path":"risks.treatment"`) || !strings.Contains(string(r.body), `"path":"risks.likelihood"`) {
			t.Errorf("field paths: %s", r.body)
		}
		// Nothing of the refused changes was stored.
		if got := e.do(a, "GET", "/api/v1/orgs/own/items/risks?q=x", nil); !strings.Contains(string(got.body), `"total":0`) {
			t.Errorf("a refused item was stored: %s", got.body)
		}
	})
}

func TestCRUDAndHistory(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		a := authz.ISMSManager
		r := e.do(a, "POST", "/api/v1/orgs/own/items/risks", map[string]any{"id": "r-new", "title": "新規", "treatment": "retain", "owner": "p-isms"})
		if r.status != 201 || r.header.Get("ETag") != `"1"` || r.header.Get("Location") != "/api/v1/orgs/own/items/risks/r-new" {
			t.Fatalf("create: %d %v %s", r.status, r.header, r.body)
		}
		data, tag := e.item(a, "risks", "r-new")
		data["title"] = "更新後"
		if r := e.do(a, "PUT", "/api/v1/orgs/own/items/risks/r-new", data, "If-Match", tag); r.status != 200 || r.header.Get("ETag") != `"2"` {
			t.Fatalf("update: %d %s", r.status, r.body)
		}
		// The old tag is stale now.
		if r := e.do(a, "PUT", "/api/v1/orgs/own/items/risks/r-new", data, "If-Match", tag); r.status != 409 {
			t.Errorf("stale update: %d", r.status)
		}
		if r := e.do(a, "DELETE", "/api/v1/orgs/own/items/risks/r-new", nil, "If-Match", tag); r.status != 409 {
			t.Errorf("stale delete: %d", r.status)
		}
		h := e.do(a, "GET", "/api/v1/orgs/own/history?kind=risks&key=r-new", nil)
		var hist struct {
			Records []struct {
				Actor, Action string
				After         map[string]any
			}
		}
		json.Unmarshal(h.body, &hist)
		if len(hist.Records) != 2 || hist.Records[1].Action != "update" || hist.Records[1].Actor != "isms-manager@example.com" || hist.Records[1].After["title"] != "更新後" {
			t.Errorf("history: %s", h.body)
		}
		if r := e.do(a, "DELETE", "/api/v1/orgs/own/items/risks/r-new", nil, "If-Match", `"2"`); r.status != 204 {
			t.Errorf("delete: %d %s", r.status, r.body)
		}
		// Lists: pagination, filter, sort.
		l := e.do(a, "GET", "/api/v1/orgs/own/items/risks?limit=3&offset=2&sort=-key", nil)
		var page struct {
			Items []struct{ Key string }
			Total int
		}
		json.Unmarshal(l.body, &page)
		if page.Total != 14 || len(page.Items) != 3 || page.Items[0].Key != "r-12" {
			t.Errorf("page: %s", l.body)
		}
		l = e.do(a, "GET", "/api/v1/orgs/own/items/risks?owner=p-isms", nil)
		json.Unmarshal(l.body, &page)
		if page.Total == 0 || page.Total == 14 {
			t.Errorf("owner filter total %d", page.Total)
		}
		// The SoA row route: a key with a slash.
		row, rtag := e.item(a, "soa_rows", "organization/8.13")
		row["applicable"] = false
		row["justification"] = "テスト"
		if r := e.do(a, "PUT", "/api/v1/orgs/own/items/soa_rows/organization/8.13", row, "If-Match", rtag); r.status != 200 {
			t.Fatalf("soa row: %d %s", r.status, r.body)
		}
		ch := e.do(a, "GET", "/api/v1/orgs/own/check?as_of=2026-11-01", nil)
		if !strings.Contains(string(ch.body), `"SOA-05"`) {
			t.Errorf("excluding 8.13 should make SOA-05 fire: %s", ch.body)
		}
		if r := e.do(a, "GET", "/api/v1/orgs/own/summary?as_of=2026-11-01", nil); r.status != 200 || !strings.Contains(string(r.body), `"heat_map"`) {
			t.Errorf("summary: %d", r.status)
		}
		if broken, _, err := e.store.VerifyHistory(ctx); broken != nil || err != nil {
			t.Errorf("history chain: %v %v", broken, err)
		}
	})
}

// Concurrent updaters: every update is based on a version; exactly one
// writer of each version wins, and no update is lost.
func TestNoLostUpdate(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		const writers, rounds = 8, 5
		var wg sync.WaitGroup
		var mu sync.Mutex
		wins := 0
		for w := range writers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range rounds {
					for {
						data, tag := e.item(authz.Admin, "risks", "r-03")
						notes, _ := data["title"].(string)
						data["title"] = notes + fmt.Sprintf("[%d.%d]", w, i)
						r := e.do(authz.Admin, "PUT", "/api/v1/orgs/own/items/risks/r-03", data, "If-Match", tag)
						if r.status == 200 {
							mu.Lock()
							wins++
							mu.Unlock()
							break
						}
						if r.status != 409 {
							t.Errorf("update: %d %s", r.status, r.body)
							return
						}
					}
				}
			}()
		}
		wg.Wait()
		data, tag := e.item(authz.Admin, "risks", "r-03")
		title := data["title"].(string)
		marks := regexp.MustCompile(`\[\d+\.\d+\]`).FindAllString(title, -1)
		if wins != writers*rounds || len(marks) != writers*rounds || tag != fmt.Sprintf(`"%d"`, 1+writers*rounds) {
			t.Errorf("wins %d, marks %d, tag %s", wins, len(marks), tag)
		}
	})
}

func TestBundleRoundTrip(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		a := authz.Admin
		y := e.do(a, "GET", "/api/v1/orgs/own/bundle", nil)
		src, _ := os.ReadFile("../../examples/sample-saas.yaml")
		m, _ := bundle.Decode("s.yaml", src)
		canonical, _ := bundle.Encode(m)
		if y.status != 200 || string(y.body) != string(canonical) {
			t.Fatalf("bundle export differs from fmt: %d", y.status)
		}
		j := e.do(a, "GET", "/api/v1/orgs/own/bundle", nil, "Accept", "application/json")
		m2, err := bundle.Decode("b.json", j.body)
		if err != nil {
			t.Fatalf("JSON bundle: %v", err)
		}
		if c2, _ := bundle.Encode(m2); string(c2) != string(canonical) {
			t.Error("JSON bundle reads differently")
		}
		// Import a changed bundle, as JSON.
		m.Risks = m.Risks[:len(m.Risks)-1]
		changed, _ := bundle.Encode(m)
		r := e.do(a, "PUT", "/api/v1/orgs/own/bundle", bundle.EncodeJSON(m), "Content-Type", "application/json")
		if r.status != 200 || !strings.Contains(string(r.body), `"deleted":1`) {
			t.Fatalf("import: %d %s", r.status, r.body)
		}
		if y := e.do(a, "GET", "/api/v1/orgs/own/bundle", nil); string(y.body) != string(changed) {
			t.Error("export after import differs")
		}
	})
}

func TestOpenAPIMatchesRoutes(t *testing.T) {
	doc := api.OpenAPI()
	if doc["openapi"] != "3.1.0" {
		t.Fatal("not OpenAPI 3.1")
	}
	paths := doc["paths"].(map[string]map[string]any)
	n := 0
	for _, ops := range paths {
		n += len(ops)
	}
	all := append(append([]api.Route{}, api.Routes()...), api.JobRoutes()...)
	if n != len(all) {
		t.Errorf("%d operations documented, %d routes", n, len(all))
	}
	for _, rt := range all {
		p := regexp.MustCompile(`\{([a-z]+)\.\.\.\}`).ReplaceAllString(rt.Path, "{$1}")
		if _, ok := paths[p][strings.ToLower(rt.Method)]; !ok {
			t.Errorf("%s %s is not documented", rt.Method, p)
		}
	}
	// And the document is served.
	s, _ := storetest.Backends(t)[0].Open(t)
	srv := httptest.NewServer(api.New(s, slog.New(slog.NewTextHandler(io.Discard, nil)), time.Now))
	defer srv.Close()
	res, err := http.Get(srv.URL + "/api/v1/openapi.json")
	if err != nil || res.StatusCode != 200 {
		t.Fatalf("openapi.json: %v %v", err, res)
	}
	var served map[string]any
	json.NewDecoder(res.Body).Decode(&served)
	if served["openapi"] != "3.1.0" {
		t.Error("served document is not the same")
	}
}

func TestApprovals(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		ro := authz.RiskOwner // person p-isms, the owner of r-01 but not of r-02
		_, tag := e.item(ro, "risks", "r-01")
		r := e.do(ro, "POST", "/api/v1/orgs/own/approvals/risks/r-01", map[string]any{"residual_accepted": true}, "If-Match", tag)
		if r.status != 200 {
			t.Fatalf("owner approves own risk: %d %s", r.status, r.body)
		}
		_, tag2 := e.item(ro, "risks", "r-02")
		if r := e.do(ro, "POST", "/api/v1/orgs/own/approvals/risks/r-02", nil, "If-Match", tag2); r.status != 403 {
			t.Errorf("approving another's risk: %d", r.status)
		}
		got := e.do(ro, "GET", "/api/v1/orgs/own/items/risks/r-01", nil)
		var it struct {
			Data     map[string]any
			Approval *struct {
				Person string
				Stale  bool
			}
		}
		json.Unmarshal(got.body, &it)
		ap := it.Data["approval"].(map[string]any)
		if it.Approval == nil || it.Approval.Stale || it.Approval.Person != "p-isms" || ap["by"] != "p-isms" || ap["date"] != "2026-11-01" || ap["residual_accepted"] != true {
			t.Fatalf("after approval: %s", got.body)
		}
		// A change to the approved risk makes the approval stale.
		data, tag3 := e.item(authz.ISMSManager, "risks", "r-01")
		data["title"] = "承認後に変更"
		if r := e.do(authz.ISMSManager, "PUT", "/api/v1/orgs/own/items/risks/r-01", data, "If-Match", tag3); r.status != 200 {
			t.Fatal(r.status)
		}
		list := e.do(authz.Viewer, "GET", "/api/v1/orgs/own/approvals", nil)
		if !strings.Contains(string(list.body), `"key":"r-01"`) || !strings.Contains(string(list.body), `"stale":true`) {
			t.Errorf("approvals: %s", list.body)
		}
		// An SoA approval covers its rows.
		_, stag := e.item(authz.Executive, "soa", "organization")
		if r := e.do(authz.Executive, "POST", "/api/v1/orgs/own/approvals/soa/organization", nil, "If-Match", stag); r.status != 200 {
			t.Fatalf("executive approves the SoA: %d %s", r.status, r.body)
		}
		row, rtag := e.item(authz.ISMSManager, "soa_rows", "organization/5.1")
		row["notes"] = "変更"
		e.do(authz.ISMSManager, "PUT", "/api/v1/orgs/own/items/soa_rows/organization/5.1", row, "If-Match", rtag)
		soa := e.do(authz.Viewer, "GET", "/api/v1/orgs/own/items/soa/organization", nil)
		if !strings.Contains(string(soa.body), `"stale":true`) {
			t.Errorf("a changed row should make the SoA approval stale: %s", soa.body)
		}
		if r := e.do(ro, "POST", "/api/v1/orgs/own/approvals/people/p-isms", nil, "If-Match", `"1"`); r.status != 400 {
			t.Errorf("people cannot be approved: %d", r.status)
		}
	})
}

func TestLoginLogout(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		post := func(body string) *http.Response {
			res, err := http.Post(e.srv.URL+"/api/v1/session", "application/json", strings.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			return res
		}
		if res := post(`{"email":"viewer@example.com","password":"wrong password!"}`); res.StatusCode != 401 {
			t.Errorf("wrong password: %d", res.StatusCode)
		}
		res := post(`{"email":"viewer@example.com","password":"correct horse battery"}`)
		var ck *http.Cookie
		for _, c := range res.Cookies() {
			if c.Name == api.SessionCookie {
				ck = c
			}
		}
		if res.StatusCode != 200 || ck == nil || !ck.HttpOnly || ck.SameSite != http.SameSiteLaxMode {
			t.Fatalf("login: %d %+v", res.StatusCode, ck)
		}
		get := func() int {
			req, _ := http.NewRequest("GET", e.srv.URL+"/api/v1/me", nil)
			req.AddCookie(ck)
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			return res.StatusCode
		}
		if get() != 200 {
			t.Fatal("session does not work")
		}
		req, _ := http.NewRequest("DELETE", e.srv.URL+"/api/v1/session", nil)
		req.AddCookie(ck)
		if res, err := http.DefaultClient.Do(req); err != nil || res.StatusCode != 204 {
			t.Fatalf("logout: %v %v", err, res)
		}
		if get() != 401 {
			t.Error("the session survived logout")
		}
	})
}

func TestEvidence(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		a := authz.ISMSManager
		content := []byte("<script>alert(1)</script> リストアテスト結果")
		// Attach to a restore test inside a backups entry.
		list := e.do(a, "GET", "/api/v1/orgs/own/items/backups?limit=1", nil)
		var page struct{ Items []struct{ Key string } }
		json.Unmarshal(list.body, &page)
		key := page.Items[0].Key
		_, tag := e.item(a, "backups", key)
		r := e.do(a, "POST", "/api/v1/orgs/own/evidence/backups/"+key+"?name=リストア結果.html&at=tests[0]", content,
			"Content-Type", "text/html", "If-Match", tag)
		if r.status != 201 {
			t.Fatalf("attach: %d %s", r.status, r.body)
		}
		var res struct {
			SHA256 string
			Size   int
		}
		json.Unmarshal(r.body, &res)
		if res.SHA256 != fmt.Sprintf("%x", sha256.Sum256(content)) || res.Size != len(content) {
			t.Errorf("attach result: %s", r.body)
		}
		data, _ := e.item(a, "backups", key)
		test0 := data["tests"].([]any)[0].(map[string]any)
		ev := test0["evidence"].([]any)[0].(map[string]any)
		if ev["sha256"] != res.SHA256 || ev["name"] != "リストア結果.html" {
			t.Errorf("evidence not listed on the restore test: %v", test0)
		}
		// The upload is in the history with the uploader.
		h := e.do(a, "GET", "/api/v1/orgs/own/history?kind=backups&key="+key, nil)
		if !strings.Contains(string(h.body), res.SHA256) || !strings.Contains(string(h.body), "isms-manager@example.com") {
			t.Errorf("history lacks the upload: %s", h.body)
		}
		// Downloads are attachments, never inline.
		d := e.do(authz.Viewer, "GET", "/api/v1/orgs/own/evidence/"+res.SHA256+"?name=x.html", nil)
		if d.status != 200 || !bytes.Equal(d.body, content) || d.header.Get("Content-Type") != "application/octet-stream" ||
			!strings.HasPrefix(d.header.Get("Content-Disposition"), "attachment") || d.header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("download: %d %v", d.status, d.header)
		}
		// Another organization cannot read it by its hash.
		if d := e.do("outsider", "GET", "/api/v1/orgs/other/evidence/"+res.SHA256, nil); d.status != 404 {
			t.Errorf("foreign download: %d", d.status)
		}
		// The exported bundle lists it by name and hash.
		b, _ := e.store.Export(ctx, "own")
		if !strings.Contains(string(b), res.SHA256) {
			t.Error("the bundle does not list the evidence")
		}
		// A risk keeps evidence of its assessment and treatment (format v2).
		_, rtag := e.item(a, "risks", "r-01")
		if r := e.do(a, "POST", "/api/v1/orgs/own/evidence/risks/r-01?name=評価表.xlsx", []byte("assessment"), "Content-Type", "application/octet-stream", "If-Match", rtag); r.status != 201 {
			t.Errorf("evidence on a risk: %d %s", r.status, r.body)
		}
		risk, _ := e.item(a, "risks", "r-01")
		if evs, _ := risk["evidence"].([]any); len(evs) != 1 || evs[0].(map[string]any)["name"] != "評価表.xlsx" {
			t.Errorf("evidence not listed on the risk: %v", risk["evidence"])
		}
		// Evidence where the format has none (an asset) is refused, and nothing changes.
		asset, atag := e.item(a, "assets", "a-01")
		if r := e.do(a, "POST", "/api/v1/orgs/own/evidence/assets/a-01?name=a.txt", []byte("x"), "Content-Type", "text/plain", "If-Match", atag); r.status != 400 {
			t.Errorf("evidence on an asset: %d", r.status)
		}
		if after, atag2 := e.item(a, "assets", "a-01"); atag2 != atag || after["evidence"] != nil || len(after) != len(asset) {
			t.Errorf("the refused upload changed the asset: %s → %s", atag, atag2)
		}
		// Nor is its file kept: the refusal comes before the upload is stored.
		if recs, err := e.store.EvidenceRecords(ctx, "own"); err != nil || recs[fmt.Sprintf("%x", sha256.Sum256([]byte("x")))].SHA256 != "" {
			t.Errorf("the refused file was stored: %v", err)
		}
		if r := e.do(a, "POST", "/api/v1/orgs/own/evidence/backups/"+key+"?name=a.txt&at=tests[99]", []byte("x"), "Content-Type", "text/plain", "If-Match", `"2"`); r.status != 400 {
			t.Errorf("missing element: %d", r.status)
		}
		big := bytes.Repeat([]byte("x"), store.MaxEvidence+1)
		_, btag := e.item(a, "backups", key)
		if r := e.do(a, "POST", "/api/v1/orgs/own/evidence/backups/"+key+"?name=big.bin&at=tests[0]", big, "Content-Type", "application/octet-stream", "If-Match", btag); r.status != 413 {
			t.Errorf("too large: %d", r.status)
		}
	})
}

// Failed logins are throttled per account (and address), in the database.
func TestLoginThrottled(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		var retry string
		post := func(password string) int {
			body := `{"email":"auditor@example.com","password":"` + password + `"}`
			res, err := http.Post(e.srv.URL+"/api/v1/session", "application/json", strings.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			retry = res.Header.Get("Retry-After")
			return res.StatusCode
		}
		for i := range 5 {
			if code := post("wrong password!"); code != 401 {
				t.Fatalf("failure %d: %d", i+1, code)
			}
		}
		if code := post("correct horse battery"); code != 429 {
			t.Errorf("after five failures even the right password: %d, want 429", code)
		}
		if n, err := strconv.Atoi(retry); err != nil || n < 1 || n > 15*60 {
			t.Errorf("Retry-After %q, want the seconds left of the 15-minute window", retry)
		}
	})
}
