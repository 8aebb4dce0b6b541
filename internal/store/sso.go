package store

// Single sign-on with OpenID Connect: each organization's provider
// settings, the sign-ins on their way through a provider (state, nonce,
// PKCE verifier), and sessions that remember which provider made them.

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"
	"unicode/utf8"
)

// SSOProvider is an organization's OpenID provider. ClientSecret is read
// by the sign-in flow only; pages show HasSecret instead.
type SSOProvider struct {
	Org          string
	Issuer       string
	ClientID     string
	ClientSecret string
	AllowJoin    bool
	JoinRole     string // the role of a person who joins through the provider
	RequireSSO   bool   // members must sign in through the provider: the org's policy is RequireSSO
	// UseInstance: the organization uses the instance's provider (set
	// by the operator) instead of one of its own; Issuer, ClientID and
	// ClientSecret are then the instance's, read from it.
	UseInstance bool
	UpdatedBy   string
	UpdatedAt   string
}

// Bounds of the provider settings and of pending sign-ins.
const (
	maxIssuer       = 512
	maxClientID     = 256
	maxClientSecret = 1024
	// SSOStateTTL is how long a sign-in may stay at the provider.
	SSOStateTTL = 10 * time.Minute
	// MaxSSOStatesPerAddress bounds the sign-ins one address may have
	// pending at once: each start writes a row.
	MaxSSOStatesPerAddress = 20
)

// Security log events of single sign-on (their labels are
// seclog.kind.<kind>); a successful one is EventLogin with the issuer.
const (
	EventSSOFailed    = "sso_failed"    // a callback or start refused (detail: why)
	EventSSOThrottled = "sso_throttled" // the address failed too often
	EventSSOSettings  = "sso_settings"  // an admin saved or removed the provider
)

// ErrSSOState is a callback whose state is unknown, used already,
// expired or started by another browser.
var ErrSSOState = errors.New("the sign-in is unknown, used already, expired, or was started in another browser")

// ErrSSOPending refuses a start past MaxSSOStatesPerAddress.
var ErrSSOPending = errors.New("too many single sign-ins pending from this address")

// CheckIssuer accepts an issuer URL: https, or http on a loopback host
// (a provider on the same machine); no query, fragment or user.
func CheckIssuer(issuer string) error {
	if issuer == "" || len(issuer) > maxIssuer || !utf8.ValidString(issuer) {
		return fmt.Errorf("issuer: a URL of at most %d characters is required", maxIssuer)
	}
	u, err := url.Parse(issuer)
	if err != nil || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return fmt.Errorf("issuer %q: expected https://host/path without query or fragment", issuer)
	}
	switch u.Scheme {
	case "https":
		return nil
	case "http":
		if h := u.Hostname(); h == "localhost" || h == "127.0.0.1" || h == "::1" {
			return nil
		}
	}
	return fmt.Errorf("issuer %q: expected https (http only for a provider on this machine)", issuer)
}

func checkSSOProvider(p SSOProvider) error {
	if err := CheckIssuer(p.Issuer); err != nil {
		return err
	}
	if p.ClientID == "" || len(p.ClientID) > maxClientID || !printable(p.ClientID) {
		return fmt.Errorf("client id: 1 to %d printable characters are required", maxClientID)
	}
	if p.ClientSecret == "" || len(p.ClientSecret) > maxClientSecret || !printable(p.ClientSecret) {
		return fmt.Errorf("client secret: 1 to %d printable characters are required", maxClientSecret)
	}
	if p.AllowJoin {
		if err := checkRole(p.JoinRole); err != nil {
			return fmt.Errorf("role of people who join: %w", err)
		}
	}
	return nil
}

func printable(s string) bool {
	for _, r := range s {
		if r < 0x20 || r == 0x7f || r == utf8.RuneError {
			return false
		}
	}
	return true
}

