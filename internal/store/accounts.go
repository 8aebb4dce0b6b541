package store

// Accounts: users with argon2id passwords, server-side sessions, API tokens
// and memberships (a user's role in an organization).
//
// Why sessions and API tokens are stored hashed: a session token or an API
// token is a bearer credential, as good as the password for as long as it
// lives. If the database leaks (a backup, a dump, an SQL injection
// elsewhere, a read-only operator), plain tokens would let the reader act as
// every signed-in user at once, without cracking anything. So the store
// keeps only the SHA-256 of each token and hands the token itself out once.
// A lookup hashes the presented token and finds the row by that hash. Tokens
// are 32 random bytes, so a fast unsalted hash is enough (there is nothing to
// guess), unlike passwords, which people choose and which therefore get a
// slow, salted argon2id hash.

import (
	"github.com/cloudisms/cloudisms/internal/authz"

	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"
)

// ErrBadCredentials is returned by Authenticate for an unknown email, a
// wrong password or a disabled user alike, so that a caller cannot tell
// which accounts exist.
var ErrBadCredentials = errors.New("wrong email or password")

// User is an account.
type User struct {
	ID        int64
	Email     string // lower case
	Name      string
	Lang      string // ja or en
	Disabled  bool
	CreatedAt string
}

// Token is an API token without its secret. ExpiresAt is "" for a token that
// does not expire, RevokedAt "" for a token not revoked.
type Token struct {
	ID        int64
	UserID    int64
	Name      string
	CreatedAt string
	ExpiresAt string
	RevokedAt string
}

// Membership is a user's role in an organization. Person is the id of the
// entry in that organization's ISMS people list the user is ("" when not
// linked): a risk owner approves only the risks that person owns.
type Membership struct {
	Org    string
	UserID int64
	Role   string
	Person string
}

const (
	minPassword = 10   // characters
	maxPassword = 1024 // bytes: argon2 hashes anything, but there is no need for more
	tokenPrefix = "cis_"
)

