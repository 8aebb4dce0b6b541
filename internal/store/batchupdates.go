package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

// A batch's updates of stored items are written together, in one
// statement after the last write is checked, rather than one UPDATE per
// write: on PostgreSQL each statement is a round trip, and with two dozen
// edits in a batch those round trips were most of the time the
// organization's other writers waited (88 ms of the 137 ms an edit spent
// in Put at 1,000 risks under the load mix). The batch holds the history
// head's lock, and every writer of items takes it, so the versions read at
// the start still hold when the statement runs; the statement checks them
// all the same, and a count that does not match fails the batch, whose
// writes are then each written alone.

// pendingUpdate is an item's new content, waiting for the batch's UPDATE.
type pendingUpdate struct {
	it         StoredItem
	prev, next int64 // the stored version, and the version written
}

// maxUpdateRows bounds the rows of one UPDATE (nine parameters each).
const maxUpdateRows = 100

// update keeps a write of an item for flushUpdates. A second write of the
// same item in the batch replaces the first's content: one row is written
// once, from the version stored to the newest.
func (b *batchReads) update(it StoredItem, prev int64) {
	k := itemKey{it.Kind, it.Key}
	if i, ok := b.pendingAt[k]; ok {
		b.pending[i].it, b.pending[i].next = it, it.Version
		return
	}
	if b.pendingAt == nil {
		b.pendingAt = map[itemKey]int{}
	}
	b.pendingAt[k] = len(b.pending)
	b.pending = append(b.pending, pendingUpdate{it: it, prev: prev, next: it.Version})
}

// flushUpdates writes the updates kept by update.
func flushUpdates(ctx context.Context, tx *sql.Tx, org string, b *batchReads) error {
	for start := 0; start < len(b.pending); start += maxUpdateRows {
		rows := b.pending[start:min(start+maxUpdateRows, len(b.pending))]
		q, args := updateRows(org, rows)
		res, err := tx.ExecContext(ctx, q, args...)
		if err != nil {
			return fmt.Errorf("update %d items: %w", len(rows), err)
		}
		if n, err := res.RowsAffected(); err != nil || n != int64(len(rows)) {
			return fmt.Errorf("update %d items: %d rows were at the versions read (%v)", len(rows), n, err)
		}
	}
	b.pending, b.pendingAt = nil, nil
	return nil
}

// updateRows builds one UPDATE of the given rows, each at the version it
// was read at.
func updateRows(org string, rows []pendingUpdate) (string, []any) {
	values, update, args := updateParts(org, rows)
	return `WITH ` + values + ` ` + update, args
}

// updateParts is the common table of the rows (a VALUES list with named
// columns, which SQLite and PostgreSQL both accept) and the UPDATE that
// reads it; the organization is the first parameter.
func updateParts(org string, rows []pendingUpdate) (values, update string, args []any) {
	var q strings.Builder
	q.WriteString(`v (kind, key, data, label, owner, updated_at, updated_by, prev, next) AS (VALUES `)
	args = make([]any, 1, 1+9*len(rows))
	args[0] = org
	for i, r := range rows {
		if i > 0 {
			q.WriteByte(',')
		}
		n := len(args)
		fmt.Fprintf(&q, "($%d,$%d,$%d,$%d,$%d,$%d,$%d,CAST($%d AS BIGINT),CAST($%d AS BIGINT))", n+1, n+2, n+3, n+4, n+5, n+6, n+7, n+8, n+9)
		args = append(args, r.it.Kind, r.it.Key, string(r.it.Data), r.it.Label, r.it.Owner, r.it.UpdatedAt, r.it.UpdatedBy, r.prev, r.next)
	}
	q.WriteByte(')')
	return q.String(), `UPDATE items SET data = v.data, label = v.label, owner = v.owner, version = v.next, updated_at = v.updated_at, updated_by = v.updated_by
		FROM v WHERE items.org_id = $1 AND items.kind = v.kind AND items.key = v.key AND items.version = v.prev`, args
}

// finishBatch writes a batch's kept updates and its history records. On
// PostgreSQL, when the organization has a head row and the batch fits in
// one statement, the items' UPDATE, the history's INSERT and the head's
// UPDATE are one statement (data-modifying common tables): under load
// each round trip of the batch cost milliseconds that every edit queued
// behind it waited too. Elsewhere they are written one after the other.
func (s *Store) finishBatch(ctx context.Context, tx *sql.Tx, org string, head historyHead, b *batchReads, changes []Change) error {
	if s.d.name != "postgres" || !head.stored || len(changes) == 0 || len(b.pending) > maxUpdateRows || len(changes) > s.d.batchRows {
		if err := flushUpdates(ctx, tx, org, b); err != nil {
			return err
		}
		return s.appendHistoryAt(ctx, tx, org, head, changes)
	}
	n, hash := s.chain(ctx, org, head, changes)
	var q strings.Builder
	args := []any{org}
	q.WriteString(`WITH `)
	if len(b.pending) > 0 {
		values, update, uargs := updateParts(org, b.pending)
		args = uargs
		fmt.Fprintf(&q, `%s, u AS (%s RETURNING 1), `, values, update)
	}
	insert, args := historyInsert(changes, args)
	fmt.Fprintf(&q, `h AS (%s RETURNING 1), hh AS (UPDATE history_heads SET n = $%d, hash = $%d WHERE org_id = $1 RETURNING 1) SELECT `, insert, len(args)+1, len(args)+2)
	args = append(args, n, hash)
	if len(b.pending) > 0 {
		q.WriteString(`(SELECT COUNT(*) FROM u)`)
	} else {
		q.WriteString(`0`)
	}
	q.WriteString(`, (SELECT COUNT(*) FROM h), (SELECT COUNT(*) FROM hh)`)
	var updated, recorded, heads int
	if err := tx.QueryRowContext(ctx, q.String(), args...).Scan(&updated, &recorded, &heads); err != nil {
		return fmt.Errorf("write %d items and %d history records: %w", len(b.pending), len(changes), err)
	}
	if updated != len(b.pending) || recorded != len(changes) || heads != 1 {
		return fmt.Errorf("write a batch: %d of %d items were at the versions read, %d of %d records and %d head written",
			updated, len(b.pending), recorded, len(changes), heads)
	}
	b.pending, b.pendingAt = nil, nil
	return nil
}