// SSOProviderOf returns an organization's provider, ErrNotFound when it
// has none. For an organization that uses the instance's provider the
// issuer, client id and secret are the instance's.
func (s *Store) SSOProviderOf(ctx context.Context, org string) (SSOProvider, error) {
	p := SSOProvider{Org: org}
	var req sql.NullString
	err := s.db.QueryRowContext(ctx, `SELECT
		CASE WHEN p.use_instance THEN COALESCE(i.issuer, '') ELSE p.issuer END,
		CASE WHEN p.use_instance THEN COALESCE(i.client_id, '') ELSE p.client_id END,
		CASE WHEN p.use_instance THEN COALESCE(i.client_secret, '') ELSE p.client_secret END,
		p.use_instance, p.allow_join, p.join_role, p.updated_by, p.updated_at, a.require
		FROM sso_providers p LEFT JOIN org_auth_policy a ON a.org_id = p.org_id LEFT JOIN sso_instance i ON i.id = 1 WHERE p.org_id = $1`, org).
		Scan(&p.Issuer, &p.ClientID, &p.ClientSecret, &p.UseInstance, &p.AllowJoin, &p.JoinRole, &p.UpdatedBy, &p.UpdatedAt, &req)
	p.RequireSSO = Requirement(req.String) == RequireSSO
	if errors.Is(err, sql.ErrNoRows) {
		return SSOProvider{}, fmt.Errorf("single sign-on of %s: %w", org, ErrNotFound)
	}
	if err != nil {
		return SSOProvider{}, fmt.Errorf("single sign-on of %s: %w", org, err)
	}
	return p, nil
}

// SetSSOProvider saves an organization's provider. An empty ClientSecret
// keeps the one saved before (the pages never show it, so an admin
// changing another field leaves it empty). With UseInstance the
// organization uses the instance's provider (ErrNotFound when the
// operator has set none) and keeps no issuer, client or secret of its
// own.
func (s *Store) SetSSOProvider(ctx context.Context, p SSOProvider) error {
	p.Issuer, p.ClientID = strings.TrimSpace(p.Issuer), strings.TrimSpace(p.ClientID)
	if !p.AllowJoin {
		p.JoinRole = ""
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		if p.UseInstance {
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM sso_instance`).Scan(&n); err != nil {
				return err
			}
			if n == 0 {
				return fmt.Errorf("single sign-on of %s: the instance's provider: %w", p.Org, ErrNotFound)
			}
			if p.AllowJoin {
				if err := checkRole(p.JoinRole); err != nil {
					return fmt.Errorf("single sign-on of %s: role of people who join: %w", p.Org, err)
				}
			}
			_, err := tx.ExecContext(ctx, `INSERT INTO sso_providers (org_id, issuer, client_id, client_secret, use_instance, allow_join, join_role, updated_by, updated_at)
				VALUES ($1, '', '', '', TRUE, $2, $3, $4, $5)
				ON CONFLICT (org_id) DO UPDATE SET issuer = '', client_id = '', client_secret = '', use_instance = TRUE,
				allow_join = excluded.allow_join, join_role = excluded.join_role, updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
				p.Org, p.AllowJoin, p.JoinRole, p.UpdatedBy, s.stamp())
			if err != nil {
				return fmt.Errorf("single sign-on of %s: %w", p.Org, err)
			}
			return s.setSSOPolicy(ctx, tx, p.Org, p.RequireSSO, p.UpdatedBy)
		}
		if p.ClientSecret == "" {
			err := tx.QueryRowContext(ctx, `SELECT client_secret FROM sso_providers WHERE org_id = $1 AND NOT use_instance`, p.Org).Scan(&p.ClientSecret)
			if err != nil && !errors.Is(err, sql.ErrNoRows) {
				return err
			}
		}
		if err := checkSSOProvider(p); err != nil {
			return fmt.Errorf("single sign-on of %s: %w", p.Org, err)
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO sso_providers (org_id, issuer, client_id, client_secret, use_instance, allow_join, join_role, updated_by, updated_at)
			VALUES ($1, $2, $3, $4, FALSE, $5, $6, $7, $8)
			ON CONFLICT (org_id) DO UPDATE SET issuer = excluded.issuer, client_id = excluded.client_id, client_secret = excluded.client_secret, use_instance = FALSE,
			allow_join = excluded.allow_join, join_role = excluded.join_role, updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
			p.Org, p.Issuer, p.ClientID, p.ClientSecret, p.AllowJoin, p.JoinRole, p.UpdatedBy, s.stamp())
		if err != nil {
			return fmt.Errorf("single sign-on of %s: %w", p.Org, err)
		}
		return s.setSSOPolicy(ctx, tx, p.Org, p.RequireSSO, p.UpdatedBy)
	})
}

