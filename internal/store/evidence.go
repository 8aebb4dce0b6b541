package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/cloudisms/cloudisms/internal/bundle"
	"github.com/cloudisms/cloudisms/internal/i18n"
	"github.com/cloudisms/cloudisms/internal/isms"
	"github.com/cloudisms/cloudisms/internal/store/blob"
)

// MaxEvidence is the largest evidence file accepted.
const MaxEvidence = 32 << 20

// ErrTooLarge is an evidence file over MaxEvidence.
var ErrTooLarge = errors.New("evidence file too large")

// ErrUploadIncomplete is an upload whose body could not be read to its
// end: the client stopped sending or its connection broke. Nothing was
// stored, and neither the database nor the object storage is at fault.
var ErrUploadIncomplete = errors.New("the upload ended before it was complete")

// bodyReader remembers the error of the reader it reads, so that a failed
// copy tells the upload's failure from the temporary file's.
type bodyReader struct {
	r   io.Reader
	err error
}

func (b *bodyReader) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	if err != nil && err != io.EOF {
		b.err = err
	}
	return n, err
}

var shaPattern = regexp.MustCompile(`^[0-9a-f]{64}$`)

// evidenceKey spreads files over 256 prefixes by the first two hex digits
// (folders in a directory, key prefixes in a bucket).
func evidenceKey(sum string) string { return sum[:2] + "/" + sum }

// EvidenceFile is a stored evidence file.
type EvidenceFile struct {
	SHA256 string
	Size   int64
}

// ObjectsFailed reports whether err is the object storage that keeps the
// evidence failing (unreachable, refusing, timing out): nothing was
// written, and the request may succeed later.
func ObjectsFailed(err error) bool { return blob.Unavailable(err) }

// Evidence is where the evidence files are kept (for messages).
func (s *Store) Evidence() string { return s.objects.String() }

// SaveEvidence stores an uploaded file for an organization, by content:
// the same content is kept once, whoever uploads it, and the organization
// is recorded as one that uploaded it, which is what lets its items name
// the file and its members download it.
//
// The order makes a failure at any step harmless: the file is read whole
// (and hashed) into a temporary file first; the organization's claim is
// recorded as pending, so that no garbage collection removes the object
// while it is being written; the object is written and checked; only then
// is the claim marked stored. An item can name only a stored file, so a
// failed or interrupted upload leaves no item pointing at a missing object.
func (s *Store) SaveEvidence(ctx context.Context, org, actor string, r io.Reader) (EvidenceFile, error) {
	var ev EvidenceFile
	tmp, err := os.CreateTemp(s.tempBase(), ".upload-*")
	if err != nil {
		return ev, fmt.Errorf("evidence: %w", err)
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()
	h := sha256.New()
	body := &bodyReader{r: io.LimitReader(r, MaxEvidence+1)}
	n, err := io.Copy(io.MultiWriter(tmp, h), body)
	if err == nil && n > MaxEvidence {
		err = ErrTooLarge
	}
	if err != nil && err == body.err {
		err = fmt.Errorf("%w: %w", ErrUploadIncomplete, err)
	}
	if err != nil {
		return ev, fmt.Errorf("evidence: %w", err)
	}
	ev = EvidenceFile{SHA256: hex.EncodeToString(h.Sum(nil)), Size: n}
	if err := s.claimEvidence(ctx, org, actor, ev); err != nil {
		return ev, fmt.Errorf("evidence %s: %w", ev.SHA256, err)
	}
	if err := s.putObject(ctx, ev, tmp); err != nil {
		// Withdraw the pending claim (a stored one, from an earlier
		// upload of the same file, stays). The request's context may be
		// what failed, so this gets its own.
		bg, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		s.db.ExecContext(bg, `DELETE FROM evidence_owners WHERE org_id = $1 AND sha256 = $2 AND stored_at IS NULL`, org, ev.SHA256)
		return ev, fmt.Errorf("evidence %s: %w", ev.SHA256, err)
	}
	if _, err := s.db.ExecContext(ctx, `UPDATE evidence_owners SET stored_at = $1, size = $2 WHERE org_id = $3 AND sha256 = $4`,
		s.stamp(), ev.Size, org, ev.SHA256); err != nil {
		return ev, fmt.Errorf("evidence %s: %w", ev.SHA256, err)
	}
	return ev, nil
}

// claimEvidence records that an organization is uploading a file. The
// evidence lock orders it against garbage collection's removal of the
// same object: either the collector sees this claim and keeps the object,
// or it has finished removing it before the object is written again.
func (s *Store) claimEvidence(ctx context.Context, org, actor string, ev EvidenceFile) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		if _, err := s.getOrg(ctx, tx, org); err != nil {
			return err
		}
		if err := s.lockEvidence(ctx, tx, false, ev.SHA256); err != nil {
			return err
		}
		// The first upload stays as when the file was collected; a
		// repeated one is the last upload (and a fresh claim for garbage
		// collection).
		_, err := tx.ExecContext(ctx, `INSERT INTO evidence_owners (org_id, sha256, size, uploaded_at, uploaded_by, stored_at, last_uploaded_at, last_uploaded_by)
			VALUES ($1, $2, $3, $4, $5, NULL, $4, $5)
			ON CONFLICT (org_id, sha256) DO UPDATE SET last_uploaded_at = excluded.last_uploaded_at, last_uploaded_by = excluded.last_uploaded_by`,
			org, ev.SHA256, ev.Size, s.stamp(), actor)
		return err
	})
}

