-- Login throttling by counters, taken and raised in one transaction before
-- any password is hashed. kind is pair (an account from one address:
-- address is set) or account (every address together: address is '').
-- failures counts the failed attempts since window_start, blocked_until is
-- '' or the time before which the key refuses attempts.
CREATE TABLE login_throttle (
	kind          TEXT NOT NULL,
	email         TEXT NOT NULL,
	address       TEXT NOT NULL,
	failures      INTEGER NOT NULL,
	window_start  TEXT NOT NULL,
	blocked_until TEXT NOT NULL,
	PRIMARY KEY (kind, email, address)
);
-- Addresses an account signed in from successfully: the account-wide
-- back-off does not stop its owner at a known address.
CREATE TABLE login_known (
	email   TEXT NOT NULL,
	address TEXT NOT NULL,
	at      TEXT NOT NULL,
	PRIMARY KEY (email, address)
);
DROP TABLE login_failures
