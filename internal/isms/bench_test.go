package isms_test

import (
	"testing"

	"github.com/cloudisms/cloudisms/internal/generate"
	"github.com/cloudisms/cloudisms/internal/isms"
)

// BenchmarkSummaryLarge: the computed views (effective SoA rows and
// counts, risk levels, heat map, due items) of the large ISMS.
func BenchmarkSummaryLarge(b *testing.B) {
	asOf := isms.MustDate("2026-11-01")
	m, err := generate.ISMS(generate.Large(asOf))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		views := isms.SoAViews(m)
		risks := isms.RiskViews(m)
		h := isms.NewHeatMap(m, risks)
		due := isms.DueWithin(m, asOf, 30)
		if len(views) == 0 || h.Unassessed != 0 || len(due) == 0 {
			b.Fatal("empty views")
		}
	}
}

// BenchmarkTasksLarge: every open task of the large ISMS (50,000 risks),
// as the store computed it after each edit.
func BenchmarkTasksLarge(b *testing.B) {
	asOf := isms.MustDate("2026-11-01")
	m, err := generate.ISMS(generate.Large(asOf))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if len(isms.AllTasks(m, asOf, nil)) == 0 {
			b.Fatal("no tasks")
		}
	}
}
