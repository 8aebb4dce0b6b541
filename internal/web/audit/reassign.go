package audit

import (
	"cmp"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/cloudisms/cloudisms/internal/bundle"
	"github.com/cloudisms/cloudisms/internal/isms"
	"github.com/cloudisms/cloudisms/internal/names"
	"github.com/cloudisms/cloudisms/internal/store"
	"github.com/cloudisms/cloudisms/internal/web/site"
)

// Handing corrective actions to another owner in bulk (someone leaves,
// a unit changes hands): the actions of internal audits' findings, of the
// certification body's findings and of the nonconformities register are
// listed together, filtered by their present owner; boxes choose them, a
// preview shows each one's owner before and after, and applying checks
// that no item holding them changed since the preview. All items are
// written in one transaction, each with its own history record.

func init() {
	site.AddRoutes(func(app *site.App, m *http.ServeMux) {
		a := &handlers{app}
		m.HandleFunc("GET /orgs/{org}/audits/reassign", a.InOrg("audits", a.reassignPage))
		m.HandleFunc("POST /orgs/{org}/audits/reassign", a.InOrg("audits", a.reassignPost))
	})
}

// actionRow is a corrective action on the reassignment page.
type actionRow struct {
	isms.ActionRecord
	Subject, Link, SourceLabel, OwnerName, State string
	ItemName                                     string // the audit's title, the certification audit's body and date, or the nonconformity's id
	Version                                      int64
	// the preview: the new owner's name, why the action keeps its owner
	After, Why string
	OK         bool
}

// mayReassignActions reports whether the member may edit every kind that
// holds corrective actions.
func mayReassignActions(p *site.Page) bool {
	return !slices.ContainsFunc(bundle.ActionKinds, func(k string) bool { return !p.MayEdit(k) })
}

// actionRows lists the organization's corrective actions as the page
// shows them, with the stored version of the item holding each.
func (a *handlers) actionRows(r *http.Request, p *site.Page) ([]actionRow, *isms.ISMS, error) {
	model, err := a.Store.ISMS(r.Context(), p.Org)
	if err != nil {
		return nil, nil, err
	}
	nm := names.Of(model, p.Lang)
	p.Names = nm
	asOf := isms.DateOf(a.Now())
	versions := map[string]int64{}
	itemNames := map[string]string{}
	for _, au := range model.Audits {
		itemNames["audits/"+au.ID] = au.Title
	}
	for _, ea := range model.ExternalAudits {
		itemNames["external_audits/"+ea.ID] = strings.TrimSpace(ea.Body + " " + ea.Date.String())
	}
	var out []actionRow
	for _, ar := range isms.CorrectiveActions(model) {
		item := ar.Kind + "/" + ar.Key
		if _, ok := versions[item]; !ok {
			it, err := a.Store.Get(r.Context(), p.Org, ar.Kind, ar.Key)
			if err != nil {
				return nil, nil, err
			}
			versions[item] = it.Version
		}
		out = append(out, actionRow{ActionRecord: ar, Subject: ar.Subject(), Link: site.SubjectLink(p.Org, strings.Split(ar.Subject(), "/")),
			SourceLabel: p.T("cabulk.source." + ar.Source), OwnerName: nm.Person(ar.Action.Owner), State: caState(ar.Action, asOf),
			Version: versions[item], ItemName: cmp.Or(itemNames[item], ar.Key)})
	}
	return out, model, nil
}

// caState is where a corrective action stands on a date.
func caState(ca *isms.CorrectiveAction, asOf isms.Date) string {
	switch {
	case ca.Overdue(asOf):
		return "overdue"
	case ca.DoneOn.IsZero():
		return "open"
	case ca.Verified():
		return "verified"
	}
	return "done"
}

// shownActions keeps the rows the filter asks for: of one owner, open only.
func shownActions(rows []actionRow, q url.Values) []actionRow {
	var out []actionRow
	for _, r := range rows {
		if (q.Get("owner") == "" || r.Action.Owner == q.Get("owner")) && (q.Get("open") == "" || r.Action.DoneOn.IsZero()) {
			out = append(out, r)
		}
	}
	return out
}

type personChoice struct {
	Value, Label string
	Selected     bool
}

func personChoices(m *isms.ISMS, sel string) []personChoice {
	out := make([]personChoice, 0, len(m.People))
	for _, pp := range m.People {
		label := pp.Name
		if label == "" {
			label = pp.ID
		}
		out = append(out, personChoice{Value: pp.ID, Label: label, Selected: pp.ID == sel})
	}
	return out
}

func (a *handlers) reassignPage(w http.ResponseWriter, r *http.Request, p *site.Page, m store.Membership) {
	if n := r.URL.Query().Get("done"); n != "" {
		p.Flash = p.T("cabulk.done", "n", n)
	}
	a.renderReassign(w, r, p, http.StatusOK, r.URL.Query(), nil)
}

