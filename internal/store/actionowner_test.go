package store_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/cloudisms/cloudisms/internal/bundle"
	"github.com/cloudisms/cloudisms/internal/store"
	"github.com/cloudisms/cloudisms/internal/store/storetest"
)

// TestReassignActions runs the contract of ReassignActions on every
// backend: corrective actions of internal audits, external audits and
// nonconformities change owner together, one history record per item, and
// a stale preview, an unknown person or a missing action writes nothing.
func TestReassignActions(t *testing.T) {
	picks := func(s *store.Store) []store.ActionPick {
		v := func(kind, key string) int64 {
			it, err := s.Get(ctx, "o", kind, key)
			if err != nil {
				t.Fatal(err)
			}
			return it.Version
		}
		return []store.ActionPick{
			{Kind: "audits", Key: "aud-2026-01", FindingID: "f-01", IfVersion: v("audits", "aud-2026-01")},
			{Kind: "external_audits", Key: "ea-2025-sv1", FindingID: "f-sv1-1", IfVersion: v("external_audits", "ea-2025-sv1")},
			{Kind: "nonconformities", Key: "nc-2026-01", IfVersion: v("nonconformities", "nc-2026-01")},
		}
	}
	cases := []struct {
		name   string
		change func(p []store.ActionPick) []store.ActionPick
		owner  string
		want   error // nil: stored
		ref    bool  // a *store.RefError
	}{
		{"all three sources", nil, "p-dev-lead", nil, false},
		{"stale preview of one item", func(p []store.ActionPick) []store.ActionPick { p[1].IfVersion++; return p }, "p-dev-lead", store.ErrConflict, false},
		{"a finding without a corrective action", func(p []store.ActionPick) []store.ActionPick {
			return append(p, store.ActionPick{Kind: "audits", Key: "aud-2026-01", FindingID: "f-02", IfVersion: p[0].IfVersion})
		}, "p-dev-lead", bundle.ErrNoAction, false},
		{"one item previewed at two versions", func(p []store.ActionPick) []store.ActionPick {
			return append(p, store.ActionPick{Kind: "audits", Key: "aud-2026-01", FindingID: "f-01", IfVersion: p[0].IfVersion + 1})
		}, "p-dev-lead", store.ErrConflict, false},
		{"no such person", nil, "p-nobody", nil, true},
		{"no such item", func(p []store.ActionPick) []store.ActionPick {
			return append(p, store.ActionPick{Kind: "nonconformities", Key: "nc-none", IfVersion: 1})
		}, "p-dev-lead", store.ErrNotFound, false},
	}
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			for _, c := range cases {
				t.Run(c.name, func(t *testing.T) {
					s, _ := b.Open(t)
					m, _ := sample(t, "sample-saas.yaml")
					if _, err := s.Import(ctx, "o", m, "setup"); err != nil {
						t.Fatal(err)
					}
					before, _ := s.Export(ctx, "o")
					p := picks(s)
					if c.change != nil {
						p = c.change(p)
					}
					n, err := s.ReassignActions(ctx, "o", p, c.owner, "tester")
					after, _ := s.Export(ctx, "o")
					var refErr *store.RefError
					switch {
					case c.ref:
						if !errors.As(err, &refErr) {
							t.Fatalf("got %v, want a RefError", err)
						}
					case c.want != nil:
						if !errors.Is(err, c.want) {
							t.Fatalf("got %v, want %v", err, c.want)
						}
					default:
						if err != nil || n != 3 {
							t.Fatalf("reassigned %d: %v, want 3", n, err)
						}
						for _, k := range [][2]string{{"audits", "aud-2026-01"}, {"external_audits", "ea-2025-sv1"}, {"nonconformities", "nc-2026-01"}} {
							it, _ := s.Get(ctx, "o", k[0], k[1])
							if !strings.Contains(string(it.Data), `"owner":"p-dev-lead"`) {
								t.Errorf("%s: owner not changed: %s", k, it.Data)
							}
							hist, err := s.History(ctx, "o", store.HistoryFilter{Kind: k[0], Key: k[1]})
							if err != nil || len(hist) != 2 {
								t.Errorf("%s: %d history records (%v), want the import and one change", k, len(hist), err)
							}
						}
						// The same again changes nothing and writes no history.
						if n, err := s.ReassignActions(ctx, "o", picks(s), c.owner, "tester"); n != 0 || err != nil {
							t.Errorf("again: %d, %v; want 0, nil", n, err)
						}
						return
					}
					if string(before) != string(after) {
						t.Error("a failed reassignment changed the stored ISMS")
					}
				})
			}
		})
	}
}
