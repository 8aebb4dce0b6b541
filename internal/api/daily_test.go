package api_test

import (
	"encoding/json"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/cloudisms/cloudisms/internal/authz"
	"github.com/cloudisms/cloudisms/internal/store"
)

type tasksResp struct {
	Assignee string
	Tasks    []struct {
		Kind, Subject, Title, Person, Due string
		RequestedBy                       string `json:"requested_by"`
		Overdue                           bool
	}
}

func (e *env) tasks(who, query string) tasksResp {
	e.t.Helper()
	r := e.do(who, "GET", "/api/v1/orgs/own/tasks"+query, nil)
	if r.status != 200 {
		e.t.Fatalf("tasks%s as %s: %d %s", query, who, r.status, r.body)
	}
	var out tasksResp
	json.Unmarshal(r.body, &out)
	return out
}

func hasTask(tr tasksResp, kind, subject string) bool {
	for _, t := range tr.Tasks {
		if t.Kind == kind && t.Subject == subject {
			return true
		}
	}
	return false
}

func TestTasksAPI(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		// Every member is p-isms: the owner of a 2027 review decision.
		ro := e.tasks(authz.RiskOwner, "")
		if ro.Assignee != "me" || !hasTask(ro, "review-output", "reviews/mr-2026") || hasTask(ro, "restore-test", "backups/svc-kintai") {
			t.Errorf("risk owner's tasks: %+v", ro)
		}
		// Admins keep the ISMS: the office's tasks are theirs too.
		if ad := e.tasks(authz.Admin, "?assignee=me"); !hasTask(ad, "restore-test", "backups/svc-kintai") {
			t.Errorf("admin's tasks lack the office's: %+v", ad)
		}
		if other := e.tasks(authz.Viewer, "?assignee=p-ops-lead"); !hasTask(other, "review-output", "reviews/mr-2026") || other.Assignee != "p-ops-lead" {
			t.Errorf("p-ops-lead's tasks: %+v", other)
		}
		if soon := e.tasks(authz.RiskOwner, "?days=30"); hasTask(soon, "review-output", "reviews/mr-2026") {
			t.Errorf("?days=30 keeps a 2027 decision: %+v", soon)
		}
		if r := e.do(authz.Viewer, "GET", "/api/v1/orgs/own/tasks?as_of=tomorrow", nil); r.status != 400 {
			t.Errorf("bad as_of: %d", r.status)
		} else {
			errorShape(t, r)
		}
		if r := e.do("outsider", "GET", "/api/v1/orgs/own/tasks", nil); r.status != 404 {
			t.Errorf("another organization's tasks: %d", r.status)
		}

		// A request for approval becomes the approver's task.
		if r := e.do(authz.Viewer, "POST", "/api/v1/orgs/own/approval-requests/soa/organization", map[string]any{"person": "p-isms"}); r.status != 403 {
			t.Errorf("viewer requests approval: %d", r.status)
		}
		if r := e.do(authz.ISMSManager, "POST", "/api/v1/orgs/own/approval-requests/units/unit-dev", map[string]any{"person": "p-isms"}); r.status != 400 {
			t.Errorf("request on a kind that is not approved: %d", r.status)
		}
		if r := e.do(authz.ISMSManager, "POST", "/api/v1/orgs/own/approval-requests/soa/organization", map[string]any{"person": "p-nobody"}); r.status != 400 {
			t.Errorf("request of a person no member is: %d %s", r.status, r.body)
		}
		r := e.do(authz.ISMSManager, "POST", "/api/v1/orgs/own/approval-requests/soa/organization", map[string]any{"person": "p-isms", "note": "改訂版です", "due": "2026-11-10"})
		if r.status != 201 {
			t.Fatalf("request approval: %d %s", r.status, r.body)
		}
		ex := e.tasks(authz.Executive, "")
		found := false
		for _, task := range ex.Tasks {
			if task.Kind == "approval-request" && task.Subject == "soa/organization" && task.Due == "2026-11-10" && task.RequestedBy == authz.ISMSManager {
				found = true
			}
		}
		if !found {
			t.Errorf("the approver's tasks lack the request: %+v", ex)
		}
		var ns struct {
			Notifications []struct{ Kind, Subject string }
		}
		json.Unmarshal(e.do(authz.Executive, "GET", "/api/v1/orgs/own/notifications", nil).body, &ns)
		if len(ns.Notifications) != 1 || ns.Notifications[0].Kind != "approval-request" {
			t.Errorf("executive's notifications: %+v", ns)
		}
	})
}

