package store_test

import (
	"database/sql"
	"encoding/base64"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/argon2"

	"github.com/cloudisms/cloudisms/internal/store"
	"github.com/cloudisms/cloudisms/internal/store/storetest"
)

// TestAccountsContract runs the accounts contract on every backend.
func TestAccountsContract(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			for _, c := range accountsContract {
				t.Run(c.name, func(t *testing.T) {
					s, _ := b.Open(t)
					c.run(t, s)
				})
			}
		})
	}
}

const pw = "correct horse battery"

// clock is a settable clock for a store.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock(s *store.Store) *clock {
	c := &clock{t: time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC)}
	store.SetNow(s, c.now)
	return c
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func mustUser(t *testing.T, s *store.Store, email string) store.User {
	t.Helper()
	u, err := s.CreateUser(ctx, email, "Name of "+email, "ja", pw)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func wantErr(t *testing.T, what string, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Errorf("%s: got %v, want %v", what, err, target)
	}
}

// dump returns every value of every row of a table as text.
func dump(t *testing.T, s *store.Store, table string) string {
	t.Helper()
	rows, err := store.DBOf(s).QueryContext(ctx, `SELECT * FROM `+table)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var b strings.Builder
	for rows.Next() {
		vals := make([]sql.NullString, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		for _, v := range vals {
			b.WriteString(v.String)
			b.WriteByte('\t')
		}
		b.WriteByte('\n')
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

var accountsContract = []struct {
	name string
	run  func(t *testing.T, s *store.Store)
}{
	{"create, look up and list users", func(t *testing.T, s *store.Store) {
		u, err := s.CreateUser(ctx, "  Alice@Example.COM ", " Alice ", "en", pw)
		if err != nil {
			t.Fatal(err)
		}
		if u.ID == 0 || u.Email != "alice@example.com" || u.Name != "Alice" || u.Lang != "en" || u.Disabled || u.CreatedAt == "" {
			t.Errorf("created %+v", u)
		}
		b := mustUser(t, s, "bob@example.com")
		if b.ID == u.ID {
			t.Error("two users share an id")
		}
		got, err := s.UserByEmail(ctx, "ALICE@example.com")
		if err != nil || got != u {
			t.Errorf("by email: %+v, %v; want %+v", got, err, u)
		}
		got, err = s.UserByID(ctx, b.ID)
		if err != nil || got != b {
			t.Errorf("by id: %+v, %v; want %+v", got, err, b)
		}
		_, err = s.UserByEmail(ctx, "nobody@example.com")
		wantErr(t, "unknown email", err, store.ErrNotFound)
		_, err = s.UserByID(ctx, 9999)
		wantErr(t, "unknown id", err, store.ErrNotFound)
		all, err := s.Users(ctx)
		if err != nil || len(all) != 2 || all[0] != u || all[1] != b {
			t.Errorf("users: %+v, %v", all, err)
		}
		if err := s.SetUserLang(ctx, u.ID, "ja"); err != nil {
			t.Fatal(err)
		}
		if got, _ := s.UserByID(ctx, u.ID); got.Lang != "ja" {
			t.Errorf("lang after SetUserLang: %q", got.Lang)
		}
		if err := s.SetUserLang(ctx, u.ID, "fr"); err == nil {
			t.Error("SetUserLang accepted fr")
		}
		wantErr(t, "SetUserLang of an unknown user", s.SetUserLang(ctx, 9999, "en"), store.ErrNotFound)
	}},
	{"duplicate email, in any case", func(t *testing.T, s *store.Store) {
		mustUser(t, s, "alice@example.com")
		_, err := s.CreateUser(ctx, "ALICE@example.com", "Other", "en", pw)
		wantErr(t, "duplicate", err, store.ErrExists)
		if all, _ := s.Users(ctx); len(all) != 1 {
			t.Errorf("%d users after a duplicate", len(all))
		}
	}},
	{"bad input is refused with a clear error", func(t *testing.T, s *store.Store) {
		for _, tc := range []struct{ email, lang, password, want string }{
			{"no-at-sign", "ja", pw, "email"},
			{"@example.com", "ja", pw, "email"},
			{"alice@", "ja", pw, "email"},
			{"a b@example.com", "ja", pw, "email"},
			{"alice@example.com", "fr", pw, "language"},
			{"alice@example.com", "", pw, "language"},
			{"alice@example.com", "ja", "short", "at least 10 characters"},
			{"alice@example.com", "ja", "パスワード九文字だ", "at least 10 characters"},
			{"alice@example.com", "ja", strings.Repeat("x", 2000), "at most"},
		} {
			_, err := s.CreateUser(ctx, tc.email, "A", tc.lang, tc.password)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("CreateUser(%q, lang %q, password of %d bytes): %v, want an error about %q", tc.email, tc.lang, len(tc.password), err, tc.want)
			}
		}
		// Ten characters are enough, counted as characters, not bytes.
		if _, err := s.CreateUser(ctx, "kana@example.com", "K", "ja", "パスワードは十文字だ"); err != nil {
			t.Errorf("ten Japanese characters: %v", err)
		}
		if all, _ := s.Users(ctx); len(all) != 1 {
			t.Errorf("%d users, want 1", len(all))
		}
	}},
	{"authenticate: right, wrong, unknown, disabled", func(t *testing.T, s *store.Store) {
		u := mustUser(t, s, "alice@example.com")
		got, err := s.Authenticate(ctx, "Alice@Example.com", pw)
		if err != nil || got.ID != u.ID {
			t.Fatalf("right password: %+v, %v", got, err)
		}
		_, err = s.Authenticate(ctx, "alice@example.com", pw+"x")
		wantErr(t, "wrong password", err, store.ErrBadCredentials)
		_, err = s.Authenticate(ctx, "alice@example.com", "")
		wantErr(t, "empty password", err, store.ErrBadCredentials)
		_, err = s.Authenticate(ctx, "alice@example.com", strings.Repeat("x", 5000))
		wantErr(t, "overlong password", err, store.ErrBadCredentials)
		_, err = s.Authenticate(ctx, "nobody@example.com", pw)
		wantErr(t, "unknown email", err, store.ErrBadCredentials)
		if err := s.DisableUser(ctx, u.ID); err != nil {
			t.Fatal(err)
		}
		_, err = s.Authenticate(ctx, "alice@example.com", pw)
		wantErr(t, "disabled user", err, store.ErrBadCredentials)
		if got, _ := s.UserByID(ctx, u.ID); !got.Disabled {
			t.Error("DisableUser did not disable")
		}
		wantErr(t, "disable an unknown user", s.DisableUser(ctx, 9999), store.ErrNotFound)
	}},
	{"password hashes are argon2id PHC strings", func(t *testing.T, s *store.Store) {
		mustUser(t, s, "alice@example.com")
		rows := dump(t, s, "users")
		if strings.Contains(rows, pw) {
			t.Fatal("the password is stored in the clear")
		}
		var hash string
		if err := store.DBOf(s).QueryRowContext(ctx, `SELECT password_hash FROM users`).Scan(&hash); err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(hash, "$argon2id$v=19$m=65536,t=2,p=2$") || strings.Count(hash, "$") != 5 {
			t.Errorf("hash %q", hash)
		}
		// Parameters are read back from the string: a hash made with other
		// parameters still verifies, a tampered one does not.
		salt := []byte("saltsaltsaltsalt")
		b64 := base64.RawStdEncoding
		cheap := "$argon2id$v=19$m=4096,t=1,p=1$" + b64.EncodeToString(salt) + "$"
		cheapKey := b64.EncodeToString(argon2.IDKey([]byte(pw), salt, 1, 4096, 1, 32))
		for _, tc := range []struct {
			hash string
			ok   bool
		}{
			{hash, true},
			{strings.Replace(hash, "t=2", "t=3", 1), false},
			{strings.Replace(hash, "$argon2id$", "$argon2i$", 1), false},
			{strings.Replace(hash, "m=65536", "m=99999999", 1), false},
			{hash[:len(hash)-4], false},
			{"", false},
			{cheap + cheapKey, true},
			{cheap + "not base64!", false},
			{strings.Replace(cheap, "p=1", "p=2", 1) + cheapKey, false},
		} {
			if _, err := store.DBOf(s).ExecContext(ctx, `UPDATE users SET password_hash = $1`, tc.hash); err != nil {
				t.Fatal(err)
			}
			_, err := s.Authenticate(ctx, "alice@example.com", pw)
			if (err == nil) != tc.ok {
				t.Errorf("hash %q: %v, want ok=%v", tc.hash, err, tc.ok)
			}
		}
	}},
	{"sessions: create, look up, expire, sign out", func(t *testing.T, s *store.Store) {
		c := newClock(s)
		u := mustUser(t, s, "alice@example.com")
		tok, err := s.CreateSession(ctx, u.ID, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		if len(tok) != 43 || strings.ContainsAny(tok, "+/=") {
			t.Errorf("token %q is not 32 bytes of base64url", tok)
		}
		other, _ := s.CreateSession(ctx, u.ID, 2*time.Hour)
		if other == tok {
			t.Fatal("two sessions share a token")
		}
		got, err := s.SessionUser(ctx, tok)
		if err != nil || got.ID != u.ID || got.Email != u.Email {
			t.Fatalf("session user: %+v, %v", got, err)
		}
		_, err = s.SessionUser(ctx, tok+"x")
		wantErr(t, "unknown token", err, store.ErrNotFound)
		_, err = s.SessionUser(ctx, "")
		wantErr(t, "empty token", err, store.ErrNotFound)

		c.add(time.Hour - time.Nanosecond)
		if _, err := s.SessionUser(ctx, tok); err != nil {
			t.Errorf("a nanosecond before expiry: %v", err)
		}
		c.add(time.Nanosecond)
		_, err = s.SessionUser(ctx, tok)
		wantErr(t, "at expiry", err, store.ErrNotFound)
		if _, err := s.SessionUser(ctx, other); err != nil {
			t.Errorf("the longer session: %v", err)
		}
		// Starting a session removes the expired ones.
		third, _ := s.CreateSession(ctx, u.ID, time.Minute)
		var n int
		store.DBOf(s).QueryRowContext(ctx, `SELECT COUNT(*) FROM sessions`).Scan(&n)
		if n != 2 {
			t.Errorf("%d sessions stored, want 2 (the expired one removed)", n)
		}

		if err := s.DeleteSession(ctx, other); err != nil {
			t.Fatal(err)
		}
		_, err = s.SessionUser(ctx, other)
		wantErr(t, "after sign-out", err, store.ErrNotFound)
		if err := s.DeleteSession(ctx, other); err != nil {
			t.Errorf("signing out twice: %v", err)
		}
		if _, err := s.SessionUser(ctx, third); err != nil {
			t.Errorf("another session after sign-out: %v", err)
		}

		if _, err := s.CreateSession(ctx, u.ID, 0); err == nil {
			t.Error("a session without a lifetime")
		}
		_, err = s.CreateSession(ctx, 9999, time.Hour)
		wantErr(t, "session of an unknown user", err, store.ErrNotFound)
	}},
	{"sessions end with a password change or when the user is disabled", func(t *testing.T, s *store.Store) {
		a := mustUser(t, s, "alice@example.com")
		b := mustUser(t, s, "bob@example.com")
		ta, _ := s.CreateSession(ctx, a.ID, time.Hour)
		tb, _ := s.CreateSession(ctx, b.ID, time.Hour)
		if err := s.SetPassword(ctx, a.ID, "a new password 2"); err != nil {
			t.Fatal(err)
		}
		_, err := s.SessionUser(ctx, ta)
		wantErr(t, "session after a password change", err, store.ErrNotFound)
		if _, err := s.SessionUser(ctx, tb); err != nil {
			t.Errorf("another user's session: %v", err)
		}
		_, err = s.Authenticate(ctx, a.Email, pw)
		wantErr(t, "old password", err, store.ErrBadCredentials)
		if _, err := s.Authenticate(ctx, a.Email, "a new password 2"); err != nil {
			t.Errorf("new password: %v", err)
		}
		if err := s.SetPassword(ctx, a.ID, "short"); err == nil || !strings.Contains(err.Error(), "at least 10") {
			t.Errorf("short new password: %v", err)
		}
		wantErr(t, "password of an unknown user", s.SetPassword(ctx, 9999, pw), store.ErrNotFound)

		// A session that outlives the disabling (none should) is refused.
		if _, err := store.DBOf(s).ExecContext(ctx, `UPDATE users SET disabled = $1 WHERE id = $2`, true, b.ID); err != nil {
			t.Fatal(err)
		}
		_, err = s.SessionUser(ctx, tb)
		wantErr(t, "session of a user disabled behind the store's back", err, store.ErrNotFound)
		if _, err := s.CreateSession(ctx, b.ID, time.Hour); err == nil {
			t.Error("a disabled user got a session")
		}
		tb2, _ := s.CreateSession(ctx, a.ID, time.Hour)
		if err := s.DisableUser(ctx, a.ID); err != nil {
			t.Fatal(err)
		}
		var n int
		store.DBOf(s).QueryRowContext(ctx, `SELECT COUNT(*) FROM sessions WHERE user_id = $1`, a.ID).Scan(&n)
		if n != 0 {
			t.Errorf("%d sessions left after DisableUser", n)
		}
		_, err = s.SessionUser(ctx, tb2)
		wantErr(t, "session after DisableUser", err, store.ErrNotFound)
	}},
	{"API tokens: create, look up, list, revoke, expire", func(t *testing.T, s *store.Store) {
		c := newClock(s)
		u := mustUser(t, s, "alice@example.com")
		other := mustUser(t, s, "bob@example.com")
		secret, tok, err := s.CreateToken(ctx, u.ID, " ci ", c.now().Add(24*time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(secret, "cis_") || len(secret) != 4+43 {
			t.Errorf("secret %q", secret)
		}
		if tok.ID == 0 || tok.UserID != u.ID || tok.Name != "ci" || tok.CreatedAt == "" || tok.RevokedAt != "" ||
			!strings.HasPrefix(tok.ExpiresAt, "2026-05-02T09:00:00") {
			t.Errorf("token %+v", tok)
		}
		forever, tok2, err := s.CreateToken(ctx, u.ID, "backup", time.Time{})
		if err != nil || tok2.ExpiresAt != "" {
			t.Fatalf("token without expiry: %+v, %v", tok2, err)
		}
		got, err := s.TokenUser(ctx, secret)
		if err != nil || got.ID != u.ID {
			t.Fatalf("token user: %+v, %v", got, err)
		}
		for _, bad := range []string{"", "cis_", secret + "x", strings.TrimPrefix(secret, "cis_")} {
			_, err := s.TokenUser(ctx, bad)
			wantErr(t, "token "+bad, err, store.ErrNotFound)
		}
		list, err := s.Tokens(ctx, u.ID)
		if err != nil || len(list) != 2 || list[0] != tok || list[1] != tok2 {
			t.Errorf("tokens: %+v, %v", list, err)
		}
		if list, _ := s.Tokens(ctx, other.ID); len(list) != 0 {
			t.Errorf("another user's tokens: %+v", list)
		}

		c.add(24*time.Hour - time.Second)
		if _, err := s.TokenUser(ctx, secret); err != nil {
			t.Errorf("before expiry: %v", err)
		}
		c.add(time.Second)
		_, err = s.TokenUser(ctx, secret)
		wantErr(t, "expired token", err, store.ErrNotFound)
		c.add(1000 * 24 * time.Hour)
		if _, err := s.TokenUser(ctx, forever); err != nil {
			t.Errorf("token without expiry after 1000 days: %v", err)
		}

		if err := s.RevokeToken(ctx, tok2.ID); err != nil {
			t.Fatal(err)
		}
		_, err = s.TokenUser(ctx, forever)
		wantErr(t, "revoked token", err, store.ErrNotFound)
		list, _ = s.Tokens(ctx, u.ID)
		if len(list) != 2 || list[1].RevokedAt == "" {
			t.Errorf("revocation not listed: %+v", list)
		}
		first := list[1].RevokedAt
		c.add(time.Hour)
		if err := s.RevokeToken(ctx, tok2.ID); err != nil {
			t.Errorf("revoking twice: %v", err)
		}
		if list, _ := s.Tokens(ctx, u.ID); list[1].RevokedAt != first {
			t.Errorf("revoking twice moved the revocation time from %s to %s", first, list[1].RevokedAt)
		}
		wantErr(t, "revoke an unknown token", s.RevokeToken(ctx, 9999), store.ErrNotFound)

		if _, _, err := s.CreateToken(ctx, u.ID, "", time.Time{}); err == nil {
			t.Error("a token without a name")
		}
		if _, _, err := s.CreateToken(ctx, u.ID, "past", c.now().Add(-time.Second)); err == nil {
			t.Error("a token that expired already")
		}
		_, _, err = s.CreateToken(ctx, 9999, "x", time.Time{})
		wantErr(t, "token of an unknown user", err, store.ErrNotFound)
	}},
	{"tokens of a disabled user stop working", func(t *testing.T, s *store.Store) {
		u := mustUser(t, s, "alice@example.com")
		secret, _, err := s.CreateToken(ctx, u.ID, "ci", time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		if err := s.DisableUser(ctx, u.ID); err != nil {
			t.Fatal(err)
		}
		_, err = s.TokenUser(ctx, secret)
		wantErr(t, "token of a disabled user", err, store.ErrNotFound)
		if _, _, err := s.CreateToken(ctx, u.ID, "ci2", time.Time{}); err == nil {
			t.Error("a disabled user got a token")
		}
	}},
	{"only hashes of sessions and tokens are stored", func(t *testing.T, s *store.Store) {
		u := mustUser(t, s, "alice@example.com")
		sess, err := s.CreateSession(ctx, u.ID, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		secret, _, err := s.CreateToken(ctx, u.ID, "ci", time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		all := dump(t, s, "sessions") + dump(t, s, "api_tokens") + dump(t, s, "users")
		for _, sec := range []string{sess, secret, strings.TrimPrefix(secret, "cis_"), pw} {
			if strings.Contains(all, sec) {
				t.Errorf("secret %q is stored in the clear:\n%s", sec, all)
			}
		}
		if !strings.Contains(all, "\t") || len(all) < 64 {
			t.Errorf("nothing dumped:\n%s", all)
		}
	}},
	{"memberships: add, update, look up, validate", func(t *testing.T, s *store.Store) {
		for _, o := range []string{"acme", "beta"} {
			if err := s.CreateOrg(ctx, o, o); err != nil {
				t.Fatal(err)
			}
		}
		a := mustUser(t, s, "alice@example.com")
		b := mustUser(t, s, "bob@example.com")
		if err := s.AddMember(ctx, "acme", a.ID, "risk-owner", " p-alice "); err != nil {
			t.Fatal(err)
		}
		if err := s.AddMember(ctx, "beta", a.ID, "viewer", ""); err != nil {
			t.Fatal(err)
		}
		if err := s.AddMember(ctx, "acme", b.ID, "admin", ""); err != nil {
			t.Fatal(err)
		}
		m, err := s.Member(ctx, "acme", a.ID)
		if err != nil || m != (store.Membership{Org: "acme", UserID: a.ID, Role: "risk-owner", Person: "p-alice"}) {
			t.Errorf("member: %+v, %v", m, err)
		}
		// Adding again updates role and person.
		if err := s.AddMember(ctx, "acme", a.ID, "isms-manager", "p-ciso"); err != nil {
			t.Fatal(err)
		}
		m, _ = s.Member(ctx, "acme", a.ID)
		if m.Role != "isms-manager" || m.Person != "p-ciso" {
			t.Errorf("after update: %+v", m)
		}
		ms, err := s.Memberships(ctx, a.ID)
		if err != nil || len(ms) != 2 || ms[0].Org != "acme" || ms[1].Org != "beta" || ms[1].Role != "viewer" {
			t.Errorf("memberships: %+v, %v", ms, err)
		}
		ms, err = s.Members(ctx, "acme")
		if err != nil || len(ms) != 2 || ms[0].UserID != a.ID || ms[1].UserID != b.ID || ms[1].Role != "admin" {
			t.Errorf("members: %+v, %v", ms, err)
		}
		_, err = s.Member(ctx, "beta", b.ID)
		wantErr(t, "not a member", err, store.ErrNotFound)
		_, err = s.Members(ctx, "nope")
		wantErr(t, "members of an unknown organization", err, store.ErrNotFound)

		for _, role := range []string{"admin", "isms-manager", "risk-owner", "auditor", "executive", "viewer"} {
			if err := s.AddMember(ctx, "beta", b.ID, role, ""); err != nil {
				t.Errorf("role %s: %v", role, err)
			}
		}
		for _, role := range []string{"", "owner", "Admin", "root"} {
			if err := s.AddMember(ctx, "beta", b.ID, role, ""); err == nil || !strings.Contains(err.Error(), "role") {
				t.Errorf("role %q: %v, want a role error", role, err)
			}
		}
		wantErr(t, "unknown organization", s.AddMember(ctx, "nope", a.ID, "viewer", ""), store.ErrNotFound)
		wantErr(t, "unknown user", s.AddMember(ctx, "acme", 9999, "viewer", ""), store.ErrNotFound)
		if ms, _ := s.Memberships(ctx, 9999); len(ms) != 0 {
			t.Errorf("memberships of an unknown user: %+v", ms)
		}
	}},
}
