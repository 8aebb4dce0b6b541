package store_test

import (
	"errors"
	"os"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/cloudisms/cloudisms/internal/bundle"
	"github.com/cloudisms/cloudisms/internal/store"
	"github.com/cloudisms/cloudisms/internal/store/storetest"
)

// The version 2 registers persist on every backend like the other items:
// import and export give back the same bundle, an edit is versioned with
// its history, and a register item others refer to is not deleted.
func TestRegistersPersist(t *testing.T) {
	src, err := os.ReadFile("../bundle/testdata/registers.yaml")
	if err != nil {
		t.Fatal(err)
	}
	// Evidence files are the evidence tests' business: leave them out here.
	src = regexp.MustCompile(`(?m)^ *evidence: .*\n`).ReplaceAll(src, nil)
	src = regexp.MustCompile(`, evidence: \[[^\]]*\]`).ReplaceAll(src, nil)
	m, err := bundle.Decode("registers.yaml", src)
	if err != nil {
		t.Fatal(err)
	}
	canonical, _ := bundle.Encode(m)
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			s, _ := b.Open(t)
			if _, err := s.Import(ctx, "o", m, "alice"); err != nil {
				t.Fatal(err)
			}
			out, err := s.Export(ctx, "o")
			if err != nil {
				t.Fatal(err)
			}
			if string(out) != string(canonical) {
				t.Fatalf("export differs from fmt:\n%s", out)
			}
			got, err := s.ISMS(ctx, "o")
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got.Trainings, m.Trainings) || !reflect.DeepEqual(got.ExternalAudits, m.ExternalAudits) {
				t.Errorf("registers read back differently")
			}

			// Edit a training: a new version and a history record.
			it, err := s.Get(ctx, "o", bundle.KindTrainings, "tr-1")
			if err != nil {
				t.Fatal(err)
			}
			data := strings.Replace(string(it.Data), `"attendees":["p1"]`, `"attendees":["p1","p2"]`, 1)
			item, refs, err := bundle.DecodeItem(bundle.KindTrainings, "tr-1", []byte(data), "iso27001:2022")
			if err != nil {
				t.Fatal(err)
			}
			saved, err := s.Put(ctx, "o", item, refs, it.Version, "bob")
			if err != nil {
				t.Fatal(err)
			}
			if saved.Version != it.Version+1 {
				t.Errorf("version %d after %d", saved.Version, it.Version)
			}
			h, err := s.History(ctx, "o", store.HistoryFilter{Kind: bundle.KindTrainings, Key: "tr-1"})
			if err != nil {
				t.Fatal(err)
			}
			if len(h) != 2 || h[1].Action != "update" || h[1].Actor != "bob" || !strings.Contains(*h[1].After, `"p2"`) {
				t.Errorf("history of the training: %+v", h)
			}

			// A reference to a person who does not exist is refused.
			bad, badRefs, err := bundle.DecodeItem(bundle.KindTrainings, "tr-2",
				[]byte(`{"id":"tr-2","title":"x","kind":"awareness","date":"2026-06-01","attendees":["p9"]}`), "iso27001:2022")
			if err != nil {
				t.Fatal(err)
			}
			if _, err := s.Put(ctx, "o", bad, badRefs, 0, "bob"); err == nil {
				t.Errorf("a training of an unknown person was stored")
			}

			// The nonconformity the incident names is not deleted.
			nc, _ := s.Get(ctx, "o", bundle.KindNonconformities, "nc-1")
			var re *store.RefError
			if err := s.Delete(ctx, "o", bundle.KindNonconformities, "nc-1", nc.Version, "bob"); !errors.As(err, &re) ||
				strings.Join(re.ReferencedBy, " ") != "incidents/inc-1" {
				t.Errorf("delete of a referenced nonconformity: %v", err)
			}
			// The incident itself is.
			inc, _ := s.Get(ctx, "o", bundle.KindIncidents, "inc-1")
			if err := s.Delete(ctx, "o", bundle.KindIncidents, "inc-1", inc.Version, "bob"); err != nil {
				t.Fatal(err)
			}
			if got, _ := s.ISMS(ctx, "o"); len(got.Incidents) != 0 || len(got.Nonconformities) != 1 {
				t.Errorf("after deleting the incident: %d incidents, %d nonconformities", len(got.Incidents), len(got.Nonconformities))
			}
		})
	}
}
