package store_test

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/cloudisms/cloudisms/internal/store"
	"github.com/cloudisms/cloudisms/internal/store/storetest"
	"github.com/cloudisms/cloudisms/internal/totp"
)

const addr = "203.0.113.9"

// clockAt gives a store a clock the test moves.
func clockAt(s *store.Store, start time.Time) *time.Time {
	now := start
	store.SetNow(s, func() time.Time { return now })
	return &now
}

// enrol turns TOTP on for a user and returns the secret and the recovery
// codes.
func enrol(t *testing.T, s *store.Store, u store.User, now time.Time) ([]byte, []string) {
	t.Helper()
	secret, err := s.BeginTOTP(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	codes, err := s.ConfirmTOTP(ctx, u.ID, totp.Code(secret, now), addr)
	if err != nil {
		t.Fatal(err)
	}
	return secret, codes
}

func TestTOTPSignIn(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			s, _ := b.Open(t)
			now := clockAt(s, time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC))
			u := mustUser(t, s, "totp@example.com")

			// Before confirmation the secret is shown again, TOTP is off
			// and the password alone signs in.
			secret, err := s.BeginTOTP(ctx, u.ID)
			if err != nil {
				t.Fatal(err)
			}
			again, err := s.EnrollingTOTP(ctx, u.ID)
			if err != nil || string(again) != string(secret) {
				t.Fatalf("EnrollingTOTP = %v, %v", again, err)
			}
			if f, _ := s.FactorsOf(ctx, u.ID); f.SecondFactor() {
				t.Fatal("TOTP on before its confirmation")
			}
			if _, err := s.ConfirmTOTP(ctx, u.ID, "000000", addr); !errors.Is(err, store.ErrBadCode) && totp.Code(secret, *now) != "000000" {
				t.Fatalf("wrong confirmation code: %v", err)
			}
			codes, err := s.ConfirmTOTP(ctx, u.ID, totp.Code(secret, *now), addr)
			if err != nil {
				t.Fatal(err)
			}
			if len(codes) != store.RecoveryCodes {
				t.Fatalf("%d recovery codes", len(codes))
			}
			if _, err := s.EnrollingTOTP(ctx, u.ID); !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("confirmed secret shown again: %v", err)
			}
			if _, err := s.BeginTOTP(ctx, u.ID); !errors.Is(err, store.ErrExists) {
				t.Fatalf("second enrolment over a confirmed one: %v", err)
			}

			// The password alone no longer signs in.
			_, tok, err := s.Login(ctx, u.Email, pw, addr, time.Hour)
			var step *store.SecondStepError
			if !errors.As(err, &step) || tok != "" {
				t.Fatalf("Login = %q, %v; want a second step", tok, err)
			}
			// The code of the confirmation was used: the next step's code
			// is needed.
			if _, _, _, err := s.SecondStepCode(ctx, step.Pending, totp.Code(secret, *now), addr, time.Hour); !errors.Is(err, store.ErrBadCode) {
				t.Fatalf("reused code: %v", err)
			}
			*now = now.Add(totp.Step)
			if _, _, _, err := s.SecondStepCode(ctx, step.Pending, totp.Code(secret, *now), "198.51.100.1", time.Hour); !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("second step from another address: %v", err)
			}
			got, session, _, err := s.SecondStepCode(ctx, step.Pending, totp.Code(secret, *now), addr, time.Hour)
			if err != nil || got.ID != u.ID {
				t.Fatalf("SecondStepCode = %v, %v", got, err)
			}
			if su, err := s.SessionUser(ctx, session); err != nil || su.ID != u.ID {
				t.Fatalf("session: %v, %v", su, err)
			}
			// The pending state is used up.
			*now = now.Add(totp.Step)
			if _, _, _, err := s.SecondStepCode(ctx, step.Pending, totp.Code(secret, *now), addr, time.Hour); !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("pending state used twice: %v", err)
			}

			// A recovery code signs in once.
			_, _, err = s.Login(ctx, u.Email, pw, addr, time.Hour)
			errors.As(err, &step)
			if _, _, _, err := s.SecondStepCode(ctx, step.Pending, codes[3], addr, time.Hour); err != nil {
				t.Fatalf("recovery code: %v", err)
			}
			_, _, err = s.Login(ctx, u.Email, pw, addr, time.Hour)
			errors.As(err, &step)
			if _, _, _, err := s.SecondStepCode(ctx, step.Pending, codes[3], addr, time.Hour); !errors.Is(err, store.ErrBadCode) {
				t.Fatalf("recovery code used twice: %v", err)
			}
			if f, _ := s.FactorsOf(ctx, u.ID); f.RecoveryLeft != store.RecoveryCodes-1 {
				t.Fatalf("recovery codes left: %d", f.RecoveryLeft)
			}

			// An expired pending state is refused.
			*now = now.Add(store.SecondStepTTL + time.Second)
			if _, _, _, err := s.SecondStepCode(ctx, step.Pending, totp.Code(secret, *now), addr, time.Hour); !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("expired pending state: %v", err)
			}

			// Turning off needs the password and a code.
			*now = now.Add(totp.Step)
			if err := s.DisableTOTP(ctx, u.ID, "wrong password!", totp.Code(secret, *now), addr); !errors.Is(err, store.ErrWrongPassword) {
				t.Fatalf("disable with a wrong password: %v", err)
			}
			// (The code of that attempt was used: the next one is needed.)
			if err := s.DisableTOTP(ctx, u.ID, pw, totp.Code(secret, now.Add(totp.Step)), addr); err != nil {
				t.Fatal(err)
			}
			if f, _ := s.FactorsOf(ctx, u.ID); f.SecondFactor() || f.RecoveryLeft != 0 {
				t.Fatalf("factors after disabling: %+v", f)
			}
			if _, tok, err := s.Login(ctx, u.Email, pw, addr, time.Hour); err != nil || tok == "" {
				t.Fatalf("password sign-in after disabling: %v", err)
			}

			// Every step is in the security log, newest first.
			evs, _, err := s.SecurityLogOf(ctx, u.ID, 0, 100)
			if err != nil {
				t.Fatal(err)
			}
			seen := map[string]int{}
			for _, e := range evs {
				seen[e.Kind]++
			}
			for _, k := range []string{store.EventTOTPOn, store.EventTOTPOff, store.EventSecondStep, store.EventSecondFailed, store.EventRecoveryUsed, store.EventLogin} {
				if seen[k] == 0 {
					t.Errorf("no %s event in %v", k, seen)
				}
			}
		})
	}
}

