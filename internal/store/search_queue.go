package store

import (
	"context"
	"database/sql"
	"fmt"
	"hash/fnv"
	"sync"
	"time"
)

// On PostgreSQL the search text is indexed after a write, not in it: the
// items' trigger queues the item in search_queue, and drainSearch turns
// the queue into search_text, once per item however often it was written
// meanwhile. A write commits without waiting for trigram indexing, which
// took about half of the time of a batch of edits under load; a search
// drains its organization's queue first, so it always finds what was
// written before it (a write's own author included).

// searchQueueVersion is the migration that created search_queue.
const searchQueueVersion = 180

// searchDelay is how long the background indexer gathers writes before
// indexing them: an item edited many times in that time is indexed once.
const searchDelay = 200 * time.Millisecond

// searchDrainRows bounds the queued rows one statement indexes.
const searchDrainRows = 2000

// pgSearchQueue replaces the trigger that indexed each written item in
// its own transaction by one that queues it.
var pgSearchQueue = []string{
	`CREATE OR REPLACE FUNCTION cloudisms_items_search() RETURNS trigger LANGUAGE plpgsql AS $$
	BEGIN
		IF TG_OP = 'UPDATE' AND (OLD.org_id, OLD.kind, OLD.key, OLD.label, OLD.data) IS NOT DISTINCT FROM (NEW.org_id, NEW.kind, NEW.key, NEW.label, NEW.data) THEN
			RETURN NULL; -- nothing searchable changed
		END IF;
		IF TG_OP <> 'INSERT' THEN
			INSERT INTO search_queue (org_id, kind, key) VALUES (OLD.org_id, OLD.kind, OLD.key);
		END IF;
		IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND (OLD.org_id, OLD.kind, OLD.key) IS DISTINCT FROM (NEW.org_id, NEW.kind, NEW.key)) THEN
			INSERT INTO search_queue (org_id, kind, key) VALUES (NEW.org_id, NEW.kind, NEW.key);
		END IF;
		RETURN NULL;
	END
	$$`,
}

// createSearchQueue runs the database's part of the queue's migration.
func createSearchQueue(ctx context.Context, tx *sql.Tx, dialect string) error {
	if dialect != "postgres" {
		return nil
	}
	for _, stmt := range pgSearchQueue {
		if _, err := tx.ExecContext(ctx, stmt); err != nil {
			return err
		}
	}
	return nil
}

// drainSearchSQL indexes up to searchDrainRows queued rows of an
// organization, oldest first: an item that is gone loses its text, any
// other gets the text of its row as it is now (written only when it
// differs, sparing the trigram index). New texts are written in the
// items' order, as the import writes items: in the queue's order the
// searches of a large import's text ran 15-30 % slower.
var drainSearchSQL = fmt.Sprintf(`WITH q AS (
		DELETE FROM search_queue WHERE id IN (SELECT id FROM search_queue WHERE org_id = $1 ORDER BY id LIMIT %d)
		RETURNING kind, key
	), k AS (SELECT DISTINCT kind, key FROM q),
	gone AS (
		DELETE FROM search_text st USING k WHERE st.org_id = $1 AND st.kind = k.kind AND st.key = k.key
			AND NOT EXISTS (SELECT 1 FROM items i WHERE i.org_id = $1 AND i.kind = k.kind AND i.key = k.key)
		RETURNING 1
	), kept AS (
		INSERT INTO search_text (org_id, kind, key, label, text)
		SELECT i.org_id, i.kind, i.key, i.label, cloudisms_item_text(i.label, i.data) FROM items i JOIN k ON i.org_id = $1 AND i.kind = k.kind AND i.key = k.key
		ORDER BY i.pos
		ON CONFLICT (org_id, kind, key) DO UPDATE SET label = EXCLUDED.label, text = EXCLUDED.text
			WHERE (search_text.label, search_text.text) IS DISTINCT FROM (EXCLUDED.label, EXCLUDED.text)
		RETURNING 1
	)
	SELECT (SELECT COUNT(*) FROM q), (SELECT COUNT(*) FROM gone), (SELECT COUNT(*) FROM kept)`, searchDrainRows)

