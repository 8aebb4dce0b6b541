package store

import (
	"context"
	"database/sql"
	"errors"
)

// Disclosure records that a provider-role service's disclosure page is
// public: who switched it on and when. A service without one is not
// disclosed (the default).
type Disclosure struct {
	Service   string `json:"service"`
	EnabledBy string `json:"enabled_by"`
	EnabledAt string `json:"enabled_at"`
}

// SetDisclosure switches a service's public disclosure page on or off,
// recorded in the history as made by actor.
func (s *Store) SetDisclosure(ctx context.Context, org, service string, on bool, actor string) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		if _, err := s.getOrg(ctx, tx, org); err != nil {
			return err
		}
		if _, err := lockHistoryHead(ctx, tx, s.d, org); err != nil {
			return err
		}
		var by string
		err := tx.QueryRowContext(ctx, `SELECT enabled_by FROM disclosures WHERE org_id = $1 AND service = $2`, org, service).Scan(&by)
		was := err == nil
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if was == on {
			return nil // already so: no history record
		}
		state := disclosureOff
		if on {
			state = disclosureOn
			if _, err := tx.ExecContext(ctx, `INSERT INTO disclosures (org_id, service, enabled_by, enabled_at) VALUES ($1, $2, $3, $4)`, org, service, actor, s.stamp()); err != nil {
				return err
			}
		} else if _, err := tx.ExecContext(ctx, `DELETE FROM disclosures WHERE org_id = $1 AND service = $2`, org, service); err != nil {
			return err
		}
		return s.appendHistory(ctx, tx, org, []Change{{Actor: actor, Kind: kindDisclosures, Key: service, Action: "update", After: &state}})
	})
}

// Disclosures lists an organization's public disclosure pages by service.
func (s *Store) Disclosures(ctx context.Context, org string) (map[string]Disclosure, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT service, enabled_by, enabled_at FROM disclosures WHERE org_id = $1`, org)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]Disclosure{}
	for rows.Next() {
		var d Disclosure
		if err := rows.Scan(&d.Service, &d.EnabledBy, &d.EnabledAt); err != nil {
			return nil, err
		}
		out[d.Service] = d
	}
	return out, rows.Err()
}
