package store_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/cloudisms/cloudisms/internal/bundle"
	"github.com/cloudisms/cloudisms/internal/store"
)

// TestPutChecksEveryReference: a write's references are checked in one
// query per batch of them; each reference still counts on its own. A
// missing one anywhere in a long list (past one batch, after duplicates)
// fails the write and names itself, the provider "self" needs no item, a
// risk source reference names the risk_sources list, and nothing is
// written by a failed write.
func TestPutChecksEveryReference(t *testing.T) {
	ctx := context.Background()
	eachSampleStore(t, func(t *testing.T, s *store.Store) {
		risk, _ := decodeItem(t, "risks", `{"id":"r-refs","title":"x","owner":"p-ops","treatment":"modify"}`)
		good := []bundle.Ref{{Path: "owner", List: "people", ID: "p-ops"}, {Path: "provider", List: "provider", ID: "self"}}
		// More references than one query checks, all to stored items,
		// with duplicates.
		for i := range 450 {
			good = append(good, bundle.Ref{Path: fmt.Sprintf("assets[%d]", i), List: "people", ID: []string{"p-ops", "p-isms", "p-ceo"}[i%3]})
		}
		cases := []struct {
			name    string
			refs    []bundle.Ref
			missing string // the path of the reference named, "" for none
		}{
			{"all stored", good, ""},
			{"one missing past the first batch", append(append([]bundle.Ref{}, good...), bundle.Ref{Path: "late", List: "people", ID: "p-nobody"}), "late"},
			{"the first missing is named", append([]bundle.Ref{{Path: "first", List: "assets", ID: "a-none"}}, append(good, bundle.Ref{Path: "second", List: "people", ID: "p-none"})...), "first"},
			{"a source names the risk sources", []bundle.Ref{{Path: "sources[0]", List: "source", ID: "no-such-source"}}, "sources[0]"},
			{"a provider names the suppliers", []bundle.Ref{{Path: "provider", List: "provider", ID: "no-such-supplier"}}, "provider"},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				before, _ := s.Export(ctx, "o")
				_, err := s.Put(ctx, "o", risk, c.refs, 0, "tester")
				var refErr *store.RefError
				switch {
				case c.missing == "" && err != nil:
					t.Fatalf("put: %v", err)
				case c.missing == "":
					if err := s.Delete(ctx, "o", "risks", "r-refs", 1, "tester"); err != nil {
						t.Fatal(err)
					}
				case !errors.As(err, &refErr):
					t.Fatalf("put: %v, want a RefError naming %s", err, c.missing)
				case refErr.Path != c.missing:
					t.Fatalf("RefError names %q, want %q", refErr.Path, c.missing)
				default:
					if after, _ := s.Export(ctx, "o"); string(after) != string(before) {
						t.Error("a failed write changed the stored ISMS")
					}
				}
			})
		}
	})
}
