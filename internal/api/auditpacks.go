package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/cloudisms/cloudisms/internal/i18n"
	"github.com/cloudisms/cloudisms/internal/pack"
	"github.com/cloudisms/cloudisms/internal/store"
)

// The audit pack through the API: the same job as the reports page's
// (internal/pack builds it, whichever instance claims it), asked for with
// the form's fields, watched, and downloaded once done.

// This process runs audit-pack jobs whether or not the web UI is linked
// in (the runner the reports page registers too).
func init() { pack.Register(time.Now) }

type auditPackJSON struct {
	exportJobJSON
	From     string `json:"from"`
	To       string `json:"to"`
	Lang     string `json:"lang"`
	Progress string `json:"progress,omitempty"`
	ZipURL   string `json:"zip_url,omitempty"`
}

func auditPackOf(j store.ExportJob) auditPackJSON {
	var p pack.Params
	json.Unmarshal([]byte(j.Params), &p)
	base := "/api/v1/orgs/" + j.Org + "/audit-packs/" + strconv.FormatInt(j.ID, 10)
	out := auditPackJSON{exportJobJSON: exportJobJSON{ID: j.ID, State: j.State, Runs: j.Runs, CreatedAt: j.CreatedAt,
		StartedAt: j.StartedAt, FinishedAt: j.FinishedAt, RunBy: j.ClaimedBy, Error: j.Error, URL: base},
		From: p.From, To: p.To, Lang: p.Lang}
	if j.State == store.JobRunning {
		out.Progress = j.Progress
	}
	if j.State == store.JobDone {
		out.ZipURL = base + "/zip"
	}
	return out
}

func (a *Server) createAuditPack(w http.ResponseWriter, r *http.Request, c *call) {
	if !a.jsonBody(w, r, c) {
		return
	}
	raw, ok := a.body(w, r, c, 4<<10)
	if !ok {
		return
	}
	var body struct {
		From string `json:"from"`
		To   string `json:"to"`
		Lang string `json:"lang"`
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&body); err != nil {
		a.fail(w, c.lang, http.StatusBadRequest, "invalid", i18n.M("api.invalid_detail", "detail", err.Error()))
		return
	}
	p := pack.Params{From: body.From, To: body.To, Lang: body.Lang}
	if p.Lang == "" {
		p.Lang = c.lang
	}
	if err := p.Check(); err != nil {
		field := ""
		var pe *pack.ParamError
		if errors.As(err, &pe) {
			field = pe.Field
		}
		msg := i18n.M("pack.bad_period", "detail", err.Error())
		a.fail(w, c.lang, http.StatusBadRequest, "invalid", msg, FieldError{Path: field, Message: err.Error()})
		return
	}
	params, _ := json.Marshal(p)
	j, err := a.store.CreateJob(r.Context(), r.PathValue("org"), actor(c), pack.JobKind, string(params))
	if err != nil {
		a.storeError(w, c, err)
		return
	}
	out := auditPackOf(j)
	w.Header().Set("Location", out.URL)
	writeJSON(w, http.StatusAccepted, out)
}

func (a *Server) getAuditPack(w http.ResponseWriter, r *http.Request, c *call) {
	if j, ok := a.job(w, r, c, pack.JobKind); ok {
		writeJSON(w, http.StatusOK, auditPackOf(j))
	}
}

func (a *Server) getAuditPackZip(w http.ResponseWriter, r *http.Request, c *call) {
	j, ok := a.job(w, r, c, pack.JobKind)
	if !ok {
		return
	}
	if j.State != store.JobDone {
		a.fail(w, c.lang, http.StatusConflict, "not_ready", i18n.M("ops.pack_not_ready", "state", j.State))
		return
	}
	rc, size, err := a.store.OpenJobFile(r.Context(), j.Org, j.ID)
	if err != nil {
		a.storeError(w, c, err)
		return
	}
	defer rc.Close()
	pack.ServeZip(w, j.Org, j.Params, rc, size)
}