// Turning TOTP off with the right password and guessed codes is
// throttled: the right password does not clear the count of wrong codes.
func TestDisableTOTPGuessingThrottled(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			s, _ := b.Open(t)
			now := clockAt(s, time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC))
			u := mustUser(t, s, "stolen@example.com")
			secret, _ := enrol(t, s, u, *now)
			var wrong []string
			for c := 100000; len(wrong) < 3*store.PairMax; c += 7919 {
				code := fmt.Sprint(c)
				if code != totp.Code(secret, *now) && code != totp.Code(secret, now.Add(totp.Step)) && code != totp.Code(secret, now.Add(-totp.Step)) {
					wrong = append(wrong, code)
				}
			}
			var last error
			for _, code := range wrong {
				if last = s.DisableTOTP(ctx, u.ID, pw, code, addr); errors.Is(last, store.ErrThrottled) {
					break
				}
				if !errors.Is(last, store.ErrBadCode) {
					t.Fatalf("a wrong code: %v", last)
				}
			}
			if !errors.Is(last, store.ErrThrottled) {
				t.Fatalf("%d wrong codes with the right password never throttled", len(wrong))
			}
			if f, _ := s.FactorsOf(ctx, u.ID); !f.TOTP {
				t.Fatal("TOTP turned off")
			}
		})
	}
}

// Wrong codes are counted like wrong passwords: after PairMax failures
// from one address, even the right code is refused, and signing in with
// the password again does not give more tries.
func TestSecondStepThrottled(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			s, _ := b.Open(t)
			now := clockAt(s, time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC))
			u := mustUser(t, s, "guess@example.com")
			secret, _ := enrol(t, s, u, *now)
			*now = now.Add(totp.Step)
			right := totp.Code(secret, *now)
			wrong := "000000"
			if wrong == right {
				wrong = "111111"
			}
			throttled := false
			for i := 0; i < 3*store.PairMax && !throttled; i++ {
				_, _, err := s.Login(ctx, u.Email, pw, addr, time.Hour)
				var step *store.SecondStepError
				if errors.Is(err, store.ErrThrottled) {
					throttled = true
					break
				}
				if !errors.As(err, &step) {
					t.Fatalf("login %d: %v", i, err)
				}
				_, _, _, err = s.SecondStepCode(ctx, step.Pending, wrong, addr, time.Hour)
				if errors.Is(err, store.ErrThrottled) {
					throttled = true
					break
				}
				if !errors.Is(err, store.ErrBadCode) {
					t.Fatalf("code %d: %v", i, err)
				}
			}
			if !throttled {
				t.Fatal("wrong codes never throttled")
			}
		})
	}
}

