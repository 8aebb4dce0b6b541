package web_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/chromedp/chromedp"
	goical "github.com/emersion/go-ical"
)

// readmeShot keeps a screenshot of the page for the README when
// CLOUDISMS_README_SHOTS is set (docs/screenshots), else in the test's
// temporary directory: tests never write into the source tree unasked.
// With a selector, the window is scrolled to it and only the window is
// taken; without, the whole page.
func readmeShot(t *testing.T, u *ui, name, sel string) {
	t.Helper()
	dir := shotDir(t)
	var buf []byte
	var err error
	if sel != "" {
		eval[bool](u, `(document.activeElement.blur(), document.querySelector("`+sel+`").scrollIntoView({block: "start"}), true)`)
		buf, err = chromedp.Run(u.ctx, chromedp.CaptureScreenshot())
	} else {
		eval[bool](u, `(window.scrollTo(0, 0), true)`)
		buf, err = chromedp.Run(u.ctx, chromedp.FullScreenshot(100))
	}
	if err != nil {
		t.Errorf("screenshot %s: %v", name, err)
		return
	}
	if err := os.WriteFile(filepath.Join(dir, name+".png"), buf, 0o644); err != nil {
		t.Error(err)
	}
}

// TestDailyWork follows the daily work in the browser: the ISMS manager
// sees their tasks, comments on a risk mentioning its owner, asks the
// owner for approval and edits the risk with a change note.
func TestDailyWork(t *testing.T) {
	u := start(t)
	u.acceptDialogs()
	u.login("manager@example.com")
	if got := u.text("#my-tasks"); !strings.Contains(got, "マイタスク") {
		t.Errorf("the dashboard's first block: %q", got)
	}
	u.run("tasks page", chromedp.Navigate(u.url+"/orgs/sample/tasks"), chromedp.WaitVisible(chromedp.CSS("#tasks-overdue")))
	if got := u.text("main"); !strings.Contains(got, "マイタスク") || !strings.Contains(got, "リストアテスト") || !strings.Contains(got, "マネジメントレビュー") {
		t.Errorf("the ISMS manager's tasks lack the office's: %q", got)
	}
	readmeShot(t, u, "tasks", "")

	// A comment with a mention, escaped as text.
	u.run("risk r-02", chromedp.Navigate(u.url+"/orgs/sample/items/risks/r-02"), chromedp.WaitVisible(chromedp.ID("comments")))
	u.run("write", chromedp.SendKeys(chromedp.ID("comment-body"), "@cs 責任分担表の掲載先を確認してください <b>至急</b>"))
	u.submit("post the comment", `.comment-form button[type=submit]`)
	body := u.text(".comment-body")
	if !strings.Contains(body, "<b>至急</b>") {
		t.Errorf("the comment is not shown as text: %q", body)
	}
	if n := eval[int](u, `document.querySelectorAll(".comment-body b").length`); n != 0 {
		t.Error("the comment's markup was rendered")
	}
	// Ask the owner to approve again.
	u.run("request", chromedp.SetValue(chromedp.ID("request-due"), "2026-11-20"),
		chromedp.SendKeys(chromedp.ID("request-note"), "対応計画を更新しました"))
	u.submit("request approval", `.request-form button[type=submit]`)
	if f := u.text(".flash"); !strings.Contains(f, "承認を依頼しました") {
		t.Errorf("after the request: %q", f)
	}
	readmeShot(t, u, "comments", "#approval-request")
	// An edit with its reason, shown in the history.
	u.run("note", chromedp.SendKeys(chromedp.ID("change-note"), "カスタマ向け説明資料の改訂に合わせて"))
	eval[bool](u, `(document.querySelector("#f-title").value += "（改訂）", true)`)
	u.submit("save with a note", `.item-form .actions:last-of-type button[type=submit]`)
	u.run("history", chromedp.Navigate(u.url+"/orgs/sample/history/risks/r-02"), chromedp.WaitVisible(chromedp.CSS(".history")))
	if got := u.text(".history .change"); !strings.Contains(got, "カスタマ向け説明資料の改訂に合わせて") {
		t.Errorf("the history does not show the note: %q", got)
	}

}

