package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// InvitationTTL is how long an invitation link works.
const InvitationTTL = 7 * 24 * time.Hour

// Invitation is an organization admin's invitation of an email to a role.
type Invitation struct {
	ID        int64
	Org       string
	Email     string
	Role      string
	Person    string
	InvitedBy string
	CreatedAt string
	ExpiresAt string
}

// MaxInvitationsPerDay bounds the invitations one organization may send in
// any 24 hours, revoked and replaced ones included: each mails an address
// its admin typed, so the bound is what keeps an admin account (or a
// stolen one) from turning the server into a mail relay.
const MaxInvitationsPerDay = 50

// invitationKeep is how long a used, revoked or expired invitation stays
// before it is deleted; it must exceed the day MaxInvitationsPerDay counts.
const invitationKeep = 30 * 24 * time.Hour

// ErrInvitationsExceeded refuses an invitation past MaxInvitationsPerDay.
var ErrInvitationsExceeded = errors.New("too many invitations sent in the last 24 hours")

// ErrWrongAccount is an invitation for an email whose account exists,
// accepted by somebody not signed in to that account.
var ErrWrongAccount = errors.New("the invitation is for another account: sign in as the invited email to accept it")

// CreateInvitation invites an email to an organization with a role (and
// the person of the ISMS the member will be), replacing any open
// invitation of the same email there. It returns the secret token of the
// link, shown once: only its SHA-256 is stored.
func (s *Store) CreateInvitation(ctx context.Context, org, email, role, person, invitedBy string) (string, Invitation, error) {
	email = normEmail(email)
	if err := checkEmail(email); err != nil {
		return "", Invitation{}, fmt.Errorf("invite: %w", err)
	}
	if err := checkRole(role); err != nil {
		return "", Invitation{}, fmt.Errorf("invite: %w", err)
	}
	token, err := newSecret()
	if err != nil {
		return "", Invitation{}, fmt.Errorf("invite: %w", err)
	}
	now := s.now()
	inv := Invitation{Org: org, Email: email, Role: role, Person: strings.TrimSpace(person), InvitedBy: invitedBy,
		CreatedAt: now.UTC().Format(time.RFC3339Nano), ExpiresAt: until(now.Add(InvitationTTL))}
	err = s.tx(ctx, func(tx *sql.Tx) error {
		if _, err := s.getOrg(ctx, tx, org); err != nil {
			return err
		}
		if err := s.countInvitations(ctx, tx, org, now); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE invitations SET revoked_at = $3 WHERE org_id = $1 AND email = $2 AND used_at IS NULL AND revoked_at IS NULL`,
			org, email, inv.CreatedAt); err != nil {
			return err
		}
		return tx.QueryRowContext(ctx, `INSERT INTO invitations (org_id, email, role, person, token_hash, invited_by, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
			org, email, role, inv.Person, hashToken(token), invitedBy, inv.CreatedAt, inv.ExpiresAt).Scan(&inv.ID)
	})
	if err != nil {
		return "", Invitation{}, fmt.Errorf("invite %s to %s: %w", email, org, err)
	}
	return token, inv, nil
}

// countInvitations refuses one more invitation when the organization sent
// MaxInvitationsPerDay in the last 24 hours, and deletes the rows kept
// past invitationKeep. The organization's row is locked first (on
// PostgreSQL; SQLite serializes writers), so concurrent invitations cannot both pass the count.
func (s *Store) countInvitations(ctx context.Context, tx *sql.Tx, org string, now time.Time) error {
	if _, err := tx.ExecContext(ctx, `SELECT id FROM orgs WHERE id = $1`+s.d.lockHead, org); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM invitations WHERE org_id = $1 AND expires_at < $2`, org, until(now.Add(-invitationKeep))); err != nil {
		return err
	}
	var sent int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM invitations WHERE org_id = $1 AND created_at > $2`,
		org, now.Add(-24*time.Hour).UTC().Format(time.RFC3339Nano)).Scan(&sent); err != nil {
		return err
	}
	if sent >= MaxInvitationsPerDay {
		return fmt.Errorf("%w (%d)", ErrInvitationsExceeded, sent)
	}
	return nil
}

const invitationCols = `id, org_id, email, role, person, invited_by, created_at, expires_at`

func scanInvitation(r rowScanner) (Invitation, error) {
	var i Invitation
	err := r.Scan(&i.ID, &i.Org, &i.Email, &i.Role, &i.Person, &i.InvitedBy, &i.CreatedAt, &i.ExpiresAt)
	return i, err
}

