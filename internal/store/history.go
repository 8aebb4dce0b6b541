package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/cloudisms/cloudisms/internal/bundle"
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
	Note   string // why the change was made, as its author said ("" when not said)
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
	opt(hashForm(c.Kind, c.Before))
	opt(hashForm(c.Kind, c.After))
	// The note joined the record later: it is hashed only when there is
	// one, so that the records written before verify as they were.
	if c.Note != "" {
		field("note")
		field(c.Note)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// Records of some kinds once kept plain text as before and after: a
// disclosure page's state as "on" or "off", a control text as itself, a
// framework row before a change as its fields joined by |. They are JSON
// now, like every other record ({"public": true}, {"text": "…"}, the row;
// migration 0010 converted the old ones, the last as {"plain": "…"}), but
// the chain hashes the plain form, so that records written before and
// after verify alike.
const (
	kindDisclosures = "disclosures"
	kindControlText = "control_texts"
)

var (
	disclosureOn  = `{"public":true}`
	disclosureOff = `{"public":false}`
)

// hashForm gives the form of a record's value that its hash covers.
func hashForm(kind string, v *string) *string {
	if v == nil {
		return nil
	}
	switch kind {
	case kindDisclosures:
		switch *v {
		case disclosureOn:
			on := "on"
			return &on
		case disclosureOff:
			off := "off"
			return &off
		}
	case kindControlText:
		if text, ok := controlTextOf(*v); ok {
			return &text
		}
	}
	if text, ok := plainOf(*v); ok {
		return &text
	}
	return v
}

// plainJSON keeps a value that was once written as plain text (a
// framework row before it, as fields joined by |) as JSON.
func plainJSON(text string) string {
	b, _ := json.Marshal(struct {
		Plain string `json:"plain"`
	}{text})
	return string(b)
}

func plainOf(v string) (string, bool) {
	if !strings.HasPrefix(v, `{"plain":`) {
		return "", false
	}
	var x map[string]*string
	if err := json.Unmarshal([]byte(v), &x); err != nil || len(x) != 1 || x["plain"] == nil {
		return "", false
	}
	return *x["plain"], true
}

// controlTextJSON is how a control text is kept in the history.
func controlTextJSON(text string) string {
	b, _ := json.Marshal(struct {
		Text string `json:"text"`
	}{text})
	return string(b)
}

// controlTextOf reads a control text kept as controlTextJSON.
func controlTextOf(v string) (string, bool) {
	if !strings.HasPrefix(v, `{"text":`) {
		return "", false
	}
	var x map[string]*string
	if err := json.Unmarshal([]byte(v), &x); err != nil || len(x) != 1 || x["text"] == nil {
		return "", false
	}
	return *x["text"], true
}

// jsonHistoryValues converts the records kept as plain text (see hashForm)
// to JSON, keeping every hash valid: migration 0010's Go step, and run on
// restoring a backup made before it. It must run once on such records
// only: every control text is taken as plain text.
func jsonHistoryValues(ctx context.Context, tx *sql.Tx, _ string) error {
	for plain, js := range map[string]string{"on": disclosureOn, "off": disclosureOff} {
		if _, err := tx.ExecContext(ctx, `UPDATE history SET after = $1 WHERE kind = $2 AND after = $3`, js, kindDisclosures, plain); err != nil {
			return fmt.Errorf("history disclosures to JSON: %w", err)
		}
	}
	type rec struct {
		org           string
		n             int64
		before, after *string
	}
	var todo []rec
	err := collect(ctx, tx, `SELECT org_id, n, before, after FROM history WHERE kind = $1`, []any{kindControlText}, func(r *sql.Rows) error {
		var x rec
		if err := r.Scan(&x.org, &x.n, &x.before, &x.after); err != nil {
			return err
		}
		for _, v := range []*string{x.before, x.after} {
			if v != nil {
				*v = controlTextJSON(*v)
			}
		}
		todo = append(todo, x)
		return nil
	})
	if err != nil {
		return fmt.Errorf("history control texts to JSON: %w", err)
	}
	// Framework rows kept the row before as its fields joined by |.
	err = collect(ctx, tx, `SELECT org_id, n, before, after FROM history WHERE kind = $1`, []any{"framework_rows"}, func(r *sql.Rows) error {
		var x rec
		if err := r.Scan(&x.org, &x.n, &x.before, &x.after); err != nil {
			return err
		}
		changed := false
		for _, v := range []*string{x.before, x.after} {
			if v != nil && !json.Valid([]byte(*v)) {
				*v = plainJSON(*v)
				changed = true
			}
		}
		if changed {
			todo = append(todo, x)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("history framework rows to JSON: %w", err)
	}
	for _, x := range todo {
		if _, err := tx.ExecContext(ctx, `UPDATE history SET before = $1, after = $2 WHERE org_id = $3 AND n = $4`, x.before, x.after, x.org, x.n); err != nil {
			return fmt.Errorf("history values to JSON: %w", err)
		}
	}
	return nil
}

// appendHistory chains and writes changes in the caller's transaction. The
// organization's head row is locked for the rest of the transaction, so
// concurrent writers chain one after the other.
func (s *Store) appendHistory(ctx context.Context, tx *sql.Tx, org string, changes []Change) error {
	if len(changes) == 0 {
		return nil
	}
	head, err := lockHistoryHead(ctx, tx, s.d, org)
	if err != nil {
		return err
	}
	return s.appendHistoryAt(ctx, tx, org, head, changes)
}

// historyHead is an organization's history head as read, locked, in a
// transaction.
type historyHead struct {
	n      int64
	hash   string
	stored bool // false: the organization has no record yet (and no row)
}

// lockHistoryHead reads an organization's history head and makes it
// exclusive for the rest of the transaction: the organization's writers
// queue here.
func lockHistoryHead(ctx context.Context, tx *sql.Tx, d dialect, org string) (historyHead, error) {
	var h historyHead
	err := tx.QueryRowContext(ctx, `SELECT n, hash FROM history_heads WHERE org_id = $1`+d.lockHead, org).Scan(&h.n, &h.hash)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return h, nil
	case err != nil:
		return h, fmt.Errorf("history head: %w", err)
	}
	h.stored = true
	return h, nil
}

// appendHistoryAt is appendHistory after the head was read and locked
// (lockHistoryHead) in the same transaction.
func (s *Store) appendHistoryAt(ctx context.Context, tx *sql.Tx, org string, head historyHead, changes []Change) error {
	if len(changes) == 0 {
		return nil
	}
	if !head.stored {
		if _, err := tx.ExecContext(ctx, `INSERT INTO history_heads (org_id, n, hash) VALUES ($1, 0, '')`, org); err != nil {
			return fmt.Errorf("history head: %w", err)
		}
	}
	n, prev := s.chain(ctx, org, head, changes)
	for start := 0; start < len(changes); start += s.d.batchRows {
		q, args := historyInsert(changes[start:min(start+s.d.batchRows, len(changes))], nil)
		if _, err := tx.ExecContext(ctx, q, args...); err != nil {
			return fmt.Errorf("history: %w", err)
		}
	}
	_, err := tx.ExecContext(ctx, `UPDATE history_heads SET n = $1, hash = $2 WHERE org_id = $3`, n, prev, org)
	return err
}

// chain numbers and hashes changes as the records after head, and
// returns the head they make.
func (s *Store) chain(ctx context.Context, org string, head historyHead, changes []Change) (int64, string) {
	n, prev := head.n, head.hash
	at := s.stamp()
	note := NoteOf(ctx)
	for i := range changes {
		c := &changes[i]
		n++
		c.N, c.Org, c.At, c.Prev = n, org, at, prev
		if c.Note == "" {
			c.Note = note
		}
		c.Hash = c.digest()
		prev = c.Hash
	}
	return n, prev
}

// historyInsert is the INSERT of chained changes, its parameters numbered
// after the args given (which it returns with its own appended).
func historyInsert(changes []Change, args []any) (string, []any) {
	const cols = 12
	var q strings.Builder
	q.WriteString(`INSERT INTO history (org_id, n, at, actor, kind, key, action, before, after, prev_hash, hash, note) VALUES `)
	for i, c := range changes {
		if i > 0 {
			q.WriteByte(',')
		}
		q.WriteString(placeholders(len(args), cols))
		args = append(args, c.Org, c.N, c.At, c.Actor, c.Kind, c.Key, c.Action, c.Before, c.After, c.Prev, c.Hash, c.Note)
	}
	return q.String(), args
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
	q := `SELECT n, org_id, at, actor, kind, key, action, before, after, prev_hash, hash, note FROM history WHERE org_id = $1 AND n > $2`
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
		if err := rows.Scan(&c.N, &c.Org, &c.At, &c.Actor, &c.Kind, &c.Key, &c.Action, &c.Before, &c.After, &c.Prev, &c.Hash, &c.Note); err != nil {
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
// The chain must end at the head kept in its own row (history_heads,
// written in the same transaction as each record), so a deleted newest
// record is caught; and every item in the items table must be what the
// chain last recorded for it, so an edit of the live table that bypassed
// the history is caught too.
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
		last := map[string]itemState{} // kind, key → as the chain last left it
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
				if bundle.IsKind(c.Kind) {
					st := itemState{n: c.N, deleted: c.Action == "delete"}
					if !st.deleted && c.After != nil {
						st.sum = sha256.Sum256([]byte(*c.After))
					}
					last[c.Kind+"\x00"+c.Key] = st
				}
			}
			if len(batch) < 5000 {
				break
			}
		}
		if want-1 != h.n || prev != h.hash {
			return &BrokenLink{h.org, want, "records after this one are missing"}, checked, nil
		}
		if broken, err := s.verifyItems(ctx, h.org, last); broken != nil || err != nil {
			return broken, checked, err
		}
	}
	return nil, checked, nil
}

