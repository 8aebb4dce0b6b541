package server_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/cloudisms/cloudisms/internal/server"
	"github.com/cloudisms/cloudisms/internal/store"
)

// FuzzLoginForm posts the sign-in form with any email, password and next
// (the right password among the seeds): the server answers a documented
// status only (303 after signing in, 400, 401, 429 or 503 with
// Retry-After), a redirect leads only to a path of this site, and nothing
// sent comes back as markup.
func FuzzLoginForm(f *testing.F) {
	const email, pass = "a@example.com", "correct horse battery"
	for _, s := range [][3]string{
		{email, pass, "/orgs/x"}, {email, pass, "/\t/evil.example"}, {email, pass, "//evil.example"}, {email, pass, "/\\evil.example"},
		{email, "wrong", "/"}, {"nobody@example.com", "x", "https://evil.example"}, {"<script>", "</p><script>", "\"><script>alert(1)</script>"},
		{strings.Repeat("a", 5000) + "@example.com", strings.Repeat("p", 5000), strings.Repeat("/", 3000)},
	} {
		f.Add(s[0], s[1], s[2])
	}
	s, err := store.Open(context.Background(), "", f.TempDir())
	if err != nil {
		f.Fatal(err)
	}
	defer s.Close()
	if _, err := s.CreateUser(context.Background(), email, "A", "ja", pass); err != nil {
		f.Fatal(err)
	}
	h, err := server.Handler(s, slog.New(slog.NewTextHandler(io.Discard, nil)), time.Now)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, email, password, next string) {
		form := url.Values{"email": {email}, "password": {password}, "next": {next}}
		req := httptest.NewRequest("POST", "/login", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		body := w.Body.String()
		switch w.Code {
		case http.StatusSeeOther:
			loc := w.Header().Get("Location")
			if !strings.HasPrefix(loc, "/") || strings.HasPrefix(loc, "//") || strings.ContainsAny(loc, "\\\t\r\n") {
				t.Fatalf("signed in and sent to %q (next %q)", loc, next)
			}
		case http.StatusBadRequest, http.StatusUnauthorized:
		case http.StatusTooManyRequests, http.StatusServiceUnavailable:
			if w.Header().Get("Retry-After") == "" {
				t.Fatalf("%d without Retry-After", w.Code)
			}
		default:
			t.Fatalf("status %d for %q / %q / %q: %.300s", w.Code, email, password, next, body)
		}
		for _, v := range []string{email, password, next} {
			if strings.Contains(v, "<script") && strings.Contains(body, v) {
				t.Fatalf("the form echoes %q unescaped", v)
			}
		}
	})
}
