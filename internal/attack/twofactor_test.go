package attack

import (
	"database/sql"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	_ "modernc.org/sqlite"

	"github.com/cloudisms/cloudisms/internal/totp"
)

// The attacks of the two-factor sign-in (issue 15): guessing the code
// once the password is known, replaying or moving the pending second
// step, using it late, forging the forms from another site, and the API
// sign-in without the code.

// proxied runs a server that takes the client's address from
// X-Forwarded-For (a trusted proxy in front), so a test speaks from
// several addresses.
func proxied(t *testing.T, db database) *server {
	return serve(t, db, nil, "--client-ip-header", "X-Forwarded-For", "--trusted-proxy", "127.0.0.1")
}

// tab is one browser: a cookie jar, redirects not followed, one address.
type tab struct {
	t    *testing.T
	c    *http.Client
	base string
	from string
}

func newTab(t *testing.T, base, from string) *tab {
	jar, _ := cookiejar.New(nil)
	return &tab{t: t, base: base, from: from,
		c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// post sends a form (from this site, as a browser does) and returns the
// status, the Location or Retry-After header, and the body.
func (b *tab) post(path string, form url.Values, header ...string) (int, http.Header, string) {
	b.t.Helper()
	req, _ := http.NewRequest("POST", b.base+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Forwarded-For", b.from)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	return b.do(req)
}

func (b *tab) get(path string) (int, http.Header, string) {
	b.t.Helper()
	req, _ := http.NewRequest("GET", b.base+path, nil)
	req.Header.Set("X-Forwarded-For", b.from)
	return b.do(req)
}

func (b *tab) do(req *http.Request) (int, http.Header, string) {
	b.t.Helper()
	res, err := b.c.Do(req)
	if err != nil {
		b.t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer res.Body.Close()
	var sb strings.Builder
	buf := make([]byte, 32<<10)
	for {
		n, err := res.Body.Read(buf)
		sb.Write(buf[:n])
		if err != nil {
			break
		}
	}
	return res.StatusCode, res.Header, sb.String()
}

// pendingCookie is the tab's pending second step token.
func (b *tab) pendingCookie() *http.Cookie {
	u, _ := url.Parse(b.base + "/login/second")
	for _, c := range b.c.Jar.Cookies(u) {
		if c.Name == "cloudisms_second" {
			return c
		}
	}
	return nil
}

// password signs in with the password: a TOTP account is sent to the
// second step.
func (b *tab) password(email string) {
	b.t.Helper()
	st, h, _ := b.post("/login", url.Values{"email": {email}, "password": {password}, "next": {"/"}})
	if st != http.StatusSeeOther || h.Get("Location") != "/login/second" || b.pendingCookie() == nil {
		b.t.Fatalf("password of %s: %d to %q, want the second step", email, st, h.Get("Location"))
	}
}

var keyOnPage = regexp.MustCompile(`id="totp-key">([A-Z2-7 ]+)<`)
var recoveryOnPage = regexp.MustCompile(`<li><code>([a-z2-7-]{19})</code></li>`)

// enrolTOTP turns TOTP on for NAME@example.com through the web pages and
// returns the secret and the recovery codes.
func enrolTOTP(t *testing.T, base, from, name string) ([]byte, []string) {
	t.Helper()
	b := newTab(t, base, from)
	if st, _, _ := b.post("/login", url.Values{"email": {name + "@example.com"}, "password": {password}, "next": {"/"}}); st != http.StatusSeeOther {
		t.Fatalf("sign in as %s: %d", name, st)
	}
	if st, _, _ := b.post("/account/two-factor", url.Values{"action": {"begin"}}); st != http.StatusSeeOther {
		t.Fatalf("begin the enrolment: %d", st)
	}
	_, _, page := b.get("/account/two-factor")
	m := keyOnPage.FindStringSubmatch(page)
	if m == nil {
		t.Fatal("no key on the enrolment page")
	}
	secret, err := totp.Decode(m[1])
	if err != nil {
		t.Fatal(err)
	}
	st, _, page := b.post("/account/two-factor", url.Values{"action": {"confirm"}, "code": {totp.Code(secret, time.Now())}})
	var codes []string
	for _, m := range recoveryOnPage.FindAllStringSubmatch(page, -1) {
		codes = append(codes, m[1])
	}
	if st != http.StatusOK || len(codes) != 10 {
		t.Fatalf("confirm the enrolment: %d, %d recovery codes", st, len(codes))
	}
	return secret, codes
}

// Knowing the password buys no more guesses at the code than at the
// password: wrong codes are counted with it, the fifth attempt from the
// address is refused with 429 and Retry-After (even with the right
// code), and entering the password again does not start a new count.
func TestAttackTOTPGuessing(t *testing.T) {
	needServer(t)
	for _, db := range databases(t) {
		t.Run(db.name, func(t *testing.T) {
			if db.skip != "" {
				t.Skip(db.skip)
			}
			org(t, db, "victim")
			srv := proxied(t, db)
			secret, _ := enrolTOTP(t, srv.url, "203.0.113.10", "victim")

			thief := newTab(t, srv.url, "198.51.100.66")
			thief.password("victim@example.com")
			right := totp.Code(secret, time.Now().Add(totp.Step))
			codes := map[int]int{}
			for i := range 10 {
				guess := strconv.Itoa(100000 + i*7919)
				if guess == right {
					continue
				}
				st, h, _ := thief.post("/login/second", url.Values{"code": {guess}})
				if st == http.StatusTooManyRequests {
					if n, err := strconv.Atoi(h.Get("Retry-After")); err != nil || n < 1 {
						t.Errorf("429 with Retry-After %q", h.Get("Retry-After"))
					}
				}
				codes[st]++
			}
			if codes[http.StatusUnauthorized] != 4 || codes[http.StatusTooManyRequests] == 0 || len(codes) != 2 {
				t.Errorf("ten guesses after the password: %v, want 4 × 401 then 429", codes)
			}
			if st, _, _ := thief.post("/login/second", url.Values{"code": {right}}); st != http.StatusTooManyRequests {
				t.Errorf("the right code after the block: %d, want 429", st)
			}
			if st, _, _ := thief.post("/login", url.Values{"email": {"victim@example.com"}, "password": {password}}); st != http.StatusTooManyRequests {
				t.Errorf("the password again to reset the count: %d, want 429", st)
			}
			// The owner elsewhere still signs in.
			owner := newTab(t, srv.url, "203.0.113.10")
			owner.password("victim@example.com")
			if st, h, _ := owner.post("/login/second", url.Values{"code": {right}}); st != http.StatusSeeOther || h.Get("Location") != "/" {
				t.Errorf("the owner with the right code: %d to %q", st, h.Get("Location"))
			}
			srv.survived(t, "guessing the second factor")
		})
	}
}

// The pending second step is single-use, bound to its browser and its
// address, and expires; the forms refuse requests from another site.
func TestAttackSecondStepState(t *testing.T) {
	needServer(t)
	db := sqlite(t)
	org(t, db, "victim")
	srv := proxied(t, db)
	_, recovery := enrolTOTP(t, srv.url, "203.0.113.10", "victim")

	// Used once, the state is gone: a replay of its cookie is refused.
	owner := newTab(t, srv.url, "203.0.113.10")
	owner.password("victim@example.com")
	stolen := owner.pendingCookie()
	if st, _, _ := owner.post("/login/second", url.Values{"code": {recovery[0]}}); st != http.StatusSeeOther {
		t.Fatalf("the owner's recovery code: %d", st)
	}
	replay := newTab(t, srv.url, "203.0.113.10")
	u, _ := url.Parse(srv.url + "/login/second")
	replay.c.Jar.SetCookies(u, []*http.Cookie{{Name: stolen.Name, Value: stolen.Value, Path: "/login"}})
	if st, _, body := replay.post("/login/second", url.Values{"code": {recovery[1]}}); st != http.StatusBadRequest || !strings.Contains(body, "期限切れか、すでに使われています") {
		t.Errorf("replay of a used second step: %d, want 400", st)
	}

	// Another browser, without the cookie, has nothing to finish.
	owner.password("victim@example.com")
	other := newTab(t, srv.url, "203.0.113.10")
	if st, _, _ := other.post("/login/second", url.Values{"code": {recovery[1]}}); st != http.StatusBadRequest {
		t.Errorf("a second step from a browser without its cookie: %d, want 400", st)
	}
	// The cookie copied to another address is refused too.
	elsewhere := newTab(t, srv.url, "198.51.100.66")
	elsewhere.c.Jar.SetCookies(u, []*http.Cookie{{Name: "cloudisms_second", Value: owner.pendingCookie().Value, Path: "/login"}})
	if st, _, _ := elsewhere.post("/login/second", url.Values{"code": {recovery[1]}}); st != http.StatusBadRequest {
		t.Errorf("a second step moved to another address: %d, want 400", st)
	}

	// A form posted from another site is refused before it is read.
	if st, _, _ := owner.post("/login/second", url.Values{"code": {recovery[1]}}, "Origin", "https://evil.example", "Sec-Fetch-Site", "cross-site"); st != http.StatusForbidden {
		t.Errorf("a cross-site second step: %d, want 403", st)
	}
	if st, _, _ := owner.post("/account/two-factor", url.Values{"action": {"begin"}}, "Origin", "https://evil.example", "Sec-Fetch-Site", "cross-site"); st != http.StatusForbidden {
		t.Errorf("a cross-site two-factor form: %d, want 403", st)
	}

	// Late: the state expired (its time moved back in the database, as
	// five minutes passing would).
	db2, err := sql.Open("sqlite", filepath.Join(db.args[1], "cloudisms.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db2.Close()
	if _, err := db2.Exec(`UPDATE login_pending SET expires_at = '2000-01-01T00:00:00.000000000Z'`); err != nil {
		t.Fatal(err)
	}
	if st, _, _ := owner.post("/login/second", url.Values{"code": {recovery[1]}}); st != http.StatusBadRequest {
		t.Errorf("an expired second step: %d, want 400", st)
	}
	// Nothing of this used the recovery code up.
	owner.password("victim@example.com")
	if st, _, _ := owner.post("/login/second", url.Values{"code": {recovery[1]}}); st != http.StatusSeeOther {
		t.Errorf("the recovery code after the refused attempts: %d, want 303", st)
	}
	srv.survived(t, "replaying and moving the second step")
}

// The API's password sign-in of a TOTP account needs the code in the
// same request, and a wrong code counts like a wrong password.
func TestAttackAPISignInNeedsCode(t *testing.T) {
	needServer(t)
	db := sqlite(t)
	org(t, db, "victim")
	srv := serve(t, db, nil)
	secret, recovery := enrolTOTP(t, srv.url, "", "victim")
	session := srv.url + "/api/v1/session"
	wrong := "000000"
	for _, d := range []time.Duration{-totp.Step, 0, totp.Step} {
		if totp.Code(secret, time.Now().Add(d)) == wrong {
			wrong = "000001"
		}
	}
	if st, _, body := call(t, nil, "POST", session, "", map[string]string{"email": "victim@example.com", "password": password}); st != http.StatusUnauthorized || !strings.Contains(string(body), "second_factor_required") {
		t.Errorf("API sign-in without the code: %d %s", st, body)
	}
	if st, _, body := call(t, nil, "POST", session, "", map[string]string{"email": "victim@example.com", "password": password, "code": wrong}); st != http.StatusUnauthorized || !strings.Contains(string(body), "bad_code") {
		t.Errorf("API sign-in with a wrong code: %d %s", st, body)
	}
	if st, h, body := call(t, nil, "POST", session, "", map[string]string{"email": "victim@example.com", "password": password, "code": recovery[0]}); st != http.StatusOK || h.Get("Set-Cookie") == "" {
		t.Errorf("API sign-in with a recovery code: %d %s", st, body)
	}
}
