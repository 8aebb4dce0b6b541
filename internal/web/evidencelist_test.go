package web_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/cloudisms/cloudisms/internal/store"
	"github.com/cloudisms/cloudisms/internal/store/storetest"
)

// attachFile uploads content as the organization's and names it in an
// item's top-level evidence list, as the form's upload does.
func attachFile(t *testing.T, s *store.Store, kind, key, name, content string) string {
	t.Helper()
	ctx := context.Background()
	ev, err := s.SaveEvidence(ctx, "sample", "manager@example.com", strings.NewReader(content))
	if err != nil {
		t.Fatal(err)
	}
	it, err := s.Get(ctx, "sample", kind, key)
	if err != nil {
		t.Fatal(err)
	}
	var data map[string]any
	json.Unmarshal(it.Data, &data)
	list, _ := data["evidence"].([]any)
	data["evidence"] = append(list, map[string]any{"name": name, "sha256": ev.SHA256})
	raw, _ := json.Marshal(data)
	item, refs := decodeWeb(t, kind, string(raw))
	item.Key = key
	if _, err := s.Put(ctx, "sample", item, refs, it.Version, "manager@example.com"); err != nil {
		t.Fatal(err)
	}
	return ev.SHA256
}

// The evidence list names every file with the item it proves (by name,
// linked), who uploaded it and when, its size and download link, and marks
// what is older than its interval: its own (a document's review, the
// risks' reassessment) or the default the reader sets; filters and CSV
// keep to the same rows.
func TestEvidenceList(t *testing.T) {
	for _, b := range storetest.Backends(t) {
		t.Run(b.Name, func(t *testing.T) {
			st := newSite(t, b)
			doc := attachFile(t, st.s, "documents", "doc-pol-001", "方針承認記録.pdf", "approval record")
			risk := attachFile(t, st.s, "risks", "r-01", "リスク評価表.xlsx", "assessment sheet")
			row := attachFile(t, st.s, "soa_rows", "organization/5.1", "方針の周知記録.pdf", "awareness record 5.1")
			// The policy's record uploaded again later by someone else: the
			// list keeps the first upload and says when it came again.
			time.Sleep(1100 * time.Millisecond)
			if _, err := st.s.SaveEvidence(context.Background(), "sample", "viewer@example.com", strings.NewReader("approval record")); err != nil {
				t.Fatal(err)
			}
			// 200 days after the uploads: within a year, beyond 100 days.
			later := time.Now().AddDate(0, 0, 200)
			st.h = newApp(t, st.s, later)
			const as = "viewer@example.com" // reading is enough
			if nav := st.get(as, "/orgs/sample/"); !strings.Contains(nav, `href="/orgs/sample/evidence"`) {
				t.Error("the navigation does not lead to the evidence list")
			}
			page := st.get(as, "/orgs/sample/evidence")
			for _, want := range []string{"方針承認記録.pdf", "リスク評価表.xlsx", "方針の周知記録.pdf", "鈴木 一郎",
				`href="/api/v1/orgs/sample/evidence/` + doc + `?name=`, `href="/orgs/sample/items/risks/r-01"`, `href="/orgs/sample/soa/row?soa=organization&amp;control=5.1"`,
				"既定の間隔 365 日", "リスクの再アセスメントの間隔"} {
				if !strings.Contains(page, want) {
					t.Errorf("the list lacks %q", want)
				}
			}
			if i := strings.Index(page, `data-sha="`+doc+`"`); i < 0 || !strings.Contains(page[i:i+strings.Index(page[i:], "</tr>")], "同じファイルを") {
				t.Error("the re-upload of the policy's record is not shown")
			}
			if strings.Contains(page, `class="old"`) {
				t.Error("a file within its interval is marked old")
			}
			// A default interval of 100 days makes the SoA row's file old,
			// not the document's or the risk's, which have their own.
			page = st.get(as, "/orgs/sample/evidence?days=100&old=1")
			if !strings.Contains(page, `data-sha="`+row+`"`) || strings.Contains(page, `data-sha="`+doc+`"`) || strings.Contains(page, `data-sha="`+risk+`"`) {
				t.Errorf("old files at 100 days: want only the SoA row's\n%s", page)
			}
			if page := st.get(as, "/orgs/sample/evidence?kind=risks"); strings.Contains(page, doc) || !strings.Contains(page, risk) {
				t.Error("the kind filter does not keep only risks")
			}
			code, csv, _ := st.do(as, "GET", "/orgs/sample/evidence?format=csv&days=100", nil)
			if code != http.StatusOK || !strings.Contains(csv, "方針の周知記録.pdf") || !strings.Contains(csv, "古い") || !strings.Contains(csv, "証明する項目") {
				t.Errorf("CSV: %d\n%s", code, csv)
			}
		})
	}
}

