package attack

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html"
	"math/big"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cloudisms/cloudisms/internal/sso/ssotest"
)

// The single sign-on endpoints attacked (issue 15): /sso/start and
// /sso/callback of a real cloudisms serve process, against a real OpenID
// provider (zitadel/oidc's example provider, its own process) for the
// state and code attacks, and against a hostile provider run by the test
// for the ID token attacks a real provider would not commit (a token with
// another nonce, for another client, signed by another key, expired, from
// another issuer).

// jarClient keeps cookies and does not follow redirects.
func jarClient() *http.Client {
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// fromAddress makes a client's requests come from addr, for a server that
// trusts X-Forwarded-For from 127.0.0.1 (each attack its own address, so
// that the throttle of one does not stop the next).
type fromAddress string

func (a fromAddress) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.Header.Set("X-Forwarded-For", string(a))
	return http.DefaultTransport.RoundTrip(r)
}

var continueLink = regexp.MustCompile(`id="sso-continue"[^>]*href="([^"]+)"`)

// startSSO starts a sign-in to org in the browser c and returns the
// provider URL the page sends it to.
func startSSO(t *testing.T, c *http.Client, base, org string) string {
	t.Helper()
	st, _, body := call(t, c, "GET", base+"/sso/start?org="+org, "", nil)
	m := continueLink.FindSubmatch(body)
	if st != http.StatusOK || m == nil {
		t.Fatalf("start single sign-on to %s: %d %s", org, st, body)
	}
	return html.UnescapeString(string(m[1]))
}

// atProvider signs in at the real provider as username and returns the
// callback URL it sends the browser back with (not yet followed).
func atProvider(t *testing.T, c *http.Client, authURL, base, username, pass string) string {
	t.Helper()
	next := authURL
	for range 10 {
		st, h, body := call(t, c, "GET", next, "", nil)
		if st == http.StatusOK && strings.Contains(string(body), `name="password"`) {
			m := regexp.MustCompile(`name="id" value="([^"]+)"`).FindSubmatch(body)
			if m == nil {
				t.Fatalf("provider login page without its id: %s", body)
			}
			form := url.Values{"id": {html.UnescapeString(string(m[1]))}, "username": {username}, "password": {pass}}
			u, _ := url.Parse(next)
			st, h, body = call(t, c, "POST", u.Scheme+"://"+u.Host+"/login/username", "", []byte(form.Encode()), "Content-Type", "application/x-www-form-urlencoded")
			if st != http.StatusFound && st != http.StatusSeeOther {
				t.Fatalf("provider login: %d %s", st, body)
			}
		}
		loc := h.Get("Location")
		if loc == "" {
			t.Fatalf("provider stopped at %s: %d %s", next, st, body)
		}
		lu, err := url.Parse(next)
		if err != nil {
			t.Fatal(err)
		}
		r, _ := lu.Parse(loc)
		next = r.String()
		if strings.HasPrefix(next, base+"/sso/callback") {
			return next
		}
	}
	t.Fatalf("the provider never sent the browser back")
	return ""
}

// signedIn reports whether the browser has a session cookie for base.
func signedIn(c *http.Client, base string) bool {
	u, _ := url.Parse(base)
	for _, ck := range c.Jar.Cookies(u) {
		if ck.Name == "cloudisms_session" && ck.Value != "" {
			return true
		}
	}
	return false
}

// configureSSO saves a provider for org through its admin's settings page.
func configureSSO(t *testing.T, base, org, issuer, clientID, secret string) {
	t.Helper()
	admin := browser(t, base, org)
	form := url.Values{"action": {"save"}, "issuer": {issuer}, "client_id": {clientID}, "client_secret": {secret}}
	st, h, body := call(t, admin, "POST", base+"/orgs/"+org+"/sso", "", []byte(form.Encode()), "Content-Type", "application/x-www-form-urlencoded")
	if st != http.StatusSeeOther || !strings.Contains(h.Get("Location"), "done=saved") {
		t.Fatalf("configure single sign-on of %s: %d %s", org, st, body)
	}
}

