package web_test

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// lookPages are the pages of a visual review, by screenshot name.
var lookPages = []struct{ name, path string }{
	{"dashboard", "/orgs/sample/"},
	{"scope", "/orgs/sample/scope"},
	{"assets", "/orgs/sample/items/assets"},
	{"asset-form", "/orgs/sample/items/assets/a-01"},
	{"asset-new", "/orgs/sample/items/assets/new"},
	{"criteria", "/orgs/sample/criteria"},
	{"risks", "/orgs/sample/risks"},
	{"risk-form", "/orgs/sample/items/risks/r-01"},
	{"soa", "/orgs/sample/soa"},
	{"soa-service", "/orgs/sample/soa?soa=svc-kintai:provider"},
	{"responsibilities", "/orgs/sample/responsibilities"},
	{"verifications", "/orgs/sample/verifications"},
	{"legal", "/orgs/sample/items/legal"},
	{"backups", "/orgs/sample/items/backups"},
	{"monitoring", "/orgs/sample/items/monitoring"},
	{"documents", "/orgs/sample/items/documents"},
	{"audits", "/orgs/sample/audits"},
	{"reviews", "/orgs/sample/reviews"},
	{"review-new", "/orgs/sample/reviews/new"},
	{"members", "/orgs/sample/members"},
	{"account", "/orgs/sample/account"},
	{"import", "/orgs/sample/import"},
	{"history", "/orgs/sample/history/assets/a-01"},
	{"error", "/orgs/sample/items/assets/no-such-asset"},
}

// TestLookScreens takes a screenshot of every page at desktop and tablet
// width, in Japanese and English, into the folder CLOUDISMS_LOOK_SHOTS
// names: a visual review, not a check, so it runs only when asked.
func TestLookScreens(t *testing.T) {
	dir := os.Getenv("CLOUDISMS_LOOK_SHOTS")
	if dir == "" {
		t.Skip("set CLOUDISMS_LOOK_SHOTS to a folder to take the review screenshots")
	}
	only := os.Getenv("CLOUDISMS_LOOK_ONLY")
	for _, width := range []int64{1400, 800} {
		for _, lang := range []string{"ja", "en"} {
			t.Run(lang+"-"+strconv.FormatInt(width, 10), func(t *testing.T) {
				lookAt(t, dir, only, width, lang)
			})
		}
	}
}

// lookAt takes the screenshots of one width and language, with a browser
// of its own so that each set has the browser tests' whole time limit.
func lookAt(t *testing.T, dir, only string, width int64, lang string) {
	u := start(t)
	if _, err := chromedp.Run(u.ctx, chromedp.EmulateViewport(width, 1100)); err != nil {
		t.Fatal(err)
	}
	if lang == "ja" {
		u.run("login page", chromedp.Navigate(u.url+"/login"), chromedp.WaitVisible(chromedp.CSS("main h1")))
		keep(t, u, dir, "login", lang, width)
	}
	u.login("manager@example.com")
	if lang == "en" {
		u.submit("switch language", `form[action="/lang"] button`)
	}
	for _, p := range lookPages {
		if only != "" && !strings.Contains(","+only+",", ","+p.name+",") {
			continue
		}
		u.run(p.name, chromedp.Navigate(u.url+p.path), chromedp.WaitVisible(chromedp.CSS("main h1")))
		keep(t, u, dir, p.name, lang, width)
	}
	if lang != "ja" || width != 1400 {
		return
	}
	if _, err := chromedp.Call(u.ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: "print"}); err != nil {
		t.Fatal(err)
	}
	for _, p := range lookPages[:9] {
		u.run(p.name, chromedp.Navigate(u.url+p.path), chromedp.WaitVisible(chromedp.CSS("main h1")))
		keep(t, u, dir, "print-"+p.name, lang, width)
	}
}

func keep(t *testing.T, u *ui, dir, name, lang string, width int64) {
	shot := chromedp.CaptureScreenshot()
	if os.Getenv("CLOUDISMS_LOOK_FULL") != "" {
		shot = chromedp.FullScreenshot(100)
	}
	buf, err := chromedp.Run(u.ctx, shot)
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	os.MkdirAll(dir, 0o755)
	p := filepath.Join(dir, name+"-"+lang+"-"+strconv.FormatInt(width, 10)+".png")
	if err := os.WriteFile(p, buf, 0o644); err != nil {
		t.Fatal(err)
	}
}