// until formats an expiry time: RFC 3339 in UTC with a fixed nine-digit
// fraction, so that expiry times compare correctly as text (in SQL too),
// which the variable-length RFC3339Nano of stamp does not.
func until(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000000000Z07:00") }

// expired reports whether an expiry time written by until has passed.
func (s *Store) expired(expiresAt string) bool {
	if expiresAt == "" {
		return false
	}
	return expiresAt <= until(s.now())
}

func normEmail(email string) string { return strings.ToLower(strings.TrimSpace(email)) }

func checkEmail(email string) error {
	at := strings.LastIndexByte(email, '@')
	if at <= 0 || at == len(email)-1 || len(email) > 254 {
		return fmt.Errorf("email %q: not an email address (name@domain)", email)
	}
	for _, r := range email {
		if unicode.IsSpace(r) || unicode.IsControl(r) {
			return fmt.Errorf("email %q: not an email address (no spaces allowed)", email)
		}
	}
	return nil
}

func checkPassword(password string) error {
	if utf8.RuneCountInString(password) < minPassword {
		return fmt.Errorf("password: at least %d characters are required", minPassword)
	}
	if len(password) > maxPassword {
		return fmt.Errorf("password: at most %d bytes are allowed", maxPassword)
	}
	return nil
}

func checkLang(lang string) error {
	if lang != "ja" && lang != "en" {
		return fmt.Errorf("language %q: expected ja or en", lang)
	}
	return nil
}

func checkRole(role string) error {
	for _, r := range authz.Roles {
		if r == role {
			return nil
		}
	}
	return fmt.Errorf("role %q: expected one of %s", role, strings.Join(authz.Roles, ", "))
}

// Password hashing: argon2id in the PHC string format
// $argon2id$v=19$m=65536,t=2,p=2$salt$hash. Verification reads the
// parameters back from the string, so they can be raised later without
// invalidating stored hashes.
const (
	argonMemory  = 64 * 1024 // KiB
	argonTime    = 2
	argonThreads = 2
	argonSaltLen = 16
	argonKeyLen  = 32
)

func hashPassword(password string) (string, error) {
	salt := make([]byte, argonSaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key := argon2.IDKey([]byte(password), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, argonMemory, argonTime, argonThreads, b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// verifyPassword reports whether password matches a PHC argon2id string.
// A malformed string, or one whose parameters are out of bounds (a
// tampered row must not make the server allocate gigabytes), never matches.
func verifyPassword(encoded, password string) bool {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" || parts[2] != "v="+strconv.Itoa(argon2.Version) {
		return false
	}
	var m, t, p uint64
	for _, kv := range strings.Split(parts[3], ",") {
		k, v, ok := strings.Cut(kv, "=")
		n, err := strconv.ParseUint(v, 10, 32)
		if !ok || err != nil {
			return false
		}
		switch k {
		case "m":
			m = n
		case "t":
			t = n
		case "p":
			p = n
		default:
			return false
		}
	}
	if m < 8 || m > 1<<20 || t < 1 || t > 16 || p < 1 || p > 64 {
		return false
	}
	b64 := base64.RawStdEncoding
	salt, err1 := b64.DecodeString(parts[4])
	want, err2 := b64.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(salt) < 8 || len(want) < 16 || len(want) > 64 {
		return false
	}
	got := argon2.IDKey([]byte(password), salt, uint32(t), uint32(m), uint8(p), uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}

// dummyHash is verified against when the email is unknown, so that an
// unknown email costs as much time as a wrong password.
var dummyHash = sync.OnceValue(func() string {
	h, err := hashPassword("not a password of anyone")
	if err != nil {
		panic(err)
	}
	return h
})

// newSecret returns 32 random bytes, base64url without padding.
func newSecret() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// hashToken is what is stored of a session or API token.
func hashToken(token string) string {
	h := sha256.Sum256([]byte(token))
	return hex.EncodeToString(h[:])
}

const userCols = `id, email, name, lang, password_hash, disabled, created_at`

type rowScanner interface{ Scan(dest ...any) error }

func scanUser(r rowScanner) (User, string, error) {
	var u User
	var hash string
	err := r.Scan(&u.ID, &u.Email, &u.Name, &u.Lang, &hash, &u.Disabled, &u.CreatedAt)
	return u, hash, err
}

// CreateUser adds an account. The email is stored in lower case and must be
// free (ErrExists); the password needs at least 10 characters; lang is ja or
// en.
func (s *Store) CreateUser(ctx context.Context, email, name, lang, password string) (User, error) {
	email = normEmail(email)
	if err := checkEmail(email); err != nil {
		return User{}, fmt.Errorf("create user: %w", err)
	}
	if err := checkLang(lang); err != nil {
		return User{}, fmt.Errorf("create user: %w", err)
	}
	if err := checkPassword(password); err != nil {
		return User{}, fmt.Errorf("create user: %w", err)
	}
	hash, err := hashPasswordGated(ctx, password)
	if err != nil {
		return User{}, fmt.Errorf("create user: %w", err)
	}
	u := User{Email: email, Name: strings.TrimSpace(name), Lang: lang, CreatedAt: s.stamp()}
	err = s.db.QueryRowContext(ctx, `INSERT INTO users (email, name, lang, password_hash, disabled, created_at) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (email) DO NOTHING RETURNING id`,
		u.Email, u.Name, u.Lang, hash, false, u.CreatedAt).Scan(&u.ID)
	if errors.Is(err, sql.ErrNoRows) {
		return User{}, fmt.Errorf("user %s: %w", email, ErrExists)
	}
	if err != nil {
		return User{}, fmt.Errorf("create user: %w", err)
	}
	return u, nil
}

// SetPassword replaces a user's password and ends all the user's sessions.
func (s *Store) SetPassword(ctx context.Context, userID int64, password string) error {
	if err := checkPassword(password); err != nil {
		return fmt.Errorf("set password: %w", err)
	}
	hash, err := hashPasswordGated(ctx, password)
	if err != nil {
		return fmt.Errorf("set password: %w", err)
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		if err := updated(tx.ExecContext(ctx, `UPDATE users SET password_hash = $1 WHERE id = $2`, hash, userID)); err != nil {
			return fmt.Errorf("user %d: %w", userID, err)
		}
		_, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = $1`, userID)
		return err
	})
}

// DisableUser disables an account and ends its sessions: from then on its
// password, sessions and API tokens are refused.
func (s *Store) DisableUser(ctx context.Context, userID int64) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		if err := updated(tx.ExecContext(ctx, `UPDATE users SET disabled = $1 WHERE id = $2`, true, userID)); err != nil {
			return fmt.Errorf("user %d: %w", userID, err)
		}
		_, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = $1`, userID)
		return err
	})
}

// updated turns "no row changed" into ErrNotFound.
func updated(res sql.Result, err error) error {
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return ErrNotFound
	}
	return nil
}

// Users lists the accounts by email.
func (s *Store) Users(ctx context.Context) ([]User, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+userCols+` FROM users ORDER BY email`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []User
	for rows.Next() {
		u, _, err := scanUser(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// UserByEmail finds an account by email (in any case), or ErrNotFound.
func (s *Store) UserByEmail(ctx context.Context, email string) (User, error) {
	u, _, err := scanUser(s.db.QueryRowContext(ctx, `SELECT `+userCols+` FROM users WHERE email = $1`, normEmail(email)))
	if errors.Is(err, sql.ErrNoRows) {
		return User{}, fmt.Errorf("user %s: %w", normEmail(email), ErrNotFound)
	}
	return u, err
}

// UserByID finds an account by id, or ErrNotFound.
func (s *Store) UserByID(ctx context.Context, id int64) (User, error) {
	u, _, err := scanUser(s.db.QueryRowContext(ctx, `SELECT `+userCols+` FROM users WHERE id = $1`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return User{}, fmt.Errorf("user %d: %w", id, ErrNotFound)
	}
	return u, err
}

// SetUserLang sets the language a user sees (ja or en).
func (s *Store) SetUserLang(ctx context.Context, userID int64, lang string) error {
	if err := checkLang(lang); err != nil {
		return fmt.Errorf("set language: %w", err)
	}
	if err := updated(s.db.ExecContext(ctx, `UPDATE users SET lang = $1 WHERE id = $2`, lang, userID)); err != nil {
		return fmt.Errorf("user %d: %w", userID, err)
	}
	return nil
}

// Authenticate checks an email and password. An unknown email, a wrong
// password and a disabled account all give ErrBadCredentials, after the same
// amount of hashing.
//
// The check waits for a slot of the hash bound (a *BusyError when none
// frees in time); the lookup runs within the slot for known and unknown
// emails alike.
func (s *Store) Authenticate(ctx context.Context, email, password string) (User, error) {
	leave, err := hashes.Enter(ctx)
	if err != nil {
		return User{}, err
	}
	defer leave()
	if len(password) > maxPassword {
		// No password this long was ever set: refuse before looking the
		// email up, so the answer says nothing about the account.
		verifyPassword(dummyHash(), password[:maxPassword])
		return User{}, ErrBadCredentials
	}
	u, hash, err := scanUser(s.db.QueryRowContext(ctx, `SELECT `+userCols+` FROM users WHERE email = $1`, normEmail(email)))
	switch {
	case errors.Is(err, sql.ErrNoRows):
		verifyPassword(dummyHash(), password)
		return User{}, ErrBadCredentials
	case err != nil:
		return User{}, err
	}
	if !verifyPassword(hash, password) || u.Disabled {
		return User{}, ErrBadCredentials
	}
	return u, nil
}

// Sign-in methods a session records (Session.Method). A password
// followed by a second factor is MethodPassword+"+"+ the factor: totp,
// recovery or passkey.
const (
	MethodPassword    = "password"
	MethodPasskey     = "passkey"
	MethodSSO         = "sso"          // an organization's own OpenID provider
	MethodInstanceSSO = "sso:instance" // the instance's OpenID provider
)

// CreateSession starts a session of ttl for an enabled user, by no
// recorded method (the operator's tools, tests): see CreateSessionBy.
func (s *Store) CreateSession(ctx context.Context, userID int64, ttl time.Duration) (string, error) {
	return s.CreateSessionBy(ctx, userID, "", ttl)
}

// CreateSessionBy starts a session of ttl for an enabled user, recording
// how it signed in (a Method…), and returns its token (32 random bytes,
// base64url). Only the token's SHA-256 is stored. Expired sessions of
// every user are removed on the way.
func (s *Store) CreateSessionBy(ctx context.Context, userID int64, method string, ttl time.Duration) (string, error) {
	if ttl <= 0 {
		return "", fmt.Errorf("create session: the lifetime must be positive, not %s", ttl)
	}
	token, err := newSecret()
	if err != nil {
		return "", fmt.Errorf("create session: %w", err)
	}
	now := s.now()
	err = s.tx(ctx, func(tx *sql.Tx) error {
		if err := activeUser(ctx, tx, userID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE expires_at <= $1`, until(now)); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO sessions (token_hash, user_id, created_at, expires_at, method) VALUES ($1, $2, $3, $4, $5)`,
			hashToken(token), userID, now.UTC().Format(time.RFC3339Nano), until(now.Add(ttl)), clip(method, 40))
		return err
	})
	if err != nil {
		return "", fmt.Errorf("create session: %w", err)
	}
	return token, nil
}

// activeUser checks that a user exists (ErrNotFound) and is not disabled.
func activeUser(ctx context.Context, tx *sql.Tx, userID int64) error {
	var disabled bool
	err := tx.QueryRowContext(ctx, `SELECT disabled FROM users WHERE id = $1`, userID).Scan(&disabled)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("user %d: %w", userID, ErrNotFound)
	}
	if err != nil {
		return err
	}
	if disabled {
		return fmt.Errorf("user %d is disabled", userID)
	}
	return nil
}

// SessionUser returns the user of a session token, or ErrNotFound when the
// session does not exist, has expired, or its user is disabled.
func (s *Store) SessionUser(ctx context.Context, token string) (User, error) {
	var expires string
	var u User
	var hash string
	err := s.db.QueryRowContext(ctx, `SELECT s.expires_at, u.id, u.email, u.name, u.lang, u.password_hash, u.disabled, u.created_at FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = $1`,
		hashToken(token)).Scan(&expires, &u.ID, &u.Email, &u.Name, &u.Lang, &hash, &u.Disabled, &u.CreatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return User{}, fmt.Errorf("session: %w", ErrNotFound)
	}
	if err != nil {
		return User{}, err
	}
	if s.expired(expires) || u.Disabled {
		return User{}, fmt.Errorf("session: %w", ErrNotFound)
	}
	return u, nil
}

// Session is how a session started, for the pages that show it.
type Session struct {
	Method    string // a Method… ("" when not recorded)
	SSOOrg    string // the organization a single sign-on started for
	CreatedAt string
}

// SessionOf describes a session (ErrNotFound for an unknown token).
func (s *Store) SessionOf(ctx context.Context, token string) (Session, error) {
	var ss Session
	err := s.db.QueryRowContext(ctx, `SELECT method, sso_org, created_at FROM sessions WHERE token_hash = $1`, hashToken(token)).Scan(&ss.Method, &ss.SSOOrg, &ss.CreatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return ss, fmt.Errorf("session: %w", ErrNotFound)
	}
	if err != nil {
		return ss, fmt.Errorf("session: %w", err)
	}
	return ss, nil
}

// DeleteSession ends a session (signing out). An unknown token is not an
// error: the session is gone either way.
func (s *Store) DeleteSession(ctx context.Context, token string) error {
	_, err := s.db.ExecContext(ctx, `DELETE FROM sessions WHERE token_hash = $1`, hashToken(token))
	return err
}

// CreateToken issues an API token for an enabled user and returns its
// secret, "cis_" and 32 random bytes in base64url, which is shown once: only
// its SHA-256 is stored. A zero expires means the token does not expire.
func (s *Store) CreateToken(ctx context.Context, userID int64, name string, expires time.Time) (string, Token, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		return "", Token{}, errors.New("create token: a name is required")
	}
	now := s.now()
	t := Token{UserID: userID, Name: name, CreatedAt: now.UTC().Format(time.RFC3339Nano)}
	if !expires.IsZero() {
		if !expires.After(now) {
			return "", Token{}, fmt.Errorf("create token: the expiry %s is not in the future", expires.UTC().Format(time.RFC3339))
		}
		t.ExpiresAt = until(expires)
	}
	secret, err := newSecret()
	if err != nil {
		return "", Token{}, fmt.Errorf("create token: %w", err)
	}
	secret = tokenPrefix + secret
	err = s.tx(ctx, func(tx *sql.Tx) error {
		if err := activeUser(ctx, tx, userID); err != nil {
			return err
		}
		return tx.QueryRowContext(ctx, `INSERT INTO api_tokens (user_id, name, token_hash, created_at, expires_at) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
			userID, t.Name, hashToken(secret), t.CreatedAt, t.ExpiresAt).Scan(&t.ID)
	})
	if err != nil {
		return "", Token{}, fmt.Errorf("create token: %w", err)
	}
	return secret, t, nil
}

// RevokeToken revokes an API token (ErrNotFound for an unknown id).
// Revoking a revoked token keeps the first revocation time. The caller
// checks that the token belongs to whoever asks.
func (s *Store) RevokeToken(ctx context.Context, tokenID int64) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		var revoked sql.NullString
		err := tx.QueryRowContext(ctx, `SELECT revoked_at FROM api_tokens WHERE id = $1`, tokenID).Scan(&revoked)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("token %d: %w", tokenID, ErrNotFound)
		}
		if err != nil || revoked.Valid {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE api_tokens SET revoked_at = $1 WHERE id = $2`, s.stamp(), tokenID)
		return err
	})
}

// Tokens lists a user's API tokens, revoked and expired ones included, by id.
func (s *Store) Tokens(ctx context.Context, userID int64) ([]Token, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, user_id, name, created_at, expires_at, revoked_at FROM api_tokens WHERE user_id = $1 ORDER BY id`, userID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Token
	for rows.Next() {
		var t Token
		var revoked sql.NullString
		if err := rows.Scan(&t.ID, &t.UserID, &t.Name, &t.CreatedAt, &t.ExpiresAt, &revoked); err != nil {
			return nil, err
		}
		t.RevokedAt = revoked.String
		out = append(out, t)
	}
	return out, rows.Err()
}

// TokenUser returns the user of an API token secret, or ErrNotFound when the
// token is unknown, revoked or expired, or its user is disabled.
func (s *Store) TokenUser(ctx context.Context, token string) (User, error) {
	u, _, err := s.TokenAccess(ctx, token, "")
	return u, err
}

// TokenAccess is TokenUser and Access in one query, for an API call on an
// organization's data (a round trip less for every call). The access's
// Err wraps ErrNotFound when the token is valid but its user is no member
// of org (always, for org ""); err is TokenUser's. The access has no All:
// a call reads one organization.
func (s *Store) TokenAccess(ctx context.Context, token, org string) (User, OrgAccess, error) {
	notFound := fmt.Errorf("token: %w", ErrNotFound)
	if !strings.HasPrefix(token, tokenPrefix) {
		return User{}, OrgAccess{}, notFound
	}
	var expires string
	var revoked, role, person, req, by, at sql.NullString
	var h nullHeads
	var u User
	// The membership, the policy and the heads are joined on org; with
	// org "" no membership matches and they come back null.
	err := s.db.QueryRowContext(ctx, `SELECT t.expires_at, t.revoked_at, u.id, u.email, u.name, u.lang, u.disabled, u.created_at,
			m.role, m.person, p.require, p.updated_by, p.updated_at, h.n, h.approvals_rev, h.bulk_n
		FROM api_tokens t JOIN users u ON u.id = t.user_id
		LEFT JOIN memberships m ON m.user_id = u.id AND m.org_id = $2
		LEFT JOIN org_auth_policy p ON p.org_id = m.org_id
		LEFT JOIN history_heads h ON h.org_id = m.org_id
		WHERE t.token_hash = $1`,
		hashToken(token), org).Scan(&expires, &revoked, &u.ID, &u.Email, &u.Name, &u.Lang, &u.Disabled, &u.CreatedAt,
		&role, &person, &req, &by, &at, &h.n, &h.rev, &h.bulk)
	if errors.Is(err, sql.ErrNoRows) {
		return User{}, OrgAccess{}, notFound
	}
	if err != nil {
		return User{}, OrgAccess{}, err
	}
	if revoked.Valid || s.expired(expires) || u.Disabled {
		return User{}, OrgAccess{}, notFound
	}
	if !role.Valid {
		return u, OrgAccess{Err: fmt.Errorf("membership of user %d in %s: %w", u.ID, org, ErrNotFound)}, nil
	}
	return u, OrgAccess{
		Member: Membership{Org: org, UserID: u.ID, Role: role.String, Person: person.String},
		Policy: policyOf(org, req, by, at), Heads: h.heads(),
	}, nil
}

// AddMember gives a user a role in an organization, or changes the role and
// person of a member. The organization and the user must exist
// (ErrNotFound).
func (s *Store) AddMember(ctx context.Context, org string, userID int64, role, person string) error {
	if err := checkRole(role); err != nil {
		return fmt.Errorf("add member: %w", err)
	}
	person = strings.TrimSpace(person)
	return s.tx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM orgs WHERE id = $1`, org).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return fmt.Errorf("organization %s: %w", org, ErrNotFound)
		}
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM users WHERE id = $1`, userID).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return fmt.Errorf("user %d: %w", userID, ErrNotFound)
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO memberships (org_id, user_id, role, person) VALUES ($1, $2, $3, $4) ON CONFLICT (org_id, user_id) DO UPDATE SET role = excluded.role, person = excluded.person`,
			org, userID, role, person)
		return err
	})
}