func TestOrgPolicy(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			s, _ := b.Open(t)
			now := clockAt(s, time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC))
			if err := s.CreateOrg(ctx, "acme", "Acme"); err != nil {
				t.Fatal(err)
			}
			admin := mustUser(t, s, "admin@example.com")
			member := mustUser(t, s, "member@example.com")
			for _, u := range []store.User{admin, member} {
				if err := s.AddMember(ctx, "acme", u.ID, "admin", ""); err != nil {
					t.Fatal(err)
				}
			}
			if _, ok, err := s.PolicyAllows(ctx, "acme", member.ID); !ok || err != nil {
				t.Fatalf("no policy refused: %v", err)
			}
			session := func(u store.User) string {
				t.Helper()
				tok, err := s.CreateSession(ctx, u.ID, time.Hour)
				if err != nil {
					t.Fatal(err)
				}
				return tok
			}
			// Access: the membership and the policy in one read.
			access := func(u store.User) (store.Membership, store.OrgPolicy) {
				t.Helper()
				m, p, err := s.Access(ctx, "acme", u.ID)
				if err != nil || m.Role != "admin" || m.Org != "acme" || m.UserID != u.ID || p.Org != "acme" {
					t.Fatalf("access of %s: %+v %+v %v", u.Email, m, p, err)
				}
				// The same with the session's user and every membership
				// of the user.
				su, a, err := s.SessionAccess(ctx, session(u), "acme")
				want, werr := s.Memberships(ctx, u.ID)
				if err != nil || werr != nil || su.ID != u.ID || su.Email != u.Email || a.Err != nil || a.Member != m || a.Policy != p || !reflect.DeepEqual(a.All, want) {
					t.Fatalf("session access of %s: %+v %+v %v, want %+v", u.Email, su, a, err, want)
				}
				return m, p
			}
			if _, p := access(member); p.Require != store.RequireNothing || p.UpdatedBy != "" {
				t.Fatalf("access without a policy: %+v", p)
			}
			stranger := mustUser(t, s, "stranger@example.com")
			if _, _, err := s.Access(ctx, "acme", stranger.ID); !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("a stranger's access: %v", err)
			}
			// A member of another organization only is a stranger too,
			// and that organization's policy is not taken for this one's.
			if err := s.CreateOrg(ctx, "other", "Other"); err != nil {
				t.Fatal(err)
			}
			if err := s.AddMember(ctx, "other", stranger.ID, "admin", ""); err != nil {
				t.Fatal(err)
			}
			if err := s.SetOrgPolicy(ctx, "other", store.RequireTwoFactor, admin, addr); err != nil {
				t.Fatal(err)
			}
			if u, a, err := s.SessionAccess(ctx, session(stranger), "acme"); err != nil || u.ID != stranger.ID || !errors.Is(a.Err, store.ErrNotFound) || a.Member != (store.Membership{}) || a.Policy != (store.OrgPolicy{}) {
				t.Fatalf("a stranger's session access: %+v %+v %v", u, a, err)
			}
			// A session that is not, or no longer, valid names nobody.
			expiring, err := s.CreateSession(ctx, member.ID, time.Minute)
			if err != nil {
				t.Fatal(err)
			}
			*now = now.Add(2 * time.Minute)
			for name, tok := range map[string]string{"expired": expiring, "unknown": "no-such-session"} {
				if u, _, err := s.SessionAccess(ctx, tok, "acme"); !errors.Is(err, store.ErrNotFound) || u.ID != 0 {
					t.Fatalf("%s session: %+v %v", name, u, err)
				}
			}
			if err := s.AddMember(ctx, "acme", stranger.ID, "admin", ""); err != nil {
				t.Fatal(err)
			}
			if _, p := access(stranger); p.Require != store.RequireNothing {
				t.Fatalf("another organization's policy taken for acme's: %+v", p)
			}
			if _, _, err := s.Access(ctx, "nope", member.ID); !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("access to an unknown organization: %v", err)
			}
			if err := s.SetOrgPolicy(ctx, "acme", "sms", admin, addr); err == nil {
				t.Fatal("unknown requirement accepted")
			}
			if err := s.SetOrgPolicy(ctx, "nope", store.RequireTwoFactor, admin, addr); !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("unknown organization: %v", err)
			}
			if err := s.SetOrgPolicy(ctx, "acme", store.RequireTwoFactor, admin, addr); err != nil {
				t.Fatal(err)
			}
			if _, ok, _ := s.PolicyAllows(ctx, "acme", member.ID); ok {
				t.Fatal("member without a second factor allowed")
			}
			_, policy := access(member)
			if policy.Require != store.RequireTwoFactor || policy.UpdatedBy != admin.Email || policy.UpdatedAt == "" {
				t.Fatalf("access with a policy: %+v", policy)
			}
			if ok, err := s.PolicyMet(ctx, policy, member.ID); ok || err != nil {
				t.Fatalf("policy met without a second factor: %v", err)
			}
			enrol(t, s, member, *now)
			if _, ok, _ := s.PolicyAllows(ctx, "acme", member.ID); !ok {
				t.Fatal("member with TOTP refused")
			}
			if ok, err := s.PolicyMet(ctx, policy, member.ID); !ok || err != nil {
				t.Fatalf("policy not met with TOTP: %v", err)
			}
			evs, _, err := s.SecurityLog(ctx, "acme", 0, 50)
			if err != nil {
				t.Fatal(err)
			}
			if len(evs) < 2 || evs[len(evs)-1].Kind != store.EventPolicy || evs[0].Kind != store.EventTOTPOn {
				t.Fatalf("organization's log: %+v", evs)
			}
		})
	}
}

