package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/cloudisms/cloudisms/internal/isms"
)

// ApprovalRequest is a request that a person of the ISMS approve an item.
type ApprovalRequest struct {
	ID            int64
	Org           string
	Kind, Key     string
	Person        string // the approver asked (a person id of the ISMS)
	RequestedBy   int64
	RequesterName string
	Title         string // the item's name or title
	Note          string
	Due           string // YYYY-MM-DD or ""
	CreatedAt     string
	ResolvedAt    string
}

// MaxOpenRequests bounds the open approval requests of an organization.
const MaxOpenRequests = 2000

// RequestApproval records that a user asks a person to approve an item,
// and tells every member linked to that person (a notification, mailed
// when mail is on). An open request for the same item and person is
// replaced, not repeated.
func (s *Store) RequestApproval(ctx context.Context, org, kind, key, person string, by User, note, due string) (ApprovalRequest, error) {
	note = strings.TrimSpace(note)
	if err := CheckNote(note); err != nil {
		return ApprovalRequest{}, err
	}
	if due != "" {
		if _, err := isms.ParseDate(due); err != nil {
			return ApprovalRequest{}, fmt.Errorf("approval request due %q: %w", due, err)
		}
	}
	r := ApprovalRequest{Org: org, Kind: kind, Key: key, Person: person, RequestedBy: by.ID, RequesterName: displayName(by), Note: note, Due: due, CreatedAt: s.stamp()}
	err := s.tx(ctx, func(tx *sql.Tx) error {
		if err := s.itemExists(ctx, tx, org, kind, key); err != nil {
			return err
		}
		var linked []int64
		if err := collect(ctx, tx, `SELECT user_id FROM memberships WHERE org_id = $1 AND person = $2 ORDER BY user_id`, []any{org, person}, func(rows *sql.Rows) error {
			var id int64
			if err := rows.Scan(&id); err != nil {
				return err
			}
			linked = append(linked, id)
			return nil
		}); err != nil {
			return err
		}
		if len(linked) == 0 {
			return fmt.Errorf("approver %s is no member's person: %w", person, ErrNotFound)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE approval_requests SET resolved_at = $1 WHERE org_id = $2 AND kind = $3 AND key = $4 AND person = $5 AND resolved_at = ''`,
			r.CreatedAt, org, kind, key, person); err != nil {
			return err
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM approval_requests WHERE org_id = $1 AND resolved_at = ''`, org).Scan(&n); err != nil {
			return err
		}
		if n >= MaxOpenRequests {
			return &LimitError{What: "requests", Limit: MaxOpenRequests, Got: n + 1}
		}
		if err := tx.QueryRowContext(ctx, `INSERT INTO approval_requests (org_id, kind, key, person, requested_by, note, due, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`,
			org, kind, key, person, by.ID, note, due, r.CreatedAt).Scan(&r.ID); err != nil {
			return fmt.Errorf("approval request: %w", err)
		}
		for _, uid := range linked {
			if uid == by.ID {
				continue
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO notifications (org_id, user_id, kind, subject, actor, text, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
				org, uid, NotifyApprovalRequest, kind+"/"+key, r.RequesterName, note, r.CreatedAt); err != nil {
				return err
			}
		}
		return nil
	})
	return r, err
}

// OpenApprovalRequests lists an organization's unresolved requests, oldest
// first. A request whose item was approved since it was made counts as
// resolved: approving is what it asked for.
func (s *Store) OpenApprovalRequests(ctx context.Context, org string) ([]ApprovalRequest, error) {
	var out []ApprovalRequest
	err := collect(ctx, s.db, `SELECT r.id, r.org_id, r.kind, r.key, r.person, r.requested_by, COALESCE(NULLIF(u.name, ''), u.email, ''), COALESCE(i.label, ''), r.note, r.due, r.created_at, r.resolved_at
		FROM approval_requests r LEFT JOIN users u ON u.id = r.requested_by
		LEFT JOIN items i ON i.org_id = r.org_id AND i.kind = r.kind AND i.key = r.key
		LEFT JOIN approvals a ON a.org_id = r.org_id AND a.kind = r.kind AND a.key = r.key AND a.approved_at > r.created_at
		WHERE r.org_id = $1 AND r.resolved_at = '' AND a.org_id IS NULL ORDER BY r.id`, []any{org}, func(rows *sql.Rows) error {
		var r ApprovalRequest
		if err := rows.Scan(&r.ID, &r.Org, &r.Kind, &r.Key, &r.Person, &r.RequestedBy, &r.RequesterName, &r.Title, &r.Note, &r.Due, &r.CreatedAt, &r.ResolvedAt); err != nil {
			return err
		}
		out = append(out, r)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("approval requests of %s: %w", org, err)
	}
	return out, nil
}

// ReminderSettings are a user's choices about reminders.
type ReminderSettings struct {
	Digest bool // a daily digest by mail
	Days   int  // what falls due within this many days
}

// DefaultReminders apply to a user who chose nothing.
var DefaultReminders = ReminderSettings{Digest: true, Days: 7}

// MaxReminderDays bounds the digest's look-ahead.
const MaxReminderDays = 90

// Reminders returns a user's reminder settings.
func (s *Store) Reminders(ctx context.Context, userID int64) (ReminderSettings, error) {
	r := DefaultReminders
	err := s.db.QueryRowContext(ctx, `SELECT digest, days FROM reminder_settings WHERE user_id = $1`, userID).Scan(&r.Digest, &r.Days)
	if errors.Is(err, sql.ErrNoRows) {
		return DefaultReminders, nil
	}
	return r, err
}

// SetReminders stores a user's reminder settings.
func (s *Store) SetReminders(ctx context.Context, userID int64, r ReminderSettings) error {
	if r.Days < 1 || r.Days > MaxReminderDays {
		return &LimitError{What: "days", Limit: MaxReminderDays, Got: r.Days}
	}
	_, err := s.db.ExecContext(ctx, `INSERT INTO reminder_settings (user_id, digest, days) VALUES ($1, $2, $3)
		ON CONFLICT (user_id) DO UPDATE SET digest = excluded.digest, days = excluded.days`, userID, r.Digest, r.Days)
	return err
}

// CalendarFeed is a member's calendar feed, without its secret.
type CalendarFeed struct {
	Org       string
	UserID    int64
	CreatedAt string
}

// calendarPrefix starts every calendar secret, so that one found in a log
// is recognisable.
const calendarPrefix = "cal_"

// NewCalendarFeed makes (or remakes) a member's calendar feed and returns
// its secret, shown once: the store keeps only its hash, and a new secret
// replaces the old, whose URL stops working at once.
func (s *Store) NewCalendarFeed(ctx context.Context, org string, userID int64) (string, error) {
	if _, err := s.Member(ctx, org, userID); err != nil {
		return "", err
	}
	secret, err := newSecret()
	if err != nil {
		return "", err
	}
	secret = calendarPrefix + secret
	_, err = s.db.ExecContext(ctx, `INSERT INTO calendar_feeds (org_id, user_id, token_hash, created_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (org_id, user_id) DO UPDATE SET token_hash = excluded.token_hash, created_at = excluded.created_at`,
		org, userID, hashToken(secret), s.stamp())
	if err != nil {
		return "", fmt.Errorf("calendar feed: %w", err)
	}
	return secret, nil
}

// CalendarFeedOf returns a member's feed (ErrNotFound when they have none).
func (s *Store) CalendarFeedOf(ctx context.Context, org string, userID int64) (CalendarFeed, error) {
	f := CalendarFeed{Org: org, UserID: userID}
	err := s.db.QueryRowContext(ctx, `SELECT created_at FROM calendar_feeds WHERE org_id = $1 AND user_id = $2`, org, userID).Scan(&f.CreatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return f, fmt.Errorf("calendar feed: %w", ErrNotFound)
	}
	return f, err
}

// RevokeCalendarFeed deletes a member's feed: its URL answers 404 from now.
func (s *Store) RevokeCalendarFeed(ctx context.Context, org string, userID int64) error {
	_, err := s.db.ExecContext(ctx, `DELETE FROM calendar_feeds WHERE org_id = $1 AND user_id = $2`, org, userID)
	return err
}

// CalendarFeedBySecret finds the member whose feed a secret opens; a
// feed whose user is disabled or no longer a member opens nothing
// (ErrNotFound).
func (s *Store) CalendarFeedBySecret(ctx context.Context, secret string) (Membership, User, error) {
	if !strings.HasPrefix(secret, calendarPrefix) || len(secret) > 128 || !utf8.ValidString(secret) {
		return Membership{}, User{}, fmt.Errorf("calendar feed: %w", ErrNotFound)
	}
	var org string
	var uid int64
	err := s.db.QueryRowContext(ctx, `SELECT f.org_id, f.user_id FROM calendar_feeds f JOIN users u ON u.id = f.user_id WHERE f.token_hash = $1 AND NOT u.disabled`,
		hashToken(secret)).Scan(&org, &uid)
	if errors.Is(err, sql.ErrNoRows) {
		return Membership{}, User{}, fmt.Errorf("calendar feed: %w", ErrNotFound)
	}
	if err != nil {
		return Membership{}, User{}, err
	}
	m, err := s.Member(ctx, org, uid)
	if err != nil {
		return Membership{}, User{}, err
	}
	u, err := s.UserByID(ctx, uid)
	return m, u, err
}

// DigestLease is how long a claimed digest may go unsent before another
// instance may send it (its claimer is presumed dead).
const DigestLease = 10 * time.Minute

// ClaimDigest claims a user's digest of a day for worker: true only for
// the one instance that inserted the day's row (or took over a claim
// whose lease ran out without sending).
func (s *Store) ClaimDigest(ctx context.Context, userID int64, day, worker string) (bool, error) {
	now := s.now()
	stamp := now.UTC().Format(time.RFC3339Nano)
	res, err := s.db.ExecContext(ctx, `INSERT INTO digest_runs (user_id, day, claimed_by, claimed_at) VALUES ($1, $2, $3, $4) ON CONFLICT (user_id, day) DO NOTHING`,
		userID, day, worker, stamp)
	if err != nil {
		return false, fmt.Errorf("claim digest: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 1 {
		return true, nil
	}
	cutoff := now.Add(-DigestLease).UTC().Format(time.RFC3339Nano)
	res, err = s.db.ExecContext(ctx, `UPDATE digest_runs SET claimed_by = $1, claimed_at = $2 WHERE user_id = $3 AND day = $4 AND sent_at = '' AND claimed_at < $5`,
		worker, stamp, userID, day, cutoff)
	if err != nil {
		return false, fmt.Errorf("claim digest: %w", err)
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// FinishDigest records how a claimed digest went: sent with so many
// tasks, or nothing to send (tasks 0), or failed (the error is kept and
// the day's digest is not tried again).
func (s *Store) FinishDigest(ctx context.Context, userID int64, day, worker string, tasks int, sendErr error) error {
	msg := ""
	if sendErr != nil {
		msg = sendErr.Error()
	}
	_, err := s.db.ExecContext(ctx, `UPDATE digest_runs SET sent_at = $1, tasks = $2, error = $3 WHERE user_id = $4 AND day = $5 AND claimed_by = $6`,
		s.stamp(), tasks, msg, userID, day, worker)
	return err
}

// DigestRun is the record of one user's digest of one day.
type DigestRun struct {
	UserID    int64
	Day       string
	ClaimedBy string
	SentAt    string
	Tasks     int
	Error     string
}

// DigestRuns lists the digest records of a day.
func (s *Store) DigestRuns(ctx context.Context, day string) ([]DigestRun, error) {
	var out []DigestRun
	err := collect(ctx, s.db, `SELECT user_id, day, claimed_by, sent_at, tasks, error FROM digest_runs WHERE day = $1 ORDER BY user_id`, []any{day}, func(rows *sql.Rows) error {
		var d DigestRun
		if err := rows.Scan(&d.UserID, &d.Day, &d.ClaimedBy, &d.SentAt, &d.Tasks, &d.Error); err != nil {
			return err
		}
		out = append(out, d)
		return nil
	})
	return out, err
}
