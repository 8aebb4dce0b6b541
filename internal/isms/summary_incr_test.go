package isms_test

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"

	"github.com/cloudisms/cloudisms/internal/generate"
	"github.com/cloudisms/cloudisms/internal/isms"
)

// TestSummaryUpdateEqualsNewSummary makes random changes to a generated
// ISMS, lists in hand, and compares the carried-over summary and risk
// views with new ones after each.
func TestSummaryUpdateEqualsNewSummary(t *testing.T) {
	asOf := isms.MustDate("2026-11-01")
	bases := generatedBases(t, asOf)
	seed := uint64(rand.Uint32())
	t.Logf("seed %d", seed)
	rnd := rand.New(rand.NewPCG(seed, 11))
	m := bases[0]
	x := isms.NewSummarized(m, asOf)
	views := isms.NewViewedRisks(m)
	soas := isms.NewViewedSoAs(m)
	n := 1000
	if testing.Short() {
		n = 100
	}
	kinds := isms.ItemKinds()
	for step := range n {
		next := *m
		src := bases[rnd.IntN(len(bases))]
		var changes []isms.ItemChange
		if rnd.IntN(5) > 0 {
			risks := slices.Clone(m.Risks)
			i := rnd.IntN(len(risks))
			r := *src.Risks[rnd.IntN(len(src.Risks))] // a copy: src's risk is shared
			switch rnd.IntN(4) {
			case 0:
				if len(risks) > 1 {
					r.ID = risks[i].ID
					risks = slices.Delete(risks, i, i+1)
				}
			case 1:
				r.ID = fmt.Sprintf("new-%d", step)
				risks = append(risks, &r)
			default:
				r.ID = risks[i].ID
				risks[i] = &r
			}
			next.Risks = risks
			changes = []isms.ItemChange{{Kind: "risks", Key: r.ID}}
		} else {
			kind := kinds[rnd.IntN(len(kinds))]
			f := isms.KindField(kind)
			reflect.ValueOf(&next).Elem().FieldByName(f).Set(reflect.ValueOf(src).Elem().FieldByName(f))
			next.Organization.AnnexA = m.Organization.AnnexA
			// A kind named changes in the items named: the whole register is
			// left unnamed, for Update to see it is not the same.
			if kind != "risks" && rnd.IntN(3) > 0 {
				changes = []isms.ItemChange{{Kind: kind, Key: "x"}}
			}
		}
		x = x.Update(&next, changes)
		views = views.Update(&next, changes)
		soas = soas.Update(&next, changes)
		m = &next
		if want := isms.NewSummary(m, asOf); !reflect.DeepEqual(x.Summary(), want) {
			t.Fatalf("seed %d step %d (%v): the carried-over summary differs from a new one", seed, step, changes)
		}
		// The risk views too, each pointing into the new register.
		if got, want := viewValues(views.Views()), isms.RiskViews(m); !reflect.DeepEqual(got, want) {
			t.Fatalf("seed %d step %d (%v): the carried-over risk views differ from new ones", seed, step, changes)
		}
		if got, want := soas.Views(), isms.SoAViews(m); !reflect.DeepEqual(got, want) {
			t.Fatalf("seed %d step %d (%v): the kept SoA views differ from new ones", seed, step, changes)
		}
		for i, v := range views.Views() {
			if v.Risk != m.Risks[i] {
				t.Fatalf("seed %d step %d: view %d points outside the new register", seed, step, i)
			}
		}
	}
}

// generatedBases are three generated ISMSs of different shapes and dates,
// the sources the random edits of the carried-over views take from.
func generatedBases(t *testing.T, asOf isms.Date) []*isms.ISMS {
	t.Helper()
	var bases []*isms.ISMS
	for seed := range uint64(3) {
		m, err := generate.ISMS(generate.Options{Services: 3 + int(seed), Assets: 30, Risks: 60, Seed: seed + 1, AsOf: asOf.AddDays(-100 * int(seed))})
		if err != nil {
			t.Fatal(err)
		}
		bases = append(bases, m)
	}
	return bases
}

// viewValues are the views a list of them points at, to compare with
// RiskViews.
func viewValues(vs []*isms.RiskView) []isms.RiskView {
	out := make([]isms.RiskView, len(vs))
	for i, v := range vs {
		out[i] = *v
	}
	return out
}