// The log lists by pages and another organization's members' events are
// not in it.
func TestSecurityLogPages(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			s, _ := b.Open(t)
			for _, o := range []string{"a", "b"} {
				if err := s.CreateOrg(ctx, o, o); err != nil {
					t.Fatal(err)
				}
			}
			ua, ub := mustUser(t, s, "a@example.com"), mustUser(t, s, "b@example.com")
			s.AddMember(ctx, "a", ua.ID, "admin", "")
			s.AddMember(ctx, "b", ub.ID, "admin", "")
			for i := range 7 {
				// From seven addresses: repeats from one would be one entry.
				addr := fmt.Sprintf("192.0.2.%d", i)
				s.LogSecurity(ctx, store.SecurityEvent{UserID: ua.ID, Email: ua.Email, Kind: store.EventLoginFailed, Address: addr})
				s.LogSecurity(ctx, store.SecurityEvent{UserID: ub.ID, Email: ub.Email, Kind: store.EventLoginFailed, Address: addr})
			}
			var all []store.SecurityEvent
			var before int64
			for pages := 0; ; pages++ {
				evs, next, err := s.SecurityLog(ctx, "a", before, 3)
				if err != nil {
					t.Fatal(err)
				}
				all = append(all, evs...)
				if next == 0 {
					break
				}
				before = next
				if pages > 5 {
					t.Fatal("paging does not end")
				}
			}
			if len(all) != 7 {
				t.Fatalf("%d events of a, want 7", len(all))
			}
			for i, e := range all {
				if e.UserID != ua.ID || (i > 0 && e.ID >= all[i-1].ID) {
					t.Fatalf("event %d: %+v", i, e)
				}
			}
			if evs, _, _ := s.SecurityLogAll(ctx, 0, 0); len(evs) != 14 {
				t.Fatalf("operator sees %d events, want 14", len(evs))
			}
		})
	}
}