// setSSOPolicy makes the organization's sign-in policy RequireSSO, or,
// when single sign-on is no longer required, takes RequireSSO back to
// RequireNothing (another requirement is left as it is).
func (s *Store) setSSOPolicy(ctx context.Context, tx *sql.Tx, org string, require bool, by string) error {
	if require {
		_, err := tx.ExecContext(ctx, `INSERT INTO org_auth_policy (org_id, require, updated_by, updated_at) VALUES ($1, $2, $3, $4) ON CONFLICT (org_id) DO UPDATE SET require = excluded.require, updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
			org, string(RequireSSO), by, s.stamp())
		return err
	}
	_, err := tx.ExecContext(ctx, `UPDATE org_auth_policy SET require = $1, updated_by = $2, updated_at = $3 WHERE org_id = $4 AND require = $5`,
		string(RequireNothing), by, s.stamp(), org, string(RequireSSO))
	return err
}

// DeleteSSOProvider removes an organization's provider (and with it the
// requirement to use it).
func (s *Store) DeleteSSOProvider(ctx context.Context, org, by string) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM sso_providers WHERE org_id = $1`, org); err != nil {
			return fmt.Errorf("single sign-on of %s: %w", org, err)
		}
		return s.setSSOPolicy(ctx, tx, org, false, by)
	})
}

// SSOState is a sign-in on its way through a provider.
type SSOState struct {
	Org      string
	Nonce    string
	Verifier string // the PKCE code verifier
	Next     string // where to go once signed in
	Address  string
}

// BeginSSO records a sign-in about to go to the provider and returns its
// state (sent to the provider) and the browser token (for the browser's
// cookie), both fresh secrets stored only hashed. Expired states are
// removed on the way; an address with MaxSSOStatesPerAddress pending is
// refused (ErrSSOPending).
func (s *Store) BeginSSO(ctx context.Context, st SSOState) (state, browser string, err error) {
	if state, err = newSecret(); err != nil {
		return "", "", fmt.Errorf("begin single sign-on: %w", err)
	}
	if browser, err = newSecret(); err != nil {
		return "", "", fmt.Errorf("begin single sign-on: %w", err)
	}
	now := s.now()
	err = s.tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM sso_states WHERE expires_at <= $1`, until(now)); err != nil {
			return err
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM sso_states WHERE address = $1`, st.Address).Scan(&n); err != nil {
			return err
		}
		if n >= MaxSSOStatesPerAddress {
			return ErrSSOPending
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO sso_states (state_hash, browser_hash, org_id, nonce, verifier, next, address, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
			hashToken(state), hashToken(browser), st.Org, st.Nonce, st.Verifier, st.Next, st.Address, until(now), until(now.Add(SSOStateTTL)))
		return err
	})
	if err != nil {
		return "", "", fmt.Errorf("begin single sign-on for %s: %w", st.Org, err)
	}
	return state, browser, nil
}

