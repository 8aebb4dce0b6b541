package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Bounds of comments: the length of one, how many an item's thread holds,
// how many one user may post in RateWindow, and how many members one
// comment may mention.
const (
	MaxComment         = 4000
	MaxCommentsPerItem = 500
	MaxCommentsPerUser = 30
	RateWindow         = 10 * time.Minute
	MaxMentions        = 20
)

// Comment is one comment of an item's thread. A deleted comment keeps its
// place without its text.
type Comment struct {
	ID         int64
	Org        string
	Kind, Key  string
	AuthorID   int64
	AuthorName string
	Body       string
	CreatedAt  string
	DeletedAt  string
	DeletedBy  string
	Mentions   []int64 // the members the comment notified
}

// Deleted reports whether the comment was deleted.
func (c Comment) Deleted() bool { return c.DeletedAt != "" }

// Notification kinds.
const (
	NotifyMention         = "mention"
	NotifyApprovalRequest = "approval-request"
)

// Notification is what a member is told in the application.
type Notification struct {
	ID        int64
	Org       string
	UserID    int64
	Kind      string
	Subject   string // kind/key
	CommentID int64
	Actor     string // who did it, by name
	Text      string // the comment's or the request's text
	CreatedAt string
	ReadAt    string
	MailedAt  string
}

// MentionTokens lists the words after an @ in a comment: a mention is @
// followed by a member's email address, the part of it before the @, or
// their name without spaces (@yamada@example.com, @yamada, @山田太郎).
func MentionTokens(body string) []string {
	var out []string
	seen := map[string]bool{}
	for i := 0; i < len(body); {
		r, size := utf8.DecodeRuneInString(body[i:])
		if r != '@' || (i > 0 && isMentionRune(lastRune(body[:i]))) {
			i += size
			continue
		}
		j := i + size
		for j < len(body) {
			r, sz := utf8.DecodeRuneInString(body[j:])
			if !isMentionRune(r) && r != '@' {
				break
			}
			j += sz
		}
		tok := strings.TrimRight(body[i+size:j], ".-@")
		if tok != "" && !seen[strings.ToLower(tok)] {
			seen[strings.ToLower(tok)] = true
			out = append(out, tok)
		}
		i = j
	}
	return out
}

func lastRune(s string) rune {
	r, _ := utf8.DecodeLastRuneInString(s)
	return r
}

func isMentionRune(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || r == '.' || r == '_' || r == '-' || r == '+'
}

// MemberRef is a member as a mention finds them.
type MemberRef struct {
	UserID int64
	Email  string
	Name   string
}

// matches reports whether a mention token names the member.
func (m MemberRef) matches(tok string) bool {
	tok = strings.ToLower(tok)
	local, _, _ := strings.Cut(m.Email, "@")
	name := strings.ToLower(strings.Join(strings.Fields(m.Name), ""))
	return tok == m.Email || tok == strings.ToLower(local) || (name != "" && tok == name)
}

// MemberRefs lists an organization's members with their email and name,
// for mentions and for showing people.
func (s *Store) MemberRefs(ctx context.Context, org string) ([]MemberRef, error) {
	return s.memberRefs(ctx, s.db, org)
}

