package cli

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/cloudisms/cloudisms/internal/store"
	"github.com/cloudisms/cloudisms/internal/totp"
)

// user totp-off is the operator's way back in for someone who lost both
// the phone and the recovery codes; user security-log shows it.
func TestUserTOTPOffAndSecurityLog(t *testing.T) {
	data := t.TempDir()
	env := map[string]string{"CLOUDISMS_DATA": data, "LANG": "en_US.UTF-8", "CLOUDISMS_PASSWORD": "a long password 1"}
	if code, _, e := run(t, env, "user", "add", "lost@example.com", "--name", "Lost Phone"); code != 0 {
		t.Fatal(e)
	}
	ctx := context.Background()
	s, err := store.Open(ctx, "", data)
	if err != nil {
		t.Fatal(err)
	}
	u, _ := s.UserByEmail(ctx, "lost@example.com")
	secret, err := s.BeginTOTP(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.ConfirmTOTP(ctx, u.ID, totp.Code(secret, time.Now()), "192.0.2.1"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Login(ctx, u.Email, "a long password 1", "192.0.2.1", time.Hour); !errors.Is(err, store.ErrSecondFactor) {
		t.Fatalf("with TOTP on: %v", err)
	}
	s.Close()
	code, out, e := run(t, env, "user", "totp-off", "Lost@Example.com")
	if code != 0 || !strings.Contains(out, "lost@example.com") {
		t.Fatalf("totp-off: %d %q %q", code, out, e)
	}
	code, out, e = run(t, env, "user", "security-log")
	if code != 0 || !strings.Contains(out, "Two-factor turned off") || !strings.Contains(out, "operator") || !strings.Contains(out, "Two-factor turned on") {
		t.Fatalf("security-log: %d %q %q", code, out, e)
	}
	s, err = store.Open(ctx, "", data)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, _, err := s.Login(ctx, u.Email, "a long password 1", "192.0.2.1", time.Hour); err != nil {
		t.Errorf("after totp-off: %v", err)
	}
}

// user passkeys-off is the operator's way back in for someone who lost
// the devices holding their passkeys: it removes that user's passkeys
// only, and the security log shows each as removed by the operator.
func TestUserPasskeysOff(t *testing.T) {
	data := t.TempDir()
	env := map[string]string{"CLOUDISMS_DATA": data, "LANG": "en_US.UTF-8", "CLOUDISMS_PASSWORD": "a long password 1"}
	for _, email := range []string{"lost@example.com", "other@example.com"} {
		if code, _, e := run(t, env, "user", "add", email, "--name", "Someone"); code != 0 {
			t.Fatal(e)
		}
	}
	ctx := context.Background()
	s, err := store.Open(ctx, "", data)
	if err != nil {
		t.Fatal(err)
	}
	lost, _ := s.UserByEmail(ctx, "lost@example.com")
	other, _ := s.UserByEmail(ctx, "other@example.com")
	for i, k := range []struct {
		user int64
		name string
	}{{lost.ID, "laptop"}, {lost.ID, "security key"}, {other.ID, "other's phone"}} {
		if _, err := s.AddPasskey(ctx, k.user, k.name, []byte{byte(i + 1)}, []byte(`{}`)); err != nil {
			t.Fatal(err)
		}
	}
	if _, _, err := s.Login(ctx, lost.Email, "a long password 1", "192.0.2.1", time.Hour); !errors.Is(err, store.ErrSecondFactor) {
		t.Fatalf("with passkeys: %v", err)
	}
	s.Close()

	if code, _, e := run(t, env, "user", "passkeys-off", "nobody@example.com"); code == 0 || e == "" {
		t.Fatalf("unknown email: %d %q", code, e)
	}
	code, out, e := run(t, env, "user", "passkeys-off", "Lost@Example.com")
	if code != 0 || !strings.Contains(out, "lost@example.com") || !strings.Contains(out, "(2)") {
		t.Fatalf("passkeys-off: %d %q %q", code, out, e)
	}
	code, out, e = run(t, env, "user", "security-log")
	if code != 0 || strings.Count(out, "Passkey removed") != 2 || !strings.Contains(out, "operator: laptop") || !strings.Contains(out, "operator: security key") {
		t.Fatalf("security-log: %d %q %q", code, out, e)
	}

	s, err = store.Open(ctx, "", data)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if n, _ := s.PasskeyCount(ctx, lost.ID); n != 0 {
		t.Errorf("%d passkeys left", n)
	}
	if n, _ := s.PasskeyCount(ctx, other.ID); n != 1 {
		t.Errorf("another user's passkeys: %d, want 1", n)
	}
	if _, _, err := s.Login(ctx, lost.Email, "a long password 1", "192.0.2.1", time.Hour); err != nil {
		t.Errorf("after passkeys-off: %v", err)
	}
}
