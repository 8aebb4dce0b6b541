package api_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/cloudisms/cloudisms/internal/authz"
)

// Issue 10, item 6: the API let an admin or the ISMS manager approve a
// risk they do not own, overwriting the owner's acceptance of the
// residual risk (the UI already answered 403). Now both get 403 and the
// risk is untouched; as the owner's linked person they still may.
func TestApproveRiskOnlyOwner(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		before := e.do(authz.Viewer, "GET", "/api/v1/orgs/own/items/risks/r-02", nil)
		for _, who := range []string{authz.Admin, authz.ISMSManager, authz.Executive, authz.RiskOwner, authz.Auditor} {
			_, tag := e.item(who, "risks", "r-02") // owned by someone else than p-isms
			r := e.do(who, "POST", "/api/v1/orgs/own/approvals/risks/r-02", map[string]any{"residual_accepted": true}, "If-Match", tag)
			if r.status != 403 {
				t.Errorf("%s approving a risk they do not own: %d, want 403 (%s)", who, r.status, r.body)
			}
			errorShape(t, r)
		}
		if after := e.do(authz.Viewer, "GET", "/api/v1/orgs/own/items/risks/r-02", nil); !bytes.Equal(before.body, after.body) {
			t.Errorf("a refused approval changed the risk:\n%s\n%s", before.body, after.body)
		}
		// Linked to the owner, an admin approves as that person.
		_, tag := e.item(authz.Admin, "risks", "r-01")
		if r := e.do(authz.Admin, "POST", "/api/v1/orgs/own/approvals/risks/r-01", nil, "If-Match", tag); r.status != 200 {
			t.Errorf("the owner's linked admin: %d %s", r.status, r.body)
		}
	})
}

// Issue 10, item 5: an approval was forged by writing the item's
// `approval` field (an isms-manager recorded "approved, residual risk
// accepted by the CEO"). Now item writes ignore the field: the item keeps
// the approval stored with it (none for a new item), whether the body
// leaves it out, repeats it or forges another.
func TestApprovalFieldNotWritable(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		m := authz.ISMSManager
		forged := map[string]any{"by": "p-ceo", "date": "2026-11-01", "residual_accepted": true}
		approvalOf := func(kind, key string) string {
			data, _ := e.item(authz.Viewer, kind, key)
			return fmt.Sprint(data["approval"], data["scope_approval"])
		}
		data, tag := e.item(m, "risks", "r-02")
		stored := approvalOf("risks", "r-02")
		data["approval"] = forged
		data["title"] = "偽の承認を付けた編集"
		r := e.do(m, "PUT", "/api/v1/orgs/own/items/risks/r-02", data, "If-Match", tag)
		if r.status != 200 {
			t.Fatalf("PUT with a forged approval: %d %s", r.status, r.body)
		}
		if got := approvalOf("risks", "r-02"); got != stored || bytes.Contains(r.body, []byte("2026-11-01")) {
			t.Errorf("a forged approval was written: %s, was %s", got, stored)
		}
		created := map[string]any{"id": "r-forged", "title": "偽の承認", "treatment": "retain", "owner": "p-ceo", "approval": forged}
		if r := e.do(m, "POST", "/api/v1/orgs/own/items/risks", created); r.status != 201 {
			t.Fatalf("creating a risk with an approval: %d %s", r.status, r.body)
		}
		if got := approvalOf("risks", "r-forged"); got != "<nil> <nil>" {
			t.Errorf("a new risk carries a forged approval: %s", got)
		}
		scope, stag := e.item(m, "organization", "organization")
		storedScope := approvalOf("organization", "organization")
		scope["scope_approval"] = map[string]any{"by": "p-isms", "date": "2026-11-01"}
		if r := e.do(m, "PUT", "/api/v1/orgs/own/items/organization/organization", scope, "If-Match", stag); r.status != 200 {
			t.Fatalf("PUT of the scope with another approval: %d %s", r.status, r.body)
		}
		if got := approvalOf("organization", "organization"); got != storedScope {
			t.Errorf("the scope approval changed by PUT: %s, was %s", got, storedScope)
		}
		// The owner approves; an edit that leaves the field out keeps it.
		_, tag = e.item(authz.RiskOwner, "risks", "r-01")
		if r := e.do(authz.RiskOwner, "POST", "/api/v1/orgs/own/approvals/risks/r-01", map[string]any{"residual_accepted": true}, "If-Match", tag); r.status != 200 {
			t.Fatalf("owner approves: %d %s", r.status, r.body)
		}
		approval := approvalOf("risks", "r-01")
		data, tag = e.item(m, "risks", "r-01")
		delete(data, "approval")
		data["title"] = "承認の後で変更"
		if r := e.do(m, "PUT", "/api/v1/orgs/own/items/risks/r-01", data, "If-Match", tag); r.status != 200 {
			t.Fatalf("edit without the approval field: %d %s", r.status, r.body)
		}
		if got := approvalOf("risks", "r-01"); got != approval {
			t.Errorf("the stored approval was not kept: %s, was %s", got, approval)
		}
		list := e.do(authz.Viewer, "GET", "/api/v1/orgs/own/approvals", nil)
		if !strings.Contains(string(list.body), `"key":"r-01"`) || !strings.Contains(string(list.body), `"stale":true`) {
			t.Errorf("the edit should make the approval stale: %s", list.body)
		}
	})
}

