package store

// Passkeys: users' WebAuthn credentials, the random user handle each
// passkey user gets, and the server-side state of ceremonies.
//
// The store keeps what the WebAuthn library hands it as opaque JSON (the
// credential, the ceremony's session data); reading and checking it is
// the passkey package's work. What the store does enforce is the bounds:
// at most MaxPasskeys a user, names and blobs of bounded size, ceremonies
// that expire and are used once, at most maxOpenCeremonies open from one
// client address, and a counter of failed passkey sign-ins per address.

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// Bounds of passkeys.
const (
	MaxPasskeys       = 10       // a user's passkeys
	MaxPasskeyName    = 60       // characters of a passkey's name
	maxCredentialJSON = 16 << 10 // bytes of a stored credential
	maxCeremonyJSON   = 16 << 10 // bytes of a ceremony's session data
	maxCredentialID   = 1023     // bytes of a credential id (WebAuthn's own bound)
	maxOpenCeremonies = 20       // open ceremonies from one address
	passkeyWindow     = 15 * time.Minute
	passkeyMax        = 10 // failed passkey sign-ins from one address per window
	handleBytes       = 32
)

// Security log kinds of passkeys (labels under seclog.kind.<kind>).
const (
	EventPasskeyOn     = "passkey_on"     // a passkey added (detail: its name)
	EventPasskeyOff    = "passkey_off"    // a passkey removed (detail: its name)
	EventPasskeyFailed = "passkey_failed" // a passkey sign-in refused
)

// ErrPasskeyLimit is a passkey refused because the user has MaxPasskeys.
var ErrPasskeyLimit = fmt.Errorf("at most %d passkeys a user", MaxPasskeys)

// Passkey is a registered credential. CredentialID is base64url of the
// credential's id; Credential the library's JSON of it; LastUsedAt is ""
// until the passkey first signs in.
type Passkey struct {
	ID           int64
	UserID       int64
	CredentialID string
	Name         string
	Credential   []byte
	CreatedAt    string
	LastUsedAt   string
}

// CheckPasskeyName trims a passkey's name and checks it: 1 to
// MaxPasskeyName characters, no control characters.
func CheckPasskeyName(name string) (string, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		return "", errors.New("passkey name: a name is required")
	}
	if utf8.RuneCountInString(name) > MaxPasskeyName || !utf8.ValidString(name) {
		return "", fmt.Errorf("passkey name: at most %d characters", MaxPasskeyName)
	}
	for _, r := range name {
		if r < 0x20 || r == 0x7f {
			return "", errors.New("passkey name: no control characters")
		}
	}
	return name, nil
}

var b64 = base64.RawURLEncoding

