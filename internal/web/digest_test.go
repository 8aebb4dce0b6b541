package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/cloudisms/cloudisms/internal/mail"
	"github.com/cloudisms/cloudisms/internal/mail/mailtest"
	"github.com/cloudisms/cloudisms/internal/store"
	"github.com/cloudisms/cloudisms/internal/store/storetest"
	"github.com/cloudisms/cloudisms/internal/web"
	"github.com/cloudisms/cloudisms/internal/web/daily"
)

// The daily digest goes, through a real SMTP server, once a day to each
// member who keeps it on, listing what is overdue, due soon and waiting,
// with links to each; a second run the same day (another instance, say)
// sends nothing; a member who turned it off gets none. An approval
// request mails the approver.
func TestDigestAndRequestMailed(t *testing.T) {
	srv := mailtest.Start(t)
	st := newSite(t, storetest.Backends(t)[0])
	ctx := context.Background()
	app := st.h.(*web.App)
	app.Mail, app.BaseURL = mail.Config{Addr: srv.SMTP, From: "cloudisms <isms@example.jp>"}, "https://isms.example.jp"
	viewer := st.users["viewer@example.com"]
	if err := st.s.SetReminders(ctx, viewer.ID, store.ReminderSettings{Digest: false, Days: 7}); err != nil {
		t.Fatal(err)
	}
	// The manager looks 90 days ahead (the sample has little due sooner).
	if err := st.s.SetReminders(ctx, st.users["manager@example.com"].ID, store.ReminderSettings{Digest: true, Days: store.MaxReminderDays}); err != nil {
		t.Fatal(err)
	}
	morning := testNow.Add(2 * time.Hour)
	n, err := daily.SendDigests(ctx, app, "instance-a", morning)
	if err != nil || n == 0 {
		t.Fatalf("digests: %d %v", n, err)
	}
	if again, err := daily.SendDigests(ctx, app, "instance-b", morning); err != nil || again != 0 {
		t.Errorf("a second run the same day sent %d (%v)", again, err)
	}
	got := srv.Messages(t, n)
	if len(got) != n {
		t.Fatalf("%d digests sent, %d received", n, len(got))
	}
	var manager *mailtest.Message
	for i, m := range got {
		if m.To[0] == "viewer@example.com" {
			t.Error("a member who turned the digest off got one")
		}
		if m.To[0] == "manager@example.com" {
			manager = &got[i]
		}
	}
	if manager == nil || !strings.Contains(manager.Subject, "タスク") {
		t.Fatalf("no digest for the ISMS manager among %+v", got)
	}
	links := regexp.MustCompile(`https://isms\.example\.jp(/orgs/sample/[^\s]*)`).FindAllStringSubmatch(manager.Text, -1)
	if len(links) == 0 {
		t.Fatalf("the digest links nothing:\n%s", manager.Text)
	}
	for _, l := range links {
		if code, _, _ := st.do("manager@example.com", "GET", l[1], nil); code != http.StatusOK {
			t.Errorf("the digest's link %s: %d", l[1], code)
		}
	}
	// An approval request mails the approver (the CEO approves policies).
	form := url.Values{"person": {"p-ceo"}, "note": {"方針の改訂をご確認ください"}}
	if code, _, _ := st.do("manager@example.com", "POST", "/orgs/sample/approval-requests/documents/doc-pol-001", form); code != http.StatusSeeOther {
		t.Fatalf("request approval: %d", code)
	}
	var req *mailtest.Message
	for _, m := range srv.Messages(t, n+1) {
		if m.To[0] == "ceo@example.com" && strings.Contains(m.Subject, "承認") {
			req = &m
		}
	}
	if req == nil || !strings.Contains(req.Text, "方針の改訂をご確認ください") || !strings.Contains(req.Text, "https://isms.example.jp/orgs/sample/items/documents/doc-pol-001") {
		t.Fatalf("no approval request mail to the CEO: %+v", req)
	}
	if !strings.Contains(req.Subject, "情報セキュリティ基本方針") || strings.Contains(req.Subject, "doc-pol-001") {
		t.Errorf("the request names the document by its id, not its title: %q", req.Subject)
	}
}

// In a browser: the digest arrives, and its link opens the task's page.
func TestBrowserDigestLink(t *testing.T) {
	srv := mailtest.Start(t)
	u := start(t)
	u.app.Mail, u.app.BaseURL = mail.Config{Addr: srv.SMTP, From: "isms@example.jp"}, u.url
	u.login("manager@example.com")
	acc, err := u.store.UserByEmail(context.Background(), "manager@example.com")
	if err != nil {
		t.Fatal(err)
	}
	if err := u.store.SetReminders(context.Background(), acc.ID, store.ReminderSettings{Digest: true, Days: store.MaxReminderDays}); err != nil {
		t.Fatal(err)
	}
	if _, err := daily.SendDigests(context.Background(), u.app, "browser", time.Date(2026, 11, 1, 1, 0, 0, 0, time.UTC)); err != nil {
		t.Fatal(err)
	}
	var link string
	for _, m := range srv.Messages(t, 1) {
		if m.To[0] == "manager@example.com" {
			link = regexp.MustCompile(regexp.QuoteMeta(u.url) + `/orgs/sample/[^\s]+`).FindString(m.Text)
		}
	}
	if link == "" {
		t.Fatal("no digest with a link for the manager")
	}
	u.run("open the digest's link", chromedp.Navigate(link), chromedp.WaitVisible(chromedp.CSS("main h1")))
	if path := eval[string](u, `location.pathname`); !strings.HasPrefix(link, u.url+path) {
		t.Errorf("the link %s led to %s", link, path)
	}
}
