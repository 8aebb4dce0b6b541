package api_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/cloudisms/cloudisms/internal/api"
	"github.com/cloudisms/cloudisms/internal/store"
)

// An organization that requires single sign-on refuses a browser session
// signed in with a password (403), as its pages do, and admits one its
// provider signed in and API tokens.
func TestSSORequiredForSessions(t *testing.T) {
	forEachBackend(t, ssoRequiredForSessions)
}

func ssoRequiredForSessions(t *testing.T, e *env) {
	p := store.SSOProvider{Org: "own", Issuer: "https://idp.example.com", ClientID: "c", ClientSecret: "s", RequireSSO: true, UpdatedBy: "admin@example.com"}
	if err := e.store.SetSSOProvider(ctx, p); err != nil {
		t.Fatal(err)
	}
	u, err := e.store.UserByEmail(ctx, "viewer@example.com")
	if err != nil {
		t.Fatal(err)
	}
	password, err := e.store.CreateSession(ctx, u.ID, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	_, viaSSO, err := e.store.SSOLogin(ctx, store.SSOSignIn{Org: "own", Email: u.Email}, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	get := func(session string) int {
		req, _ := http.NewRequest("GET", e.srv.URL+"/api/v1/orgs/own/check", nil)
		req.AddCookie(&http.Cookie{Name: api.SessionCookie, Value: session})
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		return res.StatusCode
	}
	if st := get(password); st != http.StatusForbidden {
		t.Errorf("password session: %d, want 403", st)
	}
	if st := get(viaSSO); st != http.StatusOK {
		t.Errorf("single sign-on session: %d, want 200", st)
	}
	if r := e.do("viewer", "GET", "/api/v1/orgs/own/check", nil); r.status != http.StatusOK {
		t.Errorf("API token: %d, want 200", r.status)
	}
}
