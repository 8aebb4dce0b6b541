package store_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/cloudisms/cloudisms/internal/bundle"
	"github.com/cloudisms/cloudisms/internal/generate"
	"github.com/cloudisms/cloudisms/internal/isms"
	"github.com/cloudisms/cloudisms/internal/store"
	"github.com/cloudisms/cloudisms/internal/store/storetest"
)

// The search finds items by any of their text, in Japanese and English,
// stays in step with every write (import, edit, delete), escapes LIKE's
// wildcards, and never reaches another organization.
func TestSearch(t *testing.T) {
	m, _ := sample(t, "sample-saas.yaml")
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			s, _ := b.Open(t)
			if _, err := s.Import(ctx, "o", m, "alice"); err != nil {
				t.Fatal(err)
			}
			if _, err := s.Import(ctx, "other", m, "mallory"); err != nil {
				t.Fatal(err)
			}
			find := func(org, q string) []string {
				t.Helper()
				hits, err := s.Search(ctx, org, q, 500)
				if err != nil {
					t.Fatal(err)
				}
				var out []string
				for _, h := range hits {
					out = append(out, h.Kind+"/"+h.Key)
				}
				return out
			}
			for _, c := range []struct {
				q, want string
			}{
				{"勤怠", "cloud_services/svc-kintai"}, // a name
				{"ニンバス", "suppliers/sup-nimbus"},
				{"SAMPLE-CLOUD.EXAMPLE", "cloud_services/svc-kintai"}, // any text value, case-insensitive in Latin letters
				{"5.23", "soa_rows/organization/5.23"},
			} {
				if got := find("o", c.q); !contains(got, c.want) {
					t.Errorf("%q found %v, want %s among them", c.q, got, c.want)
				}
			}
			if got := find("o", "100%"); len(got) != 0 && !strings.Contains(strings.Join(got, " "), "100%") {
				// % is a literal character, not a wildcard: every hit really contains it.
				hits, _ := s.Search(ctx, "o", "100%", 500)
				for _, h := range hits {
					if !strings.Contains(string(h.Data), "100%") {
						t.Errorf("%% matched as a wildcard: %+v", h)
					}
				}
			}
			// An edit is found at once; the old text is not.
			it, err := s.Get(ctx, "o", "assets", "a-01")
			if err != nil {
				t.Fatal(err)
			}
			data := strings.Replace(string(it.Data), `"name":"`, `"name":"検索用の合言葉ひまわり `, 1)
			item, refs, err := bundle.DecodeItem("assets", "a-01", []byte(data), "iso27001:2022")
			if err != nil {
				t.Fatal(err)
			}
			if _, err := s.Put(ctx, "o", item, refs, it.Version, "alice"); err != nil {
				t.Fatal(err)
			}
			if got := find("o", "合言葉ひまわり"); len(got) != 1 || got[0] != "assets/a-01" {
				t.Errorf("after an edit: %v", got)
			}
			if got := find("other", "合言葉ひまわり"); len(got) != 0 {
				t.Errorf("another organization's text was found: %v", got)
			}
			hits, _ := s.Search(ctx, "o", "合言葉ひまわり", 10)
			if len(hits) != 1 || !strings.Contains(string(hits[0].Data), "合言葉ひまわり") {
				t.Errorf("snippet: %+v", hits)
			}
			if got := find("o", ""); got != nil {
				t.Errorf("an empty query found %v", got)
			}
			if _, err := s.Search(ctx, "o", strings.Repeat("あ", 5000), 10); !errors.Is(err, store.ErrQueryTooLong) {
				t.Errorf("a long query: %v, want ErrQueryTooLong", err)
			}
		})
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// BenchmarkSearch measures one search of the generated 200-service,
// 50,000-risk ISMS: a word most risks carry, and one that only a few do.
func BenchmarkSearch(b *testing.B) {
	m, err := generate.ISMS(generate.Large(isms.MustDate("2026-11-01")))
	if err != nil {
		b.Fatal(err)
	}
	for _, be := range storetest.Backends(b) {
		b.Run(be.Name, func(b *testing.B) {
			s, _ := be.Open(b)
			if _, err := s.Import(ctx, "o", m, "bench"); err != nil {
				b.Fatal(err)
			}
			// On PostgreSQL the import's text is indexed after it: the
			// first search waits for that, which is not what is measured.
			if _, err := s.Search(ctx, "o", "svc-0042", 1); err != nil {
				b.Fatal(err)
			}
			for _, q := range []string{"svc-0042", "リスク", "no such text at all"} {
				b.Run(q, func(b *testing.B) {
					for b.Loop() {
						if _, err := s.Search(ctx, "o", q, 500); err != nil {
							b.Fatal(err)
						}
					}
				})
			}
		})
	}
}

// A member's queue of jobs is bounded: the fourth job waiting for the
// same member is refused, another member's is not, and a finished job
// frees a place.
func TestJobsPendingBounded(t *testing.T) {
	m, _ := sample(t, "sample-saas.yaml")
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			s, _ := b.Open(t)
			if _, err := s.Import(ctx, "o", m, "alice"); err != nil {
				t.Fatal(err)
			}
			for i := range store.MaxPendingJobs {
				if _, err := s.CreateExportJob(ctx, "o", "alice"); err != nil {
					t.Fatalf("job %d: %v", i+1, err)
				}
			}
			if _, err := s.CreateExportJob(ctx, "o", "alice"); !errors.Is(err, store.ErrJobsPending) {
				t.Fatalf("a fourth waiting job: %v, want ErrJobsPending", err)
			}
			if _, err := s.CreateExportJob(ctx, "o", "bob"); err != nil {
				t.Errorf("another member's job: %v", err)
			}
			if ran, err := s.RunExportJob(ctx, "w"); !ran || err != nil {
				t.Fatalf("run: %v %v", ran, err)
			}
			if _, err := s.CreateExportJob(ctx, "o", "alice"); err != nil {
				t.Errorf("after a job finished: %v", err)
			}
		})
	}
}
