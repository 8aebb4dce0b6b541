package store_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cloudisms/cloudisms/internal/store"
	"github.com/cloudisms/cloudisms/internal/store/blob"
	"github.com/cloudisms/cloudisms/internal/store/blob/weedtest"
	"github.com/cloudisms/cloudisms/internal/store/storetest"
)

func TestMain(m *testing.M) { os.Exit(weedtest.Main(m)) }

// objectStore is a place for evidence files: a directory or a bucket.
type objectStore struct {
	name string
	open func(t *testing.T) blob.Store
}

func objectStores() []objectStore {
	return []objectStore{
		{"dir", func(t *testing.T) blob.Store { return blob.NewDir(t.TempDir()) }},
		{"s3", func(t *testing.T) blob.Store { return bucketStore(t, "evidence") }},
	}
}

// bucketStore is a new bucket of the test S3 server (the test is skipped
// without one).
func bucketStore(t testing.TB, prefix string) *blob.S3 {
	srv := weedtest.Start(t)
	b, err := blob.NewS3(srv.Config(srv.Bucket(t), prefix))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// openWith opens a second store on the database of a backend's store,
// as another instance would: its own data directory, the given objects.
func openWith(t *testing.T, backend, dsn, sqliteDir string, objects blob.Store) *store.Store {
	t.Helper()
	dir := t.TempDir()
	if backend == "sqlite" {
		dsn, dir = "", sqliteDir
	}
	s, err := store.Open(ctx, dsn, dir, store.WithEvidence(objects))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// TestEvidenceInBucket: two instances that share the database and the
// bucket but no disk: a file uploaded on one is read at once on the
// other, for its organization only; it is in the bucket, not on either
// instance's disk; a backup from one holds it and a restore elsewhere
// puts it in that store's bucket.
func TestEvidenceInBucket(t *testing.T) {
	weedtest.Start(t)
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			_, dsn := b.Open(t)
			bucket := bucketStore(t, "cloudisms/evidence")
			one := openWith(t, b.Name, dsn, dsn, bucket)
			two := openWith(t, b.Name, dsn, dsn, bucket)
			m, _ := sample(t, "sample-saas.yaml")
			for _, org := range []string{"a", "b"} {
				if _, err := one.Import(ctx, org, m, "setup"); err != nil {
					t.Fatal(err)
				}
			}
			content := bytes.Repeat([]byte("バケットの証跡 "), 50_000)
			ev, err := one.SaveEvidence(ctx, "a", "alice", bytes.NewReader(content))
			if err != nil {
				t.Fatal(err)
			}
			it, refs, v := withEvidence(t, one, "a", map[string]string{"name": "証跡.pdf", "sha256": ev.SHA256})
			if _, err := one.Put(ctx, "a", it, refs, v, "alice"); err != nil {
				t.Fatal(err)
			}
			if got, err := readEvidence(two, "a", ev.SHA256); err != nil || !bytes.Equal(got, content) {
				t.Fatalf("the other instance reads the file: %v", err)
			}
			if _, err := readEvidence(two, "b", ev.SHA256); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("another organization reads it on the other instance: %v", err)
			}
			var keys []string
			bucket.List(ctx, "", func(o blob.Object) error { keys = append(keys, o.Key); return nil })
			if want := ev.SHA256[:2] + "/" + ev.SHA256; !slices.Equal(keys, []string{want}) {
				t.Errorf("bucket holds %q, want %q", keys, want)
			}
			if two.Evidence() != bucket.String() || !strings.HasPrefix(two.Evidence(), "s3://") {
				t.Errorf("evidence store named %q", two.Evidence())
			}

			var archive bytes.Buffer
			res, err := two.Backup(ctx, &archive, nil)
			if err != nil || res.Manifest.Evidence != 1 {
				t.Fatalf("backup: %v %+v", err, res.Manifest)
			}
			target, tdsn := b.Open(t)
			tdir := tdsn
			if b.Name == "postgres" {
				tdir = t.TempDir()
			}
			target.Close()
			other := bucketStore(t, "restored")
			restored := openWith(t, b.Name, tdsn, tdir, other)
			rr, err := restored.Restore(ctx, bytes.NewReader(archive.Bytes()), nil)
			if err != nil || rr.Evidence != 1 {
				t.Fatalf("restore: %v %+v", err, rr)
			}
			if got, err := readEvidence(restored, "a", ev.SHA256); err != nil || !bytes.Equal(got, content) {
				t.Errorf("restored file: %v", err)
			}
			if _, err := other.Stat(ctx, ev.SHA256[:2]+"/"+ev.SHA256); err != nil {
				t.Errorf("the restored file is not in the target bucket: %v", err)
			}
		})
	}
}