// TestOwnerTasksAndCalendar: the owner of r-02, mentioned and asked for
// approval, finds both in their tasks, follows the link to the comment,
// and subscribes to their calendar.
func TestOwnerTasksAndCalendar(t *testing.T) {
	u := start(t)
	u.acceptDialogs()
	ctx := context.Background()
	manager, err := u.store.UserByEmail(ctx, "manager@example.com")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := u.store.AddComment(ctx, "sample", "risks", "r-02", manager, "@cs 責任分担表の掲載先を確認してください"); err != nil {
		t.Fatal(err)
	}
	if _, err := u.store.RequestApproval(ctx, "sample", "risks", "r-02", "p-cs-lead", manager, "対応計画を更新しました", "2026-11-20"); err != nil {
		t.Fatal(err)
	}
	u.login("cs@example.com")
	u.run("owner's tasks", chromedp.Navigate(u.url+"/orgs/sample/tasks"), chromedp.WaitVisible(chromedp.CSS(".notifications")))
	if got := u.text(".notifications"); !strings.Contains(got, "言及しました") || !strings.Contains(got, "承認を依頼されました") {
		t.Errorf("the owner's notifications: %q", got)
	}
	if got := u.text("#tasks-soon"); !strings.Contains(got, "承認の依頼") || !strings.Contains(got, "manager@example.com") {
		t.Errorf("the request is not among the owner's tasks due soon: %q", got)
	}
	u.submit("follow the mention", `.notification[data-kind=mention] a`)
	if loc := eval[string](u, `location.hash`); !strings.HasPrefix(loc, "#comment-") {
		t.Errorf("the mention's link does not lead to the comment: %q", loc)
	}

	// Subscribe: make the URL, copy it, fetch it as a calendar would.
	u.run("reminders", chromedp.Navigate(u.url+"/orgs/sample/reminders"), chromedp.WaitVisible(chromedp.ID("feed-make")))
	u.submit("make the calendar URL", "#feed-make")
	u.run("copy", chromedp.Click(chromedp.CSS("[data-copy]")))
	feedURL := eval[string](u, `document.getElementById("feed-url").value`)
	if !strings.HasPrefix(feedURL, u.url+"/calendar/cal_") || !strings.HasSuffix(feedURL, ".ics") {
		t.Fatalf("feed URL %q", feedURL)
	}
	readmeShot(t, u, "reminders", "")
	res, err := http.Get(feedURL)
	if err != nil {
		t.Fatal(err)
	}
	feed, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/calendar") {
		t.Fatalf("feed: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	events := checkFeed(t, feed)
	var summaries []string
	for _, e := range events {
		s, _ := e.Props.Text(goical.PropSummary)
		summaries = append(summaries, s)
	}
	joined := strings.Join(summaries, "\n")
	if !strings.Contains(joined, "[承認の依頼]") || !strings.Contains(joined, "[リスクの再評価]") {
		t.Errorf("feed events: %q", joined)
	}
	// Revoked, the URL opens nothing.
	u.run("back", chromedp.Navigate(u.url+"/orgs/sample/reminders"), chromedp.WaitVisible(chromedp.ID("feed-revoke")))
	u.submit("revoke", "#feed-revoke")
	if res, err := http.Get(feedURL); err != nil || res.StatusCode != 404 {
		t.Errorf("a revoked feed: %v %v", res.StatusCode, err)
	}
}

// checkFeed validates a served feed's octets (CRLF, lines of at most 75
// octets that never split a character) and decodes it with an independent
// parser.
func checkFeed(t *testing.T, feed []byte) []goical.Event {
	t.Helper()
	for i, l := range bytes.Split(bytes.TrimSuffix(feed, []byte("\r\n")), []byte("\r\n")) {
		if len(l) > 75 || !utf8.Valid(l) || bytes.ContainsAny(l, "\r\n") {
			t.Errorf("feed line %d is not a folded content line: %q", i+1, l)
		}
	}
	cal, err := goical.NewDecoder(bytes.NewReader(feed)).Decode()
	if err != nil {
		t.Fatalf("feed does not decode: %v\n%s", err, feed)
	}
	for _, e := range cal.Events() {
		if e.Props.Get(goical.PropUID) == nil || e.Props.Get(goical.PropDateTimeStamp) == nil ||
			e.Props.Get(goical.PropDateTimeStart).Params.Get(goical.ParamValue) != "DATE" {
			t.Errorf("event without UID, DTSTAMP or an all-day DTSTART: %+v", e.Props)
		}
	}
	return cal.Events()
}

// TestTrendsPage draws the trends from the history and the dashboard's
// last 12 months once they are known.
func TestTrendsPage(t *testing.T) {
	u := start(t)
	u.login("manager@example.com")
	u.run("trends", chromedp.Navigate(u.url+"/orgs/sample/trends"), chromedp.WaitVisible(chromedp.ID("trend-soa")))
	if n := eval[int](u, `document.querySelectorAll("#trend-findings-section svg rect[class^=t-], #trend-findings-section svg text.total").length`); n < 12 {
		t.Errorf("the findings chart has %d bars and totals, want one total per month", n)
	}
	if got := u.text("#trend-soa"); !strings.Contains(got, "組織") || !strings.Contains(got, "%") {
		t.Errorf("SoA progress: %q", got)
	}
	// The sample was imported just now: the history has no earlier
	// state, so the page says so and shows today's maps only.
	if n := eval[int](u, `document.querySelectorAll("#trend-heat figure.heatmap").length`); n != 2 || !strings.Contains(u.text("#trend-heat"), "変更履歴がない") {
		t.Errorf("%d heat maps: %q", n, u.text("#trend-heat"))
	}
	readmeShot(t, u, "trends", "")
	u.run("bad period", chromedp.Navigate(u.url+"/orgs/sample/trends?months=99"), chromedp.WaitVisible(chromedp.CSS(".error-summary")))
	// Computed once, the dashboard shows the last 12 months at once.
	u.run("dashboard", chromedp.Navigate(u.url+"/orgs/sample/"), chromedp.WaitVisible(chromedp.ID("dash-trends")))
	if n := eval[int](u, `document.querySelectorAll("#dash-trends svg").length`); n != 1 {
		t.Errorf("the dashboard does not draw the trend: %q", u.text("#dash-trends"))
	}
}
