package api_test

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/cloudisms/cloudisms/internal/api"

	"github.com/cloudisms/cloudisms/internal/bundle"
	"github.com/cloudisms/cloudisms/internal/store"
)

// everyKindOfRecord writes one history record of every kind the store
// writes into organization "own": items created (the import), updated and
// deleted, a disclosure page switched on and off, control texts created,
// changed and removed, a framework imported and changed, framework rows
// created and changed.
func everyKindOfRecord(t testing.TB, s *store.Store) {
	t.Helper()
	it, err := s.Get(ctx, "own", "risks", "r-01")
	if err != nil {
		t.Fatal(err)
	}
	var data map[string]any
	json.Unmarshal(it.Data, &data)
	data["title"] = "更新したリスク \"引用\" と\n改行"
	b, _ := json.Marshal(data)
	if _, err := s.Put(ctx, "own", bundle.Item{Kind: "risks", Key: "r-01", Data: b}, nil, it.Version, "tester"); err != nil {
		t.Fatal(err)
	}
	data["id"] = "r-gone"
	b, _ = json.Marshal(data)
	added, err := s.Put(ctx, "own", bundle.Item{Kind: "risks", Key: "r-gone", Data: b}, nil, 0, "tester")
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Delete(ctx, "own", "risks", "r-gone", added.Version, "tester"); err != nil {
		t.Fatal(err)
	}
	for _, on := range []bool{true, false, true} {
		if err := s.SetDisclosure(ctx, "own", "svc-kintai", on, "tester"); err != nil {
			t.Fatal(err)
		}
	}
	for _, texts := range []map[string]string{
		{"5.1": "自組織の方針文\n二行目", "5.2": `"quoted" \ back`},
		{"5.1": "改訂した方針文"},
		{"5.1": ""},
		{"5.3": `{"text":"looks like JSON"}`},
	} {
		if _, err := s.SetControlTexts(ctx, "own", texts, "tester"); err != nil {
			t.Fatal(err)
		}
	}
	fw := store.Framework{ID: "fw-test", Title: "Test framework", Version: "1", OSCALVersion: "1.1.2", SourceUUID: "00000000-0000-4000-8000-000000000001",
		Controls: []store.FrameworkControl{{ID: "c-1", Title: "One"}, {ID: "c-2", Title: "Two"}}}
	for _, title := range []string{"Test framework", "Test framework v2"} {
		fw.Title = title
		if err := s.PutFramework(ctx, "own", fw, "tester"); err != nil {
			t.Fatal(err)
		}
	}
	row, err := s.PutFrameworkRow(ctx, "own", "fw-test", store.FrameworkRow{Control: "c-1", Applicable: "true", Implementation: "実施"}, 0, "tester")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.PutFrameworkRow(ctx, "own", "fw-test", store.FrameworkRow{Control: "c-1", Applicable: "false", Justification: "対象外"}, row.Version, "tester"); err != nil {
		t.Fatal(err)
	}
}