// lockEvidence serializes, on PostgreSQL, the claims, references and
// removals of files between processes for the rest of the transaction
// (SQLite's transactions already take the database's one write lock).
// Uploads and items naming a file take it shared, so that they do not wait
// for each other; garbage collection takes it exclusive, so that it never
// removes a file that an upload or an item being saved is about to use.
func (s *Store) lockEvidence(ctx context.Context, tx *sql.Tx, exclusive bool, sums ...string) error {
	if s.d.name != "postgres" || len(sums) == 0 {
		return nil
	}
	keys := make([]int64, 0, len(sums))
	for _, sum := range sums {
		if len(sum) < 16 {
			continue
		}
		b, err := hex.DecodeString(sum[:16])
		if err != nil {
			continue
		}
		keys = append(keys, int64(binary.BigEndian.Uint64(b)))
	}
	slices.Sort(keys)
	keys = slices.Compact(keys)
	fn := "pg_advisory_xact_lock_shared"
	if exclusive {
		fn = "pg_advisory_xact_lock"
	}
	// One statement takes them all, in order (no deadlock between two
	// transactions taking overlapping sets).
	_, err := tx.ExecContext(ctx, `SELECT `+fn+`(k) FROM (SELECT unnest($1::bigint[]) AS k ORDER BY 1) AS keys`, keys)
	return err
}

// putObject writes the spooled file to the object store unless an object
// of that content is already there, then checks that it can be seen whole.
func (s *Store) putObject(ctx context.Context, ev EvidenceFile, f *os.File) error {
	key := evidenceKey(ev.SHA256)
	if o, err := s.objects.Stat(ctx, key); err == nil && o.Size == ev.Size {
		return nil // the same content, stored by an earlier upload
	} else if err != nil && !errors.Is(err, blob.ErrNotFound) {
		return err
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return err
	}
	var err error
	if hp, ok := s.objects.(blob.HashedPutter); ok {
		err = hp.PutSHA256(ctx, key, f, ev.Size, ev.SHA256)
	} else {
		err = s.objects.Put(ctx, key, f, ev.Size)
	}
	if err != nil {
		return err
	}
	o, err := s.objects.Stat(ctx, key)
	if err != nil {
		return fmt.Errorf("check after writing: %w", err)
	}
	if o.Size != ev.Size {
		return fmt.Errorf("check after writing: %d bytes stored, %d sent", o.Size, ev.Size)
	}
	return nil
}

