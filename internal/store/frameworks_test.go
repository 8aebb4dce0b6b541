package store_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/cloudisms/cloudisms/internal/store"
	"github.com/cloudisms/cloudisms/internal/store/storetest"
)

func TestFrameworks(t *testing.T) {
	ctx := context.Background()
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			s, _ := b.Open(t)
			m, _ := sample(t, "sample-saas.yaml")
			if _, err := s.Import(ctx, "acme", m, "setup"); err != nil {
				t.Fatal(err)
			}
			f := store.Framework{ID: "nist-basic", Title: "Basic", Version: "1.0", OSCALVersion: "1.1.3", SourceUUID: "u",
				Controls: []store.FrameworkControl{{ID: "s1.1.1", Label: "s1.1.1", Title: "Physical security", Group: "Organization"}}}
			if err := s.PutFramework(ctx, "acme", f, "alice"); err != nil {
				t.Fatal(err)
			}
			f.Title = "Basic v2"
			f.Controls = append(f.Controls, store.FrameworkControl{ID: "s1.1.2", Title: "Other", Parent: "s1.1.1"})
			if err := s.PutFramework(ctx, "acme", f, "bob"); err != nil {
				t.Fatal(err)
			}
			list, err := s.Frameworks(ctx, "acme")
			if err != nil || len(list) != 1 || list[0].Title != "Basic v2" || list[0].ImportedBy != "bob" {
				t.Fatalf("list %+v %v", list, err)
			}
			got, err := s.Framework(ctx, "acme", "nist-basic")
			if err != nil || len(got.Controls) != 2 || got.Controls[1].Parent != "s1.1.1" {
				t.Fatalf("get %+v %v", got, err)
			}
			if _, err := s.Framework(ctx, "acme", "none"); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("missing: %v", err)
			}
			if err := s.PutFramework(ctx, "nobody", f, "x"); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("unknown org: %v", err)
			}
			hist, _ := s.History(ctx, "acme", store.HistoryFilter{Kind: "frameworks"})
			if len(hist) != 2 || hist[0].Action != "create" || hist[1].Action != "update" || hist[1].Actor != "bob" {
				t.Fatalf("history %+v", hist)
			}
			if broken, _, err := s.VerifyHistory(ctx); err != nil || broken != nil {
				t.Fatalf("history chain: %v %v", broken, err)
			}
		})
	}
}

func TestDisclosures(t *testing.T) {
	ctx := context.Background()
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			s, _ := b.Open(t)
			m, _ := sample(t, "sample-saas.yaml")
			if _, err := s.Import(ctx, "acme", m, "setup"); err != nil {
				t.Fatal(err)
			}
			if d, err := s.Disclosures(ctx, "acme"); err != nil || len(d) != 0 {
				t.Fatalf("disclosed by default: %v %v", d, err)
			}
			for _, on := range []bool{true, true, false, false, true} {
				if err := s.SetDisclosure(ctx, "acme", "svc-kintai", on, "admin@example.com"); err != nil {
					t.Fatal(err)
				}
			}
			d, _ := s.Disclosures(ctx, "acme")
			if d["svc-kintai"].EnabledBy != "admin@example.com" || len(d) != 1 {
				t.Errorf("disclosures %+v", d)
			}
			hist, _ := s.History(ctx, "acme", store.HistoryFilter{Kind: "disclosures"})
			if len(hist) != 3 {
				t.Errorf("%d history records for on, off, on", len(hist))
			}
			if err := s.SetDisclosure(ctx, "nobody", "x", true, "a"); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("unknown org: %v", err)
			}
		})
	}
}

func TestControlTexts(t *testing.T) {
	ctx := context.Background()
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			s, _ := b.Open(t)
			m, _ := sample(t, "sample-saas.yaml")
			if _, err := s.Import(ctx, "acme", m, "setup"); err != nil {
				t.Fatal(err)
			}
			n, err := s.SetControlTexts(ctx, "acme", map[string]string{"5.1": "方針の本文", "5.2": "役割の本文", "5.3": ""}, "alice")
			if err != nil || n != 2 {
				t.Fatalf("%d %v", n, err)
			}
			n, err = s.SetControlTexts(ctx, "acme", map[string]string{"5.1": "方針の本文", "5.2": "", "5.3": "職務の分離"}, "bob")
			if err != nil || n != 2 {
				t.Fatalf("second: %d %v", n, err)
			}
			got, _ := s.ControlTexts(ctx, "acme")
			if len(got) != 2 || got["5.1"] != "方針の本文" || got["5.3"] != "職務の分離" {
				t.Errorf("%v", got)
			}
			hist, _ := s.History(ctx, "acme", store.HistoryFilter{Kind: "control_texts"})
			if len(hist) != 4 || hist[3].Actor != "bob" {
				t.Errorf("history %+v", hist)
			}
			if _, err := s.SetControlTexts(ctx, "nobody", map[string]string{"5.1": "x"}, "a"); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("unknown org: %v", err)
			}
		})
	}
}

