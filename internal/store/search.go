package store

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"
)

// Search finds the items of an organization whose label or any text
// value contains a query: one box for the whole ISMS. The text is kept in
// search_text by triggers on items, so every way of writing an item
// (forms, API, import, restore) keeps it current without the Go code
// having to remember: on SQLite in the write, on PostgreSQL through a
// queue indexed after the write and before any search (search_queue.go). Matching is a substring match (case-insensitive
// for Latin letters), which suits Japanese, written without spaces, as
// well as English; at 50,000 risks it is a scan of compact text, measured
// by BenchmarkSearch.

// searchVersion is the migration that created search_text.
const searchVersion = 120

// itemText is the searchable text of an items row, in SQLite.
const itemText = `label || ' ' || coalesce((SELECT group_concat(value, ' ') FROM json_tree(data) WHERE type = 'text'), '')`

// searchSQL creates the triggers, the trigram index and fills the table,
// per database. SQLite indexes the text with FTS5's trigram tokenizer (an
// external-content index over search_text, kept by its own triggers);
// PostgreSQL with pg_trgm where the extension can be created (see
// createSearch).
var searchSQL = map[string][]string{
	"sqlite": {
		`CREATE VIRTUAL TABLE search_fts USING fts5(text, content='search_text', content_rowid='id', tokenize='trigram')`,
		`CREATE TRIGGER search_text_ai AFTER INSERT ON search_text BEGIN
			INSERT INTO search_fts (rowid, text) VALUES (new.id, new.text);
		END`,
		`CREATE TRIGGER search_text_ad AFTER DELETE ON search_text BEGIN
			INSERT INTO search_fts (search_fts, rowid, text) VALUES ('delete', old.id, old.text);
		END`,
		`CREATE TRIGGER items_search_ins AFTER INSERT ON items BEGIN
			INSERT INTO search_text (org_id, kind, key, label, text) VALUES (new.org_id, new.kind, new.key, new.label,
				new.label || ' ' || coalesce((SELECT group_concat(value, ' ') FROM json_tree(new.data) WHERE type = 'text'), ''));
		END`,
		`CREATE TRIGGER items_search_upd AFTER UPDATE ON items BEGIN
			DELETE FROM search_text WHERE org_id = old.org_id AND kind = old.kind AND key = old.key;
			INSERT INTO search_text (org_id, kind, key, label, text) VALUES (new.org_id, new.kind, new.key, new.label,
				new.label || ' ' || coalesce((SELECT group_concat(value, ' ') FROM json_tree(new.data) WHERE type = 'text'), ''));
		END`,
		`CREATE TRIGGER items_search_del AFTER DELETE ON items BEGIN
			DELETE FROM search_text WHERE org_id = old.org_id AND kind = old.kind AND key = old.key;
		END`,
		`INSERT INTO search_text (org_id, kind, key, label, text) SELECT org_id, kind, key, label, ` + itemText + ` FROM items`,
	},
	"postgres": {
		`CREATE OR REPLACE FUNCTION cloudisms_item_text(label text, data text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
			SELECT label || ' ' || coalesce((SELECT string_agg(v #>> '{}', ' ') FROM jsonb_path_query(data::jsonb, 'strict $.**') AS v WHERE jsonb_typeof(v) = 'string'), '')
		$$`,
		`CREATE OR REPLACE FUNCTION cloudisms_items_search() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN
			IF TG_OP = 'DELETE' OR (TG_OP = 'UPDATE' AND (OLD.org_id, OLD.kind, OLD.key) IS DISTINCT FROM (NEW.org_id, NEW.kind, NEW.key)) THEN
				DELETE FROM search_text WHERE org_id = OLD.org_id AND kind = OLD.kind AND key = OLD.key;
			END IF;
			IF TG_OP = 'DELETE' THEN
				RETURN OLD;
			END IF;
			INSERT INTO search_text (org_id, kind, key, label, text) VALUES (NEW.org_id, NEW.kind, NEW.key, NEW.label, cloudisms_item_text(NEW.label, NEW.data))
				ON CONFLICT (org_id, kind, key) DO UPDATE SET label = EXCLUDED.label, text = EXCLUDED.text;
			RETURN NEW;
		END
		$$`,
		`CREATE TRIGGER items_search AFTER INSERT OR UPDATE OR DELETE ON items FOR EACH ROW EXECUTE FUNCTION cloudisms_items_search()`,
		`INSERT INTO search_text (org_id, kind, key, label, text) SELECT org_id, kind, key, label, cloudisms_item_text(label, data) FROM items ON CONFLICT DO NOTHING`,
	},
}

// pgTrigram indexes search_text by trigrams on PostgreSQL. The extension
// needs a privilege a database owner may lack: without it the search
// still works, by scanning, and the server says so in its log (Search
// does not depend on the index).
var pgTrigram = []string{
	`CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public`,
	`CREATE INDEX search_text_trgm ON search_text USING gin (text public.gin_trgm_ops)`,
}

