package web

import (
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/cloudisms/cloudisms/internal/authz"
	"github.com/cloudisms/cloudisms/internal/bundle"
	"github.com/cloudisms/cloudisms/internal/isms"
	"github.com/cloudisms/cloudisms/internal/store"
)

func init() {
	addRoutes(func(a *App, m *http.ServeMux) {
		m.HandleFunc("GET /orgs/{org}/frameworks/{id}", a.inOrg("reports", a.frameworkPage))
		m.HandleFunc("POST /orgs/{org}/frameworks/{id}", a.inOrg("reports", a.frameworkPost))
	})
}

var (
	fwReasons = []string{"risk", "legal", "contract", "business", "best-practice"}
	fwImpl    = []string{isms.ImplImplemented, isms.ImplPartial, isms.ImplPlanned, isms.ImplNotImplemented}
)

// fwRowView is one control of an imported framework with its row.
type fwRowView struct {
	store.FrameworkControl
	Row   store.FrameworkRow
	State string
}

// fwEdit is the row being edited: what the user sent, the errors beside
// its fields, and on a stale edit the row as stored now.
type fwEdit struct {
	Control string
	Row     store.FrameworkRow
	Errors  map[string]string
	Current *store.FrameworkRow
}

// frameworkPage is the statement of applicability of an imported
// framework: every control with its row, and the form for one of them.
func (a *App) frameworkPage(w http.ResponseWriter, r *http.Request, p *page, m store.Membership) {
	a.renderFramework(w, r, p, http.StatusOK, nil)
}

func (a *App) renderFramework(w http.ResponseWriter, r *http.Request, p *page, status int, edit *fwEdit) {
	fw, err := a.store.Framework(r.Context(), p.Org, r.PathValue("id"))
	if err != nil {
		a.serverError(w, r, p, err)
		return
	}
	rows, err := a.store.FrameworkRows(r.Context(), p.Org, fw.ID)
	if err != nil {
		a.serverError(w, r, p, err)
		return
	}
	var list []fwRowView
	counts := map[string]int{}
	for _, c := range fw.Controls {
		v := fwRowView{FrameworkControl: c, Row: rows[c.ID], State: fwState(rows[c.ID])}
		counts[v.State]++
		list = append(list, v)
	}
	if edit == nil {
		if c := r.URL.Query().Get("control"); c != "" {
			edit = &fwEdit{Control: c, Row: rows[c]}
		}
	}
	if edit != nil && !slices.ContainsFunc(fw.Controls, func(c store.FrameworkControl) bool { return c.ID == edit.Control }) {
		edit = nil
	}
	p.Title = p.T("report.fw.title", "title", fw.Title)
	p.Data = map[string]any{"FW": fw, "Rows": list, "Edit": edit, "Counts": counts, "Reasons": fwReasons, "Impl": fwImpl,
		"CanEdit": authz.Can(p.Role, authz.Write, authz.Subject{Kind: bundle.KindSoARows})}
	a.render(w, status, "framework", p)
}

// fwState is the state of an imported framework's row, as SoA rows have.
func fwState(r store.FrameworkRow) string {
	if r.Applicable == "" {
		return isms.StateOf(nil)
	}
	applicable := r.Applicable == "true"
	return isms.StateOf(&isms.SoARow{Applicable: &applicable, Implementation: r.Implementation})
}

// frameworkPost saves one row; errors are shown beside their fields and a
// stale edit shows both values, never overwriting the other change.
func (a *App) frameworkPost(w http.ResponseWriter, r *http.Request, p *page, m store.Membership) {
	if !authz.Can(m.Role, authz.Write, authz.Subject{Kind: bundle.KindSoARows}) {
		a.forbidden(w, r, p)
		return
	}
	if err := r.ParseForm(); err != nil {
		a.serverError(w, r, p, err)
		return
	}
	f := r.PostForm
	row := store.FrameworkRow{Control: f.Get("control"), Applicable: f.Get("applicable"), Reasons: f["reasons"],
		Implementation: f.Get("implementation"), Justification: strings.TrimSpace(f.Get("justification")), Notes: strings.TrimSpace(f.Get("notes"))}
	version, _ := strconv.ParseInt(f.Get("version"), 10, 64)
	e := &fwEdit{Control: row.Control, Row: row, Errors: map[string]string{}}
	if row.Applicable != "" && row.Applicable != "true" && row.Applicable != "false" {
		e.Errors["applicable"] = p.T("report.fw.bad_value")
	}
	for _, x := range row.Reasons {
		if !slices.Contains(fwReasons, x) {
			e.Errors["reasons"] = p.T("report.fw.bad_value")
		}
	}
	if row.Implementation != "" && !slices.Contains(fwImpl, row.Implementation) {
		e.Errors["implementation"] = p.T("report.fw.bad_value")
	}
	if row.Applicable == "false" && row.Justification == "" {
		e.Errors["justification"] = p.T("report.fw.need_justification")
	}
	if len(e.Errors) > 0 {
		e.Row.Version = version
		p.Error = p.T("report.fw.invalid")
		a.renderFramework(w, r, p, http.StatusBadRequest, e)
		return
	}
	saved, err := a.store.PutFrameworkRow(r.Context(), p.Org, r.PathValue("id"), row, version, p.User.Email)
	switch {
	case errors.Is(err, store.ErrConflict):
		rows, rerr := a.store.FrameworkRows(r.Context(), p.Org, r.PathValue("id"))
		if rerr != nil {
			a.serverError(w, r, p, rerr)
			return
		}
		cur := rows[row.Control]
		e.Current, e.Row.Version = &cur, cur.Version
		p.Error = p.T("ui.conflict", "control", row.Control)
		a.renderFramework(w, r, p, http.StatusConflict, e)
		return
	case err != nil:
		a.serverError(w, r, p, err)
		return
	}
	p.Flash = p.T("report.fw.saved", "control", saved.Control)
	a.renderFramework(w, r, p, http.StatusOK, nil)
}