// TestEvidenceGC: unreferenced files are found, left alone without
// --delete, and removed with it together with their claims; files items
// name, recent ones and objects that are not evidence files stay.
func TestEvidenceGC(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		for _, ob := range objectStores() {
			t.Run(b.Name+"/"+ob.name, func(t *testing.T) {
				_, dsn := b.Open(t)
				objects := ob.open(t)
				s := openWith(t, b.Name, dsn, dsn, objects)
				m, _ := sample(t, "sample-saas.yaml")
				if _, err := s.Import(ctx, "a", m, "setup"); err != nil {
					t.Fatal(err)
				}
				save := func(text string) string {
					ev, err := s.SaveEvidence(ctx, "a", "alice", strings.NewReader(text))
					if err != nil {
						t.Fatal(err)
					}
					return ev.SHA256
				}
				kept, dropped, loose := save("kept"), save("dropped"), save("never attached")
				attach := func(sums ...string) {
					var list []map[string]string
					for _, sum := range sums {
						list = append(list, map[string]string{"name": "f.pdf", "sha256": sum})
					}
					it, refs, v := withEvidence(t, s, "a", list...)
					if _, err := s.Put(ctx, "a", it, refs, v, "alice"); err != nil {
						t.Fatal(err)
					}
				}
				attach(kept, dropped)
				attach(kept) // dropped is no longer named by any item
				orphan := hashOf([]byte("orphan"))
				objects.Put(ctx, orphan[:2]+"/"+orphan, strings.NewReader("orphan"), 6)
				objects.Put(ctx, "notes/readme.txt", strings.NewReader("not evidence"), 12)

				// Everything is younger than a day: nothing is garbage yet.
				res, err := s.CollectEvidence(ctx, store.DefaultGCMinAge, true)
				if err != nil || len(res.Garbage) != 0 || res.Deleted != 0 || res.Recent != 3 || res.Referenced != 1 || res.Objects != 4 || res.Other != 1 {
					t.Fatalf("with the default age: %+v %v", res, err)
				}
				store.SetNow(s, func() time.Time { return time.Now().Add(48 * time.Hour) })
				res, err = s.CollectEvidence(ctx, store.DefaultGCMinAge, false)
				if err != nil {
					t.Fatal(err)
				}
				var found []string
				for _, g := range res.Garbage {
					found = append(found, g.SHA256)
				}
				want := []string{dropped, loose, orphan}
				slices.Sort(want)
				if !slices.Equal(found, want) || res.Deleted != 0 {
					t.Fatalf("found %q, want %q (%+v)", found, want, res)
				}
				for _, sum := range want {
					if _, err := objects.Stat(ctx, sum[:2]+"/"+sum); err != nil {
						t.Errorf("a report deleted %s: %v", sum, err)
					}
				}
				res, err = s.CollectEvidence(ctx, store.DefaultGCMinAge, true)
				if err != nil || res.Deleted != 3 {
					t.Fatalf("delete: %+v %v", res, err)
				}
				for _, sum := range want {
					if _, err := objects.Stat(ctx, sum[:2]+"/"+sum); !errors.Is(err, blob.ErrNotFound) {
						t.Errorf("%s not deleted: %v", sum, err)
					}
				}
				if got := owners(t, s); !slices.Equal(got, []string{"a " + kept}) {
					t.Errorf("claims after gc: %q", got)
				}
				if _, err := readEvidence(s, "a", kept); err != nil {
					t.Errorf("the referenced file: %v", err)
				}
				if _, err := objects.Stat(ctx, "notes/readme.txt"); err != nil {
					t.Errorf("an object that is not evidence was touched: %v", err)
				}
				// A dropped file can be uploaded and named again.
				if got := save("dropped"); got != dropped {
					t.Fatal(got)
				}
				attach(kept, dropped)
				if _, err := readEvidence(s, "a", dropped); err != nil {
					t.Errorf("uploaded again: %v", err)
				}
			})
		}
	}
}