func TestFrameworkRows(t *testing.T) {
	ctx := context.Background()
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			s, _ := b.Open(t)
			m, _ := sample(t, "sample-saas.yaml")
			if _, err := s.Import(ctx, "acme", m, "setup"); err != nil {
				t.Fatal(err)
			}
			f := store.Framework{ID: "nist", Title: "N", Version: "1", OSCALVersion: "1.1.3", SourceUUID: "u",
				Controls: []store.FrameworkControl{{ID: "ac-1", Title: "Policy"}, {ID: "ac-2", Title: "Accounts"}}}
			if err := s.PutFramework(ctx, "acme", f, "alice"); err != nil {
				t.Fatal(err)
			}
			row := store.FrameworkRow{Control: "ac-1", Applicable: "true", Reasons: []string{"risk"}, Implementation: "implemented"}
			got, err := s.PutFrameworkRow(ctx, "acme", "nist", row, 0, "alice")
			if err != nil || got.Version != 1 {
				t.Fatalf("create: %+v %v", got, err)
			}
			if _, err := s.PutFrameworkRow(ctx, "acme", "nist", row, 0, "bob"); !errors.Is(err, store.ErrConflict) {
				t.Errorf("second create: %v", err)
			}
			row.Implementation = "partial"
			if got, err := s.PutFrameworkRow(ctx, "acme", "nist", row, 1, "bob"); err != nil || got.Version != 2 {
				t.Fatalf("update: %+v %v", got, err)
			}
			if _, err := s.PutFrameworkRow(ctx, "acme", "nist", row, 1, "carol"); !errors.Is(err, store.ErrConflict) {
				t.Errorf("stale update: %v", err)
			}
			row.Control = "zz-9"
			if _, err := s.PutFrameworkRow(ctx, "acme", "nist", row, 0, "bob"); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("unknown control: %v", err)
			}
			rows, err := s.FrameworkRows(ctx, "acme", "nist")
			if err != nil || len(rows) != 1 || rows["ac-1"].Implementation != "partial" || rows["ac-1"].UpdatedBy != "bob" || rows["ac-1"].Reasons[0] != "risk" {
				t.Fatalf("rows %+v %v", rows, err)
			}
			hist, _ := s.History(ctx, "acme", store.HistoryFilter{Kind: "framework_rows"})
			if len(hist) != 2 || hist[1].Action != "update" {
				t.Errorf("history %+v", hist)
			}
		})
	}
}

// The organization's parameter values are kept per control; values of
// parameters the control lacks, and rows of withdrawn controls or
// headings, are refused and change nothing.
func TestFrameworkRowParams(t *testing.T) {
	ctx := context.Background()
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			s, _ := b.Open(t)
			m, _ := sample(t, "sample-saas.yaml")
			if _, err := s.Import(ctx, "acme", m, "setup"); err != nil {
				t.Fatal(err)
			}
			f := store.Framework{ID: "nist", Title: "N", Version: "1", OSCALVersion: "1.1.3", SourceUUID: "u",
				Controls: []store.FrameworkControl{
					{ID: "ac-1", Title: "Policy", Label: "AC-1", Statement: []store.FrameworkPart{{Label: "a.", Prose: "Review every {{ insert: param, ac-1_p1 }}.", Depth: 1}},
						Params: []store.FrameworkParam{{ID: "ac-1_p1", Label: "period"}, {ID: "ac-1_p2", Choice: []string{"x", "y"}}}},
					{ID: "ac-2", Title: "Old", Withdrawn: true, WithdrawnTo: []string{"ac-1"}},
					{ID: "gv", Title: "Govern", Heading: true},
				}}
			if err := s.PutFramework(ctx, "acme", f, "alice"); err != nil {
				t.Fatal(err)
			}
			back, err := s.Framework(ctx, "acme", "nist")
			if err != nil || len(back.Controls[0].Params) != 2 || back.Controls[0].Statement[0].Label != "a." || !back.Controls[1].Withdrawn || !back.Controls[2].Heading {
				t.Fatalf("framework read back: %+v %v", back, err)
			}
			row := store.FrameworkRow{Control: "ac-1", Applicable: "true", Params: map[string]string{"ac-1_p1": "six months", "ac-1_p2": ""}}
			if _, err := s.PutFrameworkRow(ctx, "acme", "nist", row, 0, "alice"); err != nil {
				t.Fatal(err)
			}
			rows, _ := s.FrameworkRows(ctx, "acme", "nist")
			if got := rows["ac-1"].Params; len(got) != 1 || got["ac-1_p1"] != "six months" {
				t.Fatalf("params %+v", got)
			}
			bad := []store.FrameworkRow{
				{Control: "ac-1", Applicable: "true", Params: map[string]string{"zz": "v"}},
				{Control: "ac-1", Applicable: "true", Params: map[string]string{"ac-1_p1": strings.Repeat("x", store.MaxParamValue+1)}},
				{Control: "ac-2", Applicable: "true"},
				{Control: "gv", Applicable: "true"},
			}
			for _, r := range bad {
				v := int64(1)
				if r.Control != "ac-1" {
					v = 0
				}
				if _, err := s.PutFrameworkRow(ctx, "acme", "nist", r, v, "bob"); err == nil {
					t.Errorf("%+v accepted", r)
				}
			}
			rows, _ = s.FrameworkRows(ctx, "acme", "nist")
			if len(rows) != 1 || rows["ac-1"].Params["ac-1_p1"] != "six months" || rows["ac-1"].Version != 1 {
				t.Errorf("a refused row changed the rows: %+v", rows)
			}
		})
	}
}
