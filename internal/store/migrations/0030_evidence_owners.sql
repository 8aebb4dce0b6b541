-- Which organization uploaded which evidence file. Files are kept once by
-- content (SHA-256), but each organization may name in its items, and
-- download, only the files it uploaded itself: a hash alone is no key to
-- another organization's file. stored_at stays NULL while an upload is
-- under way, and only a file stored whole may be named. The rows for files
-- that items named before this table existed are written by the Go step
-- of this migration (backfillEvidenceOwners).
CREATE TABLE evidence_owners (
	org_id      TEXT NOT NULL REFERENCES orgs (id),
	sha256      TEXT NOT NULL,
	size        BIGINT,
	uploaded_at TEXT NOT NULL,
	uploaded_by TEXT NOT NULL,
	stored_at   TEXT,
	PRIMARY KEY (org_id, sha256)
);
CREATE INDEX evidence_owners_by_sha ON evidence_owners (sha256)
