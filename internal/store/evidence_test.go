package store_test

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"slices"
	"strings"
	"testing"

	"github.com/cloudisms/cloudisms/internal/bundle"
	"github.com/cloudisms/cloudisms/internal/isms"
	"github.com/cloudisms/cloudisms/internal/store"
	"github.com/cloudisms/cloudisms/internal/store/blob"
	"github.com/cloudisms/cloudisms/internal/store/storetest"
)

func hashOf(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// withEvidence returns a document item of org with the given evidence
// list, decoded as the API decodes it.
func withEvidence(t *testing.T, s *store.Store, org string, ev ...map[string]string) (bundle.Item, []bundle.Ref, int64) {
	t.Helper()
	it, err := s.Get(ctx, org, "documents", "doc-pol-001")
	if err != nil {
		t.Fatal(err)
	}
	var data map[string]any
	json.Unmarshal(it.Data, &data)
	list := []any{}
	for _, e := range ev {
		list = append(list, e)
	}
	data["evidence"] = list
	b, _ := json.Marshal(data)
	item, refs, err := bundle.DecodeItem("documents", "doc-pol-001", b, "iso27001:2022")
	if err != nil {
		t.Fatal(err)
	}
	return item, refs, it.Version
}

func readEvidence(s *store.Store, org, sum string) ([]byte, error) {
	rc, _, err := s.OpenEvidence(ctx, org, sum)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	return io.ReadAll(rc)
}

// TestEvidenceOwnedPerOrganization: a file belongs to the organizations
// that uploaded it. Another organization can neither name it in an item
// or a bundle nor read it, until it uploads the same content itself.
func TestEvidenceOwnedPerOrganization(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			s, _ := b.Open(t)
			m, _ := sample(t, "sample-saas.yaml")
			for _, org := range []string{"a", "b"} {
				if _, err := s.Import(ctx, org, m, "setup"); err != nil {
					t.Fatal(err)
				}
			}
			content := []byte("A社の監査証跡")
			ev, err := s.SaveEvidence(ctx, "a", "alice", bytes.NewReader(content))
			if err != nil || ev.SHA256 != hashOf(content) || ev.Size != int64(len(content)) {
				t.Fatalf("save: %+v %v", ev, err)
			}
			ref := map[string]string{"name": "証跡.pdf", "sha256": ev.SHA256}
			it, refs, v := withEvidence(t, s, "a", ref)
			if _, err := s.Put(ctx, "a", it, refs, v, "alice"); err != nil {
				t.Fatalf("the uploading organization names its file: %v", err)
			}
			if got, err := readEvidence(s, "a", ev.SHA256); err != nil || !bytes.Equal(got, content) {
				t.Fatalf("the uploading organization reads its file: %v", err)
			}

			it, refs, v = withEvidence(t, s, "b", ref)
			_, err = s.Put(ctx, "b", it, refs, v, "mallory")
			var refErr *store.RefError
			if !errors.As(err, &refErr) || refErr.List != bundle.EvidenceList || refErr.Path != "documents.evidence[0].sha256" || refErr.ID != ev.SHA256 {
				t.Fatalf("another organization names the file: %v", err)
			}
			if _, err := readEvidence(s, "b", ev.SHA256); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("another organization reads the file: %v", err)
			}
			// A whole bundle: every such reference, with its bundle path.
			mb := *m
			mb.Documents = append(mb.Documents[:0:0], m.Documents...)
			mb.Documents[0].Evidence = append(mb.Documents[0].Evidence, bundleEvidence(ev.SHA256), bundleEvidence(hashOf([]byte("なし"))))
			_, err = s.Import(ctx, "b", &mb, "mallory")
			var errs bundle.Errors
			if !errors.As(err, &errs) || len(errs) != 2 || errs[0].Path != "documents[0].evidence[0].sha256" || errs[1].Path != "documents[0].evidence[1].sha256" ||
				!strings.Contains(errs[0].Msg.In("en"), "has not been uploaded to this organization") {
				t.Fatalf("a bundle naming files b never uploaded: %v", err)
			}
			// A new organization created by that import is not left behind.
			if _, err := s.Import(ctx, "c", &mb, "mallory"); err == nil {
				t.Fatal("a bundle naming unknown files created an organization")
			}
			if _, err := s.Org(ctx, "c"); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("the refused import left organization c: %v", err)
			}

			// Uploading the same content gives b its own right to it.
			if _, err := s.SaveEvidence(ctx, "b", "bob", bytes.NewReader(content)); err != nil {
				t.Fatal(err)
			}
			it, refs, v = withEvidence(t, s, "b", ref)
			if _, err := s.Put(ctx, "b", it, refs, v, "bob"); err != nil {
				t.Errorf("after uploading the same content: %v", err)
			}
			if got, err := readEvidence(s, "b", ev.SHA256); err != nil || !bytes.Equal(got, content) {
				t.Errorf("after uploading the same content, reading: %v", err)
			}
			// Malformed hashes and unknown organizations are not found.
			for _, sum := range []string{"../../etc/passwd", strings.ToUpper(ev.SHA256), ""} {
				if _, err := readEvidence(s, "a", sum); !errors.Is(err, store.ErrNotFound) {
					t.Errorf("hash %q: %v", sum, err)
				}
			}
			if _, err := s.SaveEvidence(ctx, "nobody", "x", strings.NewReader("x")); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("upload to an organization that does not exist: %v", err)
			}
		})
	}
}