func (s *Store) memberRefs(ctx context.Context, q querier, org string) ([]MemberRef, error) {
	rows, err := q.QueryContext(ctx, `SELECT u.id, u.email, u.name FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.org_id = $1 AND NOT u.disabled ORDER BY u.id`, org)
	if err != nil {
		return nil, fmt.Errorf("members of %s: %w", org, err)
	}
	defer rows.Close()
	var out []MemberRef
	for rows.Next() {
		var m MemberRef
		if err := rows.Scan(&m.UserID, &m.Email, &m.Name); err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// CheckComment reports a comment that cannot be stored: empty, not text,
// or too long.
func CheckComment(body string) error {
	if !utf8.ValidString(body) {
		return errors.New("comment: not UTF-8 text")
	}
	if strings.TrimSpace(body) == "" {
		return &LimitError{What: "comment_empty"}
	}
	if n := utf8.RuneCountInString(body); n > MaxComment {
		return &LimitError{What: "comment", Limit: MaxComment, Got: n}
	}
	return nil
}

// AddComment posts a comment on an item that exists, as a member, and
// notifies the members it mentions (never the author), in one
// transaction. It refuses a comment over the bounds (LimitError).
func (s *Store) AddComment(ctx context.Context, org, kind, key string, author User, body string) (Comment, error) {
	body = strings.TrimSpace(strings.ReplaceAll(body, "\r\n", "\n"))
	if err := CheckComment(body); err != nil {
		return Comment{}, err
	}
	c := Comment{Org: org, Kind: kind, Key: key, AuthorID: author.ID, AuthorName: author.Name, Body: body, CreatedAt: s.stamp()}
	err := s.tx(ctx, func(tx *sql.Tx) error {
		if err := s.itemExists(ctx, tx, org, kind, key); err != nil {
			return err
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM comments WHERE org_id = $1 AND kind = $2 AND key = $3`, org, kind, key).Scan(&n); err != nil {
			return err
		}
		if n >= MaxCommentsPerItem {
			return &LimitError{What: "comments", Limit: MaxCommentsPerItem, Got: n + 1}
		}
		since := s.now().Add(-RateWindow).UTC().Format(time.RFC3339Nano)
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM comments WHERE author_id = $1 AND created_at > $2`, author.ID, since).Scan(&n); err != nil {
			return err
		}
		if n >= MaxCommentsPerUser {
			return &LimitError{What: "rate", Limit: MaxCommentsPerUser, Got: n + 1}
		}
		if err := tx.QueryRowContext(ctx, `INSERT INTO comments (org_id, kind, key, author_id, body, created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
			org, kind, key, author.ID, body, c.CreatedAt).Scan(&c.ID); err != nil {
			return fmt.Errorf("comment: %w", err)
		}
		members, err := s.memberRefs(ctx, tx, org)
		if err != nil {
			return err
		}
		toks := MentionTokens(body)
		if len(toks) > MaxMentions {
			return &LimitError{What: "mentions", Limit: MaxMentions, Got: len(toks)}
		}
		notified := map[int64]bool{author.ID: true}
		for _, tok := range toks {
			for _, m := range members {
				if notified[m.UserID] || !m.matches(tok) {
					continue
				}
				notified[m.UserID] = true
				c.Mentions = append(c.Mentions, m.UserID)
				if _, err := tx.ExecContext(ctx, `INSERT INTO notifications (org_id, user_id, kind, subject, comment_id, actor, text, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
					org, m.UserID, NotifyMention, kind+"/"+key, c.ID, displayName(author), body, c.CreatedAt); err != nil {
					return fmt.Errorf("notify: %w", err)
				}
			}
		}
		return nil
	})
	return c, err
}

// displayName is how a user is named to others: their name, else their
// address.
func displayName(u User) string {
	if strings.TrimSpace(u.Name) != "" {
		return u.Name
	}
	return u.Email
}

// itemExists answers ErrNotFound for an item the organization does not
// hold, so that a thread cannot be opened on another tenant's item or on
// nothing.
func (s *Store) itemExists(ctx context.Context, q rowQuerier, org, kind, key string) error {
	var n int
	if err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM items WHERE org_id = $1 AND kind = $2 AND key = $3`, org, kind, key).Scan(&n); err != nil {
		return err
	}
	if n == 0 {
		return fmt.Errorf("%s/%s: %w", kind, key, ErrNotFound)
	}
	return nil
}

const commentCols = `c.id, c.org_id, c.kind, c.key, c.author_id, u.name, c.body, c.created_at, c.deleted_at, c.deleted_by`

func scanComment(r scanner) (Comment, error) {
	var c Comment
	err := r.Scan(&c.ID, &c.Org, &c.Kind, &c.Key, &c.AuthorID, &c.AuthorName, &c.Body, &c.CreatedAt, &c.DeletedAt, &c.DeletedBy)
	if c.AuthorName == "" {
		c.AuthorName = "—"
	}
	return c, err
}

// Comments lists an item's thread, oldest first.
func (s *Store) Comments(ctx context.Context, org, kind, key string) ([]Comment, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+commentCols+` FROM comments c JOIN users u ON u.id = c.author_id
		WHERE c.org_id = $1 AND c.kind = $2 AND c.key = $3 ORDER BY c.id`, org, kind, key)
	if err != nil {
		return nil, fmt.Errorf("comments: %w", err)
	}
	defer rows.Close()
	var out []Comment
	for rows.Next() {
		c, err := scanComment(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// Comment returns one comment of an organization (ErrNotFound for another
// organization's).
func (s *Store) Comment(ctx context.Context, org string, id int64) (Comment, error) {
	c, err := scanComment(s.db.QueryRowContext(ctx, `SELECT `+commentCols+` FROM comments c JOIN users u ON u.id = c.author_id WHERE c.org_id = $1 AND c.id = $2`, org, id))
	if errors.Is(err, sql.ErrNoRows) {
		return c, fmt.Errorf("comment %d: %w", id, ErrNotFound)
	}
	return c, err
}

// DeleteComment removes a comment's text, keeping its place in the thread
// and who deleted it. Whether the caller may is authz's question, asked
// before.
func (s *Store) DeleteComment(ctx context.Context, org string, id int64, by User) error {
	res, err := s.db.ExecContext(ctx, `UPDATE comments SET body = '', deleted_at = $1, deleted_by = $2 WHERE org_id = $3 AND id = $4 AND deleted_at = ''`,
		s.stamp(), displayName(by), org, id)
	if err := updated(res, err); err != nil {
		return fmt.Errorf("comment %d: %w", id, err)
	}
	_, err = s.db.ExecContext(ctx, `DELETE FROM notifications WHERE org_id = $1 AND comment_id = $2`, org, id)
	return err
}

// Notifications lists a member's notifications in an organization, newest
// first, at most limit.
func (s *Store) Notifications(ctx context.Context, org string, userID int64, limit int) ([]Notification, error) {
	if limit <= 0 || limit > 200 {
		limit = 200
	}
	rows, err := s.db.QueryContext(ctx, fmt.Sprintf(`SELECT id, org_id, user_id, kind, subject, COALESCE(comment_id, 0), actor, text, created_at, read_at, mailed_at
		FROM notifications WHERE org_id = $1 AND user_id = $2 ORDER BY id DESC LIMIT %d`, limit), org, userID)
	if err != nil {
		return nil, fmt.Errorf("notifications: %w", err)
	}
	return scanNotifications(rows)
}

func scanNotifications(rows *sql.Rows) ([]Notification, error) {
	defer rows.Close()
	var out []Notification
	for rows.Next() {
		var n Notification
		if err := rows.Scan(&n.ID, &n.Org, &n.UserID, &n.Kind, &n.Subject, &n.CommentID, &n.Actor, &n.Text, &n.CreatedAt, &n.ReadAt, &n.MailedAt); err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

// MarkNotificationsRead marks a member's notifications in an organization
// read.
func (s *Store) MarkNotificationsRead(ctx context.Context, org string, userID int64) error {
	_, err := s.db.ExecContext(ctx, `UPDATE notifications SET read_at = $1 WHERE org_id = $2 AND user_id = $3 AND read_at = ''`, s.stamp(), org, userID)
	return err
}

// UnmailedNotifications lists the notifications no message went out for
// yet, oldest first, at most limit, across organizations.
func (s *Store) UnmailedNotifications(ctx context.Context, limit int) ([]Notification, error) {
	rows, err := s.db.QueryContext(ctx, fmt.Sprintf(`SELECT id, org_id, user_id, kind, subject, COALESCE(comment_id, 0), actor, text, created_at, read_at, mailed_at
		FROM notifications WHERE mailed_at = '' ORDER BY id LIMIT %d`, max(limit, 1)))
	if err != nil {
		return nil, fmt.Errorf("notifications: %w", err)
	}
	return scanNotifications(rows)
}

// ClaimNotificationMail marks a notification mailed before the message is
// sent; true only for the one caller that marked it, so that two
// instances never send the same message.
func (s *Store) ClaimNotificationMail(ctx context.Context, id int64) (bool, error) {
	res, err := s.db.ExecContext(ctx, `UPDATE notifications SET mailed_at = $1 WHERE id = $2 AND mailed_at = ''`, s.stamp(), id)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}