// PasskeyHandle returns the user's WebAuthn user handle, making one (32
// random bytes) the first time. It is never the id or the email, which an
// authenticator would then carry around.
func (s *Store) PasskeyHandle(ctx context.Context, userID int64) ([]byte, error) {
	var h string
	err := s.db.QueryRowContext(ctx, `SELECT handle FROM passkey_users WHERE user_id = $1`, userID).Scan(&h)
	if errors.Is(err, sql.ErrNoRows) {
		raw := make([]byte, handleBytes)
		if _, err := rand.Read(raw); err != nil {
			return nil, fmt.Errorf("passkey handle of user %d: %w", userID, err)
		}
		err = s.tx(ctx, func(tx *sql.Tx) error {
			if err := activeUser(ctx, tx, userID); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO passkey_users (user_id, handle) VALUES ($1, $2) ON CONFLICT (user_id) DO NOTHING`, userID, b64.EncodeToString(raw)); err != nil {
				return err
			}
			// Another request may have made it first: read what is stored.
			return tx.QueryRowContext(ctx, `SELECT handle FROM passkey_users WHERE user_id = $1`, userID).Scan(&h)
		})
	}
	if err != nil {
		return nil, fmt.Errorf("passkey handle of user %d: %w", userID, err)
	}
	return b64.DecodeString(h)
}

// UserByPasskeyHandle finds the enabled user of a user handle, or
// ErrNotFound.
func (s *Store) UserByPasskeyHandle(ctx context.Context, handle []byte) (User, error) {
	if len(handle) == 0 || len(handle) > 64 {
		return User{}, fmt.Errorf("passkey user: %w", ErrNotFound)
	}
	u, _, err := scanUser(s.db.QueryRowContext(ctx, `SELECT u.id, u.email, u.name, u.lang, u.password_hash, u.disabled, u.created_at FROM passkey_users p JOIN users u ON u.id = p.user_id WHERE p.handle = $1`,
		b64.EncodeToString(handle)))
	if errors.Is(err, sql.ErrNoRows) || (err == nil && u.Disabled) {
		return User{}, fmt.Errorf("passkey user: %w", ErrNotFound)
	}
	return u, err
}

const passkeyCols = `id, user_id, credential_id, name, credential, created_at, last_used_at`

func scanPasskey(r rowScanner) (Passkey, error) {
	var p Passkey
	var cred string
	err := r.Scan(&p.ID, &p.UserID, &p.CredentialID, &p.Name, &cred, &p.CreatedAt, &p.LastUsedAt)
	p.Credential = []byte(cred)
	return p, err
}

// Passkeys lists a user's passkeys, oldest first.
func (s *Store) Passkeys(ctx context.Context, userID int64) ([]Passkey, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+passkeyCols+` FROM passkeys WHERE user_id = $1 ORDER BY id`, userID)
	if err != nil {
		return nil, fmt.Errorf("passkeys of user %d: %w", userID, err)
	}
	defer rows.Close()
	var out []Passkey
	for rows.Next() {
		p, err := scanPasskey(rows)
		if err != nil {
			return nil, fmt.Errorf("passkeys of user %d: %w", userID, err)
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// PasskeyCount is how many passkeys a user has.
func (s *Store) PasskeyCount(ctx context.Context, userID int64) (int, error) {
	var n int
	if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM passkeys WHERE user_id = $1`, userID).Scan(&n); err != nil {
		return 0, fmt.Errorf("passkeys of user %d: %w", userID, err)
	}
	return n, nil
}

// PasskeyByCredentialID finds a passkey by its credential id, or
// ErrNotFound.
func (s *Store) PasskeyByCredentialID(ctx context.Context, credentialID []byte) (Passkey, error) {
	if len(credentialID) == 0 || len(credentialID) > maxCredentialID {
		return Passkey{}, fmt.Errorf("passkey: %w", ErrNotFound)
	}
	p, err := scanPasskey(s.db.QueryRowContext(ctx, `SELECT `+passkeyCols+` FROM passkeys WHERE credential_id = $1`, b64.EncodeToString(credentialID)))
	if errors.Is(err, sql.ErrNoRows) {
		return Passkey{}, fmt.Errorf("passkey: %w", ErrNotFound)
	}
	return p, err
}

// AddPasskey stores a newly registered credential for an enabled user:
// ErrPasskeyLimit when the user has MaxPasskeys already, ErrExists when
// the credential is registered (to anyone).
func (s *Store) AddPasskey(ctx context.Context, userID int64, name string, credentialID, credential []byte) (Passkey, error) {
	name, err := CheckPasskeyName(name)
	if err != nil {
		return Passkey{}, fmt.Errorf("add passkey: %w", err)
	}
	if len(credentialID) == 0 || len(credentialID) > maxCredentialID {
		return Passkey{}, fmt.Errorf("add passkey: credential id of %d bytes, expected 1 to %d", len(credentialID), maxCredentialID)
	}
	if len(credential) > maxCredentialJSON {
		return Passkey{}, fmt.Errorf("add passkey: credential of %d bytes, at most %d", len(credential), maxCredentialJSON)
	}
	p := Passkey{UserID: userID, CredentialID: b64.EncodeToString(credentialID), Name: name, Credential: credential, CreatedAt: s.stamp()}
	err = s.tx(ctx, func(tx *sql.Tx) error {
		if err := activeUser(ctx, tx, userID); err != nil {
			return err
		}
		// Lock the user's row so two registrations at once cannot both
		// pass the count.
		if _, err := tx.ExecContext(ctx, `UPDATE passkey_users SET handle = handle WHERE user_id = $1`, userID); err != nil {
			return err
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM passkeys WHERE user_id = $1`, userID).Scan(&n); err != nil {
			return err
		}
		if n >= MaxPasskeys {
			return ErrPasskeyLimit
		}
		err := tx.QueryRowContext(ctx, `INSERT INTO passkeys (user_id, credential_id, name, credential, created_at, last_used_at) VALUES ($1, $2, $3, $4, $5, '') ON CONFLICT (credential_id) DO NOTHING RETURNING id`,
			userID, p.CredentialID, p.Name, string(credential), p.CreatedAt).Scan(&p.ID)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("passkey: %w", ErrExists)
		}
		return err
	})
	if err != nil {
		return Passkey{}, fmt.Errorf("add passkey for user %d: %w", userID, err)
	}
	return p, nil
}

// PasskeyUsed records a sign-in with a passkey: the credential as the
// library updated it (its sign count) and the time.
func (s *Store) PasskeyUsed(ctx context.Context, id int64, credential []byte) error {
	if len(credential) > maxCredentialJSON {
		return fmt.Errorf("passkey %d: credential of %d bytes, at most %d", id, len(credential), maxCredentialJSON)
	}
	if err := updated(s.db.ExecContext(ctx, `UPDATE passkeys SET credential = $1, last_used_at = $2 WHERE id = $3`, string(credential), s.stamp(), id)); err != nil {
		return fmt.Errorf("passkey %d: %w", id, err)
	}
	return nil
}

// RenamePasskey renames one of a user's passkeys (ErrNotFound when the
// user has no passkey of that id).
func (s *Store) RenamePasskey(ctx context.Context, userID, id int64, name string) error {
	name, err := CheckPasskeyName(name)
	if err != nil {
		return fmt.Errorf("rename passkey: %w", err)
	}
	if err := updated(s.db.ExecContext(ctx, `UPDATE passkeys SET name = $1 WHERE id = $2 AND user_id = $3`, name, id, userID)); err != nil {
		return fmt.Errorf("passkey %d of user %d: %w", id, userID, err)
	}
	return nil
}

// DeletePasskey removes one of a user's passkeys and returns its name
// (ErrNotFound when the user has no passkey of that id).
func (s *Store) DeletePasskey(ctx context.Context, userID, id int64) (string, error) {
	var name string
	err := s.db.QueryRowContext(ctx, `DELETE FROM passkeys WHERE id = $1 AND user_id = $2 RETURNING name`, id, userID).Scan(&name)
	if errors.Is(err, sql.ErrNoRows) {
		err = ErrNotFound
	}
	if err != nil {
		return "", fmt.Errorf("passkey %d of user %d: %w", id, userID, err)
	}
	return name, nil
}

// ResetPasskeys removes all of a user's passkeys without their password:
// the operator's recovery for someone who lost the devices that held
// them. It returns how many were removed; each is written to the
// security log as removed, with the detail "operator: NAME".
func (s *Store) ResetPasskeys(ctx context.Context, userID int64) (int, error) {
	u, err := s.UserByID(ctx, userID)
	if err != nil {
		return 0, err
	}
	var names []string
	err = s.tx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `DELETE FROM passkeys WHERE user_id = $1 RETURNING name`, userID)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var name string
			if err := rows.Scan(&name); err != nil {
				return err
			}
			names = append(names, name)
		}
		return rows.Err()
	})
	if err != nil {
		return 0, fmt.Errorf("reset passkeys of user %d: %w", userID, err)
	}
	for _, name := range names {
		s.logSecurity(ctx, EventPasskeyOff, u, "", "operator: "+name)
	}
	return len(names), nil
}

// Ceremony kinds.
const (
	CeremonyRegister = "register"
	CeremonyLogin    = "login"
)

// BeginCeremony keeps a ceremony's session data for ttl and returns the
// token the browser sends back to finish it. userID is 0 for a
// passwordless sign-in. A client address with maxOpenCeremonies open
// ones is refused with a *ThrottleError. Expired ceremonies are removed
// on the way.
func (s *Store) BeginCeremony(ctx context.Context, kind string, userID int64, address string, session []byte, ttl time.Duration) (string, error) {
	if kind != CeremonyRegister && kind != CeremonyLogin {
		return "", fmt.Errorf("begin ceremony: kind %q, expected %s or %s", kind, CeremonyRegister, CeremonyLogin)
	}
	if len(session) > maxCeremonyJSON {
		return "", fmt.Errorf("begin ceremony: session data of %d bytes, at most %d", len(session), maxCeremonyJSON)
	}
	if ttl <= 0 {
		return "", fmt.Errorf("begin ceremony: the lifetime must be positive, not %s", ttl)
	}
	token, err := newSecret()
	if err != nil {
		return "", fmt.Errorf("begin ceremony: %w", err)
	}
	address = clip(address, maxThrottleAddress)
	now := s.now()
	err = s.tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM passkey_ceremonies WHERE expires_at <= $1`, until(now)); err != nil {
			return err
		}
		var n int
		var first sql.NullString
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*), MIN(expires_at) FROM passkey_ceremonies WHERE address = $1`, address).Scan(&n, &first); err != nil {
			return err
		}
		if n >= maxOpenCeremonies {
			wait := ttl
			if t, err := time.Parse(fixedStamp, first.String); err == nil {
				wait = t.Sub(now)
			}
			return &ThrottleError{RetryAfter: wait}
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO passkey_ceremonies (token_hash, kind, user_id, address, session, expires_at) VALUES ($1, $2, $3, $4, $5, $6)`,
			hashToken(token), kind, userID, address, string(session), until(now.Add(ttl)))
		return err
	})
	if err != nil {
		if errors.Is(err, ErrThrottled) {
			return "", err
		}
		return "", fmt.Errorf("begin ceremony: %w", err)
	}
	return token, nil
}

