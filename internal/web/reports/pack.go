package reports

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/cloudisms/cloudisms/internal/authz"
	"github.com/cloudisms/cloudisms/internal/isms"
	"github.com/cloudisms/cloudisms/internal/pack"
	"github.com/cloudisms/cloudisms/internal/store"
	"github.com/cloudisms/cloudisms/internal/web/site"
)

// The audit pack is asked for on the reports page, made in the background
// by whichever instance takes the job, watched on its own page (which
// refreshes itself while the job runs) and downloaded from there.

func init() {
	pack.Register(time.Now)
	site.AddRoutes(func(app *site.App, m *http.ServeMux) {
		a := &handlers{app}
		m.HandleFunc("POST /orgs/{org}/reports/pack", a.InOrg("reports", a.packCreate))
		m.HandleFunc("GET /orgs/{org}/reports/pack/{id}", a.InOrg("reports", a.packPage))
		m.HandleFunc("GET /orgs/{org}/reports/pack/{id}/download", a.InOrg("reports", a.packDownload))
	})
}

// mayPack: the pack holds the whole ISMS and its evidence, like an export.
func mayPack(m store.Membership) bool { return authz.Can(m.Role, authz.Export, authz.Subject{}) }

func (a *handlers) packCreate(w http.ResponseWriter, r *http.Request, p *site.Page, m store.Membership) {
	if !mayPack(m) {
		a.Forbidden(w, r, p)
		return
	}
	params := pack.Params{From: r.PostFormValue("from"), To: r.PostFormValue("to"), Lang: p.Lang}
	if err := params.Check(); err != nil {
		p.Error = p.T("pack.bad_period", "detail", err.Error())
		a.renderReports(w, r, p, http.StatusBadRequest, nil)
		return
	}
	raw, _ := json.Marshal(params)
	j, err := a.Store.CreateJob(r.Context(), p.Org, p.User.Email, pack.JobKind, string(raw))
	if errors.Is(err, store.ErrJobsPending) {
		w.Header().Set("Retry-After", "30")
		p.Error = p.T("api.jobs_pending", "max", store.MaxPendingJobs)
		a.renderReports(w, r, p, http.StatusTooManyRequests, nil)
		return
	}
	if err != nil {
		a.ServerError(w, r, p, err)
		return
	}
	http.Redirect(w, r, "/orgs/"+url.PathEscape(p.Org)+"/reports/pack/"+strconv.FormatInt(j.ID, 10), http.StatusSeeOther)
}

// job reads the pack job of the path, only of this organization.
func (a *handlers) job(w http.ResponseWriter, r *http.Request, p *site.Page, m store.Membership) (store.ExportJob, bool) {
	if !mayPack(m) {
		a.Forbidden(w, r, p)
		return store.ExportJob{}, false
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		a.NotFound(w, r, p)
		return store.ExportJob{}, false
	}
	j, err := a.Store.ExportJob(r.Context(), p.Org, id)
	if err != nil || j.Kind != pack.JobKind {
		a.NotFound(w, r, p)
		return store.ExportJob{}, false
	}
	return j, true
}

func (a *handlers) packPage(w http.ResponseWriter, r *http.Request, p *site.Page, m store.Membership) {
	j, ok := a.job(w, r, p, m)
	if !ok {
		return
	}
	var params pack.Params
	json.Unmarshal([]byte(j.Params), &params)
	p.Title = p.T("pack.page_title")
	p.Data = map[string]any{"Job": j, "Params": params, "Running": j.State == store.JobQueued || j.State == store.JobRunning,
		"Download": "/orgs/" + url.PathEscape(p.Org) + "/reports/pack/" + strconv.FormatInt(j.ID, 10) + "/download"}
	a.Render(w, http.StatusOK, "pack", p)
}

func (a *handlers) packDownload(w http.ResponseWriter, r *http.Request, p *site.Page, m store.Membership) {
	j, ok := a.job(w, r, p, m)
	if !ok {
		return
	}
	rc, size, err := a.Store.OpenJobFile(r.Context(), p.Org, j.ID)
	if errors.Is(err, store.ErrNotFound) {
		a.NotFound(w, r, p)
		return
	}
	if err != nil {
		a.ServerError(w, r, p, err)
		return
	}
	defer rc.Close()
	pack.ServeZip(w, p.Org, j.Params, rc, size)
}

// defaultPeriod is the year up to today, the period of a surveillance audit.
func defaultPeriod(now time.Time) (string, string) {
	today := isms.DateOf(now.In(isms.JST))
	return today.AddDays(-365).String(), today.String()
}