// In a browser: the evidence list from the navigation, filtered to the old
// files by a shorter default interval.
func TestBrowserEvidenceList(t *testing.T) {
	u := start(t)
	attachFile(t, u.store, "documents", "doc-pol-001", "方針承認記録.pdf", "approval record")
	attachFile(t, u.store, "soa_rows", "organization/5.1", "方針の周知記録.pdf", "awareness record 5.1")
	u.login("manager@example.com")
	u.run("evidence", chromedp.Navigate(u.url+"/orgs/sample/"), chromedp.WaitVisible(chromedp.CSS(`nav a[href="/orgs/sample/evidence"]`)))
	u.submit("open the list", `nav a[href="/orgs/sample/evidence"]`)
	if n := eval[int](u, `document.querySelectorAll("table.evidence-list tbody tr[data-sha]").length`); n < 2 {
		t.Fatalf("%d files listed, want at least 2", n)
	}
	readmeShot(t, u, "evidence", "")
}

// A file of a corrective action says what it belongs to: a finding's by
// the finding, a nonconformity's own by what the action does (the list
// showed 「是正処置 」 with nothing after it).
func TestEvidenceListCorrectiveActions(t *testing.T) {
	eachBackend(t, func(t *testing.T, st *site) {
		ctx := context.Background()
		ev, err := st.s.SaveEvidence(ctx, "sample", "manager@example.com", strings.NewReader("revised procedure"))
		if err != nil {
			t.Fatal(err)
		}
		it := st.item("nonconformities", "nc-2026-01")
		var data map[string]any
		json.Unmarshal(it.Data, &data)
		data["corrective_action"].(map[string]any)["evidence"] = []any{map[string]any{"name": "改訂した手順書.pdf", "sha256": ev.SHA256}}
		raw, _ := json.Marshal(data)
		item, refs := decodeWeb(t, "nonconformities", string(raw))
		item.Key = "nc-2026-01"
		if _, err := st.s.Put(ctx, "sample", item, refs, it.Version, "manager@example.com"); err != nil {
			t.Fatal(err)
		}
		page := st.get("viewer@example.com", "/orgs/sample/evidence?kind=nonconformities")
		i := strings.Index(page, `data-sha="`+ev.SHA256+`"`)
		if i < 0 {
			t.Fatalf("the nonconformity's file is not listed")
		}
		tr := page[i : i+strings.Index(page[i:], "</tr>")]
		for _, want := range []string{`href="/orgs/sample/items/nonconformities/nc-2026-01"`, "是正処置「インシデント対応手順書に通知の担当と代行者を明記し"} {
			if !strings.Contains(tr, want) {
				t.Errorf("the row lacks %q\n%s", want, tr)
			}
		}
		if strings.Contains(tr, "是正処置 <") || strings.Contains(tr, "是正処置 </small>") {
			t.Errorf("a corrective action named by nothing:\n%s", tr)
		}
		_, csv, _ := st.do("viewer@example.com", "GET", "/orgs/sample/evidence?format=csv&kind=nonconformities", nil)
		if !strings.Contains(csv, "是正処置「インシデント対応手順書") {
			t.Errorf("the CSV does not name the corrective action:\n%s", csv)
		}
	})
}