// TestAttackSSOStateAndCode: a forged state, a state used twice (the
// callback replayed, by the same browser or by whoever saw its URL), and
// a code stolen from someone else's sign-in put under the attacker's own
// state all fail with 400 and no session; the failures of one address are
// throttled (429 with Retry-After) and logged.
func TestAttackSSOStateAndCode(t *testing.T) {
	needServer(t)
	db := sqlite(t)
	org(t, db, "victim")
	srv := serve(t, db, nil)
	op := ssotest.Start(t, srv.url+"/sso/callback",
		ssotest.User{ID: "v", Username: "victim", Password: "victim-provider-pass", Email: "victim@example.com", EmailVerified: true})
	configureSSO(t, srv.url, "victim", op.Issuer, ssotest.ClientID, ssotest.ClientSecret)

	// Forged state: never issued.
	attacker := jarClient()
	st, _, body := call(t, attacker, "GET", srv.url+"/sso/callback?state=forged-state&code=forged-code", "", nil)
	if st != http.StatusBadRequest || signedIn(attacker, srv.url) {
		t.Fatalf("forged state: %d %s", st, body)
	}

	// The victim signs in; the callback replayed afterwards fails, in the
	// victim's browser and in the attacker's.
	victim := jarClient()
	cb := atProvider(t, victim, startSSO(t, victim, srv.url, "victim"), srv.url, "victim", "victim-provider-pass")
	st, h, _ := call(t, victim, "GET", cb, "", nil)
	if st != http.StatusSeeOther || h.Get("Location") != "/orgs/victim/" || !signedIn(victim, srv.url) {
		t.Fatalf("the victim's own sign-in: %d %s", st, h.Get("Location"))
	}
	replayer := jarClient()
	if st, _, _ := call(t, replayer, "GET", cb, "", nil); st != http.StatusBadRequest || signedIn(replayer, srv.url) {
		t.Fatalf("callback replayed by another browser: %d", st)
	}
	again := jarClient()
	again.Jar = victim.Jar
	if st, _, _ := call(t, again, "GET", cb, "", nil); st != http.StatusBadRequest {
		t.Fatalf("callback replayed by the same browser: %d", st)
	}

	// A fresh sign-in's callback opened in another browser (the link
	// passed on): the state is bound to the browser that started it.
	victim2 := jarClient()
	cb2 := atProvider(t, victim2, startSSO(t, victim2, srv.url, "victim"), srv.url, "victim", "victim-provider-pass")
	thief := jarClient()
	if st, _, _ := call(t, thief, "GET", cb2, "", nil); st != http.StatusBadRequest || signedIn(thief, srv.url) {
		t.Fatalf("callback opened in another browser: %d", st)
	}

	// Code injection: the victim's code under the attacker's own state
	// (the attacker's browser started a sign-in); PKCE makes the provider
	// refuse the exchange.
	victim3 := jarClient()
	cb3 := atProvider(t, victim3, startSSO(t, victim3, srv.url, "victim"), srv.url, "victim", "victim-provider-pass")
	stolen, _ := url.Parse(cb3)
	inj := jarClient()
	own, _ := url.Parse(startSSO(t, inj, srv.url, "victim"))
	injected := srv.url + "/sso/callback?state=" + url.QueryEscape(own.Query().Get("state")) + "&code=" + url.QueryEscape(stolen.Query().Get("code"))
	if st, _, _ := call(t, inj, "GET", injected, "", nil); st != http.StatusBadRequest || signedIn(inj, srv.url) {
		t.Fatalf("stolen code under the attacker's state: %d", st)
	}

	// Failures from one address are throttled (all these came from
	// 127.0.0.1): keep forging until refused.
	refused := false
	for range 10 {
		st, h, _ := call(t, attacker, "GET", srv.url+"/sso/callback?state=forged&code=x", "", nil)
		if st == http.StatusTooManyRequests {
			if h.Get("Retry-After") == "" {
				t.Error("429 without Retry-After")
			}
			refused = true
			break
		}
	}
	if !refused {
		t.Error("forged callbacks were never throttled")
	}
	// A throttled address cannot start either.
	if st, _, _ := call(t, jarClient(), "GET", srv.url+"/sso/start?org=victim", "", nil); st != http.StatusTooManyRequests {
		t.Errorf("start from a throttled address: %d", st)
	}
	for _, want := range []string{"sso.bad_state", "sso.bad_token", "sso_throttled"} {
		if _, ok := waitLog(srv, 0, want); !ok {
			t.Errorf("the log has no %s event", want)
		}
	}
	srv.survived(t, "forged and replayed single sign-on callbacks")
}

// hostileProvider is an OpenID provider under the attacker's control (or
// a broken one): it signs each ID token as the code asks, with what a
// real provider would never send to this client.
type hostileProvider struct {
	srv   *httptest.Server
	key   *rsa.PrivateKey
	other *rsa.PrivateKey // a key the provider does not publish
	mu    sync.Mutex
	nonce map[string]string // code → the nonce of its sign-in
}

