package store

import (
	"archive/tar"
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
	"path"
	"slices"
	"strings"
)

// ErrNotEmpty is a restore into a store that already holds data.
var ErrNotEmpty = errors.New("the store is not empty")

// RestoreResult says what a restore wrote.
type RestoreResult struct {
	Manifest Manifest
	Rows     int
	Evidence int
	// History is the number of history records verified after the
	// restore.
	History int64
}

// Restore reads a backup written by Backup into this store, which must be
// empty (ErrNotEmpty otherwise: nothing is written). Every table is
// written in one transaction and checked against the manifest's row count
// and SHA-256; the history chain is verified afterwards. progress, when
// set, is told how many rows are written.
func (s *Store) Restore(ctx context.Context, r io.Reader, progress func(done, total int)) (RestoreResult, error) {
	var res RestoreResult
	targets, err := listTables(ctx, s.db, s.d.name)
	if err != nil {
		return res, fmt.Errorf("restore: %w", err)
	}
	if err := s.checkEmpty(ctx, targets); err != nil {
		return res, err
	}
	gz, err := gzip.NewReader(r)
	if err != nil {
		return res, fmt.Errorf("restore: not a cloudisms backup (gzip): %w", err)
	}
	tr := tar.NewReader(gz)
	man, err := s.readManifest(ctx, tr)
	if err != nil {
		return res, err
	}
	res.Manifest = *man
	total := 0
	for _, t := range man.Tables {
		total += t.Rows
	}
	seen := map[string]bool{}
	err = s.tx(ctx, func(tx *sql.Tx) error {
		if s.d.name == "sqlite" {
			if _, err := tx.ExecContext(ctx, `PRAGMA defer_foreign_keys = ON`); err != nil {
				return err
			}
		}
		for {
			h, err := tr.Next()
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				return fmt.Errorf("read archive: %w", err)
			}
			switch dir, name := path.Split(h.Name); {
			case dir == "tables/" && strings.HasSuffix(name, ".jsonl"):
				table := strings.TrimSuffix(name, ".jsonl")
				n, err := s.restoreTable(ctx, tx, man, targets, table, tr, func(n int) {
					if progress != nil {
						progress(res.Rows+n, total)
					}
				})
				if err != nil {
					return fmt.Errorf("table %s: %w", table, err)
				}
				seen[table] = true
				res.Rows += n
			case strings.HasPrefix(dir, "evidence/"):
				if err := s.restoreEvidence(ctx, name, tr); err != nil {
					return err
				}
				res.Evidence++
			case dir == "bundles/":
				// A readable copy of the items, which the tables hold.
			default:
				return fmt.Errorf("unexpected file %s in the archive", h.Name)
			}
		}
		for _, t := range man.Tables {
			if !seen[t.Name] {
				return fmt.Errorf("the archive lacks table %s named in its manifest (truncated?)", t.Name)
			}
		}
		if res.Evidence != man.Evidence {
			return fmt.Errorf("the archive holds %d evidence files, its manifest says %d (truncated?)", res.Evidence, man.Evidence)
		}
		if man.SchemaVersion < evidenceOwnersVersion {
			// A backup from before evidence had owners: the files its
			// items name are theirs, as the migration does it.
			if err := backfillEvidenceOwners(ctx, tx, s.stamp()); err != nil {
				return err
			}
		}
		if !man.HistoryJSON {
			// A backup from before every history value was JSON:
			// converted as migration 0010 does.
			if err := jsonHistoryValues(ctx, tx, ""); err != nil {
				return err
			}
		}
		return s.resetIdentities(ctx, tx, targets)
	})
	if err != nil {
		return res, fmt.Errorf("restore: nothing was restored: %w", err)
	}
	if err := s.indexQueued(ctx); err != nil {
		return res, fmt.Errorf("restore: %w", err)
	}
	if progress != nil {
		progress(total, total)
	}
	broken, n, err := s.VerifyHistory(ctx)
	if err != nil {
		return res, fmt.Errorf("restore: verify history: %w", err)
	}
	if broken != nil {
		return res, fmt.Errorf("restore: the restored history is broken: organization %s, record %d (%s)", broken.Org, broken.N, broken.Reason)
	}
	res.History = n
	return res, nil
}

