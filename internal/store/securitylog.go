package store

// The security log: who signed in, who failed, who turned a second factor
// on or off, who changed an organization's sign-in policy. It is written
// by the store itself (Login, the second step, the factor changes), so
// every interface that signs people in records the same events.
//
// An account's events (org_id '') belong to no one organization: an
// organization's administrators read those of its current members, and
// its own events (policy changes). Failures for an unknown email are kept
// for the operator only (user_id 0).
//
// Growth is bounded: events older than securityLogKeep are dropped, and
// at most securityLogMax are kept, the oldest going first. Listing is
// paged by id, newest first.

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// Kinds of security event. Other sign-in methods add their own kinds
// here; each has its label under seclog.kind.<kind> in the catalogs.
const (
	EventLogin           = "login"            // signed in (detail: the method)
	EventLoginFailed     = "login_failed"     // wrong email or password
	EventLoginThrottled  = "login_throttled"  // refused by the throttle
	EventSecondStep      = "second_step"      // password right, second factor asked
	EventSecondFailed    = "second_failed"    // wrong code at the second step
	EventSecondExpired   = "second_expired"   // the second step was used late, twice or elsewhere
	EventRecoveryUsed    = "recovery_used"    // a recovery code replaced the app's code
	EventTOTPOn          = "totp_on"          // TOTP confirmed and turned on
	EventTOTPOff         = "totp_off"         // TOTP turned off
	EventTOTPFailed      = "totp_failed"      // a wrong code at enrolment or when turning off
	EventRecoveryRenewed = "recovery_renewed" // new recovery codes replaced the old ones
	EventPolicy          = "policy"           // an organization's sign-in policy changed (detail: the requirement)
)

// Bounds of the security log, stated in docs/security.md.
const (
	securityLogKeep  = 400 * 24 * time.Hour // a little over a year: one audit cycle and its follow-up
	securityLogMax   = 200000               // events kept at most, all organizations together
	securityLogPrune = 256                  // prune once every this many writes
	// MaxSecurityPage is the most events one page lists.
	MaxSecurityPage = 200
	maxEventDetail  = 200
)

// SecurityEvent is one entry of the security log.
type SecurityEvent struct {
	ID      int64
	At      string // RFC 3339, UTC, fixed fraction
	Org     string // "" for an account's event
	UserID  int64  // 0 for an unknown email
	Email   string
	Kind    string
	Address string
	Detail  string
}

// LogSecurity writes a security event (At is set to now). Writing is best
// effort for the flows that call it: a failure is returned, and the
// callers inside the store ignore it rather than refuse a sign-in.
func (s *Store) LogSecurity(ctx context.Context, e SecurityEvent) error {
	e.At = s.now().UTC().Format(fixedStamp)
	e.Email = clip(normEmail(e.Email), maxThrottleEmail)
	e.Address = clip(e.Address, maxThrottleAddress)
	e.Detail = clip(e.Detail, maxEventDetail)
	var id int64
	err := s.db.QueryRowContext(context.WithoutCancel(ctx), `INSERT INTO security_events (at, org_id, user_id, email, kind, address, detail) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`,
		e.At, e.Org, e.UserID, e.Email, e.Kind, e.Address, e.Detail).Scan(&id)
	if err != nil {
		return fmt.Errorf("security log: %w", err)
	}
	if id%securityLogPrune == 0 {
		s.pruneSecurityLog(ctx, id)
	}
	return nil
}

// logSecurity is LogSecurity for the store's own flows.
func (s *Store) logSecurity(ctx context.Context, kind string, u User, address, detail string) {
	s.LogSecurity(ctx, SecurityEvent{UserID: u.ID, Email: u.Email, Kind: kind, Address: address, Detail: detail})
}

// pruneSecurityLog drops events past their age and beyond the count.
func (s *Store) pruneSecurityLog(ctx context.Context, last int64) {
	ctx = context.WithoutCancel(ctx)
	old := s.now().Add(-securityLogKeep).UTC().Format(fixedStamp)
	s.db.ExecContext(ctx, `DELETE FROM security_events WHERE at < $1`, old)
	s.db.ExecContext(ctx, `DELETE FROM security_events WHERE id <= $1`, last-securityLogMax)
}

// PruneSecurityLog applies the bounds now (the operator, tests).
func (s *Store) PruneSecurityLog(ctx context.Context) error {
	var last sql.NullInt64
	if err := s.db.QueryRowContext(ctx, `SELECT MAX(id) FROM security_events`).Scan(&last); err != nil {
		return fmt.Errorf("prune security log: %w", err)
	}
	s.pruneSecurityLog(ctx, last.Int64)
	return nil
}

// SecurityLog lists an organization's security events, newest first: its
// own (policy changes) and the account events of its current members.
// before is the id to list below (0: from the newest); limit is at most
// MaxSecurityPage. next is the before of the following page, 0 when none.
func (s *Store) SecurityLog(ctx context.Context, org string, before int64, limit int) (events []SecurityEvent, next int64, err error) {
	if org == "" {
		return nil, 0, fmt.Errorf("security log: %w", ErrNotFound)
	}
	return s.securityPage(ctx, `(e.org_id = $1 OR (e.org_id = '' AND e.user_id IN (SELECT user_id FROM memberships WHERE org_id = $1)))`, []any{org}, before, limit)
}

// SecurityLogAll lists every security event, newest first, for the
// instance's operator (unknown emails included).
func (s *Store) SecurityLogAll(ctx context.Context, before int64, limit int) ([]SecurityEvent, int64, error) {
	return s.securityPage(ctx, `1 = 1`, nil, before, limit)
}

// SecurityLogOf lists one account's events, newest first (the account
// page).
func (s *Store) SecurityLogOf(ctx context.Context, userID int64, before int64, limit int) ([]SecurityEvent, int64, error) {
	return s.securityPage(ctx, `(e.org_id = '' AND e.user_id = $1)`, []any{userID}, before, limit)
}

func (s *Store) securityPage(ctx context.Context, where string, args []any, before int64, limit int) ([]SecurityEvent, int64, error) {
	if limit <= 0 || limit > MaxSecurityPage {
		limit = MaxSecurityPage
	}
	q := `SELECT e.id, e.at, e.org_id, e.user_id, e.email, e.kind, e.address, e.detail FROM security_events e WHERE ` + where
	if before > 0 {
		args = append(args, before)
		q += fmt.Sprintf(` AND e.id < $%d`, len(args))
	}
	q += fmt.Sprintf(` ORDER BY e.id DESC LIMIT %d`, limit+1)
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, 0, fmt.Errorf("security log: %w", err)
	}
	defer rows.Close()
	var out []SecurityEvent
	for rows.Next() {
		var e SecurityEvent
		if err := rows.Scan(&e.ID, &e.At, &e.Org, &e.UserID, &e.Email, &e.Kind, &e.Address, &e.Detail); err != nil {
			return nil, 0, fmt.Errorf("security log: %w", err)
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, fmt.Errorf("security log: %w", err)
	}
	var next int64
	if len(out) > limit {
		out = out[:limit]
		next = out[limit-1].ID
	}
	return out, next, nil
}

// SecurityLogKeepDays and SecurityLogMax are the log's bounds, for the
// page that states them.
const (
	SecurityLogKeepDays = int(securityLogKeep / (24 * time.Hour))
	SecurityLogMax      = securityLogMax
)
