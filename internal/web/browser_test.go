package web_test

import (
	"context"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/cloudisms/cloudisms/internal/bundle"
	"github.com/cloudisms/cloudisms/internal/server"
	"github.com/cloudisms/cloudisms/internal/store"
	"github.com/cloudisms/cloudisms/internal/web"
)

// chromium is the browser the tests drive.
const chromium = "/usr/bin/chromium"

const password = "correct horse battery"

// ui is a running server with the sample organization and a browser.
type ui struct {
	t     *testing.T
	url   string
	store *store.Store
	app   *web.App // the UI behind the server, for what tests configure (mail)
	ctx   context.Context
	shots string // where screenshots go when a test fails
}

func start(t *testing.T) *ui { return startWithin(t, 90*time.Second) }

// startWithin is start with another deadline for the whole browser
// session: for a test whose server-side step takes long under load.
func startWithin(t *testing.T, limit time.Duration) *ui {
	if _, err := os.Stat(chromium); err != nil {
		t.Skipf("%s is not installed: browser tests skipped (apt-get install -y chromium)", chromium)
	}
	s, err := store.Open(context.Background(), "", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	src, _ := os.ReadFile("../../examples/sample-saas.yaml")
	m, err := bundle.Decode("sample-saas.yaml", src)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := s.Import(ctx, "sample", m, "setup"); err != nil {
		t.Fatal(err)
	}
	users := []struct{ email, role, person string }{
		{"manager@example.com", "isms-manager", "p-isms"},
		{"cs@example.com", "risk-owner", "p-cs-lead"}, // owns r-02
		{"ops@example.com", "risk-owner", "p-ops-lead"},
	}
	for _, u := range users {
		acc, err := s.CreateUser(ctx, u.email, u.email, "ja", password)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.AddMember(ctx, "sample", acc.ID, u.role, u.person); err != nil {
			t.Fatal(err)
		}
	}
	hs, err := server.Build(s, slog.New(slog.NewTextHandler(io.Discard, nil)), func() time.Time {
		return time.Date(2026, 11, 1, 10, 0, 0, 0, time.UTC)
	}, server.Options{})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(hs.Main)
	t.Cleanup(srv.Close)
	opts := append(chromedp.DefaultExecAllocatorOptions[:], chromedp.ExecPath(chromium), chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("lang", "ja"), chromedp.WindowSize(1280, 1000))
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	bctx, cancelB := chromedp.NewContext(actx)
	tctx, cancelT := context.WithTimeout(bctx, limit)
	t.Cleanup(func() { cancelT(); cancelB(); cancelA() })
	u := &ui{t: t, url: srv.URL, store: s, app: hs.UI, ctx: tctx, shots: filepath.Join(os.TempDir(), "cloudisms-screenshots", t.Name())}
	t.Cleanup(func() {
		if t.Failed() {
			u.shot("failure")
			t.Logf("screenshots of the failing page: %s", u.shots)
		}
	})
	return u
}

// run performs browser actions, failing the test with the step's name.
func (u *ui) run(step string, actions ...chromedp.Action[chromedp.Void]) {
	u.t.Helper()
	if err := chromedp.Do(u.ctx, actions...); err != nil {
		u.t.Fatalf("%s: %v", step, err)
	}
}

// submit clicks a button that loads a new page and waits until the new
// page has loaded: a marker set on the old page must be gone.
func (u *ui) submit(step, button string) {
	u.t.Helper()
	eval[bool](u, `(window.__old = true)`)
	u.run(step, chromedp.Click(chromedp.CSS(button)))
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		v, err := chromedp.Run(u.ctx, chromedp.Evaluate[bool](`window.__old === undefined && document.readyState === "complete"`))
		if err == nil && v {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	u.t.Fatalf("%s: the next page did not load", step)
}

// eval runs JavaScript in the page, waiting for a promise.
func eval[T any](u *ui, expr string) T {
	u.t.Helper()
	v, err := chromedp.Run(u.ctx, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		u.t.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

// acceptDialogs accepts confirm() and alert() dialogs, and counts them.
func (u *ui) acceptDialogs() *int {
	n := new(int)
	dialogs := chromedp.Events(u.ctx, page.JavascriptDialogOpening)
	go func() {
		for _, err := range dialogs {
			if err != nil {
				return
			}
			*n++
			chromedp.Call(u.ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: true})
		}
	}()
	return n
}

func (u *ui) shot(name string) string {
	buf, err := chromedp.Run(u.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		return ""
	}
	os.MkdirAll(u.shots, 0o755)
	p := filepath.Join(u.shots, name+".png")
	os.WriteFile(p, buf, 0o644)
	return p
}

func (u *ui) login(email string) {
	u.t.Helper()
	u.run("log in as "+email,
		chromedp.Navigate(u.url+"/login"),
		chromedp.SendKeys(chromedp.ID("email"), email),
		chromedp.SendKeys(chromedp.ID("password"), password),
	)
	u.submit("log in as "+email, `form[action="/login"] button`)
	u.run("dashboard after login", chromedp.WaitVisible(chromedp.CSS(`nav.side`)))
}

func (u *ui) text(sel string) string {
	u.t.Helper()
	s, err := chromedp.Run(u.ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		u.t.Fatalf("read %s: %v", sel, err)
	}
	return s
}

func (u *ui) html() string {
	u.t.Helper()
	s, err := chromedp.Run(u.ctx, chromedp.OuterHTML(chromedp.CSS("html")))
	if err != nil {
		u.t.Fatalf("read page: %v", err)
	}
	return s
}

func TestLoginAndLanguage(t *testing.T) {
	u := start(t)
	u.login("manager@example.com")
	if h := u.text("main h1"); !strings.Contains(h, "ダッシュボード") {
		t.Fatalf("after login: %q", h)
	}
	u.submit("switch to English", `form[action="/lang"] button`)
	if h := u.text("main h1"); !strings.Contains(h, "Dashboard") {
		t.Fatalf("after switching to English: %q", h)
	}
	// Remembered for the user: a fresh page is still in English.
	u.run("reload", chromedp.Navigate(u.url+"/orgs/sample/risks"), chromedp.WaitVisible(chromedp.CSS("main h1")))
	if h := u.text("main h1"); !strings.Contains(h, "Risks") {
		t.Fatalf("language not remembered: %q", h)
	}
	u.submit("back to Japanese", `form[action="/lang"] button`)
	if h := u.text("main h1"); !strings.Contains(h, "リスク") {
		t.Fatalf("after switching back: %q", h)
	}
	// Logging out ends the session on the server.
	u.submit("log out", `form[action="/logout"] button`)
	u.run("protected page", chromedp.Navigate(u.url+"/orgs/sample/"), chromedp.WaitVisible(chromedp.ID("email")))
}

func TestSoAEditClearsFinding(t *testing.T) {
	u := start(t)
	ctx := context.Background()
	// Break a row behind the UI: applicable without reasons (SOA-04).
	it, err := u.store.Get(ctx, "sample", bundle.KindSoARows, "organization/5.10")
	if err != nil {
		t.Fatal(err)
	}
	broken, _, err := bundle.DecodeItem(bundle.KindSoARows, it.Key, []byte(`{"control":"5.10","applicable":true,"implementation":"implemented"}`), "iso27001:2022")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := u.store.Put(ctx, "sample", broken, nil, it.Version, "someone"); err != nil {
		t.Fatal(err)
	}
	u.login("manager@example.com")
	if !strings.Contains(u.html(), `data-subject="soa/organization/5.10"`) {
		t.Fatal("the SOA-04 finding is not on the dashboard")
	}
	u.submit("follow the finding to its row", `li[data-subject="soa/organization/5.10"] a`)
	u.run("edit the row",
		chromedp.Click(chromedp.CSS(`#row-5\.10 a.row-edit`)),
		chromedp.WaitVisible(chromedp.CSS(`#row-5\.10 .row-edit-slot form`)),
		chromedp.Click(chromedp.CSS(`#row-5\.10 input[name=reasons][value=risk]`)),
	)
	u.submit("save the row", `#row-5\.10 button[type=submit]`)
	u.run("dashboard", chromedp.Navigate(u.url+"/orgs/sample/"), chromedp.WaitVisible(chromedp.CSS("main h1")))
	if strings.Contains(u.html(), `data-subject="soa/organization/5.10"`) {
		t.Error("the finding is still on the dashboard after the edit")
	}
	saveShot(t, u, "dashboard")
}

func TestRiskApprovalOnlyByOwner(t *testing.T) {
	u := start(t)
	u.login("ops@example.com") // owns other risks, not r-02
	u.run("risks", chromedp.Navigate(u.url+"/orgs/sample/risks"), chromedp.WaitVisible(chromedp.CSS(`#risk-r-02`)))
	if strings.Contains(u.text(`#risk-r-02`), "承認する") {
		t.Error("another user is offered to approve r-02")
	}
	status := eval[int](u, `fetch("/orgs/sample/risks/r-02/approve", {method: "POST"}).then(r => r.status)`)
	if status != 403 {
		t.Errorf("another user's approval: %d, want 403", status)
	}
	u.login("cs@example.com")
	u.run("approve as owner", chromedp.Navigate(u.url+"/orgs/sample/risks"), chromedp.WaitVisible(chromedp.CSS(`#risk-r-02 .approve-form`)))
	u.acceptDialogs()
	u.submit("click approve", `#risk-r-02 .approve-form button`)
	u.run("approved", chromedp.WaitVisible(chromedp.CSS(`#risk-r-02 .approved`)))
	it, _ := u.store.Get(context.Background(), "sample", "risks", "r-02")
	if !strings.Contains(string(it.Data), `"approval":{"by":"p-cs-lead","date":"2026-11-01"`) {
		t.Errorf("approval not stored: %s", it.Data)
	}
	saveShot(t, u, "risks")
}

func TestBrokenBundleUpload(t *testing.T) {
	u := start(t)
	before, _ := u.store.Export(context.Background(), "sample")
	bad := filepath.Join(t.TempDir(), "broken.yaml")
	os.WriteFile(bad, []byte(strings.Replace(strings.Replace(string(before), "treatment: modify", "treatment: hope", 1), "model: saas", "model: cloud", 1)), 0o644)
	u.login("manager@example.com")
	u.run("upload", chromedp.Navigate(u.url+"/orgs/sample/import"),
		chromedp.SetUploadFiles(chromedp.ID("bundle"), []string{bad}),
		chromedp.RemoveAttribute(chromedp.CSS("form[enctype] button"), "data-confirm"))
	u.submit("upload", `form[enctype] button`)
	u.run("problems", chromedp.WaitVisible(chromedp.ID("problems")))
	problems := u.text("#problems")
	if !strings.Contains(problems, "treatment") || !strings.Contains(problems, "model") {
		t.Errorf("problems shown: %q", problems)
	}
	after, _ := u.store.Export(context.Background(), "sample")
	if string(before) != string(after) {
		t.Error("a broken upload changed the stored ISMS")
	}
}

func TestXSSRendersAsText(t *testing.T) {
	u := start(t)
	const name = `<script>alert(1)</script>`
	it, _, err := bundle.DecodeItem("risks", "", []byte(`{"id":"r-xss","title":"`+strings.ReplaceAll(name, `"`, `\"`)+`","treatment":"retain","owner":"p-isms"}`), "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := u.store.Put(context.Background(), "sample", it, nil, 0, "attacker"); err != nil {
		t.Fatal(err)
	}
	dialogs := u.acceptDialogs()
	u.login("manager@example.com")
	u.run("risks", chromedp.Navigate(u.url+"/orgs/sample/risks"), chromedp.WaitVisible(chromedp.CSS(`#risk-r-xss`)))
	if got := u.text(`#risk-r-xss .title`); got != name {
		t.Errorf("title shown as %q", got)
	}
	scripts := eval[int](u, `document.querySelectorAll("#risk-r-xss script").length`)
	if *dialogs != 0 || scripts != 0 {
		t.Error("the name was run as script")
	}
}

func TestStaleEditShowsConflict(t *testing.T) {
	u := start(t)
	u.login("manager@example.com")
	u.run("open the row", chromedp.Navigate(u.url+"/orgs/sample/soa?soa=organization#row-5.2"),
		chromedp.Click(chromedp.CSS(`#row-5\.2 a.row-edit`)),
		chromedp.WaitVisible(chromedp.CSS(`#row-5\.2 textarea[name=notes]`)),
		chromedp.SetValue(chromedp.CSS(`#row-5\.2 textarea[name=notes]`), "私の変更"))
	// Someone else saves the same row first.
	ctx := context.Background()
	cur, _ := u.store.Get(ctx, "sample", bundle.KindSoARows, "organization/5.2")
	other, _, err := bundle.DecodeItem(bundle.KindSoARows, cur.Key, []byte(`{"control":"5.2","applicable":true,"reasons":["risk"],"implementation":"implemented","notes":"他の人の変更"}`), "iso27001:2022")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := u.store.Put(ctx, "sample", other, nil, cur.Version, "other@example.com"); err != nil {
		t.Fatal(err)
	}
	u.submit("save the stale form", `#row-5\.2 button[type=submit]`)
	u.run("conflict", chromedp.WaitVisible(chromedp.ID("conflict")))
	c := u.text("#conflict")
	if !strings.Contains(c, "私の変更") || !strings.Contains(c, "他の人の変更") {
		t.Errorf("the conflict does not show both values: %q", c)
	}
	now, _ := u.store.Get(ctx, "sample", bundle.KindSoARows, "organization/5.2")
	if !strings.Contains(string(now.Data), "他の人の変更") {
		t.Error("the stale edit overwrote the other change")
	}
	saveShot(t, u, "soa")
}

// saveShot keeps a screenshot for the README (see shotDir).
func saveShot(t *testing.T, u *ui, name string) {
	buf, err := chromedp.Run(u.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Logf("screenshot %s: %v", name, err)
		return
	}
	if err := os.WriteFile(filepath.Join(shotDir(t), name+".png"), buf, 0o644); err != nil {
		t.Error(err)
	}
}

// shotDir is where README screenshots go: docs/screenshots only when
// CLOUDISMS_README_SHOTS asks for it, else the test's temporary directory,
// so that a test run never changes the source tree.
func shotDir(t *testing.T) string {
	if os.Getenv("CLOUDISMS_README_SHOTS") != "" {
		return filepath.Join("..", "..", "docs", "screenshots")
	}
	return t.TempDir()
}