// A flood of failures cannot push an organization's own events out of
// the security log: repeats from one source are one entry with a count
// (unknown emails from one address, whatever the emails; a throttle's
// refusals of one account, whatever the addresses), events of no account
// are kept apart under their own bound, and each account under its own.
func TestSecurityLogFloodBounded(t *testing.T) {
	defer store.SetSecurityLogBounds(50, 30, 1)()
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			s, _ := b.Open(t)
			clock := time.Now()
			store.SetNow(s, func() time.Time { return clock })
			if err := s.CreateOrg(ctx, "a", "a"); err != nil {
				t.Fatal(err)
			}
			ua, ub := mustUser(t, s, "a@example.com"), mustUser(t, s, "b@example.com")
			s.AddMember(ctx, "a", ua.ID, "admin", "")
			log := func(e store.SecurityEvent) {
				t.Helper()
				if err := s.LogSecurity(ctx, e); err != nil {
					t.Fatal(err)
				}
			}
			log(store.SecurityEvent{Org: "a", UserID: ua.ID, Email: ua.Email, Kind: store.EventPolicy, Address: "198.51.100.1", Detail: "two_factor"})
			log(store.SecurityEvent{UserID: ua.ID, Email: ua.Email, Kind: store.EventLogin, Address: "198.51.100.1", Detail: "password+totp"})

			// One address, many unknown emails: one entry.
			for i := range 300 {
				log(store.SecurityEvent{Email: fmt.Sprintf("guess%d@example.com", i), Kind: store.EventLoginFailed, Address: "203.0.113.1"})
			}
			all, _, err := s.SecurityLogAll(ctx, 0, 0)
			if err != nil {
				t.Fatal(err)
			}
			if len(all) != 3 || all[0].Repeats != 300 || all[0].Kind != store.EventLoginFailed || all[0].LastAt == "" {
				t.Fatalf("300 failures from one address: %d entries, newest %+v", len(all), all[0])
			}
			// Many addresses: kept to their own bound.
			for i := range 200 {
				log(store.SecurityEvent{Email: "nobody@example.com", Kind: store.EventLoginFailed, Address: fmt.Sprintf("2001:db8::%x", i)})
			}
			// A throttle's refusals of a known account from many addresses:
			// one entry.
			for i := range 100 {
				log(store.SecurityEvent{UserID: ua.ID, Email: ua.Email, Kind: store.EventLoginThrottled, Address: fmt.Sprintf("2001:db8:1::%x", i), Detail: "password"})
			}
			// One account's own successes: kept to its bound.
			for i := range 100 {
				log(store.SecurityEvent{UserID: ub.ID, Email: ub.Email, Kind: store.EventLogin, Address: fmt.Sprintf("192.0.2.%d", i%250), Detail: "password"})
			}
			count := func(where func(store.SecurityEvent) bool) (n int) {
				var before int64
				for {
					evs, next, err := s.SecurityLogAll(ctx, before, 0)
					if err != nil {
						t.Fatal(err)
					}
					for _, e := range evs {
						if where(e) {
							n++
						}
					}
					if next == 0 {
						return n
					}
					before = next
				}
			}
			if n := count(func(e store.SecurityEvent) bool { return e.UserID == 0 }); n > 50 {
				t.Errorf("%d entries of no account, bound 50", n)
			}
			if n := count(func(e store.SecurityEvent) bool { return e.UserID == ub.ID }); n > 30 || n < 25 {
				t.Errorf("%d entries of one account, bound 30", n)
			}
			org, _, err := s.SecurityLog(ctx, "a", 0, 0)
			if err != nil {
				t.Fatal(err)
			}
			kinds := map[string]int64{}
			for _, e := range org {
				kinds[e.Kind] += e.Repeats
			}
			if len(org) != 3 || kinds[store.EventPolicy] != 1 || kinds[store.EventLogin] != 1 || kinds[store.EventLoginThrottled] != 100 {
				t.Fatalf("the organization's log after the floods: %+v", org)
			}
			// A repeat after the hour is a new entry.
			clock = clock.Add(61 * time.Minute)
			log(store.SecurityEvent{UserID: ua.ID, Email: ua.Email, Kind: store.EventLoginThrottled, Address: "2001:db8:1::1", Detail: "password"})
			if org, _, _ = s.SecurityLog(ctx, "a", 0, 0); len(org) != 4 || org[0].Repeats != 1 {
				t.Fatalf("a repeat an hour later: %+v", org)
			}
		})
	}
}

