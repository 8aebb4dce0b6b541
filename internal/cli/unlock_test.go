package cli

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/cloudisms/cloudisms/internal/store"
)

// user unlock lifts a sign-in block: after five failures from one address
// even the right password is refused; after the operator's unlock it is
// accepted.
func TestUserUnlock(t *testing.T) {
	data := t.TempDir()
	env := map[string]string{"CLOUDISMS_DATA": data, "LANG": "en_US.UTF-8", "CLOUDISMS_PASSWORD": "a long password 1"}
	if code, _, e := run(t, env, "user", "add", "locked@example.com", "--name", "Locked Out"); code != 0 {
		t.Fatal(e)
	}
	ctx := context.Background()
	s, err := store.Open(ctx, "", data)
	if err != nil {
		t.Fatal(err)
	}
	for range 5 {
		s.Login(ctx, "locked@example.com", "a wrong guess", "192.0.2.1", time.Hour)
	}
	if _, _, err := s.Login(ctx, "locked@example.com", "a long password 1", "192.0.2.1", time.Hour); !errors.Is(err, store.ErrThrottled) {
		t.Fatalf("after five failures: %v", err)
	}
	s.Close()
	code, out, e := run(t, env, "user", "unlock", "Locked@Example.com")
	if code != 0 || !strings.Contains(out, "locked@example.com") || !strings.Contains(out, "5 failures") || !strings.Contains(out, "1 blocked") {
		t.Fatalf("unlock: %d %q %q", code, out, e)
	}
	if code, _, e := run(t, env, "user", "unlock", "nobody@example.com"); code != 2 || !strings.Contains(e, "no user") {
		t.Errorf("unlock of nobody: %d %q", code, e)
	}
	s, err = store.Open(ctx, "", data)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, _, err := s.Login(ctx, "locked@example.com", "a long password 1", "192.0.2.1", time.Hour); err != nil {
		t.Errorf("after unlock: %v", err)
	}
}

// serve refuses a client address header without trusted proxies, and
// proxies without a header, before it opens anything.
func TestServeTrustedProxyFlags(t *testing.T) {
	env := map[string]string{"CLOUDISMS_DATA": t.TempDir(), "LANG": "en_US.UTF-8"}
	for _, args := range [][]string{
		{"serve", "--client-ip-header", "X-Forwarded-For"},
		{"serve", "--trusted-proxy", "10.0.0.0/8"},
		{"serve", "--client-ip-header", "X-Forwarded-For", "--trusted-proxy", "not-a-prefix"},
	} {
		if code, _, e := run(t, env, args...); code != 2 || !strings.Contains(e, "trusted-proxy") {
			t.Errorf("%v: %d %q", args, code, e)
		}
	}
}
