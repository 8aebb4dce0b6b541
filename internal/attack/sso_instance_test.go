package attack

import (
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/cloudisms/cloudisms/internal/sso/ssotest"
)

// startInstanceSSO starts a sign-in through the instance's provider from
// the sign-in page in the browser c and returns the provider URL the page
// sends it to.
func startInstanceSSO(t *testing.T, c *http.Client, base string) string {
	t.Helper()
	st, _, body := call(t, c, "GET", base+"/sso/start?instance=1", "", nil)
	m := continueLink.FindSubmatch(body)
	if st != http.StatusOK || m == nil {
		t.Fatalf("start single sign-on through the instance's provider: %d %s", st, body)
	}
	return html.UnescapeString(string(m[1]))
}

// TestAttackInstanceSSO: the instance's provider (issue 15), set by the
// operator with `cloudisms sso set` beside a running server, against a
// real OpenID provider process. It signs in nobody until an organization
// chooses it, and then only that organization's members: the account of
// another organization's admin is refused; choosing it from another site
// is refused; a callback replayed or opened in another browser and a
// code put under the attacker's own state fail with 400 and no session;
// only a session the provider made may require it, after which password
// sessions are sent to the provider (pages) or refused (API, 403), until
// the operator removes the provider.
func TestAttackInstanceSSO(t *testing.T) {
	needServer(t)
	db := sqlite(t)
	org(t, db, "victim")
	org(t, db, "bystander")
	srv := serve(t, db, nil)
	op := ssotest.Start(t, srv.url+"/sso/callback",
		ssotest.User{ID: "v", Username: "victim", Password: "victim-provider-pass", Email: "victim@example.com", EmailVerified: true},
		ssotest.User{ID: "b", Username: "bystander", Password: "bystander-provider-pass", Email: "bystander@example.com", EmailVerified: true})
	if out, err := cli(t, db, []string{"CLOUDISMS_SSO_SECRET=" + ssotest.ClientSecret}, "sso", "set", "--issuer", op.Issuer, "--client-id", ssotest.ClientID, "--label", "社内 ID"); err != nil {
		t.Fatalf("sso set: %v\n%s", err, out)
	}
	if out, err := cli(t, db, nil, "sso", "show"); err != nil || strings.Contains(out, ssotest.ClientSecret+"\n") || !strings.Contains(out, op.Issuer) {
		t.Fatalf("sso show: %v\n%s", err, out)
	}
	if st, _, body := call(t, nil, "GET", srv.url+"/login", "", nil); st != http.StatusOK || !strings.Contains(string(body), `id="sso-instance-login"`) || !strings.Contains(string(body), "社内 ID") {
		t.Fatalf("the sign-in page does not offer the instance's provider: %d", st)
	}

	// No organization chose it yet: refused.
	early := jarClient()
	cb := atProvider(t, early, startInstanceSSO(t, early, srv.url), srv.url, "victim", "victim-provider-pass")
	if st, _, _ := call(t, early, "GET", cb, "", nil); st != http.StatusBadRequest || signedIn(early, srv.url) {
		t.Fatalf("before any organization chose it: %d", st)
	}

	// Choosing it from another site is refused; the admin's own form
	// saves it.
	admin := browser(t, srv.url, "victim")
	form := []byte(url.Values{"action": {"save"}, "source": {"instance"}}.Encode())
	if st, _, _ := call(t, admin, "POST", srv.url+"/orgs/victim/sso", "", form, "Content-Type", "application/x-www-form-urlencoded",
		"Origin", "https://evil.example", "Sec-Fetch-Site", "cross-site"); st != http.StatusForbidden {
		t.Fatalf("a cross-site single sign-on form: %d, want 403", st)
	}
	if st, h, body := call(t, admin, "POST", srv.url+"/orgs/victim/sso", "", form, "Content-Type", "application/x-www-form-urlencoded"); st != http.StatusSeeOther || !strings.Contains(h.Get("Location"), "done=saved") {
		t.Fatalf("choose the instance's provider: %d %s", st, body)
	}

	// A member signs in from the sign-in page.
	victim := jarClient()
	cb = atProvider(t, victim, startInstanceSSO(t, victim, srv.url), srv.url, "victim", "victim-provider-pass")
	st, h, _ := call(t, victim, "GET", cb, "", nil)
	if st != http.StatusSeeOther || h.Get("Location") != "/" || !signedIn(victim, srv.url) {
		t.Fatalf("the member's sign-in: %d %s", st, h.Get("Location"))
	}
	if st, _, _ := call(t, victim, "GET", srv.url+"/orgs/victim/", "", nil); st != http.StatusOK {
		t.Fatalf("the member's organization: %d", st)
	}
	// Requiring single sign-on: refused from the admin's password session,
	// accepted from the one the instance's provider made; then the
	// password session is sent to the provider (pages) and refused (API).
	require := []byte(url.Values{"action": {"save"}, "source": {"instance"}, "require_sso": {"yes"}}.Encode())
	if st, _, _ := call(t, admin, "POST", srv.url+"/orgs/victim/sso", "", require, "Content-Type", "application/x-www-form-urlencoded"); st != http.StatusBadRequest {
		t.Fatalf("requiring it from a password session: %d, want 400", st)
	}
	if st, h, body := call(t, victim, "POST", srv.url+"/orgs/victim/sso", "", require, "Content-Type", "application/x-www-form-urlencoded"); st != http.StatusSeeOther || !strings.Contains(h.Get("Location"), "done=saved") {
		t.Fatalf("requiring it from the provider's session: %d %s", st, body)
	}
	if st, h, _ := call(t, admin, "GET", srv.url+"/orgs/victim/", "", nil); st != http.StatusSeeOther || !strings.HasPrefix(h.Get("Location"), "/sso/start?org=victim") {
		t.Fatalf("a password session under the requirement: %d %s", st, h.Get("Location"))
	}
	if st, _, _ := call(t, admin, "GET", srv.url+"/api/v1/orgs/victim/check", "", nil); st != http.StatusForbidden {
		t.Fatalf("a password session's API call under the requirement: %d, want 403", st)
	}
	if st, _, _ := call(t, victim, "GET", srv.url+"/api/v1/orgs/victim/check", "", nil); st != http.StatusOK {
		t.Fatalf("the provider's session's API call: %d", st)
	}

	// The callback replayed, by another browser and by the same one.
	replayer := jarClient()
	if st, _, _ := call(t, replayer, "GET", cb, "", nil); st != http.StatusBadRequest || signedIn(replayer, srv.url) {
		t.Fatalf("callback replayed by another browser: %d", st)
	}

	// The admin of an organization that did not choose it: refused.
	other := jarClient()
	cb = atProvider(t, other, startInstanceSSO(t, other, srv.url), srv.url, "bystander", "bystander-provider-pass")
	if st, _, _ := call(t, other, "GET", cb, "", nil); st != http.StatusBadRequest || signedIn(other, srv.url) {
		t.Fatalf("another organization's admin: %d", st)
	}

	// The victim's code under the attacker's own state.
	victim2 := jarClient()
	stolen, _ := url.Parse(atProvider(t, victim2, startInstanceSSO(t, victim2, srv.url), srv.url, "victim", "victim-provider-pass"))
	inj := jarClient()
	own, _ := url.Parse(startInstanceSSO(t, inj, srv.url))
	injected := srv.url + "/sso/callback?state=" + url.QueryEscape(own.Query().Get("state")) + "&code=" + url.QueryEscape(stolen.Query().Get("code"))
	if st, _, _ := call(t, inj, "GET", injected, "", nil); st != http.StatusBadRequest || signedIn(inj, srv.url) {
		t.Fatalf("stolen code under the attacker's state: %d", st)
	}
	// The operator removes the provider: the requirement goes with it.
	if out, err := cli(t, db, nil, "sso", "remove"); err != nil || !strings.Contains(out, "victim") {
		t.Fatalf("sso remove: %v\n%s", err, out)
	}
	if st, _, _ := call(t, admin, "GET", srv.url+"/orgs/victim/", "", nil); st != http.StatusOK {
		t.Fatalf("the password session after the removal: %d", st)
	}
	if _, ok := waitLog(srv, 0, "sso.instance_no_member"); !ok {
		t.Error("the log has no refused instance sign-in")
	}
	srv.survived(t, "single sign-on through the instance's provider")
}
