package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/cloudisms/cloudisms/internal/api"
	"github.com/cloudisms/cloudisms/internal/bundle"
	"github.com/cloudisms/cloudisms/internal/generate"
	"github.com/cloudisms/cloudisms/internal/isms"
	"github.com/cloudisms/cloudisms/internal/store"
)

// benchGenerated is the UI over a generated ISMS of the load mix's shape at
// 1,000 risks (400 assets, 4 services, as scripts/bench-mix.sh makes it) on
// SQLite, with one signed-in ISMS manager.
func benchGenerated(b *testing.B) (http.Handler, string) {
	b.Helper()
	h, tok, _ := benchGeneratedOf(b, 1000)
	return h, tok
}

// benchGeneratedOf is benchGenerated of a size (assets 2/5 of the risks,
// a service per 250 risks, at least 2), with the store.
func benchGeneratedOf(b *testing.B, risks int) (http.Handler, string, *store.Store) {
	b.Helper()
	m, err := generate.ISMS(generate.Options{Services: max(risks/250, 2), Assets: max(risks*2/5, 10), Risks: risks, Seed: 1, AsOf: isms.DateOf(testNow)})
	if err != nil {
		b.Fatal(err)
	}
	return benchUI(b, "gen", m)
}

// benchPage measures one page as BenchmarkSoAPage does: server time per
// page after a first request has loaded the ISMS and its derived views,
// the CPU it took and the page's size.
func benchPage(b *testing.B, h http.Handler, tok, path string) {
	size := getPage(b, h, tok, path)
	cpu := cpuTime()
	for b.Loop() {
		getPage(b, h, tok, path)
	}
	b.ReportMetric(float64(size), "bytes/page")
	b.ReportMetric(float64(cpuTime()-cpu)/float64(time.Millisecond)/float64(b.N), "cpu-ms/op")
}

// getPage requests a page as the signed-in user and returns its size.
func getPage(b *testing.B, h http.Handler, tok, path string) int {
	req := httptest.NewRequest("GET", path, nil)
	req.AddCookie(&http.Cookie{Name: api.SessionCookie, Value: tok})
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		b.Fatalf("GET %s: %d", path, rec.Code)
	}
	return rec.Body.Len()
}

// BenchmarkDashboardPage is an organization's dashboard, of the sample and
// of a generated ISMS of 1,000 risks.
func BenchmarkDashboardPage(b *testing.B) {
	b.Run("sample", func(b *testing.B) {
		h, tok := benchSite(b)
		benchPage(b, h, tok, "/orgs/sample/")
	})
	b.Run("1000risks", func(b *testing.B) {
		h, tok := benchGenerated(b)
		benchPage(b, h, tok, "/orgs/gen/")
	})
}

// BenchmarkRiskPage is the risk register's first page (100 rows), of the
// sample and of a generated ISMS of 1,000 risks.
func BenchmarkRiskPage(b *testing.B) {
	b.Run("sample", func(b *testing.B) {
		h, tok := benchSite(b)
		benchPage(b, h, tok, "/orgs/sample/risks")
	})
	b.Run("1000risks", func(b *testing.B) {
		h, tok := benchGenerated(b)
		benchPage(b, h, tok, "/orgs/gen/risks")
	})
}

// BenchmarkEditThenDashboard is issue 16's third goal: one edit of a risk
// of a 50,000-risk ISMS followed by the dashboard, as a running server
// has it (the views warmed at start). cpu-ms/op is the process's CPU per
// edit and page.
func BenchmarkEditThenDashboard(b *testing.B) {
	ctx := context.Background()
	h, tok, s := benchGeneratedOf(b, 50000)
	if err := s.Warm(ctx, isms.DateOf(testNow)); err != nil {
		b.Fatal(err)
	}
	m, err := s.ISMS(ctx, "gen")
	if err != nil {
		b.Fatal(err)
	}
	key := m.Risks[100].ID
	get := func() { getPage(b, h, tok, "/orgs/gen/") }
	get()
	get() // the trends, computed in the background after the first view
	n := 0
	cpu := cpuTime()
	for b.Loop() {
		cur, err := s.Get(ctx, "gen", "risks", key)
		if err != nil {
			b.Fatal(err)
		}
		n++
		data := strings.Replace(string(cur.Data), `"title":"`, fmt.Sprintf(`"title":"%d `, n), 1)
		it, refs, err := bundle.DecodeItem("risks", key, []byte(data), "iso27001:2022")
		if err != nil {
			b.Fatal(err)
		}
		if _, err := s.Put(ctx, "gen", it, refs, cur.Version, "bench"); err != nil {
			b.Fatal(err)
		}
		get()
	}
	b.ReportMetric(float64(cpuTime()-cpu)/float64(time.Millisecond)/float64(b.N), "cpu-ms/op")
}
