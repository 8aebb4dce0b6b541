package store_test

import (
	"encoding/json"
	"testing"

	"github.com/cloudisms/cloudisms/internal/store"
	"github.com/cloudisms/cloudisms/internal/store/storetest"
)

// TestHistoryJSONMigration: records written the old way (a disclosure's
// state as on/off, a control text as itself, a framework row before a
// change as fields joined by |) are JSON after migration 0010, still
// verify, and read the same; new records are JSON as written.
func TestHistoryJSONMigration(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			s, _ := b.Open(t)
			m, _ := sample(t, "sample-saas.yaml")
			if _, err := s.Import(ctx, "a", m, "setup"); err != nil {
				t.Fatal(err)
			}
			for _, on := range []bool{true, false} {
				if err := s.SetDisclosure(ctx, "a", "svc-kintai", on, "alice"); err != nil {
					t.Fatal(err)
				}
			}
			for _, text := range []string{"方針\n二行目", `{"text":"x"}`, `"q" \ |`, ""} {
				if _, err := s.SetControlTexts(ctx, "a", map[string]string{"5.1": text}, "alice"); err != nil {
					t.Fatal(err)
				}
			}
			fw := store.Framework{ID: "fw", Title: "FW", Version: "1", Controls: []store.FrameworkControl{{ID: "c-1", Title: "One"}}}
			if err := s.PutFramework(ctx, "a", fw, "alice"); err != nil {
				t.Fatal(err)
			}
			row, err := s.PutFrameworkRow(ctx, "a", "fw", store.FrameworkRow{Control: "c-1", Applicable: "true"}, 0, "alice")
			if err != nil {
				t.Fatal(err)
			}
			if _, err := s.PutFrameworkRow(ctx, "a", "fw", store.FrameworkRow{Control: "c-1", Applicable: "false", Justification: "x|y"}, row.Version, "alice"); err != nil {
				t.Fatal(err)
			}
			written, err := s.History(ctx, "a", store.HistoryFilter{})
			if err != nil {
				t.Fatal(err)
			}
			allJSON(t, "as written", written)

			// Back to the old plain forms, as an older version wrote them
			// (their hashes are the same), and migration 0010 undone.
			db := store.DBOf(s)
			for _, q := range []string{
				`UPDATE history SET after = 'on' WHERE kind = 'disclosures' AND after = '{"public":true}'`,
				`UPDATE history SET after = 'off' WHERE kind = 'disclosures' AND after = '{"public":false}'`,
				`DELETE FROM schema_migrations WHERE version = 10`,
			} {
				if _, err := db.Exec(q); err != nil {
					t.Fatal(err)
				}
			}
			for _, c := range written {
				if c.Kind != "control_texts" && !(c.Kind == "framework_rows" && c.Before != nil) {
					continue
				}
				plain := func(v *string) *string {
					if v == nil {
						return nil
					}
					var x map[string]string
					json.Unmarshal([]byte(*v), &x)
					p := x["text"]
					if c.Kind == "framework_rows" {
						p = "true|[]||||{}"
					}
					return &p
				}
				if _, err := db.Exec(`UPDATE history SET before = $1, after = $2 WHERE org_id = 'a' AND n = $3`, plain(c.Before), plain(c.After), c.N); err != nil {
					t.Fatal(err)
				}
			}
			old, _ := s.History(ctx, "a", store.HistoryFilter{Kind: "disclosures"})
			if *old[0].After != "on" {
				t.Fatalf("the old form was not restored: %s", *old[0].After)
			}
			// The framework row's plain form is not the hash of the JSON
			// written: that record alone fails until converted.
			if err := s.Migrate(ctx); err != nil {
				t.Fatal(err)
			}
			migrated, _ := s.History(ctx, "a", store.HistoryFilter{})
			allJSON(t, "migrated", migrated)
			for i, c := range migrated {
				if c.Kind == "framework_rows" && c.Before != nil {
					continue
				}
				if str(c.Before) != str(written[i].Before) || str(c.After) != str(written[i].After) {
					t.Errorf("record %d (%s) reads %s → %s, was written %s → %s", c.N, c.Kind, str(c.Before), str(c.After), str(written[i].Before), str(written[i].After))
				}
			}
			// Only the framework row, rewritten by this test in a form
			// whose hash differs, may fail to verify; nothing else.
			if broken, _, err := s.VerifyHistory(ctx); err != nil || (broken != nil && !isFrameworkRow(migrated, broken.N)) {
				t.Errorf("after the migration the chain breaks: %v %v", broken, err)
			}
		})
	}
}

func isFrameworkRow(cs []store.Change, n int64) bool {
	for _, c := range cs {
		if c.N == n {
			return c.Kind == "framework_rows"
		}
	}
	return false
}

func str(p *string) string {
	if p == nil {
		return "<nil>"
	}
	return *p
}

func allJSON(t *testing.T, when string, cs []store.Change) {
	t.Helper()
	for _, c := range cs {
		for _, v := range []*string{c.Before, c.After} {
			if v != nil && !json.Valid([]byte(*v)) {
				t.Errorf("%s: record %d (%s %s) is not JSON: %.80q", when, c.N, c.Kind, c.Key, *v)
			}
		}
	}
}
