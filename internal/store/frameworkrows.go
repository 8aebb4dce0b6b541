package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
)

// FrameworkRow is an organization's statement of applicability for one
// control of an imported framework: the same fields as an SoA row.
type FrameworkRow struct {
	Control        string   `json:"control"`
	Applicable     string   `json:"applicable"` // "", "true" or "false"
	Reasons        []string `json:"reasons,omitempty"`
	Implementation string   `json:"implementation,omitempty"`
	Justification  string   `json:"justification,omitempty"`
	Notes          string   `json:"notes,omitempty"`
	// Params are the organization's values of the control's parameters,
	// by parameter id.
	Params    map[string]string `json:"params,omitempty"`
	Version   int64             `json:"version"`
	UpdatedBy string            `json:"updated_by,omitempty"`
}

// MaxParamValue bounds the value an organization gives a parameter.
const MaxParamValue = 2000

// FrameworkRows reads an organization's rows for an imported framework by control.
func (s *Store) FrameworkRows(ctx context.Context, org, framework string) (map[string]FrameworkRow, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT control, applicable, reasons, implementation, justification, notes, params, version, updated_by
		FROM framework_rows WHERE org_id = $1 AND framework = $2`, org, framework)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]FrameworkRow{}
	for rows.Next() {
		var r FrameworkRow
		var reasons, params string
		if err := rows.Scan(&r.Control, &r.Applicable, &reasons, &r.Implementation, &r.Justification, &r.Notes, &params, &r.Version, &r.UpdatedBy); err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(reasons), &r.Reasons); err != nil {
			return nil, fmt.Errorf("framework row %s/%s reasons: %w", framework, r.Control, err)
		}
		if err := json.Unmarshal([]byte(params), &r.Params); err != nil {
			return nil, fmt.Errorf("framework row %s/%s params: %w", framework, r.Control, err)
		}
		if len(r.Params) == 0 {
			r.Params = nil
		}
		out[r.Control] = r
	}
	return out, rows.Err()
}

// PutFrameworkRow writes one row of an imported framework's statement of
// applicability at the version the caller read (0: the row must not exist
// yet); another version is ErrConflict. The control must be one of the
// framework's rows (not withdrawn, not a heading), and each parameter
// value one of its parameters'. The history records the change as made by actor.
func (s *Store) PutFrameworkRow(ctx context.Context, org, framework string, r FrameworkRow, ifVersion int64, actor string) (FrameworkRow, error) {
	fw, err := s.Framework(ctx, org, framework)
	if err != nil {
		return r, err
	}
	var ctl *FrameworkControl
	for i := range fw.Controls {
		if fw.Controls[i].ID == r.Control {
			ctl = &fw.Controls[i]
		}
	}
	if ctl == nil || !ctl.InSoA() {
		return r, fmt.Errorf("control %s of framework %s: %w", r.Control, framework, ErrNotFound)
	}
	for id, v := range r.Params {
		known := false
		for _, p := range ctl.Params {
			known = known || p.ID == id
		}
		if !known {
			return r, fmt.Errorf("parameter %s of control %s: %w", id, r.Control, ErrNotFound)
		}
		if len(v) > MaxParamValue {
			return r, fmt.Errorf("parameter %s of control %s: %d bytes, at most %d", id, r.Control, len(v), MaxParamValue)
		}
		if v == "" {
			delete(r.Params, id)
		}
	}
	reasons, _ := json.Marshal(r.Reasons)
	if r.Reasons == nil {
		reasons = []byte("[]")
	}
	params, _ := json.Marshal(r.Params)
	if len(r.Params) == 0 {
		params = []byte("{}")
	}
	err = s.tx(ctx, func(tx *sql.Tx) error {
		if _, err := lockHistoryHead(ctx, tx, s.d, org); err != nil {
			return err
		}
		var version int64
		var old FrameworkRow
		var oldReasons, oldParams string
		err := tx.QueryRowContext(ctx, `SELECT version, applicable, reasons, implementation, justification, notes, params, updated_by
			FROM framework_rows WHERE org_id = $1 AND framework = $2 AND control = $3`, org, framework, r.Control).Scan(&version,
			&old.Applicable, &oldReasons, &old.Implementation, &old.Justification, &old.Notes, &oldParams, &old.UpdatedBy)
		exists := err == nil
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		// The history keeps the row before as JSON, like the row after.
		old.Control, old.Version = r.Control, version
		json.Unmarshal([]byte(oldReasons), &old.Reasons)
		json.Unmarshal([]byte(oldParams), &old.Params)
		b, _ := json.Marshal(old)
		before := string(b)
		if version != ifVersion {
			return fmt.Errorf("%s/%s is at version %d, not %d: %w", framework, r.Control, version, ifVersion, ErrConflict)
		}
		r.Version, r.UpdatedBy = version+1, actor
		if exists {
			_, err = tx.ExecContext(ctx, `UPDATE framework_rows SET applicable = $1, reasons = $2, implementation = $3, justification = $4, notes = $5,
				version = $6, updated_by = $7, updated_at = $8, params = $9 WHERE org_id = $10 AND framework = $11 AND control = $12 AND version = $13`,
				r.Applicable, string(reasons), r.Implementation, r.Justification, r.Notes, r.Version, actor, s.stamp(), string(params), org, framework, r.Control, version)
		} else {
			_, err = tx.ExecContext(ctx, `INSERT INTO framework_rows (org_id, framework, control, applicable, reasons, implementation, justification, notes, version, updated_by, updated_at, params)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
				org, framework, r.Control, r.Applicable, string(reasons), r.Implementation, r.Justification, r.Notes, r.Version, actor, s.stamp(), string(params))
		}
		if err != nil {
			return err
		}
		after, _ := json.Marshal(r)
		a := string(after)
		c := Change{Actor: actor, Kind: "framework_rows", Key: framework + "/" + r.Control, Action: "create", After: &a}
		if exists {
			c.Action, c.Before = "update", &before
		}
		return s.appendHistory(ctx, tx, org, []Change{c})
	})
	return r, err
}
