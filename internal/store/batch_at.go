package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"github.com/cloudisms/cloudisms/internal/bundle"
)

// PutAllAt creates or replaces items in one transaction, provided the
// organization's history head is still at head: the state the caller
// computed the items from (ISMSAt gives it). When another write came
// between, it returns ErrConflict; on any error nothing is written. Each
// changed item gets its own history record, made by actor. The writes'
// IfVersion is not used: the head check covers every item.
func (s *Store) PutAllAt(ctx context.Context, org string, head int64, writes []ItemWrite, actor string) error {
	var notes []edit
	err := s.orgTx(ctx, org, func(tx *sql.Tx) error {
		if _, err := s.getOrg(ctx, tx, org); err != nil {
			return err
		}
		locked, err := lockHistoryHead(ctx, tx, s.d, org)
		if err != nil {
			return err
		}
		now := locked.n
		if now != head {
			return fmt.Errorf("organization %s changed since history #%d (now #%d): %w", org, head, now, ErrConflict)
		}
		notes = make([]edit, len(writes))
		for i, w := range writes {
			var version int64
			prev, err := s.get(ctx, tx, org, w.Item.Kind, w.Item.Key)
			switch {
			case err == nil:
				version = prev.Version
			case !errors.Is(err, ErrNotFound):
				return err
			}
			item, err := bundle.KeepApproval(w.Item, prev.Data)
			if err != nil {
				return err
			}
			if _, err := s.put(ctx, tx, org, item, w.Refs, version, actor, asGiven, &notes[i]); err != nil {
				return err
			}
		}
		return nil
	})
	if err == nil {
		s.applyEdits(notes)
	}
	return err
}
