package store_test

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/cloudisms/cloudisms/internal/bundle"
	"github.com/cloudisms/cloudisms/internal/generate"
	"github.com/cloudisms/cloudisms/internal/isms"
	"github.com/cloudisms/cloudisms/internal/store"
	"github.com/cloudisms/cloudisms/internal/store/storetest"
)

// second opens another store on the same database, as another instance:
// its cache is empty, so it loads every ISMS from the items.
func second(t testing.TB, name, where string) *store.Store {
	t.Helper()
	dsn, dir := where, t.TempDir()
	if name == "sqlite" {
		dsn, dir = "", where
	}
	s, err := store.Open(ctx, dsn, dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// changed reads an item of "o" and returns it with its first from
// replaced by to, decoded for a write at the version read.
func changed(t *testing.T, ctx context.Context, s *store.Store, kind, key, from, to string) (bundle.Item, []bundle.Ref, int64) {
	t.Helper()
	cur, err := s.Get(ctx, "o", kind, key)
	if err != nil {
		t.Fatal(err)
	}
	it, refs, err := bundle.DecodeItem(kind, key, []byte(strings.Replace(string(cur.Data), from, to, 1)), "iso27001:2022")
	if err != nil {
		t.Fatal(err)
	}
	return it, refs, cur.Version
}

// TestEditsKeepCachedModelExact edits, creates, approves and deletes items
// through one store, which carries its cached model over each change, and
// compares the model after every change with a fresh load by another
// store: they must be equal in every field.
func TestEditsKeepCachedModelExact(t *testing.T) {
	for _, be := range storetest.Backends(t) {
		t.Run(be.Name, func(t *testing.T) {
			s, where := be.Open(t)
			fresh := second(t, be.Name, where)
			m, _ := sample(t, "sample-saas.yaml")
			if _, err := s.Import(ctx, "o", m, "alice"); err != nil {
				t.Fatal(err)
			}
			same := func(step string) {
				t.Helper()
				got, err := s.ISMS(ctx, "o")
				if err != nil {
					t.Fatal(err)
				}
				want, err := fresh.ISMS(ctx, "o")
				if err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(got, want) {
					t.Fatalf("after %s the cached model differs from a fresh load", step)
				}
			}
			same("import")
			edit := func(kind, key, from, to string) {
				t.Helper()
				it, refs, version := changed(t, ctx, s, kind, key, from, to)
				if _, err := s.Put(ctx, "o", it, refs, version, "bob"); err != nil {
					t.Fatal(err)
				}
				// The write itself carried the model over the edit: it is
				// cached at the new head before anything reads it.
				head, err := store.HistoryHeadOf(s, "o")
				if err != nil {
					t.Fatal(err)
				}
				if at, ok := store.CachedModelHead(s, "o"); !ok || at != head {
					t.Errorf("after an edit of %s/%s the cached model is at %d (%v), the history at %d", kind, key, at, ok, head)
				}
				same("an edit of " + kind + "/" + key)
			}
			before, _ := s.ISMS(ctx, "o")
			edit("risks", m.Risks[0].ID, m.Risks[0].Title, "書き換え 1")
			after, _ := s.ISMS(ctx, "o")
			if after == before {
				t.Fatal("the edit is not seen")
			}
			// Carried over, not loaded again: the unchanged lists are shared.
			if &after.Assets[0] != &before.Assets[0] {
				t.Error("the model was loaded again instead of carried over the edit")
			}
			edit("risks", m.Risks[1].ID, m.Risks[1].Title, "書き換え 2")
			edit("assets", m.Assets[0].ID, m.Assets[0].Name, "資産の新しい名前")
			edit("people", m.People[0].ID, m.People[0].Name, "新しい名前")
			edit(bundle.KindOrganization, bundle.KindOrganization, m.Organization.Name, "新社名")
			edit(bundle.KindSoARows, "organization/5.1", `"implementation":"implemented"`, `"implementation":"partial"`)
			for i := range 3 {
				it, refs, err := bundle.DecodeItem("risks", "", fmt.Appendf(nil, `{"id":"new-%d","title":"新規 %d","treatment":"retain","owner":"%s"}`, i, i, m.People[0].ID), "iso27001:2022")
				if err != nil {
					t.Fatal(err)
				}
				if _, err := s.Put(ctx, "o", it, refs, 0, "bob"); err != nil {
					t.Fatal(err)
				}
				same("a new risk")
			}
			cur, _ := s.Get(ctx, "o", "risks", "new-1")
			if err := s.Delete(ctx, "o", "risks", "new-1", cur.Version, "bob"); err != nil {
				t.Fatal(err)
			}
			same("a deletion")
			cur, _ = s.Get(ctx, "o", "risks", m.Risks[2].ID)
			acc := true
			ap, _, err := bundle.SetApproval("risks", cur.Key, cur.Data, m.Risks[2].Owner, isms.MustDate("2026-11-01"), &acc)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := s.Approve(ctx, "o", ap, nil, cur.Version, m.Risks[2].Owner, "carol"); err != nil {
				t.Fatal(err)
			}
			same("an approval")
			// Changes made by the other instance are seen here too, carried
			// over from the history records.
			before, _ = s.ISMS(ctx, "o")
			for i, r := range m.Risks[3:6] {
				cur, _ = fresh.Get(ctx, "o", "risks", r.ID)
				it, refs, _ := bundle.DecodeItem("risks", cur.Key, []byte(strings.Replace(string(cur.Data), r.Title, fmt.Sprintf("他のインスタンス %d", i), 1)), "iso27001:2022")
				if _, err := fresh.Put(ctx, "o", it, refs, cur.Version, "dave"); err != nil {
					t.Fatal(err)
				}
			}
			same("changes by another instance")
			if after, _ := s.ISMS(ctx, "o"); &after.Assets[0] != &before.Assets[0] {
				t.Error("another instance's edits were loaded afresh instead of carried over")
			}
			// An import by the other instance that moves items without a
			// record of their own: loaded afresh, in the new order.
			m2, _ := fresh.ISMS(ctx, "o")
			reordered := *m2
			reordered.Risks = append([]*isms.Risk{}, m2.Risks...)
			reordered.Risks[0], reordered.Risks[1] = reordered.Risks[1], reordered.Risks[0]
			// A copy of the risk: m2's risks are the other instance's model.
			r2 := *reordered.Risks[2]
			r2.Title = "取り込みで変更"
			reordered.Risks[2] = &r2
			if _, err := fresh.Import(ctx, "o", &reordered, "erin"); err != nil {
				t.Fatal(err)
			}
			same("an import that reorders")
			if got, _ := s.ISMS(ctx, "o"); got.Risks[0].ID != m2.Risks[1].ID {
				t.Error("the import's new order is not seen")
			}
		})
	}
}

// BenchmarkEditThenRead is one edit of a risk of the large ISMS (50,000
// risks) followed by reading the ISMS: on the store that wrote, whose model
// is carried over the change, and on another instance, which loads the
// whole ISMS again (as every read after an edit did before). On
// PostgreSQL when CLOUDISMS_TEST_POSTGRES is set, else on SQLite.
func BenchmarkEditThenRead(b *testing.B) {
	dsn, dir := "", b.TempDir()
	if storetest.PostgresURL() != "" {
		dsn = storetest.FreshSchema(b)
	}
	s, err := store.Open(ctx, dsn, dir)
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	other, err := store.Open(ctx, dsn, dir)
	if err != nil {
		b.Fatal(err)
	}
	defer other.Close()
	m, err := generate.ISMS(generate.Large(isms.MustDate("2026-11-01")))
	if err != nil {
		b.Fatal(err)
	}
	if _, err := s.Import(ctx, "big", m, "bench"); err != nil {
		b.Fatal(err)
	}
	key := m.Risks[100].ID
	n := 0
	step := func(b *testing.B, reader *store.Store) {
		cur, err := s.Get(ctx, "big", "risks", key)
		if err != nil {
			b.Fatal(err)
		}
		n++
		it, refs, err := bundle.DecodeItem("risks", key, []byte(strings.Replace(string(cur.Data), `"title":"`, fmt.Sprintf(`"title":"%d `, n), 1)), "iso27001:2022")
		if err != nil {
			b.Fatal(err)
		}
		if _, err := s.Put(ctx, "big", it, refs, cur.Version, "bench"); err != nil {
			b.Fatal(err)
		}
		if _, err := reader.ISMS(ctx, "big"); err != nil {
			b.Fatal(err)
		}
	}
	if _, err := s.ISMS(ctx, "big"); err != nil {
		b.Fatal(err)
	}
	b.Run("carried-over", func(b *testing.B) {
		cpu := processCPU()
		for b.Loop() {
			step(b, s)
		}
		b.ReportMetric(float64(processCPU()-cpu)/float64(time.Millisecond)/float64(b.N), "cpu-ms/op")
	})
	b.Run("full-load", func(b *testing.B) {
		for b.Loop() {
			step(b, other)
		}
	})
	// What a dashboard view after the edit waits for besides the model:
	// the check and the summary as of the day, computed again per change.
	// cpu-ms/op is the process's CPU time per edit and view (on a shared
	// machine, wall time also counts waits for a core).
	asOf := isms.MustDate("2026-11-01")
	b.Run("then-check-and-summary", func(b *testing.B) {
		// The views as a running server has them (Warm computes them at
		// start): each edit then costs what carrying them over costs.
		if err := s.Warm(ctx, asOf); err != nil {
			b.Fatal(err)
		}
		cpu := processCPU()
		for b.Loop() {
			step(b, s)
			if _, _, err := s.Findings(ctx, "big", asOf); err != nil {
				b.Fatal(err)
			}
			if _, err := s.Summary(ctx, "big", asOf); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(processCPU()-cpu)/float64(time.Millisecond)/float64(b.N), "cpu-ms/op")
	})
	b.Run("then-tasks", func(b *testing.B) {
		// The task list every person's page and reminder reads, after an
		// edit: what reading it costs beyond the model.
		if _, _, err := s.Tasks(ctx, "big", asOf); err != nil {
			b.Fatal(err)
		}
		cpu := processCPU()
		for b.Loop() {
			step(b, s)
			if _, _, err := s.Tasks(ctx, "big", asOf); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(processCPU()-cpu)/float64(time.Millisecond)/float64(b.N), "cpu-ms/op")
	})
	// Everything the dashboard reads from the store after the edit: the
	// check, the summary, the approvals' marks, the trends' current point
	// and the tasks.
	b.Run("then-dashboard-data", func(b *testing.B) {
		if err := s.Warm(ctx, asOf); err != nil {
			b.Fatal(err)
		}
		if _, err := s.Trends(ctx, "big", asOf, 12); err != nil {
			b.Fatal(err)
		}
		cpu := processCPU()
		for b.Loop() {
			step(b, s)
			m, head, err := s.ISMSAt(ctx, "big")
			if err != nil {
				b.Fatal(err)
			}
			if _, err := s.FindingsFor(ctx, "big", head, m, asOf); err != nil {
				b.Fatal(err)
			}
			if _, err := s.SummaryFor(ctx, "big", head, m, asOf); err != nil {
				b.Fatal(err)
			}
			x, err := s.ApprovalsIndex(ctx, "big")
			if err != nil || len(x.All()) == 0 {
				b.Fatal(err)
			}
			if _, ready, err := s.TrendsReady(ctx, "big", asOf, 12); err != nil || !ready {
				b.Fatal(ready, err)
			}
			if _, _, err := s.Tasks(ctx, "big", asOf); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(processCPU()-cpu)/float64(time.Millisecond)/float64(b.N), "cpu-ms/op")
	})
}

// processCPU is the CPU time the process has used so far.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// TestDerivedOncePerHead: many concurrent callers at one head share one
// computation; a change computes anew; names are kept apart.
func TestDerivedOncePerHead(t *testing.T) {
	s, _ := storetest.Backends(t)[0].Open(t)
	m, _ := sample(t, "sample-saas.yaml")
	if _, err := s.Import(ctx, "o", m, "alice"); err != nil {
		t.Fatal(err)
	}
	var calls atomic.Int64
	count := func(m *isms.ISMS) any { calls.Add(1); time.Sleep(50 * time.Millisecond); return len(m.Risks) }
	var wg sync.WaitGroup
	for range 20 {
		wg.Go(func() {
			v, _, err := s.Derived(ctx, "o", "risks", count)
			if err != nil || v.(int) != len(m.Risks) {
				t.Errorf("Derived: %v %v", v, err)
			}
		})
	}
	wg.Wait()
	if n := calls.Load(); n != 1 {
		t.Errorf("20 concurrent callers computed %d times, want once", n)
	}
	s.Derived(ctx, "o", "other name", count)
	if n := calls.Load(); n != 2 {
		t.Errorf("another name: %d computations in all, want 2", n)
	}
	cur, _ := s.Get(ctx, "o", "risks", m.Risks[0].ID)
	if err := s.Delete(ctx, "o", "risks", "nope", 1, "x"); err == nil {
		t.Fatal("deleting a missing risk")
	}
	it, refs, _ := bundle.DecodeItem("risks", cur.Key, []byte(strings.Replace(string(cur.Data), m.Risks[0].Title, "変更", 1)), "iso27001:2022")
	if _, err := s.Put(ctx, "o", it, refs, cur.Version, "bob"); err != nil {
		t.Fatal(err)
	}
	s.Derived(ctx, "o", "risks", count)
	if n := calls.Load(); n != 3 {
		t.Errorf("after a change: %d computations in all, want 3", n)
	}
}
