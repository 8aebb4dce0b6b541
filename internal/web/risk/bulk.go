package risk

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
	"github.com/cloudisms/cloudisms/internal/store"
	"github.com/cloudisms/cloudisms/internal/web/items"
	"github.com/cloudisms/cloudisms/internal/web/site"
)

// Bulk work on the risk register: hand many risks to another owner (when
// someone leaves or a service changes hands), or, as an owner, approve
// many of one's own risks after reviewing them. The register's filters
// choose the candidates, boxes choose the risks, a preview shows each
// risk's before and after, and applying checks that nothing changed since
// the preview. Owners are changed in one transaction; each approval is
// recorded per risk with its own fingerprint, as approving one risk is.

// maxBulkRisks bounds one bulk change.
const maxBulkRisks = 500

const (
	bulkOwner   = "owner"
	bulkApprove = "approve"
)

func init() {
	site.AddRoutes(func(app *site.App, m *http.ServeMux) {
		a := &handlers{app}
		m.HandleFunc("GET /orgs/{org}/risks/bulk", a.InOrg("risks", a.riskBulkPage))
		m.HandleFunc("POST /orgs/{org}/risks/bulk", a.InOrg("risks", a.riskBulkPost))
	})
}

// riskBulkRow is a chosen risk in the preview.
type riskBulkRow struct {
	ID, Title, Before, After string
	Version                  int64
	OK                       bool
	Why                      string // why the risk cannot take the change
}

// mayReassign reports whether the member may give risks to other owners.
func mayReassign(m store.Membership) bool {
	return authz.Can(m.Role, authz.Write, authz.Subject{Kind: "risks"})
}

func (a *handlers) riskBulkPage(w http.ResponseWriter, r *http.Request, p *site.Page, m store.Membership) {
	a.renderRiskBulk(w, r, p, m, http.StatusOK, r.URL.Query(), nil)
}

func (a *handlers) renderRiskBulk(w http.ResponseWriter, r *http.Request, p *site.Page, m store.Membership, status int, form url.Values, preview []riskBulkRow) {
	reg, err := a.registerOf(r, p, form, false)
	if err != nil {
		a.ServerError(w, r, p, err)
		return
	}
	rows, cut := reg.rows, false
	if len(rows) > maxBulkRisks {
		rows, cut = rows[:maxBulkRisks], true
	}
	p.Names = reg.nm
	p.Title = p.T("rbulk.title")
	p.Data = map[string]any{"Rows": rows, "Cut": cut, "Max": maxBulkRisks, "F": reg.f, "Filter": reg.f.values(),
		"Owners": ownerChoices(reg.model, form.Get("new_owner")), "Action": form.Get("action"), "Chosen": form["risk"],
		"Accept": form.Get("residual_accepted") != "false", "MayReassign": mayReassign(m), "MayApprove": m.Person != "",
		"Preview": preview, "Back": "/orgs/" + url.PathEscape(p.Org) + "/risks?" + reg.f.values().Encode()}
	a.Render(w, status, "risks-bulk", p)
}

