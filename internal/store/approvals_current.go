package store

import (
	"context"
	"errors"
	"maps"
	"strings"

	"github.com/cloudisms/cloudisms/internal/bundle"
)

// fingerprints are the current content fingerprints of an organization's
// approved items ("kind\x00key" → contentHash; "" for an item that is
// gone), at one history head. Every list of approvals (the dashboard, the
// risk register, each printed document) compares them with what was
// approved: computed item by item on each request, they cost a query per
// approval, a thousand for a thousand approved risks. They only change
// when an item does, and every change moves the head, so they are kept by
// head and carried over changes: only the items that changed (or whose
// SoA rows did) are fingerprinted again.
//
// A value is never modified once kept. The fingerprints of the changed
// items sit in a small top map over a shared base, so that carrying over
// one edit copies the few changed since the base, not 50,000 entries.
type fingerprints struct {
	base, top map[string]string
}

// maxTop is how many changed fingerprints are kept over the base before
// they are merged into a new one.
const maxTop = 1024

func (f *fingerprints) get(k string) (string, bool) {
	if h, ok := f.top[k]; ok {
		return h, true
	}
	h, ok := f.base[k]
	return h, ok
}

// with returns f with the given fingerprints changed.
func (f *fingerprints) with(changed map[string]string) *fingerprints {
	if len(changed) == 0 {
		return f
	}
	top := make(map[string]string, len(f.top)+len(changed))
	maps.Copy(top, f.top)
	maps.Copy(top, changed)
	if len(top) <= maxTop {
		return &fingerprints{base: f.base, top: top}
	}
	base := maps.Clone(f.base)
	maps.Copy(base, top)
	return &fingerprints{base: base}
}

func (f *fingerprints) hasAll(want []string) bool {
	for _, k := range want {
		if _, ok := f.get(k); !ok {
			return false
		}
	}
	return true
}

// currentHashes returns the current fingerprints of the items named
// ("kind\x00key").
func (s *Store) currentHashes(ctx context.Context, org string, want []string) (*fingerprints, error) {
	head, err := s.historyHead(ctx, org)
	if err != nil {
		return nil, err
	}
	return s.currentHashesAt(ctx, org, head, want)
}

// currentHashesAt is currentHashes with the head already read. One
// computation per organization runs at a time: after an edit, the
// requests that arrive together wait for one carrying over instead of
// each fingerprinting (and, with nothing kept yet, each reading every
// approved item).
func (s *Store) currentHashesAt(ctx context.Context, org string, head int64, want []string) (*fingerprints, error) {
	if f, from, ok := s.hashes.Latest(org); ok && from == head && f.hasAll(want) {
		return f, nil
	}
	unlock, err := lockOrg(ctx, &s.hashLocks, org)
	if err != nil {
		return nil, err
	}
	defer unlock()
	return s.hashesAtLocked(ctx, org, head, want)
}

// hashesAtLocked is currentHashesAt under the organization's hashLocks.
func (s *Store) hashesAtLocked(ctx context.Context, org string, head int64, want []string) (*fingerprints, error) {
	prev, from, ok := s.hashes.Latest(org)
	if ok && from >= head && prev.hasAll(want) {
		// Computed meanwhile (at this head, or a newer one, which only
		// differs by changes newer than what the caller read).
		return prev, nil
	}
	changed := map[string]string{}
	redo := map[string]bool{}
	carried := false
	if ok && from < head {
		var keys []string
		if keys, carried = s.changedSince(ctx, org, from, head); carried {
			for _, k := range keys {
				if _, have := prev.get(k); have {
					redo[k] = true
				}
			}
		}
	}
	if !ok || from < head && !carried {
		// Nothing to carry over: every approved item, in two queries.
		all, err := s.hashesOf(ctx, org)
		if err != nil {
			return nil, err
		}
		prev = &fingerprints{base: all}
	}
	for _, k := range want {
		if _, have := prev.get(k); !have {
			redo[k] = true
		}
	}
	for k := range redo {
		kind, key, _ := strings.Cut(k, "\x00")
		h, err := s.contentHash(ctx, s.db, org, kind, key)
		if err != nil && !errors.Is(err, ErrNotFound) {
			return nil, err
		}
		changed[k] = h
	}
	next := prev.with(changed)
	// What was read may be newer than head (a write in between): the next
	// change carries it over again, so it is never kept past a change.
	s.hashes.PutNewer(org, head, next)
	return next, nil
}

// changedSince lists the approvable items ("kind\x00key"; an SoA for a
// change of one of its rows) that history records from+1 to head changed:
// from this store's change log, or else from the records themselves
// (another instance's writes). False when they cannot be told item by
// item: too many, or an import among them.
func (s *Store) changedSince(ctx context.Context, org string, from, head int64) ([]string, bool) {
	if from >= head || head-from > maxCatchUp {
		return nil, false
	}
	key := func(kind, key string) string {
		if kind == bundle.KindSoARows {
			// A row is part of its SoA's approval.
			soa, _, _ := strings.Cut(key, "/")
			return bundle.KindSoA + "\x00" + soa
		}
		return kind + "\x00" + key
	}
	if changes, ok := s.changes.between(org, from, head); ok {
		out := make([]string, len(changes))
		for i, ch := range changes {
			out[i] = key(ch.Kind, ch.Key)
		}
		return out, true
	}
	if bulk, err := s.bulkHead(ctx, org, head); err != nil || bulk > from {
		return nil, false
	}
	rows, err := s.db.QueryContext(ctx, `SELECT kind, key FROM history WHERE org_id = $1 AND n > $2 AND n <= $3`, org, from, head)
	if err != nil {
		return nil, false
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var kind, k string
		if err := rows.Scan(&kind, &k); err != nil {
			return nil, false
		}
		out = append(out, key(kind, k))
	}
	return out, rows.Err() == nil && int64(len(out)) == head-from
}

// hashesOf fingerprints every approved item of an organization at once:
// the items in one query, the rows of the SoAs among them in another.
func (s *Store) hashesOf(ctx context.Context, org string) (map[string]string, error) {
	out := map[string]string{}
	self := map[string][]byte{}
	soas := map[string]bool{}
	rows, err := s.db.QueryContext(ctx, `SELECT i.kind, i.key, i.data FROM items i JOIN approvals a ON a.org_id = i.org_id AND a.kind = i.kind AND a.key = i.key WHERE i.org_id = $1`, org)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var kind, key, data string
		if err := rows.Scan(&kind, &key, &data); err != nil {
			rows.Close()
			return nil, err
		}
		self[kind+"\x00"+key] = []byte(data)
		if kind == bundle.KindSoA {
			soas[key] = true
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	parts := map[string][][2]string{}
	if len(soas) > 0 {
		rows, err := s.db.QueryContext(ctx, `SELECT key, data FROM items WHERE org_id = $1 AND kind = $2 ORDER BY pos, key`, org, bundle.KindSoARows)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var key, data string
			if err := rows.Scan(&key, &data); err != nil {
				rows.Close()
				return nil, err
			}
			if soa, _, ok := strings.Cut(key, "/"); ok && soas[soa] {
				parts[soa] = append(parts[soa], [2]string{key, data})
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	for k, data := range self {
		kind, key, _ := strings.Cut(k, "\x00")
		var p [][2]string
		if kind == bundle.KindSoA {
			p = parts[key]
		}
		out[k] = approvedHash(data, p)
	}
	return out, nil
}
