package store_test

import (
	"strings"
	"testing"
	"time"

	"github.com/cloudisms/cloudisms/internal/bundle"
	"github.com/cloudisms/cloudisms/internal/generate"
	"github.com/cloudisms/cloudisms/internal/isms"
	"github.com/cloudisms/cloudisms/internal/store"
	"github.com/cloudisms/cloudisms/internal/store/storetest"
	"github.com/cloudisms/cloudisms/internal/trend"
)

// tclock is a settable store tclock.
type tclock struct{ t time.Time }

func (c *tclock) now() time.Time { return c.t }

// editRisk rewrites one risk item through the store, as an edit would.
func editRisk(t testing.TB, s *store.Store, org, key string, change func(string) string) {
	t.Helper()
	it, err := s.Get(ctx, org, "risks", key)
	if err != nil {
		t.Fatal(err)
	}
	item, refs, err := bundle.DecodeItem("risks", key, []byte(change(string(it.Data))), "iso27001:2022")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Put(ctx, org, item, refs, it.Version, "tester"); err != nil {
		t.Fatal(err)
	}
}

func TestTrends(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			s, _ := b.Open(t)
			c := &tclock{t: time.Date(2026, 6, 10, 3, 0, 0, 0, time.UTC)}
			store.SetNow(s, c.now)
			m, _ := sample(t, "sample-saas.yaml")
			if _, err := s.Import(ctx, "a", m, "setup"); err != nil {
				t.Fatal(err)
			}
			// In August a risk is assessed again: likelihood 3 → 1, so one
			// risk moves from the cell (impact 3, likelihood 3) to
			// (impact 3, likelihood 1) of the heat map before treatment.
			c.t = time.Date(2026, 8, 5, 3, 0, 0, 0, time.UTC)
			editRisk(t, s, "a", "r-05", func(d string) string { return strings.Replace(d, `"likelihood":3`, `"likelihood":1`, 1) })
			asOf := isms.MustDate("2026-11-01")
			points, err := s.Trends(ctx, "a", asOf, 7)
			if err != nil {
				t.Fatal(err)
			}
			if len(points) != 7 {
				t.Fatalf("%d points", len(points))
			}
			wantDates := []string{"2026-05-31", "2026-06-30", "2026-07-31", "2026-08-31", "2026-09-30", "2026-10-31", "2026-11-01"}
			for i, p := range points {
				if p.Date.String() != wantDates[i] {
					t.Errorf("point %d at %s, want %s", i, p.Date, wantDates[i])
				}
			}
			if !points[0].NoData || points[1].NoData {
				t.Errorf("May, before the import: %+v", points[0])
			}
			if points[1].Risks != len(m.Risks) || points[1].HeatMap.Unassessed != 0 {
				t.Errorf("June: %d risks, %d unassessed", points[1].Risks, points[1].HeatMap.Unassessed)
			}
			cell := func(p trend.Point, impact, likelihood int) int { return p.HeatMap.Before[impact-1][likelihood-1] }
			if cell(points[3], 3, 3) != cell(points[2], 3, 3)-1 || cell(points[3], 3, 1) != cell(points[2], 3, 1)+1 || cell(points[2], 3, 3) != cell(points[1], 3, 3) {
				t.Errorf("the August edit is not where it belongs: June %v, July %v, August %v", points[1].HeatMap.Before, points[2].HeatMap.Before, points[3].HeatMap.Before)
			}
			if org := points[6].SoAs[0]; org.Key() != "organization" || org.Percent() == 0 {
				t.Errorf("SoA progress now: %+v", org)
			}
			// Again: the same points, from the cache.
			again, err := s.Trends(ctx, "a", asOf, 7)
			if err != nil || cell(again[3], 3, 1) != cell(points[3], 3, 1) || again[1].Risks != len(m.Risks) {
				t.Errorf("second computation: %v", err)
			}
		})
	}
}

func TestMonthEnds(t *testing.T) {
	got := trend.MonthEnds(isms.MustDate("2026-03-15"), 4)
	want := []string{"2025-12-31", "2026-01-31", "2026-02-28", "2026-03-15"}
	for i := range want {
		if got[i].String() != want[i] {
			t.Fatalf("MonthEnds = %v, want %v", got, want)
		}
	}
}

// BenchmarkTrendsLarge measures the trends of the generated large ISMS
// (200 services, 20,000 assets, 50,000 risks) imported a year ago and
// edited every month since: the first computation (every past month
// rebuilt from the history) and the next ones (from the cache).
func BenchmarkTrendsLarge(b *testing.B) { benchTrends(b, 200, 20000, 50000) }

// BenchmarkTrendsMedium is the same at a tenth of the size.
func BenchmarkTrendsMedium(b *testing.B) { benchTrends(b, 20, 2000, 5000) }

func benchTrends(b *testing.B, services, assets, risks int) {
	s, err := store.Open(ctx, "", b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	asOf := isms.MustDate("2026-11-01")
	m, err := generate.ISMS(generate.Options{Services: services, Assets: assets, Risks: risks, Seed: 1, AsOf: asOf})
	if err != nil {
		b.Fatal(err)
	}
	c := &tclock{t: time.Date(2025, 11, 10, 3, 0, 0, 0, time.UTC)}
	store.SetNow(s, c.now)
	if _, err := s.Import(ctx, "big", m, "setup"); err != nil {
		b.Fatal(err)
	}
	for month := 0; month < 12; month++ {
		c.t = time.Date(2025, 12+time.Month(month), 5, 3, 0, 0, 0, time.UTC)
		for i := 0; i < 5; i++ {
			key := m.Risks[(month*100+i)%len(m.Risks)].ID
			editRisk(b, s, "big", key, func(d string) string { return strings.Replace(d, `"title":"`, `"title":"改 `, 1) })
		}
	}
	b.Run("first", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			store.ResetTrends(s)
			if _, err := s.Trends(ctx, "big", asOf, 12); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("cached", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			if _, err := s.Trends(ctx, "big", asOf, 12); err != nil {
				b.Fatal(err)
			}
		}
	})
}
