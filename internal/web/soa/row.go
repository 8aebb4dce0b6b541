package soa

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"

	"github.com/cloudisms/cloudisms/internal/authz"
	"github.com/cloudisms/cloudisms/internal/bundle"
	"github.com/cloudisms/cloudisms/internal/isms"
	"github.com/cloudisms/cloudisms/internal/names"
	"github.com/cloudisms/cloudisms/internal/store"
	"github.com/cloudisms/cloudisms/internal/web/linked"
	"github.com/cloudisms/cloudisms/internal/web/site"
)

// One SoA row's page: its facts, the records linked with it (the risks
// that chose the control, the responsibilities and verifications on it),
// its evidence and, for those who may edit, its form and an evidence
// upload. The SoA page shows its rows read-only; a row's control opens
// this page, its edit link too, or, where script runs, fetches the form
// alone (?part=form) into the row. Saving posts to the SoA page's handler,
// which goes back to the SoA at the row, or shows this page again with the
// problem (a validation error, or someone else's change).

func init() {
	site.AddRoutes(func(app *site.App, m *http.ServeMux) {
		a := &handlers{app}
		m.HandleFunc("GET /orgs/{org}/soa/row", a.InOrg("soa", a.rowPage))
		m.HandleFunc("POST /orgs/{org}/soa/row/evidence", a.InOrg("soa", a.rowEvidence))
	})
}

func (a *handlers) rowPage(w http.ResponseWriter, r *http.Request, p *site.Page, m store.Membership) {
	q := r.URL.Query()
	key := q.Get("soa")
	if key == "" {
		key = bundle.KindOrganization // the SoA page's rows leave it out (rowHref)
	}
	a.renderRow(w, r, p, http.StatusOK, key, q.Get("control"), nil)
}

// renderRow shows one row of an SoA with its linked records and
// evidence, and its edit form at the version stored now.
func (a *handlers) renderRow(w http.ResponseWriter, r *http.Request, p *site.Page, status int, key, control string, conflict *soaConflict) {
	canEdit := authz.Can(p.Role, authz.Write, authz.Subject{Kind: bundle.KindSoARows})
	part := r.Method == http.MethodGet && r.URL.Query().Get("part") == "form"
	if !authz.Can(p.Role, authz.Read, authz.Subject{Kind: bundle.KindSoARows}) || (part && !canEdit) {
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
		"Back": back + "#row-" + control, "CanEdit": canEdit}
	p.Data = data
	if part {
		a.RenderPart(w, status, "soa-row", "row-form", p)
		return
	}
	data["Linked"] = linked.Render(p, p.Names, isms.SoARowLinks(model, *view.SoA, control))
	if er.Row != nil {
		var evs []rowEvidence
		for _, e := range er.Row.Evidence {
			evs = append(evs, rowEvidence{Name: e.Name, SHA256: e.SHA256,
				URL: "/api/v1/orgs/" + url.PathEscape(p.Org) + "/evidence/" + url.PathEscape(e.SHA256) + "?name=" + url.QueryEscape(e.Name)})
		}
		data["Evidence"] = evs
		// Evidence is added to the stored row shown (the organization's
		// row where a service's SoA takes it from there).
		data["CanUpload"] = canEdit && row.Version > 0
	}
	switch {
	case r.URL.Query().Get("uploaded") != "":
		p.Flash = p.T("soa.row.uploaded", "name", r.URL.Query().Get("uploaded"))
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

// rowEvidence is one evidence file of a row, with its download link.
type rowEvidence struct{ Name, SHA256, URL string }

// rowEvidence stores an uploaded file by content and adds it to the
// evidence of the stored row the page showed, at the version it was
// shown; then back to the row's page.
func (a *handlers) rowEvidence(w http.ResponseWriter, r *http.Request, p *site.Page, m store.Membership) {
	if !authz.Can(m.Role, authz.Write, authz.Subject{Kind: bundle.KindSoARows}) {
		a.Forbidden(w, r, p)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, store.MaxEvidence+1<<20)
	file, hdr, ferr := r.FormFile("file")
	soaKey, control, owner := r.PostFormValue("soa"), r.PostFormValue("control"), r.PostFormValue("owner")
	version, _ := strconv.ParseInt(r.PostFormValue("version"), 10, 64)
	var tooBig *http.MaxBytesError
	if errors.As(ferr, &tooBig) {
		p.Error = p.T("api.too_large", "max", store.MaxEvidence)
		a.renderRow(w, r, p, http.StatusRequestEntityTooLarge, soaKey, control, nil)
		return
	}
	if ferr != nil {
		p.Error = p.T("items.no_file")
		a.renderRow(w, r, p, http.StatusBadRequest, soaKey, control, nil)
		return
	}
	defer file.Close()
	ctx := r.Context()
	key := owner + "/" + control
	cur, err := a.Store.Get(ctx, p.Org, bundle.KindSoARows, key)
	if errors.Is(err, store.ErrNotFound) {
		a.NotFound(w, r, p)
		return
	}
	if err != nil {
		a.ServerError(w, r, p, err)
		return
	}
	if cur.Version != version {
		p.Error = p.T("api.conflict")
		a.renderRow(w, r, p, http.StatusConflict, soaKey, control, nil)
		return
	}
	name := path.Base(strings.ReplaceAll(hdr.Filename, `\`, "/"))
	if name == "." || name == "/" || len(name) > 255 {
		name = "evidence"
	}
	ev, err := a.Store.SaveEvidence(ctx, p.Org, p.User.Email, file)
	switch {
	case errors.Is(err, store.ErrTooLarge):
		p.Error = p.T("api.too_large", "max", store.MaxEvidence)
		a.renderRow(w, r, p, http.StatusRequestEntityTooLarge, soaKey, control, nil)
		return
	case err != nil:
		a.ServerError(w, r, p, err)
		return
	}
	var row map[string]any
	if err := json.Unmarshal(cur.Data, &row); err != nil {
		a.ServerError(w, r, p, fmt.Errorf("soa row %s: %w", key, err))
		return
	}
	list, _ := row["evidence"].([]any)
	row["evidence"] = append(list, map[string]any{"name": name, "sha256": ev.SHA256})
	data, _ := json.Marshal(row)
	it, refs, err := a.decodeRow(ctx, p.Org, key, data)
	if err != nil {
		a.ServerError(w, r, p, fmt.Errorf("soa row %s with evidence: %w", key, err))
		return
	}
	refs = append(refs, bundle.Ref{List: bundle.KindSoA, ID: owner, Path: "soa"})
	if _, err := a.Store.Put(ctx, p.Org, it, refs, version, p.User.Email); err != nil {
		if errors.Is(err, store.ErrConflict) {
			p.Error = p.T("api.conflict")
			a.renderRow(w, r, p, http.StatusConflict, soaKey, control, nil)
			return
		}
		a.ServerError(w, r, p, err)
		return
	}
	http.Redirect(w, r, linked.RowURL(p.Org, soaKey, control)+"&uploaded="+url.QueryEscape(name)+"#evidence", http.StatusSeeOther)
}
