package web_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/cloudisms/cloudisms/internal/totp"
)

// enrolTOTP turns TOTP on in the browser for the signed-in user, as a
// person would with an app: the key is read from the page and the code
// computed from it. It returns the secret and the recovery codes shown.
func (u *ui) enrolTOTP() ([]byte, []string) {
	u.t.Helper()
	u.submit("begin the enrolment", `#begin-form button`)
	u.run("the QR code and the key", chromedp.WaitVisible(chromedp.CSS(`#enrol svg`)), chromedp.WaitVisible(chromedp.ID("totp-key")))
	secret, err := totp.Decode(u.text("#totp-key"))
	if err != nil {
		u.t.Fatalf("the key on the page: %v", err)
	}
	u.run("type the app's code", chromedp.SendKeys(chromedp.ID("confirm-code"), totp.Code(secret, time.Now())))
	u.submit("confirm the enrolment", `#confirm-form button`)
	codes := eval[[]string](u, `[...document.querySelectorAll("#recovery code")].map(c => c.textContent)`)
	if len(codes) != 10 {
		u.t.Fatalf("%d recovery codes shown", len(codes))
	}
	return secret, codes
}

// passwordStep signs in with the password of an account whose second
// factor is on: the browser lands on the code page.
func (u *ui) passwordStep(email string) {
	u.t.Helper()
	u.run("sign in as "+email,
		chromedp.Navigate(u.url+"/login"),
		chromedp.SendKeys(chromedp.ID("email"), email),
		chromedp.SendKeys(chromedp.ID("password"), password))
	u.submit("password of "+email, `form[action="/login"] button`)
	u.run("the code page", chromedp.WaitVisible(chromedp.ID("code")))
}

func (u *ui) codeStep(code string) {
	u.t.Helper()
	u.run("type the code", chromedp.SendKeys(chromedp.ID("code"), code))
	u.submit("send the code", `#second-step button`)
}

func (u *ui) logout() {
	u.t.Helper()
	u.run("an organization page", chromedp.Navigate(u.url+"/orgs/sample/"), chromedp.WaitVisible(chromedp.CSS(`nav.side`)))
	u.submit("log out", `form[action="/logout"] button`)
}

// A user turns TOTP on, signs out, signs in with the password and the
// app's code, then with a recovery code, and turns TOTP off with the
// password and another recovery code.
func TestTOTPEnrolSignInRecoverDisable(t *testing.T) {
	u := start(t)
	u.login("manager@example.com")
	u.run("the account page", chromedp.Navigate(u.url+"/account"), chromedp.WaitVisible(chromedp.ID("two-factor-link")))
	u.submit("to two-factor", `#two-factor-link a`)
	secret, codes := u.enrolTOTP()
	if s := u.text("#tf-status"); !strings.Contains(s, "有効") {
		t.Fatalf("status after enrolment: %q", s)
	}

	// The confirmation used this step's code: the next step's code
	// (within the accepted window) signs in.
	u.logout()
	u.passwordStep("manager@example.com")
	u.codeStep(totp.Code(secret, time.Now().Add(totp.Step)))
	u.run("signed in with the code", chromedp.WaitVisible(chromedp.CSS(`nav.side`)))

	// Without the phone: a recovery code.
	u.logout()
	u.passwordStep("manager@example.com")
	u.codeStep(codes[0])
	u.run("signed in with a recovery code", chromedp.WaitVisible(chromedp.CSS(`nav.side`)))

	// The same recovery code does not work twice.
	u.logout()
	u.passwordStep("manager@example.com")
	u.codeStep(codes[0])
	if e := u.text("main"); !strings.Contains(e, "確認コードが違うか") {
		t.Fatalf("a used recovery code: %q", e)
	}
	u.codeStep(codes[1])
	u.run("signed in with another recovery code", chromedp.WaitVisible(chromedp.CSS(`nav.side`)))

	u.run("the two-factor page", chromedp.Navigate(u.url+"/account/two-factor"), chromedp.WaitVisible(chromedp.ID("recovery-left")))
	if s := u.text("#recovery-left"); !strings.Contains(s, "8") {
		t.Fatalf("recovery codes left: %q", s)
	}
	u.run("password and code", chromedp.SendKeys(chromedp.ID("off-password"), password), chromedp.SendKeys(chromedp.ID("off-code"), codes[2]))
	u.submit("turn off", `#disable-form button`)
	if s := u.text("#tf-status"); !strings.Contains(s, "無効") {
		t.Fatalf("status after turning off: %q", s)
	}
	u.logout()
	u.login("manager@example.com") // the password alone again
}

