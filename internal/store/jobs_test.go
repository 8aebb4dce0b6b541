package store_test

import (
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/cloudisms/cloudisms/internal/store"
	"github.com/cloudisms/cloudisms/internal/store/storetest"
)

// TestExportJobsRunOnce queues jobs and lets two store instances on one
// database (as two servers would) work the queue at once with two workers
// each: every job runs exactly once and its result is the export.
func TestExportJobsRunOnce(t *testing.T) {
	for _, be := range storetest.Backends(t) {
		t.Run(be.Name, func(t *testing.T) {
			a, where := be.Open(t)
			dsn, dir := where, t.TempDir()
			if be.Name == "sqlite" {
				dsn, dir = "", where
			}
			b, err := store.Open(ctx, dsn, dir)
			if err != nil {
				t.Fatal(err)
			}
			defer b.Close()
			m, _ := sample(t, "sample-saas.yaml")
			if _, err := a.Import(ctx, "acme", m, "alice"); err != nil {
				t.Fatal(err)
			}
			want, _ := a.Export(ctx, "acme")
			const jobs = 12
			for i := range jobs {
				// Several members: one member may have MaxPendingJobs waiting.
				if _, err := a.CreateExportJob(ctx, "acme", fmt.Sprintf("member-%d", i)); err != nil {
					t.Fatal(err)
				}
			}
			var mu sync.Mutex
			ran := map[string]int{}
			var wg sync.WaitGroup
			for i, s := range []*store.Store{a, a, b, b} {
				worker := []string{"a1", "a2", "b1", "b2"}[i]
				wg.Go(func() {
					for {
						ok, err := s.RunExportJob(ctx, worker)
						if err != nil {
							t.Error(err)
							return
						}
						if !ok {
							return
						}
						mu.Lock()
						ran[worker]++
						mu.Unlock()
					}
				})
			}
			wg.Wait()
			total := 0
			for _, n := range ran {
				total += n
			}
			if total != jobs {
				t.Errorf("%d runs for %d jobs: %v", total, jobs, ran)
			}
			for id := int64(1); id <= jobs; id++ {
				j, err := b.ExportJob(ctx, "acme", id)
				if err != nil {
					t.Fatal(err)
				}
				if j.State != store.JobDone || j.Runs != 1 {
					t.Errorf("job %d: state %s after %d runs", id, j.State, j.Runs)
				}
				got, err := a.ExportJobResult(ctx, "acme", id)
				if err != nil || string(got) != string(want) {
					t.Errorf("job %d result differs from the export (%v)", id, err)
				}
			}
			if _, err := a.ExportJob(ctx, "other", 1); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("another organization's job: %v", err)
			}
			if _, err := a.CreateExportJob(ctx, "nobody", "alice"); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("a job for an unknown organization: %v", err)
			}
			if j, err := a.ClaimExportJob(ctx, "a1"); j != nil || err != nil {
				t.Errorf("claim on an empty queue: %v %v", j, err)
			}
		})
	}
}

// TestConcurrentMigrations opens several stores on one fresh database at
// the same moment, as instances starting together do: all succeed.
func TestConcurrentMigrations(t *testing.T) {
	if storetest.PostgresURL() == "" {
		t.Skip("CLOUDISMS_TEST_POSTGRES is not set")
	}
	dsn := storetest.FreshSchema(t)
	var wg sync.WaitGroup
	errs := make(chan error, 6)
	for range 6 {
		wg.Go(func() {
			s, err := store.Open(ctx, dsn, t.TempDir())
			if err == nil {
				s.Close()
			}
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("concurrent migration: %v", err)
		}
	}
}