// TakeSSO returns and deletes the sign-in of a state, in one statement so
// that a state is used once even by two callbacks at the same moment. A
// state that is unknown, expired or held by another browser gives
// ErrSSOState (a state presented by the wrong browser is deleted too: it
// has leaked).
func (s *Store) TakeSSO(ctx context.Context, state, browser string) (SSOState, error) {
	var st SSOState
	var browserHash, expires string
	err := s.db.QueryRowContext(ctx, `DELETE FROM sso_states WHERE state_hash = $1 RETURNING browser_hash, org_id, nonce, verifier, next, address, expires_at`, hashToken(state)).
		Scan(&browserHash, &st.Org, &st.Nonce, &st.Verifier, &st.Next, &st.Address, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return SSOState{}, ErrSSOState
	}
	if err != nil {
		return SSOState{}, fmt.Errorf("single sign-on state: %w", err)
	}
	if s.expired(expires) || browser == "" || hashToken(browser) != browserHash {
		return SSOState{}, ErrSSOState
	}
	return st, nil
}

// SSOSignIn is who a provider vouched for: a verified email.
type SSOSignIn struct {
	Org     string
	Email   string
	Name    string
	Subject string // the provider's id of the person
}

// SSOResult is what SSOLogin did.
type SSOResult struct {
	User   User
	Joined bool   // a new member, by the organization's allow_join
	Method string // MethodSSO, or MethodInstanceSSO for the instance's provider
}

// ErrSSONoMember is a verified email that is no member of the
// organization, which does not let people join (or no account may be
// made for it).
var ErrSSONoMember = errors.New("no member of the organization has this email, and the organization does not let people join through its provider")

// SSOLogin signs in the member of org whose email the provider verified
// and starts a session of ttl marked as made by org's provider (its own,
// or the instance's when the organization uses that). A person
// who is no member joins with the organization's join role when it allows
// it (an account is made without a usable password, or an existing
// account is added); otherwise ErrSSONoMember. A disabled account is
// refused as ErrSSONoMember too.
func (s *Store) SSOLogin(ctx context.Context, in SSOSignIn, ttl time.Duration) (SSOResult, string, error) {
	email := normEmail(in.Email)
	if err := checkEmail(email); err != nil {
		return SSOResult{}, "", fmt.Errorf("single sign-on: %w", err)
	}
	token, err := newSecret()
	if err != nil {
		return SSOResult{}, "", fmt.Errorf("single sign-on: %w", err)
	}
	// An account made here gets a random password nobody knows: the
	// person signs in through the provider (or the operator sets one).
	unusable, err := newSecret()
	if err != nil {
		return SSOResult{}, "", fmt.Errorf("single sign-on: %w", err)
	}
	var res SSOResult
	now := s.now()
	err = s.tx(ctx, func(tx *sql.Tx) error {
		p := SSOProvider{}
		if err := tx.QueryRowContext(ctx, `SELECT allow_join, join_role, use_instance FROM sso_providers WHERE org_id = $1`, in.Org).Scan(&p.AllowJoin, &p.JoinRole, &p.UseInstance); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return fmt.Errorf("single sign-on of %s: %w", in.Org, ErrNotFound)
			}
			return err
		}
		u, _, err := scanUser(tx.QueryRowContext(ctx, `SELECT `+userCols+` FROM users WHERE email = $1`, email))
		switch {
		case errors.Is(err, sql.ErrNoRows):
			if !p.AllowJoin {
				return ErrSSONoMember
			}
			u = User{Email: email, Name: clip(strings.TrimSpace(in.Name), 200), Lang: "ja", CreatedAt: s.stamp()}
			if err := tx.QueryRowContext(ctx, `INSERT INTO users (email, name, lang, password_hash, disabled, created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
				u.Email, u.Name, u.Lang, "sso:"+hashToken(unusable), false, u.CreatedAt).Scan(&u.ID); err != nil {
				return err
			}
		case err != nil:
			return err
		}
		if u.Disabled {
			return ErrSSONoMember
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM memberships WHERE org_id = $1 AND user_id = $2`, in.Org, u.ID).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			if !p.AllowJoin {
				return ErrSSONoMember
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO memberships (org_id, user_id, role, person) VALUES ($1, $2, $3, '')`, in.Org, u.ID, p.JoinRole); err != nil {
				return err
			}
			res.Joined = true
		}
		res.User = u
		if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE expires_at <= $1`, until(now)); err != nil {
			return err
		}
		method := MethodSSO
		if p.UseInstance {
			method = MethodInstanceSSO
		}
		res.Method = method
		_, err = tx.ExecContext(ctx, `INSERT INTO sessions (token_hash, user_id, created_at, expires_at, sso_org, method) VALUES ($1, $2, $3, $4, $5, $6)`,
			hashToken(token), u.ID, now.UTC().Format(time.RFC3339Nano), until(now.Add(ttl)), in.Org, method)
		return err
	})
	if err != nil {
		if errors.Is(err, ErrSSONoMember) || errors.Is(err, ErrNotFound) {
			return SSOResult{}, "", err
		}
		return SSOResult{}, "", fmt.Errorf("single sign-on to %s: %w", in.Org, err)
	}
	return res, token, nil
}