func TestCommentsAPI(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		r := e.do(authz.Auditor, "POST", "/api/v1/orgs/own/threads/risks/r-02", map[string]any{"body": "根拠の資料はどこですか？ @viewer <script>alert(1)</script>"})
		if r.status != 201 {
			t.Fatalf("post: %d %s", r.status, r.body)
		}
		var c struct {
			ID       int64
			Body     string
			Mentions []int64
		}
		json.Unmarshal(r.body, &c)
		if len(c.Mentions) != 1 || !strings.Contains(c.Body, "<script>") {
			t.Errorf("posted: %s", r.body)
		}
		var ns struct {
			Notifications []struct{ Kind, Subject string }
		}
		json.Unmarshal(e.do(authz.Viewer, "GET", "/api/v1/orgs/own/notifications", nil).body, &ns)
		if len(ns.Notifications) != 1 || ns.Notifications[0].Kind != "mention" || ns.Notifications[0].Subject != "risks/r-02" {
			t.Errorf("viewer's notifications: %+v", ns)
		}
		var th struct {
			Comments []struct{ Author, Body string }
		}
		json.Unmarshal(e.do(authz.Viewer, "GET", "/api/v1/orgs/own/threads/risks/r-02", nil).body, &th)
		if len(th.Comments) != 1 || th.Comments[0].Author != authz.Auditor {
			t.Errorf("thread: %+v", th)
		}
		for _, tc := range []struct {
			name   string
			r      resp
			status int
		}{
			{"viewer posts", e.do(authz.Viewer, "POST", "/api/v1/orgs/own/threads/risks/r-02", map[string]any{"body": "x"}), 403},
			{"another organization's thread", e.do("outsider", "GET", "/api/v1/orgs/own/threads/risks/r-02", nil), 404},
			{"a missing item's thread", e.do(authz.Admin, "POST", "/api/v1/orgs/own/threads/risks/r-none", map[string]any{"body": "x"}), 404},
			{"too long", e.do(authz.Admin, "POST", "/api/v1/orgs/own/threads/risks/r-02", map[string]any{"body": strings.Repeat("あ", 4001)}), 400},
			{"empty", e.do(authz.Admin, "POST", "/api/v1/orgs/own/threads/risks/r-02", map[string]any{"body": " "}), 400},
			{"another member deletes", e.do(authz.Executive, "DELETE", "/api/v1/orgs/own/comments/"+jsonNum(c.ID), nil), 403},
			{"deleted from another organization", e.do("outsider", "DELETE", "/api/v1/orgs/other/comments/"+jsonNum(c.ID), nil), 404},
			{"the ISMS manager deletes", e.do(authz.ISMSManager, "DELETE", "/api/v1/orgs/own/comments/"+jsonNum(c.ID), nil), 204},
		} {
			if tc.r.status != tc.status {
				t.Errorf("%s: %d, want %d (%s)", tc.name, tc.r.status, tc.status, tc.r.body)
			} else if tc.status >= 400 {
				errorShape(t, tc.r)
			}
		}
	})
}

func TestChangeNoteHeader(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		data, tag := e.item(authz.Admin, "risks", "r-01")
		data["title"] = "方針の見直しの契機が定められていない"
		note := "内部監査 f-04 の指摘を受けて"
		if r := e.do(authz.Admin, "PUT", "/api/v1/orgs/own/items/risks/r-01", data, "If-Match", tag, "X-Change-Note", strings.Repeat("x", 1001)); r.status != 400 {
			t.Errorf("over-long note: %d", r.status)
		}
		if r := e.do(authz.Admin, "PUT", "/api/v1/orgs/own/items/risks/r-01", data, "If-Match", tag, "X-Change-Note", url.PathEscape(note)); r.status != 200 {
			t.Fatalf("put with note: %d %s", r.status, r.body)
		}
		var h struct {
			Records []struct{ Action, Note string }
		}
		json.Unmarshal(e.do(authz.Viewer, "GET", "/api/v1/orgs/own/history?kind=risks&key=r-01", nil).body, &h)
		last := h.Records[len(h.Records)-1]
		if last.Action != "update" || last.Note != note {
			t.Errorf("history record: %+v", last)
		}
	})
}

