package soa

import (
	"errors"
	"net/http"
	"net/url"
	"strings"

	"github.com/cloudisms/cloudisms/internal/authz"
	"github.com/cloudisms/cloudisms/internal/bundle"
	"github.com/cloudisms/cloudisms/internal/isms"
	"github.com/cloudisms/cloudisms/internal/store"
	"github.com/cloudisms/cloudisms/internal/web/names"
	"github.com/cloudisms/cloudisms/internal/web/site"
)

// One SoA row's edit form. The SoA page shows its rows read-only; a row's
// edit link opens this page, or, where script runs, fetches the form alone
// (?part=form) into the row. Saving posts to the SoA page's handler, which
// goes back to the SoA at the row, or shows this page again with the
// problem (a validation error, or someone else's change).

func init() {
	site.AddRoutes(func(app *site.App, m *http.ServeMux) {
		a := &handlers{app}
		m.HandleFunc("GET /orgs/{org}/soa/row", a.InOrg("soa", a.rowPage))
	})
}

func (a *handlers) rowPage(w http.ResponseWriter, r *http.Request, p *site.Page, m store.Membership) {
	q := r.URL.Query()
	a.renderRow(w, r, p, http.StatusOK, q.Get("soa"), q.Get("control"), nil)
}

// renderRow shows the edit form of one row of an SoA, at the version
// stored now.
func (a *handlers) renderRow(w http.ResponseWriter, r *http.Request, p *site.Page, status int, key, control string, conflict *soaConflict) {
	if !authz.Can(p.Role, authz.Write, authz.Subject{Kind: bundle.KindSoARows}) {
		a.Forbidden(w, r, p)
		return
	}
	ctx := r.Context()
	model, err := a.Store.ISMS(ctx, p.Org)
	if err != nil {
		a.ServerError(w, r, p, err)
		return
	}
	views := isms.SoAViews(model)
	var view *isms.SoAView
	for i, k := range soaKeys(views) {
		if k == key {
			view = &views[i]
		}
	}
	if view == nil {
		a.NotFound(w, r, p)
		return
	}
	back := "/orgs/" + url.PathEscape(p.Org) + "/soa?soa=" + url.QueryEscape(key)
	if view.SoA == nil {
		// Rows are written into an SoA: it is created on the SoA page first.
		http.Redirect(w, r, back+"#soa-state", http.StatusSeeOther)
		return
	}
	var er *isms.EffectiveRow
	for i := range view.Rows {
		if view.Rows[i].Control.ID == control {
			er = &view.Rows[i]
		}
	}
	if er == nil {
		a.NotFound(w, r, p)
		return
	}
	texts, err := a.Store.ControlTexts(ctx, p.Org)
	if err != nil {
		a.ServerError(w, r, p, err)
		return
	}
	row := soaRowOf(*er, texts)
	row.OwnText = texts[control]
	labels := &labelCache{p: p, seen: map[string]string{}}
	labels.dress(&row, key)
	labels.dressForm(&row)
	if er.Row != nil {
		// The version to edit against: of the row shown, one indexed read.
		it, err := a.Store.Get(ctx, p.Org, bundle.KindSoARows, row.Owner+"/"+control)
		switch {
		case err == nil:
			row.Version = it.Version
		case !errors.Is(err, store.ErrNotFound):
			a.ServerError(w, r, p, err)
			return
		}
	}
	p.Names = names.Of(model, p.Lang)
	p.Title = p.T("soa.row.title", "control", control)
	data := map[string]any{"Selected": key, "Row": row, "L": newSoALabels(p), "Conflict": conflict,
		"Back": back + "#row-" + control}
	p.Data = data
	if r.Method == http.MethodGet && r.URL.Query().Get("part") == "form" {
		a.RenderPart(w, status, "soa-row", "row-form", p)
		return
	}
	checked, _, err := a.Store.Findings(ctx, p.Org, isms.DateOf(a.Now()))
	if err != nil {
		a.ServerError(w, r, p, err)
		return
	}
	subject := "soa/" + strings.Replace(key, ":", "/", 1) + "/" + control
	var findings []string
	for _, f := range checked {
		if f.Subject == subject {
			findings = append(findings, f.Rule+": "+site.FindingText(f, p.Lang, p.Names))
		}
	}
	data["Findings"] = findings
	a.Render(w, status, "soa-row", p)
}