// drainSearch brings the search text of an organization up to date with
// its items, when any of them is queued.
func (s *Store) drainSearch(ctx context.Context, org string) error {
	if s.d.name != "postgres" {
		return nil
	}
	var queued bool
	if err := s.db.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM search_queue WHERE org_id = $1)`, org).Scan(&queued); err != nil {
		return fmt.Errorf("search queue of %s: %w", org, err)
	}
	if !queued {
		return nil
	}
	return s.drainQueued(ctx, org)
}

// drainQueued indexes an organization's queued items. Drains of one
// organization take turns: in this process on searchLocks, so that many
// searches of an organization with a long queue wait in Go and not each
// on a pooled connection (which other organizations need); between
// processes on an advisory lock in each drain's transaction. Each
// statement then sees the text the one before wrote, and an older row's
// text never overwrites a newer one's.
func (s *Store) drainQueued(ctx context.Context, org string) error {
	unlock, err := lockOrg(ctx, &s.searchLocks, org)
	if err != nil {
		return err
	}
	defer unlock()
	for queued := true; queued; {
		err := s.tx(ctx, func(tx *sql.Tx) error {
			if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock($1, $2)`, searchLockSpace, orgLockKey(org)); err != nil {
				return err
			}
			var n, gone, kept int
			if err := tx.QueryRowContext(ctx, drainSearchSQL, org).Scan(&n, &gone, &kept); err != nil {
				return err
			}
			queued = n == searchDrainRows
			return nil
		})
		if err != nil {
			return fmt.Errorf("index search text of %s: %w", org, err)
		}
	}
	return nil
}

// searchLockSpace is the first key of the drains' advisory locks (the
// second is the organization's).
const searchLockSpace = 7243002

// orgLockKey is an organization's key in an advisory lock space: two
// organizations may share one, which only makes their drains take turns.
func orgLockKey(org string) int32 {
	h := fnv.New32a()
	h.Write([]byte(org))
	return int32(h.Sum32())
}

// indexQueued has the search text of every organization with queued
// rows brought up to date (at start, and after a restore: writes of other
// processes, such as the command line's import, leave rows queued).
func (s *Store) indexQueued(ctx context.Context) error {
	if s.d.name != "postgres" {
		return nil
	}
	rows, err := s.db.QueryContext(ctx, `SELECT DISTINCT org_id FROM search_queue`)
	if err != nil {
		return fmt.Errorf("search queue: %w", err)
	}
	defer rows.Close()
	var orgs []string
	for rows.Next() {
		var org string
		if err := rows.Scan(&org); err != nil {
			return fmt.Errorf("search queue: %w", err)
		}
		orgs = append(orgs, org)
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("search queue: %w", err)
	}
	for _, org := range orgs {
		s.indexSoon(org)
	}
	return nil
}

// searchIndexer drains the queues of the organizations this process
// wrote to, in one goroutine that runs while there is work.
type searchIndexer struct {
	mu      sync.Mutex
	due     map[string]bool
	running bool
}

// indexSoon has the search text of org brought up to date shortly,
// after the writes that come meanwhile.
func (s *Store) indexSoon(org string) {
	if s.d.name != "postgres" {
		return
	}
	ix := &s.indexer
	ix.mu.Lock()
	if ix.due == nil {
		ix.due = map[string]bool{}
	}
	ix.due[org] = true
	start := !ix.running
	ix.running = true
	ix.mu.Unlock()
	if start {
		go s.indexLoop()
	}
}

// indexLoop drains the due organizations until none is left. A drain
// that fails leaves its rows queued: the next write or search of the
// organization drains them, and a search reports the failure.
func (s *Store) indexLoop() {
	ix := &s.indexer
	for {
		time.Sleep(searchDelay)
		ix.mu.Lock()
		orgs := make([]string, 0, len(ix.due))
		for org := range ix.due {
			orgs = append(orgs, org)
		}
		clear(ix.due)
		if len(orgs) == 0 {
			ix.running = false
			ix.mu.Unlock()
			return
		}
		ix.mu.Unlock()
		for _, org := range orgs {
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			_ = s.drainSearch(ctx, org)
			cancel()
		}
	}
}
