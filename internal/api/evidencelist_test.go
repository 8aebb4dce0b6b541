package api_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/cloudisms/cloudisms/internal/authz"
)

// GET /evidence lists every file each place an item names it, with the
// stored key of the item, its interval and basis; bad parameters are 400;
// another organization's list is 404.
func TestEvidenceListAPI(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		up := e.do(authz.Admin, "POST", "/api/v1/orgs/own/evidence/soa_rows/organization/5.1?name=周知記録.pdf", []byte("awareness"),
			"Content-Type", "application/pdf", "If-Match", e.tagIn("own", "soa_rows", "organization/5.1"))
		if up.status != 201 {
			t.Fatalf("upload: %d %s", up.status, up.body)
		}
		r := e.do(authz.Viewer, "GET", "/api/v1/orgs/own/evidence?kind=soa_rows", nil)
		var got struct {
			Total       int
			DefaultDays int `json:"default_days"`
			Evidence    []struct {
				Name, SHA256, Kind, Key, Basis string
				UploadedAt                     string `json:"uploaded_at"`
				UploadedBy                     string `json:"uploaded_by"`
				LastUploadedAt                 string `json:"last_uploaded_at"`
				LastUploadedBy                 string `json:"last_uploaded_by"`
				Size                           int64
				IntervalDays                   int `json:"interval_days"`
			}
		}
		json.Unmarshal(r.body, &got)
		if r.status != 200 || got.Total != 1 || got.DefaultDays != 365 {
			t.Fatalf("list: %d %s", r.status, r.body)
		}
		ev := got.Evidence[0]
		if ev.Name != "周知記録.pdf" || ev.Key != "organization/5.1" || ev.Basis != "default" || ev.IntervalDays != 365 || ev.Size != int64(len("awareness")) || ev.UploadedAt == "" || ev.UploadedBy == "" {
			t.Errorf("entry: %+v", ev)
		}
		if ev.LastUploadedAt != "" {
			t.Errorf("uploaded once, yet a last upload: %+v", ev)
		}
		// The same content uploaded again: collected at the first upload,
		// the repeat recorded as the last.
		time.Sleep(1100 * time.Millisecond) // the times are given to the second
		if r := e.do(authz.Admin, "POST", "/api/v1/orgs/own/evidence", []byte("awareness"), "Content-Type", "application/pdf"); r.status != 201 {
			t.Fatalf("upload again: %d %s", r.status, r.body)
		}
		r = e.do(authz.Viewer, "GET", "/api/v1/orgs/own/evidence?kind=soa_rows", nil)
		json.Unmarshal(r.body, &got)
		if again := got.Evidence[0]; again.UploadedAt != ev.UploadedAt || again.LastUploadedAt <= ev.UploadedAt || again.LastUploadedBy == "" {
			t.Errorf("after a repeated upload: %+v, was %+v", again, ev)
		}
		if r := e.do(authz.Viewer, "GET", "/api/v1/orgs/own/evidence?days=90&limit=1&offset=0", nil); r.status != 200 {
			t.Errorf("days=90: %d %s", r.status, r.body)
		}
		for _, q := range []string{"days=5", "days=x", "limit=0", "limit=501", "offset=-1"} {
			r := e.do(authz.Viewer, "GET", "/api/v1/orgs/own/evidence?"+q, nil)
			if r.status != 400 {
				t.Errorf("?%s: %d, want 400", q, r.status)
			} else {
				errorShape(t, r)
			}
		}
		if r := e.do("outsider", "GET", "/api/v1/orgs/own/evidence", nil); r.status != 404 {
			t.Errorf("another organization's evidence list: %d", r.status)
		}
	})
}