func newHostileProvider(t *testing.T) *hostileProvider {
	p := &hostileProvider{nonce: map[string]string{}}
	var err error
	if p.key, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
		t.Fatal(err)
	}
	if p.other, err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /.well-known/openid-configuration", func(w http.ResponseWriter, r *http.Request) {
		json.NewEncoder(w).Encode(map[string]any{
			"issuer": p.srv.URL, "authorization_endpoint": p.srv.URL + "/authorize", "token_endpoint": p.srv.URL + "/token",
			"jwks_uri": p.srv.URL + "/keys", "id_token_signing_alg_values_supported": []string{"RS256"},
		})
	})
	mux.HandleFunc("GET /keys", func(w http.ResponseWriter, r *http.Request) {
		b64 := base64.RawURLEncoding
		json.NewEncoder(w).Encode(map[string]any{"keys": []map[string]string{{
			"kty": "RSA", "kid": "k1", "use": "sig", "alg": "RS256",
			"n": b64.EncodeToString(p.key.N.Bytes()), "e": b64.EncodeToString(big.NewInt(int64(p.key.E)).Bytes()),
		}}})
	})
	// The code names the attack; the nonce of the sign-in is kept for
	// the token.
	mux.HandleFunc("GET /authorize", func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		code := q.Get("login_hint")
		p.mu.Lock()
		p.nonce[code] = q.Get("nonce")
		p.mu.Unlock()
		http.Redirect(w, r, q.Get("redirect_uri")+"?code="+url.QueryEscape(code)+"&state="+url.QueryEscape(q.Get("state")), http.StatusFound)
	})
	mux.HandleFunc("POST /token", func(w http.ResponseWriter, r *http.Request) {
		code := r.PostFormValue("code")
		p.mu.Lock()
		nonce := p.nonce[code]
		p.mu.Unlock()
		now := time.Now()
		claims := map[string]any{"iss": p.srv.URL, "sub": "attacker", "aud": "cloudisms", "exp": now.Add(time.Hour).Unix(), "iat": now.Unix(),
			"nonce": nonce, "email": "victim@example.com", "email_verified": true}
		key := p.key
		switch code {
		case "wrong-nonce":
			claims["nonce"] = "a-nonce-of-another-sign-in"
		case "other-audience":
			claims["aud"] = "another-client"
		case "other-key":
			key = p.other
		case "expired":
			claims["exp"], claims["iat"] = now.Add(-time.Hour).Unix(), now.Add(-2*time.Hour).Unix()
		case "other-issuer":
			claims["iss"] = "https://idp.attacker.example"
		case "unverified":
			claims["email_verified"] = false
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"access_token": "at", "token_type": "Bearer", "expires_in": 3600, "id_token": signJWT(t, key, claims)})
	})
	p.srv = httptest.NewServer(mux)
	t.Cleanup(p.srv.Close)
	return p
}

// waitLog waits for the server's log after offset to contain want: the
// log reaches the test through a pipe, a moment after the response.
func waitLog(srv *server, offset int, want string) (string, bool) {
	deadline := time.Now().Add(20 * time.Second)
	for {
		since := srv.log.String()[offset:]
		if strings.Contains(since, want) || time.Now().After(deadline) {
			return since, strings.Contains(since, want)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// signJWT signs claims with RS256.
func signJWT(t *testing.T, key *rsa.PrivateKey, claims map[string]any) string {
	b64 := base64.RawURLEncoding
	head, _ := json.Marshal(map[string]string{"alg": "RS256", "kid": "k1", "typ": "JWT"})
	body, _ := json.Marshal(claims)
	signing := b64.EncodeToString(head) + "." + b64.EncodeToString(body)
	sum := sha256.Sum256([]byte(signing))
	sig, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, sum[:])
	if err != nil {
		t.Error(err)
	}
	return signing + "." + b64.EncodeToString(sig)
}

// TestAttackSSOIDToken: ID tokens with a wrong nonce, for another
// audience, signed by a key the issuer does not publish, expired, from
// another issuer, or with an unverified email are each refused (400, no
// session, logged); the same provider's honest token signs in, so each
// refusal is the check's doing.
func TestAttackSSOIDToken(t *testing.T) {
	needServer(t)
	db := sqlite(t)
	org(t, db, "victim")
	srv := serve(t, db, nil, "--client-ip-header", "X-Forwarded-For", "--trusted-proxy", "127.0.0.1")
	hp := newHostileProvider(t)
	configureSSO(t, srv.url, "victim", hp.srv.URL, "cloudisms", "secret")
	// Each attack and what the log must say of its refusal.
	attacks := []struct{ code, logged string }{
		{"wrong-nonce", "nonce is not the one sent"},
		{"other-audience", "expected audience"},
		{"other-key", "signature"},
		{"expired", "expired"},
		{"other-issuer", "different provider"},
		{"unverified", "sso.unverified"},
		{"honest", ""},
	}
	for i, a := range attacks {
		attack := a.code
		logged := len(srv.log.String())
		c := jarClient()
		c.Transport = fromAddress(fmt.Sprintf("192.0.2.%d", i+1))
		to := startSSO(t, c, srv.url, "victim") + "&login_hint=" + attack
		st, h, _ := call(t, c, "GET", to, "", nil)
		if st != http.StatusFound {
			t.Fatalf("%s: hostile provider: %d", attack, st)
		}
		st, h, body := call(t, c, "GET", h.Get("Location"), "", nil)
		if attack == "honest" {
			if st != http.StatusSeeOther || !signedIn(c, srv.url) {
				t.Fatalf("the honest token was refused: %d %s\n%s", st, body, srv.log.tail())
			}
			continue
		}
		if st != http.StatusBadRequest || signedIn(c, srv.url) {
			t.Errorf("%s: %d %s, want 400 and no session", attack, st, h.Get("Location"))
		}
		if since, ok := waitLog(srv, logged, a.logged); !ok || !strings.Contains(since, `"event":"sso_failed"`) {
			t.Errorf("%s: the security log does not record the refusal as %q:\n%s", attack, a.logged, since)
		}
	}
	srv.survived(t, "hostile ID tokens")
}
