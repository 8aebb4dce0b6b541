package web_test

import (
	"context"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/cloudisms/cloudisms/internal/i18n"
	"github.com/cloudisms/cloudisms/internal/sso/ssotest"
	"github.com/cloudisms/cloudisms/internal/store"
)

// TestBrowserSSO signs in through a real OpenID provider (the zitadel
// example provider, run as its own process): the admin configures it on
// the organization's single sign-on page, then a member goes from the
// sign-in page to the provider's login page and comes back signed in;
// a person who is no member is refused until the organization lets
// people join, and then joins with the default role.
func TestBrowserSSO(t *testing.T) {
	u := start(t)
	u.app.BaseURL = u.url
	op := ssotest.Start(t, u.url+"/sso/callback",
		ssotest.User{ID: "u1", Username: "yamada", Password: "provider-pass-1", FirstName: "太郎", LastName: "山田", Email: "manager@example.com", EmailVerified: true},
		ssotest.User{ID: "u2", Username: "newcomer", Password: "provider-pass-2", FirstName: "花子", LastName: "佐藤", Email: "newcomer@example.com", EmailVerified: true},
		ssotest.User{ID: "u3", Username: "unverified", Password: "provider-pass-3", Email: "ops@example.com", EmailVerified: false},
	)
	ctx := context.Background()
	admin, err := u.store.CreateUser(ctx, "admin@example.com", "管理者", "ja", password)
	if err != nil {
		t.Fatal(err)
	}
	if err := u.store.AddMember(ctx, "sample", admin.ID, "admin", ""); err != nil {
		t.Fatal(err)
	}

	// The admin configures the provider; saving discovers it.
	u.login("admin@example.com")
	u.run("sso settings", chromedp.Navigate(u.url+"/orgs/sample/sso"), chromedp.WaitVisible(chromedp.ID("sso-form")))
	if got := u.text("#sso-redirect"); got != u.url+"/sso/callback" {
		t.Fatalf("redirect URI shown %q, want %q", got, u.url+"/sso/callback")
	}
	u.run("fill sso settings",
		chromedp.SendKeys(chromedp.ID("sso-issuer"), op.Issuer),
		chromedp.SendKeys(chromedp.ID("sso-client"), ssotest.ClientID),
		chromedp.SendKeys(chromedp.ID("sso-secret"), ssotest.ClientSecret),
	)
	u.submit("save sso settings", `#sso-form button`)
	if !hasMsg(u.text("body"), "sso.done_saved") {
		t.Fatalf("settings not saved: %s", u.text("main"))
	}
	if v := eval[string](u, `document.getElementById("sso-secret").value`); v != "" || strings.Contains(u.html(), `value="`+ssotest.ClientSecret+`"`) {
		t.Fatal("the saved client secret is shown on the page")
	}
	u.submit("sign out", `form[action="/logout"] button`)

	// A member signs in: cloudisms' sign-in page → the provider's login
	// page → back, signed in to the organization.
	signIn := func(username, pass string) {
		t.Helper()
		u.run("sign-in page", chromedp.Navigate(u.url+"/login"), chromedp.WaitVisible(chromedp.ID("sso-org")),
			chromedp.SendKeys(chromedp.ID("sso-org"), "sample"))
		u.submit("to the provider", `#sso-login button`)
		u.run("provider login page", chromedp.WaitVisible(chromedp.ID("username")))
		loc := eval[string](u, `location.href`)
		if !strings.HasPrefix(loc, strings.TrimSuffix(op.Issuer, "/")) {
			t.Fatalf("expected the provider's login page, at %s", loc)
		}
		u.run("provider credentials", chromedp.SendKeys(chromedp.ID("username"), username), chromedp.SendKeys(chromedp.ID("password"), pass))
		u.submit("provider login", `button[type="submit"]`)
	}
	signIn("yamada", "provider-pass-1")
	u.run("back signed in", chromedp.WaitVisible(chromedp.CSS(`nav.side`)))
	if loc := eval[string](u, `location.href`); loc != u.url+"/orgs/sample/" {
		t.Fatalf("after the provider, at %s, want the organization's dashboard", loc)
	}
	if !strings.Contains(u.text("body"), "manager@example.com") {
		t.Fatalf("not signed in as the member: %s", u.text("header"))
	}
	u.submit("sign out", `form[action="/logout"] button`)

	// An email the provider has not verified is refused.
	signIn("unverified", "provider-pass-3")
	if !hasMsg(u.text("main"), "sso.unverified") {
		t.Fatalf("unverified email: %s", u.text("main"))
	}

	// No member: refused; once joining is allowed, joins as viewer.
	signIn("newcomer", "provider-pass-2")
	if !hasMsg(u.text("main"), "sso.no_member") {
		t.Fatalf("no member: %s", u.text("main"))
	}
	prov, err := u.store.SSOProviderOf(ctx, "sample")
	if err != nil {
		t.Fatal(err)
	}
	prov.AllowJoin, prov.JoinRole, prov.ClientSecret = true, "viewer", ""
	if err := u.store.SetSSOProvider(ctx, prov); err != nil {
		t.Fatal(err)
	}
	signIn("newcomer", "provider-pass-2")
	u.run("joined", chromedp.WaitVisible(chromedp.CSS(`nav.side`)))
	nu, err := u.store.UserByEmail(ctx, "newcomer@example.com")
	if err != nil {
		t.Fatal(err)
	}
	m, err := u.store.Member(ctx, "sample", nu.ID)
	if err != nil || m.Role != "viewer" {
		t.Fatalf("newcomer's membership %+v, %v; want viewer", m, err)
	}
	if nu.Name == "" {
		t.Fatal("the newcomer's name was not taken from the provider")
	}
	u.submit("sign out", `form[action="/logout"] button`)

	// The sign-ins and refusals are in the organization's security log.
	events, _, err := u.store.SecurityLog(ctx, "sample", 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, e := range events {
		if e.Kind == store.EventLogin && strings.HasPrefix(e.Detail, "oidc ") {
			seen[e.Email] = true
		}
		if e.Kind == store.EventSSOFailed {
			seen["failed:"+e.Email] = true
		}
	}
	for _, want := range []string{"manager@example.com", "newcomer@example.com", "failed:ops@example.com"} {
		if !seen[want] {
			t.Errorf("the security log has no single sign-on event for %s: %+v", want, events)
		}
	}

	// Once the organization requires single sign-on, a password session
	// is sent to the provider instead of the organization's pages.
	prov.RequireSSO = true
	if err := u.store.SetSSOProvider(ctx, prov); err != nil {
		t.Fatal(err)
	}
	u.run("password sign-in", chromedp.Navigate(u.url+"/login"),
		chromedp.SendKeys(chromedp.ID("email"), "cs@example.com"), chromedp.SendKeys(chromedp.ID("password"), password))
	u.submit("password sign-in", `form[action="/login"] button`)
	u.run("sent to the provider", chromedp.WaitVisible(chromedp.ID("username")))
	if loc := eval[string](u, `location.href`); !strings.HasPrefix(loc, strings.TrimSuffix(op.Issuer, "/")) {
		t.Fatalf("a password session under a single sign-on policy is at %s", loc)
	}
}

// hasMsg reports whether a page's text shows a message, in either
// language.
func hasMsg(text, key string) bool {
	return strings.Contains(text, i18n.M(key).In(i18n.JA)) || strings.Contains(text, i18n.M(key).In(i18n.EN))
}
