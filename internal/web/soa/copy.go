package soa

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"

	"github.com/cloudisms/cloudisms/internal/authz"
	"github.com/cloudisms/cloudisms/internal/bundle"
	"github.com/cloudisms/cloudisms/internal/isms"
	"github.com/cloudisms/cloudisms/internal/names"
	"github.com/cloudisms/cloudisms/internal/store"
	"github.com/cloudisms/cloudisms/internal/web/items"
	"github.com/cloudisms/cloudisms/internal/web/site"
)

// A service SoA rarely starts from nothing: a second SaaS decides most
// rows as the first one did, and a service starts from the organization's
// decisions. Copying takes the chosen rows of another SoA (the
// organization's or another service's) into the service SoA as its own
// rows, creating the SoA itself when it does not exist yet, all in one
// transaction. Rows the service SoA already has are not overwritten.

func init() {
	site.AddRoutes(func(app *site.App, m *http.ServeMux) {
		a := &handlers{app}
		m.HandleFunc("GET /orgs/{org}/soa/copy", a.InOrg("soa", a.copyPage))
		m.HandleFunc("POST /orgs/{org}/soa/copy", a.InOrg("soa", a.copyPost))
	})
}

// copyRow is a row of the source SoA as the copy page offers it.
type copyRow struct {
	soaRow
	Taken bool // the target has its own row already
}

func (a *handlers) copyPage(w http.ResponseWriter, r *http.Request, p *site.Page, m store.Membership) {
	if !mayCopy(m) {
		a.Forbidden(w, r, p)
		return
	}
	q := r.URL.Query()
	a.renderCopy(w, r, p, http.StatusOK, q.Get("soa"), q.Get("from"), nil)
}

func mayCopy(m store.Membership) bool {
	return authz.Can(m.Role, authz.Write, authz.Subject{Kind: bundle.KindSoARows}) && authz.Can(m.Role, authz.Write, authz.Subject{Kind: bundle.KindSoA})
}

// copySources reads the views and checks the target and source keys: the
// target is a service SoA, the source any other SoA.
func (a *handlers) copySources(r *http.Request, p *site.Page, target, from string) (views []isms.SoAView, keys []string, t, f int, err error) {
	model, err := a.Store.ISMS(r.Context(), p.Org)
	if err != nil {
		return nil, nil, 0, 0, err
	}
	p.Names = names.Of(model, p.Lang)
	views = isms.SoAViews(model)
	keys = soaKeys(views)
	t, f = slices.Index(keys, target), slices.Index(keys, from)
	if t < 0 || target == "organization" {
		return nil, nil, 0, 0, store.ErrNotFound
	}
	if f < 0 || f == t {
		f = 0 // the organization's SoA
	}
	return views, keys, t, f, nil
}

func (a *handlers) renderCopy(w http.ResponseWriter, r *http.Request, p *site.Page, status int, target, from string, chosen []string) {
	views, keys, t, f, err := a.copySources(r, p, target, from)
	if err != nil {
		a.ServerError(w, r, p, err)
		return
	}
	own := map[string]bool{}
	for _, er := range views[t].Rows {
		if er.Row != nil && er.From == isms.FromService {
			own[er.Control.ID] = true
		}
	}
	texts, err := a.Store.ControlTexts(r.Context(), p.Org)
	if err != nil {
		a.ServerError(w, r, p, err)
		return
	}
	labels := &labelCache{p: p, seen: map[string]string{}}
	var rows []copyRow
	anyUnconfirmed := false
	for _, er := range views[f].Rows {
		if er.Row == nil {
			continue // nothing to copy
		}
		row := soaRowOf(er, texts)
		anyUnconfirmed = anyUnconfirmed || row.TitleUnconfirmed
		labels.dress(&row, keys[f])
		rows = append(rows, copyRow{soaRow: row, Taken: own[er.Control.ID]})
	}
	var sources []string
	for i, k := range keys {
		if i != t {
			sources = append(sources, k)
		}
	}
	p.Title = p.T("copy.title", "soa", p.Names.SoA(keys[t]))
	p.Data = map[string]any{"Target": keys[t], "From": keys[f], "Sources": sources, "Rows": rows, "Chosen": chosen, "All": chosen == nil,
		"Exists": views[t].SoA != nil, "AnyUnconfirmed": anyUnconfirmed, "Back": "/orgs/" + url.PathEscape(p.Org) + "/soa?soa=" + url.QueryEscape(keys[t])}
	a.Render(w, status, "soa-copy", p)
}

