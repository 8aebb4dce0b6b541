package store

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/cloudisms/cloudisms/internal/bundle"
)

// batchReads are the stored items a batch of writes reads, the items they
// write and those they refer to, read in one query before the first write
// and kept current as the batch writes. Each write read them with two
// queries of its own, on PostgreSQL two round trips while the
// organization's other writers waited for the batch.
type batchReads struct {
	asked map[itemKey]bool
	items map[itemKey]StoredItem // those of asked that are stored

	pending   []pendingUpdate // updates not yet written (flushUpdates)
	pendingAt map[itemKey]int // index in pending by item
}

type itemKey struct{ kind, key string }

// readForBatch reads what the writes of a batch will read. It runs under
// the history head's lock, so nothing else changes the items until the
// batch commits.
func (s *Store) readForBatch(ctx context.Context, tx *sql.Tx, org string, jobs []*putJob) (*batchReads, error) {
	b := &batchReads{asked: map[itemKey]bool{}, items: map[itemKey]StoredItem{}}
	var want []itemKey
	add := func(k itemKey) {
		if k.kind != "" && !b.asked[k] {
			b.asked[k] = true
			want = append(want, k)
		}
	}
	for _, j := range jobs {
		add(itemKey{j.it.Kind, j.it.Key})
		for _, r := range j.refs {
			list, id := refTarget(r)
			add(itemKey{list, id})
		}
	}
	for start := 0; start < len(want); start += refBatch {
		q, args := s.d.itemsIn(selectItems, org, want[start:min(start+refBatch, len(want))])
		if err := scanItemsInto(b.items)(tx.QueryContext(ctx, q, args...)); err != nil {
			return nil, fmt.Errorf("items of a batch of writes: %w", err)
		}
	}
	return b, nil
}

// scanItemsInto reads the rows of a query of selectItems into items, by
// kind and key; it takes the query's results as they come.
func scanItemsInto(items map[itemKey]StoredItem) func(*sql.Rows, error) error {
	return func(rows *sql.Rows, err error) error {
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			it, err := scanItem(rows)
			if err != nil {
				return err
			}
			items[itemKey{it.Kind, it.Key}] = it
		}
		return rows.Err()
	}
}

// get is Store.get from what was read, ok false for an item not asked for.
func (b *batchReads) get(kind, key string) (StoredItem, bool, error) {
	k := itemKey{kind, key}
	if b == nil || !b.asked[k] {
		return StoredItem{}, false, nil
	}
	if it, ok := b.items[k]; ok {
		return it, true, nil
	}
	return StoredItem{}, true, fmt.Errorf("%s/%s: %w", kind, key, ErrNotFound)
}

// missingRef is Store.missingRef from what was read, ok false when a
// reference was not asked for.
func (b *batchReads) missingRef(refs []bundle.Ref) (*bundle.Ref, bool) {
	if b == nil {
		return nil, false
	}
	for i, r := range refs {
		list, id := refTarget(r)
		if list == "" {
			continue
		}
		k := itemKey{list, id}
		if !b.asked[k] {
			return nil, false
		}
		if _, ok := b.items[k]; !ok {
			return &refs[i], true
		}
	}
	return nil, true
}

// wrote keeps an item the batch wrote, for the writes after it.
func (b *batchReads) wrote(it StoredItem) {
	if b != nil {
		k := itemKey{it.Kind, it.Key}
		b.asked[k] = true
		b.items[k] = it
	}
}
