package server_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/cloudisms/cloudisms/internal/api"
	"github.com/cloudisms/cloudisms/internal/bundle"
	"github.com/cloudisms/cloudisms/internal/server"
	"github.com/cloudisms/cloudisms/internal/store"
)

// FuzzInvitationForm sends the members page's invitation form with any
// email, role, person and action as an organization admin, and the
// invitation page any token: the server answers a page (never 500), no
// form makes a member without the invited person accepting, and no
// invitation page accepts a token it did not issue.
func FuzzInvitationForm(f *testing.F) {
	for _, s := range [][4]string{
		{"add", "new@example.com", "viewer", ""}, {"add", "new@example.com", "admin", "p-isms"},
		{"add", "not an email", "viewer", ""}, {"add", "a@example.com\r\nBcc: x@example.com", "viewer", ""},
		{"add", "x@example.com", "owner", ""}, {"add", "x@example.com", "viewer", "no-such-person"},
		{"uninvite", "1", "", ""}, {"add", strings.Repeat("a", 5000) + "@example.com", "viewer", strings.Repeat("p", 3000)},
		{"add", "<script>alert(1)</script>@example.com", "viewer", "\"><script>"},
	} {
		f.Add(s[0], s[1], s[2], s[3])
	}
	ctx := context.Background()
	s, err := store.Open(ctx, "", f.TempDir())
	if err != nil {
		f.Fatal(err)
	}
	defer s.Close()
	src, err := os.ReadFile("../../examples/sample-saas.yaml")
	if err != nil {
		f.Fatal(err)
	}
	m, err := bundle.Decode("sample-saas.yaml", src)
	if err != nil {
		f.Fatal(err)
	}
	if _, err := s.Import(ctx, "sample", m, "setup"); err != nil {
		f.Fatal(err)
	}
	admin, err := s.CreateUser(ctx, "admin@example.com", "Admin", "ja", "correct horse battery")
	if err != nil {
		f.Fatal(err)
	}
	if err := s.AddMember(ctx, "sample", admin.ID, "admin", "p-isms"); err != nil {
		f.Fatal(err)
	}
	session, err := s.CreateSession(ctx, admin.ID, time.Hour)
	if err != nil {
		f.Fatal(err)
	}
	h, err := server.Handler(s, slog.New(slog.NewTextHandler(io.Discard, nil)), time.Now)
	if err != nil {
		f.Fatal(err)
	}
	members := func(t *testing.T) int {
		ms, err := s.Members(ctx, "sample")
		if err != nil {
			t.Fatal(err)
		}
		return len(ms)
	}
	before := 1
	f.Fuzz(func(t *testing.T, action, email, role, person string) {
		form := url.Values{"action": {action}, "email": {email}, "role": {role}, "person": {person}, "invitation": {email}}
		req := httptest.NewRequest("POST", "/orgs/sample/members", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.AddCookie(&http.Cookie{Name: api.SessionCookie, Value: session})
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code >= 500 {
			t.Fatalf("status %d for %q %q %q %q: %.300s", w.Code, action, email, role, person, w.Body.String())
		}
		if n := members(t); n != before {
			t.Fatalf("the form made %d members without an acceptance (%q %q)", n, action, email)
		}
		// Any token: the invitation page answers a page, never a join.
		tok := url.PathEscape(email)
		if tok == "" {
			tok = "x"
		}
		req = httptest.NewRequest("GET", "/invitations/"+tok, nil)
		w = httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code >= 500 || w.Code == http.StatusOK && strings.Contains(w.Body.String(), `name="password"`) {
			t.Fatalf("the invitation page took a token it did not issue (%d)", w.Code)
		}
	})
}
