// Package ssotest runs a real OpenID provider for tests: the example
// provider of the certified github.com/zitadel/oidc module, built from the
// module cache (go.mod names it as a tool) into the test's temporary
// directory and started as a process of its own, with static users and
// the static clients "web" and "api" (secret "secret").
package ssotest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// providerPackage is the provider's main package, a tool of go.mod.
const providerPackage = "github.com/zitadel/oidc/v3/example/server"

// User is a static user of the provider.
type User struct {
	ID            string
	Username      string
	Password      string
	FirstName     string
	LastName      string
	Email         string
	EmailVerified bool
	// PreferredLanguage is a BCP 47 tag.
	PreferredLanguage string
}

// Provider is a running provider.
type Provider struct {
	Issuer string // http://localhost:PORT/
}

// Client ids and secret of the provider's static web clients.
const (
	ClientID      = "web"
	OtherClientID = "api"
	ClientSecret  = "secret"
)

// Start builds and starts the provider with the users, accepting
// redirectURI for its clients, and stops it when the test ends. It fails
// the test (never skips it) when the provider cannot be built or run.
func Start(t testing.TB, redirectURI string, users ...User) *Provider {
	t.Helper()
	dir := t.TempDir()
	bin := filepath.Join(dir, "oidc-provider")
	build := exec.Command("go", "build", "-o", bin, providerPackage)
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build the OpenID provider %s: %v\n%s", providerPackage, err, out)
	}
	byID := map[string]User{}
	for _, u := range users {
		if u.PreferredLanguage == "" {
			u.PreferredLanguage = "ja"
		}
		byID[u.ID] = u
	}
	usersJSON, err := json.Marshal(byID)
	if err != nil {
		t.Fatal(err)
	}
	usersFile := filepath.Join(dir, "users.json")
	if err := os.WriteFile(usersFile, usersJSON, 0o600); err != nil {
		t.Fatal(err)
	}
	port := freePort(t)
	cmd := exec.Command(bin)
	cmd.Env = append(os.Environ(), "PORT="+port, "USERS_FILE="+usersFile, "REDIRECT_URI="+redirectURI)
	var logs bytes.Buffer
	cmd.Stdout, cmd.Stderr = &logs, &logs
	if err := cmd.Start(); err != nil {
		t.Fatalf("start the OpenID provider: %v", err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	t.Cleanup(func() {
		cmd.Process.Kill()
		<-done
		if t.Failed() {
			t.Logf("OpenID provider log:\n%s", tail(logs.String(), 4000))
		}
	})
	p := &Provider{Issuer: "http://localhost:" + port + "/"}
	// Wait for it to answer discovery: bounded by a generous deadline
	// (a loaded machine starts processes slowly), never by a short one.
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, p.Issuer+".well-known/openid-configuration", nil)
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return p
			}
		}
		select {
		case <-done:
			t.Fatalf("the OpenID provider exited: %s", tail(logs.String(), 4000))
		case <-ctx.Done():
			t.Fatalf("the OpenID provider did not answer discovery: %v", err)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// freePort finds a port free on the loopback interface.
func freePort(t testing.TB) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return fmt.Sprint(l.Addr().(*net.TCPAddr).Port)
}

func tail(s string, n int) string {
	if len(s) > n {
		return "…" + s[len(s)-n:]
	}
	return strings.TrimSpace(s)
}
