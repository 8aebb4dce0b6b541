-- Accounts: people who sign in, their sessions and API tokens, and their
-- role in each organization. Secrets are stored only as hashes.
-- Times are RFC 3339 in UTC. expires_at is written with a fixed nine-digit
-- fraction, so that it compares as text.

CREATE TABLE users (
	id            {{identity}},
	email         TEXT    NOT NULL UNIQUE,
	name          TEXT    NOT NULL DEFAULT '',
	lang          TEXT    NOT NULL,
	password_hash TEXT    NOT NULL,
	disabled      BOOLEAN NOT NULL DEFAULT FALSE,
	created_at    TEXT    NOT NULL
);

CREATE TABLE sessions (
	token_hash TEXT    PRIMARY KEY,
	user_id    BIGINT  NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	created_at TEXT    NOT NULL,
	expires_at TEXT    NOT NULL
);
CREATE INDEX sessions_by_user ON sessions (user_id);
CREATE INDEX sessions_by_expiry ON sessions (expires_at);

CREATE TABLE api_tokens (
	id         {{identity}},
	user_id    BIGINT  NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	name       TEXT    NOT NULL,
	token_hash TEXT    NOT NULL UNIQUE,
	created_at TEXT    NOT NULL,
	expires_at TEXT    NOT NULL DEFAULT '',
	revoked_at TEXT
);
CREATE INDEX api_tokens_by_user ON api_tokens (user_id);

CREATE TABLE memberships (
	org_id  TEXT    NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
	user_id BIGINT  NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	role    TEXT    NOT NULL,
	person  TEXT    NOT NULL DEFAULT '',
	PRIMARY KEY (org_id, user_id)
);
CREATE INDEX memberships_by_user ON memberships (user_id);
