-- Two-factor sign-in, the organization's sign-in policy and the security
-- log. Times are written with a fixed nine-digit fraction (compare as
-- text).

-- A sign-in between its password and its second factor: short-lived,
-- single-use, stored hashed like a session, bound to the browser (its
-- cookie holds the token) and to the address the password came from.
CREATE TABLE login_pending (
	token_hash TEXT   PRIMARY KEY,
	user_id    BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	address    TEXT   NOT NULL,
	next       TEXT   NOT NULL,
	created_at TEXT   NOT NULL,
	expires_at TEXT   NOT NULL
);
CREATE INDEX login_pending_by_expiry ON login_pending (expires_at);

-- A user's TOTP secret (RFC 6238). confirmed_at is NULL while the
-- enrolment waits for its first code, and last_step is the time step of the
-- last code accepted, so a code is good once.
CREATE TABLE totp_secrets (
	user_id      BIGINT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
	secret       TEXT   NOT NULL,
	confirmed_at TEXT,
	last_step    BIGINT NOT NULL DEFAULT 0,
	created_at   TEXT   NOT NULL
);

-- Single-use recovery codes, stored as SHA-256 of a high-entropy code.
CREATE TABLE recovery_codes (
	user_id   BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	code_hash TEXT   NOT NULL,
	used_at   TEXT,
	PRIMARY KEY (user_id, code_hash)
);

-- What an organization requires of its members' sign-in ('' nothing,
-- two_factor a second factor).
CREATE TABLE org_auth_policy (
	org_id     TEXT NOT NULL PRIMARY KEY REFERENCES orgs(id) ON DELETE CASCADE,
	require    TEXT NOT NULL,
	updated_by TEXT NOT NULL,
	updated_at TEXT NOT NULL
);

-- The security log: sign-ins, second factors, factor changes and policy
-- changes. org_id is '' for an account's events (an organization's
-- administrators read those of their members), user_id is 0 for an
-- unknown email. Bounded by age and count (store/securitylog.go).
CREATE TABLE security_events (
	id      {{identity}},
	at      TEXT   NOT NULL,
	org_id  TEXT   NOT NULL,
	user_id BIGINT NOT NULL,
	email   TEXT   NOT NULL,
	kind    TEXT   NOT NULL,
	address TEXT   NOT NULL,
	detail  TEXT   NOT NULL
);
CREATE INDEX security_events_by_user ON security_events (user_id, id);
CREATE INDEX security_events_by_org ON security_events (org_id, id);
CREATE INDEX security_events_by_at ON security_events (at)
