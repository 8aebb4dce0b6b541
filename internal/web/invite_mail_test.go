package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/cloudisms/cloudisms/internal/mail"
	"github.com/cloudisms/cloudisms/internal/mail/mailtest"
	"github.com/cloudisms/cloudisms/internal/store/storetest"
	"github.com/cloudisms/cloudisms/internal/web"
)

// With SMTP configured, an invitation is mailed to the invited address
// through a real SMTP server; the mailed link, on the configured public
// address, opens the invitation. A server that refuses the mail leaves
// the invitation standing and tells the admin to pass the link on.
func TestInvitationMailed(t *testing.T) {
	srv := mailtest.Start(t)
	st := newSite(t, storetest.Backends(t)[0])
	app := st.h.(*web.App)
	app.Mail, app.BaseURL = mail.Config{Addr: srv.SMTP, From: "cloudisms <isms@example.jp>"}, "https://isms.example.jp"
	form := url.Values{"action": {"add"}, "email": {"suzuki@example.jp"}, "role": {"viewer"}}
	code, body, _ := st.do("admin@example.com", "POST", "/orgs/sample/members", form)
	if code != http.StatusOK || !strings.Contains(body, `id="invite-mailed"`) {
		t.Fatalf("invite: %d, no mailed notice", code)
	}
	got := srv.Messages(t, 1)
	if len(got) != 1 || len(got[0].To) != 1 || got[0].To[0] != "suzuki@example.jp" || !strings.Contains(got[0].Subject, "招待") {
		t.Fatalf("received %+v", got)
	}
	link := regexp.MustCompile(`https://isms\.example\.jp(/invitations/[A-Za-z0-9_%-]+)`).FindStringSubmatch(got[0].Text)
	if link == nil {
		t.Fatalf("no invitation link on the public address in:\n%s", got[0].Text)
	}
	if page := st.get("", link[1]); !strings.Contains(page, "suzuki@example.jp") {
		t.Error("the mailed link does not open the invitation")
	}
	// The SMTP server is gone: the invitation stands, the admin is told.
	app.Mail = mail.Config{Addr: "127.0.0.1:1", From: "isms@example.jp"}
	form.Set("email", "sato@example.jp")
	code, body, _ = st.do("admin@example.com", "POST", "/orgs/sample/members", form)
	if code != http.StatusOK || !strings.Contains(body, `id="invite-mail-failed"`) || !strings.Contains(body, "/invitations/") {
		t.Fatalf("a refused mail: %d", code)
	}
}