// Invitation finds the open invitation of a token: ErrNotFound when the
// token is unknown, used or expired.
func (s *Store) Invitation(ctx context.Context, token string) (Invitation, error) {
	inv, err := scanInvitation(s.db.QueryRowContext(ctx, `SELECT `+invitationCols+` FROM invitations WHERE token_hash = $1 AND used_at IS NULL AND revoked_at IS NULL`, hashToken(token)))
	if errors.Is(err, sql.ErrNoRows) || err == nil && s.expired(inv.ExpiresAt) {
		return Invitation{}, fmt.Errorf("invitation: %w", ErrNotFound)
	}
	return inv, err
}

// Invitations lists an organization's open invitations, by email.
func (s *Store) Invitations(ctx context.Context, org string) ([]Invitation, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+invitationCols+` FROM invitations WHERE org_id = $1 AND used_at IS NULL AND revoked_at IS NULL AND expires_at > $2 ORDER BY email`, org, until(s.now()))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Invitation
	for rows.Next() {
		inv, err := scanInvitation(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, inv)
	}
	return out, rows.Err()
}

// RevokeInvitation withdraws an open invitation of an organization.
func (s *Store) RevokeInvitation(ctx context.Context, org string, id int64) error {
	return updated(s.db.ExecContext(ctx, `UPDATE invitations SET revoked_at = $3 WHERE org_id = $1 AND id = $2 AND used_at IS NULL AND revoked_at IS NULL`,
		org, id, s.stamp()))
}

// AcceptInvitation uses an invitation, once. When an account with the
// invited email exists, only that account, signed in (signedIn is its
// id; 0 when nobody is signed in), may accept: the membership is added to
// it, and name and password are not used (ErrWrongAccount otherwise).
// When none exists, the account is created with the name, language and
// password the invited person chose. ErrNotFound for a token unknown,
// used or expired.
func (s *Store) AcceptInvitation(ctx context.Context, token string, signedIn int64, name, lang, password string) (User, Invitation, error) {
	inv, err := s.Invitation(ctx, token)
	if err != nil {
		return User{}, Invitation{}, err
	}
	existing, err := s.UserByEmail(ctx, inv.Email)
	switch {
	case err == nil:
		if signedIn != existing.ID {
			return User{}, inv, ErrWrongAccount
		}
	case errors.Is(err, ErrNotFound):
		if err := checkPassword(password); err != nil {
			return User{}, inv, fmt.Errorf("accept invitation: %w", err)
		}
		if err := checkLang(lang); err != nil {
			return User{}, inv, fmt.Errorf("accept invitation: %w", err)
		}
	default:
		return User{}, inv, err
	}
	var hash string
	if existing.ID == 0 {
		if hash, err = hashPasswordGated(ctx, password); err != nil {
			return User{}, inv, fmt.Errorf("accept invitation: %w", err)
		}
	}
	u := existing
	now := s.now()
	err = s.tx(ctx, func(tx *sql.Tx) error {
		// Single use: only the first of two concurrent acceptances marks it.
		if err := updated(tx.ExecContext(ctx, `UPDATE invitations SET used_at = $1 WHERE id = $2 AND used_at IS NULL AND revoked_at IS NULL AND expires_at > $3`,
			now.UTC().Format(time.RFC3339Nano), inv.ID, until(now))); err != nil {
			return fmt.Errorf("invitation: %w", err)
		}
		if u.ID == 0 {
			u = User{Email: inv.Email, Name: strings.TrimSpace(name), Lang: lang, CreatedAt: s.stamp()}
			if u.Name == "" {
				u.Name = inv.Email
			}
			err := tx.QueryRowContext(ctx, `INSERT INTO users (email, name, lang, password_hash, disabled, created_at) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (email) DO NOTHING RETURNING id`,
				u.Email, u.Name, u.Lang, hash, false, u.CreatedAt).Scan(&u.ID)
			if errors.Is(err, sql.ErrNoRows) {
				return ErrWrongAccount // created meanwhile: its owner accepts, signed in
			}
			if err != nil {
				return err
			}
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO memberships (org_id, user_id, role, person) VALUES ($1, $2, $3, $4) ON CONFLICT (org_id, user_id) DO UPDATE SET role = excluded.role, person = excluded.person`,
			inv.Org, u.ID, inv.Role, inv.Person)
		return err
	})
	if err != nil {
		return User{}, inv, err
	}
	return u, inv, nil
}
