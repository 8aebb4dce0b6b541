package web_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/webauthn"
	"github.com/chromedp/chromedp"

	"github.com/cloudisms/cloudisms/internal/passkey"
)

// withPasskeys serves the UI at http://localhost:PORT (browsers accept
// passkeys on localhost, not on 127.0.0.1) with that address as the
// relying party, and gives the browser a virtual authenticator that
// holds discoverable credentials and verifies its user at once.
func withPasskeys(t *testing.T, u *ui) webauthn.AuthenticatorID {
	t.Helper()
	u.url = strings.Replace(u.url, "127.0.0.1", "localhost", 1)
	rp, err := passkey.New(u.url, u.store)
	if err != nil {
		t.Fatal(err)
	}
	u.app.Passkeys = rp
	if _, err := chromedp.Call(u.ctx, webauthn.Enable, webauthn.EnableParams{}); err != nil {
		t.Fatalf("enable the WebAuthn domain: %v", err)
	}
	res, err := chromedp.Call(u.ctx, webauthn.AddVirtualAuthenticator, webauthn.AddVirtualAuthenticatorParams{Options: &webauthn.VirtualAuthenticatorOptions{
		Protocol: webauthn.AuthenticatorProtocolCtap2, Ctap2version: webauthn.Ctap2versionCtap21, Transport: webauthn.AuthenticatorTransportInternal,
		HasResidentKey: true, HasUserVerification: true, IsUserVerified: true, AutomaticPresenceSimulation: true,
	}})
	if err != nil {
		t.Fatalf("add a virtual authenticator: %v", err)
	}
	return res.AuthenticatorID
}

