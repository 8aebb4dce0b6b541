package api_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/cloudisms/cloudisms/internal/authz"
	"github.com/cloudisms/cloudisms/internal/store"
)

type actionsResp struct {
	DryRun  bool `json:"dry_run"`
	Changed int
	Actions []struct {
		Subject, Source, Owner, After string
		Version                       int64
	}
}

// Corrective actions through the API: list them, preview a reassignment,
// apply it with the previewed versions; a stale version or a made-up
// subject changes nothing, a viewer may not reassign.
func TestReassignActionsAPI(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		const path = "/api/v1/orgs/own/corrective-actions"
		var list actionsResp
		r := e.do(authz.Viewer, "GET", path+"?owner=p-ops-lead", nil)
		if r.status != 200 {
			t.Fatalf("list: %d %s", r.status, r.body)
		}
		json.Unmarshal(r.body, &list)
		if len(list.Actions) == 0 {
			t.Fatal("p-ops-lead owns no corrective action in the sample")
		}
		var actions []map[string]any
		for _, x := range list.Actions {
			if x.Owner != "p-ops-lead" {
				t.Errorf("?owner= kept %s of %s", x.Subject, x.Owner)
			}
			actions = append(actions, map[string]any{"subject": x.Subject, "version": x.Version})
		}
		before, _ := e.store.Export(ctx, "own")
		var pv actionsResp
		r = e.do(authz.ISMSManager, "POST", path+"/reassign", map[string]any{"owner": "p-dev-lead", "dry_run": true, "actions": actions})
		json.Unmarshal(r.body, &pv)
		if r.status != 200 || !pv.DryRun || len(pv.Actions) != len(actions) || pv.Actions[0].After != "p-dev-lead" || pv.Actions[0].Owner != "p-ops-lead" {
			t.Fatalf("dry run: %d %s", r.status, r.body)
		}
		for _, c := range []struct {
			name   string
			who    string
			body   any
			status int
		}{
			{"viewer", authz.Viewer, map[string]any{"owner": "p-dev-lead", "actions": actions}, 403},
			{"auditor", authz.Auditor, map[string]any{"owner": "p-dev-lead", "actions": actions}, 403},
			{"no owner", authz.ISMSManager, map[string]any{"actions": actions}, 400},
			{"unknown person", authz.ISMSManager, map[string]any{"owner": "p-nobody", "actions": actions}, 400},
			{"made-up subject", authz.ISMSManager, map[string]any{"owner": "p-dev-lead", "actions": append([]map[string]any{{"subject": "risks/r-01", "version": 1}}, actions...)}, 400},
			{"stale version", authz.ISMSManager, map[string]any{"owner": "p-dev-lead", "actions": append(actions, map[string]any{"subject": "nonconformities/nc-2026-01", "version": 99})}, 409},
			{"unknown field", authz.ISMSManager, map[string]any{"owner": "p-dev-lead", "actions": actions, "force": true}, 400},
			{"nothing", authz.ISMSManager, map[string]any{"owner": "p-dev-lead"}, 400},
		} {
			r := e.do(c.who, "POST", path+"/reassign", c.body)
			if r.status != c.status {
				t.Errorf("%s: %d, want %d (%s)", c.name, r.status, c.status, r.body)
			}
			if r.status >= 400 {
				errorShape(t, r)
			}
		}
		if after, _ := e.store.Export(ctx, "own"); string(after) != string(before) {
			t.Fatal("a refused reassignment changed the ISMS")
		}
		var done actionsResp
		r = e.do(authz.ISMSManager, "POST", path+"/reassign", map[string]any{"owner": "p-dev-lead", "actions": actions})
		json.Unmarshal(r.body, &done)
		if r.status != 200 || done.Changed != len(actions) {
			t.Fatalf("apply: %d %s", r.status, r.body)
		}
		r = e.do(authz.Viewer, "GET", path+"?owner=p-ops-lead", nil)
		if strings.Contains(string(r.body), "p-ops-lead") {
			t.Errorf("p-ops-lead still owns actions: %s", r.body)
		}
		hist, _ := e.store.History(ctx, "own", store.HistoryFilter{Kind: "audits", Key: "aud-2026-01"})
		if n := len(hist); n < 2 || hist[n-1].Actor == "setup" {
			t.Errorf("the change is no history record of its own: %d records", n)
		}
	})
}
