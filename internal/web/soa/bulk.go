package soa

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/cloudisms/cloudisms/internal/authz"
	"github.com/cloudisms/cloudisms/internal/bundle"
	"github.com/cloudisms/cloudisms/internal/isms"
	"github.com/cloudisms/cloudisms/internal/names"
	"github.com/cloudisms/cloudisms/internal/store"
	"github.com/cloudisms/cloudisms/internal/web/items"
	"github.com/cloudisms/cloudisms/internal/web/site"
)

// Bulk work on an SoA: choose many rows, say what to set (applicability,
// reasons, implementation state, justification, notes), see every row's
// before and after, then apply. The rows are written in one transaction,
// each as its own history record, against the versions the preview
// showed: if anyone changed one of them since, nothing is written and the
// preview is shown again with the current values.

// maxBulkRows bounds one bulk change (an SoA has at most a few hundred rows).
const maxBulkRows = 500

func init() {
	site.AddRoutes(func(app *site.App, m *http.ServeMux) {
		a := &handlers{app}
		m.HandleFunc("GET /orgs/{org}/soa/bulk", a.InOrg("soa", a.bulkPage))
		m.HandleFunc("POST /orgs/{org}/soa/bulk", a.InOrg("soa", a.bulkPost))
	})
}

// bulkChange is what a bulk edit sets; empty fields leave rows as they are.
type bulkChange struct {
	Applicable     string // "", "true", "false"
	SetReasons     bool
	Reasons        []string
	Implementation string
	Justification  string
	Notes          string
}

func (c bulkChange) empty() bool {
	return c.Applicable == "" && !c.SetReasons && c.Implementation == "" && c.Justification == "" && c.Notes == ""
}

func changeOf(f url.Values) bulkChange {
	c := bulkChange{Applicable: f.Get("applicable"), SetReasons: f.Get("set_reasons") == "1", Implementation: f.Get("implementation"),
		Justification: strings.TrimSpace(f.Get("justification")), Notes: strings.TrimSpace(f.Get("notes"))}
	if c.Applicable != "true" && c.Applicable != "false" {
		c.Applicable = ""
	}
	if !slices.Contains(soaImplValues, c.Implementation) {
		c.Implementation = ""
	}
	for _, r := range f["reasons"] {
		if slices.Contains(soaReasonValues, r) && !slices.Contains(c.Reasons, r) {
			c.Reasons = append(c.Reasons, r)
		}
	}
	return c
}

// apply sets the change on a row's data.
func (c bulkChange) apply(row map[string]any) {
	switch c.Applicable {
	case "true":
		row["applicable"] = true
	case "false":
		row["applicable"] = false
	}
	if c.SetReasons {
		if len(c.Reasons) == 0 {
			delete(row, "reasons")
		} else {
			row["reasons"] = c.Reasons
		}
	}
	if c.Implementation != "" {
		row["implementation"] = c.Implementation
	}
	if c.Justification != "" {
		row["justification"] = c.Justification
	}
	if c.Notes != "" {
		row["notes"] = c.Notes
	}
}

// bulkRow is one chosen row: as it stands and as the change makes it.
type bulkRow struct {
	Control, Title   string
	Version          int64 // of the SoA's own row; 0 when the row is created
	Before, After    soaRow
	Changed          bool
	Error            string
	data             map[string]any
	inheritedOrEmpty bool
}

// bulkPage lists an SoA's rows with a box each, and the change to make.
func (a *handlers) bulkPage(w http.ResponseWriter, r *http.Request, p *site.Page, m store.Membership) {
	if !authz.Can(m.Role, authz.Write, authz.Subject{Kind: bundle.KindSoARows}) {
		a.Forbidden(w, r, p)
		return
	}
	a.renderBulk(w, r, p, http.StatusOK, r.URL.Query().Get("soa"), nil, bulkChange{}, nil)
}

