package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/cloudisms/cloudisms/internal/bundle"
	"github.com/cloudisms/cloudisms/internal/i18n"
	"github.com/cloudisms/cloudisms/internal/isms"
)

// ListOptions page, filter and sort a list of items.
type ListOptions struct {
	Limit  int    // at most this many (capped at MaxPage)
	Offset int    // skip this many
	Sort   string // pos (document order, the default), key, label, updated_at; "-" in front for descending
	Owner  string // only items with this owner
	Query  string // only items whose label or key contains this text
}

// MaxPage caps a page of items.
const MaxPage = 500

// Page is one page of a list and the total it comes from.
type Page struct {
	Items []StoredItem
	Total int
}

var sortColumns = map[string]string{"pos": "pos", "key": "key", "label": "label", "updated_at": "updated_at"}

// List returns a page of an organization's items of one kind.
func (s *Store) List(ctx context.Context, org, kind string, o ListOptions) (Page, error) {
	where := ` FROM items WHERE org_id = $1 AND kind = $2`
	args := []any{org, kind}
	if o.Owner != "" {
		args = append(args, o.Owner)
		where += fmt.Sprintf(" AND owner = $%d", len(args))
	}
	if n := utf8.RuneCountInString(o.Query); n > MaxQuery {
		return Page{}, fmt.Errorf("%w: %d characters, at most %d", ErrQueryTooLong, n, MaxQuery)
	}
	if o.Query != "" {
		args = append(args, "%"+likeEscape(o.Query)+"%")
		where += fmt.Sprintf(` AND (label LIKE $%d ESCAPE '\' OR key LIKE $%d ESCAPE '\')`, len(args), len(args))
	}
	var p Page
	// Counting every item of a large list on every page is the costly part
	// of a page: the total is kept per filter and history head, which
	// every write moves, so it is never stale.
	head, err := s.historyHead(ctx, org)
	if err != nil {
		return p, fmt.Errorf("list %s: %w", kind, err)
	}
	countKey := org + "\x00" + kind + "\x00" + o.Owner + "\x00" + o.Query
	if n, ok := s.counts.Get(countKey, head); ok {
		p.Total = n
	} else {
		if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*)`+where, args...).Scan(&p.Total); err != nil {
			return p, fmt.Errorf("list %s: %w", kind, err)
		}
		s.counts.Put(countKey, head, p.Total)
	}
	col, desc := strings.TrimPrefix(o.Sort, "-"), strings.HasPrefix(o.Sort, "-")
	if col == "" {
		col = "pos"
	}
	sqlCol, ok := sortColumns[col]
	if !ok {
		return p, fmt.Errorf("list %s: cannot sort by %q", kind, o.Sort)
	}
	dir := "ASC"
	if desc {
		dir = "DESC"
	}
	limit := o.Limit
	if limit <= 0 || limit > MaxPage {
		limit = MaxPage
	}
	q := `SELECT kind, key, pos, version, label, owner, data, updated_at, updated_by` + where +
		fmt.Sprintf(" ORDER BY %s %s, key %s LIMIT %d OFFSET %d", sqlCol, dir, dir, limit, max(o.Offset, 0))
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return p, fmt.Errorf("list %s: %w", kind, err)
	}
	defer rows.Close()
	for rows.Next() {
		it, err := scanItem(rows)
		if err != nil {
			return p, err
		}
		p.Items = append(p.Items, it)
	}
	return p, rows.Err()
}

func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

type scanner interface{ Scan(dest ...any) error }

// selectItems selects the columns scanItem reads.
const selectItems = `SELECT kind, key, pos, version, label, owner, data, updated_at, updated_by FROM items`

func scanItem(r scanner) (StoredItem, error) {
	var it StoredItem
	var data string
	err := r.Scan(&it.Kind, &it.Key, &it.Pos, &it.Version, &it.Label, &it.Owner, &data, &it.UpdatedAt, &it.UpdatedBy)
	it.Data = []byte(data)
	return it, err
}

// Get returns one item, or ErrNotFound.
func (s *Store) Get(ctx context.Context, org, kind, key string) (StoredItem, error) {
	return s.get(ctx, s.db, org, kind, key)
}

type rowQuerier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func (s *Store) get(ctx context.Context, q rowQuerier, org, kind, key string) (StoredItem, error) {
	it, err := scanItem(q.QueryRowContext(ctx, selectItems+` WHERE org_id = $1 AND kind = $2 AND key = $3`, org, kind, key))
	if errors.Is(err, sql.ErrNoRows) {
		return it, fmt.Errorf("%s/%s: %w", kind, key, ErrNotFound)
	}
	return it, err
}

// RefError is a reference from an item to an id that does not exist, or a
// deletion of an item that others still refer to.
type RefError struct {
	Path, List, ID string
	ReferencedBy   []string // kind/key of the items that refer to a deleted item
}

func (e *RefError) Error() string {
	if len(e.ReferencedBy) > 0 {
		return fmt.Sprintf("%s/%s is referred to by %s", e.List, e.ID, strings.Join(e.ReferencedBy, ", "))
	}
	return fmt.Sprintf("%s: %s", e.Path, e.Message().In(i18n.EN))
}

// Message says what is wrong with the reference, for the user.
func (e *RefError) Message() i18n.Message {
	if e.List == bundle.EvidenceList {
		return i18n.M("evidence.not_owned", "sha256", e.ID)
	}
	return i18n.M("bundle.unknown_ref", "id", e.ID, "list", e.List)
}

// Put creates an item (ifVersion 0: it must not exist) or replaces it
// (ifVersion: the version the caller read; another version is ErrConflict).
// It checks the item's references against what the store holds and writes
// the history record in the same transaction. It returns the stored item.
//
// Concurrent Puts to one organization are written together (putQueue):
// the writes waiting when a transaction ends go into the next one, each
// checked and recorded as if alone.
func (s *Store) Put(ctx context.Context, org string, it bundle.Item, refs []bundle.Ref, ifVersion int64, actor string) (StoredItem, error) {
	wrote(ctx)
	j := &putJob{ctx: ctx, it: it, refs: refs, ifVersion: ifVersion, actor: actor, done: make(chan struct{}), lead: make(chan struct{}, 1)}
	s.queuePut(org, j)
	return j.out, j.err
}

// putAlone is Put in a transaction of its own.
func (s *Store) putAlone(ctx context.Context, org string, it bundle.Item, refs []bundle.Ref, ifVersion int64, actor string) (StoredItem, edit, error) {
	var out StoredItem
	var note edit
	err := s.orgTx(ctx, org, func(tx *sql.Tx) error {
		var err error
		out, err = s.put(ctx, tx, org, it, refs, ifVersion, actor, keepStored, &note)
		return err
	})
	return out, note, err
}

// edit is one committed change of one item, for the cached models: the
// model at head becomes, with the change, the model at head+1.
type edit struct {
	org, kind, key string
	data           []byte // nil: deleted
	head           int64  // the history head before the change
	done           bool   // a change was written
}

// applyEdit carries a cached model over a committed change, so that the
// next read does not load the whole ISMS again. Without a model at the
// head before the change, or for a change Apply does not make, nothing is
// cached and the next read loads afresh, as it always may.
func (s *Store) applyEdit(e edit) {
	if !e.done {
		return
	}
	s.changes.note(e.org, e.head+1, isms.ItemChange{Kind: e.kind, Key: e.key})
	// Under the model lock: a reader may have carried the model over this
	// edit already (ismsAt), and then it is not done twice.
	unlock, _ := lockOrg(context.Background(), &s.modelLocks, e.org)
	defer unlock()
	if _, at, ok := s.models.Latest(e.org); ok && at > e.head {
		return
	}
	m, ok := s.models.Get(e.org, e.head)
	if !ok {
		return
	}
	if next, ok := bundle.Apply(m, e.kind, e.key, e.data); ok {
		s.models.PutNewer(e.org, e.head+1, next)
	}
}

// approvalWrite says whether put carries the stored approval over to the
// item written (bundle.KeepApproval): every write does but an approval,
// and a caller that already did.
type approvalWrite bool

const (
	keepStored approvalWrite = true
	asGiven    approvalWrite = false
)

// put writes one item in tx. Every statement from the locked read of the
// history head to the commit holds up the organization's other writers
// (on PostgreSQL each is a round trip), so there are as few as can be:
// the head and its hash read once, the references checked in one query.
func (s *Store) put(ctx context.Context, tx *sql.Tx, org string, it bundle.Item, refs []bundle.Ref, ifVersion int64, actor string, approval approvalWrite, note *edit) (StoredItem, error) {
	// Writers of one organization queue on its history head from here,
	// so that a new item's position is not taken twice.
	head, err := lockOrgHead(ctx, tx, s, org)
	if err != nil {
		return StoredItem{}, err
	}
	out, change, err := s.writeItem(ctx, tx, org, head.n, it, refs, ifVersion, actor, approval, note, nil)
	if err != nil || change == nil {
		return out, err
	}
	return out, s.appendHistoryAt(ctx, tx, org, head, []Change{*change})
}

// writeItem checks and writes one item in tx, the organization's history
// head being locked at position at, and returns the history record to
// append (nil when the item did not change). Its checks fail before it
// writes anything (see cleanFailure).
// pre, when not nil, holds the items read for the write's batch.
func (s *Store) writeItem(ctx context.Context, tx *sql.Tx, org string, at int64, it bundle.Item, refs []bundle.Ref, ifVersion int64, actor string, approval approvalWrite, note *edit, pre *batchReads) (StoredItem, *Change, error) {
	var out StoredItem
	*note = edit{org: org, kind: it.Kind, key: it.Key, data: it.Data, head: at}
	if r, err := s.refMissing(ctx, tx, org, refs, pre); err != nil || r != nil {
		if r != nil {
			return out, nil, &RefError{Path: r.Path, List: r.List, ID: r.ID}
		}
		return out, nil, err
	}
	if err := s.checkEvidence(ctx, tx, org, it); err != nil {
		return out, nil, err
	}
	prev, asked, err := pre.get(it.Kind, it.Key)
	if !asked {
		prev, err = s.get(ctx, tx, org, it.Kind, it.Key)
	}
	exists := err == nil
	if err != nil && !errors.Is(err, ErrNotFound) {
		return out, nil, err
	}
	if approval == keepStored {
		var stored []byte // a new item: none
		if exists {
			stored = prev.Data
		}
		if it, err = bundle.KeepApproval(it, stored); err != nil {
			return out, nil, &keepError{err}
		}
		note.data = it.Data
	}
	stamp := s.stamp()
	after := string(it.Data)
	switch {
	case ifVersion == 0 && exists:
		return out, nil, fmt.Errorf("%s/%s: %w", it.Kind, it.Key, ErrExists)
	case ifVersion != 0 && !exists:
		return out, nil, fmt.Errorf("%s/%s: %w", it.Kind, it.Key, ErrNotFound)
	case ifVersion != 0 && prev.Version != ifVersion:
		return out, nil, fmt.Errorf("%s/%s is at version %d, not %d: %w", it.Kind, it.Key, prev.Version, ifVersion, ErrConflict)
	case !exists:
		var pos int64
		if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(pos), 0) + 1 FROM items WHERE org_id = $1`, org).Scan(&pos); err != nil {
			return out, nil, err
		}
		out = StoredItem{Item: it, Pos: pos, Version: 1, UpdatedAt: stamp, UpdatedBy: actor}
		if err := s.insertItems(ctx, tx, org, []StoredItem{out}, stamp, actor, nil); err != nil {
			return out, nil, err
		}
		pre.wrote(out)
		note.done = true
		return out, &Change{Actor: actor, Kind: it.Kind, Key: it.Key, Action: "create", After: &after}, nil
	}
	if string(prev.Data) == after {
		return prev, nil, nil // nothing changed: no new version, no history
	}
	out = StoredItem{Item: it, Pos: prev.Pos, Version: prev.Version + 1, UpdatedAt: stamp, UpdatedBy: actor}
	before := string(prev.Data)
	change := &Change{Actor: actor, Kind: it.Kind, Key: it.Key, Action: "update", Before: &before, After: &after}
	if pre != nil {
		// Written with the batch's other updates (flushUpdates).
		pre.update(out, prev.Version)
		pre.wrote(out)
		note.done = true
		return out, change, nil
	}
	// The version check is repeated in the UPDATE itself, so that two
	// writers that read the same version cannot both win.
	res, err := tx.ExecContext(ctx, `UPDATE items SET data = $1, label = $2, owner = $3, version = version + 1, updated_at = $4, updated_by = $5 WHERE org_id = $6 AND kind = $7 AND key = $8 AND version = $9`,
		after, it.Label, it.Owner, stamp, actor, org, it.Kind, it.Key, prev.Version)
	if err != nil {
		return out, nil, err
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return out, nil, fmt.Errorf("%s/%s: %w", it.Kind, it.Key, ErrConflict)
	}
	note.done = true
	return out, change, nil
}

