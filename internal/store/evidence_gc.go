package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"time"

	"github.com/cloudisms/cloudisms/internal/bundle"
	"github.com/cloudisms/cloudisms/internal/store/blob"
)

// DefaultGCMinAge is how old an unreferenced file must be to be garbage:
// an upload is attached to its item within that time.
const DefaultGCMinAge = 24 * time.Hour

// shaAnywhere finds hashes in an item's text.
var shaAnywhere = regexp.MustCompile(`[0-9a-f]{64}`)

// EvidenceGarbage is an evidence object that no item refers to.
type EvidenceGarbage struct {
	SHA256   string
	Size     int64
	Modified time.Time
	// Orgs are the organizations that uploaded it (none for an object
	// left by an upload or a restore that did not finish).
	Orgs []string
}

// EvidenceGCResult says what a collection found and did.
type EvidenceGCResult struct {
	// Objects is how many evidence objects the store holds; Other counts
	// the objects under the prefix that are not evidence files (left
	// alone).
	Objects, Other int
	// Referenced is how many of them the organizations' items name.
	Referenced int
	// Recent is how many unreferenced objects were kept for being
	// younger than the minimum age (an upload about to be attached, a
	// restore under way).
	Recent  int
	Garbage []EvidenceGarbage
	// Deleted is how many of the garbage objects were removed (with
	// delete set); Bytes their size.
	Deleted int
	Bytes   int64
}

// CollectEvidence finds the evidence objects that no organization's items
// refer to any more and that are older than minAge, and with del removes
// them and the organizations' claims to them. Without del nothing is
// changed. A file is removed only after its claims are, each step under
// the evidence lock that uploads and item saves also take, so that a file
// an instance is uploading or attaching meanwhile is kept. Files that only
// the history still names are garbage: old versions keep their names and
// hashes, not the files.
func (s *Store) CollectEvidence(ctx context.Context, minAge time.Duration, del bool) (EvidenceGCResult, error) {
	var res EvidenceGCResult
	cutoff := s.now().Add(-minAge)
	type object struct {
		size     int64
		modified time.Time
	}
	objects := map[string]object{}
	err := s.objects.List(ctx, "", func(o blob.Object) error {
		dir, sum, ok := strings.Cut(o.Key, "/")
		if !ok || !shaPattern.MatchString(sum) || dir != sum[:2] {
			res.Other++
			return nil
		}
		objects[sum] = object{o.Size, o.Modified}
		return nil
	})
	if err != nil {
		return res, fmt.Errorf("evidence gc: list %s: %w", s.objects, err)
	}
	res.Objects = len(objects)
	referenced, err := s.referencedEvidence(ctx)
	if err != nil {
		return res, err
	}
	claims := map[string][]string{}
	recentClaim := map[string]bool{}
	err = collect(ctx, s.db, `SELECT sha256, org_id, last_uploaded_at FROM evidence_owners ORDER BY sha256, org_id`, nil, func(r *sql.Rows) error {
		var sum, org, at string
		if err := r.Scan(&sum, &org, &at); err != nil {
			return err
		}
		claims[sum] = append(claims[sum], org)
		if t, err := time.Parse(time.RFC3339Nano, at); err != nil || !t.Before(cutoff) {
			recentClaim[sum] = true
		}
		return nil
	})
	if err != nil {
		return res, fmt.Errorf("evidence gc: claims: %w", err)
	}
	for sum, o := range objects {
		switch {
		case referenced[sum]:
			res.Referenced++
		case recentClaim[sum] || !o.modified.Before(cutoff):
			res.Recent++
		default:
			res.Garbage = append(res.Garbage, EvidenceGarbage{SHA256: sum, Size: o.size, Modified: o.modified, Orgs: claims[sum]})
		}
	}
	sort.Slice(res.Garbage, func(i, j int) bool { return res.Garbage[i].SHA256 < res.Garbage[j].SHA256 })
	if !del {
		return res, nil
	}
	for _, g := range res.Garbage {
		removed, err := s.removeEvidence(ctx, g.SHA256, cutoff)
		if err != nil {
			return res, fmt.Errorf("evidence gc: %s: %w", g.SHA256, err)
		}
		if removed {
			res.Deleted++
			res.Bytes += g.Size
		}
	}
	return res, nil
}

// referencedEvidence is every file the items of every organization name.
func (s *Store) referencedEvidence(ctx context.Context) (map[string]bool, error) {
	out := map[string]bool{}
	err := collect(ctx, s.db, `SELECT kind, data FROM items WHERE data LIKE '%"sha256"%'`, nil, func(r *sql.Rows) error {
		var kind, data string
		if err := r.Scan(&kind, &data); err != nil {
			return err
		}
		refs, err := bundle.EvidenceRefs(kind+".json", []byte(data), kind)
		if err != nil {
			// An item this version cannot read: keep every hash it holds.
			for _, m := range shaAnywhere.FindAllString(data, -1) {
				out[m] = true
			}
			return nil
		}
		for _, ref := range refs {
			out[ref.ID] = true
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("evidence gc: items: %w", err)
	}
	return out, nil
}

// removeEvidence drops the claims to a file and then the file, checking
// again under the evidence lock that no item names it and that nobody
// claimed it since the listing. It reports whether the file was removed.
func (s *Store) removeEvidence(ctx context.Context, sum string, cutoff time.Time) (bool, error) {
	recheck := func(tx *sql.Tx) (bool, error) {
		if err := s.lockEvidence(ctx, tx, true, sum); err != nil {
			return false, err
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM items WHERE data LIKE $1`, "%"+sum+"%").Scan(&n); err != nil {
			return false, err
		}
		if n > 0 {
			return false, nil
		}
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM evidence_owners WHERE sha256 = $1 AND last_uploaded_at >= $2`, sum, cutoff.Add(-time.Second).UTC().Format(time.RFC3339Nano)).Scan(&n); err != nil {
			return false, err
		}
		return n == 0, nil
	}
	gone := false
	err := s.tx(ctx, func(tx *sql.Tx) error {
		ok, err := recheck(tx)
		if err != nil || !ok {
			return err
		}
		gone = true
		_, err = tx.ExecContext(ctx, `DELETE FROM evidence_owners WHERE sha256 = $1`, sum)
		return err
	})
	if err != nil || !gone {
		return false, err
	}
	// Unclaimed now: the file goes unless an upload claimed it again in
	// between (then it stays, and is that upload's). An error here leaves
	// an unclaimed file, which the next collection finds again.
	err = s.tx(ctx, func(tx *sql.Tx) error {
		if err := s.lockEvidence(ctx, tx, true, sum); err != nil {
			return err
		}
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM evidence_owners WHERE sha256 = $1`, sum).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			gone = false
			return nil
		}
		return s.objects.Delete(ctx, evidenceKey(sum))
	})
	if err != nil && !errors.Is(err, blob.ErrNotFound) {
		return false, err
	}
	return gone, nil
}