func (a *handlers) riskBulkPost(w http.ResponseWriter, r *http.Request, p *site.Page, m store.Membership) {
	r.Body = http.MaxBytesReader(w, r.Body, 256<<10)
	if err := r.ParseForm(); err != nil {
		http.Error(w, p.T("bulk.too_large"), http.StatusRequestEntityTooLarge)
		return
	}
	f := r.PostForm
	action, chosen := f.Get("action"), site.Distinct(f["risk"])
	switch {
	case action == bulkOwner && !mayReassign(m), action == bulkApprove && m.Person == "":
		a.Forbidden(w, r, p)
		return
	case action != bulkOwner && action != bulkApprove:
		p.Error = p.T("rbulk.no_action")
	case len(chosen) == 0:
		p.Error = p.T("bulk.none_chosen")
	case len(chosen) > maxBulkRisks:
		p.Error = p.T("bulk.too_many", "n", maxBulkRisks)
	case action == bulkOwner && f.Get("new_owner") == "":
		p.Error = p.T("rbulk.no_owner")
	}
	if p.Error != "" {
		a.renderRiskBulk(w, r, p, m, http.StatusBadRequest, f, nil)
		return
	}
	rows, stored, err := a.riskBulkRows(r, p, m, f, action, chosen)
	if errors.Is(err, errNoOwner) {
		p.Error = p.T("rbulk.no_owner")
		a.renderRiskBulk(w, r, p, m, http.StatusBadRequest, f, nil)
		return
	}
	if err != nil {
		a.ServerError(w, r, p, err)
		return
	}
	if f.Get("step") != "apply" {
		a.renderRiskBulk(w, r, p, m, http.StatusOK, f, rows)
		return
	}
	for _, row := range rows {
		if f.Get("v-"+row.ID) != strconv.FormatInt(row.Version, 10) {
			p.Error = p.T("bulk.changed_since")
			a.renderRiskBulk(w, r, p, m, http.StatusConflict, f, rows)
			return
		}
		if !row.OK {
			p.Error = p.T("rbulk.some_refused")
			a.renderRiskBulk(w, r, p, m, http.StatusBadRequest, f, rows)
			return
		}
	}
	n := 0
	if action == bulkOwner {
		n, err = a.reassign(r, p, stored, f.Get("new_owner"))
	} else {
		accepted := f.Get("residual_accepted") != "false"
		for _, it := range stored {
			if err = items.RecordApproval(a.App, r, p, m, it, it.Version, &accepted); err != nil {
				break
			}
			n++
		}
	}
	switch {
	case errors.Is(err, store.ErrConflict), errors.Is(err, store.ErrExists):
		rows, _, rerr := a.riskBulkRows(r, p, m, f, action, chosen)
		if rerr != nil {
			a.ServerError(w, r, p, rerr)
			return
		}
		p.Error = p.T("bulk.changed_since")
		if n > 0 {
			p.Error = p.T("rbulk.partly_approved", "n", n)
		}
		a.renderRiskBulk(w, r, p, m, http.StatusConflict, f, rows)
		return
	case err != nil:
		var ref *store.RefError
		if errors.As(err, &ref) {
			p.Error = p.T("rbulk.no_owner")
			a.renderRiskBulk(w, r, p, m, http.StatusBadRequest, f, rows)
			return
		}
		a.ServerError(w, r, p, err)
		return
	}
	q := url.Values{"bulk": {strconv.Itoa(n)}, "bulk_action": {action}}
	http.Redirect(w, r, "/orgs/"+url.PathEscape(p.Org)+"/risks?"+q.Encode(), http.StatusSeeOther)
}

// riskBulkRows reads the chosen risks as stored now and says what the
// action does to each.
func (a *handlers) riskBulkRows(r *http.Request, p *site.Page, m store.Membership, f url.Values, action string, chosen []string) ([]riskBulkRow, []store.StoredItem, error) {
	reg, err := a.registerOf(r, p, url.Values{}, false)
	if err != nil {
		return nil, nil, err
	}
	if action == bulkOwner && !slices.ContainsFunc(reg.model.People, func(pp isms.Person) bool { return pp.ID == f.Get("new_owner") }) {
		return nil, nil, errNoOwner
	}
	byID := map[string]riskRow{}
	for _, row := range reg.rows {
		byID[row.Risk.ID] = row
	}
	var out []riskBulkRow
	var stored []store.StoredItem
	for _, id := range chosen {
		row, ok := byID[id]
		if !ok {
			out = append(out, riskBulkRow{ID: id, Why: p.T("rbulk.no_such_risk")})
			continue
		}
		it, err := a.Store.Get(r.Context(), p.Org, "risks", id)
		if err != nil {
			return nil, nil, err
		}
		br := riskBulkRow{ID: id, Title: row.Risk.Title, Version: it.Version, OK: true}
		switch action {
		case bulkOwner:
			br.Before, br.After = row.OwnerName, reg.nm.Person(f.Get("new_owner"))
			if row.Risk.Owner == f.Get("new_owner") {
				br.Why = p.T("bulk.same")
			}
		case bulkApprove:
			br.Before, br.After = p.T("risk.filter.approval."+row.State), p.T("risk.filter.approval."+apprApproved)
			if !authz.ApproveRisk(m.Role, m.Person, row.Risk.Owner) {
				br.OK, br.Why = false, p.T("rbulk.not_owner", "owner", row.OwnerName)
			}
		}
		out = append(out, br)
		stored = append(stored, it)
	}
	return out, stored, nil
}

var errNoOwner = errors.New("no such person")

// reassign gives the risks to a new owner in one transaction.
func (a *handlers) reassign(r *http.Request, p *site.Page, stored []store.StoredItem, owner string) (int, error) {
	edition, err := a.Store.Edition(r.Context(), p.Org)
	if err != nil {
		return 0, err
	}
	var writes []store.ItemWrite
	for _, it := range stored {
		var data map[string]any
		if err := json.Unmarshal(it.Data, &data); err != nil {
			return 0, err
		}
		if data["owner"] == owner {
			continue
		}
		data["owner"] = owner
		raw, _ := json.Marshal(data)
		item, refs, err := bundle.DecodeItem("risks", it.Key, raw, edition)
		if err != nil {
			return 0, err
		}
		writes = append(writes, store.ItemWrite{Item: item, Refs: refs, IfVersion: it.Version})
	}
	if len(writes) == 0 {
		return 0, nil
	}
	_, err = a.Store.PutItems(r.Context(), p.Org, writes, p.User.Email)
	return len(writes), err
}