func (a *handlers) copyPost(w http.ResponseWriter, r *http.Request, p *site.Page, m store.Membership) {
	if !mayCopy(m) {
		a.Forbidden(w, r, p)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 256<<10)
	if err := r.ParseForm(); err != nil {
		http.Error(w, p.T("bulk.too_large"), http.StatusRequestEntityTooLarge)
		return
	}
	target, from, chosen := r.PostForm.Get("soa"), r.PostForm.Get("from"), site.Distinct(r.PostForm["control"])
	if len(chosen) == 0 || len(chosen) > maxBulkRows {
		p.Error = p.T("bulk.none_chosen")
		a.renderCopy(w, r, p, http.StatusBadRequest, target, from, []string{})
		return
	}
	views, keys, t, f, err := a.copySources(r, p, target, from)
	if err != nil {
		a.ServerError(w, r, p, err)
		return
	}
	ctx := r.Context()
	var writes []store.ItemWrite
	if views[t].SoA == nil {
		data, _ := soaItemData(keys[t])
		it, refs, err := a.decodeItem(r, p, bundle.KindSoA, keys[t], data)
		if err != nil {
			p.Error = items.ProblemText(err, p.Lang)
			a.renderCopy(w, r, p, http.StatusBadRequest, target, from, chosen)
			return
		}
		writes = append(writes, store.ItemWrite{Item: it, Refs: refs})
	}
	source := map[string]isms.EffectiveRow{}
	for _, er := range views[f].Rows {
		source[er.Control.ID] = er
	}
	for _, c := range chosen {
		er, ok := source[c]
		if !ok || er.Row == nil {
			p.Error = p.T("copy.no_row", "control", c)
			a.renderCopy(w, r, p, http.StatusBadRequest, target, from, chosen)
			return
		}
		owner := keys[f]
		if er.From == isms.FromOrganization {
			owner = "organization"
		}
		stored, err := a.Store.Get(ctx, p.Org, bundle.KindSoARows, owner+"/"+c)
		if err != nil {
			a.ServerError(w, r, p, err)
			return
		}
		var row map[string]any
		if err := json.Unmarshal(stored.Data, &row); err != nil {
			a.ServerError(w, r, p, err)
			return
		}
		delete(row, "evidence") // evidence stays with the row it proves
		data, _ := json.Marshal(row)
		it, refs, err := a.decodeRow(ctx, p.Org, keys[t]+"/"+c, data)
		if err != nil {
			p.Error = c + ": " + items.ProblemText(err, p.Lang)
			a.renderCopy(w, r, p, http.StatusBadRequest, target, from, chosen)
			return
		}
		refs = append(refs, bundle.Ref{List: bundle.KindSoA, ID: keys[t], Path: "soa"})
		writes = append(writes, store.ItemWrite{Item: it, Refs: refs})
	}
	_, err = a.Store.PutItems(ctx, p.Org, writes, p.User.Email)
	switch {
	case errors.Is(err, store.ErrExists), errors.Is(err, store.ErrConflict):
		p.Error = p.T("copy.taken")
		a.renderCopy(w, r, p, http.StatusConflict, target, from, chosen)
		return
	case err != nil:
		a.ServerError(w, r, p, err)
		return
	}
	http.Redirect(w, r, "/orgs/"+url.PathEscape(p.Org)+"/soa?soa="+url.QueryEscape(keys[t])+"&copied="+strconv.Itoa(len(chosen))+"#soa-state", http.StatusSeeOther)
}

// decodeItem validates an item against the organization's edition.
func (a *handlers) decodeItem(r *http.Request, p *site.Page, kind, key string, data []byte) (bundle.Item, []bundle.Ref, error) {
	edition, err := a.Store.Edition(r.Context(), p.Org)
	if err != nil {
		return bundle.Item{}, nil, err
	}
	return bundle.DecodeItem(kind, key, data, edition)
}
