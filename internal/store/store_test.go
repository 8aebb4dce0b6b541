package store_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"testing"

	"github.com/cloudisms/cloudisms/internal/bundle"
	"github.com/cloudisms/cloudisms/internal/conformity"
	"github.com/cloudisms/cloudisms/internal/isms"
	"github.com/cloudisms/cloudisms/internal/store"
	"github.com/cloudisms/cloudisms/internal/store/storetest"
)

func sample(t testing.TB, name string) (*isms.ISMS, []byte) {
	t.Helper()
	src, err := os.ReadFile("../../examples/" + name)
	if err != nil {
		t.Fatal(err)
	}
	m, err := bundle.Decode(name, src)
	if err != nil {
		t.Fatal(err)
	}
	canonical, _ := bundle.Encode(m)
	return m, canonical
}

// TestContract runs the store's contract on every backend.
func TestContract(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			for _, c := range contract {
				t.Run(c.name, func(t *testing.T) {
					s, _ := b.Open(t)
					c.run(t, s)
				})
			}
		})
	}
}

var ctx = context.Background()

var contract = []struct {
	name string
	run  func(t *testing.T, s *store.Store)
}{
	{"export of an import is fmt of the input", func(t *testing.T, s *store.Store) {
		for _, name := range []string{"sample-saas.yaml", "sample-2013.yaml"} {
			m, canonical := sample(t, name)
			if _, err := s.Import(ctx, "org-"+strings.TrimSuffix(name, ".yaml"), m, "tester"); err != nil {
				t.Fatal(err)
			}
			out, err := s.Export(ctx, "org-"+strings.TrimSuffix(name, ".yaml"))
			if err != nil {
				t.Fatal(err)
			}
			if string(out) != string(canonical) {
				t.Errorf("%s: export differs from fmt", name)
			}
		}
	}},
	{"check on the store equals check on the file", func(t *testing.T, s *store.Store) {
		m, _ := sample(t, "sample-saas.yaml")
		m.Backups = m.Backups[:0]
		s.Import(ctx, "o", m, "tester")
		got, err := s.ISMS(ctx, "o")
		if err != nil {
			t.Fatal(err)
		}
		asOf := isms.MustDate("2026-11-01")
		a, b := conformity.Check(m, asOf), conformity.Check(got, asOf)
		if len(a) == 0 || len(a) != len(b) {
			t.Fatalf("findings: %d on the file, %d on the store", len(a), len(b))
		}
		for i := range a {
			if a[i].Rule != b[i].Rule || a[i].Subject != b[i].Subject {
				t.Errorf("finding %d: %s %s vs %s %s", i, a[i].Rule, a[i].Subject, b[i].Rule, b[i].Subject)
			}
		}
	}},
	{"re-import changes only what changed", func(t *testing.T, s *store.Store) {
		m, _ := sample(t, "sample-saas.yaml")
		first, err := s.Import(ctx, "o", m, "alice")
		if err != nil {
			t.Fatal(err)
		}
		if first.Created == 0 || first.Updated+first.Deleted+first.Unchanged != 0 {
			t.Fatalf("first import: %+v", first)
		}
		again, _ := s.Import(ctx, "o", m, "alice")
		if again.Created+again.Updated+again.Deleted != 0 || again.Unchanged != first.Created {
			t.Errorf("same import again: %+v", again)
		}
		m.Risks[0].Title = "変更後のリスク"
		removed := m.Assets[len(m.Assets)-1].ID
		m.Assets = m.Assets[:len(m.Assets)-1]
		for i := range m.Risks {
			m.Risks[i].Assets = without(m.Risks[i].Assets, removed)
		}
		third, err := s.Import(ctx, "o", m, "bob")
		if err != nil {
			t.Fatal(err)
		}
		if third.Deleted != 1 || third.Created != 0 || third.Updated < 1 {
			t.Errorf("third import: %+v", third)
		}
		h, err := s.History(ctx, "o", store.HistoryFilter{Kind: "risks", Key: m.Risks[0].ID})
		if err != nil {
			t.Fatal(err)
		}
		last := h[len(h)-1]
		if len(h) != 2 || last.Action != "update" || last.Actor != "bob" || last.Before == nil || !strings.Contains(*last.After, "変更後のリスク") {
			t.Errorf("history of the risk: %+v", h)
		}
		if h, _ := s.History(ctx, "o", store.HistoryFilter{Kind: "assets", Key: removed}); len(h) != 2 || h[1].Action != "delete" || h[1].After != nil {
			t.Errorf("history of the removed asset: %+v", h)
		}
	}},
	{"a failing import changes nothing", func(t *testing.T, s *store.Store) {
		m, _ := sample(t, "sample-saas.yaml")
		s.Import(ctx, "o", m, "alice")
		before, _ := s.Export(ctx, "o")
		hBefore, _ := s.History(ctx, "o", store.HistoryFilter{})
		m2, _ := sample(t, "sample-2013.yaml")
		cctx, cancel := context.WithCancel(ctx)
		store.SetFailHook(s, func() error { cancel(); return errors.New("injected failure") })
		_, err := s.Import(cctx, "o", m2, "mallory")
		store.SetFailHook(s, nil)
		if err == nil {
			t.Fatal("import should have failed")
		}
		after, _ := s.Export(ctx, "o")
		hAfter, _ := s.History(ctx, "o", store.HistoryFilter{})
		if string(before) != string(after) || len(hBefore) != len(hAfter) {
			t.Error("a failed import left changes behind")
		}
	}},
	{"history verifies and catches tampering", func(t *testing.T, s *store.Store) {
		m, _ := sample(t, "sample-saas.yaml")
		s.Import(ctx, "a", m, "alice")
		m.Risks[0].Title = "x"
		s.Import(ctx, "a", m, "alice")
		s.Import(ctx, "b", m, "bob")
		broken, n, err := s.VerifyHistory(ctx)
		if err != nil || broken != nil || n == 0 {
			t.Fatalf("fresh history: %v %v %d", broken, err, n)
		}
		// Alter one record behind the store's back.
		if _, err := store.DBOf(s).Exec(`UPDATE history SET actor = 'someone-else' WHERE org_id = 'a' AND n = 5`); err != nil {
			t.Fatal(err)
		}
		broken, _, _ = s.VerifyHistory(ctx)
		if broken == nil || broken.Org != "a" || broken.N != 5 {
			t.Fatalf("tampering not caught at a/5: %v", broken)
		}
		// Deleting a record is caught too.
		store.DBOf(s).Exec(`UPDATE history SET actor = 'alice' WHERE org_id = 'a' AND n = 5`)
		if broken, _, _ = s.VerifyHistory(ctx); broken != nil {
			t.Fatalf("restored record still broken: %v", broken)
		}
		store.DBOf(s).Exec(`DELETE FROM history WHERE org_id = 'b' AND n = 3`)
		if broken, _, _ = s.VerifyHistory(ctx); broken == nil || broken.Org != "b" || broken.N != 3 {
			t.Fatalf("deletion not caught at b/3: %v", broken)
		}
	}},
	{"a loaded ISMS follows every write", func(t *testing.T, s *store.Store) {
		m, _ := sample(t, "sample-saas.yaml")
		s.Import(ctx, "o", m, "alice")
		first, err := s.ISMS(ctx, "o")
		if err != nil {
			t.Fatal(err)
		}
		if again, _ := s.ISMS(ctx, "o"); again != first {
			t.Error("an unchanged ISMS should be served from the cache")
		}
		it, _ := s.Get(ctx, "o", "risks", m.Risks[0].ID)
		changed, _, err := bundle.DecodeItem("risks", it.Key, []byte(strings.Replace(string(it.Data), m.Risks[0].Title, "書き換えたリスク", 1)), "iso27001:2022")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Put(ctx, "o", changed, nil, it.Version, "bob"); err != nil {
			t.Fatal(err)
		}
		after, err := s.ISMS(ctx, "o")
		if err != nil || after.Risks[0].Title != "書き換えたリスク" {
			t.Fatalf("the write is not seen: %v", err)
		}
		m.Risks = m.Risks[1:]
		s.Import(ctx, "o", m, "alice")
		if last, _ := s.ISMS(ctx, "o"); len(last.Risks) != len(m.Risks) {
			t.Error("the import is not seen")
		}
	}},
	{"organizations", func(t *testing.T, s *store.Store) {
		if err := s.CreateOrg(ctx, "acme", "アクメ"); err != nil {
			t.Fatal(err)
		}
		if err := s.CreateOrg(ctx, "acme", "again"); !errors.Is(err, store.ErrExists) {
			t.Errorf("duplicate organization: %v", err)
		}
		if _, err := s.Org(ctx, "nobody"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("missing organization: %v", err)
		}
		if _, err := s.ISMS(ctx, "nobody"); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("missing organization's ISMS: %v", err)
		}
		orgs, _ := s.Orgs(ctx)
		if len(orgs) != 1 || orgs[0].Name != "アクメ" {
			t.Errorf("orgs: %+v", orgs)
		}
		if err := s.Migrate(ctx); err != nil {
			t.Errorf("migrating again: %v", err)
		}
	}},
	{"concurrent imports into different organizations", func(t *testing.T, s *store.Store) {
		m, canonical := sample(t, "sample-saas.yaml")
		var wg sync.WaitGroup
		errs := make(chan error, 4)
		for i := range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, err := s.Import(ctx, string(rune('a'+i)), m, "worker")
				errs <- err
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Error(err)
			}
		}
		for i := range 4 {
			out, err := s.Export(ctx, string(rune('a'+i)))
			if err != nil || string(out) != string(canonical) {
				t.Errorf("org %c: %v", 'a'+i, err)
			}
		}
		if broken, _, err := s.VerifyHistory(ctx); broken != nil || err != nil {
			t.Errorf("history after concurrent imports: %v %v", broken, err)
		}
	}},
	{"a burst of edits of one organization while others read", func(t *testing.T, s *store.Store) {
		// Writers queue in the process (writeGate, orgTx), each taking a
		// connection only on its turn: more writers than the pool has
		// connections all succeed, in one history chain, and readers of
		// the organization and of another one are not stopped meanwhile.
		m, _ := sample(t, "sample-saas.yaml")
		for _, org := range []string{"o", "other"} {
			if _, err := s.Import(ctx, org, m, "setup"); err != nil {
				t.Fatal(err)
			}
		}
		_, head, err := s.ISMSAt(ctx, "o")
		if err != nil {
			t.Fatal(err)
		}
		const writers = 40
		var wg sync.WaitGroup
		errs := make(chan error, writers+2)
		stop := make(chan struct{})
		reads := make([]int, 2)
		for i, org := range []string{"o", "other"} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					select {
					case <-stop:
						return
					default:
					}
					if _, err := s.Get(ctx, org, "people", "p-ceo"); err != nil {
						errs <- fmt.Errorf("read of %s: %w", org, err)
						return
					}
					reads[i]++
				}
			}()
		}
		var ww sync.WaitGroup
		for i := range writers {
			ww.Add(1)
			go func() {
				defer ww.Done()
				it, refs := decodeItem(t, "risks", fmt.Sprintf(`{"id":"r-burst-%d","title":"burst %d","owner":"p-ops","treatment":"modify"}`, i, i))
				if _, err := s.Put(ctx, "o", it, refs, 0, "writer"); err != nil {
					errs <- fmt.Errorf("writer %d: %w", i, err)
				}
			}()
		}
		ww.Wait()
		close(stop)
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
		if _, after, err := s.ISMSAt(ctx, "o"); err != nil || after != head+writers {
			t.Errorf("head after %d writes: %d, want %d (%v)", writers, after, head+writers, err)
		}
		if reads[0] == 0 || reads[1] == 0 {
			t.Errorf("reads during the writes: %v, want some of each organization", reads)
		}
		if broken, _, err := s.VerifyHistory(ctx); broken != nil || err != nil {
			t.Errorf("history after the burst: %v %v", broken, err)
		}
	}},
}

func without(list []string, x string) []string {
	var out []string
	for _, s := range list {
		if s != x {
			out = append(out, s)
		}
	}
	return out
}
