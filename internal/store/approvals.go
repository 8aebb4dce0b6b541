package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"

	"github.com/cloudisms/cloudisms/internal/bundle"
)

// Approval is a recorded approval: who approved which item and when, and
// whether the item changed since (Stale).
type Approval struct {
	Kind, Key  string
	Person     string // the approver's person id in the ISMS
	ApprovedBy string // the account (who imported it, when Imported)
	ApprovedAt string
	Stale      bool
	// Imported is an approval that came with a bundle: nobody approved it
	// here, and ApprovedBy names who imported it.
	Imported bool
	// Fingerprint is the SHA-256 of the content approved (for an SoA, with
	// its rows): what an auditor compares with the item as it is now.
	Fingerprint string
}

// Approve writes an item that carries a new approval (see
// bundle.SetApproval) at the version the approver read, and records a
// fingerprint of exactly what was approved, in one transaction.
func (s *Store) Approve(ctx context.Context, org string, it bundle.Item, refs []bundle.Ref, ifVersion int64, person, actor string) (StoredItem, error) {
	var out StoredItem
	var note edit
	err := s.orgTx(ctx, org, func(tx *sql.Tx) error {
		var err error
		if out, err = s.put(ctx, tx, org, it, refs, ifVersion, actor, asGiven, &note); err != nil {
			return err
		}
		hash, err := s.contentHash(ctx, tx, org, it.Kind, it.Key)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO approvals (org_id, kind, key, content_hash, person, approved_by, approved_at, source) VALUES ($1, $2, $3, $4, $5, $6, $7, 'approved')
			ON CONFLICT (org_id, kind, key) DO UPDATE SET content_hash = $4, person = $5, approved_by = $6, approved_at = $7, source = 'approved'`,
			org, it.Kind, it.Key, hash, person, actor, s.stamp())
		if err != nil {
			return err
		}
		return approvalWritten(ctx, tx, org)
	})
	if err == nil {
		s.applyEdit(note)
	}
	return out, err
}

// contentHash fingerprints what an approval covers: the item without its
// approval fields and, for an SoA, every one of its rows in order.
func (s *Store) contentHash(ctx context.Context, q querier, org, kind, key string) (string, error) {
	var self []byte
	rows, err := q.QueryContext(ctx, `SELECT data FROM items WHERE org_id = $1 AND kind = $2 AND key = $3`, org, kind, key)
	if err != nil {
		return "", err
	}
	found := false
	for rows.Next() {
		var data string
		if err := rows.Scan(&data); err != nil {
			rows.Close()
			return "", err
		}
		self, found = []byte(data), true
	}
	rows.Close()
	if !found {
		return "", fmt.Errorf("%s/%s: %w", kind, key, ErrNotFound)
	}
	var parts [][2]string
	if kind == bundle.KindSoA {
		rows, err := q.QueryContext(ctx, `SELECT key, data FROM items WHERE org_id = $1 AND kind = $2 AND key LIKE $3 ESCAPE '\' ORDER BY pos, key`,
			org, bundle.KindSoARows, likeEscape(key)+"/%")
		if err != nil {
			return "", err
		}
		defer rows.Close()
		for rows.Next() {
			var k, data string
			if err := rows.Scan(&k, &data); err != nil {
				return "", err
			}
			parts = append(parts, [2]string{k, data})
		}
		if err := rows.Err(); err != nil {
			return "", err
		}
	}
	return approvedHash(self, parts), nil
}

// approvedHash is the fingerprint of an approved item's data and, for an
// SoA, its rows (key, data) in order.
func approvedHash(self []byte, rows [][2]string) string {
	h := sha256.New()
	h.Write(bundle.ApprovedContent(self))
	for _, r := range rows {
		h.Write([]byte("\x00" + r[0] + "\x00" + r[1]))
	}
	return hex.EncodeToString(h.Sum(nil))
}

// Approvals lists an organization's recorded approvals, each marked stale
// when what it approved has changed (or is gone). The list returned is the
// caller's own; pages that only read it use ApprovalsIndex.
func (s *Store) Approvals(ctx context.Context, org string) ([]Approval, error) {
	x, err := s.ApprovalsIndex(ctx, org)
	if err != nil {
		return nil, err
	}
	return slices.Clone(x.all), nil
}

// ApprovalIndex is an organization's approvals with their marks at one
// history head, shared by every request at that head: it must not be
// modified.
type ApprovalIndex struct {
	head, rev int64
	all       []Approval
	by        map[string]int // "kind\x00key" → index in all
	stale     []Approval
}

