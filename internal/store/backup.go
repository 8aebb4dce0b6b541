package store

import (
	"archive/tar"
	"bufio"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/cloudisms/cloudisms/internal/bundle"
	"github.com/cloudisms/cloudisms/internal/store/blob"
)

// A backup is a gzip-compressed tar archive:
//
//	manifest.json          format, when, from which database and schema,
//	                       every table with its columns, row count and SHA-256
//	tables/NAME.jsonl      one JSON array per line: the column names, then
//	                       every row (the rows as stored, history chain included)
//	bundles/ORG.yaml       each organization's ISMS as a canonical bundle, for
//	                       reading or importing on its own
//	evidence/xx/SHA256     the evidence files
//
// The tables are read from one consistent snapshot while the server goes on
// serving: on SQLite a VACUUM INTO copy, on PostgreSQL one read-only
// repeatable-read transaction. A backup restores into either database.
const backupFormat = "cloudisms-backup/1"

// skipTables are not backed up: the migration bookkeeping (the target has
// its own), and short-lived data whose loss costs nothing (login failure
// counters and known sign-in addresses, export jobs and their results).
// Nor are the search tables (search_*): the items' triggers rebuild them
// as a restore writes the items. Nor are open invitations, whose links
// are single-use secrets best made afresh, nor passkey ceremonies and
// single sign-ons on their way through a provider, which last minutes.
var skipTables = map[string]bool{"schema_migrations": true, "login_failures": true, "login_throttle": true, "login_known": true, "invitations": true, "export_jobs": true, "passkey_ceremonies": true, "sso_states": true}

// tableOrder puts the tables others refer to first, so that a restore
// inserts parents before children. Tables not named here follow, by name.
var tableOrder = []string{"orgs", "users", "items", "history", "history_heads", "sessions", "api_tokens", "memberships", "approvals"}

// Manifest describes a backup.
type Manifest struct {
	Format        string          `json:"format"`
	CreatedAt     string          `json:"created_at"`
	Dialect       string          `json:"dialect"`
	SchemaVersion int             `json:"schema_version"`
	Tables        []ManifestTable `json:"tables"`
	Orgs          []string        `json:"orgs"`
	Evidence      int             `json:"evidence_files"`
	// HistoryJSON: every history value in the backup is JSON (migration
	// 0010); a backup without it has its records converted on restore.
	HistoryJSON bool `json:"history_json,omitempty"`
	// EvidenceMissing lists files that an organization claimed but that
	// were gone from the object store when the backup read them.
	EvidenceMissing []string `json:"evidence_missing,omitempty"`
}

// ManifestTable is one table in a backup.
type ManifestTable struct {
	Name    string   `json:"name"`
	Columns []string `json:"columns"`
	Rows    int      `json:"rows"`
	SHA256  string   `json:"sha256"`
}

// Rows counts the rows of a table in the manifest (0 when absent).
func (m *Manifest) Rows(table string) int {
	for _, t := range m.Tables {
		if t.Name == table {
			return t.Rows
		}
	}
	return 0
}

type tableInfo struct {
	name     string
	cols     []string
	types    []string // the database's type names, lower case
	identity string   // an auto-numbered column, "" if none
}

// tables lists the tables worth backing up, in restore order.
func listTables(ctx context.Context, q querier, dialect string) ([]tableInfo, error) {
	var names []string
	listQ := `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`
	if dialect == "postgres" {
		listQ = `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`
	}
	if err := collect(ctx, q, listQ, nil, func(r *sql.Rows) error {
		var n string
		if err := r.Scan(&n); err != nil {
			return err
		}
		if !skipTables[n] && !strings.HasPrefix(n, "search_") {
			names = append(names, n)
		}
		return nil
	}); err != nil {
		return nil, fmt.Errorf("list tables: %w", err)
	}
	rank := func(n string) int {
		if i := slices.Index(tableOrder, n); i >= 0 {
			return i
		}
		return len(tableOrder)
	}
	sort.Slice(names, func(i, j int) bool {
		ri, rj := rank(names[i]), rank(names[j])
		if ri != rj {
			return ri < rj
		}
		return names[i] < names[j]
	})
	out := make([]tableInfo, 0, len(names))
	for _, n := range names {
		t := tableInfo{name: n}
		colQ := `SELECT name, lower(type), CASE WHEN pk = 1 AND lower(type) = 'integer' THEN 'YES' ELSE 'NO' END FROM pragma_table_info($1) ORDER BY cid`
		if dialect == "postgres" {
			colQ = `SELECT column_name, lower(data_type), is_identity FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1 ORDER BY ordinal_position`
		}
		if err := collect(ctx, q, colQ, []any{n}, func(r *sql.Rows) error {
			var c, typ, ident string
			if err := r.Scan(&c, &typ, &ident); err != nil {
				return err
			}
			t.cols = append(t.cols, c)
			t.types = append(t.types, typ)
			if ident == "YES" {
				t.identity = c
			}
			return nil
		}); err != nil {
			return nil, fmt.Errorf("columns of %s: %w", n, err)
		}
		out = append(out, t)
	}
	return out, nil
}