// failingObjects is an object store whose writes fail, as a bucket that
// cannot be reached does.
type failingObjects struct{ blob.Store }

func (f failingObjects) Put(ctx context.Context, key string, r io.Reader, size int64) error {
	io.CopyN(io.Discard, r, size/2) // half sent, then the connection breaks
	return &blob.UnavailableError{Store: "test", Op: "put", Err: errors.New("connection reset")}
}

// TestEvidenceFailedUpload: an upload whose object cannot be written
// leaves nothing an item could name: no stored claim, so no item can
// point at a missing object.
func TestEvidenceFailedUpload(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			_, dsn := b.Open(t)
			if b.Name == "sqlite" {
				dsn = "" // the second value is then the data directory
			}
			s, err := store.Open(ctx, dsn, t.TempDir(), store.WithEvidence(failingObjects{blob.NewDir(t.TempDir())}))
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			m, _ := sample(t, "sample-saas.yaml")
			if _, err := s.Import(ctx, "a", m, "setup"); err != nil {
				t.Fatal(err)
			}
			content := []byte("途中で切れるアップロード")
			_, err = s.SaveEvidence(ctx, "a", "alice", bytes.NewReader(content))
			if !store.ObjectsFailed(err) {
				t.Fatalf("a failed write: %v", err)
			}
			it, refs, v := withEvidence(t, s, "a", map[string]string{"name": "x.pdf", "sha256": hashOf(content)})
			var refErr *store.RefError
			if _, err := s.Put(ctx, "a", it, refs, v, "alice"); !errors.As(err, &refErr) {
				t.Errorf("an item names a file whose upload failed: %v", err)
			}
			var n int
			store.DBOf(s).QueryRow(`SELECT COUNT(*) FROM evidence_owners`).Scan(&n)
			if n != 0 {
				t.Errorf("%d claims left by the failed upload", n)
			}
		})
	}
}

func bundleEvidence(sum string) isms.Evidence { return isms.Evidence{Name: "f.pdf", SHA256: sum} }

