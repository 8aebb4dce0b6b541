package isms

import (
	"fmt"
	"reflect"
	"testing"
)

// fillEvidence gives every evidence list reachable from v one file of its
// own (one element in every list on the way, every optional part made),
// so that a test can tell whether a walk of the ISMS finds them all.
func fillEvidence(v reflect.Value, n *int, sums map[string]bool) {
	evidenceType := reflect.TypeFor[[]Evidence]()
	switch v.Kind() {
	case reflect.Pointer:
		if v.Type().Elem().Kind() == reflect.Struct {
			v.Set(reflect.New(v.Type().Elem()))
			fillEvidence(v.Elem(), n, sums)
		}
	case reflect.Struct:
		for i := range v.NumField() {
			if f := v.Field(i); f.CanSet() {
				fillEvidence(f, n, sums)
			}
		}
	case reflect.Slice:
		if v.Type() == evidenceType {
			*n++
			sum := fmt.Sprintf("%064x", *n)
			sums[sum] = true
			v.Set(reflect.ValueOf([]Evidence{{Name: "f", SHA256: sum}}))
			return
		}
		if k := v.Type().Elem().Kind(); k == reflect.Struct || k == reflect.Pointer {
			v.Set(reflect.MakeSlice(v.Type(), 1, 1))
			fillEvidence(v.Index(0), n, sums)
		}
	}
}

// Every evidence list of the model is in the evidence list: a model with a
// file in each finds each exactly once.
func TestEvidencePlacesFindsEveryList(t *testing.T) {
	var m ISMS
	n, sums := 0, map[string]bool{}
	fillEvidence(reflect.ValueOf(&m).Elem(), &n, sums)
	if n < 15 {
		t.Fatalf("the fill found only %d evidence lists", n)
	}
	seen := map[string]int{}
	for _, p := range EvidencePlaces(&m, 0) {
		seen[p.SHA256]++
		if p.Kind == "" || p.Interval <= 0 || p.Basis == "" {
			t.Errorf("incomplete place %+v", p)
		}
	}
	for sum := range sums {
		if seen[sum] != 1 {
			t.Errorf("evidence list #%s found %d times, want once (a new evidence field the list does not know?)", sum[56:], seen[sum])
		}
	}
}

func TestEvidenceIntervals(t *testing.T) {
	days := func(n int) *int { return &n }
	m := &ISMS{
		Documents:     []Document{{ID: "d1", ReviewIntervalDays: days(180), Evidence: []Evidence{{SHA256: "a"}}}},
		Risks:         []*Risk{{ID: "r1", Evidence: []Evidence{{SHA256: "b"}}}},
		Criteria:      RiskCriteria{ReassessmentIntervalDays: days(90)},
		Backups:       []Backup{{Service: "s", Tests: []RestoreTest{{Date: MustDate("2026-01-01"), Evidence: []Evidence{{SHA256: "c"}}}}}},
		SoAs:          []SoA{{Rows: []SoARow{{Control: "5.1", Evidence: []Evidence{{SHA256: "d"}}}}}},
		Verifications: []Verification{{ID: "v1", Evidence: []Evidence{{SHA256: "e"}}}},
	}
	want := map[string]struct {
		days  int
		basis string
	}{"a": {180, BasisDocument}, "b": {90, BasisReassessment}, "c": {DefaultRestoreTestInterval, BasisRestoreTest}, "d": {200, BasisDefault}, "e": {DefaultVerificationInterval, BasisVerification}}
	for _, p := range EvidencePlaces(m, 200) {
		if w := want[p.SHA256]; p.Interval != w.days || p.Basis != w.basis {
			t.Errorf("%s (%s): %d days by %s, want %d by %s", p.SHA256, p.Kind, p.Interval, p.Basis, w.days, w.basis)
		}
	}
	p := EvidencePlace{Interval: 30}
	asOf := MustDate("2026-06-01")
	for _, c := range []struct {
		collected string
		old       bool
	}{{"2026-05-02", false}, {"2026-05-01", true}, {"2026-05-20", false}, {"2025-01-01", true}} {
		if got := p.Old(MustDate(c.collected), asOf); got != c.old {
			t.Errorf("collected %s, 30 days, at %s: old = %v, want %v", c.collected, asOf, got, c.old)
		}
	}
	if p.Old(Date{}, asOf) {
		t.Error("a file of unknown date is not called old")
	}
}
