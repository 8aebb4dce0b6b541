package soa

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strconv"

	"github.com/cloudisms/cloudisms/internal/authz"
	"github.com/cloudisms/cloudisms/internal/bundle"
	"github.com/cloudisms/cloudisms/internal/store"
	"github.com/cloudisms/cloudisms/internal/web/items"
	"github.com/cloudisms/cloudisms/internal/web/site"
)

// maxFill bounds the rows one "add these rows" adds (a service SoA lacks
// at most every cloud item of the catalog).
const maxFill = 200

func init() {
	site.AddRoutes(func(app *site.App, m *http.ServeMux) {
		a := &handlers{app}
		m.HandleFunc("POST /orgs/{org}/soa/rows", a.InOrg("soa", a.soaFill))
	})
}

// soaFill adds the rows an SoA lacks (SOA-03), each with its control only
// and no decision: the rows then stand on the SoA page as "not yet
// decided", for someone to adopt or exclude one by one. Nothing is
// decided for them. All rows are added in one transaction, or none.
func (a *handlers) soaFill(w http.ResponseWriter, r *http.Request, p *site.Page, m store.Membership) {
	if !authz.Can(m.Role, authz.Write, authz.Subject{Kind: bundle.KindSoARows}) {
		a.Forbidden(w, r, p)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	key, controls := r.PostForm.Get("soa"), r.PostForm["control"]
	if _, err := a.Store.Get(r.Context(), p.Org, bundle.KindSoA, key); err != nil {
		a.ServerError(w, r, p, err) // no such SoA: 404
		return
	}
	if len(controls) == 0 || len(controls) > maxFill {
		p.Error = p.T("web.group.fill_none")
		a.renderSoA(w, r, p, m, http.StatusBadRequest)
		return
	}
	var writes []store.ItemWrite
	seen := map[string]bool{}
	for _, c := range controls {
		if seen[c] {
			continue
		}
		seen[c] = true
		data, _ := json.Marshal(map[string]string{"control": c})
		it, refs, err := a.decodeRow(r.Context(), p.Org, key+"/"+c, data)
		if err != nil {
			p.Error = items.ProblemText(err, p.Lang)
			a.renderSoA(w, r, p, m, http.StatusBadRequest)
			return
		}
		refs = append(refs, bundle.Ref{List: bundle.KindSoA, ID: key, Path: "soa"})
		writes = append(writes, store.ItemWrite{Item: it, Refs: refs})
	}
	_, err := a.Store.PutItems(r.Context(), p.Org, writes, p.User.Email)
	switch {
	case errors.Is(err, store.ErrExists):
		// Someone added one of them meanwhile: nothing was added; the
		// page shows what is missing now.
		p.Error = p.T("api.conflict")
		a.renderSoA(w, r, p, m, http.StatusConflict)
		return
	case err != nil:
		a.ServerError(w, r, p, err)
		return
	}
	http.Redirect(w, r, "/orgs/"+url.PathEscape(p.Org)+"/soa?soa="+url.QueryEscape(key)+"&state=missing&added="+strconv.Itoa(len(writes))+"#soa-state", http.StatusSeeOther)
}