// createSearch runs the database's part of the search migration.
func createSearch(ctx context.Context, tx *sql.Tx, dialect string) error {
	for _, stmt := range searchSQL[dialect] {
		if _, err := tx.ExecContext(ctx, stmt); err != nil {
			return err
		}
	}
	if dialect != "postgres" {
		return nil
	}
	// Within a savepoint, so that a refused extension leaves the rest of
	// the migration standing.
	if _, err := tx.ExecContext(ctx, `SAVEPOINT trigram`); err != nil {
		return err
	}
	for _, stmt := range pgTrigram {
		if _, err := tx.ExecContext(ctx, stmt); err != nil {
			_, rerr := tx.ExecContext(ctx, `ROLLBACK TO SAVEPOINT trigram`)
			return rerr
		}
	}
	_, err := tx.ExecContext(ctx, `RELEASE SAVEPOINT trigram`)
	return err
}

// SearchHit is an item that matches a query, with its data (for the page
// to show what matched in its own words).
type SearchHit struct {
	Kind, Key, Label string
	Data             []byte
}

// Search returns up to limit items of an organization matching q, sorted
// by kind and key (which limit items: the first found, when more match).
func (s *Store) Search(ctx context.Context, org, q string, limit int) ([]SearchHit, error) {
	q = strings.TrimSpace(q)
	if q == "" {
		return nil, nil
	}
	if n := utf8.RuneCountInString(q); n > MaxQuery {
		return nil, fmt.Errorf("%w: %d characters, at most %d", ErrQueryTooLong, n, MaxQuery)
	}
	pattern := "%" + strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(q) + "%"
	var out []SearchHit
	var err error
	switch {
	case s.d.name == "postgres":
		out, err = s.searchQueued(ctx, org, pattern, limit)
	case utf8.RuneCountInString(q) >= 3:
		// The trigram index finds the candidates (a phrase of the
		// query's characters, case-insensitive); shorter queries scan.
		out, _, err = searchRows(s.db.QueryContext(ctx, `SELECT 0, st.kind, st.key, st.label, i.data FROM search_fts JOIN search_text st ON st.id = search_fts.rowid
			JOIN items i ON i.org_id = st.org_id AND i.kind = st.kind AND i.key = st.key
			WHERE search_fts MATCH $1 AND st.org_id = $2 LIMIT $3`, `"`+strings.ReplaceAll(q, `"`, `""`)+`"`, org, limit))
	default:
		out, _, err = searchRows(s.db.QueryContext(ctx, `SELECT 0, st.kind, st.key, st.label, i.data FROM search_text st JOIN items i ON i.org_id = st.org_id AND i.kind = st.kind AND i.key = st.key
			WHERE st.org_id = $1 AND st.text LIKE $2 ESCAPE '\' LIMIT $3`, org, pattern, limit))
	}
	if err != nil {
		return nil, err
	}
	// Sorted here rather than by the database, which can then stop at
	// the limit instead of sorting every match of a common word.
	slices.SortFunc(out, func(a, b SearchHit) int { return cmp.Or(cmp.Compare(a.Kind, b.Kind), cmp.Compare(a.Key, b.Key)) })
	return out, nil
}

// searchPG searches on PostgreSQL and tells, in the same query, whether
// the organization has items queued for indexing (search_queue.go).
const searchPG = `SELECT CASE WHEN q.queued THEN 1 ELSE 0 END, h.kind, h.key, h.label, h.data
	FROM (SELECT EXISTS (SELECT 1 FROM search_queue WHERE org_id = $1) AS queued) q
	LEFT JOIN LATERAL (SELECT st.kind, st.key, st.label, i.data FROM search_text st JOIN items i ON i.org_id = st.org_id AND i.kind = st.kind AND i.key = st.key
		WHERE st.org_id = $1 AND st.text ILIKE $2 ESCAPE '\' LIMIT $3) h ON true`

// searchQueued searches the organization's indexed text; when items were
// queued for indexing as the search ran, it indexes them and searches
// again, so that what was written before the search is found by it. The
// usual search, with nothing queued, is one query.
func (s *Store) searchQueued(ctx context.Context, org, pattern string, limit int) ([]SearchHit, error) {
	out, queued, err := searchRows(s.db.QueryContext(ctx, searchPG, org, pattern, limit))
	if err != nil || !queued {
		return out, err
	}
	if err := s.drainQueued(ctx, org); err != nil {
		return nil, err
	}
	// Anything queued again was written after the search began: not for
	// this search to wait on.
	out, _, err = searchRows(s.db.QueryContext(ctx, searchPG, org, pattern, limit))
	return out, err
}

// searchRows reads a search's hits: rows of (queued, kind, key, label,
// data), where a row with no kind is no hit, and tells whether any row
// said the organization had items queued for indexing.
func searchRows(rows *sql.Rows, err error) ([]SearchHit, bool, error) {
	if err != nil {
		return nil, false, err
	}
	defer rows.Close()
	var out []SearchHit
	queued := false
	for rows.Next() {
		var q int
		var kind, key, label, data sql.NullString
		if err := rows.Scan(&q, &kind, &key, &label, &data); err != nil {
			return nil, false, err
		}
		queued = queued || q == 1
		if kind.Valid {
			out = append(out, SearchHit{Kind: kind.String, Key: key.String, Label: label.String, Data: []byte(data.String)})
		}
	}
	if err := rows.Err(); err != nil {
		return nil, false, err
	}
	return out, queued, nil
}
