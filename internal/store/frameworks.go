package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
)

// Framework is a control catalog an organization imported (from OSCAL),
// in addition to the embedded ISO/IEC catalogs.
type Framework struct {
	ID           string             `json:"id"`
	Title        string             `json:"title"`
	Version      string             `json:"version"`
	OSCALVersion string             `json:"oscal_version"`
	SourceUUID   string             `json:"source_uuid"`
	Controls     []FrameworkControl `json:"controls,omitempty"`
	ImportedAt   string             `json:"imported_at"`
	ImportedBy   string             `json:"imported_by"`
}

// FrameworkControl is one control of an imported framework.
type FrameworkControl struct {
	ID     string `json:"id"`               // the catalog's own id
	Label  string `json:"label,omitempty"`  // its label, when it gives one (AC-2(1))
	Title  string `json:"title"`            // as the catalog gives it
	Group  string `json:"group,omitempty"`  // the titles of the groups it is in, outermost first, joined by " / "
	Parent string `json:"parent,omitempty"` // the control it enhances, or the library node it sits under
	// Statement is the control's statement as the catalog gives it: its
	// items in reading order, each with its label and depth; prose may
	// hold parameter inserts ({{ insert: param, ID }}) rendered with the
	// organization's values when shown.
	Statement []FrameworkPart `json:"statement,omitempty"`
	// Guidance is the catalog's discussion of the control.
	Guidance string `json:"guidance,omitempty"`
	// Params are the values the organization assigns or selects.
	Params []FrameworkParam `json:"params,omitempty"`
	// Withdrawn controls are kept to show where they went (WithdrawnTo)
	// but take no row in the statement of applicability.
	Withdrawn   bool     `json:"withdrawn,omitempty"`
	WithdrawnTo []string `json:"withdrawn_to,omitempty"`
	// Heading marks a node of a library that only structures the others
	// (not assessable): shown as a heading, no row of its own.
	Heading bool `json:"heading,omitempty"`
	// URN is the library's name of the node (CISO Assistant libraries).
	URN string `json:"urn,omitempty"`
	// AnnexA lists the ISO/IEC 27001:2022 Annex A controls a library's
	// mapping relates this requirement to.
	AnnexA []string `json:"annex_a,omitempty"`
}

// InSoA reports whether the control takes a row in the framework's
// statement of applicability: withdrawn controls and headings do not.
func (c FrameworkControl) InSoA() bool { return !c.Withdrawn && !c.Heading }

// FrameworkPart is one item of a control's statement.
type FrameworkPart struct {
	Label string `json:"label,omitempty"` // a., 1., as the catalog labels it
	Prose string `json:"prose,omitempty"`
	Depth int    `json:"depth,omitempty"` // 0 for the statement's own prose, 1 for its items, ...
}

// FrameworkParam is a parameter of a control: a value the organization
// assigns (Label says what) or selects among Choice.
type FrameworkParam struct {
	ID         string   `json:"id"`
	Label      string   `json:"label,omitempty"`
	Choice     []string `json:"choice,omitempty"`
	HowMany    string   `json:"how_many,omitempty"`   // one-or-more for a selection of several
	Guideline  string   `json:"guideline,omitempty"`  // what the value must say
	Constraint string   `json:"constraint,omitempty"` // a value a baseline requires (FedRAMP: at least annually)
	Values     []string `json:"values,omitempty"`     // values the catalog or baseline sets
}

// PutFramework stores an imported framework, replacing one of the same
// id, and records the import in the history as made by actor, in one
// transaction.
func (s *Store) PutFramework(ctx context.Context, org string, f Framework, actor string) error {
	ctls, err := json.Marshal(f.Controls)
	if err != nil {
		return err
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		if _, err := s.getOrg(ctx, tx, org); err != nil {
			return err
		}
		if _, err := lockHistoryHead(ctx, tx, s.d, org); err != nil {
			return err
		}
		var before *string
		var old string
		err := tx.QueryRowContext(ctx, `SELECT controls FROM frameworks WHERE org_id = $1 AND id = $2`, org, f.ID).Scan(&old)
		switch {
		case err == nil:
			before = &old
			if _, err := tx.ExecContext(ctx, `DELETE FROM frameworks WHERE org_id = $1 AND id = $2`, org, f.ID); err != nil {
				return err
			}
		case !errors.Is(err, sql.ErrNoRows):
			return err
		}
		stamp := s.stamp()
		if _, err := tx.ExecContext(ctx, `INSERT INTO frameworks (org_id, id, title, version, oscal_version, source_uuid, controls, imported_at, imported_by)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`, org, f.ID, f.Title, f.Version, f.OSCALVersion, f.SourceUUID, string(ctls), stamp, actor); err != nil {
			return fmt.Errorf("framework %s: %w", f.ID, err)
		}
		after := string(ctls)
		action := "create"
		if before != nil {
			action = "update"
		}
		return s.appendHistory(ctx, tx, org, []Change{{Actor: actor, Kind: "frameworks", Key: f.ID, Action: action, Before: before, After: &after}})
	})
}

// Frameworks lists an organization's imported frameworks (without their controls).
func (s *Store) Frameworks(ctx context.Context, org string) ([]Framework, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, title, version, oscal_version, source_uuid, imported_at, imported_by FROM frameworks WHERE org_id = $1 ORDER BY id`, org)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Framework
	for rows.Next() {
		var f Framework
		if err := rows.Scan(&f.ID, &f.Title, &f.Version, &f.OSCALVersion, &f.SourceUUID, &f.ImportedAt, &f.ImportedBy); err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	return out, rows.Err()
}

// Framework reads one imported framework with its controls.
func (s *Store) Framework(ctx context.Context, org, id string) (Framework, error) {
	f := Framework{ID: id}
	var ctls string
	err := s.db.QueryRowContext(ctx, `SELECT title, version, oscal_version, source_uuid, controls, imported_at, imported_by FROM frameworks WHERE org_id = $1 AND id = $2`, org, id).
		Scan(&f.Title, &f.Version, &f.OSCALVersion, &f.SourceUUID, &ctls, &f.ImportedAt, &f.ImportedBy)
	if errors.Is(err, sql.ErrNoRows) {
		return f, fmt.Errorf("framework %s: %w", id, ErrNotFound)
	}
	if err != nil {
		return f, err
	}
	return f, json.Unmarshal([]byte(ctls), &f.Controls)
}
