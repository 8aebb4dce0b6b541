package isms_test

import (
	"slices"
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

// BenchmarkTasksLargeEdit: the task list of the large ISMS carried over an
// edit of one risk's title (Tasked.Update), as the store does after each
// edit; compare BenchmarkTasksLarge, the list made afresh.
func BenchmarkTasksLargeEdit(b *testing.B) {
	asOf := isms.MustDate("2026-11-01")
	m, err := generate.ISMS(generate.Large(asOf))
	if err != nil {
		b.Fatal(err)
	}
	// Two models the edit goes back and forth between, sharing every
	// other list as a model carried over an edit does.
	edited := *m
	edited.Risks = slices.Clone(m.Risks)
	r := *m.Risks[100] // a new Risk: m's is shared with edited
	r.Title += " (edited)"
	edited.Risks[100] = &r
	models := [2]*isms.ISMS{m, &edited}
	changes := []isms.ItemChange{{Kind: "risks", Key: m.Risks[100].ID}}
	x := isms.NewTasked(m, asOf)
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		n++
		x = x.Update(models[n%2], changes)
		if len(x.Tasks()) == 0 {
			b.Fatal("no tasks")
		}
	}
}
