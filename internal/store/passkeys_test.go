package store_test

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cloudisms/cloudisms/internal/store"
	"github.com/cloudisms/cloudisms/internal/store/storetest"
)

// A user's passkeys: added, listed, found by credential, used, renamed
// and removed; bounded in number and size; another user can neither
// rename nor remove them.
func TestPasskeys(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			s, _ := b.Open(t)
			alice := mustUser(t, s, "alice@example.com")
			bob := mustUser(t, s, "bob@example.com")
			h1, err := s.PasskeyHandle(ctx, alice.ID)
			if err != nil || len(h1) != 32 {
				t.Fatalf("handle %x, %v; want 32 random bytes", h1, err)
			}
			if h2, _ := s.PasskeyHandle(ctx, alice.ID); string(h2) != string(h1) {
				t.Fatal("a second call made another handle")
			}
			if u, err := s.UserByPasskeyHandle(ctx, h1); err != nil || u.ID != alice.ID {
				t.Fatalf("user by handle: %v, %v", u, err)
			}
			if _, err := s.UserByPasskeyHandle(ctx, []byte("nobody's handle")); !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("unknown handle: %v", err)
			}
			k, err := s.AddPasskey(ctx, alice.ID, "  仕事用ノート PC ", []byte("cred-1"), []byte(`{"id":"x"}`))
			if err != nil || k.Name != "仕事用ノート PC" {
				t.Fatalf("add: %+v, %v", k, err)
			}
			if _, err := s.AddPasskey(ctx, bob.ID, "bob's", []byte("cred-1"), []byte(`{}`)); !errors.Is(err, store.ErrExists) {
				t.Fatalf("the same credential for another user: %v, want ErrExists", err)
			}
			bad := []struct {
				name, id, cred string
			}{
				{"", "c", "{}"},
				{strings.Repeat("名", store.MaxPasskeyName+1), "c", "{}"},
				{"a\nb", "c", "{}"},
				{"ok", "", "{}"},
				{"ok", strings.Repeat("x", 1024), "{}"},
				{"ok", "c", strings.Repeat("x", 16<<10+1)},
			}
			for _, c := range bad {
				if _, err := s.AddPasskey(ctx, alice.ID, c.name, []byte(c.id), []byte(c.cred)); err == nil {
					t.Errorf("AddPasskey(%.20q, %d-byte id, %d-byte credential) accepted", c.name, len(c.id), len(c.cred))
				}
			}
			got, err := s.PasskeyByCredentialID(ctx, []byte("cred-1"))
			if err != nil || got.ID != k.ID || got.UserID != alice.ID || string(got.Credential) != `{"id":"x"}` {
				t.Fatalf("by credential id: %+v, %v", got, err)
			}
			if err := s.PasskeyUsed(ctx, k.ID, []byte(`{"id":"y"}`)); err != nil {
				t.Fatal(err)
			}
			if err := s.RenamePasskey(ctx, bob.ID, k.ID, "stolen"); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("bob renames alice's passkey: %v, want ErrNotFound", err)
			}
			if _, err := s.DeletePasskey(ctx, bob.ID, k.ID); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("bob removes alice's passkey: %v, want ErrNotFound", err)
			}
			if err := s.RenamePasskey(ctx, alice.ID, k.ID, "自宅"); err != nil {
				t.Fatal(err)
			}
			list, err := s.Passkeys(ctx, alice.ID)
			if err != nil || len(list) != 1 || list[0].Name != "自宅" || list[0].LastUsedAt == "" || string(list[0].Credential) != `{"id":"y"}` {
				t.Fatalf("list: %+v, %v", list, err)
			}
			for i := 2; i <= store.MaxPasskeys; i++ {
				if _, err := s.AddPasskey(ctx, alice.ID, fmt.Sprint("key ", i), []byte(fmt.Sprint("cred-", i)), []byte(`{}`)); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := s.AddPasskey(ctx, alice.ID, "one too many", []byte("cred-x"), []byte(`{}`)); !errors.Is(err, store.ErrPasskeyLimit) {
				t.Fatalf("passkey %d: %v, want ErrPasskeyLimit", store.MaxPasskeys+1, err)
			}
			if name, err := s.DeletePasskey(ctx, alice.ID, k.ID); err != nil || name != "自宅" {
				t.Fatal(err)
			}
			if n, _ := s.PasskeyCount(ctx, alice.ID); n != store.MaxPasskeys-1 {
				t.Errorf("%d passkeys after removing one, want %d", n, store.MaxPasskeys-1)
			}
			if _, err := s.PasskeyByCredentialID(ctx, []byte("cred-1")); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("a removed passkey is still found: %v", err)
			}
			if err := s.DisableUser(ctx, alice.ID); err != nil {
				t.Fatal(err)
			}
			if _, err := s.UserByPasskeyHandle(ctx, h1); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("a disabled user is found by handle: %v", err)
			}
		})
	}
}

