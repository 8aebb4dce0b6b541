package store

// The instance's OpenID provider: one provider the operator sets for the
// whole instance (cloudisms sso set), which organizations choose to use
// on their single sign-on page instead of one of their own. People sign
// in through it from the sign-in page without naming an organization,
// matched by the verified email to an account that is a member of an
// organization using it; they join an organization only through that
// organization's own sign-in link, where it lets people join.

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// InstanceSSO is the instance's provider. ClientSecret is read by the
// sign-in flow only, never printed.
type InstanceSSO struct {
	Issuer       string
	ClientID     string
	ClientSecret string
	Label        string // the sign-in page's button names it ("" for the issuer's host)
	UpdatedBy    string
	UpdatedAt    string
}

// MaxSSOLabel bounds the label of the instance's provider, in characters.
const MaxSSOLabel = 60

// InstanceSSOProvider returns the instance's provider, ErrNotFound when
// the operator has set none.
func (s *Store) InstanceSSOProvider(ctx context.Context) (InstanceSSO, error) {
	var p InstanceSSO
	err := s.db.QueryRowContext(ctx, `SELECT issuer, client_id, client_secret, label, updated_by, updated_at FROM sso_instance WHERE id = 1`).
		Scan(&p.Issuer, &p.ClientID, &p.ClientSecret, &p.Label, &p.UpdatedBy, &p.UpdatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return InstanceSSO{}, fmt.Errorf("the instance's single sign-on: %w", ErrNotFound)
	}
	if err != nil {
		return InstanceSSO{}, fmt.Errorf("the instance's single sign-on: %w", err)
	}
	return p, nil
}

// SetInstanceSSO saves the instance's provider. An empty ClientSecret
// keeps the saved one. It is written to the security log (without the
// secret).
func (s *Store) SetInstanceSSO(ctx context.Context, p InstanceSSO) error {
	p.Issuer, p.ClientID, p.Label = strings.TrimSpace(p.Issuer), strings.TrimSpace(p.ClientID), strings.TrimSpace(p.Label)
	if utf8.RuneCountInString(p.Label) > MaxSSOLabel || !printable(p.Label) {
		return fmt.Errorf("the instance's single sign-on: label: at most %d printable characters", MaxSSOLabel)
	}
	err := s.tx(ctx, func(tx *sql.Tx) error {
		if p.ClientSecret == "" {
			err := tx.QueryRowContext(ctx, `SELECT client_secret FROM sso_instance WHERE id = 1`).Scan(&p.ClientSecret)
			if err != nil && !errors.Is(err, sql.ErrNoRows) {
				return err
			}
		}
		if err := checkSSOProvider(SSOProvider{Issuer: p.Issuer, ClientID: p.ClientID, ClientSecret: p.ClientSecret}); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO sso_instance (id, issuer, client_id, client_secret, label, updated_by, updated_at) VALUES (1, $1, $2, $3, $4, $5, $6)
			ON CONFLICT (id) DO UPDATE SET issuer = excluded.issuer, client_id = excluded.client_id, client_secret = excluded.client_secret,
			label = excluded.label, updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
			p.Issuer, p.ClientID, p.ClientSecret, p.Label, p.UpdatedBy, s.stamp())
		return err
	})
	if err != nil {
		return fmt.Errorf("the instance's single sign-on: %w", err)
	}
	s.LogSecurity(ctx, SecurityEvent{Email: p.UpdatedBy, Kind: EventSSOSettings, Detail: "instance provider: issuer " + p.Issuer + ", client " + p.ClientID})
	return nil
}

// DeleteInstanceSSO removes the instance's provider. The organizations
// that used it lose their single sign-on settings, and with them the
// requirement to sign in through it (so that nobody is locked out); it
// returns those organizations.
func (s *Store) DeleteInstanceSSO(ctx context.Context, by string) ([]string, error) {
	var orgs []string
	err := s.tx(ctx, func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT org_id FROM sso_providers WHERE use_instance ORDER BY org_id`)
		if err != nil {
			return err
		}
		for rows.Next() {
			var o string
			if err := rows.Scan(&o); err != nil {
				rows.Close()
				return err
			}
			orgs = append(orgs, o)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, o := range orgs {
			if _, err := tx.ExecContext(ctx, `DELETE FROM sso_providers WHERE org_id = $1`, o); err != nil {
				return err
			}
			if err := s.setSSOPolicy(ctx, tx, o, false, by); err != nil {
				return err
			}
		}
		res, err := tx.ExecContext(ctx, `DELETE FROM sso_instance WHERE id = 1`)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err == nil && n == 0 {
			return ErrNotFound
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("the instance's single sign-on: %w", err)
	}
	s.LogSecurity(ctx, SecurityEvent{Email: by, Kind: EventSSOSettings, Detail: "instance provider removed"})
	for _, o := range orgs {
		s.LogSecurity(ctx, SecurityEvent{Org: o, Email: by, Kind: EventSSOSettings, Detail: "instance provider removed by the operator"})
	}
	return orgs, nil
}

// InstanceSSOLogin signs in the account whose email the instance's
// provider verified and starts a session of ttl marked as made by that
// provider. The account must be enabled and a member of at least one
// organization that uses the instance's provider; otherwise
// ErrSSONoMember (nobody joins here: joining goes through an
// organization's own link).
func (s *Store) InstanceSSOLogin(ctx context.Context, email string, ttl time.Duration) (User, string, error) {
	email = normEmail(email)
	if err := checkEmail(email); err != nil {
		return User{}, "", fmt.Errorf("single sign-on: %w", err)
	}
	token, err := newSecret()
	if err != nil {
		return User{}, "", fmt.Errorf("single sign-on: %w", err)
	}
	var u User
	now := s.now()
	err = s.tx(ctx, func(tx *sql.Tx) error {
		var err error
		u, _, err = scanUser(tx.QueryRowContext(ctx, `SELECT `+userCols+` FROM users WHERE email = $1`, email))
		if errors.Is(err, sql.ErrNoRows) {
			return ErrSSONoMember
		}
		if err != nil {
			return err
		}
		if u.Disabled {
			return ErrSSONoMember
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM memberships m JOIN sso_providers p ON p.org_id = m.org_id WHERE m.user_id = $1 AND p.use_instance`, u.ID).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return ErrSSONoMember
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE expires_at <= $1`, until(now)); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO sessions (token_hash, user_id, created_at, expires_at, sso_org, method) VALUES ($1, $2, $3, $4, '', $5)`,
			hashToken(token), u.ID, now.UTC().Format(time.RFC3339Nano), until(now.Add(ttl)), MethodInstanceSSO)
		return err
	})
	if errors.Is(err, ErrSSONoMember) {
		return User{}, "", err
	}
	if err != nil {
		return User{}, "", fmt.Errorf("single sign-on through the instance's provider: %w", err)
	}
	return u, token, nil
}

// OrgsUsingInstanceSSO lists the organizations that use the instance's
// provider.
func (s *Store) OrgsUsingInstanceSSO(ctx context.Context) ([]string, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT org_id FROM sso_providers WHERE use_instance ORDER BY org_id`)
	if err != nil {
		return nil, fmt.Errorf("organizations using the instance's single sign-on: %w", err)
	}
	defer rows.Close()
	var orgs []string
	for rows.Next() {
		var o string
		if err := rows.Scan(&o); err != nil {
			return nil, fmt.Errorf("organizations using the instance's single sign-on: %w", err)
		}
		orgs = append(orgs, o)
	}
	return orgs, rows.Err()
}
