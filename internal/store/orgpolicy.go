package store

// An organization's sign-in policy: what its members must sign in with
// before they see anything of it. The requirement is one value from a
// short list that grows with the sign-in methods (SSO adds its own);
// MetBy is the one rule that says whether a member satisfies it.

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// Requirement is what an organization requires of its members' sign-in.
type Requirement string

// The requirements, weakest first.
const (
	RequireNothing   Requirement = ""           // a password is enough
	RequireTwoFactor Requirement = "two_factor" // a second factor at every password sign-in (TOTP)
	// RequireSSO admits only sessions made by the organization's OpenID
	// provider. It is set on the single sign-on page (SetSSOProvider),
	// which checks that the provider works, never by SetOrgPolicy.
	RequireSSO Requirement = "sso"
)

// Requirements lists the requirements an administrator chooses from, in
// the order a form shows them.
var Requirements = []Requirement{RequireNothing, RequireTwoFactor}

// Valid reports whether r is a known requirement.
func (r Requirement) Valid() bool {
	if r == RequireSSO {
		return true
	}
	for _, x := range Requirements {
		if x == r {
			return true
		}
	}
	return false
}

// OrgPolicy is an organization's sign-in policy.
type OrgPolicy struct {
	Org       string
	Require   Requirement
	UpdatedBy string // email of the administrator who set it, "" never set
	UpdatedAt string
}

// MetBy reports whether an account with these factors satisfies the
// policy.
func (p OrgPolicy) MetBy(f Factors) bool {
	switch p.Require {
	case RequireNothing:
		return true
	case RequireTwoFactor:
		return f.SecondFactor()
	case RequireSSO:
		// Factors do not matter: the session must come from the
		// provider, which the web pages check (SignedInThroughProvider).
		return true
	}
	return false // a requirement this build does not know: nobody meets it
}

// OrgPolicyOf returns an organization's policy (RequireNothing when never
// set).
func (s *Store) OrgPolicyOf(ctx context.Context, org string) (OrgPolicy, error) {
	p := OrgPolicy{Org: org}
	var req string
	err := s.db.QueryRowContext(ctx, `SELECT require, updated_by, updated_at FROM org_auth_policy WHERE org_id = $1`, org).Scan(&req, &p.UpdatedBy, &p.UpdatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return p, nil
	}
	if err != nil {
		return p, fmt.Errorf("sign-in policy of %s: %w", org, err)
	}
	p.Require = Requirement(req)
	return p, nil
}

