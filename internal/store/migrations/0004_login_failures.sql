-- Failed logins per account and per address, for throttling across
-- instances.
CREATE TABLE login_failures (
	key TEXT NOT NULL,
	at  TEXT NOT NULL
);
CREATE INDEX login_failures_by_key ON login_failures (key, at)