// An organization that requires two-factor sends a member without it to
// the enrolment page; once set up, the member goes on to the organization.
func TestTwoFactorPolicySendsMemberToEnrol(t *testing.T) {
	u := start(t)
	ctx := context.Background()
	acc, err := u.store.CreateUser(ctx, "admin@example.com", "管理 花子", "ja", password)
	if err != nil {
		t.Fatal(err)
	}
	if err := u.store.AddMember(ctx, "sample", acc.ID, "admin", ""); err != nil {
		t.Fatal(err)
	}
	// The admin has TOTP already: requiring it does not lock them out.
	u.login("admin@example.com")
	u.run("the account's two-factor page", chromedp.Navigate(u.url+"/account/two-factor"), chromedp.WaitVisible(chromedp.ID("begin-form")))
	adminSecret, _ := u.enrolTOTP()
	u.run("the members page", chromedp.Navigate(u.url+"/orgs/sample/members"), chromedp.WaitVisible(chromedp.ID("policy-form")),
		chromedp.Click(chromedp.CSS(`#policy-form input[value="two_factor"]`)))
	u.submit("require two-factor", `#policy-form button`)
	if s := u.text("#policy-missing"); !strings.Contains(s, "3") {
		t.Fatalf("members not meeting the requirement: %q", s)
	}
	if s := u.text(`table.members`); !strings.Contains(s, "必須ですが未設定") || !strings.Contains(s, "認証アプリ") {
		t.Fatalf("members page does not show who has what: %q", s)
	}
	u.logout()

	u.run("sign in as ops",
		chromedp.Navigate(u.url+"/login?next=/orgs/sample/risks"),
		chromedp.SendKeys(chromedp.ID("email"), "ops@example.com"),
		chromedp.SendKeys(chromedp.ID("password"), password))
	u.submit("password of ops", `form[action="/login"] button`)
	u.run("sent to set up two-factor", chromedp.WaitVisible(chromedp.ID("policy-required")))
	if loc := eval[string](u, `location.pathname + location.search`); loc != "/account/two-factor?org=sample" {
		t.Fatalf("ops landed on %s", loc)
	}
	u.enrolTOTP()
	u.submit("go on to the organization", `#recovery-saved`)
	u.run("the organization opens", chromedp.WaitVisible(chromedp.CSS(`nav.side`)))

	// The security log shows the policy change and the enrolment, and two
	// wrong passwords from one browser as one entry counted twice.
	u.logout()
	for range 2 {
		u.run("a wrong password of ops", chromedp.Navigate(u.url+"/login"),
			chromedp.SendKeys(chromedp.ID("email"), "ops@example.com"), chromedp.SendKeys(chromedp.ID("password"), "not the password 1"))
		u.submit("the wrong password", `form[action="/login"] button`)
	}
	u.passwordStep("admin@example.com")
	u.codeStep(totp.Code(adminSecret, time.Now().Add(totp.Step)))
	u.run("the security log", chromedp.Navigate(u.url+"/orgs/sample/security-log"), chromedp.WaitVisible(chromedp.ID("security-log")))
	log := u.text("#security-log")
	for _, want := range []string{"ログインの条件を変更", "二要素認証を必須にする", "二要素認証を有効化", "ops@example.com", "パスワード＋認証アプリ", "同じ送信元から 2 回"} {
		if !strings.Contains(log, want) {
			t.Errorf("security log lacks %q:\n%s", want, log)
		}
	}
}
