package api

import (
	"net/http"
	"strconv"

	"github.com/cloudisms/cloudisms/internal/authz"
	"github.com/cloudisms/cloudisms/internal/i18n"
	"github.com/cloudisms/cloudisms/internal/store"
)

// jobRoutes run a large export as a job: a request queues it, exactly one
// server instance runs it, any instance reports on it and serves the
// result. They are kept apart from routes (the generic permission
// matrix) because a job id exists only once created; their permissions
// are tested in exports_test.go and auditpacks_test.go. The OpenAPI
// document describes them with the others.
var jobRoutes = []Route{
	{"POST", "/api/v1/orgs/{org}/exports", authz.Export, "Queue an export of the bundle as a job (202 with the job's URL)", (*Server).createExport, false},
	{"GET", "/api/v1/orgs/{org}/exports/{id}", authz.Export, "An export job's state", (*Server).getExport, false},
	{"GET", "/api/v1/orgs/{org}/exports/{id}/bundle", authz.Export, "A finished export job's bundle (YAML; 409 until it is done)", (*Server).getExportBundle, false},
	// The audit pack (auditpacks.go): the reports page's job, with its form's fields.
	{"POST", "/api/v1/orgs/{org}/audit-packs", authz.Export, "Queue an audit pack (zip) for a period as a job: JSON body {\"from\", \"to\"} (YYYY-MM-DD, inclusive) and \"lang\" (ja|en, the caller's by default); 202 with the job's URL", (*Server).createAuditPack, false},
	{"GET", "/api/v1/orgs/{org}/audit-packs/{id}", authz.Export, "An audit pack job's state and, while it runs, its progress", (*Server).getAuditPack, false},
	{"GET", "/api/v1/orgs/{org}/audit-packs/{id}/zip", authz.Export, "A finished audit pack (application/zip, as an attachment; 409 until it is done)", (*Server).getAuditPackZip, false},
}

type exportJobJSON struct {
	ID         int64  `json:"id"`
	State      string `json:"state"`
	Runs       int64  `json:"runs"`
	CreatedAt  string `json:"created_at"`
	StartedAt  string `json:"started_at,omitempty"`
	FinishedAt string `json:"finished_at,omitempty"`
	RunBy      string `json:"run_by,omitempty"`
	Error      string `json:"error,omitempty"`
	URL        string `json:"url"`
	BundleURL  string `json:"bundle_url,omitempty"`
}

func jobJSON(j store.ExportJob) exportJobJSON {
	base := "/api/v1/orgs/" + j.Org + "/exports/" + strconv.FormatInt(j.ID, 10)
	out := exportJobJSON{ID: j.ID, State: j.State, Runs: j.Runs, CreatedAt: j.CreatedAt, StartedAt: j.StartedAt,
		FinishedAt: j.FinishedAt, RunBy: j.ClaimedBy, Error: j.Error, URL: base}
	if j.State == store.JobDone {
		out.BundleURL = base + "/bundle"
	}
	return out
}

func (a *Server) createExport(w http.ResponseWriter, r *http.Request, c *call) {
	j, err := a.store.CreateExportJob(r.Context(), r.PathValue("org"), actor(c))
	if err != nil {
		a.storeError(w, c, err)
		return
	}
	out := jobJSON(j)
	w.Header().Set("Location", out.URL)
	writeJSON(w, http.StatusAccepted, out)
}

// job reads the job of kind the path names (a job of another kind or
// organization is not found); false when it has answered.
func (a *Server) job(w http.ResponseWriter, r *http.Request, c *call, kind string) (store.ExportJob, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id < 1 {
		a.fail(w, c.lang, http.StatusNotFound, "not_found", i18n.M("api.not_found"))
		return store.ExportJob{}, false
	}
	j, err := a.store.ExportJob(r.Context(), r.PathValue("org"), id)
	if err != nil {
		a.storeError(w, c, err)
		return j, false
	}
	if j.Kind != kind {
		a.fail(w, c.lang, http.StatusNotFound, "not_found", i18n.M("api.not_found"))
		return j, false
	}
	return j, true
}

func (a *Server) getExport(w http.ResponseWriter, r *http.Request, c *call) {
	if j, ok := a.job(w, r, c, store.JobBundle); ok {
		writeJSON(w, http.StatusOK, jobJSON(j))
	}
}

func (a *Server) getExportBundle(w http.ResponseWriter, r *http.Request, c *call) {
	j, ok := a.job(w, r, c, store.JobBundle)
	if !ok {
		return
	}
	if j.State != store.JobDone {
		a.fail(w, c.lang, http.StatusConflict, "not_ready", i18n.M("ops.export_not_ready", "state", j.State))
		return
	}
	b, err := a.store.ExportJobResult(r.Context(), j.Org, j.ID)
	if err != nil {
		a.storeError(w, c, err)
		return
	}
	w.Header().Set("Content-Type", "application/yaml; charset=utf-8")
	w.Write(b)
}
