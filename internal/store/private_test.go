package store_test

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/cloudisms/cloudisms/internal/store"
	"github.com/cloudisms/cloudisms/internal/store/storetest"
)

// TestSQLiteFilePrivate is item 12: the SQLite file was created 0644
// (readable by every local user); it is made 0600, and an existing file
// with wider access is tightened when opened.
func TestSQLiteFilePrivate(t *testing.T) {
	dir := t.TempDir()
	s, err := store.Open(ctx, "", dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateUser(ctx, "a@example.com", "A", "ja", "correct horse battery"); err != nil {
		t.Fatal(err)
	}
	s.Close()
	for _, name := range []string{"cloudisms.db", "cloudisms.db-wal", "cloudisms.db-shm"} {
		if st, err := os.Stat(filepath.Join(dir, name)); err == nil && st.Mode().Perm() != 0o600 {
			t.Errorf("%s is %v, want 0600", name, st.Mode().Perm())
		}
	}
	db := filepath.Join(dir, "cloudisms.db")
	if err := os.Chmod(db, 0o644); err != nil {
		t.Fatal(err)
	}
	s, err = store.Open(ctx, "", dir)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	if st, _ := os.Stat(db); st.Mode().Perm() != 0o600 {
		t.Errorf("an existing 0644 file stays %v", st.Mode().Perm())
	}
}

// TestExportJobsPurged is item 12: export jobs (and their results) were
// kept for ever; those asked for before the cut-off are purged, on both
// databases (created_at is compared as text in SQL).
func TestExportJobsPurged(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			s, _ := b.Open(t)
			m, _ := sample(t, "sample-saas.yaml")
			if _, err := s.Import(ctx, "a", m, "setup"); err != nil {
				t.Fatal(err)
			}
			old, err := s.CreateExportJob(ctx, "a", "alice")
			if err != nil {
				t.Fatal(err)
			}
			if _, err := s.RunExportJob(ctx, "w"); err != nil {
				t.Fatal(err)
			}
			if _, err := s.ExportJobResult(ctx, "a", old.ID); err != nil {
				t.Fatalf("the finished job's result: %v", err)
			}
			n, err := s.PurgeExportJobs(ctx, time.Now().Add(-store.ExportJobTTL))
			if err != nil || n != 0 {
				t.Fatalf("a fresh job was purged: %d %v", n, err)
			}
			n, err = s.PurgeExportJobs(ctx, time.Now().Add(time.Minute))
			if err != nil || n != 1 {
				t.Fatalf("purged %d, want 1: %v", n, err)
			}
			if _, err := s.ExportJobResult(ctx, "a", old.ID); err == nil {
				t.Error("the purged job's result is still served")
			}
		})
	}
}
