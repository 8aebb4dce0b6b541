-- Invitations to join an organization. An organization admin invites an
-- email with a role, and the person who controls the email follows the link
-- (a single-use token, stored hashed, that expires) and sets their own
-- password, or, when an account with that email exists already, accepts
-- while signed in to it. Nobody but the operator chooses another
-- person's password.
CREATE TABLE invitations (
	id         {{identity}},
	org_id     TEXT NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
	email      TEXT NOT NULL,
	role       TEXT NOT NULL,
	person     TEXT NOT NULL,
	token_hash TEXT NOT NULL UNIQUE,
	invited_by TEXT NOT NULL,
	created_at TEXT NOT NULL,
	expires_at TEXT NOT NULL,
	used_at    TEXT
);
CREATE INDEX invitations_by_org ON invitations (org_id, email)
