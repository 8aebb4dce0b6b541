package api_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/cloudisms/cloudisms/internal/api"
	"github.com/cloudisms/cloudisms/internal/authz"
	"github.com/cloudisms/cloudisms/internal/pack"
	"github.com/cloudisms/cloudisms/internal/report"
	"github.com/cloudisms/cloudisms/internal/store"
)

type auditPackJob struct {
	ID       int64
	State    string
	URL      string
	ZipURL   string `json:"zip_url"`
	Progress string
	Error    string
	From, To string
	Lang     string
}

// TestAuditPackJobs: who may ask for an audit pack, its job from queued
// to a zip that opens and holds its index, another organization's and
// another kind's jobs not found, and the period's fields checked.
func TestAuditPackJobs(t *testing.T) {
	// PDFs are the browser test's (internal/web TestBrowserAuditPack):
	// here the documents come as HTML, as in the web's TestAuditPack.
	pack.FindBrowser = func() (string, error) { return "", errors.New("no browser in this test") }
	t.Cleanup(func() { pack.FindBrowser = report.FindBrowser })
	period := map[string]any{"from": "2025-11-01", "to": "2026-11-01"}
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
			r := e.do(who, "POST", "/api/v1/orgs/own/audit-packs", period)
			if r.status != want {
				t.Errorf("POST audit-packs as %s: %d, want %d (%s)", who, r.status, want, r.body)
			}
			if r.status >= 400 {
				errorShape(t, r)
			}
		}
		r := e.do(authz.Admin, "POST", "/api/v1/orgs/own/audit-packs", map[string]any{"from": "2025-11-01", "to": "2026-11-01", "lang": "en"})
		var job auditPackJob
		json.Unmarshal(r.body, &job)
		if r.status != 202 || job.State != "queued" || r.header.Get("Location") != job.URL || job.URL != fmt.Sprintf("/api/v1/orgs/own/audit-packs/%d", job.ID) ||
			job.From != "2025-11-01" || job.To != "2026-11-01" || job.Lang != "en" || job.ZipURL != "" {
			t.Fatalf("queued pack: %d %s (Location %s)", r.status, r.body, r.header.Get("Location"))
		}
		if r := e.do(authz.Admin, "GET", job.URL+"/zip", nil); r.status != 409 {
			t.Errorf("zip of a queued pack: %d %s", r.status, r.body)
		} else {
			errorShape(t, r)
		}
		// A worker takes the queue (the other roles' packs first), as
		// serve does; the caller polls.
		wctx, cancel := context.WithCancel(context.Background())
		stopped := make(chan struct{})
		go func() {
			e.store.RunExportJobs(wctx, "api-test", 100*time.Millisecond, slog.New(slog.NewTextHandler(io.Discard, nil)))
			close(stopped)
		}()
		began := time.Now()
		for job.State != "done" {
			if job.State == "failed" {
				cancel()
				t.Fatalf("the pack failed: %s", job.Error)
			}
			if time.Since(began) > 3*time.Minute {
				cancel()
				t.Fatalf("the pack is still %s after 3 minutes (progress %q)", job.State, job.Progress)
			}
			time.Sleep(100 * time.Millisecond)
			r := e.do(authz.Admin, "GET", job.URL, nil)
			if r.status != 200 {
				t.Fatalf("poll: %d %s", r.status, r.body)
			}
			json.Unmarshal(r.body, &job)
		}
		cancel()
		<-stopped
		if job.ZipURL != job.URL+"/zip" {
			t.Errorf("done without the zip's URL: %+v", job)
		}
		got := e.do(authz.Admin, "GET", job.ZipURL, nil)
		if got.status != 200 || got.header.Get("Content-Type") != "application/zip" ||
			got.header.Get("Content-Disposition") != `attachment; filename="own-audit-pack-2025-11-01-2026-11-01.zip"` {
			t.Fatalf("zip: %d %s %q", got.status, got.header.Get("Content-Type"), got.header.Get("Content-Disposition"))
		}
		t.Logf("audit pack through the API: %d bytes in %s", len(got.body), time.Since(began).Round(time.Millisecond))
		z, err := zip.NewReader(bytes.NewReader(got.body), int64(len(got.body)))
		if err != nil {
			t.Fatalf("not a zip: %v", err)
		}
		files := map[string]string{}
		for _, f := range z.File {
			rc, err := f.Open()
			if err != nil {
				t.Fatal(err)
			}
			b, err := io.ReadAll(rc)
			rc.Close()
			if err != nil {
				t.Fatalf("%s: %v", f.Name, err)
			}
			files[f.Name] = string(b)
		}
		for _, want := range []string{"index.html", "SHA256SUMS", "history/history.csv", "approvals.csv", "evidence/index.csv"} {
			if _, ok := files[want]; !ok {
				t.Errorf("no %s in the pack", want)
			}
		}
		if !strings.Contains(files["index.html"], "audit pack (2025-11-01 to 2026-11-01)") {
			t.Error("the index is not in English (lang en)")
		}
		for _, l := range strings.Split(strings.TrimSpace(files["SHA256SUMS"]), "\n") {
			if _, name, _ := strings.Cut(l, "  "); !strings.Contains(files["index.html"], name) {
				t.Errorf("the index does not list %s", name)
			}
		}
		// Not another organization's, not a job of another kind, not
		// for a role without export.
		export := e.do(authz.Admin, "POST", "/api/v1/orgs/own/exports", nil)
		var ej struct{ ID int64 }
		json.Unmarshal(export.body, &ej)
		for _, c := range []struct {
			who, path string
			want      int
		}{
			{"outsider", job.URL, 404},
			{"outsider", job.ZipURL, 404},
			{"outsider", "/api/v1/orgs/other/audit-packs/" + fmt.Sprint(job.ID), 404},
			{"outsider", "/api/v1/orgs/other/audit-packs/" + fmt.Sprint(job.ID) + "/zip", 404},
			{authz.Admin, fmt.Sprintf("/api/v1/orgs/own/audit-packs/%d", ej.ID), 404},
			{authz.Admin, fmt.Sprintf("/api/v1/orgs/own/exports/%d", job.ID), 404},
			{authz.Admin, "/api/v1/orgs/own/audit-packs/x", 404},
			{authz.Admin, "/api/v1/orgs/own/audit-packs/99999/zip", 404},
			{authz.Viewer, job.ZipURL, 403},
			{"nobody", job.ZipURL, 401},
		} {
			r := e.do(c.who, "GET", c.path, nil)
			if r.status != c.want {
				t.Errorf("GET %s as %s: %d, want %d", c.path, c.who, r.status, c.want)
			}
			errorShape(t, r)
		}
		// One member cannot fill the queue (no worker runs now): the
		// export queued above counts too.
		for i := range store.MaxPendingJobs - 1 {
			if r := e.do(authz.Admin, "POST", "/api/v1/orgs/own/audit-packs", period); r.status != 202 {
				t.Fatalf("pack %d: %d %s", i+1, r.status, r.body)
			}
		}
		if r := e.do(authz.Admin, "POST", "/api/v1/orgs/own/audit-packs", period); r.status != 429 || r.header.Get("Retry-After") == "" {
			t.Errorf("a job over the bound: %d %s", r.status, r.body)
		}
	})
}

