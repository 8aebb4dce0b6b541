-- Items whose search text is due to be brought up to date. On PostgreSQL
-- the items' trigger only adds a row here, and the text is indexed after
-- the write's commit, in the background or by the next search of the
-- organization (search_queue.go): indexing the text by trigrams took
-- most of the time of a write of a batch of edits. SQLite keeps its
-- search text in the writing transaction and leaves this table empty.
CREATE TABLE search_queue (
	id     {{identity}},
	org_id TEXT NOT NULL,
	kind   TEXT NOT NULL,
	key    TEXT NOT NULL
);
CREATE INDEX search_queue_by_org ON search_queue (org_id, id)
