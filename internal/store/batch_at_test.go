package store_test

import (
	"context"
	"errors"
	"testing"

	"github.com/cloudisms/cloudisms/internal/bundle"
	"github.com/cloudisms/cloudisms/internal/store"
	"github.com/cloudisms/cloudisms/internal/store/storetest"
)

func TestPutAllAt(t *testing.T) {
	ctx := context.Background()
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			s, _ := b.Open(t)
			m, _ := sample(t, "sample-saas.yaml")
			if _, err := s.Import(ctx, "acme", m, "setup"); err != nil {
				t.Fatal(err)
			}
			_, head, err := s.ISMSAt(ctx, "acme")
			if err != nil {
				t.Fatal(err)
			}
			row := func(control, just string) store.ItemWrite {
				it, refs, err := bundle.DecodeItem(bundle.KindSoARows, "organization/"+control,
					[]byte(`{"control":"`+control+`","applicable":false,"justification":"`+just+`"}`), "iso27001:2022")
				if err != nil {
					t.Fatal(err)
				}
				return store.ItemWrite{Item: it, Refs: refs}
			}
			// A batch whose last item refers to a missing SoA fails whole.
			bad := row("5.2", "x")
			bad.Item.Key = "svc-none:provider/5.2"
			bad.Refs = append(bad.Refs, bundle.Ref{List: bundle.KindSoA, ID: "svc-none:provider", Path: "soa"})
			err = s.PutAllAt(ctx, "acme", head, []store.ItemWrite{row("5.1", "変更"), bad}, "alice")
			if err == nil {
				t.Fatal("a batch with a broken reference was written")
			}
			if got, _ := s.Get(ctx, "acme", bundle.KindSoARows, "organization/5.1"); string(got.Data) == string(row("5.1", "変更").Item.Data) {
				t.Fatal("the first item of a failed batch was kept")
			}
			if _, h2, _ := s.ISMSAt(ctx, "acme"); h2 != head {
				t.Fatalf("history moved from %d to %d on a failed batch", head, h2)
			}
			// A good batch writes every item, each recorded as made by the actor.
			if err := s.PutAllAt(ctx, "acme", head, []store.ItemWrite{row("5.1", "変更"), row("5.2", "変更")}, "alice"); err != nil {
				t.Fatal(err)
			}
			hist, err := s.History(ctx, "acme", store.HistoryFilter{After: head})
			if err != nil || len(hist) != 2 || hist[0].Actor != "alice" || hist[1].Key != "organization/5.2" {
				t.Fatalf("history %+v %v", hist, err)
			}
			// A batch computed from an older head is refused: nothing written.
			err = s.PutAllAt(ctx, "acme", head, []store.ItemWrite{row("5.3", "古い")}, "bob")
			if !errors.Is(err, store.ErrConflict) {
				t.Fatalf("stale batch: %v", err)
			}
			if got, _ := s.Get(ctx, "acme", bundle.KindSoARows, "organization/5.3"); string(got.Data) == string(row("5.3", "古い").Item.Data) {
				t.Fatal("a stale batch was written")
			}
			if err := s.PutAllAt(ctx, "nobody", 0, nil, "bob"); !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("unknown org: %v", err)
			}
		})
	}
}
