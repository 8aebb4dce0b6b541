package store

// Second factors of an account: a TOTP secret (an authenticator app) and
// its recovery codes. Passkeys keep their own table (passkeys.go) and
// count in Factors too.
//
// The secret is kept as the key the app was given, readable by the
// server (it must compute codes); it is shown only while the enrolment
// waits for its first code, never after. Recovery codes are ten random
// codes of 80 bits, shown once, stored as SHA-256 (nothing to guess, so
// a fast hash suffices), each good once.
//
// Every code typed in is counted by the login throttle of the account
// before it is checked, like a password: a second factor guessed six
// digits at a time is stopped as a password guessed is.

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base32"
	"errors"
	"fmt"
	"strings"

	"github.com/cloudisms/cloudisms/internal/totp"
)

// ErrBadCode is a wrong, used or expired TOTP or recovery code.
var ErrBadCode = errors.New("wrong code")

// RecoveryCodes is how many recovery codes an enrolment gives.
const RecoveryCodes = 10

// Factors says what an account signs in with beyond its password.
type Factors struct {
	TOTP         bool // an authenticator app, confirmed
	RecoveryLeft int  // unused recovery codes
	Passkeys     int  // registered passkeys (their own table)
}

// SecondFactor reports whether a password sign-in asks for more than the
// password: TOTP does, and so does a passkey. An account with a passkey
// signs in with the passkey alone (the authenticator verified its holder:
// two factors in one), or with its password and then the passkey at the
// second step, never with the password alone; so a passkey makes every
// sign-in two-factor and counts for an organization's requirement.
func (f Factors) SecondFactor() bool { return f.TOTP || f.Passkeys > 0 }

// FactorsOf tells what second factors a user has.
func (s *Store) FactorsOf(ctx context.Context, userID int64) (Factors, error) {
	var f Factors
	var n int
	if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM totp_secrets WHERE user_id = $1 AND confirmed_at IS NOT NULL`, userID).Scan(&n); err != nil {
		return f, fmt.Errorf("factors of user %d: %w", userID, err)
	}
	f.TOTP = n > 0
	if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM recovery_codes WHERE user_id = $1 AND used_at IS NULL`, userID).Scan(&f.RecoveryLeft); err != nil {
		return f, fmt.Errorf("factors of user %d: %w", userID, err)
	}
	var err error
	if f.Passkeys, err = s.PasskeyCount(ctx, userID); err != nil {
		return f, fmt.Errorf("factors of user %d: %w", userID, err)
	}
	return f, nil
}

