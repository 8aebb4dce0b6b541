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
// result. They are kept apart from routes (the generic permission matrix
// and OpenAPI document) because a job id exists only once created; their
// permissions are tested in exports_test.go.
var jobRoutes = []Route{
	{"POST", "/api/v1/orgs/{org}/exports", authz.Export, "Queue an export of the bundle as a job (202 with the job's URL)", (*Server).createExport, false},
	{"GET", "/api/v1/orgs/{org}/exports/{id}", authz.Export, "An export job's state", (*Server).getExport, false},
	{"GET", "/api/v1/orgs/{org}/exports/{id}/bundle", authz.Export, "A finished export job's bundle (YAML; 409 until it is done)", (*Server).getExportBundle, false},
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

// job reads the job the path names; false when it has answered.
func (a *Server) job(w http.ResponseWriter, r *http.Request, c *call) (store.ExportJob, bool) {
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
	return j, true
}

func (a *Server) getExport(w http.ResponseWriter, r *http.Request, c *call) {
	if j, ok := a.job(w, r, c); ok {
		writeJSON(w, http.StatusOK, jobJSON(j))
	}
}

func (a *Server) getExportBundle(w http.ResponseWriter, r *http.Request, c *call) {
	j, ok := a.job(w, r, c)
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
