-- Export jobs: a request creates one, exactly one server instance claims
-- it (FOR UPDATE SKIP LOCKED on PostgreSQL), runs it and stores the
-- result, which any instance then serves.
CREATE TABLE export_jobs (
	id           {{identity}},
	org_id       TEXT   NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
	requested_by TEXT   NOT NULL,
	state        TEXT   NOT NULL,
	runs         BIGINT NOT NULL DEFAULT 0,
	claimed_by   TEXT   NOT NULL DEFAULT '',
	created_at   TEXT   NOT NULL,
	started_at   TEXT   NOT NULL DEFAULT '',
	finished_at  TEXT   NOT NULL DEFAULT '',
	error        TEXT   NOT NULL DEFAULT '',
	result       TEXT
);
CREATE INDEX export_jobs_by_state ON export_jobs (state, id)
