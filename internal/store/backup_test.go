package store_test

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"io"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cloudisms/cloudisms/internal/bundle"
	"github.com/cloudisms/cloudisms/internal/store"
	"github.com/cloudisms/cloudisms/internal/store/storetest"
)

// fill puts one of everything a backup must keep into s: two
// organizations, edits (history beyond the import), an approval, users,
// memberships, a session, an API token and an evidence file. It returns
// the session token.
func fill(t *testing.T, s *store.Store) string {
	t.Helper()
	m, _ := sample(t, "sample-saas.yaml")
	if _, err := s.Import(ctx, "acme", m, "alice"); err != nil {
		t.Fatal(err)
	}
	m2, _ := sample(t, "sample-2013.yaml")
	if _, err := s.Import(ctx, "old", m2, "bob"); err != nil {
		t.Fatal(err)
	}
	it, err := s.Get(ctx, "acme", "risks", m.Risks[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	changed, refs, err := bundle.DecodeItem("risks", it.Key, []byte(strings.Replace(string(it.Data), m.Risks[0].Title, "書き換えたリスク", 1)), "iso27001:2022")
	if err != nil {
		t.Fatal(err)
	}
	put, err := s.Put(ctx, "acme", changed, refs, it.Version, "carol")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Approve(ctx, "acme", changed, refs, put.Version, m.Risks[0].Owner, "carol"); err != nil {
		t.Fatal(err)
	}
	u, err := s.CreateUser(ctx, "alice@example.com", "アリス", "ja", "correct horse battery")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.AddMember(ctx, "acme", u.ID, "admin", "p-isms"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.CreateToken(ctx, u.ID, "ci", time.Now().Add(24*time.Hour)); err != nil {
		t.Fatal(err)
	}
	session, err := s.CreateSession(ctx, u.ID, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.SaveEvidence(ctx, "acme", "alice", strings.NewReader("監査の証跡")); err != nil {
		t.Fatal(err)
	}
	return session
}

// archive reads a backup into its manifest and every file's content.
func archive(t *testing.T, b []byte) (store.Manifest, map[string]string) {
	t.Helper()
	gz, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(gz)
	files := map[string]string{}
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		c, _ := io.ReadAll(tr)
		files[h.Name] = string(c)
	}
	var man store.Manifest
	if err := json.Unmarshal([]byte(files["manifest.json"]), &man); err != nil {
		t.Fatal(err)
	}
	return man, files
}

// sortedRows is a table file's lines with the rows sorted, so that two
// databases that order text differently compare equal.
func sortedRows(file string) []string {
	lines := strings.Split(strings.TrimSuffix(file, "\n"), "\n")
	rows := lines[1:]
	slices.Sort(rows)
	return append(lines[:1], rows...)
}

func backup(t *testing.T, s *store.Store) []byte {
	t.Helper()
	var buf bytes.Buffer
	var last [2]int
	if _, err := s.Backup(ctx, &buf, func(done, total int) { last = [2]int{done, total} }); err != nil {
		t.Fatal(err)
	}
	if last[0] != last[1] || last[1] == 0 {
		t.Errorf("backup progress ended at %v", last)
	}
	return buf.Bytes()
}

// TestBackupRestore backs up a filled store, restores it into an empty one
// of every backend, and compares everything: every row of every table
// (history chain, accounts, approvals), the bundles, the evidence files.
func TestBackupRestore(t *testing.T) {
	backends := storetest.Backends(t)
	for _, from := range backends {
		for _, to := range backends {
			t.Run(from.Name+"→"+to.Name, func(t *testing.T) {
				src, _ := from.Open(t)
				session := fill(t, src)
				b := backup(t, src)
				man, files := archive(t, b)
				for _, table := range []string{"orgs", "items", "history", "history_heads", "users", "sessions", "api_tokens", "memberships", "approvals"} {
					if man.Rows(table) == 0 {
						t.Errorf("the backup has no rows of %s", table)
					}
				}
				if man.Evidence != 1 || len(man.Orgs) != 2 {
					t.Errorf("manifest: %d evidence files, organizations %v", man.Evidence, man.Orgs)
				}
				dst, _ := to.Open(t)
				res, err := dst.Restore(ctx, bytes.NewReader(b), nil)
				if err != nil {
					t.Fatal(err)
				}
				if res.History != int64(man.Rows("history")) {
					t.Errorf("verified %d history records, backed up %d", res.History, man.Rows("history"))
				}
				man2, files2 := archive(t, backup(t, dst))
				for _, tb := range man.Tables {
					if !slices.Equal(sortedRows(files["tables/"+tb.Name+".jsonl"]), sortedRows(files2["tables/"+tb.Name+".jsonl"])) {
						t.Errorf("table %s differs after the round trip", tb.Name)
					}
				}
				for name, content := range files {
					if strings.HasPrefix(name, "bundles/") || strings.HasPrefix(name, "evidence/") {
						if files2[name] != content {
							t.Errorf("%s differs after the round trip", name)
						}
					}
				}
				if len(man2.Tables) != len(man.Tables) {
					t.Errorf("%d tables after the round trip, %d before", len(man2.Tables), len(man.Tables))
				}
				// The restored store works: the session signs in, exports
				// equal the originals, new rows get fresh numbers.
				if u, err := dst.SessionUser(ctx, session); err != nil || u.Email != "alice@example.com" {
					t.Errorf("the session does not work after restore: %v %v", u, err)
				}
				for _, org := range []string{"acme", "old"} {
					a, _ := src.Export(ctx, org)
					c, err := dst.Export(ctx, org)
					if err != nil || !bytes.Equal(a, c) {
						t.Errorf("export of %s differs after restore (%v)", org, err)
					}
				}
				if _, err := dst.CreateUser(ctx, "new@example.com", "", "en", "another long password"); err != nil {
					t.Errorf("a new user after restore: %v", err)
				}
				if err := dst.CreateOrg(ctx, "fresh", "Fresh"); err != nil {
					t.Error(err)
				}
			})
		}
	}
}

func TestRestoreRefusesBadInput(t *testing.T) {
	for _, be := range storetest.Backends(t) {
		t.Run(be.Name, func(t *testing.T) {
			src, _ := be.Open(t)
			fill(t, src)
			b := backup(t, src)

			if _, err := src.Restore(ctx, bytes.NewReader(b), nil); !errors.Is(err, store.ErrNotEmpty) || !strings.Contains(err.Error(), "table orgs has 2 rows") {
				t.Errorf("restore into a non-empty store: %v", err)
			}

			// A changed row: the table's SHA-256 does not match, nothing is
			// written.
			_, files := archive(t, b)
			tampered := rewrite(t, b, "tables/items.jsonl", strings.Replace(files["tables/items.jsonl"], "書き換えたリスク", "書き換えたリスX", 1))
			dst, _ := be.Open(t)
			if _, err := dst.Restore(ctx, bytes.NewReader(tampered), nil); err == nil || !strings.Contains(err.Error(), "SHA-256") {
				t.Errorf("a tampered archive: %v", err)
			}
			if orgs, _ := dst.Orgs(ctx); len(orgs) != 0 {
				t.Errorf("a failed restore left %d organizations", len(orgs))
			}
			// A truncated archive and something that is no archive at all.
			if _, err := dst.Restore(ctx, bytes.NewReader(b[:len(b)/2]), nil); err == nil {
				t.Error("a truncated archive was restored")
			}
			if _, err := dst.Restore(ctx, strings.NewReader("format: cloudisms/v1\n"), nil); err == nil || !strings.Contains(err.Error(), "not a cloudisms backup") {
				t.Errorf("a YAML file: %v", err)
			}
			if orgs, _ := dst.Orgs(ctx); len(orgs) != 0 {
				t.Errorf("failed restores left %d organizations", len(orgs))
			}
			// The intact archive still restores into the same store.
			if _, err := dst.Restore(ctx, bytes.NewReader(b), nil); err != nil {
				t.Errorf("the intact archive after failed attempts: %v", err)
			}
		})
	}
}

// rewrite returns the archive with one file's content replaced.
func rewrite(t *testing.T, b []byte, name, content string) []byte {
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
		if h.Name == name {
			c = []byte(content)
		}
		h.Size = int64(len(c))
		tw.WriteHeader(h)
		tw.Write(c)
	}
	tw.Close()
	gw.Close()
	return out.Bytes()
}

// TestBackupWhileWriting takes backups while writers edit: every backup
// restores into a store whose history verifies (a consistent snapshot,
// never half a transaction).
func TestBackupWhileWriting(t *testing.T) {
	for _, be := range storetest.Backends(t) {
		t.Run(be.Name, func(t *testing.T) {
			src, _ := be.Open(t)
			fill(t, src)
			m, _ := sample(t, "sample-saas.yaml")
			var stop atomic.Bool
			var wg sync.WaitGroup
			var writes atomic.Int64
			wg.Go(func() {
				for i := 0; !stop.Load(); i++ {
					m.Organization.Name = "変更 " + string(rune('A'+i%26))
					if _, err := src.Import(ctx, "acme", m, "writer"); err != nil {
						t.Errorf("import during backup: %v", err)
						return
					}
					writes.Add(1)
				}
			})
			for range 3 {
				b := backup(t, src)
				dst, _ := be.Open(t)
				if _, err := dst.Restore(ctx, bytes.NewReader(b), nil); err != nil {
					t.Errorf("a backup taken during writes does not restore: %v", err)
				}
			}
			stop.Store(true)
			wg.Wait()
			if writes.Load() == 0 {
				t.Error("no write ran during the backups")
			}
		})
	}
}