// BeginTOTP starts an enrolment: a new secret, not yet on, replacing an
// unfinished one. It returns the secret to show (as a QR code and a key).
// A user whose TOTP is on gets ErrExists: it is turned off first.
func (s *Store) BeginTOTP(ctx context.Context, userID int64) ([]byte, error) {
	secret := make([]byte, totp.SecretBytes)
	if _, err := rand.Read(secret); err != nil {
		return nil, fmt.Errorf("begin totp: %w", err)
	}
	err := s.tx(ctx, func(tx *sql.Tx) error {
		if err := activeUser(ctx, tx, userID); err != nil {
			return err
		}
		var confirmed sql.NullString
		err := tx.QueryRowContext(ctx, `SELECT confirmed_at FROM totp_secrets WHERE user_id = $1`, userID).Scan(&confirmed)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if confirmed.Valid {
			return fmt.Errorf("totp of user %d: %w", userID, ErrExists)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM totp_secrets WHERE user_id = $1`, userID); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO totp_secrets (user_id, secret, confirmed_at, last_step, created_at) VALUES ($1, $2, NULL, 0, $3)`,
			userID, totp.Encode(secret), s.stamp())
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("begin totp: %w", err)
	}
	return secret, nil
}

// EnrollingTOTP returns the secret of an enrolment not yet confirmed, to
// show it again, or ErrNotFound: a confirmed secret is never returned.
func (s *Store) EnrollingTOTP(ctx context.Context, userID int64) ([]byte, error) {
	var key string
	err := s.db.QueryRowContext(ctx, `SELECT secret FROM totp_secrets WHERE user_id = $1 AND confirmed_at IS NULL`, userID).Scan(&key)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("totp enrolment of user %d: %w", userID, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("totp enrolment of user %d: %w", userID, err)
	}
	return totp.Decode(key)
}

// ConfirmTOTP turns TOTP on with the first code of the app (counted by
// the throttle: ErrBadCode, a *ThrottleError) and returns the ten
// recovery codes, to be shown once.
func (s *Store) ConfirmTOTP(ctx context.Context, userID int64, code, address string) ([]string, error) {
	u, err := s.UserByID(ctx, userID)
	if err != nil {
		return nil, err
	}
	secret, err := s.EnrollingTOTP(ctx, userID)
	if err != nil {
		return nil, err
	}
	email, address := throttleEmail(u.Email), clip(address, maxThrottleAddress)
	if err := s.reserveLogin(ctx, email, address); err != nil {
		s.logSecurity(ctx, EventLoginThrottled, u, address, "totp")
		return nil, err
	}
	step, ok := totp.Match(secret, code, s.now(), 0)
	if !ok {
		s.logSecurity(ctx, EventTOTPFailed, u, address, "")
		return nil, ErrBadCode
	}
	codes, hashes, err := newRecoveryCodes()
	if err != nil {
		return nil, fmt.Errorf("confirm totp: %w", err)
	}
	err = s.tx(ctx, func(tx *sql.Tx) error {
		if err := updated(tx.ExecContext(ctx, `UPDATE totp_secrets SET confirmed_at = $1, last_step = $2 WHERE user_id = $3 AND confirmed_at IS NULL AND secret = $4`,
			s.stamp(), step, userID, totp.Encode(secret))); err != nil {
			return fmt.Errorf("totp enrolment of user %d changed meanwhile: %w", userID, err)
		}
		return replaceRecovery(ctx, tx, userID, hashes)
	})
	if err != nil {
		return nil, fmt.Errorf("confirm totp: %w", err)
	}
	s.loginSucceeded(ctx, email, address)
	s.logSecurity(ctx, EventTOTPOn, u, address, "")
	return codes, nil
}

// DisableTOTP turns TOTP off and drops the recovery codes: a current
// code (or a recovery code) and the password are required, both counted
// by the throttle (ErrBadCode, ErrWrongPassword, *ThrottleError,
// *BusyError). The code is checked first: a right password clears the
// address's failures, so checking it first would let a stolen session
// that knows the password guess codes without end.
func (s *Store) DisableTOTP(ctx context.Context, userID int64, password, code, address string) error {
	u, err := s.UserByID(ctx, userID)
	if err != nil {
		return err
	}
	if _, err := s.checkCode(ctx, u, code, address); err != nil {
		return err
	}
	if err := s.CheckOwnPassword(ctx, userID, password, address); err != nil {
		return err
	}
	err = s.tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM totp_secrets WHERE user_id = $1`, userID); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `DELETE FROM recovery_codes WHERE user_id = $1`, userID)
		return err
	})
	if err != nil {
		return fmt.Errorf("disable totp of user %d: %w", userID, err)
	}
	s.logSecurity(ctx, EventTOTPOff, u, address, "")
	return nil
}

// RenewRecoveryCodes replaces a user's recovery codes with ten new ones
// (shown once), on a current TOTP code (counted by the throttle).
func (s *Store) RenewRecoveryCodes(ctx context.Context, userID int64, code, address string) ([]string, error) {
	u, err := s.UserByID(ctx, userID)
	if err != nil {
		return nil, err
	}
	f, err := s.FactorsOf(ctx, userID)
	if err != nil {
		return nil, err
	}
	if !f.TOTP {
		return nil, fmt.Errorf("recovery codes of user %d: TOTP is off: %w", userID, ErrNotFound)
	}
	if _, err := s.checkCode(ctx, u, code, address); err != nil {
		return nil, err
	}
	codes, hashes, err := newRecoveryCodes()
	if err != nil {
		return nil, fmt.Errorf("renew recovery codes: %w", err)
	}
	if err := s.tx(ctx, func(tx *sql.Tx) error { return replaceRecovery(ctx, tx, userID, hashes) }); err != nil {
		return nil, fmt.Errorf("renew recovery codes: %w", err)
	}
	s.logSecurity(ctx, EventRecoveryRenewed, u, address, "")
	return codes, nil
}

// checkCode checks a TOTP code, or a recovery code (anything that is not
// six digits), of a user whose TOTP is on, within the throttle. A TOTP
// code is accepted once; a recovery code is used up. It tells which kind
// was accepted ("totp" or "recovery").
func (s *Store) checkCode(ctx context.Context, u User, code, address string) (string, error) {
	email, address := throttleEmail(u.Email), clip(address, maxThrottleAddress)
	if err := s.reserveLogin(ctx, email, address); err != nil {
		s.logSecurity(ctx, EventLoginThrottled, u, address, "code")
		return "", err
	}
	code = strings.TrimSpace(code)
	if len(code) > 64 {
		code = code[:64]
	}
	kind := "totp"
	var err error
	if isTOTPCode(code) {
		err = s.useTOTP(ctx, u.ID, code)
	} else {
		kind = "recovery"
		err = s.useRecovery(ctx, u.ID, code)
	}
	if err != nil {
		if errors.Is(err, ErrBadCode) {
			s.logSecurity(ctx, EventSecondFailed, u, address, kind)
		} else {
			s.refundLogin(ctx, email, address)
		}
		return "", err
	}
	if err := s.loginSucceeded(ctx, email, address); err != nil {
		return "", fmt.Errorf("second factor: %w", err)
	}
	if kind == "recovery" {
		s.logSecurity(ctx, EventRecoveryUsed, u, address, "")
	}
	return kind, nil
}

func isTOTPCode(code string) bool {
	code = strings.ReplaceAll(code, " ", "")
	if len(code) != totp.Digits {
		return false
	}
	for _, c := range code {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// useTOTP accepts a code of the user's confirmed secret once: the step it
// matched is written only if it is after the last one accepted, in one
// statement, so two requests with the same code cannot both pass.
func (s *Store) useTOTP(ctx context.Context, userID int64, code string) error {
	var key string
	var last int64
	err := s.db.QueryRowContext(ctx, `SELECT secret, last_step FROM totp_secrets WHERE user_id = $1 AND confirmed_at IS NOT NULL`, userID).Scan(&key, &last)
	if errors.Is(err, sql.ErrNoRows) {
		return ErrBadCode
	}
	if err != nil {
		return fmt.Errorf("totp of user %d: %w", userID, err)
	}
	secret, err := totp.Decode(key)
	if err != nil {
		return fmt.Errorf("totp of user %d: %w", userID, err)
	}
	step, ok := totp.Match(secret, code, s.now(), last)
	if !ok {
		return ErrBadCode
	}
	err = updated(s.db.ExecContext(ctx, `UPDATE totp_secrets SET last_step = $1 WHERE user_id = $2 AND last_step < $1`, step, userID))
	if errors.Is(err, ErrNotFound) {
		return ErrBadCode // the same code, accepted a moment ago
	}
	return err
}

// useRecovery uses up one recovery code.
func (s *Store) useRecovery(ctx context.Context, userID int64, code string) error {
	h := hashToken(normRecovery(code))
	err := updated(s.db.ExecContext(ctx, `UPDATE recovery_codes SET used_at = $1 WHERE user_id = $2 AND code_hash = $3 AND used_at IS NULL`, s.stamp(), userID, h))
	if errors.Is(err, ErrNotFound) {
		return ErrBadCode
	}
	return err
}

// normRecovery reads a recovery code as typed: case, spaces and dashes
// do not matter.
func normRecovery(code string) string {
	return strings.ToLower(strings.NewReplacer(" ", "", "-", "").Replace(code))
}

var recoveryEnc = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// newRecoveryCodes makes ten codes of 80 random bits, written as four
// groups of four letters and digits, and their hashes.
func newRecoveryCodes() (codes, hashes []string, err error) {
	for range RecoveryCodes {
		b := make([]byte, 10)
		if _, err := rand.Read(b); err != nil {
			return nil, nil, err
		}
		raw := recoveryEnc.EncodeToString(b) // 16 characters
		codes = append(codes, raw[0:4]+"-"+raw[4:8]+"-"+raw[8:12]+"-"+raw[12:16])
		hashes = append(hashes, hashToken(raw))
	}
	return codes, hashes, nil
}

func replaceRecovery(ctx context.Context, tx *sql.Tx, userID int64, hashes []string) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM recovery_codes WHERE user_id = $1`, userID); err != nil {
		return err
	}
	for _, h := range hashes {
		if _, err := tx.ExecContext(ctx, `INSERT INTO recovery_codes (user_id, code_hash, used_at) VALUES ($1, $2, NULL)`, userID, h); err != nil {
			return err
		}
	}
	return nil
}

// ResetTOTP turns a user's TOTP off without a code: the operator's
// recovery for someone who lost both the phone and the recovery codes.
// It is written to the security log with the detail "operator".
func (s *Store) ResetTOTP(ctx context.Context, userID int64) error {
	u, err := s.UserByID(ctx, userID)
	if err != nil {
		return err
	}
	err = s.tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM totp_secrets WHERE user_id = $1`, userID); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `DELETE FROM recovery_codes WHERE user_id = $1`, userID)
		return err
	})
	if err != nil {
		return fmt.Errorf("reset totp of user %d: %w", userID, err)
	}
	s.logSecurity(ctx, EventTOTPOff, u, "", "operator")
	return nil
}