// TokenAccess reads an API token's user, membership and the
// organization's policy in one query, and answers as TokenUser and Access
// do: for a member, a stranger (whose other organization's policy is not
// taken), no organization, and tokens that are unknown, revoked, expired
// or whose user is disabled.
func TestTokenAccess(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			s, _ := b.Open(t)
			now := clockAt(s, time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC))
			for _, o := range []string{"acme", "other"} {
				if err := s.CreateOrg(ctx, o, o); err != nil {
					t.Fatal(err)
				}
			}
			member := mustUser(t, s, "member@example.com")
			stranger := mustUser(t, s, "stranger@example.com")
			if err := s.AddMember(ctx, "acme", member.ID, "risk-owner", "p-member"); err != nil {
				t.Fatal(err)
			}
			if err := s.AddMember(ctx, "other", stranger.ID, "admin", ""); err != nil {
				t.Fatal(err)
			}
			if err := s.SetOrgPolicy(ctx, "other", store.RequireTwoFactor, stranger, addr); err != nil {
				t.Fatal(err)
			}
			token := func(u store.User, expires time.Time) (string, store.Token) {
				t.Helper()
				secret, tok, err := s.CreateToken(ctx, u.ID, "t", expires)
				if err != nil {
					t.Fatal(err)
				}
				return secret, tok
			}
			later := now.Add(24 * time.Hour)
			memberToken, _ := token(member, later)
			strangerToken, _ := token(stranger, later)

			// As TokenUser and Access say, for each caller and organization.
			for _, c := range []struct {
				secret string
				org    string
			}{{memberToken, "acme"}, {memberToken, "other"}, {memberToken, ""}, {strangerToken, "acme"}, {strangerToken, "other"}, {memberToken, "nope"}} {
				u, a, err := s.TokenAccess(ctx, c.secret, c.org)
				m, p, member := a.Member, a.Policy, a.Err == nil
				if !member && !errors.Is(a.Err, store.ErrNotFound) {
					t.Errorf("%s: %v, want not found", c.org, a.Err)
				}
				wu, werr := s.TokenUser(ctx, c.secret)
				if err != nil || werr != nil || u != wu {
					t.Fatalf("%s: user %+v %v, TokenUser %+v %v", c.org, u, err, wu, werr)
				}
				wm, wp, aerr := s.Access(ctx, c.org, u.ID)
				if member != (aerr == nil) || (member && (m != wm || p != wp)) || (!member && (m != store.Membership{} || p != store.OrgPolicy{})) {
					t.Errorf("%s of %s: %+v %+v member %v; Access %+v %+v %v", c.org, u.Email, m, p, member, wm, wp, aerr)
				}
			}
			if _, a, _ := s.TokenAccess(ctx, memberToken, "acme"); a.Err != nil || a.Member.Role != "risk-owner" || a.Member.Person != "p-member" || a.Policy.Require != store.RequireNothing {
				t.Errorf("member's access: %+v", a)
			}
			if _, a, _ := s.TokenAccess(ctx, strangerToken, "other"); a.Err != nil || a.Member.Role != "admin" || a.Policy.Require != store.RequireTwoFactor || a.Policy.UpdatedBy != stranger.Email {
				t.Errorf("access under a policy: %+v", a)
			}

			// Tokens that open nothing, whatever the organization.
			revoked, revokedTok := token(member, later)
			if err := s.RevokeToken(ctx, revokedTok.ID); err != nil {
				t.Fatal(err)
			}
			expiring, _ := token(member, now.Add(time.Hour))
			disabledUser := mustUser(t, s, "gone@example.com")
			if err := s.AddMember(ctx, "acme", disabledUser.ID, "admin", ""); err != nil {
				t.Fatal(err)
			}
			disabled, _ := token(disabledUser, later)
			if err := s.DisableUser(ctx, disabledUser.ID); err != nil {
				t.Fatal(err)
			}
			*now = now.Add(2 * time.Hour)
			for name, secret := range map[string]string{"revoked": revoked, "expired": expiring, "disabled user": disabled,
				"unknown": "cis_" + strings.Repeat("0", 40), "not a token": "hello"} {
				if u, a, err := s.TokenAccess(ctx, secret, "acme"); !errors.Is(err, store.ErrNotFound) || u.ID != 0 || a.Member.Role != "" || a.Heads != (store.Heads{}) {
					t.Errorf("%s token: %+v %+v, %v", name, u, a, err)
				}
			}
		})
	}
}
