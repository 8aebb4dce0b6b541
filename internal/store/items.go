package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/cloudisms/cloudisms/internal/bundle"
	"github.com/cloudisms/cloudisms/internal/isms"
)

// Org is an organization (a tenant).
type Org struct {
	ID        string
	Name      string
	CreatedAt string
}

// CreateOrg adds an organization; ErrExists if the id is taken.
func (s *Store) CreateOrg(ctx context.Context, id, name string) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM orgs WHERE id = $1`, id).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return fmt.Errorf("organization %s: %w", id, ErrExists)
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO orgs (id, name, created_at) VALUES ($1, $2, $3)`, id, name, s.stamp())
		return err
	})
}

// Orgs lists the organizations by id.
func (s *Store) Orgs(ctx context.Context) ([]Org, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, name, created_at FROM orgs ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Org
	for rows.Next() {
		var o Org
		if err := rows.Scan(&o.ID, &o.Name, &o.CreatedAt); err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

// Org returns one organization, or ErrNotFound.
func (s *Store) Org(ctx context.Context, id string) (Org, error) {
	var o Org
	err := s.db.QueryRowContext(ctx, `SELECT id, name, created_at FROM orgs WHERE id = $1`, id).Scan(&o.ID, &o.Name, &o.CreatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return o, fmt.Errorf("organization %s: %w", id, ErrNotFound)
	}
	return o, err
}

// StoredItem is an item with its version and last change.
type StoredItem struct {
	bundle.Item
	Pos       int64
	Version   int64
	UpdatedAt string
	UpdatedBy string
}

// ImportResult counts what an import changed.
type ImportResult struct {
	Created, Updated, Deleted, Unchanged int
}

// Import creates or replaces an organization's whole ISMS in one
// transaction: items that changed get a new version and a history record,
// items that are gone are deleted, and nothing is written when any step
// fails. The organization is created when it does not exist yet. A bundle
// that names evidence files the organization has not uploaded is refused
// with bundle.Errors, one per such reference.
func (s *Store) Import(ctx context.Context, org string, m *isms.ISMS, actor string) (ImportResult, error) {
	return s.ImportProgress(ctx, org, m, actor, nil)
}

// ImportProgress is Import telling progress how many of the bundle's items
// are written (nil: nobody watches).
func (s *Store) ImportProgress(ctx context.Context, org string, m *isms.ISMS, actor string, progress func(done, total int)) (ImportResult, error) {
	var res ImportResult
	items := bundle.Split(m)
	report := func(done int) {
		if progress != nil {
			progress(done, len(items))
		}
	}
	err := s.tx(ctx, func(tx *sql.Tx) error {
		res = ImportResult{}
		if _, err := tx.ExecContext(ctx, `INSERT INTO orgs (id, name, created_at) VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING`,
			org, m.Organization.Name, s.stamp()); err != nil {
			return fmt.Errorf("import: organization: %w", err)
		}
		// Lock the history head first, as every writer does, so that an
		// import and an edit of the same organization queue instead of
		// deadlocking.
		if _, err := lockHistoryHead(ctx, tx, s.d, org); err != nil {
			return fmt.Errorf("import: %w", err)
		}
		// The bundle may name only files this organization uploaded.
		if err := s.checkImportEvidence(ctx, tx, org, m, items); err != nil {
			return err
		}
		old, err := s.loadItems(ctx, tx, org)
		if err != nil {
			return fmt.Errorf("import: %w", err)
		}
		byKey := make(map[string]StoredItem, len(old))
		for _, it := range old {
			byKey[it.Kind+"\x00"+it.Key] = it
		}
		var inserts []StoredItem
		var changes []Change
		stamp := s.stamp()
		for i, it := range items {
			pos := int64(i + 1)
			k := it.Kind + "\x00" + it.Key
			prev, had := byKey[k]
			delete(byKey, k)
			after := string(it.Data)
			switch {
			case !had:
				inserts = append(inserts, StoredItem{Item: it, Pos: pos, Version: 1})
				changes = append(changes, Change{Actor: actor, Kind: it.Kind, Key: it.Key, Action: "create", After: &after})
				res.Created++
			case string(prev.Data) != after:
				before := string(prev.Data)
				if _, err := tx.ExecContext(ctx, `UPDATE items SET data = $1, label = $2, owner = $3, pos = $4, version = version + 1, updated_at = $5, updated_by = $6 WHERE org_id = $7 AND kind = $8 AND key = $9`,
					after, it.Label, it.Owner, pos, stamp, actor, org, it.Kind, it.Key); err != nil {
					return fmt.Errorf("import %s/%s: %w", it.Kind, it.Key, err)
				}
				changes = append(changes, Change{Actor: actor, Kind: it.Kind, Key: it.Key, Action: "update", Before: &before, After: &after})
				res.Updated++
			default:
				if prev.Pos != pos {
					if _, err := tx.ExecContext(ctx, `UPDATE items SET pos = $1 WHERE org_id = $2 AND kind = $3 AND key = $4`, pos, org, it.Kind, it.Key); err != nil {
						return fmt.Errorf("import %s/%s: %w", it.Kind, it.Key, err)
					}
				}
				res.Unchanged++
			}
			if i%500 == 0 {
				report(i + 1 - len(inserts))
			}
		}
		for _, it := range old {
			if _, gone := byKey[it.Kind+"\x00"+it.Key]; !gone {
				continue
			}
			if _, err := tx.ExecContext(ctx, `DELETE FROM items WHERE org_id = $1 AND kind = $2 AND key = $3`, org, it.Kind, it.Key); err != nil {
				return fmt.Errorf("import: delete %s/%s: %w", it.Kind, it.Key, err)
			}
			before := string(it.Data)
			changes = append(changes, Change{Actor: actor, Kind: it.Kind, Key: it.Key, Action: "delete", Before: &before})
			res.Deleted++
		}
		written := len(items) - len(inserts)
		report(written)
		if err := s.insertItems(ctx, tx, org, inserts, stamp, actor, func(n int) { report(written + n) }); err != nil {
			return fmt.Errorf("import: %w", err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE orgs SET name = $1 WHERE id = $2`, m.Organization.Name, org); err != nil {
			return err
		}
		if err := s.recordImportedApprovals(ctx, tx, org, items, old, actor, stamp); err != nil {
			return err
		}
		if err := s.appendHistory(ctx, tx, org, changes); err != nil {
			return err
		}
		// Positions may have moved without a record: models cached before
		// this head are loaded afresh, not carried forward.
		_, err = tx.ExecContext(ctx, `UPDATE history_heads SET bulk_n = n WHERE org_id = $1`, org)
		return err
	})
	if err == nil && s.d.afterBulk != "" && res.Created+res.Deleted > 1000 {
		// Fresh statistics keep the list queries on their indexes; a
		// failure here costs speed, not data, so it does not fail the
		// import that has already been committed.
		s.db.ExecContext(ctx, s.d.afterBulk)
	}
	if err == nil {
		s.indexSoon(org)
	}
	return res, err
}

// insertItems writes new items in batches.
// inserted, when set, is told how many are written so far.
func (s *Store) insertItems(ctx context.Context, tx *sql.Tx, org string, items []StoredItem, stamp, actor string, inserted func(int)) error {
	const cols = 10
	for start := 0; start < len(items); start += s.d.batchRows {
		batch := items[start:min(start+s.d.batchRows, len(items))]
		var q strings.Builder
		q.WriteString(`INSERT INTO items (org_id, kind, key, pos, version, label, owner, data, updated_at, updated_by) VALUES `)
		args := make([]any, 0, cols*len(batch))
		for i, it := range batch {
			if i > 0 {
				q.WriteByte(',')
			}
			q.WriteString(placeholders(len(args), cols))
			args = append(args, org, it.Kind, it.Key, it.Pos, it.Version, it.Label, it.Owner, string(it.Data), stamp, actor)
		}
		if _, err := tx.ExecContext(ctx, q.String(), args...); err != nil {
			return fmt.Errorf("insert items: %w", err)
		}
		if inserted != nil {
			inserted(start + len(batch))
		}
	}
	return nil
}

type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// loadItems reads all items of an organization in position order.
func (s *Store) loadItems(ctx context.Context, q querier, org string) ([]StoredItem, error) {
	return s.loadItemsProgress(ctx, q, org, nil)
}

// loadItemsProgress is loadItems telling progress how many rows are read.
func (s *Store) loadItemsProgress(ctx context.Context, q querier, org string, progress func(done, total int)) ([]StoredItem, error) {
	total := 0
	if progress != nil {
		if rq, ok := q.(rowQuerier); ok {
			if err := rq.QueryRowContext(ctx, `SELECT COUNT(*) FROM items WHERE org_id = $1`, org).Scan(&total); err != nil {
				return nil, err
			}
		}
	}
	rows, err := q.QueryContext(ctx, selectItems+` WHERE org_id = $1 ORDER BY pos, kind, key`, org)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []StoredItem
	for rows.Next() {
		var it StoredItem
		var data string
		if err := rows.Scan(&it.Kind, &it.Key, &it.Pos, &it.Version, &it.Label, &it.Owner, &data, &it.UpdatedAt, &it.UpdatedBy); err != nil {
			return nil, err
		}
		it.Data = []byte(data)
		out = append(out, it)
		if progress != nil && len(out)%1000 == 0 {
			progress(len(out), max(total, len(out)))
		}
	}
	if progress != nil {
		progress(len(out), len(out))
	}
	return out, rows.Err()
}

// Items returns all items of an organization in position order.
func (s *Store) Items(ctx context.Context, org string) ([]StoredItem, error) {
	if _, err := s.Org(ctx, org); err != nil {
		return nil, err
	}
	return s.loadItems(ctx, s.db, org)
}

// ISMS loads an organization's whole ISMS and validates it as a bundle is
// validated.
//
// The model returned is shared and must not be modified. Loads are cached
// per organization and keyed by the head of its history chain, which every
// write moves in the same transaction: a cached model is used only while
// the database says nothing has changed, so it is never stale, on one
// instance or many. Loads of large ISMSs are limited to a few at a time so
// that many concurrent checks cannot exhaust memory.
func (s *Store) ISMS(ctx context.Context, org string) (*isms.ISMS, error) {
	m, _, err := s.ISMSAt(ctx, org)
	return m, err
}

// ISMSAt is ISMS with the history head the model belongs to, for callers
// that cache what they compute from it (the same head means the same ISMS).
func (s *Store) ISMSAt(ctx context.Context, org string) (*isms.ISMS, int64, error) {
	return s.ismsAt(ctx, org, nil)
}

func (s *Store) ismsAt(ctx context.Context, org string, progress func(done, total int)) (*isms.ISMS, int64, error) {
	head, err := s.orgHead(ctx, org)
	if err != nil {
		return nil, 0, err
	}
	if m, ok := s.models.Get(org, head); ok {
		return m, head, nil
	}
	// One request per organization brings the model up to date; those
	// that arrive meanwhile (dozens, right after an edit) wait for it
	// instead of each copying a 50,000-risk register over the same edit.
	unlock, err := lockOrg(ctx, &s.modelLocks, org)
	if err != nil {
		return nil, 0, err
	}
	defer unlock()
	if m, at, ok := s.models.Latest(org); ok && at >= head {
		// Up to date now, or newer: a model and its own head belong together.
		return m, at, nil
	}
	if m, ok := s.catchUp(ctx, org, head); ok {
		return m, head, nil
	}
	select {
	case s.loads <- struct{}{}:
		defer func() { <-s.loads }()
	case <-ctx.Done():
		return nil, 0, ctx.Err()
	}
	// Another request may have loaded it while this one waited.
	if head, err = s.historyHead(ctx, org); err != nil {
		return nil, 0, err
	}
	if m, ok := s.models.Get(org, head); ok {
		return m, head, nil
	}
	if m, ok := s.catchUp(ctx, org, head); ok {
		return m, head, nil
	}
	m, head, err := s.loadSnapshot(ctx, org, progress)
	if err != nil {
		return nil, 0, err
	}
	s.models.PutNewer(org, head, m)
	return m, head, nil
}

// lockOrg waits until the organization's lock in locks is free (or ctx
// ends) and takes it; the function returned frees it.
func lockOrg(ctx context.Context, locks *sync.Map, org string) (func(), error) {
	v, _ := locks.LoadOrStore(org, make(chan struct{}, 1))
	lock := v.(chan struct{})
	select {
	case lock <- struct{}{}:
		return func() { <-lock }, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// loadSnapshot reads the head and every item of an organization in one
// read-only transaction: a snapshot no concurrent write changes (on
// SQLite a deferred transaction in WAL mode, which takes no write lock),
// so the model always belongs to the head read with it, however busy the
// writers are.
func (s *Store) loadSnapshot(ctx context.Context, org string, progress func(done, total int)) (*isms.ISMS, int64, error) {
	opts := &sql.TxOptions{ReadOnly: true}
	if s.d.name == "postgres" {
		opts.Isolation = sql.LevelRepeatableRead
	}
	tx, err := s.db.BeginTx(ctx, opts)
	if err != nil {
		return nil, 0, err
	}
	defer tx.Rollback()
	head, err := headOf(ctx, tx, org)
	if err != nil {
		return nil, 0, err
	}
	stored, err := s.loadItemsProgress(ctx, tx, org, progress)
	if err != nil {
		return nil, 0, err
	}
	items := make([]bundle.Item, len(stored))
	for i, it := range stored {
		items[i] = it.Item
	}
	m, err := bundle.Join("org "+org, items)
	if err != nil {
		return nil, 0, err
	}
	return m, head, nil
}

// maxCatchUp is the most history records a cached model is carried over;
// beyond, loading afresh is as cheap.
const maxCatchUp = 2000

// catchUp carries the newest cached model of an organization forward to
// head by applying the history records written since, as bundle.Apply
// does for one edit: another instance's edits, or edits whose own
// carrying over raced with each other, cost one item each instead of a
// whole load. It gives up (false) when there is no cached model, when an
// import came after it, when the records are too many or one of them is
// not applied incrementally.
func (s *Store) catchUp(ctx context.Context, org string, head int64) (*isms.ISMS, bool) {
	m, from, ok := s.models.Latest(org)
	if !ok || from >= head || head-from > maxCatchUp {
		return nil, false
	}
	if bulk, err := s.bulkHead(ctx, org, head); err != nil || bulk > from {
		return nil, false
	}
	rows, err := s.db.QueryContext(ctx, `SELECT n, kind, key, after FROM history WHERE org_id = $1 AND n > $2 AND n <= $3 ORDER BY n`, org, from, head)
	if err != nil {
		return nil, false
	}
	defer rows.Close()
	n := int64(0)
	for rows.Next() {
		var rec int64
		var kind, key string
		var after sql.NullString
		if err := rows.Scan(&rec, &kind, &key, &after); err != nil {
			return nil, false
		}
		// Records since the last import are each one item's change.
		s.changes.note(org, rec, isms.ItemChange{Kind: kind, Key: key})
		var data []byte
		if after.Valid {
			data = []byte(after.String)
		}
		if m, ok = bundle.Apply(m, kind, key, data); !ok {
			return nil, false
		}
		n++
	}
	if rows.Err() != nil || n != head-from {
		return nil, false
	}
	s.models.PutNewer(org, head, m)
	return m, true
}

// orgHead is historyHead for an organization that must exist
// (ErrNotFound otherwise), in one query: every read of the model starts
// with it.
func (s *Store) orgHead(ctx context.Context, org string) (int64, error) {
	if h, ok := headsIn(ctx, org); ok {
		return h.N, nil
	}
	var head sql.NullInt64
	err := s.db.QueryRowContext(ctx, `SELECT h.n FROM orgs o LEFT JOIN history_heads h ON h.org_id = o.id WHERE o.id = $1`, org).Scan(&head)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("organization %s: %w", org, ErrNotFound)
	}
	return head.Int64, err
}

// historyHead is the position of the newest history record of an
// organization (0 when it has none).
func (s *Store) historyHead(ctx context.Context, org string) (int64, error) {
	if h, ok := headsIn(ctx, org); ok {
		return h.N, nil
	}
	return headOf(ctx, s.db, org)
}

// bulkHead is the last history record of an organization written in
// bulk (an import), which nothing is carried over, for a caller that
// reads the records up to upTo: a request's Heads answer when they were
// read at upTo or later (no bulk record after theirs is at or below upTo).
func (s *Store) bulkHead(ctx context.Context, org string, upTo int64) (int64, error) {
	if h, ok := headsIn(ctx, org); ok && upTo <= h.N {
		return h.BulkN, nil
	}
	var bulk int64
	err := s.db.QueryRowContext(ctx, `SELECT bulk_n FROM history_heads WHERE org_id = $1`, org).Scan(&bulk)
	return bulk, err
}

func headOf(ctx context.Context, q rowQuerier, org string) (int64, error) {
	var n int64
	err := q.QueryRowContext(ctx, `SELECT n FROM history_heads WHERE org_id = $1`, org).Scan(&n)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return n, err
}

// Export writes an organization's ISMS as a canonical bundle.
func (s *Store) Export(ctx context.Context, org string) ([]byte, error) {
	return s.ExportProgress(ctx, org, nil)
}

// ExportProgress is Export telling progress how many items are read.
func (s *Store) ExportProgress(ctx context.Context, org string, progress func(done, total int)) ([]byte, error) {
	m, _, err := s.ismsAt(ctx, org, progress)
	if err != nil {
		return nil, err
	}
	return bundle.Encode(m)
}
