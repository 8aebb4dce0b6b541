package api

import (
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strings"

	"github.com/cloudisms/cloudisms/internal/authz"
	"github.com/cloudisms/cloudisms/internal/bundle"
	"github.com/cloudisms/cloudisms/internal/i18n"
	"github.com/cloudisms/cloudisms/internal/isms"
	"github.com/cloudisms/cloudisms/internal/store"
)

// approvalJSON is a recorded approval as the API shows it.
type approvalJSON struct {
	Kind       string `json:"kind"`
	Key        string `json:"key"`
	Person     string `json:"person"`
	ApprovedBy string `json:"approved_by"`
	ApprovedAt string `json:"approved_at"`
	Stale      bool   `json:"stale"`
	// Imported: the approval came with a bundle (approved_by is who
	// imported it); nobody approved it here.
	Imported bool `json:"imported"`
}

func approvalOf(a store.Approval) approvalJSON {
	return approvalJSON{a.Kind, a.Key, a.Person, a.ApprovedBy, a.ApprovedAt, a.Stale, a.Imported}
}

func (a *Server) approvals(w http.ResponseWriter, r *http.Request, c *call) {
	as, err := a.store.Approvals(r.Context(), r.PathValue("org"))
	if err != nil {
		a.storeError(w, c, err)
		return
	}
	out := struct {
		Approvals []approvalJSON `json:"approvals"`
	}{Approvals: []approvalJSON{}}
	for _, x := range as {
		out.Approvals = append(out.Approvals, approvalOf(x))
	}
	writeJSON(w, http.StatusOK, out)
}

// approve records the caller's approval of an item: the item's approval
// field names the caller's person and today, and the store keeps a
// fingerprint of what was approved so that a later change shows as stale.
func (a *Server) approve(w http.ResponseWriter, r *http.Request, c *call) {
	kind, key := r.PathValue("kind"), r.PathValue("key")
	if !slices.Contains(bundle.Approvable, kind) {
		a.fail(w, c.lang, http.StatusBadRequest, "invalid", i18n.M("api.not_approvable", "kind", kind, "allowed", strings.Join(bundle.Approvable, ", ")))
		return
	}
	prev, err := a.store.Get(r.Context(), r.PathValue("org"), kind, key)
	if err != nil {
		a.storeError(w, c, err)
		return
	}
	isOwner := c.member.Person != "" && prev.Owner == c.member.Person
	allowed := authz.Can(c.member.Role, authz.Approve, authz.Subject{Kind: kind, IsOwner: isOwner})
	if kind == "risks" {
		allowed = authz.ApproveRisk(c.member.Role, c.member.Person, prev.Owner)
	}
	if !allowed {
		a.fail(w, c.lang, http.StatusForbidden, "forbidden", i18n.M("api.forbidden", "role", c.member.Role))
		return
	}
	if c.member.Person == "" {
		a.fail(w, c.lang, http.StatusBadRequest, "invalid", i18n.M("api.no_person"))
		return
	}
	version, ok := a.ifMatch(w, r, c)
	if !ok {
		return
	}
	var body struct {
		ResidualAccepted *bool `json:"residual_accepted"`
	}
	if r.ContentLength != 0 {
		if !a.jsonBody(w, r, c) {
			return
		}
		raw, ok := a.body(w, r, c, MaxItemBody)
		if !ok {
			return
		}
		if err := json.Unmarshal(raw, &body); err != nil {
			a.fail(w, c.lang, http.StatusBadRequest, "invalid", i18n.M("api.invalid_detail", "detail", err.Error()))
			return
		}
	}
	if body.ResidualAccepted != nil && kind != "risks" {
		a.fail(w, c.lang, http.StatusBadRequest, "invalid", i18n.M("api.invalid"),
			FieldError{Path: "residual_accepted", Message: i18n.M("api.residual_only_risks").In(c.lang)})
		return
	}
	today := isms.DateOf(a.now().In(isms.JST))
	it, refs, err := bundle.SetApproval(kind, key, prev.Data, c.member.Person, today, body.ResidualAccepted)
	if err != nil {
		a.invalid(w, c, err)
		return
	}
	out, err := a.store.Approve(r.Context(), r.PathValue("org"), it, refs, version, c.member.Person, actor(c))
	if err != nil {
		var ref *store.RefError
		if errors.As(err, &ref) {
			a.fail(w, c.lang, http.StatusBadRequest, "invalid", i18n.M("api.no_person"))
			return
		}
		a.storeError(w, c, err)
		return
	}
	w.Header().Set("ETag", etag(out.Version))
	writeJSON(w, http.StatusOK, toJSON(out))
}
