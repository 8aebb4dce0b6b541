package store

import (
	"context"
	"database/sql"
	"errors"
	"sort"
)

// SetControlTexts stores an organization's own text of controls (a
// licensed text or translation; the catalogs carry ids and titles only),
// control id → text; an empty text removes the control's text. All are
// written in one transaction, each change with its history record.
func (s *Store) SetControlTexts(ctx context.Context, org string, texts map[string]string, actor string) (int, error) {
	ids := make([]string, 0, len(texts))
	for id := range texts {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	changed := 0
	err := s.tx(ctx, func(tx *sql.Tx) error {
		changed = 0
		if _, err := s.getOrg(ctx, tx, org); err != nil {
			return err
		}
		if _, err := lockHistoryHead(ctx, tx, s.d, org); err != nil {
			return err
		}
		var changes []Change
		for _, id := range ids {
			text := texts[id]
			var old string
			err := tx.QueryRowContext(ctx, `SELECT body FROM control_texts WHERE org_id = $1 AND control = $2`, org, id).Scan(&old)
			exists := err == nil
			if err != nil && !errors.Is(err, sql.ErrNoRows) {
				return err
			}
			if (exists && old == text) || (!exists && text == "") {
				continue
			}
			if exists {
				if _, err := tx.ExecContext(ctx, `DELETE FROM control_texts WHERE org_id = $1 AND control = $2`, org, id); err != nil {
					return err
				}
			}
			c := Change{Actor: actor, Kind: kindControlText, Key: id, Action: "update"}
			if exists {
				before := controlTextJSON(old)
				c.Before = &before
			} else {
				c.Action = "create"
			}
			if text != "" {
				if _, err := tx.ExecContext(ctx, `INSERT INTO control_texts (org_id, control, body, updated_by, updated_at) VALUES ($1, $2, $3, $4, $5)`,
					org, id, text, actor, s.stamp()); err != nil {
					return err
				}
				after := controlTextJSON(text)
				c.After = &after
			} else {
				c.Action = "delete"
			}
			changes = append(changes, c)
		}
		changed = len(changes)
		return s.appendHistory(ctx, tx, org, changes)
	})
	return changed, err
}

// ControlTexts reads an organization's own control texts by control id.
func (s *Store) ControlTexts(ctx context.Context, org string) (map[string]string, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT control, body FROM control_texts WHERE org_id = $1`, org)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var id, body string
		if err := rows.Scan(&id, &body); err != nil {
			return nil, err
		}
		out[id] = body
	}
	return out, rows.Err()
}