// Delete removes an item at the version the caller read. An item that
// others still refer to is not deleted (RefError names them).
func (s *Store) Delete(ctx context.Context, org, kind, key string, ifVersion int64, actor string) error {
	var note edit
	err := s.orgTx(ctx, org, func(tx *sql.Tx) error {
		locked, err := lockHistoryHead(ctx, tx, s.d, org)
		if err != nil {
			return err
		}
		head := locked.n
		prev, err := s.get(ctx, tx, org, kind, key)
		if err != nil {
			return err
		}
		if prev.Version != ifVersion {
			return fmt.Errorf("%s/%s is at version %d, not %d: %w", kind, key, prev.Version, ifVersion, ErrConflict)
		}
		users, err := s.referrers(ctx, tx, org, kind, key)
		if err != nil {
			return err
		}
		if len(users) > 0 {
			return &RefError{List: kind, ID: key, ReferencedBy: users}
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM items WHERE org_id = $1 AND kind = $2 AND key = $3 AND version = $4`, org, kind, key, ifVersion); err != nil {
			return err
		}
		before := string(prev.Data)
		note = edit{org: org, kind: kind, key: key, head: head, done: true}
		return s.appendHistory(ctx, tx, org, []Change{{Actor: actor, Kind: kind, Key: key, Action: "delete", Before: &before}})
	})
	if err == nil {
		s.applyEdit(note)
	}
	return err
}

// lockOrgHead is lockHistoryHead for a write that needs the organization
// to exist: a stored head is proof enough (organizations are never
// deleted), and only an organization without one costs a query more.
func lockOrgHead(ctx context.Context, tx *sql.Tx, s *Store, org string) (historyHead, error) {
	head, err := lockHistoryHead(ctx, tx, s.d, org)
	if err == nil && !head.stored {
		_, err = s.getOrg(ctx, tx, org)
	}
	return head, err
}

func (s *Store) getOrg(ctx context.Context, tx *sql.Tx, org string) (Org, error) {
	var o Org
	err := tx.QueryRowContext(ctx, `SELECT id, name, created_at FROM orgs WHERE id = $1`, org).Scan(&o.ID, &o.Name, &o.CreatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return o, fmt.Errorf("organization %s: %w", org, ErrNotFound)
	}
	return o, err
}

// refTarget is the stored list and id a reference names ("" for a
// reference that needs no item: the organization itself as provider).
func refTarget(r bundle.Ref) (list, id string) {
	switch r.List {
	case "provider":
		if r.ID == "self" {
			return "", ""
		}
		return "suppliers", r.ID
	case "source":
		return "risk_sources", r.ID
	}
	return r.List, r.ID
}

// refBatch bounds the references checked by one query (two parameters
// each).
const refBatch = 200

// refMissing is missingRef, answered from pre when it holds every
// reference.
func (s *Store) refMissing(ctx context.Context, tx *sql.Tx, org string, refs []bundle.Ref, pre *batchReads) (*bundle.Ref, error) {
	if r, ok := pre.missingRef(refs); ok {
		return r, nil
	}
	return s.missingRef(ctx, tx, org, refs)
}

// missingRef returns the first of refs whose item is not stored, nil when
// all are, asking for them all at once instead of one query each.
func (s *Store) missingRef(ctx context.Context, tx *sql.Tx, org string, refs []bundle.Ref) (*bundle.Ref, error) {
	want := make([]itemKey, 0, len(refs))
	seen := map[itemKey]bool{}
	for _, r := range refs {
		list, id := refTarget(r)
		k := itemKey{list, id}
		if list == "" || seen[k] {
			continue
		}
		seen[k] = true
		want = append(want, k)
	}
	found := map[itemKey]bool{}
	for start := 0; start < len(want); start += refBatch {
		q, args := s.d.itemsIn(`SELECT kind, key FROM items`, org, want[start:min(start+refBatch, len(want))])
		rows, err := tx.QueryContext(ctx, q, args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var k itemKey
			if err := rows.Scan(&k.kind, &k.key); err != nil {
				rows.Close()
				return nil, err
			}
			found[k] = true
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
	}
	for i, r := range refs {
		if list, id := refTarget(r); list != "" && !found[itemKey{list, id}] {
			return &refs[i], nil
		}
	}
	return nil, nil
}

// itemsIn is selected restricted to an organization's items of the
// given kinds and keys. PostgreSQL takes the keys as two arrays, so that
// the statement is the same for any number of keys and its plan is made
// once per connection (a list of pairs was planned afresh, about 2 ms,
// for each batch of edits); SQLite, without arrays, takes a list.
func (d dialect) itemsIn(selected, org string, keys []itemKey) (string, []any) {
	if d.name == "postgres" {
		kinds, ids := make([]string, len(keys)), make([]string, len(keys))
		for i, k := range keys {
			kinds[i], ids[i] = k.kind, k.key
		}
		return selected + ` WHERE org_id = $1 AND (kind, key) IN (SELECT k.kind, k.key FROM unnest($2::text[], $3::text[]) AS k (kind, key))`,
			[]any{org, kinds, ids}
	}
	var q strings.Builder
	q.WriteString(selected)
	q.WriteString(` WHERE org_id = $1 AND (kind, key) IN (`)
	args := make([]any, 1, 1+2*len(keys))
	args[0] = org
	for i, k := range keys {
		if i > 0 {
			q.WriteByte(',')
		}
		q.WriteString(placeholders(len(args), 2))
		args = append(args, k.kind, k.key)
	}
	q.WriteByte(')')
	return q.String(), args
}

// referrers lists the items whose references name kind/key. Candidates are
// found by the id's JSON text, then confirmed by decoding their references.
func (s *Store) referrers(ctx context.Context, tx *sql.Tx, org, kind, key string) ([]string, error) {
	target := kind
	switch kind {
	case "suppliers":
	case "risk_sources":
		target = "source"
	case bundle.KindSoA:
		// An SoA's rows go with it only when it has none.
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM items WHERE org_id = $1 AND kind = $2 AND key LIKE $3 ESCAPE '\'`, org, bundle.KindSoARows, likeEscape(key)+"/%").Scan(&n); err != nil {
			return nil, err
		}
		if n > 0 {
			return []string{fmt.Sprintf("%s (%d)", bundle.KindSoARows, n)}, nil
		}
		return nil, nil
	}
	rows, err := tx.QueryContext(ctx, `SELECT kind, key, data FROM items WHERE org_id = $1 AND data LIKE $2 ESCAPE '\'`, org, `%"`+likeEscape(key)+`"%`)
	if err != nil {
		return nil, err
	}
	type cand struct{ kind, key, data string }
	var cands []cand
	for rows.Next() {
		var c cand
		if err := rows.Scan(&c.kind, &c.key, &c.data); err != nil {
			rows.Close()
			return nil, err
		}
		cands = append(cands, c)
	}
	rows.Close()
	var out []string
	for _, c := range cands {
		if c.kind == kind && c.key == key {
			continue
		}
		_, refs, err := bundle.DecodeItem(c.kind, c.key, []byte(c.data), "")
		if err != nil {
			continue
		}
		for _, r := range refs {
			if r.ID == key && (r.List == target || (r.List == "provider" && kind == "suppliers")) {
				out = append(out, c.kind+"/"+c.key)
				break
			}
		}
	}
	return out, nil
}

// Edition is the Annex A edition of an organization's ISMS ("" when the
// organization has none yet), which item validation needs.
func (s *Store) Edition(ctx context.Context, org string) (string, error) {
	it, err := s.Get(ctx, org, bundle.KindOrganization, bundle.KindOrganization)
	if errors.Is(err, ErrNotFound) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	return editionOf(org, it.Data)
}

func editionOf(org string, data []byte) (string, error) {
	var o struct {
		AnnexA string `json:"annex_a"`
	}
	if err := json.Unmarshal(data, &o); err != nil {
		return "", fmt.Errorf("organization of %s: %w", org, err)
	}
	return o.AnnexA, nil
}

// EditionAndCriteria is Edition and Criteria in one query: what a written
// item is checked against.
func (s *Store) EditionAndCriteria(ctx context.Context, org string) (string, isms.RiskCriteria, error) {
	_, edition, c, err := s.readAgainst(ctx, org, nil)
	return edition, c, err
}

// GetAndCriteria is Get and EditionAndCriteria in one query: what an
// update reads before it checks its body.
func (s *Store) GetAndCriteria(ctx context.Context, org, kind, key string) (StoredItem, string, isms.RiskCriteria, error) {
	k := itemKey{kind, key}
	items, edition, c, err := s.readAgainst(ctx, org, &k)
	if err != nil {
		return StoredItem{}, "", c, err
	}
	it, ok := items[k]
	if !ok {
		return StoredItem{}, "", c, fmt.Errorf("%s/%s: %w", kind, key, ErrNotFound)
	}
	return it, edition, c, nil
}

// readAgainst reads an organization's edition and risk criteria, and the
// item also (when not nil), in one query.
func (s *Store) readAgainst(ctx context.Context, org string, also *itemKey) (map[itemKey]StoredItem, string, isms.RiskCriteria, error) {
	keys := []itemKey{{bundle.KindOrganization, bundle.KindOrganization}, {bundle.KindCriteria, bundle.KindCriteria}}
	if also != nil {
		keys = append(keys, *also)
	}
	q, args := s.d.itemsIn(selectItems, org, keys)
	items := map[itemKey]StoredItem{}
	if err := scanItemsInto(items)(s.db.QueryContext(ctx, q, args...)); err != nil {
		return nil, "", isms.RiskCriteria{}, fmt.Errorf("edition and risk criteria of %s: %w", org, err)
	}
	var edition string
	var c isms.RiskCriteria
	if it, ok := items[itemKey{bundle.KindOrganization, bundle.KindOrganization}]; ok {
		var err error
		if edition, err = editionOf(org, it.Data); err != nil {
			return nil, "", c, err
		}
	}
	if it, ok := items[itemKey{bundle.KindCriteria, bundle.KindCriteria}]; ok {
		c = bundle.CriteriaOf(it.Data)
	}
	return items, edition, c, nil
}
