// Package storetest opens test stores on SQLite, and on PostgreSQL when
// CLOUDISMS_TEST_POSTGRES holds a URL, each in a fresh database or schema.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"os"
	"strings"
	"testing"

	"github.com/cloudisms/cloudisms/internal/store"
)

// Backend opens a fresh, empty store.
type Backend struct {
	Name string
	Open func(t testing.TB) (*store.Store, string) // the store and its DSN ("" for SQLite: see DataDir)
}

// PostgresURL is the server the PostgreSQL tests use ("" skips them).
func PostgresURL() string { return os.Getenv("CLOUDISMS_TEST_POSTGRES") }

// Backends lists SQLite always and PostgreSQL when configured; when it is
// not, the PostgreSQL case is reported as skipped with the reason.
func Backends(t testing.TB) []Backend {
	bs := []Backend{{Name: "sqlite", Open: func(t testing.TB) (*store.Store, string) {
		dir := t.TempDir()
		s, err := store.Open(context.Background(), "", dir)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s, dir
	}}}
	if PostgresURL() == "" {
		t.Log("CLOUDISMS_TEST_POSTGRES is not set: PostgreSQL contract tests skipped")
		bs = append(bs, Backend{Name: "postgres", Open: func(t testing.TB) (*store.Store, string) {
			t.Skip("CLOUDISMS_TEST_POSTGRES is not set: set it to a PostgreSQL URL to run these tests")
			return nil, ""
		}})
		return bs
	}
	bs = append(bs, Backend{Name: "postgres", Open: func(t testing.TB) (*store.Store, string) {
		dsn := FreshSchema(t)
		// Evidence files go to a temporary directory, not the package's.
		s, err := store.Open(context.Background(), dsn, t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s, dsn
	}})
	return bs
}

// FreshSchema creates an empty schema on the test server and returns a URL
// whose connections use it; the schema is dropped when the test ends.
func FreshSchema(t testing.TB) string {
	base := PostgresURL()
	b := make([]byte, 6)
	rand.Read(b)
	schema := "t_" + hex.EncodeToString(b)
	db, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`CREATE SCHEMA ` + schema); err != nil {
		db.Close()
		t.Fatalf("create schema on %s: %v", base, err)
	}
	t.Cleanup(func() {
		db.Exec(`DROP SCHEMA ` + schema + ` CASCADE`)
		db.Close()
	})
	sep := "?"
	if strings.Contains(base, "?") {
		sep = "&"
	}
	return base + sep + "search_path=" + schema
}