// Member returns a user's membership of an organization, or ErrNotFound
// when the user is not a member.
func (s *Store) Member(ctx context.Context, org string, userID int64) (Membership, error) {
	m := Membership{Org: org, UserID: userID}
	err := s.db.QueryRowContext(ctx, `SELECT role, person FROM memberships WHERE org_id = $1 AND user_id = $2`, org, userID).Scan(&m.Role, &m.Person)
	if errors.Is(err, sql.ErrNoRows) {
		return Membership{}, fmt.Errorf("membership of user %d in %s: %w", userID, org, ErrNotFound)
	}
	return m, err
}

// Memberships lists the organizations a user belongs to, by organization.
func (s *Store) Memberships(ctx context.Context, userID int64) ([]Membership, error) {
	return s.memberships(ctx, `SELECT org_id, user_id, role, person FROM memberships WHERE user_id = $1 ORDER BY org_id`, userID)
}

// Members lists the members of an organization by user id (ErrNotFound for
// an unknown organization).
func (s *Store) Members(ctx context.Context, org string) ([]Membership, error) {
	if _, err := s.Org(ctx, org); err != nil {
		return nil, err
	}
	return s.memberships(ctx, `SELECT org_id, user_id, role, person FROM memberships WHERE org_id = $1 ORDER BY user_id`, org)
}

func (s *Store) memberships(ctx context.Context, q string, arg any) ([]Membership, error) {
	rows, err := s.db.QueryContext(ctx, q, arg)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Membership
	for rows.Next() {
		var m Membership
		if err := rows.Scan(&m.Org, &m.UserID, &m.Role, &m.Person); err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}
