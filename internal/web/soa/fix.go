package soa

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/cloudisms/cloudisms/internal/authz"
	"github.com/cloudisms/cloudisms/internal/bundle"
	"github.com/cloudisms/cloudisms/internal/isms"
	"github.com/cloudisms/cloudisms/internal/store"
	"github.com/cloudisms/cloudisms/internal/web/items"
	"github.com/cloudisms/cloudisms/internal/web/site"
)

// The SoA's own actions that findings lead to: creating a missing SoA
// (SOA-01) and approving an SoA (SOA-07).

// soaHeader is the state of the SoA shown on the SoA page: whether it
// exists, its approval, and what the member may do about either.
type soaHeader struct {
	Key        string
	Exists     bool
	Version    int64
	Approval   *isms.Approval
	Stale      bool
	ImportedBy string // who imported the approval, when it came with a bundle
	CanCreate  bool
	CanApprove bool
	NoPerson   bool
}

// soaHeaderOf is the header of the SoA a view shows (sa nil: missing).
func (a *handlers) soaHeaderOf(r *http.Request, p *site.Page, m store.Membership, key string, sa *isms.SoA) (soaHeader, error) {
	h := soaHeader{Key: key}
	if sa == nil {
		h.CanCreate = authz.Can(m.Role, authz.Write, authz.Subject{Kind: bundle.KindSoA})
		return h, nil
	}
	it, err := a.Store.Get(r.Context(), p.Org, bundle.KindSoA, key)
	if err != nil {
		return h, err
	}
	h.Exists, h.Version, h.Approval = true, it.Version, sa.Approval
	// The organization's approval index, which the other pages read too,
	// is kept per change: no query of its own, as ApprovalOf would make.
	x, err := a.Store.ApprovalsIndex(r.Context(), p.Org)
	if err != nil {
		return h, err
	}
	if ap, ok := x.Of(bundle.KindSoA, key); ok {
		h.Stale = ap.Stale
		if ap.Imported {
			h.ImportedBy = ap.ApprovedBy
		}
	}
	may := authz.Can(m.Role, authz.Approve, authz.Subject{Kind: bundle.KindSoA})
	h.CanApprove = may && m.Person != ""
	h.NoPerson = may && m.Person == ""
	return h, nil
}

// soaItemData is the stored form of a new SoA: its service and role.
func soaItemData(key string) ([]byte, bool) {
	if key == "organization" {
		return []byte(`{}`), true
	}
	svc, role, ok := strings.Cut(key, ":")
	if !ok || svc == "" || role == "" {
		return nil, false
	}
	return []byte(`{"service":` + strconv.Quote(svc) + `,"role":` + strconv.Quote(role) + `}`), true
}

// soaCreate creates a missing SoA (SOA-01), after which its rows can be
// filled in on the same page.
func (a *handlers) soaCreate(w http.ResponseWriter, r *http.Request, p *site.Page, m store.Membership) {
	if !authz.Can(m.Role, authz.Write, authz.Subject{Kind: bundle.KindSoA}) {
		a.Forbidden(w, r, p)
		return
	}
	key := r.PostFormValue("soa")
	data, ok := soaItemData(key)
	if !ok {
		a.NotFound(w, r, p)
		return
	}
	edition, err := a.Store.Edition(r.Context(), p.Org)
	if err != nil {
		a.ServerError(w, r, p, err)
		return
	}
	it, refs, err := bundle.DecodeItem(bundle.KindSoA, key, data, edition)
	if err != nil {
		p.Error = items.ProblemText(err, p.Lang)
		a.renderSoA(w, r, p, m, http.StatusBadRequest)
		return
	}
	_, err = a.Store.Put(r.Context(), p.Org, it, refs, 0, p.User.Email)
	var refErr *store.RefError
	switch {
	case err == nil, errors.Is(err, store.ErrExists): // created, or by someone else just now
	case errors.As(err, &refErr):
		p.Error = items.ProblemText(err, p.Lang)
		a.renderSoA(w, r, p, m, http.StatusBadRequest)
		return
	default:
		a.ServerError(w, r, p, err)
		return
	}
	http.Redirect(w, r, "/orgs/"+url.PathEscape(p.Org)+"/soa?soa="+url.QueryEscape(key)+"&created=1#soa-state", http.StatusSeeOther)
}

// soaApprove records the member's approval of an SoA (SOA-07) at the
// version they saw.
func (a *handlers) soaApprove(w http.ResponseWriter, r *http.Request, p *site.Page, m store.Membership) {
	if m.Person == "" || !authz.Can(m.Role, authz.Approve, authz.Subject{Kind: bundle.KindSoA}) {
		a.Forbidden(w, r, p)
		return
	}
	ctx := r.Context()
	key := r.PostFormValue("soa")
	cur, err := a.Store.Get(ctx, p.Org, bundle.KindSoA, key)
	if err != nil {
		a.ServerError(w, r, p, err)
		return
	}
	version, _ := strconv.ParseInt(r.PostFormValue("version"), 10, 64)
	back := "/orgs/" + url.PathEscape(p.Org) + "/soa?soa=" + url.QueryEscape(key)
	err = items.RecordApproval(a.App, r, p, m, cur, version, nil)
	switch {
	case errors.Is(err, store.ErrConflict), errors.Is(err, store.ErrExists): // version 0 asks to create: stale too
		http.Redirect(w, r, back+"&conflict=1#soa-state", http.StatusSeeOther)
	case err != nil:
		a.ServerError(w, r, p, err)
	default:
		http.Redirect(w, r, back+"&approved=1#soa-state", http.StatusSeeOther)
	}
}