// SetOrgPolicy sets an organization's policy (ErrNotFound for an unknown
// organization) and writes it to the security log.
func (s *Store) SetOrgPolicy(ctx context.Context, org string, req Requirement, by User, address string) error {
	if !req.Valid() {
		return fmt.Errorf("sign-in policy of %s: unknown requirement %q", org, req)
	}
	if req == RequireSSO {
		return fmt.Errorf("sign-in policy of %s: single sign-on is required on the organization's single sign-on page, which checks the provider first", org)
	}
	if _, err := s.Org(ctx, org); err != nil {
		return err
	}
	_, err := s.db.ExecContext(ctx, `INSERT INTO org_auth_policy (org_id, require, updated_by, updated_at) VALUES ($1, $2, $3, $4) ON CONFLICT (org_id) DO UPDATE SET require = excluded.require, updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
		org, string(req), by.Email, s.stamp())
	if err != nil {
		return fmt.Errorf("sign-in policy of %s: %w", org, err)
	}
	s.LogSecurity(ctx, SecurityEvent{Org: org, UserID: by.ID, Email: by.Email, Kind: EventPolicy, Address: address, Detail: string(req)})
	return nil
}

// PolicyAllows tells whether a member may see an organization under its
// policy, with the policy (to say what is missing).
func (s *Store) PolicyAllows(ctx context.Context, org string, userID int64) (OrgPolicy, bool, error) {
	p, err := s.OrgPolicyOf(ctx, org)
	if err != nil {
		return p, false, err
	}
	ok, err := s.PolicyMet(ctx, p, userID)
	return p, ok, err
}

// PolicyMet tells whether a user meets a policy already read; the user's
// sign-in factors are read only when the policy asks for any.
func (s *Store) PolicyMet(ctx context.Context, p OrgPolicy, userID int64) (bool, error) {
	if p.Require == RequireNothing {
		return true, nil
	}
	f, err := s.FactorsOf(ctx, userID)
	if err != nil {
		return false, err
	}
	return p.MetBy(f), nil
}

// Access returns a user's membership of an organization with the
// organization's sign-in policy, in one query: every page and API call of
// an organization needs both before anything else (ErrNotFound when the
// user is not a member).
func (s *Store) Access(ctx context.Context, org string, userID int64) (Membership, OrgPolicy, error) {
	m := Membership{Org: org, UserID: userID}
	var req, by, at sql.NullString
	err := s.db.QueryRowContext(ctx, `SELECT m.role, m.person, p.require, p.updated_by, p.updated_at
		FROM memberships m LEFT JOIN org_auth_policy p ON p.org_id = m.org_id
		WHERE m.org_id = $1 AND m.user_id = $2`, org, userID).Scan(&m.Role, &m.Person, &req, &by, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return Membership{}, OrgPolicy{}, fmt.Errorf("membership of user %d in %s: %w", userID, org, ErrNotFound)
	}
	if err != nil {
		return Membership{}, OrgPolicy{}, fmt.Errorf("membership of user %d in %s: %w", userID, org, err)
	}
	return m, policyOf(org, req, by, at), nil
}

// policyOf is an organization's policy from its row (all null when it
// never set one: RequireNothing).
func policyOf(org string, req, by, at sql.NullString) OrgPolicy {
	return OrgPolicy{Org: org, Require: Requirement(req.String), UpdatedBy: by.String, UpdatedAt: at.String}
}

// OrgAccess is what a web page of an organization needs to know of its
// caller besides who they are: the membership (Err wraps ErrNotFound for
// a caller who is no member), the organization's sign-in policy, and every
// membership of the caller, for the menu.
type OrgAccess struct {
	Member Membership
	Policy OrgPolicy
	All    []Membership
	Err    error
	// Heads is where the organization's writes stood, read with the
	// membership (for ReadingAt).
	Heads Heads
}

// SessionAccess is SessionUser and Access, with every membership of the
// user (Memberships), in one query (a round trip less for every page).
// err is SessionUser's.
func (s *Store) SessionAccess(ctx context.Context, token, org string) (User, OrgAccess, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT s.expires_at, u.id, u.email, u.name, u.lang, u.disabled, u.created_at,
			m.org_id, m.role, m.person, p.require, p.updated_by, p.updated_at, h.n, h.approvals_rev, h.bulk_n
		FROM sessions s JOIN users u ON u.id = s.user_id
		LEFT JOIN memberships m ON m.user_id = u.id
		LEFT JOIN org_auth_policy p ON p.org_id = m.org_id AND m.org_id = $2
		LEFT JOIN history_heads h ON h.org_id = m.org_id AND m.org_id = $2
		WHERE s.token_hash = $1 ORDER BY m.org_id`, hashToken(token), org)
	if err != nil {
		return User{}, OrgAccess{}, err
	}
	defer rows.Close()
	var u User
	var expires string
	var a OrgAccess
	seen, found := false, false
	for rows.Next() {
		var mOrg, role, person, req, by, at sql.NullString
		var h nullHeads
		if err := rows.Scan(&expires, &u.ID, &u.Email, &u.Name, &u.Lang, &u.Disabled, &u.CreatedAt,
			&mOrg, &role, &person, &req, &by, &at, &h.n, &h.rev, &h.bulk); err != nil {
			return User{}, OrgAccess{}, err
		}
		seen = true
		if !mOrg.Valid {
			continue // a user of no organization
		}
		m := Membership{Org: mOrg.String, UserID: u.ID, Role: role.String, Person: person.String}
		a.All = append(a.All, m)
		if m.Org == org {
			a.Member, a.Policy, a.Heads, found = m, policyOf(org, req, by, at), h.heads(), true
		}
	}
	if err := rows.Err(); err != nil {
		return User{}, OrgAccess{}, err
	}
	if !seen || s.expired(expires) || u.Disabled {
		return User{}, OrgAccess{}, fmt.Errorf("session: %w", ErrNotFound)
	}
	if !found {
		return u, OrgAccess{Err: fmt.Errorf("membership of user %d in %s: %w", u.ID, org, ErrNotFound)}, nil
	}
	return u, a, nil
}
