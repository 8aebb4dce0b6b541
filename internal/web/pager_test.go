package web_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/cloudisms/cloudisms/internal/generate"
	"github.com/cloudisms/cloudisms/internal/isms"
	"github.com/cloudisms/cloudisms/internal/store"
)

// pages serves the web UI of a generated ISMS of risks risks to a signed-in
// ISMS manager; get fetches a page, which must answer 200.
func pages(t *testing.T, risks int) (get func(string) string, m *isms.ISMS) {
	ctx := context.Background()
	s, err := store.Open(ctx, "", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	m, err = generate.ISMS(generate.Options{Services: 2, Assets: 20, Risks: risks, Seed: 3, AsOf: isms.MustDate("2026-11-01")})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Import(ctx, "big", m, "setup"); err != nil {
		t.Fatal(err)
	}
	u, err := s.CreateUser(ctx, "reader@example.com", "reader", "en", "a long enough password")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.AddMember(ctx, "big", u.ID, "isms-manager", ""); err != nil {
		t.Fatal(err)
	}
	session, err := s.CreateSession(ctx, u.ID, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	app := newApp(t, s, time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC))
	get = func(path string) string {
		t.Helper()
		req := httptest.NewRequest("GET", path, nil)
		req.AddCookie(&http.Cookie{Name: "cloudisms_session", Value: session})
		rec := httptest.NewRecorder()
		app.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			t.Fatalf("GET %s: %d", path, rec.Code)
		}
		return rec.Body.String()
	}
	return get, m
}

// TestRiskRegisterPages: a register of 250 risks shows 100 at a time with
// links to the neighbouring pages that keep the filters; a page out of
// range shows the last one.
func TestRiskRegisterPages(t *testing.T) {
	get, m := pages(t, 250)
	rows := regexp.MustCompile(`<tr id="risk-`)
	first := get("/orgs/big/risks")
	if n := len(rows.FindAllString(first, -1)); n != 100 {
		t.Errorf("first page: %d rows, want 100", n)
	}
	if !strings.Contains(first, "1–100 of 250 (page 1 of 3)") || !strings.Contains(first, `href="/orgs/big/risks?page=2" rel="next"`) || strings.Contains(first, `rel="prev"`) {
		t.Errorf("first page's pager is wrong")
	}
	last := get("/orgs/big/risks?page=3")
	if n := len(rows.FindAllString(last, -1)); n != 50 || !strings.Contains(last, `rel="prev"`) || strings.Contains(last, `rel="next"`) {
		t.Errorf("last page: %d rows, or wrong links", n)
	}
	if !strings.Contains(get("/orgs/big/risks?page=99"), "201–250 of 250 (page 3 of 3)") {
		t.Error("a page past the end is not the last page")
	}
	owner := m.Risks[0].Owner
	filtered := get("/orgs/big/risks?owner=" + owner)
	want := 0
	for _, r := range m.Risks {
		if r.Owner == owner {
			want++
		}
	}
	if n := len(rows.FindAllString(filtered, -1)); n != min(want, 100) {
		t.Errorf("filtered: %d rows, want %d", n, min(want, 100))
	}
	if want > 100 && !strings.Contains(filtered, "owner="+owner+"&amp;page=2") {
		t.Error("the next page's link loses the filter")
	}
}

// TestDashboardDueCapped: a large ISMS has thousands of items falling due;
// the dashboard lists the soonest 50 and says how many more there are.
func TestDashboardDueCapped(t *testing.T) {
	get, _ := pages(t, 1500)
	page := get("/orgs/big/")
	due := page[strings.Index(page, `id="d-h"`):]
	due = due[:strings.Index(due, "</section>")]
	if n := strings.Count(due, "<tr>"); n != 51 { // the header row and 50
		t.Errorf("%d due rows, want 50 and a header", n-1)
	}
	if !regexp.MustCompile(`and \d+ more falling due`).MatchString(due) {
		t.Error("the dashboard does not say how many more fall due")
	}
}
