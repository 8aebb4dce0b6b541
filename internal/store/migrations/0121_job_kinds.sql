-- Jobs of other kinds than the bundle export (the audit pack): the kind,
-- its parameters (JSON), and how far a running job has got, for the page
-- that waits for it. Their results are files in the evidence storage
-- (jobs/ORG/ID), not in the row.
ALTER TABLE export_jobs ADD COLUMN kind TEXT NOT NULL DEFAULT 'bundle';
ALTER TABLE export_jobs ADD COLUMN params TEXT NOT NULL DEFAULT '';
ALTER TABLE export_jobs ADD COLUMN progress TEXT NOT NULL DEFAULT ''