// SignedInThroughProvider reports whether a session was made by the
// provider an organization signs in with: its own provider for that
// organization, or the instance's provider when the organization uses it
// (a session the instance's provider made for any organization, or from
// the sign-in page, counts: it is the same provider vouching for the
// same person).
func (s *Store) SignedInThroughProvider(ctx context.Context, token, org string) (bool, error) {
	var method, via string
	err := s.db.QueryRowContext(ctx, `SELECT method, sso_org FROM sessions WHERE token_hash = $1`, hashToken(token)).Scan(&method, &via)
	if errors.Is(err, sql.ErrNoRows) {
		return false, fmt.Errorf("session: %w", ErrNotFound)
	}
	if err != nil {
		return false, fmt.Errorf("session: %w", err)
	}
	if method != MethodSSO && method != MethodInstanceSSO {
		return false, nil
	}
	var useInstance bool
	err = s.db.QueryRowContext(ctx, `SELECT use_instance FROM sso_providers WHERE org_id = $1`, org).Scan(&useInstance)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("single sign-on of %s: %w", org, err)
	}
	if useInstance {
		return method == MethodInstanceSSO, nil
	}
	return method == MethodSSO && via == org, nil
}

// SSORequired reports whether an organization admits only sessions made
// by its provider.
func (s *Store) SSORequired(ctx context.Context, org string) (bool, error) {
	p, err := s.OrgPolicyOf(ctx, org)
	return p.Require == RequireSSO, err
}

// ReserveSSOFailure counts a failed single sign-on from an address (a
// forged or replayed state, a token that failed its checks) and refuses
// with a *ThrottleError once the address has failed too often: the same
// counters and windows as password attempts, keyed by the address alone.
func (s *Store) ReserveSSOFailure(ctx context.Context, address string) error {
	now := s.now().UTC()
	address = clip(address, 200)
	return s.tx(ctx, func(tx *sql.Tx) error {
		r, err := s.lockThrottle(ctx, tx, "sso", "", address, now)
		if err != nil {
			return err
		}
		if now.Sub(r.start) >= pairWindow {
			r.failures, r.start = 0, now
		}
		if r.failures >= pairMax {
			return &ThrottleError{RetryAfter: r.start.Add(pairWindow).Sub(now)}
		}
		r.failures++
		return writeThrottle(ctx, tx, r)
	})
}

// SSOThrottled refuses (a *ThrottleError) an address whose single
// sign-ons have failed too often, without counting.
func (s *Store) SSOThrottled(ctx context.Context, address string) error {
	now := s.now().UTC()
	var failures int
	var start string
	err := s.db.QueryRowContext(ctx, `SELECT failures, window_start FROM login_throttle WHERE kind = 'sso' AND email = '' AND address = $1`, clip(address, 200)).Scan(&failures, &start)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return err
	}
	st := parseStamp(start)
	if now.Sub(st) < pairWindow && failures >= pairMax {
		return &ThrottleError{RetryAfter: st.Add(pairWindow).Sub(now)}
	}
	return nil
}