// TestEvidenceOwnersMigration: the migration that made evidence owned
// gives each organization the files its items named, and no other.
func TestEvidenceOwnersMigration(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			s, _ := b.Open(t)
			m, _ := sample(t, "sample-saas.yaml")
			for _, org := range []string{"a", "b"} {
				if _, err := s.Import(ctx, org, m, "setup"); err != nil {
					t.Fatal(err)
				}
			}
			x, y := hashOf([]byte("x")), hashOf([]byte("y"))
			db := store.DBOf(s)
			// Items as an older version stored them, naming files freely.
			for org, sums := range map[string][]string{"a": {x}, "b": {x, y}} {
				var list []string
				for _, sum := range sums {
					list = append(list, `{"name":"f.pdf","sha256":"`+sum+`"}`)
				}
				it, _ := s.Get(ctx, org, "documents", "doc-pol-001")
				data := strings.TrimSuffix(string(it.Data), "}") + `,"evidence":[` + strings.Join(list, ",") + `]}`
				if _, err := db.Exec(`UPDATE items SET data = $1 WHERE org_id = $2 AND kind = 'documents' AND key = 'doc-pol-001'`, data, org); err != nil {
					t.Fatal(err)
				}
			}
			if _, err := s.SaveEvidence(ctx, "b", "bob", strings.NewReader("only uploaded")); err != nil {
				t.Fatal(err)
			}
			for _, q := range []string{`DROP TABLE evidence_owners`, `DELETE FROM schema_migrations WHERE version = 30`} {
				if _, err := db.Exec(q); err != nil {
					t.Fatal(err)
				}
			}
			if err := s.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			got := owners(t, s)
			want := []string{"a " + x, "b " + x, "b " + y}
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("owners after the migration:\n%v\nwant\n%v", got, want)
			}
		})
	}
}

// owners lists the stored claims as "org sha256", sorted.
func owners(t *testing.T, s *store.Store) []string {
	t.Helper()
	rows, err := store.DBOf(s).Query(`SELECT org_id, sha256 FROM evidence_owners WHERE stored_at IS NOT NULL ORDER BY org_id, sha256`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var org, sum string
		rows.Scan(&org, &sum)
		out = append(out, org+" "+sum)
	}
	return out
}

// TestRestoreOlderBackupGivesOwners: a backup made before evidence had
// owners restores with the files its items name owned by their
// organizations, so that they can still be downloaded.
func TestRestoreOlderBackupGivesOwners(t *testing.T) {
	for _, be := range storetest.Backends(t) {
		t.Run(be.Name, func(t *testing.T) {
			src, _ := be.Open(t)
			fill(t, src)
			content := []byte("監査の証跡")
			sum := hashOf(content)
			it, refs, v := withEvidenceIn(t, src, "acme", sum)
			if _, err := src.Put(ctx, "acme", it, refs, v, "alice"); err != nil {
				t.Fatal(err)
			}
			b := backup(t, src)
			// As version 8 wrote it: no owners table, an older schema.
			old := rewriteOld(t, b, func(man map[string]any) {
				man["schema_version"] = 8
				var keep []any
				for _, tb := range man["tables"].([]any) {
					if tb.(map[string]any)["name"] != "evidence_owners" {
						keep = append(keep, tb)
					}
				}
				man["tables"] = keep
			}, "tables/evidence_owners.jsonl")
			dst, _ := be.Open(t)
			if _, err := dst.Restore(ctx, bytes.NewReader(old), nil); err != nil {
				t.Fatal(err)
			}
			if got, err := readEvidence(dst, "acme", sum); err != nil || !bytes.Equal(got, content) {
				t.Errorf("the file an item names after restoring an older backup: %v", err)
			}
			if _, err := readEvidence(dst, "old", sum); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("an organization whose items do not name the file reads it: %v", err)
			}
		})
	}
}

func withEvidenceIn(t *testing.T, s *store.Store, org, sum string) (bundle.Item, []bundle.Ref, int64) {
	t.Helper()
	return withEvidence(t, s, org, map[string]string{"name": "証跡.pdf", "sha256": sum})
}

// rewriteOld returns the archive with its manifest changed and some files
// left out.
func rewriteOld(t *testing.T, b []byte, change func(map[string]any), drop ...string) []byte {
	t.Helper()
	gz, _ := gzip.NewReader(bytes.NewReader(b))
	tr := tar.NewReader(gz)
	var out bytes.Buffer
	gw := gzip.NewWriter(&out)
	tw := tar.NewWriter(gw)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		c, _ := io.ReadAll(tr)
		if slices.Contains(drop, h.Name) {
			continue
		}
		if h.Name == "manifest.json" {
			var man map[string]any
			json.Unmarshal(c, &man)
			change(man)
			c, _ = json.Marshal(man)
		}
		h.Size = int64(len(c))
		tw.WriteHeader(h)
		tw.Write(c)
	}
	tw.Close()
	gw.Close()
	return out.Bytes()
}
