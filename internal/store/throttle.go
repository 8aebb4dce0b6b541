package store

// Sign-in protection.
//
// Two costs are bounded here.
//
// Memory and processor: every password check hashes with argon2id at
// 64 MiB, so at most hashSlots hashes run at once in the process. Further
// requests wait in a queue of at most hashQueue for at most hashWait, then
// fail with ErrBusy (the server answers 503 with Retry-After).
//
// Guessing: each attempt is counted before the password is hashed, in one
// transaction that reads and raises the counters (rows locked on
// PostgreSQL, a write transaction on SQLite), so a burst of parallel
// attempts stops exactly at the limit. The counters are chosen so that
// nobody can lock a legitimate user out:
//
//   - pair, an account from one client address: pairMax failures per
//     pairWindow, then that address waits for the rest of the window.
//     Other addresses are not affected, nor are other accounts behind the
//     same address (a proxy, an office's NAT).
//   - account, all addresses together, slower: after accountCeiling
//     failures within accountWindow, every further failure blocks the
//     account twice as long as the one before (30 s, 1 min, 2 min, … at
//     most accountMaxBlock). The block does not apply at an address the
//     account signed in from successfully within knownFor, so the owner at
//     their usual place still gets in.
//
// An unknown email goes through the same counting and the same hashing as
// a known one. An administrator can lift a block (ClearLoginThrottle).

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"github.com/cloudisms/cloudisms/internal/gate"
	"time"
)

// ErrThrottled is a login refused because the account failed too often
// recently (from this address, or from everywhere). Errors that match it
// are *ThrottleError, which tell when to try again.
var ErrThrottled = errors.New("too many failed logins")

// ErrBusy is a password check refused because too many run at once.
// Errors that match it are *BusyError.
var ErrBusy = gate.ErrBusy

// ThrottleError is ErrThrottled with the time to wait.
type ThrottleError struct{ RetryAfter time.Duration }

func (e *ThrottleError) Error() string {
	return fmt.Sprintf("%v: try again in %s", ErrThrottled, e.RetryAfter.Round(time.Second))
}

// Is makes errors.Is(err, ErrThrottled) true.
func (e *ThrottleError) Is(target error) bool { return target == ErrThrottled }

// BusyError is ErrBusy with the time to wait.
type BusyError = gate.BusyError

// RetryAfter is how long a throttled or busy caller should wait, in whole
// seconds (at least 1); 0 for any other error.
func RetryAfter(err error) int {
	var d time.Duration
	var te *ThrottleError
	var be *BusyError
	switch {
	case errors.As(err, &te):
		d = te.RetryAfter
	case errors.As(err, &be):
		d = be.RetryAfter
	default:
		return 0
	}
	s := int((d + time.Second - 1) / time.Second)
	if s < 1 {
		s = 1
	}
	return s
}

// Limits of sign-in, stated in docs/security.md.
const (
	hashSlots = 2               // argon2id hashes at once (64 MiB each)
	hashQueue = 32              // requests waiting for a slot
	hashWait  = 5 * time.Second // longest wait for a slot

	pairWindow      = 15 * time.Minute
	pairMax         = 5
	accountWindow   = time.Hour
	accountCeiling  = 20
	accountBackoff  = 30 * time.Second
	accountMaxBlock = 15 * time.Minute
	knownFor        = 90 * 24 * time.Hour

	maxThrottleEmail   = 254
	maxThrottleAddress = 64
)

// hashes bounds the password hashes of the process (all stores share the
// memory they cost).
var hashes = gate.New(hashSlots, hashQueue, hashWait)

// hashPasswordGated hashes a new password within the hash bound.
func hashPasswordGated(ctx context.Context, password string) (string, error) {
	leave, err := hashes.Enter(ctx)
	if err != nil {
		return "", err
	}
	defer leave()
	return hashPassword(password)
}