// TestHistoryEveryPageRenders is issue 10's item 11: a history page that
// held a disclosure on/off record (kept as plain "on") answered 200 with an
// empty body, and so did one with a control text. Every page of a history
// holding every kind of record, at every page size tried, is now JSON
// whose records are whole, and together they are the whole history.
func TestHistoryEveryPageRenders(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		everyKindOfRecord(t, e.store)
		all, err := e.store.History(ctx, "own", store.HistoryFilter{})
		if err != nil {
			t.Fatal(err)
		}
		kinds := map[string]bool{}
		for _, c := range all {
			kinds[c.Kind] = true
		}
		for _, k := range []string{"disclosures", "control_texts", "frameworks", "framework_rows", "risks"} {
			if !kinds[k] {
				t.Fatalf("the history has no %s record", k)
			}
		}
		for _, limit := range []int{1, 7, 100, 1000} {
			after, seen := int64(0), 0
			for page := 0; ; page++ {
				q := url.Values{"after": {fmt.Sprint(after)}, "limit": {fmt.Sprint(limit)}}
				r := e.do("viewer", "GET", "/api/v1/orgs/own/history?"+q.Encode(), nil)
				var out struct {
					Records []struct {
						N      int64
						Kind   string
						Before json.RawMessage
						After  json.RawMessage
					}
				}
				if r.status != http.StatusOK || json.Unmarshal(r.body, &out) != nil {
					t.Fatalf("limit %d, page %d (after %d): %d %.300q", limit, page, after, r.status, r.body)
				}
				if len(out.Records) == 0 {
					break
				}
				for _, rec := range out.Records {
					if rec.N != after+1 {
						t.Fatalf("limit %d: record %d follows %d", limit, rec.N, after)
					}
					after = rec.N
					seen++
				}
			}
			if seen != len(all) {
				t.Errorf("limit %d: pages held %d records, the history %d", limit, seen, len(all))
			}
		}
		// The disclosure and control text records read as JSON values.
		r := e.do("viewer", "GET", "/api/v1/orgs/own/history?kind=disclosures", nil)
		var d struct {
			Records []struct{ After map[string]bool }
		}
		if err := json.Unmarshal(r.body, &d); err != nil || len(d.Records) != 3 || !d.Records[0].After["public"] || d.Records[1].After["public"] {
			t.Errorf("disclosure records: %v %s", err, r.body)
		}
		r = e.do("viewer", "GET", "/api/v1/orgs/own/history?kind=control_texts&key=5.3", nil)
		var c struct {
			Records []struct{ After map[string]string }
		}
		if err := json.Unmarshal(r.body, &c); err != nil || len(c.Records) != 1 || c.Records[0].After["text"] != `{"text":"looks like JSON"}` {
			t.Errorf("control text records: %v %s", err, r.body)
		}
		if broken, _, err := e.store.VerifyHistory(ctx); err != nil || broken != nil {
			t.Errorf("the chain does not verify: %v %v", broken, err)
		}
	})
}

// FuzzHistoryPage: whatever the page parameters, the history API answers
// JSON (200 with whole records, or 400 with the error shape), never a 5xx
// or an empty body, over a history holding every kind of record.
func FuzzHistoryPage(f *testing.F) {
	for _, s := range [][4]string{{"0", "1", "", ""}, {"3", "1000", "disclosures", ""}, {"-1", "0", "x", "y"}, {"99999999999999999999", "abc", "", "5.1"}, {"1", "1001", "control_texts", "\x00"}, {"", "", "risks", "r-gone"}} {
		f.Add(s[0], s[1], s[2], s[3])
	}
	s, err := store.Open(ctx, "", f.TempDir())
	if err != nil {
		f.Fatal(err)
	}
	defer s.Close()
	src, _ := os.ReadFile("../../examples/sample-saas.yaml")
	m, err := bundle.Decode("sample-saas.yaml", src)
	if err != nil {
		f.Fatal(err)
	}
	if _, err := s.Import(ctx, "own", m, "setup"); err != nil {
		f.Fatal(err)
	}
	everyKindOfRecord(f, s)
	u, err := s.CreateUser(ctx, "viewer@example.com", "viewer", "en", "correct horse battery")
	if err != nil {
		f.Fatal(err)
	}
	if err := s.AddMember(ctx, "own", u.ID, "viewer", ""); err != nil {
		f.Fatal(err)
	}
	tok, _, err := s.CreateToken(ctx, u.ID, "fuzz", time.Now().Add(time.Hour))
	if err != nil {
		f.Fatal(err)
	}
	h := api.New(s, slog.New(slog.NewTextHandler(io.Discard, nil)), time.Now)
	f.Fuzz(func(t *testing.T, after, limit, kind, key string) {
		q := url.Values{}
		for k, v := range map[string]string{"after": after, "limit": limit, "kind": kind, "key": key} {
			if v != "" {
				q.Set(k, v)
			}
		}
		req := httptest.NewRequest("GET", "/api/v1/orgs/own/history?"+q.Encode(), nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		body := w.Body.Bytes()
		switch w.Code {
		case http.StatusOK:
			var out struct{ Records []json.RawMessage }
			if err := json.Unmarshal(body, &out); err != nil || out.Records == nil {
				t.Fatalf("200 with %q: %v", body, err)
			}
		case http.StatusBadRequest:
			var e struct{ Error struct{ Code string } }
			if err := json.Unmarshal(body, &e); err != nil || e.Error.Code == "" {
				t.Fatalf("400 without the error shape: %q", body)
			}
		default:
			t.Fatalf("%v: %d %q", q, w.Code, body)
		}
	})
}
