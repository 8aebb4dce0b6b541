package mail_test

import (
	"context"
	"strings"
	"testing"

	"github.com/cloudisms/cloudisms/internal/mail"
	"github.com/cloudisms/cloudisms/internal/mail/mailtest"
)

// A message goes through a real SMTP server and arrives as sent, Japanese
// subject and text included.
func TestSendThroughMailpit(t *testing.T) {
	srv := mailtest.Start(t)
	c := mail.Config{Addr: srv.SMTP, From: "cloudisms <isms@example.jp>"}
	if err := c.Check(); err != nil {
		t.Fatal(err)
	}
	err := c.Send(context.Background(), mail.Message{To: []string{"yamada@example.jp"}, Subject: "招待：サンプル株式会社の ISMS",
		Text: "山田 太郎 様\n\n次のリンクから参加してください。\nhttps://isms.example.jp/invitations/abc\n"})
	if err != nil {
		t.Fatal(err)
	}
	got := srv.Messages(t, 1)
	if len(got) != 1 || got[0].Subject != "招待：サンプル株式会社の ISMS" || len(got[0].To) != 1 || got[0].To[0] != "yamada@example.jp" {
		t.Fatalf("received %+v", got)
	}
	if !strings.Contains(got[0].Text, "https://isms.example.jp/invitations/abc") || !strings.Contains(got[0].Text, "山田 太郎 様") {
		t.Errorf("text: %q", got[0].Text)
	}
}

// What cannot be sent says why, and nothing is sent.
func TestSendRefuses(t *testing.T) {
	ctx := context.Background()
	if err := (mail.Config{}).Send(ctx, mail.Message{To: []string{"a@example.jp"}}); err != mail.ErrDisabled {
		t.Errorf("no server: %v", err)
	}
	c := mail.Config{Addr: "127.0.0.1:1", From: "isms@example.jp"}
	for _, m := range []mail.Message{
		{To: []string{"a@example.jp"}, Subject: "x\r\nBcc: victim@example.jp"},
		{To: []string{"not an address"}, Subject: "x"},
		{Subject: "no recipient"},
	} {
		if err := c.Send(ctx, m); err == nil || strings.Contains(err.Error(), "connect") {
			t.Errorf("%+v: %v, want a refusal before connecting", m, err)
		}
	}
	for _, bad := range []mail.Config{{Addr: "no-port", From: "isms@example.jp"}, {Addr: "127.0.0.1:25", From: "not an address"}} {
		if err := bad.Check(); err == nil {
			t.Errorf("%+v passed the check", bad)
		}
	}
}