func (a *handlers) renderReassign(w http.ResponseWriter, r *http.Request, p *site.Page, status int, form url.Values, preview []actionRow) {
	rows, model, err := a.actionRows(r, p)
	if err != nil {
		a.ServerError(w, r, p, err)
		return
	}
	p.Title = p.T("cabulk.title")
	p.Data = map[string]any{"Rows": shownActions(rows, form), "Owners": personChoices(model, form.Get("new_owner")),
		"FilterOwners": personChoices(model, form.Get("owner")), "Owner": form.Get("owner"), "Open": form.Get("open") != "",
		"Chosen": form["ca"], "Preview": preview, "MayReassign": mayReassignActions(p)}
	a.Render(w, status, "audits-reassign", p)
}

func (a *handlers) reassignPost(w http.ResponseWriter, r *http.Request, p *site.Page, m store.Membership) {
	if !mayReassignActions(p) {
		a.Forbidden(w, r, p)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 256<<10)
	if err := r.ParseForm(); err != nil {
		http.Error(w, p.T("bulk.too_large"), http.StatusRequestEntityTooLarge)
		return
	}
	f := r.PostForm
	chosen := site.Distinct(f["ca"])
	switch {
	case len(chosen) == 0:
		p.Error = p.T("bulk.none_chosen")
	case len(chosen) > store.MaxActionPicks:
		p.Error = p.T("bulk.too_many", "n", store.MaxActionPicks)
	case f.Get("new_owner") == "":
		p.Error = p.T("cabulk.no_owner")
	}
	if p.Error != "" {
		a.renderReassign(w, r, p, http.StatusBadRequest, f, nil)
		return
	}
	rows, model, err := a.actionRows(r, p)
	if err != nil {
		a.ServerError(w, r, p, err)
		return
	}
	owner := f.Get("new_owner")
	if !slices.ContainsFunc(model.People, func(pp isms.Person) bool { return pp.ID == owner }) {
		p.Error = p.T("cabulk.no_owner")
		a.renderReassign(w, r, p, http.StatusBadRequest, f, nil)
		return
	}
	preview, picks := previewReassign(p, rows, chosen, owner)
	if f.Get("step") != "apply" {
		a.renderReassign(w, r, p, http.StatusOK, f, preview)
		return
	}
	for _, row := range preview {
		if !row.OK {
			p.Error = p.T("cabulk.some_missing")
			a.renderReassign(w, r, p, http.StatusBadRequest, f, preview)
			return
		}
		if f.Get("v-"+row.Kind+"/"+row.Key) != strconv.FormatInt(row.Version, 10) {
			p.Error = p.T("bulk.changed_since")
			a.renderReassign(w, r, p, http.StatusConflict, f, preview)
			return
		}
	}
	n, err := a.Store.ReassignActions(r.Context(), p.Org, picks, owner, p.User.Email)
	var refErr *store.RefError
	switch {
	case errors.Is(err, store.ErrConflict), errors.Is(err, store.ErrNotFound), errors.Is(err, bundle.ErrNoAction):
		p.Error = p.T("bulk.changed_since")
		a.renderReassign(w, r, p, http.StatusConflict, f, preview)
		return
	case errors.As(err, &refErr):
		p.Error = p.T("cabulk.no_owner")
		a.renderReassign(w, r, p, http.StatusBadRequest, f, preview)
		return
	case err != nil:
		a.ServerError(w, r, p, err)
		return
	}
	q := url.Values{"done": {strconv.Itoa(n)}}
	if f.Get("owner") != "" {
		q.Set("owner", f.Get("owner"))
	}
	http.Redirect(w, r, "/orgs/"+url.PathEscape(p.Org)+"/audits/reassign?"+q.Encode(), http.StatusSeeOther)
}

// previewReassign says what giving the chosen actions to owner does to
// each, and which items (at their present versions) the change writes.
func previewReassign(p *site.Page, rows []actionRow, chosen []string, owner string) ([]actionRow, []store.ActionPick) {
	bySubject := map[string]actionRow{}
	for _, r := range rows {
		bySubject[r.Subject] = r
	}
	var out []actionRow
	var picks []store.ActionPick
	for _, s := range chosen {
		row, ok := bySubject[s]
		if !ok {
			out = append(out, actionRow{Subject: s, Why: p.T("cabulk.no_such_action")})
			continue
		}
		row.OK, row.After = true, p.Names.Person(owner)
		if row.Action.Owner == owner {
			row.Why = p.T("bulk.same")
		}
		out = append(out, row)
		picks = append(picks, store.ActionPick{Kind: row.Kind, Key: row.Key, FindingID: row.FindingID, IfVersion: row.Version})
	}
	return out, picks
}
