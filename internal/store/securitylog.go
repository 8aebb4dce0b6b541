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
// Growth is bounded, and per source, so that an anonymous flood cannot
// push an organization's events out:
//   - a failure or refusal (a wrong password, a throttled attempt, a
//     forged single sign-on, …) that repeats one from the same source
//     within securityLogMerge is counted on that entry (Repeats, LastAt)
//     instead of written again. The source is the address and, for an
//     unknown email, not the email (an attacker picks those); a refusal
//     by the throttle of a known account is one source whatever the
//     address;
//   - events of no account (user id 0: unknown emails, refused single
//     sign-ons and passkeys) are kept to securityLogAnonMax of their own,
//     and each account's to securityLogPerUser, the oldest going first;
//   - events older than securityLogKeep are dropped, and at most
//     securityLogMax are kept in all.
// Listing is paged by id, newest first.

import (
	"context"
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
	securityLogMerge = time.Hour            // repeats from one source within this are one entry
	// MaxSecurityPage is the most events one page lists.
	MaxSecurityPage = 200
	maxEventDetail  = 200
)

// Bounds per source, variables so that tests can lower them.
var (
	securityLogAnonMax = 20000 // events of no account (user id 0)
	securityLogPerUser = 5000  // events of one account
	securityLogPrune   = 256   // prune once every this many new entries
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
	// Repeats counts the events of this entry: more than 1 when the same
	// failure came again from the same source, the last at LastAt.
	Repeats int64
	LastAt  string
}

// repeatable are the kinds of event an attacker can repeat at will: the
// failures and refusals. A repeat is counted on the entry before it.
var repeatable = map[string]bool{
	EventLoginFailed: true, EventLoginThrottled: true, EventSecondFailed: true, EventSecondExpired: true,
	EventTOTPFailed: true, EventSSOFailed: true, EventSSOThrottled: true, EventPasskeyFailed: true,
}

// refusal are the kinds written when the throttle refuses before any
// check: for a known account they are one source whatever the address.
var refusal = map[string]bool{EventLoginThrottled: true, EventSSOThrottled: true}

// LogSecurity writes a security event (At is set to now), or counts it
// on the entry it repeats (see the bounds above). Writing is best effort
// for the flows that call it: a failure is returned, and the callers
// inside the store ignore it rather than refuse a sign-in.
func (s *Store) LogSecurity(ctx context.Context, e SecurityEvent) error {
	ctx = context.WithoutCancel(ctx)
	now := s.now().UTC()
	e.At = now.Format(fixedStamp)
	e.Email = clip(normEmail(e.Email), maxThrottleEmail)
	e.Address = clip(e.Address, maxThrottleAddress)
	e.Detail = clip(e.Detail, maxEventDetail)
	if repeatable[e.Kind] {
		merged, err := s.countRepeat(ctx, e, now.Add(-securityLogMerge).Format(fixedStamp))
		if err != nil {
			return fmt.Errorf("security log: %w", err)
		}
		if merged {
			return nil
		}
	}
	var id int64
	err := s.db.QueryRowContext(ctx, `INSERT INTO security_events (at, org_id, user_id, email, kind, address, detail, repeats, last_at) VALUES ($1, $2, $3, $4, $5, $6, $7, 1, $1) RETURNING id`,
		e.At, e.Org, e.UserID, e.Email, e.Kind, e.Address, e.Detail).Scan(&id)
	if err != nil {
		return fmt.Errorf("security log: %w", err)
	}
	if id%int64(securityLogPrune) == 0 {
		s.pruneSecurityLog(ctx, e.UserID)
	}
	return nil
}

// countRepeat counts e on the newest entry of its source since since, in
// one statement, and reports whether there was one.
func (s *Store) countRepeat(ctx context.Context, e SecurityEvent, since string) (bool, error) {
	where := `kind = $2 AND org_id = $3 AND user_id = $4 AND at >= $5 AND address = $6`
	args := []any{e.At, e.Kind, e.Org, e.UserID, since, e.Address}
	if e.UserID != 0 && refusal[e.Kind] {
		where, args = `kind = $2 AND org_id = $3 AND user_id = $4 AND at >= $5`, args[:5]
	}
	res, err := s.db.ExecContext(ctx, `UPDATE security_events SET repeats = repeats + 1, last_at = $1
		WHERE id = (SELECT MAX(id) FROM security_events WHERE `+where+`)`, args...)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n > 0, err
}

// logSecurity is LogSecurity for the store's own flows.
func (s *Store) logSecurity(ctx context.Context, kind string, u User, address, detail string) {
	s.LogSecurity(ctx, SecurityEvent{UserID: u.ID, Email: u.Email, Kind: kind, Address: address, Detail: detail})
}

// pruneSecurityLog drops events past their age, events of no account
// beyond their own bound, the oldest of the account that just wrote
// (userID, 0 for none) beyond its bound, and any beyond the total.
func (s *Store) pruneSecurityLog(ctx context.Context, userID int64) {
	ctx = context.WithoutCancel(ctx)
	old := s.now().Add(-securityLogKeep).UTC().Format(fixedStamp)
	s.db.ExecContext(ctx, `DELETE FROM security_events WHERE at < $1`, old)
	keepNewest := func(where string, n int, args ...any) {
		args = append(args, n)
		s.db.ExecContext(ctx, fmt.Sprintf(`DELETE FROM security_events WHERE %[1]s AND id < (SELECT id FROM security_events WHERE %[1]s ORDER BY id DESC LIMIT 1 OFFSET $%[2]d)`, where, len(args)), args...)
	}
	keepNewest(`user_id = $1`, securityLogAnonMax-1, int64(0))
	if userID != 0 {
		keepNewest(`user_id = $1`, securityLogPerUser-1, userID)
	}
	keepNewest(`1 = 1`, securityLogMax-1)
}

// PruneSecurityLog applies the bounds now (the operator, tests).
func (s *Store) PruneSecurityLog(ctx context.Context) error {
	rows, err := s.db.QueryContext(ctx, `SELECT user_id FROM security_events WHERE user_id <> 0 GROUP BY user_id HAVING COUNT(*) > $1`, securityLogPerUser)
	if err != nil {
		return fmt.Errorf("prune security log: %w", err)
	}
	var users []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return fmt.Errorf("prune security log: %w", err)
		}
		users = append(users, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("prune security log: %w", err)
	}
	s.pruneSecurityLog(ctx, 0)
	for _, id := range users {
		s.pruneSecurityLog(ctx, id)
	}
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
	q := `SELECT e.id, e.at, e.org_id, e.user_id, e.email, e.kind, e.address, e.detail, e.repeats, e.last_at FROM security_events e WHERE ` + where
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
		if err := rows.Scan(&e.ID, &e.At, &e.Org, &e.UserID, &e.Email, &e.Kind, &e.Address, &e.Detail, &e.Repeats, &e.LastAt); err != nil {
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
