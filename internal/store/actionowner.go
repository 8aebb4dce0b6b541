package store

import (
	"context"
	"fmt"

	"github.com/cloudisms/cloudisms/internal/bundle"
)

// ActionPick names one corrective action to hand to another owner: the
// item holding it (an internal or external audit, or a nonconformity), the
// finding within an audit ("" for a nonconformity), and the version of the
// item the caller previewed.
type ActionPick struct {
	Kind, Key, FindingID string
	IfVersion            int64
}

// MaxActionPicks bounds one reassignment of corrective actions.
const MaxActionPicks = 500

// ReassignActions gives the picked corrective actions to owner in one
// transaction: every item holding them must still be at the previewed
// version (ErrConflict otherwise) and owner must be a person of the
// organization (a *RefError otherwise); either every item is written, each
// with its one history record, or none is. Actions the owner already has
// are left alone; it returns how many actions changed hands.
func (s *Store) ReassignActions(ctx context.Context, org string, picks []ActionPick, owner, actor string) (int, error) {
	if len(picks) > MaxActionPicks {
		return 0, fmt.Errorf("reassign %d corrective actions: at most %d at once", len(picks), MaxActionPicks)
	}
	edition, err := s.Edition(ctx, org)
	if err != nil {
		return 0, err
	}
	type holder struct {
		kind, key string
		version   int64
		findings  []string
	}
	var order []*holder
	byItem := map[string]*holder{}
	for _, p := range picks {
		id := p.Kind + "/" + p.Key
		h := byItem[id]
		if h == nil {
			h = &holder{kind: p.Kind, key: p.Key, version: p.IfVersion}
			byItem[id] = h
			order = append(order, h)
		}
		if h.version != p.IfVersion {
			return 0, fmt.Errorf("%s previewed at versions %d and %d: %w", id, h.version, p.IfVersion, ErrConflict)
		}
		h.findings = append(h.findings, p.FindingID)
	}
	var writes []ItemWrite
	changed := 0
	for _, h := range order {
		it, err := s.Get(ctx, org, h.kind, h.key)
		if err != nil {
			return 0, err
		}
		if it.Version != h.version {
			return 0, fmt.Errorf("%s/%s is at version %d, previewed %d: %w", h.kind, h.key, it.Version, h.version, ErrConflict)
		}
		data, n := it.Data, 0
		for _, f := range h.findings {
			var before string
			if data, before, err = bundle.SetActionOwner(h.kind, data, f, owner); err != nil {
				return 0, err
			}
			if before != owner {
				n++
			}
		}
		if n == 0 {
			continue
		}
		item, refs, err := bundle.DecodeItem(h.kind, h.key, data, edition)
		if err != nil {
			return 0, fmt.Errorf("%s/%s with the new owner: %w", h.kind, h.key, err)
		}
		writes = append(writes, ItemWrite{Item: item, Refs: refs, IfVersion: h.version})
		changed += n
	}
	if len(writes) == 0 {
		return 0, nil
	}
	if _, err := s.PutItems(ctx, org, writes, actor); err != nil {
		return 0, err
	}
	return changed, nil
}
