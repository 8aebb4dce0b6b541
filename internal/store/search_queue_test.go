package store_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cloudisms/cloudisms/internal/bundle"
	"github.com/cloudisms/cloudisms/internal/store"
	"github.com/cloudisms/cloudisms/internal/store/storetest"
)

// staleSearchText counts the items whose search text differs from their
// data and the search texts whose item is gone, recomputed by the
// database from the items as they are.
func staleSearchText(t *testing.T, s *store.Store, org string) int {
	t.Helper()
	text := `cloudisms_item_text(i.label, i.data)`
	if s.Dialect() == "sqlite" {
		text = `i.label || ' ' || coalesce((SELECT group_concat(value, ' ') FROM json_tree(i.data) WHERE type = 'text'), '')`
	}
	var n int
	err := store.DBOf(s).QueryRowContext(ctx, `SELECT
		(SELECT COUNT(*) FROM items i LEFT JOIN search_text st ON st.org_id = i.org_id AND st.kind = i.kind AND st.key = i.key
			WHERE i.org_id = $1 AND (st.text IS NULL OR st.text <> `+text+` OR st.label <> i.label))
		+ (SELECT COUNT(*) FROM search_text st WHERE st.org_id = $1
			AND NOT EXISTS (SELECT 1 FROM items i WHERE i.org_id = st.org_id AND i.kind = st.kind AND i.key = st.key))`, org).Scan(&n)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// queued is how many rows wait in an organization's search queue.
func queued(t *testing.T, s *store.Store, org string) int {
	t.Helper()
	var n int
	if err := store.DBOf(s).QueryRowContext(ctx, `SELECT COUNT(*) FROM search_queue WHERE org_id = $1`, org).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// editAsset renames asset key to name, retrying on a conflict.
func editAsset(s *store.Store, key, name string) error {
	for {
		it, err := s.Get(ctx, "o", "assets", key)
		if err != nil {
			return err
		}
		data := strings.Replace(string(it.Data), `"name":"`, `"name":"`+name+` `, 1)
		item, refs, err := bundle.DecodeItem("assets", key, []byte(data), "iso27001:2022")
		if err != nil {
			return err
		}
		_, err = s.Put(ctx, "o", item, refs, it.Version, "alice")
		if !errors.Is(err, store.ErrConflict) {
			return err
		}
	}
}

// Without any search, the text of an edit is indexed shortly after it
// (on PostgreSQL by the background indexer, on SQLite in the write), and
// the queue is left empty.
func TestSearchIndexedAfterWrites(t *testing.T) {
	eachSampleStore(t, func(t *testing.T, s *store.Store) {
		if err := editAsset(s, "a-01", "背景で索引ひまわり"); err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(10 * time.Second)
		for staleSearchText(t, s, "o") != 0 || queued(t, s, "o") != 0 {
			if time.Now().After(deadline) {
				t.Fatalf("10 s after the edit: %d stale search texts, %d rows queued", staleSearchText(t, s, "o"), queued(t, s, "o"))
			}
			time.Sleep(20 * time.Millisecond)
		}
		var text string
		if err := store.DBOf(s).QueryRowContext(ctx, `SELECT text FROM search_text WHERE org_id = 'o' AND kind = 'assets' AND key = 'a-01'`).Scan(&text); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(text, "背景で索引ひまわり") {
			t.Errorf("search text of a-01 after the edit: %q", text)
		}
	})
}

// Rows a writer queued but never indexed (another process's import, a
// process that stopped) are indexed by the next store that opens the
// database.
func TestSearchQueueIndexedAtOpen(t *testing.T) {
	if storetest.PostgresURL() == "" {
		t.Skip("PostgreSQL only (SQLite indexes in the write): set CLOUDISMS_TEST_POSTGRES")
	}
	dsn := storetest.FreshSchema(t)
	s, err := store.Open(ctx, dsn, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	m, _ := sample(t, "sample-saas.yaml")
	if _, err := s.Import(ctx, "o", m, "setup"); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	// As if the last writer had stopped before indexing: a text out of
	// date and its row still queued.
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, `UPDATE search_text SET text = 'out of date' WHERE org_id = 'o' AND kind = 'assets' AND key = 'a-01'`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, `INSERT INTO search_queue (org_id, kind, key) VALUES ('o', 'assets', 'a-01')`); err != nil {
		t.Fatal(err)
	}
	s2, err := store.Open(ctx, dsn, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	deadline := time.Now().Add(10 * time.Second)
	for staleSearchText(t, s2, "o") != 0 {
		if time.Now().After(deadline) {
			t.Fatal("the queued row was not indexed 10 s after the store opened")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Writers, searchers and the background indexer at once, with items
// created, renamed and deleted: every search finds what was written
// before it, and once all is done the search text equals the text
// recomputed from the items, with nothing left queued.
func TestSearchQueueUnderConcurrentWrites(t *testing.T) {
	eachSampleStore(t, func(t *testing.T, s *store.Store) {
		base, err := s.Get(ctx, "o", "assets", "a-01")
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(ctx)
		defer cancel()
		var wg sync.WaitGroup
		errs := make(chan error, 16)
		for w := range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				rnd := rand.New(rand.NewPCG(uint64(w), 7))
				for i := range 25 {
					word := fmt.Sprintf("語%d号%d", w, i)
					var err error
					switch rnd.IntN(3) {
					case 0, 1: // a rename, then a search that must find it
						err = editAsset(s, []string{"a-01", "a-02", "a-03"}[rnd.IntN(3)], word)
						if err == nil {
							var hits []store.SearchHit
							hits, err = s.Search(ctx, "o", word, 10)
							if err == nil && len(hits) != 1 {
								err = fmt.Errorf("%q right after writing it: %d hits", word, len(hits))
							}
						}
					case 2: // an item created and deleted
						key := fmt.Sprintf("a-q%d-%d", w, i)
						data := strings.Replace(strings.Replace(string(base.Data), `"id":"a-01"`, `"id":"`+key+`"`, 1), `"name":"`, `"name":"`+word+` `, 1)
						item, refs, derr := bundle.DecodeItem("assets", key, []byte(data), "iso27001:2022")
						if derr != nil {
							err = derr
							break
						}
						out, perr := s.Put(ctx, "o", item, refs, 0, "alice")
						if perr != nil {
							err = perr
							break
						}
						err = s.Delete(ctx, "o", "assets", key, out.Version, "alice")
						if err == nil {
							var hits []store.SearchHit
							hits, err = s.Search(ctx, "o", word, 10)
							if err == nil && len(hits) != 0 {
								err = fmt.Errorf("%q found after its item was deleted: %+v", word, hits[0].Key)
							}
						}
					}
					if err != nil {
						errs <- err
						return
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
		if _, err := s.Search(ctx, "o", "anything", 1); err != nil {
			t.Fatal(err)
		}
		if n := staleSearchText(t, s, "o"); n != 0 {
			t.Errorf("%d search texts differ from their items", n)
		}
		if n := queued(t, s, "o"); n != 0 {
			t.Errorf("%d rows still queued after a search", n)
		}
	})
}

// Searches of an organization whose queue another instance is draining
// wait for it in the process, not each on a pooled connection: with
// forty of them waiting, another organization's reads still get a
// connection at once, and every search finds the queued item's text
// once the other drain ends.
func TestSearchDrainsWaitOffThePool(t *testing.T) {
	if storetest.PostgresURL() == "" {
		t.Skip("PostgreSQL only (SQLite indexes in the write): set CLOUDISMS_TEST_POSTGRES")
	}
	dsn := storetest.FreshSchema(t)
	s, err := store.Open(ctx, dsn, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	m, _ := sample(t, "sample-saas.yaml")
	for _, org := range []string{"o", "other"} {
		if _, err := s.Import(ctx, org, m, "setup"); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.Search(ctx, "o", "anything", 1); err != nil { // the import's queue drained
		t.Fatal(err)
	}
	// Another instance holds o's drain lock (the key is the one
	// drainQueued takes) while an edit of o waits in the queue.
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	holder, err := db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer holder.Rollback()
	if _, err := holder.ExecContext(ctx, `SELECT pg_advisory_xact_lock(7243002, $1)`, store.OrgLockKey("o")); err != nil {
		t.Fatal(err)
	}
	if err := editAsset(s, "a-01", "待たされる合言葉"); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 40)
	for range 40 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			hits, err := s.Search(ctx, "o", "待たされる合言葉", 10)
			if err == nil && len(hits) != 1 {
				err = fmt.Errorf("%d hits after the drain", len(hits))
			}
			if err != nil {
				errs <- err
			}
		}()
	}
	time.Sleep(300 * time.Millisecond) // the searches are waiting
	short, cancel := context.WithTimeout(ctx, 3*time.Second)
	_, err = s.Get(short, "other", "assets", "a-01")
	cancel()
	if err != nil {
		t.Errorf("another organization's read while o's searches wait: %v", err)
	}
	holder.Rollback()
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}
