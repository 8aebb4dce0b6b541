package web

import (
	"errors"
	"net/http"

	"github.com/cloudisms/cloudisms/internal/authz"
	"github.com/cloudisms/cloudisms/internal/bundle"
	"github.com/cloudisms/cloudisms/internal/isms"
	"github.com/cloudisms/cloudisms/internal/store"
)

type riskRow struct {
	isms.RiskView
	Version    int64
	CanApprove bool
	Approved   bool
	Stale      bool
}

func (a *App) risksPage(w http.ResponseWriter, r *http.Request, p *page, m store.Membership) {
	ctx := r.Context()
	model, err := a.store.ISMS(ctx, p.Org)
	if err != nil {
		a.serverError(w, r, p, err)
		return
	}
	approvals, err := a.store.Approvals(ctx, p.Org)
	if err != nil {
		a.serverError(w, r, p, err)
		return
	}
	stale := map[string]bool{}
	for _, ap := range approvals {
		if ap.Kind == "risks" {
			stale[ap.Key] = ap.Stale
		}
	}
	ownerFilter, treatFilter := r.URL.Query().Get("owner"), r.URL.Query().Get("treatment")
	// The views are computed once per change of the ISMS; a request only
	// filters them and renders one page of rows, so the page costs the
	// same for 50 risks as for 50,000.
	vv, _, err := a.store.Derived(ctx, p.Org, "risk views", func(m *isms.ISMS) any { return isms.RiskViews(m) })
	if err != nil {
		a.serverError(w, r, p, err)
		return
	}
	var matching []isms.RiskView
	for _, rv := range vv.([]isms.RiskView) {
		if (ownerFilter != "" && rv.Risk.Owner != ownerFilter) || (treatFilter != "" && rv.Risk.Treatment != treatFilter) {
			continue
		}
		matching = append(matching, rv)
	}
	pg := paginate(r, len(matching), riskPageSize)
	var rows []riskRow
	for _, rv := range matching[pg.from:pg.to] {
		isOwner := m.Person != "" && rv.Risk.Owner == m.Person
		rows = append(rows, riskRow{RiskView: rv, Approved: rv.Risk.ApprovedByOwner(),
			Stale: stale[rv.Risk.ID], CanApprove: isOwner && authz.Can(m.Role, authz.Approve, authz.Subject{Kind: "risks", IsOwner: true})})
	}
	asOf := isms.DateOf(a.now())
	sum, err := a.store.Summary(ctx, p.Org, asOf)
	if err != nil {
		a.serverError(w, r, p, err)
		return
	}
	var owners []string
	for _, pp := range model.People {
		owners = append(owners, pp.ID)
	}
	p.Title = p.T("ui.risks")
	p.Data = map[string]any{"Rows": rows, "Acceptance": model.Criteria.Acceptance, "Method": model.Criteria.Method,
		"HeatBefore": heatSVG(sum.HeatMap, false, model.Criteria.Acceptance, p), "HeatAfter": heatSVG(sum.HeatMap, true, model.Criteria.Acceptance, p),
		"Owners": owners, "Owner": ownerFilter, "Treatment": treatFilter, "Treatments": []string{isms.TreatModify, isms.TreatShare, isms.TreatAvoid, isms.TreatRetain},
		"Saved": r.URL.Query().Get("approved"), "Pager": pg.view(r, p)}
	a.render(w, http.StatusOK, "risks", p)
}

// riskApprove records the owner's approval of the plan and acceptance of
// the residual risk. Only the risk's owner may: anyone else gets 403.
func (a *App) riskApprove(w http.ResponseWriter, r *http.Request, p *page, m store.Membership) {
	ctx := r.Context()
	id := r.PathValue("id")
	cur, err := a.store.Get(ctx, p.Org, "risks", id)
	if err != nil {
		a.serverError(w, r, p, err)
		return
	}
	isOwner := m.Person != "" && cur.Owner == m.Person
	if !isOwner || !authz.Can(m.Role, authz.Approve, authz.Subject{Kind: "risks", IsOwner: true}) {
		a.forbidden(w, r, p)
		return
	}
	accepted := r.PostFormValue("residual_accepted") == "true"
	if err := a.recordApproval(r, p, m, cur, cur.Version, &accepted); err != nil {
		if errors.Is(err, store.ErrConflict) {
			http.Redirect(w, r, "/orgs/"+p.Org+"/risks#risk-"+id, http.StatusSeeOther)
			return
		}
		a.serverError(w, r, p, err)
		return
	}
	http.Redirect(w, r, "/orgs/"+p.Org+"/risks?approved="+id+"#risk-"+id, http.StatusSeeOther)
}

// recordApproval records the member's person's approval of a stored item
// at the version the approver saw (a changed item is not approved
// unseen), dated today in JST. Permission is the caller's to check.
func (a *App) recordApproval(r *http.Request, p *page, m store.Membership, cur store.StoredItem, version int64, residualAccepted *bool) error {
	it, refs, err := bundle.SetApproval(cur.Kind, cur.Key, cur.Data, m.Person, isms.DateOf(a.now().In(isms.JST)), residualAccepted)
	if err != nil {
		return err
	}
	_, err = a.store.Approve(r.Context(), p.Org, it, refs, version, m.Person, p.User.Email)
	return err
}