func collect(ctx context.Context, q querier, query string, args []any, each func(*sql.Rows) error) error {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := each(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// BackupResult says what a backup holds.
type BackupResult struct {
	Manifest Manifest
	Bytes    int64
}

// Backup writes a consistent backup of the whole store to w while the
// store goes on serving. progress, when set, is told how many rows are
// written.
func (s *Store) Backup(ctx context.Context, w io.Writer, progress func(done, total int)) (BackupResult, error) {
	var res BackupResult
	tmp, err := os.MkdirTemp(s.tempBase(), ".backup-*")
	if err != nil {
		return res, fmt.Errorf("backup: %w", err)
	}
	defer os.RemoveAll(tmp)
	var evidence []string
	err = s.snapshot(ctx, tmp, func(q querier) error {
		if err := dumpTables(ctx, q, s.d.name, tmp, &res.Manifest, progress); err != nil {
			return err
		}
		evidence, err = evidenceOf(ctx, q)
		return err
	})
	if err != nil {
		return res, fmt.Errorf("backup: %w", err)
	}
	res.Manifest.Format = backupFormat
	res.Manifest.CreatedAt = s.stamp()
	res.Manifest.Dialect = s.d.name
	if res.Manifest.SchemaVersion, err = s.schemaVersion(ctx); err != nil {
		return res, fmt.Errorf("backup: %w", err)
	}
	res.Manifest.Evidence = len(evidence)
	res.Manifest.HistoryJSON = true
	cw := &countWriter{w: w}
	if err := s.writeArchive(ctx, cw, tmp, &res.Manifest, evidence); err != nil {
		return res, fmt.Errorf("backup: %w", err)
	}
	res.Bytes = cw.n
	return res, nil
}

// tempBase is where a backup or an upload keeps its working files: in
// the data directory, so that there is room for them, else the system's
// temporary directory (an instance without local data).
func (s *Store) tempBase() string {
	if st, err := os.Stat(s.dataDir); err == nil && st.IsDir() {
		return s.dataDir
	}
	return os.TempDir()
}

// TempDir is where commands keep large working files (a backup before it
// is sent to a bucket).
func (s *Store) TempDir() string { return s.tempBase() }

// snapshot calls f with a view of the database that no write changes.
func (s *Store) snapshot(ctx context.Context, tmp string, f func(q querier) error) error {
	if s.d.name == "postgres" {
		tx, err := s.db.BeginTx(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true})
		if err != nil {
			return err
		}
		defer tx.Rollback()
		return f(tx)
	}
	// VACUUM INTO copies the database as of one read transaction; writers
	// go on meanwhile (WAL), and the copy is read at leisure.
	copyPath := filepath.Join(tmp, "snapshot.db")
	if _, err := s.db.ExecContext(ctx, `VACUUM INTO $1`, copyPath); err != nil {
		return fmt.Errorf("snapshot: %w", err)
	}
	db, err := sql.Open("sqlite", "file:"+copyPath+"?mode=ro")
	if err != nil {
		return fmt.Errorf("snapshot: %w", err)
	}
	defer os.Remove(copyPath)
	defer db.Close()
	return f(db)
}

func (s *Store) schemaVersion(ctx context.Context) (int, error) {
	var v sql.NullInt64
	err := s.db.QueryRowContext(ctx, `SELECT MAX(version) FROM schema_migrations`).Scan(&v)
	return int(v.Int64), err
}

// dumpTables writes every table as tables/NAME.jsonl and every
// organization's bundle as bundles/ORG.yaml under dir.
func dumpTables(ctx context.Context, q querier, dialect, dir string, man *Manifest, progress func(done, total int)) error {
	tables, err := listTables(ctx, q, dialect)
	if err != nil {
		return err
	}
	total := 0
	for _, t := range tables {
		var n int
		if err := q.(rowQuerier).QueryRowContext(ctx, `SELECT COUNT(*) FROM `+t.name).Scan(&n); err != nil {
			return fmt.Errorf("count %s: %w", t.name, err)
		}
		total += n
	}
	if err := os.MkdirAll(filepath.Join(dir, "tables"), 0o700); err != nil {
		return err
	}
	done := 0
	for _, t := range tables {
		mt, err := dumpTable(ctx, q, t, filepath.Join(dir, "tables", t.name+".jsonl"), func() {
			done++
			if progress != nil && (done%1000 == 0 || done == total) {
				progress(done, total)
			}
		})
		if err != nil {
			return fmt.Errorf("table %s: %w", t.name, err)
		}
		man.Tables = append(man.Tables, mt)
	}
	if progress != nil {
		progress(total, total)
	}
	return dumpBundles(ctx, q, dir, man)
}

func dumpTable(ctx context.Context, q querier, t tableInfo, path string, row func()) (ManifestTable, error) {
	mt := ManifestTable{Name: t.name, Columns: t.cols}
	f, err := os.Create(path)
	if err != nil {
		return mt, err
	}
	defer f.Close()
	h := sha256.New()
	bw := bufio.NewWriterSize(io.MultiWriter(f, h), 1<<16)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(t.cols); err != nil {
		return mt, err
	}
	order := make([]string, 0, 4)
	for i := range min(len(t.cols), 4) {
		order = append(order, t.cols[i])
	}
	query := `SELECT ` + strings.Join(t.cols, ", ") + ` FROM ` + t.name + ` ORDER BY ` + strings.Join(order, ", ")
	vals := make([]any, len(t.cols))
	ptrs := make([]any, len(t.cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	err = collect(ctx, q, query, nil, func(r *sql.Rows) error {
		if err := r.Scan(ptrs...); err != nil {
			return err
		}
		out := make([]any, len(vals))
		for i, v := range vals {
			out[i] = archiveValue(v, t.types[i])
		}
		mt.Rows++
		row()
		return enc.Encode(out)
	})
	if err != nil {
		return mt, err
	}
	if err := bw.Flush(); err != nil {
		return mt, err
	}
	mt.SHA256 = hex.EncodeToString(h.Sum(nil))
	return mt, f.Close()
}

// archiveValue turns a scanned value into its JSON form: text as a string,
// numbers as numbers, booleans as booleans (SQLite's 0/1 too), bytes that
// are not text as {"base64": …}.
func archiveValue(v any, typ string) any {
	switch x := v.(type) {
	case []byte:
		if typ == "bytea" || typ == "blob" {
			return map[string]string{"base64": base64.StdEncoding.EncodeToString(x)}
		}
		return string(x)
	case time.Time:
		return x.UTC().Format(time.RFC3339Nano)
	case int64:
		if typ == "boolean" {
			return x != 0
		}
	}
	return v
}

// dumpBundles writes each organization's canonical bundle from the
// snapshot's items.
func dumpBundles(ctx context.Context, q querier, dir string, man *Manifest) error {
	if err := os.MkdirAll(filepath.Join(dir, "bundles"), 0o700); err != nil {
		return err
	}
	var orgs []string
	if err := collect(ctx, q, `SELECT id FROM orgs ORDER BY id`, nil, func(r *sql.Rows) error {
		var id string
		if err := r.Scan(&id); err != nil {
			return err
		}
		orgs = append(orgs, id)
		return nil
	}); err != nil {
		return err
	}
	for _, org := range orgs {
		var items []bundle.Item
		err := collect(ctx, q, `SELECT kind, key, label, owner, data FROM items WHERE org_id = $1 ORDER BY pos, kind, key`, []any{org}, func(r *sql.Rows) error {
			var it bundle.Item
			var data string
			if err := r.Scan(&it.Kind, &it.Key, &it.Label, &it.Owner, &data); err != nil {
				return err
			}
			it.Data = []byte(data)
			items = append(items, it)
			return nil
		})
		if err != nil {
			return fmt.Errorf("bundle of %s: %w", org, err)
		}
		if len(items) == 0 {
			continue
		}
		m, err := bundle.Join("org "+org, items)
		if err != nil {
			return fmt.Errorf("bundle of %s: %w", org, err)
		}
		b, err := bundle.Encode(m)
		if err != nil {
			return fmt.Errorf("bundle of %s: %w", org, err)
		}
		if err := os.WriteFile(filepath.Join(dir, "bundles", org+".yaml"), b, 0o600); err != nil {
			return err
		}
		man.Orgs = append(man.Orgs, org)
	}
	return nil
}

// evidenceOf lists the evidence files the snapshot's organizations hold,
// each once.
func evidenceOf(ctx context.Context, q querier) ([]string, error) {
	var out []string
	err := collect(ctx, q, `SELECT DISTINCT sha256 FROM evidence_owners WHERE stored_at IS NOT NULL ORDER BY sha256`, nil, func(r *sql.Rows) error {
		var sum string
		if err := r.Scan(&sum); err != nil {
			return err
		}
		out = append(out, sum)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("evidence: %w", err)
	}
	return out, nil
}

// writeArchive writes the manifest, the dumped files under tmp and the
// evidence files as a tar.gz. Evidence files are read from the object
// store after the snapshot: a file that a stored claim of the snapshot
// names is only ever removed once no organization claims it any more, by
// a garbage collection told to delete; one gone by then is listed in the
// manifest as missing rather than failing the backup.
func (s *Store) writeArchive(ctx context.Context, w io.Writer, tmp string, man *Manifest, evidence []string) error {
	gz := gzip.NewWriter(w)
	tw := tar.NewWriter(gz)
	// The manifest goes first, so the evidence is read before it is
	// written: a spooled copy of the other entries is not needed, since
	// only the evidence count and the missing list depend on it.
	var present []string
	for _, sum := range evidence {
		if _, err := s.objects.Stat(ctx, evidenceKey(sum)); errors.Is(err, blob.ErrNotFound) {
			man.EvidenceMissing = append(man.EvidenceMissing, sum)
			continue
		} else if err != nil {
			return fmt.Errorf("evidence %s: %w", sum, err)
		}
		present = append(present, sum)
	}
	man.Evidence = len(present)
	mb, err := json.MarshalIndent(man, "", "  ")
	if err != nil {
		return err
	}
	if err := addBytes(tw, "manifest.json", mb); err != nil {
		return err
	}
	for _, t := range man.Tables {
		if err := addFile(tw, "tables/"+t.Name+".jsonl", filepath.Join(tmp, "tables", t.Name+".jsonl")); err != nil {
			return err
		}
	}
	for _, org := range man.Orgs {
		if err := addFile(tw, "bundles/"+org+".yaml", filepath.Join(tmp, "bundles", org+".yaml")); err != nil {
			return err
		}
	}
	for _, sum := range present {
		if err := s.addObject(ctx, tw, "evidence/"+evidenceKey(sum), evidenceKey(sum)); err != nil {
			return fmt.Errorf("evidence %s: %w", sum, err)
		}
	}
	if err := tw.Close(); err != nil {
		return err
	}
	return gz.Close()
}

// addObject copies one object of the store into the archive.
func (s *Store) addObject(ctx context.Context, tw *tar.Writer, name, key string) error {
	rc, o, err := s.objects.Open(ctx, key)
	if err != nil {
		return err
	}
	defer rc.Close()
	if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o600, Size: o.Size, ModTime: o.Modified}); err != nil {
		return err
	}
	n, err := io.Copy(tw, io.LimitReader(rc, o.Size))
	if err == nil && n != o.Size {
		err = fmt.Errorf("%d bytes read, %d expected", n, o.Size)
	}
	return err
}

func addBytes(tw *tar.Writer, name string, b []byte) error {
	if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o600, Size: int64(len(b)), ModTime: time.Now()}); err != nil {
		return err
	}
	_, err := tw.Write(b)
	return err
}

func addFile(tw *tar.Writer, name, path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o600, Size: st.Size(), ModTime: st.ModTime()}); err != nil {
		return err
	}
	_, err = io.Copy(tw, f)
	return err
}

type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}
