package store_test

import (
	"context"
	"strings"
	"testing"

	"github.com/cloudisms/cloudisms/internal/store"
)

// TestBatchUpdateChecksVersions: a batch's one UPDATE writes every row
// at the version it was read at, with its new content and version, and
// its history records; when one row is no longer at its version, the
// statement fails and the transaction writes none of them, nor a record
// (the batch then writes each alone). On PostgreSQL the rows, records and
// head are one statement, elsewhere three.
func TestBatchUpdateChecksVersions(t *testing.T) {
	ctx := context.Background()
	eachSampleStore(t, func(t *testing.T, s *store.Store) {
		get := func(key string) store.StoredItem {
			it, err := s.Get(ctx, "o", "risks", key)
			if err != nil {
				t.Fatal(err)
			}
			return it
		}
		r05, r06 := get("r-05"), get("r-06")
		records := func() (n int) {
			if err := store.DBOf(s).QueryRowContext(ctx, `SELECT COUNT(*) FROM history WHERE org_id = 'o'`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		before := records()
		retitled := func(it store.StoredItem, title string, version int64) store.StoredItem {
			out := it
			out.Data = []byte(strings.Replace(string(it.Data), `"title":"`, `"title":"`+title+` `, 1))
			out.Version, out.UpdatedBy, out.UpdatedAt = version, "batch", "2026-12-03T10:00:00Z"
			return out
		}

		// One row at a stale version: neither row is written.
		err := store.UpdateRows(s, "o", []store.StoredItem{retitled(r05, "stale", r05.Version+1), retitled(r06, "stale", r06.Version+1)},
			[]int64{r05.Version, r06.Version + 3})
		if err == nil {
			t.Fatal("an update at a stale version succeeded")
		}
		if got := get("r-05"); got.Version != r05.Version || strings.Contains(string(got.Data), "stale") {
			t.Errorf("r-05 written by a failed batch: version %d, %s", got.Version, got.Data)
		}
		if n := records(); n != before {
			t.Errorf("a failed batch left %d history records", n-before)
		}

		// Both at their versions: both written, with the versions given.
		err = store.UpdateRows(s, "o", []store.StoredItem{retitled(r05, "new", r05.Version+1), retitled(r06, "newer", r06.Version+2)},
			[]int64{r05.Version, r06.Version})
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			key, title string
			version    int64
		}{{"r-05", "new", r05.Version + 1}, {"r-06", "newer", r06.Version + 2}} {
			got := get(c.key)
			if got.Version != c.version || !strings.Contains(string(got.Data), `"title":"`+c.title+` `) || got.UpdatedBy != "batch" || got.Label == "" {
				t.Errorf("%s: version %d (want %d), by %q, label %q, %s", c.key, got.Version, c.version, got.UpdatedBy, got.Label, got.Data)
			}
		}
		if n := records(); n != before+2 {
			t.Errorf("the batch wrote %d history records, want 2", n-before)
		}
		if broken, _, err := s.VerifyHistory(ctx); err != nil || broken != nil {
			t.Errorf("history after the batch: %+v, %v", broken, err)
		}
	})
}