func (a *handlers) renderBulk(w http.ResponseWriter, r *http.Request, p *site.Page, status int, key string, chosen []string, c bulkChange, preview []bulkRow) {
	model, err := a.Store.ISMS(r.Context(), p.Org)
	if err != nil {
		a.ServerError(w, r, p, err)
		return
	}
	texts, err := a.Store.ControlTexts(r.Context(), p.Org)
	if err != nil {
		a.ServerError(w, r, p, err)
		return
	}
	views := isms.SoAViews(model)
	keys := soaKeys(views)
	idx := slices.Index(keys, key)
	if idx < 0 {
		idx, key = 0, keys[0]
	}
	filter := r.URL.Query().Get("state")
	labels := &labelCache{p: p, seen: map[string]string{}}
	var rows []soaRow
	anyUnconfirmed := false
	for _, er := range views[idx].Rows {
		row := soaRowOf(er, texts)
		if !row.shownBy(filter) {
			continue
		}
		anyUnconfirmed = anyUnconfirmed || row.TitleUnconfirmed
		labels.dress(&row, key)
		rows = append(rows, row)
	}
	p.Names = names.Of(model, p.Lang)
	p.Title = p.T("bulk.soa.title")
	p.Data = map[string]any{"Keys": keys, "Selected": key, "Rows": rows, "Filter": filter, "Chosen": chosen, "Change": c,
		"Preview": preview, "Reasons": soaReasonValues, "States": []string{"applicable", isms.ImplImplemented, isms.ImplPartial, isms.ImplPlanned, isms.StateExcluded, isms.StateMissing}, "Impls": soaImplValues, "L": newSoALabels(p),
		"Back": "/orgs/" + url.PathEscape(p.Org) + "/soa?soa=" + url.QueryEscape(key), "AnyUnconfirmed": anyUnconfirmed}
	a.Render(w, status, "soa-bulk", p)
}

// bulkPost previews a change (step=preview) or applies it (step=apply).
func (a *handlers) bulkPost(w http.ResponseWriter, r *http.Request, p *site.Page, m store.Membership) {
	if !authz.Can(m.Role, authz.Write, authz.Subject{Kind: bundle.KindSoARows}) {
		a.Forbidden(w, r, p)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 256<<10)
	if err := r.ParseForm(); err != nil {
		http.Error(w, p.T("bulk.too_large"), http.StatusRequestEntityTooLarge)
		return
	}
	key, chosen, c := r.PostForm.Get("soa"), site.Distinct(r.PostForm["control"]), changeOf(r.PostForm)
	switch {
	case len(chosen) == 0:
		p.Error = p.T("bulk.none_chosen")
	case len(chosen) > maxBulkRows:
		p.Error = p.T("bulk.too_many", "n", maxBulkRows)
	case c.empty():
		p.Error = p.T("bulk.no_change")
	}
	if p.Error != "" {
		a.renderBulk(w, r, p, http.StatusBadRequest, key, chosen, c, nil)
		return
	}
	rows, err := a.bulkRows(r, p, key, chosen, c)
	if err != nil {
		a.ServerError(w, r, p, err)
		return
	}
	if r.PostForm.Get("step") != "apply" {
		a.renderBulk(w, r, p, http.StatusOK, key, chosen, c, rows)
		return
	}
	// Apply only what the preview showed: a row changed since is a
	// conflict, and nothing is written.
	var writes []store.ItemWrite
	for i := range rows {
		row := &rows[i]
		if seen := r.PostForm.Get("v-" + row.Control); seen != strconv.FormatInt(row.Version, 10) {
			p.Error = p.T("bulk.changed_since")
			a.renderBulk(w, r, p, http.StatusConflict, key, chosen, c, rows)
			return
		}
		if row.Error != "" {
			p.Error = p.T("bulk.row_errors")
			a.renderBulk(w, r, p, http.StatusBadRequest, key, chosen, c, rows)
			return
		}
		if !row.Changed {
			continue
		}
		data, _ := json.Marshal(row.data)
		it, refs, err := a.decodeRow(r.Context(), p.Org, key+"/"+row.Control, data)
		if err != nil {
			row.Error = items.ProblemText(err, p.Lang)
			p.Error = p.T("bulk.row_errors")
			a.renderBulk(w, r, p, http.StatusBadRequest, key, chosen, c, rows)
			return
		}
		refs = append(refs, bundle.Ref{List: bundle.KindSoA, ID: key, Path: "soa"})
		writes = append(writes, store.ItemWrite{Item: it, Refs: refs, IfVersion: row.Version})
	}
	if len(writes) > 0 {
		_, err = a.Store.PutItems(r.Context(), p.Org, writes, p.User.Email)
	}
	switch {
	case errors.Is(err, store.ErrConflict), errors.Is(err, store.ErrExists):
		rows, rerr := a.bulkRows(r, p, key, chosen, c)
		if rerr != nil {
			a.ServerError(w, r, p, rerr)
			return
		}
		p.Error = p.T("bulk.changed_since")
		a.renderBulk(w, r, p, http.StatusConflict, key, chosen, c, rows)
		return
	case err != nil:
		a.ServerError(w, r, p, err)
		return
	}
	http.Redirect(w, r, "/orgs/"+url.PathEscape(p.Org)+"/soa?soa="+url.QueryEscape(key)+"&bulk="+strconv.Itoa(len(writes))+"#soa-state", http.StatusSeeOther)
}

