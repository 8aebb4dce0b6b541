package items

import (
	"errors"
	"net/http"
	"slices"
	"strconv"

	"github.com/cloudisms/cloudisms/internal/authz"
	"github.com/cloudisms/cloudisms/internal/bundle"
	"github.com/cloudisms/cloudisms/internal/isms"
	"github.com/cloudisms/cloudisms/internal/store"
	"github.com/cloudisms/cloudisms/internal/web/site"
)

// RecordApproval records the member's person's approval of a stored item
// at the version the approver saw (a changed item is not approved
// unseen), dated today in JST. Permission is the caller's to check.
func RecordApproval(a *site.App, r *http.Request, p *site.Page, m store.Membership, cur store.StoredItem, version int64, residualAccepted *bool) error {
	it, refs, err := bundle.SetApproval(cur.Kind, cur.Key, cur.Data, m.Person, isms.DateOf(a.Now().In(isms.JST)), residualAccepted)
	if err != nil {
		return err
	}
	_, err = a.Store.Approve(r.Context(), p.Org, it, refs, version, m.Person, p.User.Email)
	return err
}

// mayApproveHere reports whether the member may approve an item of a kind
// on its form: documents and the scope statements. Risks are approved by
// their owners on the risk register, with the residual acceptance.
func mayApproveHere(m store.Membership, kind string) bool {
	return kind != "risks" && slices.Contains(bundle.Approvable, kind) && m.Person != "" &&
		authz.Can(m.Role, authz.Approve, authz.Subject{Kind: kind})
}

// approveItem records the member's approval of the item at the version
// they saw; a changed item is not approved unseen.
func (a *handlers) approveItem(w http.ResponseWriter, r *http.Request, p *site.Page, m store.Membership, def *kindDef, cur store.StoredItem) {
	if !mayApproveHere(m, def.Kind) {
		a.Forbidden(w, r, p)
		return
	}
	version, _ := strconv.ParseInt(r.PostFormValue("_version"), 10, 64)
	err := RecordApproval(a.App, r, p, m, cur, version, nil)
	switch {
	case errors.Is(err, store.ErrConflict), errors.Is(err, store.ErrExists): // version 0 asks to create: stale too
		p.Error = p.T("api.conflict")
		st := formState{def: def, key: cur.Key, version: cur.Version, data: decodeObj(cur.Data), stored: &cur, status: http.StatusConflict}
		a.renderForm(w, r, p, m, st)
	case err != nil:
		a.ServerError(w, r, p, err)
	default:
		http.Redirect(w, r, URL(p.Org, def.Kind, cur.Key)+"?approved=1", http.StatusSeeOther)
	}
}
