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

// TestBrowserInstanceSSO signs in through the instance's OpenID provider
// (the operator's, set as `cloudisms sso set` does), a real provider run
// as its own process: the sign-in page offers it; nobody signs in
// through it until an organization chooses it on its single sign-on
// page; then its members sign in from the sign-in page without naming
// the organization, and the session says how it started; an account
// that belongs only to an organization that has not chosen it is
// refused; a person who is no member joins only through the
// organization's own link and only once it allows joining; and when the
// organization requires single sign-on, a password session is sent to
// the instance's provider.
func TestBrowserInstanceSSO(t *testing.T) {
	u := start(t)
	u.app.BaseURL = u.url
	op := ssotest.Start(t, u.url+"/sso/callback",
		ssotest.User{ID: "u1", Username: "yamada", Password: "provider-pass-1", FirstName: "太郎", LastName: "山田", Email: "manager@example.com", EmailVerified: true},
		ssotest.User{ID: "u2", Username: "elsewhere", Password: "provider-pass-2", Email: "elsewhere@example.com", EmailVerified: true},
		ssotest.User{ID: "u3", Username: "newcomer", Password: "provider-pass-3", FirstName: "花子", LastName: "佐藤", Email: "newcomer@example.com", EmailVerified: true},
	)
	ctx := context.Background()
	admin, err := u.store.CreateUser(ctx, "admin@example.com", "管理者", "ja", password)
	if err != nil {
		t.Fatal(err)
	}
	if err := u.store.AddMember(ctx, "sample", admin.ID, "admin", ""); err != nil {
		t.Fatal(err)
	}
	if err := u.store.CreateOrg(ctx, "other", "Other"); err != nil {
		t.Fatal(err)
	}
	elsewhere, err := u.store.CreateUser(ctx, "elsewhere@example.com", "Elsewhere", "ja", password)
	if err != nil {
		t.Fatal(err)
	}
	if err := u.store.AddMember(ctx, "other", elsewhere.ID, "viewer", ""); err != nil {
		t.Fatal(err)
	}
	if err := u.store.SetInstanceSSO(ctx, store.InstanceSSO{Issuer: op.Issuer, ClientID: ssotest.ClientID, ClientSecret: ssotest.ClientSecret, Label: "社内 ID", UpdatedBy: "operator"}); err != nil {
		t.Fatal(err)
	}

	// From the sign-in page: the instance's button → the provider's
	// login page → back.
	atProvider := func(username, pass string) {
		t.Helper()
		u.run("provider login page", chromedp.WaitVisible(chromedp.ID("username")))
		if loc := eval[string](u, `location.href`); !strings.HasPrefix(loc, strings.TrimSuffix(op.Issuer, "/")) {
			t.Fatalf("expected the provider's login page, at %s", loc)
		}
		u.run("provider credentials", chromedp.SendKeys(chromedp.ID("username"), username), chromedp.SendKeys(chromedp.ID("password"), pass))
		u.submit("provider login", `button[type="submit"]`)
	}
	signIn := func(username, pass string) {
		t.Helper()
		u.run("sign-in page", chromedp.Navigate(u.url+"/login"), chromedp.WaitVisible(chromedp.ID("sso-instance-login")))
		if b := u.text("#sso-instance-login button"); !strings.Contains(b, "社内 ID") {
			t.Fatalf("the instance's button says %q", b)
		}
		u.submit("to the instance's provider", `#sso-instance-login button`)
		atProvider(username, pass)
	}
	signIn("yamada", "provider-pass-1")
	if !hasMsg(u.text("main"), "sso.instance_no_member") {
		t.Fatalf("before any organization chose it: %s", u.text("main"))
	}

	// The admin chooses the instance's provider for the organization.
	u.login("admin@example.com")
	u.run("sso settings", chromedp.Navigate(u.url+"/orgs/sample/sso"), chromedp.WaitVisible(chromedp.ID("sso-source")),
		chromedp.Click(chromedp.ID("sso-source-instance")))
	u.submit("save sso settings", `#sso-form button`)
	if !hasMsg(u.text("body"), "sso.done_saved") {
		t.Fatalf("settings not saved: %s", u.text("main"))
	}
	if v := eval[bool](u, `document.getElementById("sso-source-instance").checked`); !v {
		t.Fatal("the saved choice is not shown")
	}
	if strings.Contains(u.html(), `value="`+ssotest.ClientSecret+`"`) || strings.Contains(u.text("main"), ssotest.ClientSecret+" ") {
		t.Fatal("the instance's client secret is on the page")
	}
	u.submit("sign out", `form[action="/logout"] button`)

	// A member signs in without naming the organization.
	signIn("yamada", "provider-pass-1")
	u.run("the organization opens", chromedp.Navigate(u.url+"/orgs/sample/"), chromedp.WaitVisible(chromedp.CSS(`nav.side`)))
	if !strings.Contains(u.text("body"), "manager@example.com") {
		t.Fatalf("not signed in as the member: %s", u.text("header"))
	}
	u.run("account page", chromedp.Navigate(u.url+"/account"), chromedp.WaitVisible(chromedp.ID("session-method")))
	if got, want := u.text("#session-method"), i18n.M("seclog.method.sso_instance").In(i18n.JA); !strings.Contains(got, want) {
		t.Fatalf("the account page says %q, want %q", got, want)
	}
	u.submit("sign out", `form[action="/logout"] button`)

	// An account only in an organization that did not choose it.
	signIn("elsewhere", "provider-pass-2")
	if !hasMsg(u.text("main"), "sso.instance_no_member") {
		t.Fatalf("member of another organization only: %s", u.text("main"))
	}
	// No account: the sign-in page joins nobody; the organization's own
	// link joins once the organization allows it.
	signIn("newcomer", "provider-pass-3")
	if !hasMsg(u.text("main"), "sso.instance_no_member") {
		t.Fatalf("no account, from the sign-in page: %s", u.text("main"))
	}
	if _, err := u.store.UserByEmail(ctx, "newcomer@example.com"); err == nil {
		t.Fatal("the sign-in page made an account")
	}
	prov, err := u.store.SSOProviderOf(ctx, "sample")
	if err != nil {
		t.Fatal(err)
	}
	prov.AllowJoin, prov.JoinRole, prov.ClientSecret = true, "viewer", ""
	if err := u.store.SetSSOProvider(ctx, prov); err != nil {
		t.Fatal(err)
	}
	u.run("the organization's link", chromedp.Navigate(u.url+"/sso/start?org=sample"))
	atProvider("newcomer", "provider-pass-3")
	u.run("joined", chromedp.WaitVisible(chromedp.CSS(`nav.side`)))
	nu, err := u.store.UserByEmail(ctx, "newcomer@example.com")
	if err != nil {
		t.Fatal(err)
	}
	if m, err := u.store.Member(ctx, "sample", nu.ID); err != nil || m.Role != "viewer" {
		t.Fatalf("newcomer's membership %+v, %v", m, err)
	}
	u.submit("sign out", `form[action="/logout"] button`)

	// The sign-ins and refusals are in the organization's security log.
	events, _, err := u.store.SecurityLog(ctx, "sample", 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, e := range events {
		if e.Kind == store.EventLogin && strings.HasPrefix(e.Detail, "oidc "+op.Issuer) {
			seen[e.Email] = true
		}
	}
	if !seen["manager@example.com"] || !seen["newcomer@example.com"] {
		t.Errorf("the security log lacks the instance's sign-ins: %+v", events)
	}

	// Required: a password session is sent to the instance's provider.
	prov.RequireSSO = true
	if err := u.store.SetSSOProvider(ctx, prov); err != nil {
		t.Fatal(err)
	}
	u.run("password sign-in", chromedp.Navigate(u.url+"/login"),
		chromedp.SendKeys(chromedp.ID("email"), "cs@example.com"), chromedp.SendKeys(chromedp.ID("password"), password))
	u.submit("password sign-in", `form[action="/login"] button`)
	atProvider("yamada", "provider-pass-1")
	u.run("the organization opens after the provider", chromedp.WaitVisible(chromedp.CSS(`nav.side`)))
}