// At is the history head and the count of approval writes the index was
// made at, for views made from it.
func (x *ApprovalIndex) At() (head, rev int64) { return x.head, x.rev }

// All lists the approvals by kind and key.
func (x *ApprovalIndex) All() []Approval { return x.all }

// Stale lists the approvals whose item changed since (or is gone).
func (x *ApprovalIndex) Stale() []Approval { return x.stale }

// Of returns the recorded approval of one item.
func (x *ApprovalIndex) Of(kind, key string) (Approval, bool) {
	i, ok := x.by[kind+"\x00"+key]
	if !ok {
		return Approval{}, false
	}
	return x.all[i], true
}

// ApprovalsIndex returns the organization's approvals and their marks.
//
// The recorded approvals are kept by the count of approval writes
// (history_heads.approvals_rev, moved by each in its transaction), the
// current fingerprints by history head, carried over changes, and the
// index by both: after an edit, one request builds the index while the
// others at that head wait for it, reading neither table again; only the
// items that changed are fingerprinted.
func (s *Store) ApprovalsIndex(ctx context.Context, org string) (*ApprovalIndex, error) {
	h, ok := headsIn(ctx, org)
	if !ok {
		err := s.db.QueryRowContext(ctx, `SELECT n, approvals_rev FROM history_heads WHERE org_id = $1`, org).Scan(&h.N, &h.ApprovalsRev)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return nil, err
		}
	}
	head, rev := h.N, h.ApprovalsRev
	// One index per organization, kept under head+rev: both only grow, so
	// the sum names one state of both, and a newer state replaces the last.
	at := head + rev
	if x, ok := s.approvalIndexes.Get(org, at); ok {
		return x, nil
	}
	unlock, err := lockOrg(ctx, &s.hashLocks, org)
	if err != nil {
		return nil, err
	}
	defer unlock()
	prev, _, kept := s.approvalIndexes.Latest(org)
	if kept && prev.head >= head && prev.rev >= rev {
		// Made meanwhile, at this state or a later one.
		return prev, nil
	}
	// After an edit, the index is carried over it: only the marks of what
	// changed are read again, and the list copied only when one flips.
	if kept && prev.rev == rev && prev.head < head {
		if keys, known := s.changedSince(ctx, org, prev.head, head); known {
			current, err := s.hashesAtLocked(ctx, org, head, nil)
			if err != nil {
				return nil, err
			}
			x := prev.carried(head, keys, current)
			s.approvalIndexes.PutNewer(org, at, x)
			return x, nil
		}
	}
	rec, ok := s.approvalLists.Get(org, rev)
	if !ok {
		if rec, err = s.recordedApprovals(ctx, org); err != nil {
			return nil, err
		}
		// Read at rev or later: a later write moves rev, so what is kept
		// here is never used past it.
		s.approvalLists.PutNewer(org, rev, rec)
	}
	want := make([]string, len(rec))
	for i, r := range rec {
		want[i] = r.Kind + "\x00" + r.Key
	}
	current, err := s.hashesAtLocked(ctx, org, head, want)
	if err != nil {
		return nil, err
	}
	x := &ApprovalIndex{head: head, rev: rev, all: make([]Approval, len(rec)), by: make(map[string]int, len(rec))}
	for i, r := range rec {
		a := r.Approval
		a.Fingerprint = r.hash
		now, _ := current.get(want[i])
		a.Stale = now != r.hash
		x.all[i], x.by[want[i]] = a, i
		if a.Stale {
			x.stale = append(x.stale, a)
		}
	}
	s.approvalIndexes.PutNewer(org, at, x)
	return x, nil
}

// carried is the index at a later head, the items named by keys
// ("kind\x00key") having changed since and the approvals not.
func (x *ApprovalIndex) carried(head int64, keys []string, current *fingerprints) *ApprovalIndex {
	y := &ApprovalIndex{head: head, rev: x.rev, all: x.all, by: x.by, stale: x.stale}
	copied := false
	for _, k := range keys {
		i, ok := x.by[k]
		if !ok {
			continue
		}
		now, _ := current.get(k)
		if stale := now != y.all[i].Fingerprint; stale != y.all[i].Stale {
			if !copied {
				y.all, copied = slices.Clone(x.all), true
			}
			y.all[i].Stale = stale
		}
	}
	if copied {
		y.stale = nil
		for _, a := range y.all {
			if a.Stale {
				y.stale = append(y.stale, a)
			}
		}
	}
	return y
}

// recorded is an approval as recorded, with the fingerprint of what was
// approved.
type recorded struct {
	Approval
	hash string
}

