package api_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/cloudisms/cloudisms/internal/api"
	"github.com/cloudisms/cloudisms/internal/authz"
	"github.com/cloudisms/cloudisms/internal/bundle"
)

// registerItems is one item of every version 2 register, in bundle order
// (an item refers only to items before it), with a field to change.
var registerItems = []struct {
	kind, change string
	item         map[string]any
}{
	{"certificates", "number", map[string]any{"id": "c-t", "kind": "isms", "standard": "iso27001:2022", "body": "審査機関A", "number": "IS 1", "issued": "2025-01-10", "expires": "2028-01-09"}},
	{"external_audits", "body", map[string]any{"id": "ea-t", "kind": "surveillance", "certificate": "c-t", "date": "2025-12-01",
		"findings": []any{map[string]any{"id": "f1", "kind": "minor", "clause": "7.5", "corrective_action": map[string]any{"action": "手順を定める", "owner": "p-isms", "due": "2026-01-31"}}}}},
	{"context_issues", "description", map[string]any{"id": "ci-t", "kind": "external", "description": "顧客の認証要求"}},
	{"interested_parties", "name", map[string]any{"id": "ip-t", "name": "利用企業", "kind": "cloud-customer", "requirements": []any{"障害の通知"}}},
	{"opportunities", "title", map[string]any{"id": "op-t", "title": "監視の自動化", "owner": "p-isms", "due": "2026-12-31"}},
	{"objectives", "target", map[string]any{"id": "ob-t", "title": "重大障害ゼロ", "measure": "件数", "target": "0 件", "owner": "p-isms", "due": "2027-03-31",
		"results": []any{map[string]any{"date": "2026-09-30", "value": "0", "met": true}}}},
	{"competence_requirements", "topic", map[string]any{"id": "cr-t", "applies_to": "cloud-security-personnel", "topic": "cloud-security", "interval_days": 365}},
	{"trainings", "title", map[string]any{"id": "tr-t", "title": "研修", "kind": "competence", "topics": []any{"cloud-security"}, "date": "2026-05-10", "attendees": []any{"p-isms"}}},
	{"communications", "subject", map[string]any{"id": "cm-t", "subject": "障害の通知", "audience": []any{"ip-t"}, "who": "p-isms"}},
	{"changes", "reason", map[string]any{"id": "ch-t", "description": "監視基盤の更新", "date": "2026-06-01", "reason": "サポート終了"}},
	{"measurements", "method", map[string]any{"id": "me-t", "what": "重大障害の件数", "method": "集計", "objective": "ob-t", "results": []any{map[string]any{"date": "2026-09-30", "value": "0"}}}},
	{"nonconformities", "description", map[string]any{"id": "nc-t", "source": "incident", "date": "2026-07-01", "description": "通知の遅れ"}},
	{"incidents", "notes", map[string]any{"id": "inc-t", "title": "応答遅延", "date": "2026-06-30", "severity": "medium", "services": []any{"svc-kintai"}, "customers_notified": true, "nonconformity": "nc-t"}},
}

// The REST item routes serve every version 2 register: create, read,
// list, update, refuse an invalid item with the field's path, refuse to
// delete an item others refer to, delete; the OpenAPI document names them.
func TestRegisterItemRoutes(t *testing.T) {
	var kinds []string
	for _, c := range registerItems {
		kinds = append(kinds, c.kind)
	}
	if !slices.Equal(kinds, bundle.RegisterKinds) {
		t.Fatalf("the test covers %v, the registers are %v", kinds, bundle.RegisterKinds)
	}
	forEachBackend(t, func(t *testing.T, e *env) {
		a := authz.ISMSManager
		base := "/api/v1/orgs/own/items/"
		for _, c := range registerItems {
			id := c.item["id"].(string)
			if r := e.do(a, "POST", base+c.kind, c.item); r.status != 201 {
				t.Fatalf("create %s: %d %s", c.kind, r.status, r.body)
			}
			data, tag := e.item(a, c.kind, id)
			data[c.change] = "変更後"
			if r := e.do(a, "PUT", base+c.kind+"/"+id, data, "If-Match", tag); r.status != 200 {
				t.Errorf("update %s: %d %s", c.kind, r.status, r.body)
			}
			if got, _ := e.item(a, c.kind, id); got[c.change] != "変更後" {
				t.Errorf("%s after update: %v", c.kind, got)
			}
			l := e.do(authz.Viewer, "GET", base+c.kind+"?limit=100", nil)
			if l.status != 200 || !strings.Contains(string(l.body), `"`+id+`"`) {
				t.Errorf("list %s: %d %s", c.kind, l.status, l.body)
			}
			// An unknown field is refused, naming where.
			bad := map[string]any{}
			for k, v := range c.item {
				bad[k] = v
			}
			bad["id"], bad["colour"] = id+"-bad", "red"
			r := e.do(a, "POST", base+c.kind, bad)
			if r.status != 400 || !strings.Contains(string(r.body), "colour") {
				t.Errorf("invalid %s: %d %s", c.kind, r.status, r.body)
			}
			errorShape(t, r)
			// A viewer may not write.
			if r := e.do(authz.Viewer, "POST", base+c.kind, c.item); r.status != 403 {
				t.Errorf("viewer creates %s: %d", c.kind, r.status)
			}
		}
		// An item referred to is not deleted; the others, last first, are.
		_, tag := e.item(a, "certificates", "c-t")
		if r := e.do(a, "DELETE", base+"certificates/c-t", nil, "If-Match", tag); r.status != 409 {
			t.Errorf("delete a certificate an audit refers to: %d %s", r.status, r.body)
		}
		for i := len(registerItems) - 1; i >= 0; i-- {
			c := registerItems[i]
			id := c.item["id"].(string)
			_, tag := e.item(a, c.kind, id)
			if r := e.do(a, "DELETE", base+c.kind+"/"+id, nil, "If-Match", tag); r.status != 204 {
				t.Errorf("delete %s: %d %s", c.kind, r.status, r.body)
			}
		}
	})
	doc, _ := json.Marshal(api.OpenAPI())
	for _, k := range bundle.RegisterKinds {
		if !strings.Contains(string(doc), `"`+k+`"`) {
			t.Errorf("the OpenAPI document does not name %s", k)
		}
	}
}