// itemState is an item as the history chain last left it.
type itemState struct {
	n       int64 // the record
	deleted bool
	sum     [32]byte // SHA-256 of the data recorded
}

// verifyItems checks the live items of an organization against the state
// its history chain left them in.
func (s *Store) verifyItems(ctx context.Context, org string, last map[string]itemState) (*BrokenLink, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT kind, key, data FROM items WHERE org_id = $1`, org)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	seen := map[string]bool{}
	for rows.Next() {
		var kind, key, data string
		if err := rows.Scan(&kind, &key, &data); err != nil {
			return nil, err
		}
		k := kind + "\x00" + key
		seen[k] = true
		st, ok := last[k]
		switch {
		case !ok || st.deleted:
			return &BrokenLink{org, st.n, fmt.Sprintf("item %s/%s is not in the history", kind, key)}, nil
		case sha256.Sum256([]byte(data)) != st.sum:
			return &BrokenLink{org, st.n, fmt.Sprintf("item %s/%s differs from what this record wrote (changed outside the history)", kind, key)}, nil
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for k, st := range last {
		if !st.deleted && !seen[k] {
			kind, key, _ := strings.Cut(k, "\x00")
			return &BrokenLink{org, st.n, fmt.Sprintf("item %s/%s that this record wrote is missing (deleted outside the history)", kind, key)}, nil
		}
	}
	return nil, nil
}