func jsonNum(n int64) string { b, _ := json.Marshal(n); return string(b) }

// GET /search answers the items whose text contains the query, Japanese or
// English, grouped by kind; bad queries are 400 and another organization's
// search 404.
func TestSearchAPI(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		var got struct {
			Total     int
			Truncated bool
			Groups    []struct {
				Kind  string
				Items []struct{ Key, Label string }
			}
		}
		has := func(kind, key string) bool {
			for _, g := range got.Groups {
				for _, it := range g.Items {
					if g.Kind == kind && it.Key == key {
						return true
					}
				}
			}
			return false
		}
		r := e.do(authz.Viewer, "GET", "/api/v1/orgs/own/search?q="+url.QueryEscape("勤怠"), nil)
		json.Unmarshal(r.body, &got)
		if r.status != 200 || got.Total == 0 || !has("cloud_services", "svc-kintai") {
			t.Errorf("search 勤怠: %d %s", r.status, r.body)
		}
		r = e.do(authz.Viewer, "GET", "/api/v1/orgs/own/search?limit=1&q="+url.QueryEscape("勤怠"), nil)
		json.Unmarshal(r.body, &got)
		if got.Total != 1 || !got.Truncated {
			t.Errorf("limit=1: %s", r.body)
		}
		if r := e.do(authz.Viewer, "GET", "/api/v1/orgs/own/search", nil); r.status != 200 || !strings.Contains(string(r.body), `"total":0`) {
			t.Errorf("no query: %d %s", r.status, r.body)
		}
		for _, q := range []string{"q=" + strings.Repeat("あ", store.MaxQuery+1), "q=x&limit=0", "q=x&limit=501"} {
			if r := e.do(authz.Viewer, "GET", "/api/v1/orgs/own/search?"+q, nil); r.status != 400 {
				t.Errorf("?%.20s: %d, want 400", q, r.status)
			}
		}
		if r := e.do("outsider", "GET", "/api/v1/orgs/own/search?q=x", nil); r.status != 404 {
			t.Errorf("another organization's search: %d", r.status)
		}
	})
}

// GET /trends measures the ISMS at each month end from the history: one
// point per month, the last of them the ISMS as imported (its risks and
// SoAs); out-of-range months and bad dates are 400.
func TestTrendsAPI(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		asOf := time.Now().In(time.FixedZone("JST", 9*3600)).Format("2006-01-02")
		r := e.do(authz.Viewer, "GET", "/api/v1/orgs/own/trends?months=3&as_of="+asOf, nil)
		var got struct {
			Points []struct {
				Date     string
				Risks    int
				Errors   int
				Warnings int
				SoAs     []struct {
					SoA     string
					Percent int
				}
				Findings map[string]map[string]int
			}
		}
		json.Unmarshal(r.body, &got)
		if r.status != 200 || len(got.Points) != 3 {
			t.Fatalf("trends: %d %.300s", r.status, r.body)
		}
		last := got.Points[2]
		if last.Risks == 0 || len(last.SoAs) == 0 || last.SoAs[0].Percent <= 0 || last.Date > asOf {
			t.Errorf("the last point is not the ISMS as imported: %+v", last)
		}
		if got.Points[0].Date >= got.Points[1].Date {
			t.Errorf("points not in time order: %s, %s", got.Points[0].Date, got.Points[1].Date)
		}
		for _, q := range []string{"months=1", "months=x", "months=" + strconv.Itoa(store.MaxTrendMonths+1), "as_of=2026-13-01"} {
			if r := e.do(authz.Viewer, "GET", "/api/v1/orgs/own/trends?"+q, nil); r.status != 400 {
				t.Errorf("?%s: %d, want 400", q, r.status)
			}
		}
	})
}
