package store

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/cloudisms/cloudisms/internal/bundle"
)

// recordImportedApprovals records the approvals an import brought: for
// every approvable item of the bundle whose approval is new or differs
// from the one it had, an approval marked imported, by the importer, with
// the fingerprint of the item as imported (so that a later change shows it
// stale, as for an approval made here). An approval the bundle repeats
// unchanged keeps its record (and goes stale if the import changed what
// it covers); one the bundle no longer carries loses its record. items
// are the bundle's items in position order, old the items before.
func (s *Store) recordImportedApprovals(ctx context.Context, tx *sql.Tx, org string, items []bundle.Item, old []StoredItem, actor, stamp string) error {
	before := map[string][]byte{}
	for _, it := range old {
		if a := bundle.ApprovalField(it.Kind, it.Data); a != nil {
			before[it.Kind+"\x00"+it.Key] = a
		}
	}
	recorded := map[string]bool{}
	rows, err := tx.QueryContext(ctx, `SELECT kind, key FROM approvals WHERE org_id = $1`, org)
	if err != nil {
		return err
	}
	for rows.Next() {
		var k, key string
		if err := rows.Scan(&k, &key); err != nil {
			rows.Close()
			return err
		}
		recorded[k+"\x00"+key] = true
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	// An SoA's fingerprint covers its rows, in position order.
	soaRows := map[string][][2]string{}
	for _, it := range items {
		if it.Kind == bundle.KindSoARows {
			if soa, _, ok := strings.Cut(it.Key, "/"); ok {
				soaRows[soa] = append(soaRows[soa], [2]string{it.Key, string(it.Data)})
			}
		}
	}
	for _, it := range items {
		if bundle.ApprovalKey(it.Kind) == "" {
			continue
		}
		k := it.Kind + "\x00" + it.Key
		now := bundle.ApprovalField(it.Kind, it.Data)
		switch {
		case now == nil:
			if recorded[k] {
				if _, err := tx.ExecContext(ctx, `DELETE FROM approvals WHERE org_id = $1 AND kind = $2 AND key = $3`, org, it.Kind, it.Key); err != nil {
					return fmt.Errorf("import: approval of %s/%s: %w", it.Kind, it.Key, err)
				}
			}
			continue
		case recorded[k] && bytes.Equal(now, before[k]):
			continue
		}
		by, _, _ := bundle.ApprovalOfItem(it.Kind, it.Data)
		var parts [][2]string
		if it.Kind == bundle.KindSoA {
			parts = soaRows[it.Key]
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO approvals (org_id, kind, key, content_hash, person, approved_by, approved_at, source) VALUES ($1, $2, $3, $4, $5, $6, $7, 'imported')
			ON CONFLICT (org_id, kind, key) DO UPDATE SET content_hash = $4, person = $5, approved_by = $6, approved_at = $7, source = 'imported'`,
			org, it.Kind, it.Key, approvedHash(it.Data, parts), by, actor, stamp); err != nil {
			return fmt.Errorf("import: approval of %s/%s: %w", it.Kind, it.Key, err)
		}
	}
	return approvalWritten(ctx, tx, org)
}