// checkEmpty refuses a store with any row in a table a backup covers.
func (s *Store) checkEmpty(ctx context.Context, targets []tableInfo) error {
	for _, t := range targets {
		var n int
		if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM `+t.name).Scan(&n); err != nil {
			return fmt.Errorf("restore: count %s: %w", t.name, err)
		}
		if n > 0 {
			return fmt.Errorf("restore: %w: table %s has %d rows; restore only into a new, empty database", ErrNotEmpty, t.name, n)
		}
	}
	return nil
}

func (s *Store) readManifest(ctx context.Context, tr *tar.Reader) (*Manifest, error) {
	h, err := tr.Next()
	if err != nil || h.Name != "manifest.json" {
		return nil, fmt.Errorf("restore: not a cloudisms backup (no manifest.json first)")
	}
	var man Manifest
	if err := json.NewDecoder(io.LimitReader(tr, 16<<20)).Decode(&man); err != nil {
		return nil, fmt.Errorf("restore: manifest.json: %w", err)
	}
	if man.Format != backupFormat {
		return nil, fmt.Errorf("restore: manifest.json: format %q, expected %q", man.Format, backupFormat)
	}
	v, err := s.schemaVersion(ctx)
	if err != nil {
		return nil, fmt.Errorf("restore: %w", err)
	}
	if man.SchemaVersion > v {
		return nil, fmt.Errorf("restore: the backup is from a newer cloudisms (schema %d; this one knows %d): restore it with that version", man.SchemaVersion, v)
	}
	return &man, nil
}

// restoreTable inserts the rows of one table's file, checking them
// against the manifest.
func (s *Store) restoreTable(ctx context.Context, tx *sql.Tx, man *Manifest, targets []tableInfo, table string, r io.Reader, progress func(int)) (int, error) {
	mi := slices.IndexFunc(man.Tables, func(t ManifestTable) bool { return t.Name == table })
	ti := slices.IndexFunc(targets, func(t tableInfo) bool { return t.name == table })
	switch {
	case mi < 0:
		return 0, fmt.Errorf("not in the manifest")
	case ti < 0:
		return 0, fmt.Errorf("this version of cloudisms has no such table")
	}
	want, target := man.Tables[mi], targets[ti]
	h := sha256.New()
	dec := json.NewDecoder(io.TeeReader(r, h))
	dec.UseNumber()
	var cols []string
	if err := dec.Decode(&cols); err != nil {
		return 0, fmt.Errorf("column line: %w", err)
	}
	types := make([]string, len(cols))
	for i, c := range cols {
		j := slices.Index(target.cols, c)
		if j < 0 {
			return 0, fmt.Errorf("column %s is unknown to this version of cloudisms", c)
		}
		types[i] = target.types[j]
	}
	insert := `INSERT INTO ` + table + ` (` + strings.Join(cols, ", ") + `) `
	if s.d.name == "postgres" && target.identity != "" {
		insert += `OVERRIDING SYSTEM VALUE `
	}
	insert += `VALUES `
	batchRows := max(1, min(s.d.batchRows, 60000/len(cols)))
	var args []any
	rows, n := 0, 0
	flush := func() error {
		if rows == 0 {
			return nil
		}
		var q strings.Builder
		q.WriteString(insert)
		for i := range rows {
			if i > 0 {
				q.WriteByte(',')
			}
			q.WriteString(placeholders(i*len(cols), len(cols)))
		}
		if _, err := tx.ExecContext(ctx, q.String(), args...); err != nil {
			return err
		}
		args, rows = args[:0], 0
		progress(n)
		return nil
	}
	for {
		var row []any
		err := dec.Decode(&row)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return n, fmt.Errorf("row %d: %w", n+1, err)
		}
		if len(row) != len(cols) {
			return n, fmt.Errorf("row %d has %d values for %d columns", n+1, len(row), len(cols))
		}
		for i, v := range row {
			cv, err := columnValue(v, types[i])
			if err != nil {
				return n, fmt.Errorf("row %d, column %s: %w", n+1, cols[i], err)
			}
			args = append(args, cv)
		}
		rows++
		n++
		if rows == batchRows {
			if err := flush(); err != nil {
				return n, err
			}
		}
	}
	if err := flush(); err != nil {
		return n, err
	}
	if n != want.Rows {
		return n, fmt.Errorf("%d rows, the manifest says %d", n, want.Rows)
	}
	if sum := hex.EncodeToString(h.Sum(nil)); sum != want.SHA256 {
		return n, fmt.Errorf("SHA-256 %s, the manifest says %s (the file was changed or damaged)", sum, want.SHA256)
	}
	return n, nil
}

// columnValue turns a JSON value of the archive into what the target
// column takes.
func columnValue(v any, typ string) (any, error) {
	switch x := v.(type) {
	case json.Number:
		if i, err := x.Int64(); err == nil {
			if typ == "boolean" {
				return i != 0, nil
			}
			return i, nil
		}
		return x.Float64()
	case map[string]any:
		b64, ok := x["base64"].(string)
		if !ok {
			return nil, fmt.Errorf("unexpected object")
		}
		return base64.StdEncoding.DecodeString(b64)
	case bool:
		if typ == "boolean" || typ == "bool" {
			return x, nil
		}
		if x {
			return int64(1), nil
		}
		return int64(0), nil
	}
	return v, nil
}

// restoreEvidence writes one evidence file to the object store, checking
// first that its content has the SHA-256 it is named by.
func (s *Store) restoreEvidence(ctx context.Context, name string, r io.Reader) error {
	if !shaPattern.MatchString(name) {
		return fmt.Errorf("evidence file %q is not named by a SHA-256", name)
	}
	tmp, err := os.CreateTemp(s.tempBase(), ".restore-*")
	if err != nil {
		return fmt.Errorf("evidence: %w", err)
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(tmp, h), io.LimitReader(r, MaxEvidence+1))
	if err == nil && n > MaxEvidence {
		err = ErrTooLarge
	}
	if err != nil {
		return fmt.Errorf("evidence %s: %w", name, err)
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != name {
		return fmt.Errorf("evidence %s: the content's SHA-256 is %s (damaged)", name, got)
	}
	if err := s.putObject(ctx, EvidenceFile{SHA256: name, Size: n}, tmp); err != nil {
		return fmt.Errorf("evidence %s: %w", name, err)
	}
	return nil
}

// resetIdentities moves PostgreSQL's identity sequences past the restored
// numbers, so that new rows do not collide with them. (SQLite's
// AUTOINCREMENT keeps track by itself.)
func (s *Store) resetIdentities(ctx context.Context, tx *sql.Tx, targets []tableInfo) error {
	if s.d.name != "postgres" {
		return nil
	}
	for _, t := range targets {
		if t.identity == "" {
			continue
		}
		q := fmt.Sprintf(`SELECT setval(pg_get_serial_sequence('%s', '%s'), COALESCE(MAX(%s), 0) + 1, false) FROM %s`, t.name, t.identity, t.identity, t.name)
		if _, err := tx.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("identity of %s: %w", t.name, err)
		}
	}
	return nil
}
