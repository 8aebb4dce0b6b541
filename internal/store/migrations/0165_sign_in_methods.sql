-- How each session started: password, password+totp, password+recovery,
-- password+passkey, passkey, sso (an organization's own provider, named
-- by sso_org) or sso:instance (the instance's provider). '' for sessions
-- older than this column or made by the operator's tools.
ALTER TABLE sessions ADD COLUMN method TEXT NOT NULL DEFAULT '';
UPDATE sessions SET method = 'sso' WHERE sso_org <> '';

-- The instance's OpenID provider, set by the operator (cloudisms sso
-- set): one row at most. Organizations choose to use it on their single
-- sign-on page (sso_providers.use_instance), their own settings (joining,
-- requiring it) applying as with a provider of their own.
CREATE TABLE sso_instance (
	id            INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
	issuer        TEXT    NOT NULL,
	client_id     TEXT    NOT NULL,
	client_secret TEXT    NOT NULL,
	label         TEXT    NOT NULL,
	updated_by    TEXT    NOT NULL,
	updated_at    TEXT    NOT NULL
);
ALTER TABLE sso_providers ADD COLUMN use_instance BOOLEAN NOT NULL DEFAULT FALSE;

-- A sign-in through the instance's provider started from the sign-in page
-- names no organization (org_id ''): the pending states lose their
-- reference to orgs. They live minutes, so the table is made anew.
DROP TABLE sso_states;
CREATE TABLE sso_states (
	state_hash   TEXT NOT NULL PRIMARY KEY,
	browser_hash TEXT NOT NULL,
	org_id       TEXT NOT NULL,
	nonce        TEXT NOT NULL,
	verifier     TEXT NOT NULL,
	next         TEXT NOT NULL,
	address      TEXT NOT NULL,
	created_at   TEXT NOT NULL,
	expires_at   TEXT NOT NULL
);
CREATE INDEX sso_states_by_expiry ON sso_states (expires_at);
CREATE INDEX sso_states_by_address ON sso_states (address, created_at)
