package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/cloudisms/cloudisms/internal/bundle"
)

// ItemWrite is one item of a PutItems call: the item, its references and the
// version the caller read (0: the item must not exist yet).
type ItemWrite struct {
	Item      bundle.Item
	Refs      []bundle.Ref
	IfVersion int64
}

// PutItems writes several items in one transaction, in order, with the
// same checks as Put: either every item is stored (each with its history
// record) or none is. A later item may refer to an earlier one, as a
// verification refers to the risk created with it.
func (s *Store) PutItems(ctx context.Context, org string, writes []ItemWrite, actor string) ([]StoredItem, error) {
	var out []StoredItem
	var notes []edit
	err := s.orgTx(ctx, org, func(tx *sql.Tx) error {
		out, notes = out[:0], make([]edit, len(writes))
		for i, w := range writes {
			it, err := s.put(ctx, tx, org, w.Item, w.Refs, w.IfVersion, actor, keepStored, &notes[i])
			if err != nil {
				return err
			}
			out = append(out, it)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.applyEdits(notes)
	return out, nil
}

// RemoveMember ends a user's membership of an organization (ErrNotFound
// when the user is not a member). The account itself stays.
func (s *Store) RemoveMember(ctx context.Context, org string, userID int64) error {
	if err := updated(s.db.ExecContext(ctx, `DELETE FROM memberships WHERE org_id = $1 AND user_id = $2`, org, userID)); err != nil {
		return fmt.Errorf("membership of user %d in %s: %w", userID, org, err)
	}
	return nil
}

// ErrWrongPassword is a password change whose current password is wrong.
var ErrWrongPassword = errors.New("the current password is wrong")

// ChangePassword is a user changing their own password: the current one
// must be right (checked, from address, within the login throttle and the
// hash bound: a *ThrottleError or *BusyError otherwise), the new one must
// satisfy the password rules, and every other session of the user ends (a
// stolen session does not outlive the change). The session keep, the one
// the change was made from, stays. revokeTokens also revokes every API
// token of the user, in the same transaction.
func (s *Store) ChangePassword(ctx context.Context, userID int64, current, next, keep, address string, revokeTokens bool) error {
	if err := s.CheckOwnPassword(ctx, userID, current, address); err != nil {
		if errors.Is(err, ErrWrongPassword) || errors.Is(err, ErrThrottled) || errors.Is(err, ErrBusy) {
			return err
		}
		return fmt.Errorf("change password: %w", err)
	}
	if err := checkPassword(next); err != nil {
		return fmt.Errorf("change password: %w", err)
	}
	hash, err := hashPasswordGated(ctx, next)
	if err != nil {
		return fmt.Errorf("change password: %w", err)
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		if err := updated(tx.ExecContext(ctx, `UPDATE users SET password_hash = $1 WHERE id = $2`, hash, userID)); err != nil {
			return fmt.Errorf("user %d: %w", userID, err)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = $1 AND token_hash <> $2`, userID, hashToken(keep)); err != nil {
			return err
		}
		if revokeTokens {
			_, err := tx.ExecContext(ctx, `UPDATE api_tokens SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL`, s.stamp(), userID)
			return err
		}
		return nil
	})
}

// MinPassword is the fewest characters a password may have.
const MinPassword = minPassword

// CheckPassword reports whether a new password satisfies the rules, so
// that a form can say so before anything is written.
func CheckPassword(password string) error { return checkPassword(password) }

// applyEdits carries the cached model over the changes of one committed
// batch, in the order they were written.
func (s *Store) applyEdits(notes []edit) {
	for _, n := range notes {
		s.applyEdit(n)
	}
}
