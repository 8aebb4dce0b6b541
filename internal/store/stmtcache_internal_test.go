package store

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"modernc.org/sqlite"
)

// openCachedSQLite is a one-connection database of the statement-caching
// connector, so that every query below runs on the same connection.
func openCachedSQLite(t *testing.T) *sql.DB {
	t.Helper()
	conn, err := sqlite.NewConnector("file:" + filepath.Join(t.TempDir(), "c.db") + "?_pragma=journal_mode(WAL)")
	if err != nil {
		t.Fatal(err)
	}
	db := sql.OpenDB(stmtCacheConnector{conn})
	db.SetMaxOpenConns(1)
	db.SetMaxIdleConns(1)
	t.Cleanup(func() { db.Close() })
	return db
}

// keptCount is how many statements the pool's one connection keeps.
func keptCount(t *testing.T, db *sql.DB) int {
	t.Helper()
	c, err := db.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	n := -1
	c.Raw(func(dc any) error {
		n = len(dc.(*stmtCacheConn).stmts)
		return nil
	})
	return n
}

func TestStmtCache(t *testing.T) {
	ctx := context.Background()
	db := openCachedSQLite(t)
	mustExec := func(q string, args ...any) {
		t.Helper()
		if _, err := db.ExecContext(ctx, q, args...); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	// A script of several statements runs, and is not kept.
	mustExec(`CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE); CREATE TABLE u (x INTEGER)`)
	if n := keptCount(t, db); n != 0 {
		t.Fatalf("after a script: %d kept statements, want 0", n)
	}

	t.Run("reused", func(t *testing.T) {
		for i := range 5 {
			mustExec(`INSERT INTO t (id, name) VALUES ($1, $2)`, i, fmt.Sprint("n", i))
		}
		var name string
		for i := range 5 {
			if err := db.QueryRowContext(ctx, `SELECT name FROM t WHERE id = $1`, i).Scan(&name); err != nil || name != fmt.Sprint("n", i) {
				t.Fatalf("row %d: %q, %v", i, name, err)
			}
		}
		if n := keptCount(t, db); n != 2 {
			t.Fatalf("%d kept statements, want 2 (the insert and the select)", n)
		}
	})

	t.Run("same query while its rows are open", func(t *testing.T) {
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer tx.Rollback()
		const q = `SELECT id FROM t WHERE id >= $1 ORDER BY id`
		outer, err := tx.QueryContext(ctx, q, 0)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for outer.Next() {
			var id int
			outer.Scan(&id)
			inner, err := tx.QueryContext(ctx, q, id)
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			for inner.Next() {
				n++
			}
			inner.Close()
			got = append(got, fmt.Sprintf("%d:%d", id, n))
		}
		if err := outer.Err(); err != nil {
			t.Fatal(err)
		}
		outer.Close()
		if want := "0:5 1:4 2:3 3:2 4:1"; strings.Join(got, " ") != want {
			t.Fatalf("nested reads: %v, want %s", got, want)
		}
	})

	t.Run("a failed statement is not reused", func(t *testing.T) {
		const ins = `INSERT INTO t (id, name) VALUES ($1, $2)`
		if _, err := db.ExecContext(ctx, ins, 10, "n1"); err == nil || !strings.Contains(err.Error(), "UNIQUE") {
			t.Fatalf("duplicate name: %v, want a UNIQUE failure", err)
		}
		mustExec(ins, 10, "n10")
		var n int
		if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM t`).Scan(&n); err != nil || n != 6 {
			t.Fatalf("count %d, %v; want 6", n, err)
		}
		if _, err := db.QueryContext(ctx, `SELECT nope FROM t`); err == nil {
			t.Fatal("a query of a missing column ran")
		}
	})

	t.Run("schema change", func(t *testing.T) {
		const q = `SELECT * FROM u`
		rows, err := db.QueryContext(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		rows.Close()
		mustExec(`ALTER TABLE u ADD COLUMN y TEXT`)
		mustExec(`INSERT INTO u (x, y) VALUES (1, 'a')`)
		rows, err = db.QueryContext(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		cols, _ := rows.Columns()
		if len(cols) != 2 {
			t.Fatalf("columns after ALTER TABLE: %v, want x and y", cols)
		}
	})

	t.Run("bounded", func(t *testing.T) {
		for i := range maxConnStmts + 50 {
			var v int
			if err := db.QueryRowContext(ctx, fmt.Sprintf(`SELECT %d`, i)).Scan(&v); err != nil || v != i {
				t.Fatalf("SELECT %d: %d, %v", i, v, err)
			}
		}
		if n := keptCount(t, db); n > maxConnStmts {
			t.Fatalf("%d kept statements, bound %d", n, maxConnStmts)
		}
	})
}