// BenchmarkEvidence30MiB uploads and downloads a 30 MiB file through each
// object store (SQLite database): go test -run '^$' -bench Evidence30MiB
// ./internal/store.
func BenchmarkEvidence30MiB(b *testing.B) {
	content := make([]byte, 30<<20)
	for i := range content {
		content[i] = byte(i*7 + i>>11)
	}
	for _, name := range []string{"dir", "s3"} {
		b.Run(name, func(b *testing.B) {
			dir := b.TempDir()
			var objects blob.Store = blob.NewDir(filepath.Join(dir, "evidence"))
			if name == "s3" {
				objects = bucketStore(b, "bench")
			}
			s, err := store.Open(ctx, "", dir, store.WithEvidence(objects))
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			m, _ := sample(b, "sample-saas.yaml")
			if _, err := s.Import(ctx, "a", m, "setup"); err != nil {
				b.Fatal(err)
			}
			b.Run("upload", func(b *testing.B) {
				b.SetBytes(int64(len(content)))
				for i := 0; b.Loop(); i++ {
					// A different file each time (the same one is stored once).
					c := append([]byte(nil), content...)
					c[0], c[1] = byte(i), byte(i>>8)
					if _, err := s.SaveEvidence(ctx, "a", "bench", bytes.NewReader(c)); err != nil {
						b.Fatal(err)
					}
				}
			})
			ev, err := s.SaveEvidence(ctx, "a", "bench", bytes.NewReader(content))
			if err != nil {
				b.Fatal(err)
			}
			b.Run("download", func(b *testing.B) {
				b.SetBytes(int64(len(content)))
				for b.Loop() {
					got, err := readEvidence(s, "a", ev.SHA256)
					if err != nil || len(got) != len(content) {
						b.Fatal(err)
					}
				}
			})
		})
	}
}

// TestEvidenceGCRace: a collection deleting on one instance while another
// drops, uploads again and names the same file never leaves an item
// naming a file that is gone: either the upload and the item come first
// and the file stays, or the collection does and the item is refused (and
// the upload is simply made again).
func TestEvidenceGCRace(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			_, dsn := b.Open(t)
			objects := blob.NewDir(t.TempDir())
			s := openWith(t, b.Name, dsn, dsn, objects)
			gc := openWith(t, b.Name, dsn, dsn, objects)
			// To the collector every claim is old.
			store.SetNow(gc, func() time.Time { return time.Now().Add(time.Hour) })
			m, _ := sample(t, "sample-saas.yaml")
			if _, err := s.Import(ctx, "a", m, "setup"); err != nil {
				t.Fatal(err)
			}
			content := "取り合いになる証跡"
			stop := make(chan struct{})
			done := make(chan int)
			go func() {
				deleted := 0
				for {
					select {
					case <-stop:
						done <- deleted
						return
					default:
					}
					res, err := gc.CollectEvidence(ctx, time.Minute, true)
					if err != nil {
						t.Error(err)
						done <- deleted
						return
					}
					deleted += res.Deleted
				}
			}()
			refused, deleted := 0, 0
			defer func() {
				close(stop)
				deleted = <-done
				t.Logf("collections deleted the file %d times; %d item saves refused", deleted, refused)
			}()
			for i := range 10 {
				it, refs, v := withEvidence(t, s, "a")
				if _, err := s.Put(ctx, "a", it, refs, v, "alice"); err != nil {
					t.Fatal(err)
				}
				for {
					ev, err := s.SaveEvidence(ctx, "a", "alice", strings.NewReader(content))
					if err != nil {
						t.Fatal(err)
					}
					it, refs, v = withEvidence(t, s, "a", map[string]string{"name": "f.pdf", "sha256": ev.SHA256})
					_, err = s.Put(ctx, "a", it, refs, v, "alice")
					var refErr *store.RefError
					if errors.As(err, &refErr) {
						refused++ // collected between the upload and the item
						continue
					}
					if err != nil {
						t.Fatal(err)
					}
					if got, err := readEvidence(s, "a", ev.SHA256); err != nil || string(got) != content {
						t.Fatalf("round %d: the item names a file that cannot be read: %v", i, err)
					}
					break
				}
			}
		})
	}
}