// Login is the one way to sign in, for the API and the web UI alike: it
// counts the attempt against the account from this address and against
// the account as a whole (refusing with a *ThrottleError when either is
// blocked), checks the password within the hash bound (a *BusyError when
// too many checks wait), and starts a session of ttl. A successful sign-in
// takes its attempt back, clears the address's failures and remembers
// the address as known. It returns the user and the session token.
//
// For an account with a second factor no session starts: the error is a
// *SecondStepError (errors.Is ErrSecondFactor) holding the pending
// state's token, which SecondStepCode or CompleteSecondStep finish.
// Every outcome is written to the security log.
func (s *Store) Login(ctx context.Context, email, password, address string, ttl time.Duration) (User, string, error) {
	email = throttleEmail(email)
	address = clip(address, maxThrottleAddress)
	if err := s.reserveLogin(ctx, email, address); err != nil {
		if errors.Is(err, ErrThrottled) {
			s.logFailure(ctx, EventLoginThrottled, email, address, "password")
		}
		return User{}, "", err
	}
	s.purgeThrottle(ctx)
	u, err := s.Authenticate(ctx, email, password)
	if errors.Is(err, ErrBadCredentials) {
		s.logFailure(ctx, EventLoginFailed, email, address, "")
		return User{}, "", err // the attempt stays counted
	}
	if err != nil {
		s.refundLogin(ctx, email, address)
		return User{}, "", err
	}
	f, err := s.FactorsOf(ctx, u.ID)
	if err != nil {
		s.refundLogin(ctx, email, address)
		return User{}, "", fmt.Errorf("login: %w", err)
	}
	if f.SecondFactor() {
		// The attempt stays counted until the second step succeeds.
		pending, err := s.beginSecondStep(ctx, u.ID, address, "")
		if err != nil {
			return User{}, "", fmt.Errorf("login: %w", err)
		}
		s.logSecurity(ctx, EventSecondStep, u, address, "")
		return u, "", &SecondStepError{User: u, Factors: f, Pending: pending}
	}
	if err := s.loginSucceeded(ctx, email, address); err != nil {
		return User{}, "", fmt.Errorf("login: %w", err)
	}
	token, err := s.CreateSessionBy(ctx, u.ID, MethodPassword, ttl)
	if err == nil {
		s.logSecurity(ctx, EventLogin, u, address, MethodPassword)
	}
	return u, token, err
}

// logFailure logs a failed sign-in under the account when the email is
// one (user id 0 otherwise, for the operator only).
func (s *Store) logFailure(ctx context.Context, kind, email, address, detail string) {
	u, err := s.UserByEmail(ctx, email)
	if err != nil {
		u = User{Email: email}
	}
	s.logSecurity(ctx, kind, u, address, detail)
}

// CheckOwnPassword checks the password of a signed-in user (the current
// password of a form that changes the account), counted and bounded like
// a login: ErrWrongPassword, a *ThrottleError or a *BusyError.
func (s *Store) CheckOwnPassword(ctx context.Context, userID int64, password, address string) error {
	u, err := s.UserByID(ctx, userID)
	if err != nil {
		return err
	}
	email, address := throttleEmail(u.Email), clip(address, maxThrottleAddress)
	if err := s.reserveLogin(ctx, email, address); err != nil {
		return err
	}
	_, err = s.Authenticate(ctx, email, password)
	if errors.Is(err, ErrBadCredentials) {
		return ErrWrongPassword
	}
	if err != nil {
		s.refundLogin(ctx, email, address)
		return err
	}
	return s.loginSucceeded(ctx, email, address)
}

func throttleEmail(email string) string { return clip(normEmail(email), maxThrottleEmail) }

