CREATE TABLE approvals (
	org_id       TEXT NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
	kind         TEXT NOT NULL,
	key          TEXT NOT NULL,
	content_hash TEXT NOT NULL,
	person       TEXT NOT NULL,
	approved_by  TEXT NOT NULL,
	approved_at  TEXT NOT NULL,
	PRIMARY KEY (org_id, kind, key)
)