// Ten registrations at once for a user with nine passkeys: exactly one
// is stored.
func TestPasskeyLimitUnderRace(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			s, _ := b.Open(t)
			u := mustUser(t, s, "race@example.com")
			if _, err := s.PasskeyHandle(ctx, u.ID); err != nil {
				t.Fatal(err)
			}
			for i := 1; i < store.MaxPasskeys; i++ {
				if _, err := s.AddPasskey(ctx, u.ID, "k", []byte(fmt.Sprint("c", i)), []byte(`{}`)); err != nil {
					t.Fatal(err)
				}
			}
			var wg sync.WaitGroup
			for i := range 10 {
				wg.Go(func() { s.AddPasskey(ctx, u.ID, "k", []byte(fmt.Sprint("race", i)), []byte(`{}`)) })
			}
			wg.Wait()
			if n, _ := s.PasskeyCount(ctx, u.ID); n != store.MaxPasskeys {
				t.Errorf("%d passkeys after the race, want %d", n, store.MaxPasskeys)
			}
		})
	}
}

// A ceremony's state is kept server-side, finishes once, expires, is of
// one kind, and one address may hold only so many open.
func TestPasskeyCeremonies(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			s, _ := b.Open(t)
			now := time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)
			store.SetNow(s, func() time.Time { return now })
			tok, err := s.BeginCeremony(ctx, store.CeremonyLogin, 0, "198.51.100.1", []byte(`{"challenge":"c"}`), 5*time.Minute)
			if err != nil {
				t.Fatal(err)
			}
			if _, _, err := s.TakeCeremony(ctx, store.CeremonyRegister, tok); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("taken as the other kind: %v", err)
			}
			tok, _ = s.BeginCeremony(ctx, store.CeremonyLogin, 0, "198.51.100.1", []byte(`{"challenge":"c"}`), 5*time.Minute)
			uid, data, err := s.TakeCeremony(ctx, store.CeremonyLogin, tok)
			if err != nil || uid != 0 || string(data) != `{"challenge":"c"}` {
				t.Fatalf("take: %d %s %v", uid, data, err)
			}
			if _, _, err := s.TakeCeremony(ctx, store.CeremonyLogin, tok); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("taken twice: %v", err)
			}
			tok, _ = s.BeginCeremony(ctx, store.CeremonyRegister, 7, "198.51.100.1", []byte(`{}`), 5*time.Minute)
			now = now.Add(5 * time.Minute)
			if _, _, err := s.TakeCeremony(ctx, store.CeremonyRegister, tok); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("taken after expiry: %v", err)
			}
			if _, err := s.BeginCeremony(ctx, store.CeremonyLogin, 0, "a", []byte(strings.Repeat("x", 16<<10+1)), time.Minute); err == nil {
				t.Error("an oversized session was kept")
			}
			var throttled error
			for i := 0; i <= 20; i++ {
				if _, err := s.BeginCeremony(ctx, store.CeremonyLogin, 0, "203.0.113.9", []byte(`{}`), 5*time.Minute); err != nil {
					throttled = err
					if i != 20 {
						t.Errorf("refused at ceremony %d: %v", i+1, err)
					}
				}
			}
			if !errors.Is(throttled, store.ErrThrottled) || store.RetryAfter(throttled) < 1 {
				t.Errorf("the 21st open ceremony of one address: %v, want ErrThrottled with a wait", throttled)
			}
			if _, err := s.BeginCeremony(ctx, store.CeremonyLogin, 0, "203.0.113.10", []byte(`{}`), 5*time.Minute); err != nil {
				t.Errorf("another address is refused too: %v", err)
			}
			now = now.Add(5 * time.Minute)
			if _, err := s.BeginCeremony(ctx, store.CeremonyLogin, 0, "203.0.113.9", []byte(`{}`), 5*time.Minute); err != nil {
				t.Errorf("refused after the open ones expired: %v", err)
			}
		})
	}
}

