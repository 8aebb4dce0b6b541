package store

// The second step of sign-in. A right password for an account with a
// second factor starts no session: it leaves a pending state, stored here
// (so that any instance can finish it), hashed like a session token,
// living SecondStepTTL, good for one completion, and bound to the browser
// (the token is in its cookie, nowhere else) and to the address the
// password came from. The second factor — a TOTP or recovery code
// (SecondStepCode), or a passkey checked by its own package
// (CompleteSecondStep) — then turns it into a session.
//
// The password attempt stays counted by the throttle until the second
// step succeeds, and every wrong code is counted too: knowing the
// password does not buy more guesses at the code than at the password.

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// SecondStepTTL is how long the second step waits after the password.
const SecondStepTTL = 5 * time.Minute

// ErrSecondFactor is a right password whose account asks for a second
// factor. Errors that match it are *SecondStepError.
var ErrSecondFactor = errors.New("a second factor is required")

// SecondStepError is a sign-in waiting for its second factor.
type SecondStepError struct {
	User    User
	Factors Factors
	// Pending is the token of the pending state (for the browser's cookie,
	// or for an API caller's code in the same request).
	Pending string
}

func (e *SecondStepError) Error() string { return ErrSecondFactor.Error() }

// Is makes errors.Is(err, ErrSecondFactor) true.
func (e *SecondStepError) Is(target error) bool { return target == ErrSecondFactor }

// PendingLogin is a sign-in between its password and its second factor.
type PendingLogin struct {
	User      User
	Factors   Factors
	Next      string // where the browser goes once signed in
	ExpiresAt string
}

// beginSecondStep stores a pending state for a user and returns its token.
func (s *Store) beginSecondStep(ctx context.Context, userID int64, address, next string) (string, error) {
	token, err := newSecret()
	if err != nil {
		return "", err
	}
	now := s.now()
	err = s.tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM login_pending WHERE expires_at <= $1`, until(now)); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO login_pending (token_hash, user_id, address, next, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6)`,
			hashToken(token), userID, clip(address, maxThrottleAddress), clip(next, 2048), now.UTC().Format(fixedStamp), until(now.Add(SecondStepTTL)))
		return err
	})
	if err != nil {
		return "", fmt.Errorf("second step: %w", err)
	}
	return token, nil
}

// SetSecondStepNext records where the browser goes after the second step.
func (s *Store) SetSecondStepNext(ctx context.Context, pending, next string) error {
	_, err := s.db.ExecContext(ctx, `UPDATE login_pending SET next = $1 WHERE token_hash = $2`, clip(next, 2048), hashToken(pending))
	return err
}

// PendingLoginOf reads a pending state without using it up: ErrNotFound
// when the token is unknown, used, expired, from another address, or its
// user is disabled.
func (s *Store) PendingLoginOf(ctx context.Context, pending, address string) (PendingLogin, error) {
	var p PendingLogin
	var userID int64
	var addr string
	err := s.db.QueryRowContext(ctx, `SELECT user_id, address, next, expires_at FROM login_pending WHERE token_hash = $1`, hashToken(pending)).
		Scan(&userID, &addr, &p.Next, &p.ExpiresAt)
	notFound := fmt.Errorf("second step: %w", ErrNotFound)
	if errors.Is(err, sql.ErrNoRows) {
		return p, notFound
	}
	if err != nil {
		return p, fmt.Errorf("second step: %w", err)
	}
	if s.expired(p.ExpiresAt) || addr != clip(address, maxThrottleAddress) {
		return p, notFound
	}
	if p.User, err = s.UserByID(ctx, userID); err != nil {
		return p, err
	}
	if p.User.Disabled {
		return p, notFound
	}
	if p.Factors, err = s.FactorsOf(ctx, userID); err != nil {
		return p, err
	}
	return p, nil
}

// SecondStepCode finishes a pending sign-in with a TOTP code or a
// recovery code: ErrNotFound for a pending state that is gone (used,
// expired, another address), ErrBadCode, *ThrottleError. On success the
// pending state is used up and a session of ttl starts; it returns the
// user, the session token and the pending state's next.
func (s *Store) SecondStepCode(ctx context.Context, pending, code, address string, ttl time.Duration) (User, string, string, error) {
	p, err := s.PendingLoginOf(ctx, pending, address)
	if err != nil {
		if errors.Is(err, ErrNotFound) {
			s.LogSecurity(ctx, SecurityEvent{Kind: EventSecondExpired, Address: address})
		}
		return User{}, "", "", err
	}
	kind, err := s.checkCode(ctx, p.User, code, address)
	if err != nil {
		return User{}, "", "", err
	}
	token, err := s.CompleteSecondStep(ctx, pending, address, MethodPassword+"+"+kind, ttl)
	return p.User, token, p.Next, err
}

// CompleteSecondStep uses up a pending state and starts a session of ttl
// for its user, after the caller checked the second factor (a passkey
// assertion for PendingLoginOf's user; SecondStepCode for codes). method
// names how the user signed in, for the session and the security log. ErrNotFound when
// the state was used meanwhile (one completion only).
func (s *Store) CompleteSecondStep(ctx context.Context, pending, address, method string, ttl time.Duration) (string, error) {
	var userID int64
	err := s.tx(ctx, func(tx *sql.Tx) error {
		var expires, addr string
		err := tx.QueryRowContext(ctx, `DELETE FROM login_pending WHERE token_hash = $1 RETURNING user_id, address, expires_at`, hashToken(pending)).Scan(&userID, &addr, &expires)
		if errors.Is(err, sql.ErrNoRows) || (err == nil && (s.expired(expires) || addr != clip(address, maxThrottleAddress))) {
			return fmt.Errorf("second step: %w", ErrNotFound)
		}
		return err
	})
	if err != nil {
		if errors.Is(err, ErrNotFound) {
			s.LogSecurity(ctx, SecurityEvent{UserID: userID, Kind: EventSecondExpired, Address: address})
		}
		return "", err
	}
	u, err := s.UserByID(ctx, userID)
	if err != nil {
		return "", err
	}
	token, err := s.CreateSessionBy(ctx, userID, method, ttl)
	if err != nil {
		return "", err
	}
	s.loginSucceeded(ctx, throttleEmail(u.Email), clip(address, maxThrottleAddress))
	s.logSecurity(ctx, EventLogin, u, address, method)
	return token, nil
}