// TakeCeremony ends a ceremony and returns its user id and session
// data: the row is deleted as it is read, so a token finishes at most
// one ceremony. An unknown, used, expired or other-kind token gives
// ErrNotFound.
func (s *Store) TakeCeremony(ctx context.Context, kind, token string) (int64, []byte, error) {
	notFound := fmt.Errorf("passkey ceremony: %w", ErrNotFound)
	if token == "" || len(token) > 64 {
		return 0, nil, notFound
	}
	var userID int64
	var session, expires, gotKind string
	err := s.db.QueryRowContext(ctx, `DELETE FROM passkey_ceremonies WHERE token_hash = $1 RETURNING kind, user_id, session, expires_at`,
		hashToken(token)).Scan(&gotKind, &userID, &session, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil, notFound
	}
	if err != nil {
		return 0, nil, fmt.Errorf("passkey ceremony: %w", err)
	}
	if gotKind != kind || s.expired(expires) {
		return 0, nil, notFound
	}
	return userID, []byte(session), nil
}

// ReservePasskey counts a passkey sign-in from an address as failed
// before its answer is checked, or refuses it with a *ThrottleError
// when the address failed passkeyMax times within passkeyWindow. A
// passkey cannot be guessed, but each check costs a signature
// verification and a failure is worth slowing down all the same.
func (s *Store) ReservePasskey(ctx context.Context, address string) error {
	address = clip(address, maxThrottleAddress)
	now := s.now().UTC()
	err := s.tx(ctx, func(tx *sql.Tx) error {
		r, err := s.lockThrottle(ctx, tx, "passkey", "", address, now)
		if err != nil {
			return err
		}
		if now.Sub(r.start) >= passkeyWindow {
			r.failures, r.start = 0, now
		}
		if r.failures >= passkeyMax {
			return &ThrottleError{RetryAfter: r.start.Add(passkeyWindow).Sub(now)}
		}
		r.failures++
		return writeThrottle(ctx, tx, r)
	})
	if err != nil && !errors.Is(err, ErrThrottled) {
		return fmt.Errorf("passkey throttle: %w", err)
	}
	return err
}

// PasskeySucceeded takes back the attempt ReservePasskey counted, for a
// sign-in that passed (or one never judged).
func (s *Store) PasskeySucceeded(ctx context.Context, address string) {
	// Best effort: a failure here leaves one attempt counted too many.
	s.db.ExecContext(context.WithoutCancel(ctx), `UPDATE login_throttle SET failures = failures - 1 WHERE kind = 'passkey' AND email = '' AND address = $1 AND failures > 0`,
		clip(address, maxThrottleAddress))
}
