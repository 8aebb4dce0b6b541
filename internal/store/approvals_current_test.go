package store_test

import (
	"errors"
	"maps"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/cloudisms/cloudisms/internal/bundle"
	"github.com/cloudisms/cloudisms/internal/store"
	"github.com/cloudisms/cloudisms/internal/store/storetest"
)

// TestApprovalMarksFollowEdits: the stale marks of approvals are kept from
// one request to the next and carried over edits (only what changed is
// fingerprinted again). After each edit, made here or by another
// instance, they must equal what a store with nothing kept computes, and
// mark exactly the approvals whose item (or, for an SoA, one of its rows)
// changed.
func TestApprovalMarksFollowEdits(t *testing.T) {
	for _, be := range storetest.Backends(t) {
		t.Run(be.Name, func(t *testing.T) {
			s, where := be.Open(t)
			other := second(t, be.Name, where)
			m, _ := sample(t, "sample-saas.yaml")
			if _, err := s.Import(ctx, "o", m, "alice"); err != nil {
				t.Fatal(err)
			}
			marks := func(s *store.Store) map[string]bool {
				t.Helper()
				as, err := s.Approvals(ctx, "o")
				if err != nil {
					t.Fatal(err)
				}
				out := map[string]bool{}
				for _, a := range as {
					out[a.Kind+"/"+a.Key] = a.Stale
				}
				return out
			}
			check := func(step string, stale ...string) {
				t.Helper()
				got := marks(s)
				if want := marks(second(t, be.Name, where)); !maps.Equal(got, want) {
					t.Fatalf("after %s: kept marks differ from a fresh computation:\n got %v\nwant %v", step, got, want)
				}
				var gotStale []string
				for k, v := range got {
					if v {
						gotStale = append(gotStale, k)
					}
				}
				slices.Sort(gotStale)
				slices.Sort(stale)
				if !slices.Equal(gotStale, stale) {
					t.Fatalf("after %s: stale %v, want %v", step, gotStale, stale)
				}
				// An item read with its approval (the API's GET) says what
				// Get and ApprovalOf say, approved or not, stale or not.
				for _, k := range [][2]string{{"documents", "doc-pol-002"}, {"documents", "doc-risk-proc"}, {"assets", m.Assets[0].ID}, {bundle.KindSoA, "organization"}, {"risks", "r-01"}} {
					it, ap, err := s.GetWithApproval(ctx, "o", k[0], k[1])
					want, werr := s.Get(ctx, "o", k[0], k[1])
					if errors.Is(werr, store.ErrNotFound) {
						if !errors.Is(err, store.ErrNotFound) {
							t.Errorf("after %s: %s/%s is gone, GetWithApproval says %v", step, k[0], k[1], err)
						}
						continue
					}
					if err != nil || werr != nil || !reflect.DeepEqual(it, want) {
						t.Fatalf("after %s: %s/%s: %+v %v, Get %+v %v", step, k[0], k[1], it, err, want, werr)
					}
					wantAp, aerr := s.ApprovalOf(ctx, "o", k[0], k[1])
					switch {
					case errors.Is(aerr, store.ErrNotFound):
						if ap != nil {
							t.Errorf("after %s: %s/%s has no approval, GetWithApproval gave %+v", step, k[0], k[1], *ap)
						}
					case aerr != nil:
						t.Fatal(aerr)
					case ap == nil || *ap != wantAp:
						t.Errorf("after %s: %s/%s approval %+v, ApprovalOf %+v", step, k[0], k[1], ap, wantAp)
					}
				}
			}
			edit := func(by *store.Store, kind, key, from, to string) {
				t.Helper()
				cur, err := by.Get(ctx, "o", kind, key)
				if err != nil {
					t.Fatal(err)
				}
				data := strings.Replace(string(cur.Data), from, to, 1)
				if data == string(cur.Data) {
					t.Fatalf("%s/%s has no %q", kind, key, from)
				}
				it, refs, err := bundle.DecodeItem(kind, key, []byte(data), "iso27001:2022")
				if err != nil {
					t.Fatal(err)
				}
				if _, err := by.Put(ctx, "o", it, refs, cur.Version, "bob"); err != nil {
					t.Fatal(err)
				}
			}
			if len(marks(s)) < 10 {
				t.Fatalf("the sample's approvals were not recorded: %v", marks(s))
			}
			check("import")
			check("a second read") // from what was kept
			edit(s, "assets", m.Assets[0].ID, m.Assets[0].Name, "承認のない資産の書き換え")
			check("an edit of an item without approval")
			edit(s, "documents", "doc-pol-002", `"title":"`, `"title":"改 `)
			check("an edit of an approved document", "documents/doc-pol-002")
			edit(s, bundle.KindSoARows, "organization/5.1", `"implementation":"implemented"`, `"implementation":"partial"`)
			check("an edit of one SoA row", "documents/doc-pol-002", "soa/organization")
			edit(other, "documents", "doc-risk-proc", `"title":"`, `"title":"改 `)
			check("an edit by another instance", "documents/doc-pol-002", "documents/doc-risk-proc", "soa/organization")
			// Approving again clears the mark of that item alone, even when
			// the item's data stays the same (no history record is written)
			// and another instance approves.
			cur, _ := other.Get(ctx, "o", "documents", "doc-pol-002")
			ap, refs, err := bundle.DecodeItem("documents", cur.Key, cur.Data, "iso27001:2022")
			if err != nil {
				t.Fatal(err)
			}
			if _, err := other.Approve(ctx, "o", ap, refs, cur.Version, "p-ceo", "carol"); err != nil {
				t.Fatal(err)
			}
			check("an approval", "documents/doc-risk-proc", "soa/organization")
			if a, err := s.ApprovalOf(ctx, "o", bundle.KindSoA, "organization"); err != nil || !a.Stale {
				t.Errorf("ApprovalOf the SoA: %+v %v", a, err)
			}
			cur, _ = s.Get(ctx, "o", "documents", "doc-risk-proc")
			if err := s.Delete(ctx, "o", "documents", "doc-risk-proc", cur.Version, "bob"); err != nil {
				t.Fatal(err)
			}
			check("a deletion", "documents/doc-risk-proc", "soa/organization")
		})
	}
}