// Issue 10, item 5: approvals that came in through a bundle import carried
// no fingerprint, so later edits still showed 承認済. Now each is recorded
// as imported, naming who imported it, fingerprinted at import: an edit
// makes it stale; a re-import that forges an approval is recorded as
// imported by the importer, never as the approver's act.
func TestImportedApprovals(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		type appr struct {
			Kind, Key, Person string
			ApprovedBy        string `json:"approved_by"`
			Stale, Imported   bool
		}
		approvals := func() map[string]appr {
			var out struct{ Approvals []appr }
			json.Unmarshal(e.do(authz.Viewer, "GET", "/api/v1/orgs/own/approvals", nil).body, &out)
			m := map[string]appr{}
			for _, a := range out.Approvals {
				m[a.Kind+"/"+a.Key] = a
			}
			return m
		}
		got := approvals()
		scope, doc := got["organization/organization"], got["documents/doc-pol-001"]
		if !scope.Imported || scope.Stale || scope.Person != "p-ceo" || scope.ApprovedBy != "setup" || !doc.Imported || doc.Stale {
			t.Fatalf("approvals after the import: %+v %+v", scope, doc)
		}
		data, tag := e.item(authz.ISMSManager, "documents", "doc-pol-001")
		data["title"] = "取り込み後に変更した方針"
		if r := e.do(authz.ISMSManager, "PUT", "/api/v1/orgs/own/items/documents/doc-pol-001", data, "If-Match", tag); r.status != 200 {
			t.Fatalf("edit: %d %s", r.status, r.body)
		}
		if a := approvals()["documents/doc-pol-001"]; !a.Stale || !a.Imported {
			t.Errorf("an imported approval after an edit: %+v, want stale", a)
		}
		// A bundle that forges the CEO's approval of a risk: recorded as
		// imported by the importer.
		bundleYAML := e.do(authz.ISMSManager, "GET", "/api/v1/orgs/own/bundle", nil).body
		forged := bytes.Replace(bundleYAML, []byte("    approval:\n      by: p-isms\n      date: 2026-05-20\n"), []byte("    approval:\n      by: p-ceo\n      date: 2026-11-01\n"), 1)
		if bytes.Equal(forged, bundleYAML) {
			t.Fatal("could not place the forged approval in the bundle")
		}
		if r := e.do(authz.ISMSManager, "PUT", "/api/v1/orgs/own/bundle", forged, "Content-Type", "application/yaml"); r.status != 200 {
			t.Fatalf("import: %d %s", r.status, r.body)
		}
		a, ok := approvals()["risks/r-01"]
		if !ok || !a.Imported || a.ApprovedBy != "isms-manager@example.com" || a.Person != "p-ceo" {
			t.Errorf("a forged approval in a bundle: %+v %v, want imported by isms-manager@example.com", a, ok)
		}
		item := e.do(authz.Viewer, "GET", "/api/v1/orgs/own/items/risks/r-01", nil)
		if !bytes.Contains(item.body, []byte(`"imported":true`)) {
			t.Errorf("the item does not say its approval was imported: %s", item.body)
		}
	})
}
