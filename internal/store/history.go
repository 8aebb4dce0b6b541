package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Change is one history record: who changed which item of which
// organization, when, and the item before and after (JSON; nil when the
// item did not exist before or does not exist after).
type Change struct {
	N      int64 // position in the organization's chain, from 1
	Org    string
	At     string
	Actor  string
	Kind   string
	Key    string
	Action string // create, update, delete
	Before *string
	After  *string
	Prev   string // hash of the previous record ("" for the first)
	Hash   string
}

// digest is the hash of a record: every field and the previous hash, so
// that changing, removing or reordering any record breaks the chain.
func (c *Change) digest() string {
	h := sha256.New()
	field := func(s string) {
		h.Write([]byte(strconv.Itoa(len(s))))
		h.Write([]byte{':'})
		h.Write([]byte(s))
	}
	opt := func(p *string) {
		if p == nil {
			field("\x00nil")
			return
		}
		field(*p)
	}
	field(c.Prev)
	field(strconv.FormatInt(c.N, 10))
	field(c.Org)
	field(c.At)
	field(c.Actor)
	field(c.Kind)
	field(c.Key)
	field(c.Action)
	opt(c.Before)
	opt(c.After)
	return hex.EncodeToString(h.Sum(nil))
}

// appendHistory chains and writes changes in the caller's transaction. The
// organization's head row is locked for the rest of the transaction, so
// concurrent writers chain one after the other.
func (s *Store) appendHistory(ctx context.Context, tx *sql.Tx, org string, changes []Change) error {
	if len(changes) == 0 {
		return nil
	}
	var n int64
	var prev string
	err := tx.QueryRowContext(ctx, `SELECT n, hash FROM history_heads WHERE org_id = $1`+s.d.lockHead, org).Scan(&n, &prev)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		if _, err := tx.ExecContext(ctx, `INSERT INTO history_heads (org_id, n, hash) VALUES ($1, 0, '')`, org); err != nil {
			return fmt.Errorf("history head: %w", err)
		}
	case err != nil:
		return fmt.Errorf("history head: %w", err)
	}
	at := s.stamp()
	for i := range changes {
		c := &changes[i]
		n++
		c.N, c.Org, c.At, c.Prev = n, org, at, prev
		c.Hash = c.digest()
		prev = c.Hash
	}
	const cols = 11
	for start := 0; start < len(changes); start += s.d.batchRows {
		batch := changes[start:min(start+s.d.batchRows, len(changes))]
		var q strings.Builder
		q.WriteString(`INSERT INTO history (org_id, n, at, actor, kind, key, action, before, after, prev_hash, hash) VALUES `)
		args := make([]any, 0, cols*len(batch))
		for i, c := range batch {
			if i > 0 {
				q.WriteByte(',')
			}
			q.WriteString(placeholders(len(args), cols))
			args = append(args, c.Org, c.N, c.At, c.Actor, c.Kind, c.Key, c.Action, c.Before, c.After, c.Prev, c.Hash)
		}
		if _, err := tx.ExecContext(ctx, q.String(), args...); err != nil {
			return fmt.Errorf("history: %w", err)
		}
	}
	_, err = tx.ExecContext(ctx, `UPDATE history_heads SET n = $1, hash = $2 WHERE org_id = $3`, n, prev, org)
	return err
}

// placeholders writes ($k+1, ..., $k+n).
func placeholders(k, n int) string {
	var b strings.Builder
	b.WriteByte('(')
	for i := 1; i <= n; i++ {
		if i > 1 {
			b.WriteByte(',')
		}
		b.WriteByte('$')
		b.WriteString(strconv.Itoa(k + i))
	}
	b.WriteByte(')')
	return b.String()
}

// HistoryFilter selects history records; empty fields select all.
type HistoryFilter struct {
	Kind, Key, Actor string
	After            int64 // records with N greater than this
	Limit            int
}

// History lists an organization's records in chain order.
func (s *Store) History(ctx context.Context, org string, f HistoryFilter) ([]Change, error) {
	q := `SELECT n, org_id, at, actor, kind, key, action, before, after, prev_hash, hash FROM history WHERE org_id = $1 AND n > $2`
	args := []any{org, f.After}
	add := func(col, v string) {
		if v != "" {
			args = append(args, v)
			q += fmt.Sprintf(" AND %s = $%d", col, len(args))
		}
	}
	add("kind", f.Kind)
	add("key", f.Key)
	add("actor", f.Actor)
	q += " ORDER BY n"
	if f.Limit > 0 {
		q += fmt.Sprintf(" LIMIT %d", f.Limit)
	}
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("history: %w", err)
	}
	defer rows.Close()
	var out []Change
	for rows.Next() {
		var c Change
		if err := rows.Scan(&c.N, &c.Org, &c.At, &c.Actor, &c.Kind, &c.Key, &c.Action, &c.Before, &c.After, &c.Prev, &c.Hash); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// BrokenLink says where a history chain first fails to verify.
type BrokenLink struct {
	Org    string
	N      int64
	Reason string
}

func (b *BrokenLink) Error() string {
	return fmt.Sprintf("history of %s is broken at record %d: %s", b.Org, b.N, b.Reason)
}

// VerifyHistory walks every organization's chain and returns the first
// broken link (nil when all verify) and how many records were checked.
func (s *Store) VerifyHistory(ctx context.Context) (*BrokenLink, int64, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT org_id, n, hash FROM history_heads ORDER BY org_id`)
	if err != nil {
		return nil, 0, err
	}
	type head struct {
		org  string
		n    int64
		hash string
	}
	var heads []head
	for rows.Next() {
		var h head
		if err := rows.Scan(&h.org, &h.n, &h.hash); err != nil {
			rows.Close()
			return nil, 0, err
		}
		heads = append(heads, h)
	}
	rows.Close()
	var checked int64
	for _, h := range heads {
		prev := ""
		var want int64 = 1
		var after int64
		for {
			batch, err := s.History(ctx, h.org, HistoryFilter{After: after, Limit: 5000})
			if err != nil {
				return nil, checked, err
			}
			for _, c := range batch {
				checked++
				switch {
				case c.N != want:
					return &BrokenLink{h.org, want, "record missing"}, checked, nil
				case c.Prev != prev:
					return &BrokenLink{h.org, c.N, "does not follow the previous record"}, checked, nil
				case c.digest() != c.Hash:
					return &BrokenLink{h.org, c.N, "content does not match its hash"}, checked, nil
				}
				prev, want, after = c.Hash, want+1, c.N
			}
			if len(batch) < 5000 {
				break
			}
		}
		if want-1 != h.n || prev != h.hash {
			return &BrokenLink{h.org, want, "records after this one are missing"}, checked, nil
		}
	}
	return nil, checked, nil
}