// TestAuditPackBadInput: the period's fields are checked before a job is
// queued; the error names the field.
func TestAuditPackBadInput(t *testing.T) {
	forEachBackend(t, func(t *testing.T, e *env) {
		for _, c := range []struct {
			name  string
			body  any
			field string
		}{
			{"bad from", map[string]any{"from": "2026-13-01", "to": "2026-11-01"}, "from"},
			{"no from", map[string]any{"to": "2026-11-01"}, "from"},
			{"bad to", map[string]any{"from": "2025-11-01", "to": "2026/11/01"}, "to"},
			{"ends before it starts", map[string]any{"from": "2026-12-01", "to": "2026-01-01"}, "to"},
			{"lang", map[string]any{"from": "2025-11-01", "to": "2026-11-01", "lang": "fr"}, "lang"},
			{"unknown field", map[string]any{"from": "2025-11-01", "to": "2026-11-01", "with_pdf": true}, ""},
			{"not JSON", "from=2025-11-01", ""},
		} {
			r := e.do(authz.Admin, "POST", "/api/v1/orgs/own/audit-packs", c.body, "Accept-Language", "en")
			if r.status != 400 {
				t.Errorf("%s: %d %s", c.name, r.status, r.body)
				continue
			}
			errorShape(t, r)
			var b struct {
				Error struct {
					Message string
					Fields  []struct{ Path, Message string }
				}
			}
			json.Unmarshal(r.body, &b)
			if c.field != "" && (len(b.Error.Fields) != 1 || b.Error.Fields[0].Path != c.field) {
				t.Errorf("%s: %s, want the field %s named", c.name, r.body, c.field)
			}
		}
		if r := e.do(authz.Admin, "POST", "/api/v1/orgs/own/audit-packs", "{}", "Content-Type", "text/plain"); r.status != 415 {
			t.Errorf("not JSON's content type: %d", r.status)
		}
		if _, err := e.store.ExportJob(ctx, "own", 1); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("a bad request queued a job: %v", err)
		}
	})
}

// TestJobRoutesDocumented: the job routes are in the OpenAPI document,
// the audit pack's body with its fields and the 202 of queuing.
func TestJobRoutesDocumented(t *testing.T) {
	paths := api.OpenAPI()["paths"].(map[string]map[string]any)
	for _, p := range []string{"/api/v1/orgs/{org}/exports", "/api/v1/orgs/{org}/audit-packs"} {
		op, ok := paths[p]["post"].(map[string]any)
		if !ok {
			t.Fatalf("POST %s is not documented", p)
		}
		if _, ok := op["responses"].(map[string]any)["202"]; !ok {
			t.Errorf("POST %s: no 202", p)
		}
	}
	body, _ := json.Marshal(paths["/api/v1/orgs/{org}/audit-packs"]["post"].(map[string]any)["requestBody"])
	for _, want := range []string{`"from"`, `"to"`, `"lang"`, `"format":"date"`} {
		if !strings.Contains(string(body), want) {
			t.Errorf("the audit pack's body does not document %s: %s", want, body)
		}
	}
	for _, p := range []string{"/api/v1/orgs/{org}/audit-packs/{id}", "/api/v1/orgs/{org}/audit-packs/{id}/zip", "/api/v1/orgs/{org}/exports/{id}/bundle"} {
		if _, ok := paths[p]["get"]; !ok {
			t.Errorf("GET %s is not documented", p)
		}
	}
}
