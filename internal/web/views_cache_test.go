package web_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/cloudisms/cloudisms/internal/api"
	"github.com/cloudisms/cloudisms/internal/bundle"
	"github.com/cloudisms/cloudisms/internal/isms"
	"github.com/cloudisms/cloudisms/internal/store"
)

// TestPageViewsKeptApart: the dashboard and the risk register keep what
// they draw from an ISMS between requests (names, heat maps, rows, filter
// options). Two organizations imported alike (the same ids, the same
// history position) differ in a risk's title and a person's name, and each
// page, read in turn by members of both and in both languages, shows only
// its own organization's names in its reader's language; a change of the
// ISMS shows on the next request.
func TestPageViewsKeptApart(t *testing.T) {
	ctx := context.Background()
	s, err := store.Open(ctx, "", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	src, err := os.ReadFile("../../examples/sample-saas.yaml")
	if err != nil {
		t.Fatal(err)
	}
	load := func(risk, person string) *isms.ISMS {
		m, err := bundle.Decode("sample-saas.yaml", src)
		if err != nil {
			t.Fatal(err)
		}
		m.Risks[0].Title = risk
		for i := range m.People {
			if m.People[i].ID == "p-isms" {
				m.People[i].Name = person
			}
		}
		return m
	}
	if _, err := s.Import(ctx, "alpha", load("アルファのリスク", "アルファ 太郎"), "setup"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Import(ctx, "beta", load("ベータのリスク", "ベータ 花子"), "setup"); err != nil {
		t.Fatal(err)
	}
	app := newApp(t, s, testNow)
	// One manager per organization and language: members of alpha are not
	// members of beta.
	session := map[string]string{}
	for _, org := range []string{"alpha", "beta"} {
		for _, lang := range []string{"ja", "en"} {
			u, err := s.CreateUser(ctx, org+"-"+lang+"@example.com", org+" "+lang, lang, password)
			if err != nil {
				t.Fatal(err)
			}
			if err := s.AddMember(ctx, org, u.ID, "isms-manager", "p-isms"); err != nil {
				t.Fatal(err)
			}
			if session[org+lang], err = s.CreateSession(ctx, u.ID, time.Hour); err != nil {
				t.Fatal(err)
			}
		}
	}
	get := func(org, lang, path string) string {
		t.Helper()
		req := httptest.NewRequest("GET", "/orgs/"+org+path, nil)
		req.AddCookie(&http.Cookie{Name: api.SessionCookie, Value: session[org+lang]})
		rec := httptest.NewRecorder()
		app.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			t.Fatalf("%s %s %s: %d", org, lang, path, rec.Code)
		}
		return rec.Body.String()
	}
	// The words that tell the languages apart in what is kept: the heat
	// map's cells, the rows' approval chips.
	langMark := map[string]string{"ja": "件（レベル", "en": "risk(s) (level"}
	rowMark := map[string]string{"ja": `<td class="nw">低減`, "en": `<td class="nw">modify`}
	check := func(risk, person map[string]string) {
		t.Helper()
		// Twice round, so that the second reads what the first kept.
		for range 2 {
			for _, path := range []string{"/", "/risks"} {
				for _, org := range []string{"alpha", "beta"} {
					other := map[string]string{"alpha": "beta", "beta": "alpha"}[org]
					for _, lang := range []string{"ja", "en"} {
						body := get(org, lang, path)
						if path == "/risks" && !strings.Contains(body, risk[org]) {
							t.Errorf("%s %s %s: no %q", org, lang, path, risk[org])
						}
						if !strings.Contains(body, person[org]) {
							t.Errorf("%s %s %s: no %q", org, lang, path, person[org])
						}
						if strings.Contains(body, risk[other]) || strings.Contains(body, person[other]) {
							t.Errorf("%s %s %s: shows %s's names", org, lang, path, other)
						}
						if !strings.Contains(body, langMark[lang]) || strings.Contains(body, langMark[map[string]string{"ja": "en", "en": "ja"}[lang]]) {
							t.Errorf("%s %s %s: heat maps not in %s", org, lang, path, lang)
						}
						if path == "/risks" && (!strings.Contains(body, rowMark[lang]) || strings.Contains(body, rowMark[map[string]string{"ja": "en", "en": "ja"}[lang]])) {
							t.Errorf("%s %s %s: rows not in %s", org, lang, path, lang)
						}
					}
				}
			}
		}
	}
	check(map[string]string{"alpha": "アルファのリスク", "beta": "ベータのリスク"}, map[string]string{"alpha": "アルファ 太郎", "beta": "ベータ 花子"})

	// A change of alpha's ISMS (a risk renamed, a person renamed) shows at
	// once, in both languages, and beta's pages stay as they were.
	if _, err := s.Import(ctx, "alpha", load("アルファの新しいリスク", "アルファ 次郎"), "edit"); err != nil {
		t.Fatal(err)
	}
	check(map[string]string{"alpha": "アルファの新しいリスク", "beta": "ベータのリスク"}, map[string]string{"alpha": "アルファ 次郎", "beta": "ベータ 花子"})
}
