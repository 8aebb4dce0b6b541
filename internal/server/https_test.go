package server_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/cloudisms/cloudisms/internal/server"
	"github.com/cloudisms/cloudisms/internal/store"
)

// TestSecureCookieBehindTrustedProxy is item 12: the session cookie was
// never Secure. It is Secure, with Strict-Transport-Security, when a
// trusted proxy says the client used HTTPS, and not when an untrusted
// client says so or when the proxy says http.
func TestSecureCookieBehindTrustedProxy(t *testing.T) {
	s, err := store.Open(context.Background(), "", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.CreateUser(context.Background(), "a@example.com", "A", "ja", "correct horse battery"); err != nil {
		t.Fatal(err)
	}
	h, err := server.Handler(s, slog.New(slog.NewTextHandler(io.Discard, nil)), time.Now)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name    string
		trusted string // the proxies trusted ("" none)
		proto   string
		secure  bool
	}{
		{"trusted proxy says https", "127.0.0.1", "https", true},
		{"trusted proxy says http", "127.0.0.1", "http", false},
		{"untrusted client says https", "", "https", false},
		{"proxy trusted elsewhere", "10.0.0.1", "https", false},
	} {
		t.Run(c.name, func(t *testing.T) {
			hh := h
			if c.trusted != "" {
				p, err := server.ParseTrustedProxy("X-Forwarded-For", c.trusted)
				if err != nil {
					t.Fatal(err)
				}
				hh = p.Wrap(h)
			}
			srv := httptest.NewServer(hh)
			defer srv.Close()
			req, _ := http.NewRequest("POST", srv.URL+"/api/v1/session", strings.NewReader(`{"email":"a@example.com","password":"correct horse battery"}`))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("X-Forwarded-Proto", c.proto)
			req.Header.Set("X-Forwarded-For", "203.0.113.9")
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			var cookie *http.Cookie
			for _, ck := range res.Cookies() {
				if ck.Name == "cloudisms_session" {
					cookie = ck
				}
			}
			if res.StatusCode != http.StatusOK || cookie == nil {
				t.Fatalf("login: %d, cookie %v", res.StatusCode, cookie)
			}
			if cookie.Secure != c.secure {
				t.Errorf("cookie Secure %v, want %v", cookie.Secure, c.secure)
			}
			if hsts := res.Header.Get("Strict-Transport-Security"); (hsts != "") != c.secure {
				t.Errorf("Strict-Transport-Security %q", hsts)
			}
		})
	}
}
