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
// head and, after a few changes, carried over them: only the items that
// changed (or whose SoA rows did) are fingerprinted again.
type fingerprints map[string]string

// currentHashes returns the current fingerprints of the items named
// ("kind\x00key"). The map returned is shared and must not be modified.
func (s *Store) currentHashes(ctx context.Context, org string, want []string) (fingerprints, error) {
	head, err := s.historyHead(ctx, org)
	if err != nil {
		return nil, err
	}
	return s.currentHashesAt(ctx, org, head, want)
}

// currentHashesAt is currentHashes with the head already read.
func (s *Store) currentHashesAt(ctx context.Context, org string, head int64, want []string) (fingerprints, error) {
	var err error
	prev, from, ok := s.hashes.Latest(org)
	if ok && from == head && hasAll(prev, want) {
		return prev, nil
	}
	next := fingerprints{}
	var redo map[string]bool
	if ok && from <= head {
		if changes, known := s.changes.between(org, from, head); known {
			next = maps.Clone(prev)
			redo = map[string]bool{}
			for _, ch := range changes {
				kind, key := ch.Kind, ch.Key
				if kind == bundle.KindSoARows {
					// A row is part of its SoA's approval.
					soa, _, _ := strings.Cut(ch.Key, "/")
					kind, key = bundle.KindSoA, soa
				}
				if k := kind + "\x00" + key; hasKey(next, k) {
					redo[k] = true
				}
			}
		}
	}
	if redo == nil {
		// Nothing to carry over: every approved item, in two queries.
		next, err = s.hashesOf(ctx, org)
		if err != nil {
			return nil, err
		}
		redo = map[string]bool{}
	}
	for _, k := range want {
		if _, have := next[k]; !have {
			redo[k] = true
		}
	}
	for k := range redo {
		kind, key, _ := strings.Cut(k, "\x00")
		h, err := s.contentHash(ctx, s.db, org, kind, key)
		if err != nil && !errors.Is(err, ErrNotFound) {
			return nil, err
		}
		next[k] = h
	}
	// What was read may be newer than head (a write in between): the next
	// change carries it over again, so it is never kept past a change.
	s.hashes.PutNewer(org, head, next)
	return next, nil
}

func hasKey(f fingerprints, k string) bool {
	_, ok := f[k]
	return ok
}

func hasAll(f fingerprints, want []string) bool {
	for _, k := range want {
		if _, ok := f[k]; !ok {
			return false
		}
	}
	return true
}

// hashesOf fingerprints every approved item of an organization at once:
// the items in one query, the rows of the SoAs among them in another.
func (s *Store) hashesOf(ctx context.Context, org string) (fingerprints, error) {
	out := fingerprints{}
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
