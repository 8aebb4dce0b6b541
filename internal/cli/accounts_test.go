package cli

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/cloudisms/cloudisms/internal/store"
)

func TestAccountCommands(t *testing.T) {
	data := t.TempDir()
	env := map[string]string{"CLOUDISMS_DATA": data, "LANG": "en_US.UTF-8", "CLOUDISMS_PASSWORD": "a long password 1"}
	noPassword := map[string]string{"CLOUDISMS_DATA": data, "LANG": "en_US.UTF-8"}
	must := func(args ...string) string {
		t.Helper()
		code, out, e := run(t, env, args...)
		if code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, e)
		}
		return out
	}
	if out := must("user", "add", "Alice@Example.com", "--name", "Alice Liddell"); !strings.Contains(out, "alice@example.com") {
		t.Errorf("user add: %q", out)
	}
	must("user", "add", "hanako@example.com", "--name", "佐藤 花子", "--lang", "ja")
	must("import", sample, "--org", "acme")
	must("org", "add", "beta")

	for _, tc := range []struct {
		env  map[string]string
		args []string
		code int
		msg  string // in the standard error
	}{
		{env, []string{"user"}, 2, "add, passwd, list, disable"},
		{env, []string{"user", "nope"}, 2, "add, passwd, list, disable"},
		{env, []string{"user", "add", "alice@example.com", "--name", "Again"}, 2, "already exists"},
		{env, []string{"user", "add", "ALICE@example.com", "--name", "Again"}, 2, "already exists"},
		{env, []string{"user", "add", "bob@example.com"}, 2, "--name is required"},
		{env, []string{"user", "add", "not-an-email", "--name", "X"}, 2, "not an email address"},
		{env, []string{"user", "add", "--name", "X"}, 2, "one user's email"},
		{env, []string{"user", "add", "bob@example.com", "--name", "Bob", "--lang", "fr"}, 2, "--lang"},
		{env, []string{"user", "add", "bob@example.com", "--name", "Bob", "--password", "x"}, 2, "password"},
		{noPassword, []string{"user", "add", "bob@example.com", "--name", "Bob"}, 2, "no password"},
		{map[string]string{"CLOUDISMS_DATA": data, "LANG": "en", "CLOUDISMS_PASSWORD": "short"}, []string{"user", "add", "bob@example.com", "--name", "Bob"}, 2, "at least 10 characters"},
		{noPassword, []string{"user", "passwd", "alice@example.com"}, 2, "no password"},
		{env, []string{"user", "passwd", "nobody@example.com"}, 2, "no user nobody@example.com"},
		{env, []string{"user", "disable", "nobody@example.com"}, 2, "no user"},
		{env, []string{"user", "list", "extra"}, 2, "takes no arguments"},
		{env, []string{"member", "add", "--org", "acme", "--email", "alice@example.com", "--role", "owner"}, 2, "admin, isms-manager, risk-owner, auditor, executive, viewer"},
		{env, []string{"member", "add", "--org", "acme", "--email", "alice@example.com"}, 2, "--role is required"},
		{env, []string{"member", "add", "--email", "alice@example.com", "--role", "viewer"}, 2, "--org"},
		{env, []string{"member", "add", "--org", "acme", "--role", "viewer"}, 2, "--email is required"},
		{env, []string{"member", "add", "--org", "nope", "--email", "alice@example.com", "--role", "viewer"}, 2, "no organization nope"},
		{env, []string{"member", "add", "--org", "acme", "--email", "nobody@example.com", "--role", "viewer"}, 2, "no user"},
		{env, []string{"member", "add", "--org", "acme", "--email", "alice@example.com", "--role", "risk-owner", "--person", "p-nobody"}, 2, "no p-nobody in the people list"},
		{env, []string{"member", "add", "--org", "beta", "--email", "alice@example.com", "--role", "risk-owner", "--person", "p-ceo"}, 2, "no p-ceo"},
		{env, []string{"token", "create", "--email", "alice@example.com"}, 2, "--name is required"},
		{env, []string{"token", "create", "--name", "ci"}, 2, "--email is required"},
		{env, []string{"token", "create", "--email", "nobody@example.com", "--name", "ci"}, 2, "no user"},
		{env, []string{"token", "create", "--email", "alice@example.com", "--name", "ci", "--expires-in", "0d"}, 2, "not a duration"},
		{env, []string{"token", "create", "--email", "alice@example.com", "--name", "ci", "--expires-in", "soon"}, 2, "not a duration"},
		{env, []string{"token", "create", "--email", "alice@example.com", "--name", "ci", "--expires-in", "-1h"}, 2, "not a duration"},
		{env, []string{"token", "revoke"}, 2, "the id"},
		{env, []string{"token", "revoke", "x"}, 2, "the id"},
		{env, []string{"token", "revoke", "999"}, 2, "no token 999"},
		{env, []string{"token"}, 2, "create, list, revoke"},
	} {
		code, out, e := run(t, tc.env, tc.args...)
		if code != tc.code || !strings.Contains(e, tc.msg) {
			t.Errorf("%v: exit %d, want %d; stderr %q, want it to say %q", tc.args, code, tc.code, e, tc.msg)
		}
		if code != 0 && out != "" {
			t.Errorf("%v failed but wrote %q to standard output", tc.args, out)
		}
	}

	out := must("user", "list")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 2 || !strings.Contains(lines[0], "alice@example.com") || !strings.Contains(lines[0], "Alice Liddell") ||
		!strings.Contains(lines[0], " en ") || !strings.Contains(lines[1], "佐藤 花子") || !strings.Contains(lines[1], " ja ") ||
		!strings.Contains(out, "active") {
		t.Errorf("user list:\n%s", out)
	}
	if _, jaOut, _ := run(t, map[string]string{"CLOUDISMS_DATA": data}, "user", "list"); !strings.Contains(jaOut, "有効") {
		t.Errorf("user list in Japanese:\n%s", jaOut)
	}

	must("member", "add", "--org", "acme", "--email", "alice@example.com", "--role", "risk-owner", "--person", "p-ceo")
	must("member", "add", "--org", "acme", "--email", "HANAKO@example.com", "--role", "viewer")
	must("member", "add", "--org", "acme", "--email", "hanako@example.com", "--role", "auditor", "--person", "p-cto")
	if out := must("member", "list", "--org", "acme"); fields(out) != "alice@example.com risk-owner p-ceo|hanako@example.com auditor p-cto" {
		t.Errorf("member list:\n%s", out)
	}

	code, secret, note := run(t, env, "token", "create", "--email", "alice@example.com", "--name", "ci", "--expires-in", "30d")
	secret = strings.TrimSpace(secret)
	if code != 0 || !strings.HasPrefix(secret, "cis_") || strings.Contains(secret, "\n") || !strings.Contains(note, "shown only this once") {
		t.Fatalf("token create: exit %d, stdout %q, stderr %q", code, secret, note)
	}
	_, secret2, _ := run(t, env, "token", "create", "--email", "alice@example.com", "--name", "deploy")
	secret2 = strings.TrimSpace(secret2)
	if out := must("token", "list", "--email", "alice@example.com"); strings.Contains(out, secret) || !strings.Contains(out, "1  ci") || !strings.Contains(out, "2  deploy") {
		t.Errorf("token list:\n%s", out)
	}

	// What the commands did, seen through the store.
	s, err := store.Open(context.Background(), "", data)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	alice, err := s.Authenticate(ctx, "alice@example.com", "a long password 1")
	if err != nil || alice.Lang != "en" || alice.Name != "Alice Liddell" {
		t.Fatalf("alice: %+v, %v", alice, err)
	}
	if hanako, _ := s.UserByEmail(ctx, "hanako@example.com"); hanako.Lang != "ja" {
		t.Errorf("hanako's language: %q", hanako.Lang)
	}
	if m, err := s.Member(ctx, "acme", alice.ID); err != nil || m.Role != "risk-owner" || m.Person != "p-ceo" {
		t.Errorf("membership: %+v, %v", m, err)
	}
	if u, err := s.TokenUser(ctx, secret); err != nil || u.ID != alice.ID {
		t.Errorf("token user: %+v, %v", u, err)
	}
	tokens, _ := s.Tokens(ctx, alice.ID)
	if len(tokens) != 2 {
		t.Fatalf("tokens: %+v", tokens)
	}
	exp, _ := time.Parse(time.RFC3339Nano, tokens[0].ExpiresAt)
	if d := time.Until(exp); d < 29*24*time.Hour || d > 30*24*time.Hour {
		t.Errorf("--expires-in 30d: expires in %s", d)
	}
	exp, _ = time.Parse(time.RFC3339Nano, tokens[1].ExpiresAt)
	if d := time.Until(exp); d < 89*24*time.Hour || d > 90*24*time.Hour {
		t.Errorf("default lifetime: expires in %s", d)
	}
	session, err := s.CreateSession(ctx, alice.ID, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()

	if out := must("token", "revoke", "1"); !strings.Contains(out, "token 1 revoked") {
		t.Errorf("token revoke: %q", out)
	}
	if out := must("token", "list", "--email", "alice@example.com"); !strings.Contains(out, "revoked") {
		t.Errorf("token list after revoke:\n%s", out)
	}

	// A new password from standard input ends the sessions.
	var stdout, stderr strings.Builder
	code = Run(context.Background(), []string{"user", "passwd", "alice@example.com"}, func(k string) string { return noPassword[k] },
		strings.NewReader("another password 2\nignored\n"), &stdout, &stderr)
	if code != 0 || !strings.Contains(stdout.String(), "sessions have ended") {
		t.Fatalf("user passwd: exit %d: %s%s", code, stdout.String(), stderr.String())
	}
	must("user", "disable", "hanako@example.com")
	if code, _, e := run(t, env, "token", "create", "--email", "hanako@example.com", "--name", "x"); code != 2 || !strings.Contains(e, "disabled") {
		t.Errorf("token for a disabled user: exit %d: %s", code, e)
	}
	if out := must("user", "list"); !strings.Contains(out, "disabled") {
		t.Errorf("user list after disable:\n%s", out)
	}

	s, err = store.Open(context.Background(), "", data)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.SessionUser(ctx, session); err == nil {
		t.Error("the session survived a password change")
	}
	if _, err := s.Authenticate(ctx, "alice@example.com", "another password 2"); err != nil {
		t.Errorf("the password from standard input: %v", err)
	}
	if _, err := s.TokenUser(ctx, secret); err == nil {
		t.Error("a revoked token works")
	}
	if _, err := s.TokenUser(ctx, secret2); err != nil {
		t.Errorf("the other token: %v", err)
	}
	if _, err := s.Authenticate(ctx, "hanako@example.com", "a long password 1"); err == nil {
		t.Error("a disabled user signs in")
	}
}

// fields joins the words of each line with a space, and the lines with |.
func fields(out string) string {
	var lines []string
	for _, l := range strings.Split(strings.TrimSpace(out), "\n") {
		lines = append(lines, strings.Join(strings.Fields(l), " "))
	}
	return strings.Join(lines, "|")
}
