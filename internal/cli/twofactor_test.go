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
