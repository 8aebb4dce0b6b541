-- The security log bounded per source. Repeats of a failure or a refusal
-- from the same source within an hour are one entry: repeats counts them
-- and last_at is when the last one came (store/securitylog.go). The index
-- finds the entry a repeat belongs to.
ALTER TABLE security_events ADD COLUMN repeats BIGINT NOT NULL DEFAULT 1;
ALTER TABLE security_events ADD COLUMN last_at TEXT NOT NULL DEFAULT '';
CREATE INDEX security_events_by_source ON security_events (address, kind, id)