// OpenEvidence opens a stored file for an organization: only a file that
// the organization uploaded itself can be read, so that one tenant cannot
// fetch another's files by hash. Any other hash is ErrNotFound.
func (s *Store) OpenEvidence(ctx context.Context, org, sum string) (io.ReadCloser, EvidenceFile, error) {
	ev := EvidenceFile{SHA256: sum}
	if !shaPattern.MatchString(sum) {
		return nil, ev, fmt.Errorf("evidence %s: %w", sum, ErrNotFound)
	}
	var n int
	if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM evidence_owners WHERE org_id = $1 AND sha256 = $2 AND stored_at IS NOT NULL`, org, sum).Scan(&n); err != nil {
		return nil, ev, err
	}
	if n == 0 {
		return nil, ev, fmt.Errorf("evidence %s of %s: %w", sum, org, ErrNotFound)
	}
	rc, o, err := s.objects.Open(ctx, evidenceKey(sum))
	if errors.Is(err, blob.ErrNotFound) {
		return nil, ev, fmt.Errorf("evidence %s: the file is missing from %s: %w", sum, s.objects, ErrNotFound)
	}
	if err != nil {
		return nil, ev, fmt.Errorf("evidence %s: %w", sum, err)
	}
	ev.Size = o.Size
	return rc, ev, nil
}

// checkEvidence refuses an item that names a file the organization has
// not uploaded (or whose upload has not finished), as it refuses a
// reference to an id that does not exist.
func (s *Store) checkEvidence(ctx context.Context, q querier, org string, it bundle.Item) error {
	refs, err := bundle.EvidenceRefs(it.Kind+".json", it.Data, it.Kind)
	if err != nil || len(refs) == 0 {
		return err
	}
	missing, err := s.unownedEvidence(ctx, q, org, refs)
	if err != nil || len(missing) == 0 {
		return err
	}
	r := missing[0]
	return &RefError{Path: r.Path, List: r.List, ID: r.ID}
}

// unownedEvidence returns the references to files the organization has
// no stored copy of.
func (s *Store) unownedEvidence(ctx context.Context, q querier, org string, refs []bundle.Ref) ([]bundle.Ref, error) {
	sums := make([]string, 0, len(refs))
	for _, r := range refs {
		sums = append(sums, r.ID)
	}
	slices.Sort(sums)
	sums = slices.Compact(sums)
	if tx, ok := q.(*sql.Tx); ok {
		// Hold the files against garbage collection until the item that
		// names them is committed.
		var valid []string
		for _, sum := range sums {
			if shaPattern.MatchString(sum) {
				valid = append(valid, sum)
			}
		}
		if err := s.lockEvidence(ctx, tx, false, valid...); err != nil {
			return nil, fmt.Errorf("evidence: %w", err)
		}
	}
	owned := make(map[string]bool, len(sums))
	for start := 0; start < len(sums); start += 500 {
		part := sums[start:min(start+500, len(sums))]
		args := []any{org}
		var ph []string
		for _, sum := range part {
			args = append(args, sum)
			ph = append(ph, fmt.Sprintf("$%d", len(args)))
		}
		err := collect(ctx, q, `SELECT sha256 FROM evidence_owners WHERE org_id = $1 AND stored_at IS NOT NULL AND sha256 IN (`+strings.Join(ph, ", ")+`)`, args, func(r *sql.Rows) error {
			var sum string
			if err := r.Scan(&sum); err != nil {
				return err
			}
			owned[sum] = true
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("evidence: %w", err)
		}
	}
	var out []bundle.Ref
	for _, r := range refs {
		if !owned[r.ID] {
			out = append(out, r)
		}
	}
	return out, nil
}

// checkImportEvidence refuses a bundle that names files the organization
// has not uploaded. A bundle carries hashes, not files: one moved from
// another organization or instance is imported once its files have been
// uploaded here (the same content gives the same hash). Every such
// reference is reported at once, with its path in the bundle.
func (s *Store) checkImportEvidence(ctx context.Context, q querier, org string, m *isms.ISMS, items []bundle.Item) error {
	var refs []bundle.Ref
	for _, it := range items {
		r, err := bundle.EvidenceRefs(it.Kind+".json", it.Data, it.Kind)
		if err != nil {
			return fmt.Errorf("evidence of %s/%s: %w", it.Kind, it.Key, err)
		}
		refs = append(refs, r...)
	}
	if len(refs) == 0 {
		return nil
	}
	missing, err := s.unownedEvidence(ctx, q, org, refs)
	if err != nil || len(missing) == 0 {
		return err
	}
	// Name each place in the bundle's own paths.
	all, err := bundle.EvidenceRefs("bundle.json", bundle.EncodeJSON(m), "")
	if err != nil {
		return err
	}
	bad := map[string]bool{}
	for _, r := range missing {
		bad[r.ID] = true
	}
	var errs bundle.Errors
	for _, r := range all {
		if bad[r.ID] {
			errs = append(errs, bundle.Problem{Path: r.Path, Msg: i18n.M("evidence.not_owned", "sha256", r.ID)})
		}
	}
	return errs
}

// backfillEvidenceOwners is the Go step of migration 0030: every file that
// an item names is owned by the organization of that item, as the
// download check of the time had it.
func backfillEvidenceOwners(ctx context.Context, tx *sql.Tx, stamp string) error {
	type owner struct{ org, sum string }
	var owners []owner
	seen := map[owner]bool{}
	err := collect(ctx, tx, `SELECT org_id, kind, data FROM items WHERE data LIKE '%"sha256"%'`, nil, func(r *sql.Rows) error {
		var org, kind, data string
		if err := r.Scan(&org, &kind, &data); err != nil {
			return err
		}
		refs, err := bundle.EvidenceRefs(kind+".json", []byte(data), kind)
		if err != nil {
			return nil // not an item this version can read: nothing to own
		}
		for _, ref := range refs {
			o := owner{org, ref.ID}
			if shaPattern.MatchString(ref.ID) && !seen[o] {
				seen[o] = true
				owners = append(owners, o)
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("evidence owners: %w", err)
	}
	for _, o := range owners {
		// Runs at migration 0030, before 0160 added the last upload (which
		// 0160 fills from these columns).
		if _, err := tx.ExecContext(ctx, `INSERT INTO evidence_owners (org_id, sha256, size, uploaded_at, uploaded_by, stored_at) VALUES ($1, $2, NULL, $3, $4, $3)
			ON CONFLICT (org_id, sha256) DO NOTHING`, o.org, o.sum, stamp, "migration"); err != nil {
			return fmt.Errorf("evidence owners: %w", err)
		}
	}
	return nil
}

// EvidenceRecord is what the store knows of a file an organization
// uploaded: its size, when and by whom it was first uploaded there (when
// the evidence was collected) and the last time the same content was
// uploaded again.
type EvidenceRecord struct {
	SHA256         string
	Size           int64 // 0 when not known (files recorded before sizes were)
	UploadedAt     time.Time
	UploadedBy     string
	LastUploadedAt time.Time // equal to UploadedAt when uploaded once
	LastUploadedBy string
}

// EvidenceRecords lists the files an organization holds, by SHA-256.
func (s *Store) EvidenceRecords(ctx context.Context, org string) (map[string]EvidenceRecord, error) {
	out := map[string]EvidenceRecord{}
	err := collect(ctx, s.db, `SELECT sha256, size, uploaded_at, uploaded_by, last_uploaded_at, last_uploaded_by FROM evidence_owners WHERE org_id = $1`, []any{org}, func(r *sql.Rows) error {
		var rec EvidenceRecord
		var size sql.NullInt64
		var at, last string
		if err := r.Scan(&rec.SHA256, &size, &at, &rec.UploadedBy, &last, &rec.LastUploadedBy); err != nil {
			return err
		}
		rec.Size = size.Int64
		rec.UploadedAt, _ = time.Parse(time.RFC3339Nano, at)
		rec.LastUploadedAt, _ = time.Parse(time.RFC3339Nano, last)
		out[rec.SHA256] = rec
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("evidence of %s: %w", org, err)
	}
	return out, nil
}