// clip shortens s to at most n bytes (keys are bounded, whatever is sent).
func clip(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// throttleRow is one counter as read for update.
type throttleRow struct {
	kind, email, address string
	failures             int
	start, blocked       time.Time // blocked is zero when not blocked
}

func parseStamp(s string) time.Time {
	if s == "" {
		return time.Time{}
	}
	t, err := time.Parse(fixedStamp, s)
	if err != nil {
		return time.Time{}
	}
	return t
}

func stampOrEmpty(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(fixedStamp)
}

// lockThrottle reads a counter for update, creating it when missing.
func (s *Store) lockThrottle(ctx context.Context, tx *sql.Tx, kind, email, address string, now time.Time) (throttleRow, error) {
	r := throttleRow{kind: kind, email: email, address: address}
	if _, err := tx.ExecContext(ctx, `INSERT INTO login_throttle (kind, email, address, failures, window_start, blocked_until) VALUES ($1, $2, $3, 0, $4, '') ON CONFLICT (kind, email, address) DO NOTHING`,
		kind, email, address, now.Format(fixedStamp)); err != nil {
		return r, err
	}
	var start, blocked string
	if err := tx.QueryRowContext(ctx, `SELECT failures, window_start, blocked_until FROM login_throttle WHERE kind = $1 AND email = $2 AND address = $3`+s.d.lockHead,
		kind, email, address).Scan(&r.failures, &start, &blocked); err != nil {
		return r, err
	}
	r.start, r.blocked = parseStamp(start), parseStamp(blocked)
	return r, nil
}

func writeThrottle(ctx context.Context, tx *sql.Tx, r throttleRow) error {
	_, err := tx.ExecContext(ctx, `UPDATE login_throttle SET failures = $1, window_start = $2, blocked_until = $3 WHERE kind = $4 AND email = $5 AND address = $6`,
		r.failures, r.start.UTC().Format(fixedStamp), stampOrEmpty(r.blocked), r.kind, r.email, r.address)
	return err
}

// reserveLogin counts an attempt as failed before its password is checked,
// or refuses it with a *ThrottleError without counting.
func (s *Store) reserveLogin(ctx context.Context, email, address string) error {
	now := s.now().UTC()
	err := s.tx(ctx, func(tx *sql.Tx) error {
		pair, err := s.lockThrottle(ctx, tx, "pair", email, address, now)
		if err != nil {
			return err
		}
		acct, err := s.lockThrottle(ctx, tx, "account", email, "", now)
		if err != nil {
			return err
		}
		if now.Sub(pair.start) >= pairWindow {
			pair.failures, pair.start = 0, now
		}
		if now.Sub(acct.start) >= accountWindow && !now.Before(acct.blocked) {
			acct.failures, acct.start, acct.blocked = 0, now, time.Time{}
		}
		if pair.failures >= pairMax {
			return &ThrottleError{RetryAfter: pair.start.Add(pairWindow).Sub(now)}
		}
		blocked := now.Before(acct.blocked)
		if blocked {
			known, err := knownAddress(ctx, tx, email, address, now)
			if err != nil {
				return err
			}
			if !known {
				return &ThrottleError{RetryAfter: acct.blocked.Sub(now)}
			}
		}
		pair.failures++
		acct.failures++
		// An attempt let through a block (from a known address) neither
		// lengthens nor renews it.
		if over := acct.failures - accountCeiling; over > 0 && !blocked {
			block := accountMaxBlock
			if over <= 10 {
				block = min(accountBackoff<<(over-1), accountMaxBlock)
			}
			acct.blocked = now.Add(block)
		}
		if err := writeThrottle(ctx, tx, pair); err != nil {
			return err
		}
		return writeThrottle(ctx, tx, acct)
	})
	if err != nil && !errors.Is(err, ErrThrottled) {
		return fmt.Errorf("login throttle: %w", err)
	}
	return err
}

func knownAddress(ctx context.Context, tx *sql.Tx, email, address string, now time.Time) (bool, error) {
	var at string
	err := tx.QueryRowContext(ctx, `SELECT at FROM login_known WHERE email = $1 AND address = $2`, email, address).Scan(&at)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return now.Sub(parseStamp(at)) < knownFor, nil
}

// refundLogin takes back an attempt whose password was never judged (the
// hash bound refused it, the database failed).
func (s *Store) refundLogin(ctx context.Context, email, address string) {
	// Best effort: a failure here leaves one attempt counted too many.
	s.db.ExecContext(context.WithoutCancel(ctx), `UPDATE login_throttle SET failures = failures - 1 WHERE failures > 0 AND ((kind = 'pair' AND email = $1 AND address = $2) OR (kind = 'account' AND email = $1 AND address = ''))`, email, address)
}

// loginSucceeded takes the successful attempt back, clears the address's
// failures and remembers the address as known to the account.
func (s *Store) loginSucceeded(ctx context.Context, email, address string) error {
	now := s.now().UTC().Format(fixedStamp)
	return s.tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM login_throttle WHERE kind = 'pair' AND email = $1 AND address = $2`, email, address); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE login_throttle SET failures = failures - 1 WHERE kind = 'account' AND email = $1 AND address = '' AND failures > 0`, email); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO login_known (email, address, at) VALUES ($1, $2, $3) ON CONFLICT (email, address) DO UPDATE SET at = excluded.at`, email, address, now)
		return err
	})
}

// purgeThrottle forgets counters whose window is long over and known
// addresses not seen within knownFor, so the tables stay small.
func (s *Store) purgeThrottle(ctx context.Context) {
	now := s.now().UTC()
	old := now.Add(-2 * accountWindow).Format(fixedStamp)
	// Best effort, outside the counting transaction.
	s.db.ExecContext(ctx, `DELETE FROM login_throttle WHERE window_start < $1 AND blocked_until < $2`, old, now.Format(fixedStamp))
	s.db.ExecContext(ctx, `DELETE FROM login_known WHERE at < $1`, now.Add(-knownFor).Format(fixedStamp))
}

// LoginBlock is what blocks an account's sign-in, for an administrator.
type LoginBlock struct {
	// Failures counts the account's failed attempts in its current window
	// (all addresses); Until is the end of an account-wide block (zero
	// when none); Addresses lists the addresses blocked for the account.
	Failures  int
	Until     time.Time
	Addresses []string
}

// Blocked reports whether anything blocks the account.
func (b LoginBlock) Blocked() bool { return !b.Until.IsZero() || len(b.Addresses) > 0 }

// LoginBlockOf reports the throttle state of an account.
func (s *Store) LoginBlockOf(ctx context.Context, email string) (LoginBlock, error) {
	email = throttleEmail(email)
	now := s.now().UTC()
	rows, err := s.db.QueryContext(ctx, `SELECT kind, address, failures, window_start, blocked_until FROM login_throttle WHERE email = $1 ORDER BY kind, address`, email)
	if err != nil {
		return LoginBlock{}, fmt.Errorf("login block of %s: %w", email, err)
	}
	defer rows.Close()
	var b LoginBlock
	for rows.Next() {
		var kind, address, start, blocked string
		var n int
		if err := rows.Scan(&kind, &address, &n, &start, &blocked); err != nil {
			return LoginBlock{}, err
		}
		st, bl := parseStamp(start), parseStamp(blocked)
		switch kind {
		case "account":
			if now.Sub(st) < accountWindow || now.Before(bl) {
				b.Failures = n
			}
			if now.Before(bl) {
				b.Until = bl
			}
		case "pair":
			if n >= pairMax && now.Sub(st) < pairWindow {
				b.Addresses = append(b.Addresses, address)
			}
		}
	}
	return b, rows.Err()
}

// ClearLoginThrottle lifts every block and forgets every failure of an
// account (an administrator's act, for a user locked out).
func (s *Store) ClearLoginThrottle(ctx context.Context, email string) error {
	if _, err := s.db.ExecContext(ctx, `DELETE FROM login_throttle WHERE email = $1`, throttleEmail(email)); err != nil {
		return fmt.Errorf("clear login throttle of %s: %w", throttleEmail(email), err)
	}
	return nil
}

// fixedStamp always writes nine fraction digits, so stored times compare
// correctly as text.
const fixedStamp = "2006-01-02T15:04:05.000000000Z07:00"