// Failed passkey sign-ins from one address stop at the limit for the
// window; a success takes its attempt back; the window passing clears it.
func TestPasskeyThrottle(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			s, _ := b.Open(t)
			now := time.Date(2026, 12, 2, 10, 0, 0, 0, time.UTC)
			store.SetNow(s, func() time.Time { return now })
			if err := s.ReservePasskey(ctx, "198.51.100.2"); err != nil {
				t.Fatal(err)
			}
			s.PasskeySucceeded(ctx, "198.51.100.2")
			for i := range 10 {
				if err := s.ReservePasskey(ctx, "198.51.100.2"); err != nil {
					t.Fatalf("attempt %d refused: %v", i+1, err)
				}
			}
			err := s.ReservePasskey(ctx, "198.51.100.2")
			if !errors.Is(err, store.ErrThrottled) {
				t.Fatalf("attempt 11: %v, want ErrThrottled", err)
			}
			if err := s.ReservePasskey(ctx, "198.51.100.3"); err != nil {
				t.Errorf("another address refused: %v", err)
			}
			now = now.Add(15 * time.Minute)
			if err := s.ReservePasskey(ctx, "198.51.100.2"); err != nil {
				t.Errorf("refused after the window: %v", err)
			}
		})
	}
}

// A passkey is a second factor: the password of an account that has one
// starts no session but a second step, which CompleteSecondStep (after
// the passkey's check) turns into a session once; removing the last
// passkey makes the password enough again.
func TestPasskeyIsSecondFactor(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			s, _ := b.Open(t)
			u := mustUser(t, s, "holder@example.com")
			if _, err := s.PasskeyHandle(ctx, u.ID); err != nil {
				t.Fatal(err)
			}
			k, err := s.AddPasskey(ctx, u.ID, "laptop", []byte("cred"), []byte(`{}`))
			if err != nil {
				t.Fatal(err)
			}
			f, err := s.FactorsOf(ctx, u.ID)
			if err != nil || f.Passkeys != 1 || !f.SecondFactor() {
				t.Fatalf("factors %+v, %v: want one passkey counted as a second factor", f, err)
			}
			if !(store.OrgPolicy{Require: store.RequireTwoFactor}).MetBy(f) {
				t.Error("a passkey does not meet the two-factor requirement")
			}
			_, token, err := s.Login(ctx, "holder@example.com", pw, "198.51.100.4", time.Hour)
			var step *store.SecondStepError
			if !errors.As(err, &step) || token != "" {
				t.Fatalf("password of a passkey holder: token %q, %v; want the second step", token, err)
			}
			session, err := s.CompleteSecondStep(ctx, step.Pending, "198.51.100.4", "password+passkey", time.Hour)
			if err != nil || session == "" {
				t.Fatalf("complete with the passkey: %v", err)
			}
			if _, err := s.CompleteSecondStep(ctx, step.Pending, "198.51.100.4", "password+passkey", time.Hour); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("the second step completed twice: %v", err)
			}
			if _, err := s.DeletePasskey(ctx, u.ID, k.ID); err != nil {
				t.Fatal(err)
			}
			if _, token, err := s.Login(ctx, "holder@example.com", pw, "198.51.100.4", time.Hour); err != nil || token == "" {
				t.Errorf("password alone after the last passkey went: %v", err)
			}
		})
	}
}

// ResetPasskeys (the operator's recovery) removes every passkey of one
// user, none of another's, and logs each removal as the operator's.
func TestResetPasskeys(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			s, _ := b.Open(t)
			alice := mustUser(t, s, "alice@example.com")
			bob := mustUser(t, s, "bob@example.com")
			for i, name := range []string{"a1", "a2", "b1"} {
				owner := alice.ID
				if name == "b1" {
					owner = bob.ID
				}
				if _, err := s.AddPasskey(ctx, owner, name, []byte{byte(i + 1)}, []byte(`{}`)); err != nil {
					t.Fatal(err)
				}
			}
			if n, err := s.ResetPasskeys(ctx, alice.ID); err != nil || n != 2 {
				t.Fatalf("reset: %d, %v; want 2", n, err)
			}
			if n, err := s.ResetPasskeys(ctx, alice.ID); err != nil || n != 0 {
				t.Fatalf("reset again: %d, %v; want 0", n, err)
			}
			if n, _ := s.PasskeyCount(ctx, bob.ID); n != 1 {
				t.Fatalf("bob's passkeys: %d", n)
			}
			if _, err := s.ResetPasskeys(ctx, 999999); !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("unknown user: %v", err)
			}
			evs, _, err := s.SecurityLogOf(ctx, alice.ID, 0, 10)
			if err != nil {
				t.Fatal(err)
			}
			var details []string
			for _, e := range evs {
				if e.Kind == store.EventPasskeyOff {
					details = append(details, e.Detail)
				}
			}
			if got := strings.Join(details, ","); got != "operator: a2,operator: a1" && got != "operator: a1,operator: a2" {
				t.Fatalf("security log of the reset: %q", got)
			}
		})
	}
}