// bulkRows reads the chosen rows as stored now and computes each one's
// result. A service SoA's row inherited from the organization becomes the
// service's own row, as editing one row does.
func (a *handlers) bulkRows(r *http.Request, p *site.Page, key string, chosen []string, c bulkChange) ([]bulkRow, error) {
	ctx := r.Context()
	model, err := a.Store.ISMS(ctx, p.Org)
	if err != nil {
		return nil, err
	}
	var view *isms.SoAView
	views := isms.SoAViews(model)
	for i, k := range soaKeys(views) {
		if k == key {
			view = &views[i]
		}
	}
	if view == nil {
		return nil, store.ErrNotFound
	}
	texts, err := a.Store.ControlTexts(ctx, p.Org)
	if err != nil {
		return nil, err
	}
	labels := &labelCache{p: p, seen: map[string]string{}}
	byControl := map[string]isms.EffectiveRow{}
	for _, er := range view.Rows {
		byControl[er.Control.ID] = er
	}
	var out []bulkRow
	for _, control := range chosen {
		er, ok := byControl[control]
		if !ok {
			out = append(out, bulkRow{Control: control, Error: p.T("bulk.no_such_row")})
			continue
		}
		br := bulkRow{Control: control}
		br.Title, _ = p.ControlTitle(er.Control, texts)
		own := er.From != isms.FromOrganization || key == "organization"
		br.data = map[string]any{"control": control}
		if er.Row != nil {
			src := key
			if !own {
				src = "organization"
			}
			it, err := a.Store.Get(ctx, p.Org, bundle.KindSoARows, src+"/"+control)
			switch {
			case err == nil:
				if own {
					br.Version = it.Version
				}
				if err := json.Unmarshal(it.Data, &br.data); err != nil {
					return nil, err
				}
				if !own {
					delete(br.data, "evidence") // the organization's evidence stays with its row
				}
			case !errors.Is(err, store.ErrNotFound):
				return nil, err
			}
		}
		br.Before = soaRowOf(er, texts)
		labels.dress(&br.Before, key)
		before, _ := json.Marshal(br.data)
		c.apply(br.data)
		after, _ := json.Marshal(br.data)
		br.Changed = string(before) != string(after) || !own
		data := after
		it, _, err := a.decodeRow(ctx, p.Org, key+"/"+control, data)
		if err != nil {
			br.Error = items.ProblemText(err, p.Lang)
		} else {
			row := isms.SoARow{}
			var v struct {
				Applicable     *bool    `json:"applicable"`
				Reasons        []string `json:"reasons"`
				Implementation string   `json:"implementation"`
				Justification  string   `json:"justification"`
				Notes          string   `json:"notes"`
			}
			json.Unmarshal(it.Data, &v)
			row.Control, row.Applicable, row.Reasons, row.Implementation, row.Justification, row.Notes = control, v.Applicable, v.Reasons, v.Implementation, v.Justification, v.Notes
			from := isms.FromService
			if key == "organization" {
				from = isms.FromOrganization
			}
			br.After = soaRowOf(isms.EffectiveRow{Control: er.Control, Row: &row, From: from}, texts)
			labels.dress(&br.After, key)
		}
		out = append(out, br)
	}
	return out, nil
}
