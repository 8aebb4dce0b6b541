CREATE TABLE frameworks (
	org_id        TEXT NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
	id            TEXT NOT NULL,
	title         TEXT NOT NULL,
	version       TEXT NOT NULL,
	oscal_version TEXT NOT NULL,
	source_uuid   TEXT NOT NULL,
	controls      TEXT NOT NULL,
	imported_at   TEXT NOT NULL,
	imported_by   TEXT NOT NULL,
	PRIMARY KEY (org_id, id)
)
;
CREATE TABLE disclosures (
	org_id     TEXT NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
	service    TEXT NOT NULL,
	enabled_by TEXT NOT NULL,
	enabled_at TEXT NOT NULL,
	PRIMARY KEY (org_id, service)
)
;
CREATE TABLE control_texts (
	org_id     TEXT NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
	control    TEXT NOT NULL,
	body       TEXT NOT NULL,
	updated_by TEXT NOT NULL,
	updated_at TEXT NOT NULL,
	PRIMARY KEY (org_id, control)
)
;
CREATE TABLE framework_rows (
	org_id         TEXT NOT NULL REFERENCES orgs(id) ON DELETE CASCADE,
	framework      TEXT NOT NULL,
	control        TEXT NOT NULL,
	applicable     TEXT NOT NULL,
	reasons        TEXT NOT NULL,
	implementation TEXT NOT NULL,
	justification  TEXT NOT NULL,
	notes          TEXT NOT NULL,
	version        INTEGER NOT NULL,
	updated_by     TEXT NOT NULL,
	updated_at     TEXT NOT NULL,
	PRIMARY KEY (org_id, framework, control)
)
