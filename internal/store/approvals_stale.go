package store

import (
	"context"
	"database/sql"
)

// StaleApprovals names ("kind/key") the items of an organization whose
// recorded approval no longer matches their content, for documents that
// print an approval and must not present a changed item as approved.
func (s *Store) StaleApprovals(ctx context.Context, org string) (map[string]bool, error) {
	x, err := s.ApprovalsIndex(ctx, org)
	if err != nil {
		return nil, err
	}
	out := map[string]bool{}
	for _, a := range x.Stale() {
		out[a.Kind+"/"+a.Key] = true
	}
	return out, nil
}

// ImportedApprovals names, by "kind/key", who imported each of an
// organization's approvals that came with a bundle, for documents that
// print an approval and must not present an imported one as made here.
func (s *Store) ImportedApprovals(ctx context.Context, org string) (map[string]string, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT kind, key, approved_by FROM approvals WHERE org_id = $1 AND source = 'imported'`, org)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var kind, key, by string
		if err := rows.Scan(&kind, &key, &by); err != nil {
			return nil, err
		}
		out[kind+"/"+key] = by
	}
	return out, rows.Err()
}

// ApprovalMarks is StaleApprovals and ImportedApprovals together, what a
// printed document or workbook marks on the approvals it shows.
func (s *Store) ApprovalMarks(ctx context.Context, org string) (map[string]bool, map[string]string, error) {
	stale, err := s.StaleApprovals(ctx, org)
	if err != nil {
		return nil, nil, err
	}
	imported, err := s.ImportedApprovals(ctx, org)
	return stale, imported, err
}

// RecordApprovalBaseline records, for an item that carries an approval
// in the bundle but none recorded here (it came in by import), the
// fingerprint of its content now as what was approved, unless one is
// recorded already. Made before a bulk change (an SoA workbook import),
// it lets the change mark the approval stale as an approval made here
// would be.
func (s *Store) RecordApprovalBaseline(ctx context.Context, org, kind, key, person, approvedAt string) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		hash, err := s.contentHash(ctx, tx, org, kind, key)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO approvals (org_id, kind, key, content_hash, person, approved_by, approved_at, source) VALUES ($1, $2, $3, $4, $5, $6, $7, 'imported')
			ON CONFLICT (org_id, kind, key) DO NOTHING`, org, kind, key, hash, person, "bundle", approvedAt)
		if err != nil {
			return err
		}
		return approvalWritten(ctx, tx, org)
	})
}
