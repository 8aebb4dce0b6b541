package cli

import (
	"context"
	"strings"
	"testing"

	"github.com/cloudisms/cloudisms/internal/sso/ssotest"
	"github.com/cloudisms/cloudisms/internal/store"
)

// sso set|show|remove: the operator's instance provider, checked against
// a real OpenID provider's discovery (zitadel's example provider, its own
// process); the secret comes from the environment or standard input, is
// kept when left empty, and is never printed; removing it lifts the
// single sign-on of the organizations that used it.
func TestSSOInstanceCommands(t *testing.T) {
	op := ssotest.Start(t, "http://127.0.0.1:1/sso/callback")
	data := t.TempDir()
	const secret = "cli-secret-value-42"
	env := map[string]string{"CLOUDISMS_DATA": data, "LANG": "en_US.UTF-8"}
	withSecret := map[string]string{"CLOUDISMS_DATA": data, "LANG": "en_US.UTF-8", "CLOUDISMS_SSO_SECRET": secret}

	if code, out, _ := run(t, env, "sso", "show"); code != 0 || !strings.Contains(out, "no OpenID provider") {
		t.Fatalf("show before set: %d %q", code, out)
	}
	for _, args := range [][]string{
		{"sso", "set", "--client-id", "web"},                                           // no issuer
		{"sso", "set", "--issuer", op.Issuer},                                          // no client
		{"sso", "set", "--issuer", "http://idp.example.com/", "--client-id", "web"},    // http off this machine
		{"sso", "set", "--issuer", "http://127.0.0.1:1/", "--client-id", "web"},        // nothing answers discovery
		{"sso", "set", "--issuer", op.Issuer, "--client-id", "web", "--label", "a\tb"}, // control character
	} {
		if code, _, e := run(t, withSecret, args...); code == 0 || e == "" {
			t.Errorf("%v accepted", args)
		}
	}
	// No secret at all: refused (nothing saved to keep).
	if code, _, e := run(t, env, "sso", "set", "--issuer", op.Issuer, "--client-id", "web"); code == 0 || !strings.Contains(e, "secret") {
		t.Errorf("set without a secret: %d %q", code, e)
	}
	code, out, e := run(t, withSecret, "sso", "set", "--issuer", op.Issuer, "--client-id", "web", "--label", "社内 ID")
	if code != 0 || !strings.Contains(out, op.Issuer) {
		t.Fatalf("set: %d %q %q", code, out, e)
	}
	// Again without a secret: the saved one is kept.
	if code, _, e := run(t, env, "sso", "set", "--issuer", op.Issuer, "--client-id", "api"); code != 0 {
		t.Fatalf("set keeping the secret: %d %q", code, e)
	}

	ctx := context.Background()
	s, err := store.Open(ctx, "", data)
	if err != nil {
		t.Fatal(err)
	}
	p, err := s.InstanceSSOProvider(ctx)
	if err != nil || p.ClientSecret != secret || p.ClientID != "api" || p.Label != "" {
		t.Fatalf("saved: %+v %v", p, err)
	}
	if err := s.CreateOrg(ctx, "o", "O"); err != nil {
		t.Fatal(err)
	}
	if err := s.SetSSOProvider(ctx, store.SSOProvider{Org: "o", UseInstance: true, UpdatedBy: "admin"}); err != nil {
		t.Fatal(err)
	}
	s.Close()

	code, out, _ = run(t, env, "sso", "show")
	if code != 0 || !strings.Contains(out, op.Issuer) || !strings.Contains(out, "api") || !strings.Contains(out, "o") || strings.Contains(out, secret) {
		t.Fatalf("show: %d %q", code, out)
	}
	code, out, _ = run(t, env, "user", "security-log")
	if code != 0 || !strings.Contains(out, "instance provider") || strings.Contains(out, secret) {
		t.Fatalf("security log: %d %q", code, out)
	}
	code, out, _ = run(t, env, "sso", "remove")
	if code != 0 || !strings.Contains(out, "1 organizations") || !strings.Contains(out, ": o") {
		t.Fatalf("remove: %d %q", code, out)
	}
	if code, out, _ := run(t, env, "sso", "show"); code != 0 || !strings.Contains(out, "no OpenID provider") {
		t.Fatalf("show after remove: %d %q", code, out)
	}
}
