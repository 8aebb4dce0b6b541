package store

import (
	"context"
	"errors"
	"strings"
	"time"
)

// ErrThrottled is a login refused because the account or the address
// failed too often recently.
var ErrThrottled = errors.New("too many failed logins")

// Login is the one way to sign in, for the API and the web UI alike: it
// refuses an account or address that failed too often, checks the
// password, records a failure, and starts a session of ttl. It returns the
// user and the session token.
func (s *Store) Login(ctx context.Context, email, password, address string, ttl time.Duration) (User, string, error) {
	keys := []string{"account:" + strings.ToLower(strings.TrimSpace(email)), "address:" + address}
	blocked, err := s.LoginThrottled(ctx, keys)
	if err != nil {
		return User{}, "", err
	}
	if blocked {
		return User{}, "", ErrThrottled
	}
	u, err := s.Authenticate(ctx, email, password)
	if errors.Is(err, ErrBadCredentials) {
		if ferr := s.LoginFailed(ctx, keys); ferr != nil {
			return User{}, "", ferr
		}
	}
	if err != nil {
		return User{}, "", err
	}
	token, err := s.CreateSession(ctx, u.ID, ttl)
	return u, token, err
}

// Login throttling lives in the database, so that every instance behind a
// load balancer counts the same failures.
const (
	loginWindow      = 15 * time.Minute
	loginMaxFailures = 5
)

// LoginThrottled reports whether any of keys (an account, an address) has
// failed too often within the window.
func (s *Store) LoginThrottled(ctx context.Context, keys []string) (bool, error) {
	since := s.now().Add(-loginWindow).UTC().Format(fixedStamp)
	for _, k := range keys {
		var n int
		if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM login_failures WHERE key = $1 AND at > $2`, k, since).Scan(&n); err != nil {
			return false, err
		}
		if n >= loginMaxFailures {
			return true, nil
		}
	}
	return false, nil
}

// LoginFailed records a failed login for each key and forgets old ones.
func (s *Store) LoginFailed(ctx context.Context, keys []string) error {
	now := s.now().UTC()
	for _, k := range keys {
		if _, err := s.db.ExecContext(ctx, `INSERT INTO login_failures (key, at) VALUES ($1, $2)`, k, now.Format(fixedStamp)); err != nil {
			return err
		}
	}
	_, err := s.db.ExecContext(ctx, `DELETE FROM login_failures WHERE at < $1`, now.Add(-loginWindow).Format(fixedStamp))
	return err
}

// fixedStamp always writes nine fraction digits, so stored times compare
// correctly as text.
const fixedStamp = "2006-01-02T15:04:05.000000000Z07:00"
