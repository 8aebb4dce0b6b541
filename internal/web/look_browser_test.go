package web_test

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/cloudisms/cloudisms/internal/bundle"
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
	{"risks-search", "/orgs/sample/risks?q=%E3%83%90%E3%83%83%E3%82%AF%E3%82%A2%E3%83%83%E3%83%97&level=over"},
	{"criteria-history", "/orgs/sample/history/risk_criteria/risk_criteria"},
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
	{"error-no-org", "/orgs/no-such-org/"},
	{"no-match", "/orgs/sample/items/documents?q=zzz"},
	{"soa-filtered", "/orgs/sample/soa?state=planned"},
	{"soa-finding", "/orgs/sample/soa#row-5.11"},
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
	breakRows(t, u)
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
	// The members page as an administrator sees it.
	ctx := context.Background()
	acc, err := u.store.CreateUser(ctx, "admin@example.com", "admin@example.com", lang, password)
	if err != nil {
		t.Fatal(err)
	}
	if err := u.store.AddMember(ctx, "sample", acc.ID, "admin", ""); err != nil {
		t.Fatal(err)
	}
	u.submit("log out", `form[action="/logout"] button`)
	u.login("admin@example.com")
	u.run("members", chromedp.Navigate(u.url+"/orgs/sample/members"), chromedp.WaitVisible(chromedp.CSS("main h1")))
	keep(t, u, dir, "members-admin", lang, width)
	if lang != "ja" || width != 1400 {
		return
	}
	// Keyboard focus on a link, a button and a field of a form.
	u.run("form", chromedp.Navigate(u.url+"/orgs/sample/items/assets/a-01"), chromedp.WaitVisible(chromedp.ID("f-name")))
	for _, sel := range []string{`nav.side a[aria-current]`, `.top-actions button`, `#f-name`} {
		u.run("focus "+sel, chromedp.Focus(chromedp.CSS(sel)))
		keep(t, u, dir, "focus-"+strings.Trim(strings.NewReplacer("[", "-", "]", "", " ", "-", ".", "", "#", "").Replace(sel), "-"), lang, width)
	}
	if _, err := chromedp.Call(u.ctx, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{Media: "print"}); err != nil {
		t.Fatal(err)
	}
	for _, p := range lookPages[:9] {
		u.run(p.name, chromedp.Navigate(u.url+p.path), chromedp.WaitVisible(chromedp.CSS("main h1")))
		keep(t, u, dir, "print-"+p.name, lang, width)
		// And as the browser prints it on A4, for pdftoppm to show.
		yes := true
		pdf, err := chromedp.Call(u.ctx, page.PrintToPDF, page.PrintToPDFParams{PreferCSSPageSize: &yes, PrintBackground: &yes})
		if err != nil {
			t.Fatalf("print %s: %v", p.name, err)
		}
		os.WriteFile(filepath.Join(dir, "print-"+p.name+".pdf"), pdf.Data, 0o644)
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

// An item form showing a validation error beside its field, and the risk
// register on a tablet, kept as screenshots for the README.
func TestBrowserFormAndTabletScreenshots(t *testing.T) {
	u := start(t)
	u.login("manager@example.com")
	u.run("new asset form", chromedp.Navigate(u.url+"/orgs/sample/items/assets/new"), chromedp.WaitVisible(chromedp.ID("f-id")))
	u.run("fill in the form",
		chromedp.SendKeys(chromedp.ID("f-id"), "a-01"),
		chromedp.SendKeys(chromedp.ID("f-name"), "委託先との共有フォルダ"),
		chromedp.SetValue(chromedp.ID("f-kind"), "information"),
		chromedp.SetValue(chromedp.ID("f-owner"), "p-isms"),
		chromedp.SetValue(chromedp.ID("f-confidentiality"), "3"),
		chromedp.SetValue(chromedp.ID("f-integrity"), "2"),
	)
	u.submit("save with an id already taken", `.top-actions button`)
	u.run("error beside the field", chromedp.WaitVisible(chromedp.ID("f-id-err")))
	// The error is drawn in the error colour, beside the field it is about.
	if c := eval[string](u, `getComputedStyle(document.getElementById("f-id-err")).color`); c != "rgb(180, 35, 24)" {
		t.Errorf("the error beside the field is drawn in %s", c)
	}
	saveView(t, u, "asset-form", 1280, 900, "#f-id-err")

	// The SoA of a service as a provider: its 27017 rows beside their base.
	u.run("service SoA", chromedp.Navigate(u.url+"/orgs/sample/soa?soa=svc-kintai:provider"), chromedp.WaitVisible(chromedp.CSS("table.soa")))
	saveView(t, u, "soa-service", 1280, 1000, "table.soa tr.cloud")

	// A link to a row (as from a finding) shows the row below the sticky
	// table header, not under it.
	u.run("row link", chromedp.Navigate(u.url+"/orgs/sample/soa#row-5.20"), chromedp.WaitVisible(chromedp.CSS(`#row-5\.20`)))
	// Wait until the browser has scrolled to the row.
	pos := `new Promise(ok => { const go = () => { const r = document.getElementById("row-5.20").getBoundingClientRect().top;
		if (window.scrollY > 0 && r < 300) ok([r, document.querySelector("table.soa thead th").getBoundingClientRect().bottom]); else setTimeout(go, 50); }; go(); })`
	at := eval[[]float64](u, pos)
	t.Logf("linked row at %.0f px, header bottom at %.0f px", at[0], at[1])
	if at[0] < at[1]-1 {
		t.Errorf("the linked SoA row (top %.0f px) is hidden under the table header (bottom %.0f px)", at[0], at[1])
	}

	u.run("tablet width", chromedp.EmulateViewport(800, 1000))
	u.run("risk register", chromedp.Navigate(u.url+"/orgs/sample/risks"), chromedp.WaitVisible(chromedp.CSS("table.risks")))
	// On a tablet the page itself never scrolls sideways: a wide table
	// scrolls inside its own container.
	if wide := eval[bool](u, `document.documentElement.scrollWidth > window.innerWidth`); wide {
		t.Error("the risk register makes the whole page scroll sideways on a tablet")
	}
	if v := eval[string](u, `getComputedStyle(document.querySelector(".table-scroll")).overflowX`); v != "auto" {
		t.Errorf("the table container does not scroll: overflow-x %s", v)
	}
	saveView(t, u, "tablet-risks", 800, 1100, "")
}

// saveView keeps what the browser window shows, scrolled to sel when given,
// as a README screenshot.
func saveView(t *testing.T, u *ui, name string, width, height int64, sel string) {
	t.Helper()
	u.run("size", chromedp.EmulateViewport(width, height))
	if sel != "" {
		eval[bool](u, `(document.activeElement.blur(), document.querySelector("`+sel+`").scrollIntoView({block: "center"}), true)`)
	} else {
		eval[bool](u, `(window.scrollTo(0, 0), true)`)
	}
	buf, err := chromedp.Run(u.ctx, chromedp.CaptureScreenshot())
	if err != nil {
		t.Errorf("screenshot %s: %v", name, err)
		return
	}
	if err := os.WriteFile(filepath.Join(shotDir(t), name+".png"), buf, 0o644); err != nil {
		t.Error(err)
	}
}

// breakRows gives the sample organization a few findings, so that the
// review sees how findings look on the dashboard and the SoA.
func breakRows(t *testing.T, u *ui) {
	ctx := context.Background()
	for control, data := range map[string]string{
		"5.10": `{"control":"5.10","applicable":true,"implementation":"implemented"}`,
		"5.11": `{"control":"5.11","applicable":false}`,
		"8.12": `{"control":"8.12","applicable":true,"reasons":["risk"],"implementation":"planned"}`,
	} {
		it, err := u.store.Get(ctx, "sample", bundle.KindSoARows, "organization/"+control)
		if err != nil {
			t.Fatal(err)
		}
		broken, _, err := bundle.DecodeItem(bundle.KindSoARows, it.Key, []byte(data), "iso27001:2022")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := u.store.Put(ctx, "sample", broken, nil, it.Version, "review"); err != nil {
			t.Fatal(err)
		}
	}
}
