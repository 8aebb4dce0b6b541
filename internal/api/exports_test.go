package api_test

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/cloudisms/cloudisms/internal/authz"
)

// TestExportJobs: who may queue and read export jobs, and a job's life
// from queued to a served bundle equal to the direct export.
func TestExportJobs(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		for _, who := range append(append([]string{}, authz.Roles...), "outsider", "nobody") {
			want := 202
			switch {
			case who == "nobody":
				want = 401
			case who == "outsider":
				want = 404
			case !authz.Can(who, authz.Export, authz.Subject{}):
				want = 403
			}
			r := e.do(who, "POST", "/api/v1/orgs/own/exports", nil)
			if r.status != want {
				t.Errorf("POST exports as %s: %d, want %d (%s)", who, r.status, want, r.body)
			}
			if r.status >= 400 {
				errorShape(t, r)
			}
		}
		r := e.do(authz.Admin, "POST", "/api/v1/orgs/own/exports", nil)
		var job struct {
			ID        int64
			State     string
			URL       string
			BundleURL string `json:"bundle_url"`
			Runs      int64
		}
		json.Unmarshal(r.body, &job)
		if job.State != "queued" || r.header.Get("Location") != job.URL || job.URL != fmt.Sprintf("/api/v1/orgs/own/exports/%d", job.ID) {
			t.Fatalf("queued job: %s (Location %s)", r.body, r.header.Get("Location"))
		}
		if r := e.do(authz.Admin, "GET", job.URL+"/bundle", nil); r.status != 409 {
			t.Errorf("bundle of a queued job: %d %s", r.status, r.body)
		}
		for {
			ran, err := e.store.RunExportJob(ctx, "test")
			if err != nil {
				t.Fatal(err)
			}
			if !ran {
				break
			}
		}
		r = e.do(authz.Admin, "GET", job.URL, nil)
		json.Unmarshal(r.body, &job)
		if r.status != 200 || job.State != "done" || job.Runs != 1 || job.BundleURL != job.URL+"/bundle" {
			t.Fatalf("finished job: %d %s", r.status, r.body)
		}
		got := e.do(authz.Admin, "GET", job.BundleURL, nil)
		direct := e.do(authz.Admin, "GET", "/api/v1/orgs/own/bundle", nil)
		if got.status != 200 || string(got.body) != string(direct.body) || got.header.Get("Content-Type") != "application/yaml; charset=utf-8" {
			t.Errorf("job bundle: %d, equal to the export: %v", got.status, string(got.body) == string(direct.body))
		}
		// Another organization's member cannot see the job; ids that are
		// no job are not found.
		for _, c := range []struct{ who, path string }{
			{"outsider", job.URL},
			{"outsider", "/api/v1/orgs/other/exports/" + fmt.Sprint(job.ID)},
			{authz.Admin, "/api/v1/orgs/own/exports/x"},
			{authz.Admin, "/api/v1/orgs/own/exports/0"},
			{authz.Admin, "/api/v1/orgs/own/exports/99999"},
		} {
			if r := e.do(c.who, "GET", c.path, nil); r.status != 404 {
				t.Errorf("GET %s as %s: %d", c.path, c.who, r.status)
			}
		}
	})
}
