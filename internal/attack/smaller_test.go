package attack

import (
	"net/http"
	"net/url"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// TestAttackSmallerOnes is item 12's parts that a signed-in member or an
// anonymous client can reach: an open redirect after signing in, a scope
// approval without its version and a 50,000-character search (both 500
// before, now 400 with a message), checked on both databases where the
// search runs in SQL; and the admin of another organization trying the
// victim's pages and API.
func TestAttackSmallerOnes(t *testing.T) {
	needServer(t)
	for _, db := range databases(t) {
		t.Run(db.name, func(t *testing.T) {
			if db.skip != "" {
				t.Skip(db.skip)
			}
			token := org(t, db, "victim")
			srv := serve(t, db, nil)
			web := browser(t, srv.url, "victim")

			// Open redirect: every next leads to this site.
			jar := web.Jar
			for _, next := range []string{"/\t/evil.example", "//evil.example", "/\\evil.example", "https://evil.example/", "/\n/evil.example", "\\\\evil.example"} {
				c := &http.Client{Jar: jar, CheckRedirect: web.CheckRedirect}
				res, err := c.PostForm(srv.url+"/login", url.Values{"email": {"victim@example.com"}, "password": {password}, "next": {next}})
				if err != nil {
					t.Fatal(err)
				}
				res.Body.Close()
				if loc := res.Header.Get("Location"); res.StatusCode != http.StatusSeeOther || loc != "/" {
					t.Errorf("next %q: %d to %q, want 303 to /", next, res.StatusCode, loc)
				}
			}

			// A scope approval without the version approved.
			st, _, body := call(t, web, "POST", srv.url+"/orgs/victim/scope/approve", "", []byte(""), "Content-Type", "application/x-www-form-urlencoded")
			if st != http.StatusBadRequest || !strings.Contains(string(body), "version") {
				t.Errorf("scope approve without version: %d %.300s", st, body)
			}

			// A 50,000-character search, through the API and a list page.
			q := strings.Repeat("x", 50_000)
			st, _, body = call(t, nil, "GET", srv.url+"/api/v1/orgs/victim/items/risks?q="+url.QueryEscape(q), token, nil)
			if st != http.StatusBadRequest || !strings.Contains(string(body), `"q"`) {
				t.Errorf("API search of 50,000 characters: %d %.300s", st, body)
			}
			st, _, body = call(t, web, "GET", srv.url+"/orgs/victim/items/assets?q="+url.QueryEscape(strings.Repeat("x", 50_000)), "", nil)
			if st != http.StatusBadRequest {
				t.Errorf("list page search of 50,000 characters: %d %.300s", st, body)
			}
			// Across organizations: the admin of another organization
			// reaches none of the victim's pages, API or printed
			// documents, and no answer holds the victim's data.
			attacker := org(t, db, "attacker")
			atWeb := browser(t, srv.url, "attacker")
			secret := "victim-only-risk-title"
			_, _, it := call(t, nil, "GET", srv.url+"/api/v1/orgs/victim/items/risks/r-01", token, nil)
			if !strings.Contains(string(it), "r-01") {
				t.Fatalf("the victim's own risk: %.200s", it)
			}
			if st, _, body := call(t, nil, "PUT", srv.url+"/api/v1/orgs/victim/bundle", attacker, []byte("format: cloudisms/v1\n"), "Content-Type", "application/yaml"); st != http.StatusForbidden && st != http.StatusNotFound {
				t.Errorf("the attacker replaced the victim's bundle: %d %.200s", st, body)
			}
			for _, path := range []string{"/api/v1/orgs/victim/bundle", "/api/v1/orgs/victim/history", "/api/v1/orgs/victim/items/risks", "/api/v1/orgs/victim/items/risks/r-01", "/api/v1/orgs/victim/check"} {
				st, _, body := call(t, nil, "GET", srv.url+path, attacker, nil)
				if st != http.StatusForbidden && st != http.StatusNotFound || strings.Contains(string(body), "r-01") || strings.Contains(string(body), secret) {
					t.Errorf("attacker GET %s: %d %.200s", path, st, body)
				}
			}
			for _, path := range []string{"/orgs/victim/risks", "/orgs/victim/print/scope", "/orgs/victim/print/risks?format=pdf", "/orgs/victim/history"} {
				st, _, body := call(t, atWeb, "GET", srv.url+path, "", nil)
				if st != http.StatusForbidden && st != http.StatusNotFound || strings.Contains(string(body), "r-01") {
					t.Errorf("attacker's browser GET %s: %d %.200s", path, st, body)
				}
			}
			srv.survived(t, "smaller attacks")
		})
	}
}

// TestDemoKeepsItsAdmin is item 12: every `serve --demo` start reset the
// demo admin's password and minted another 30-day token. The second start
// keeps both and says how to make new ones.
func TestDemoKeepsItsAdmin(t *testing.T) {
	needServer(t)
	db := sqlite(t)
	start := func() string {
		addr := freeAddr(t)
		cmd := exec.Command(bin, append([]string{"serve", "--demo", "--lang", "en", "--listen", addr}, db.args...)...)
		var out logBuffer
		cmd.Stdout, cmd.Stderr = &out, &out
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		defer func() { cmd.Process.Kill(); cmd.Wait() }()
		waitListening(t, addr)
		deadline := time.Now().Add(10 * time.Second)
		for !strings.Contains(out.String(), "Demo organization") && time.Now().Before(deadline) {
			time.Sleep(50 * time.Millisecond)
		}
		return out.String()
	}
	first := start()
	if !strings.Contains(first, "password:") || !strings.Contains(first, "cis_") {
		t.Fatalf("first start shows no password and token:\n%s", first)
	}
	second := start()
	if strings.Contains(second, "cis_") || strings.Contains(second, "\n  password: ") || !strings.Contains(second, "token create --email admin@example.com") {
		t.Errorf("second start:\n%s", second)
	}
	out, err := exec.Command(bin, append([]string{"token", "list", "--email", "admin@example.com"}, db.args...)...).CombinedOutput()
	if err != nil {
		t.Fatal(err, string(out))
	}
	if n := strings.Count(string(out), "demo"); n != 1 {
		t.Errorf("%d demo tokens after two starts:\n%s", n, out)
	}
}
