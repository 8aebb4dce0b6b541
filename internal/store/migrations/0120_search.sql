-- The text of every item for the search box: its label and every string
-- value of its data, kept in step with items by triggers, and indexed by
-- trigrams (written per database in search.go, since trigger and index
-- syntax differ).
CREATE TABLE search_text (
	id     {{identity}},
	org_id TEXT NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
	kind   TEXT NOT NULL,
	key    TEXT NOT NULL,
	label  TEXT NOT NULL DEFAULT '',
	text   TEXT NOT NULL,
	UNIQUE (org_id, kind, key)
);