// waitFor waits until a JavaScript condition holds (a page that changes
// without loading a new one).
func (u *ui) waitFor(step, cond string) {
	u.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		v, err := chromedp.Run(u.ctx, chromedp.Evaluate[bool](cond))
		if err == nil && v {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	u.t.Fatalf("%s: %s did not become true", step, cond)
}

// clickAndLoad clicks a button whose script loads another page.
func (u *ui) clickAndLoad(step, sel, want string) {
	u.t.Helper()
	eval[bool](u, `(window.__old = true)`)
	u.run(step, chromedp.Click(chromedp.CSS(sel)))
	u.waitFor(step, `window.__old === undefined && document.readyState === "complete" && `+want)
}

// rejected tells the refusal of a passkey, in the language the signed-out
// page has (the browser's).
func rejected(msg string) bool {
	return strings.Contains(msg, "パスキーを確認できませんでした") || strings.Contains(msg, "could not be verified")
}

// Issue 15 part B: a user adds a passkey on the account page (after the
// current password), signs out, signs in with it from the sign-in page
// without typing an email, sees it listed with its last use, and removes
// it (a wrong password is refused); a passkey no longer registered, or an
// assertion with a bad signature, does not sign in.
func TestPasskeyRegisterSignInRemove(t *testing.T) {
	u := start(t)
	auth := withPasskeys(t, u)
	ctx := context.Background()
	manager, err := u.store.UserByEmail(ctx, "manager@example.com")
	if err != nil {
		t.Fatal(err)
	}

	// Without a session the sign-in page offers the passkey button (the
	// script shows it), beside the password form.
	u.run("sign-in page", chromedp.Navigate(u.url+"/login"), chromedp.WaitVisible(chromedp.ID("passkey-login")))
	// (Before signing in the page follows the browser's language.)
	if b := u.text("#passkey-login"); b != "パスキーでサインイン" && b != "Sign in with a passkey" {
		t.Errorf("passkey button reads %q", b)
	}

	u.login("manager@example.com")
	u.run("account page", chromedp.Navigate(u.url+"/orgs/sample/account"), chromedp.WaitVisible(chromedp.ID("passkey-add")))
	if !strings.Contains(u.text("#passkey-none"), "登録済みのパスキーはありません") {
		t.Error("the empty list is not said")
	}
	// A wrong password adds nothing.
	u.run("add with a wrong password",
		chromedp.SendKeys(chromedp.ID("passkey-name"), "テスト端末"),
		chromedp.SendKeys(chromedp.ID("passkey-password"), "not the password"),
		chromedp.Click(chromedp.CSS(`#passkey-add button[type=submit]`)),
	)
	u.waitFor("wrong password said", `!document.getElementById("passkey-add-error").hidden`)
	if msg := u.text("#passkey-add-error"); !strings.Contains(msg, "パスワード") {
		t.Errorf("wrong password message: %q", msg)
	}
	eval[string](u, `document.getElementById("passkey-password").value = ""`)
	u.run("retype the password", chromedp.SendKeys(chromedp.ID("passkey-password"), password))
	u.clickAndLoad("add the passkey", `#passkey-add button[type=submit]`, `!!document.getElementById("passkey-list")`)
	if f := u.text("p.flash"); !strings.Contains(f, "パスキーを追加しました") {
		t.Errorf("after adding: flash %q", f)
	}
	if row := u.text("#passkey-list tbody tr"); !strings.Contains(row, "テスト端末") || !strings.Contains(row, "まだ使っていません") {
		t.Errorf("listed as %q", row)
	}
	keys, err := u.store.Passkeys(ctx, manager.ID)
	if err != nil || len(keys) != 1 {
		t.Fatalf("stored passkeys: %v, %v", keys, err)
	}
	creds, err := chromedp.Call(u.ctx, webauthn.GetCredentials, webauthn.GetCredentialsParams{AuthenticatorID: auth})
	if err != nil || len(creds.Credentials) != 1 || !creds.Credentials[0].IsResidentCredential || creds.Credentials[0].RpID != "localhost" {
		t.Fatalf("the authenticator holds %+v (%v), want one discoverable credential for localhost", creds.Credentials, err)
	}
	if h := string(creds.Credentials[0].UserHandle); strings.Contains(h, "manager") || h == "1" {
		t.Errorf("the user handle %q names the account", h)
	}

	// Signed out, the passkey alone signs in and lands on the dashboard.
	u.submit("sign out", `form[action="/logout"] button`)
	u.run("sign-in page", chromedp.WaitVisible(chromedp.ID("passkey-login")))
	u.clickAndLoad("sign in with the passkey", "#passkey-login", `!!document.querySelector("nav.side")`)
	if w := u.text("header .who"); !strings.Contains(w, "manager@example.com") {
		t.Errorf("signed in as %q", w)
	}
	keys, _ = u.store.Passkeys(ctx, manager.ID)
	if keys[0].LastUsedAt == "" {
		t.Error("the last use is not recorded")
	}

	// An assertion whose signature is bogus is refused and said so.
	u.submit("sign out", `form[action="/logout"] button`)
	bogus := true
	if _, err := chromedp.Call(u.ctx, webauthn.SetResponseOverrideBits, webauthn.SetResponseOverrideBitsParams{AuthenticatorID: auth, IsBogusSignature: &bogus}); err != nil {
		t.Fatal(err)
	}
	u.run("sign-in page", chromedp.WaitVisible(chromedp.ID("passkey-login")), chromedp.Click(chromedp.ID("passkey-login")))
	u.waitFor("bogus signature refused", `!document.getElementById("passkey-login-error").hidden`)
	if msg := u.text("#passkey-login-error"); !rejected(msg) {
		t.Errorf("bogus signature: %q", msg)
	}
	if _, err := chromedp.Call(u.ctx, webauthn.SetResponseOverrideBits, webauthn.SetResponseOverrideBitsParams{AuthenticatorID: auth}); err != nil {
		t.Fatal(err)
	}

	// The passkey is a second factor now: the password alone leads to
	// the second step, where the passkey finishes the sign-in.
	u.run("password sign-in",
		chromedp.Navigate(u.url+"/login"),
		chromedp.SendKeys(chromedp.ID("email"), "manager@example.com"),
		chromedp.SendKeys(chromedp.ID("password"), password),
	)
	u.submit("password sign-in", `form[action="/login"] button`)
	if path := eval[string](u, `location.pathname`); path != "/login/second" {
		t.Fatalf("the password of a passkey holder led to %s, want the second step", path)
	}
	u.run("second step offers the passkey", chromedp.WaitVisible(chromedp.ID("passkey-login")))
	u.clickAndLoad("finish with the passkey", "#passkey-login", `!!document.querySelector("nav.side")`)
	if w := u.text("header .who"); !strings.Contains(w, "manager@example.com") {
		t.Errorf("signed in at the second step as %q", w)
	}

	// Remove it: a wrong password is refused beside the row, the right
	// one removes it.
	u.run("account page", chromedp.Navigate(u.url+"/orgs/sample/account"), chromedp.WaitVisible(chromedp.ID("passkey-list")))
	if row := u.text("#passkey-list tbody tr"); strings.Contains(row, "まだ使っていません") {
		t.Errorf("last use not shown: %q", row)
	}
	u.acceptDialogs()
	u.run("wrong password", chromedp.SendKeys(chromedp.CSS(`.passkey-delete input[name=password]`), "not the password"))
	u.submit("remove with a wrong password", `.passkey-delete button`)
	if msg := u.text("#passkey-list .field-error"); !strings.Contains(msg, "パスワード") {
		t.Errorf("wrong password when removing: %q", msg)
	}
	if n, _ := u.store.PasskeyCount(ctx, manager.ID); n != 1 {
		t.Fatalf("a wrong password removed the passkey (%d left)", n)
	}
	u.run("right password", chromedp.SendKeys(chromedp.CSS(`.passkey-delete input[name=password]`), password))
	u.submit("remove the passkey", `.passkey-delete button`)
	if f := u.text("p.flash"); !strings.Contains(f, "パスキーを削除しました") {
		t.Errorf("after removing: flash %q", f)
	}
	if n, _ := u.store.PasskeyCount(ctx, manager.ID); n != 0 {
		t.Fatalf("%d passkeys after removing", n)
	}

	// The authenticator still holds the credential, but it signs in no
	// more.
	u.submit("sign out", `form[action="/logout"] button`)
	u.run("sign-in page", chromedp.WaitVisible(chromedp.ID("passkey-login")), chromedp.Click(chromedp.ID("passkey-login")))
	u.waitFor("removed passkey refused", `!document.getElementById("passkey-login-error").hidden`)
	if msg := u.text("#passkey-login-error"); !rejected(msg) {
		t.Errorf("removed passkey: %q", msg)
	}
	if path := eval[string](u, `location.pathname`); path != "/login" {
		t.Errorf("a removed passkey led to %s", path)
	}
	// Without a second factor the password alone signs in again.
	u.login("manager@example.com")

	// The security log has the passkey's life: added, signed in with (on
	// its own and at the second step), refused, removed.
	events, _, err := u.store.SecurityLogOf(ctx, manager.ID, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, e := range events {
		seen[e.Kind+":"+e.Detail] = true
	}
	for _, want := range []string{"passkey_on:テスト端末", "login:passkey", "login:password+passkey", "passkey_failed:passkey", "passkey_off:テスト端末"} {
		if !seen[want] {
			t.Errorf("security log lacks %s; has %v", want, seen)
		}
	}
}