func (s *Store) recordedApprovals(ctx context.Context, org string) ([]recorded, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT kind, key, content_hash, person, approved_by, approved_at, source FROM approvals WHERE org_id = $1 ORDER BY kind, key`, org)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []recorded
	for rows.Next() {
		var r recorded
		var source string
		if err := rows.Scan(&r.Kind, &r.Key, &r.hash, &r.Person, &r.ApprovedBy, &r.ApprovedAt, &source); err != nil {
			return nil, err
		}
		r.Imported = source == "imported"
		out = append(out, r)
	}
	return out, rows.Err()
}

// approvalWritten counts a write of an organization's approvals in the
// writer's transaction (see Approvals).
func approvalWritten(ctx context.Context, tx *sql.Tx, org string) error {
	_, err := tx.ExecContext(ctx, `UPDATE history_heads SET approvals_rev = approvals_rev + 1 WHERE org_id = $1`, org)
	return err
}

// ApprovalOf returns the recorded approval of one item (ErrNotFound when
// none was recorded).
func (s *Store) ApprovalOf(ctx context.Context, org, kind, key string) (Approval, error) {
	var a Approval
	var h, source string
	err := s.db.QueryRowContext(ctx, `SELECT kind, key, content_hash, person, approved_by, approved_at, source FROM approvals WHERE org_id = $1 AND kind = $2 AND key = $3`,
		org, kind, key).Scan(&a.Kind, &a.Key, &h, &a.Person, &a.ApprovedBy, &a.ApprovedAt, &source)
	a.Imported = source == "imported"
	if errors.Is(err, sql.ErrNoRows) {
		return a, fmt.Errorf("approval of %s/%s: %w", kind, key, ErrNotFound)
	}
	if err != nil {
		return a, err
	}
	head, err := s.historyHead(ctx, org)
	if err != nil {
		return a, err
	}
	a.Stale, err = s.staleAt(ctx, org, head, kind, key, h)
	return a, err
}

// staleAt tells whether an approval of content hash h no longer matches
// the item as it is at history head.
func (s *Store) staleAt(ctx context.Context, org string, head int64, kind, key, h string) (bool, error) {
	k := kind + "\x00" + key
	current, err := s.currentHashesAt(ctx, org, head, []string{k})
	if err != nil {
		return false, err
	}
	now, _ := current.get(k)
	return now != h, nil
}

// GetWithApproval is Get and ApprovalOf in one query: the item, its
// recorded approval (nil when it has none) and the history head the
// approval's staleness is judged at, read together (one round trip
// instead of three for every item an API client reads).
func (s *Store) GetWithApproval(ctx context.Context, org, kind, key string) (StoredItem, *Approval, error) {
	var it StoredItem
	var data string
	var head sql.NullInt64
	var h, person, by, at, source sql.NullString
	err := s.db.QueryRowContext(ctx, `SELECT i.kind, i.key, i.pos, i.version, i.label, i.owner, i.data, i.updated_at, i.updated_by,
			a.content_hash, a.person, a.approved_by, a.approved_at, a.source, hh.n
		FROM items i
		LEFT JOIN approvals a ON a.org_id = i.org_id AND a.kind = i.kind AND a.key = i.key
		LEFT JOIN history_heads hh ON hh.org_id = i.org_id
		WHERE i.org_id = $1 AND i.kind = $2 AND i.key = $3`, org, kind, key).Scan(
		&it.Kind, &it.Key, &it.Pos, &it.Version, &it.Label, &it.Owner, &data, &it.UpdatedAt, &it.UpdatedBy,
		&h, &person, &by, &at, &source, &head)
	if errors.Is(err, sql.ErrNoRows) {
		return it, nil, fmt.Errorf("%s/%s: %w", kind, key, ErrNotFound)
	}
	if err != nil {
		return it, nil, err
	}
	it.Data = []byte(data)
	if !h.Valid {
		return it, nil, nil
	}
	a := &Approval{Kind: kind, Key: it.Key, Person: person.String, ApprovedBy: by.String, ApprovedAt: at.String, Imported: source.String == "imported"}
	if kind != bundle.KindSoA {
		// The approval covers this row alone, and the row is at hand: its
		// fingerprint is computed here, with no wait for the organization's
		// fingerprints (rebuilt after every edit, under a lock the pages'
		// approval index holds while it builds).
		a.Stale = approvedHash(it.Data, nil) != h.String
		return it, a, nil
	}
	if a.Stale, err = s.staleAt(ctx, org, head.Int64, kind, it.Key, h.String); err != nil {
		return it, nil, err
	}
	return it, a, nil
}
