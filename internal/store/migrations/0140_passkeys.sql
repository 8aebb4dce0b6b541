-- Passkeys (WebAuthn credentials) of users, and the server-side state of
-- the ceremonies that register and use them.
--
-- passkey_users gives each user who registers a passkey a random user
-- handle (base64url of 32 bytes): the authenticator keeps it with the
-- credential and hands it back at a passwordless sign-in, so it must not
-- be the user's id or email, which would tell the authenticator's
-- holder who the account is.
CREATE TABLE passkey_users (
	user_id BIGINT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
	handle  TEXT   NOT NULL UNIQUE
);

-- One row a credential. credential_id is base64url of the credential's
-- id, credential the library's JSON of the public key, sign count and
-- flags. last_used_at is '' until its first sign-in.
CREATE TABLE passkeys (
	id            {{identity}},
	user_id       BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	credential_id TEXT   NOT NULL UNIQUE,
	name          TEXT   NOT NULL,
	credential    TEXT   NOT NULL,
	created_at    TEXT   NOT NULL,
	last_used_at  TEXT   NOT NULL DEFAULT ''
);
CREATE INDEX passkeys_by_user ON passkeys (user_id);

-- A ceremony begun and not yet finished: the challenge and what the
-- library needs to check the answer. The browser holds only the token
-- (stored hashed). Finishing deletes the row, so each is used once, and
-- it expires after minutes. user_id is 0 for a passwordless sign-in,
-- where the user is not known until the answer names them. address
-- bounds how many one client may hold open.
CREATE TABLE passkey_ceremonies (
	token_hash TEXT   PRIMARY KEY,
	kind       TEXT   NOT NULL,
	user_id    BIGINT NOT NULL,
	address    TEXT   NOT NULL,
	session    TEXT   NOT NULL,
	expires_at TEXT   NOT NULL
);
CREATE INDEX passkey_ceremonies_by_address ON passkey_ceremonies (address, expires_at);
CREATE INDEX passkey_ceremonies_by_expiry ON passkey_ceremonies (expires_at)
