CREATE TABLE orgs (
	id         TEXT PRIMARY KEY,
	name       TEXT NOT NULL,
	created_at TEXT NOT NULL
);

CREATE TABLE items (
	org_id     TEXT    NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
	kind       TEXT    NOT NULL,
	key        TEXT    NOT NULL,
	pos        BIGINT NOT NULL,
	version    BIGINT NOT NULL,
	label      TEXT    NOT NULL DEFAULT '',
	owner      TEXT    NOT NULL DEFAULT '',
	data       TEXT    NOT NULL,
	updated_at TEXT    NOT NULL,
	updated_by TEXT    NOT NULL DEFAULT '',
	PRIMARY KEY (org_id, kind, key)
);
CREATE INDEX items_by_pos ON items (org_id, kind, pos);
CREATE INDEX items_by_owner ON items (org_id, kind, owner);

CREATE TABLE history (
	seq       {{identity}},
	org_id    TEXT NOT NULL,
	n         BIGINT NOT NULL,
	at        TEXT NOT NULL,
	actor     TEXT NOT NULL,
	kind      TEXT NOT NULL,
	key       TEXT NOT NULL,
	action    TEXT NOT NULL,
	before    TEXT,
	after     TEXT,
	prev_hash TEXT NOT NULL,
	hash      TEXT NOT NULL
);
CREATE UNIQUE INDEX history_by_org ON history (org_id, n);
CREATE INDEX history_by_item ON history (org_id, kind, key, seq);

CREATE TABLE history_heads (
	org_id TEXT PRIMARY KEY,
	n      BIGINT NOT NULL,
	hash   TEXT NOT NULL
);
