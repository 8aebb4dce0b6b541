-- Daily work: why a change was made, comments and mentions, requests for
-- approval, personal calendar feeds, and the daily reminders' bookkeeping.

-- The optional "why" of a change, written with its history record and
-- covered by its hash when it is not empty (older records verify as
-- before).
ALTER TABLE history ADD COLUMN note TEXT NOT NULL DEFAULT '';

-- A comment on an item of an organization. A deleted comment keeps its
-- row (the thread keeps its shape) without its text.
CREATE TABLE comments (
	id         {{identity}},
	org_id     TEXT   NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
	kind       TEXT   NOT NULL,
	key        TEXT   NOT NULL,
	author_id  BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	body       TEXT   NOT NULL,
	created_at TEXT   NOT NULL,
	deleted_at TEXT   NOT NULL DEFAULT '',
	deleted_by TEXT   NOT NULL DEFAULT ''
);
CREATE INDEX comments_by_item ON comments (org_id, kind, key, id);
CREATE INDEX comments_by_author ON comments (author_id, created_at);

-- What a member is told in the application: a mention in a comment, a
-- request for their approval. mailed_at is set once a message went out.
CREATE TABLE notifications (
	id         {{identity}},
	org_id     TEXT   NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
	user_id    BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	kind       TEXT   NOT NULL,
	subject    TEXT   NOT NULL,
	comment_id BIGINT,
	actor      TEXT   NOT NULL,
	text       TEXT   NOT NULL DEFAULT '',
	created_at TEXT   NOT NULL,
	read_at    TEXT   NOT NULL DEFAULT '',
	mailed_at  TEXT   NOT NULL DEFAULT ''
);
CREATE INDEX notifications_by_user ON notifications (user_id, org_id, id);

-- Someone asking a person of the ISMS to approve an item: resolved when
-- the item is approved (or the request withdrawn).
CREATE TABLE approval_requests (
	id           {{identity}},
	org_id       TEXT   NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
	kind         TEXT   NOT NULL,
	key          TEXT   NOT NULL,
	person       TEXT   NOT NULL,
	requested_by BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	note         TEXT   NOT NULL DEFAULT '',
	due          TEXT   NOT NULL DEFAULT '',
	created_at   TEXT   NOT NULL,
	resolved_at  TEXT   NOT NULL DEFAULT ''
);
CREATE INDEX approval_requests_by_org ON approval_requests (org_id, resolved_at, kind, key);

-- A member's personal calendar feed: the secret in its URL is stored only
-- as a hash: regenerating replaces it, revoking deletes it.
CREATE TABLE calendar_feeds (
	org_id     TEXT   NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
	user_id    BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	token_hash TEXT   NOT NULL UNIQUE,
	created_at TEXT   NOT NULL,
	PRIMARY KEY (org_id, user_id)
);

-- A user's reminder settings (no row: the defaults).
CREATE TABLE reminder_settings (
	user_id BIGINT  PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
	digest  BOOLEAN NOT NULL,
	days    BIGINT  NOT NULL
);

-- One row per user and day claims that day's digest: the instance whose
-- INSERT wins sends it, so that each digest goes out once however many
-- instances run the schedule.
CREATE TABLE digest_runs (
	user_id    BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	day        TEXT   NOT NULL,
	claimed_by TEXT   NOT NULL,
	claimed_at TEXT   NOT NULL,
	sent_at    TEXT   NOT NULL DEFAULT '',
	tasks      BIGINT NOT NULL DEFAULT 0,
	error      TEXT   NOT NULL DEFAULT '',
	PRIMARY KEY (user_id, day)
)
