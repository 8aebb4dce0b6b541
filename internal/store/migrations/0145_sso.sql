-- Single sign-on with OpenID Connect. An organization's administrator
-- names the issuer (its OpenID provider), the client id and the client
-- secret the provider gave for cloudisms. The secret must be readable by
-- the server (it authenticates the code exchange), so it is kept as given,
-- and the pages never show it again once saved. allow_join lets a person
-- whose verified email matches no member join with join_role. Requiring
-- single sign-on is the organization's sign-in policy (org_auth_policy,
-- require = 'sso').
CREATE TABLE sso_providers (
	org_id        TEXT    NOT NULL PRIMARY KEY REFERENCES orgs (id) ON DELETE CASCADE,
	issuer        TEXT    NOT NULL,
	client_id     TEXT    NOT NULL,
	client_secret TEXT    NOT NULL,
	allow_join    BOOLEAN NOT NULL DEFAULT FALSE,
	join_role     TEXT    NOT NULL DEFAULT '',
	updated_by    TEXT    NOT NULL,
	updated_at    TEXT    NOT NULL
);

-- A sign-in on its way through the provider: the state sent there (stored
-- hashed), the nonce the ID token must carry, the PKCE verifier, the
-- organization and where to return. It is bound to the browser that
-- started it (browser_hash is the SHA-256 of a cookie only that browser
-- holds), lives a few minutes and is deleted when it is used.
CREATE TABLE sso_states (
	state_hash   TEXT NOT NULL PRIMARY KEY,
	browser_hash TEXT NOT NULL,
	org_id       TEXT NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
	nonce        TEXT NOT NULL,
	verifier     TEXT NOT NULL,
	next         TEXT NOT NULL,
	address      TEXT NOT NULL,
	created_at   TEXT NOT NULL,
	expires_at   TEXT NOT NULL
);
CREATE INDEX sso_states_by_expiry ON sso_states (expires_at);
CREATE INDEX sso_states_by_address ON sso_states (address, created_at);

-- Which organization's provider signed a session in ('' for a password):
-- an organization that requires single sign-on admits only those.
ALTER TABLE sessions ADD COLUMN sso_org TEXT NOT NULL DEFAULT ''
