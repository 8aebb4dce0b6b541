package web

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/cloudisms/cloudisms/internal/authz"
	"github.com/cloudisms/cloudisms/internal/bundle"
	"github.com/cloudisms/cloudisms/internal/isms"
	"github.com/cloudisms/cloudisms/internal/store"
)

// soaRow is one row of the SoA table.
type soaRow struct {
	Control, TitleJA, TitleEN string
	Cloud                     bool // a 27017 item or CLD control
	Base                      string
	From                      string // service, organization, none
	Applicable                *bool
	Reasons                   []string
	Implementation            string
	Justification, Notes      string
	Version                   int64 // of the row item that governs the state (0: none)
	Findings                  []string
	State                     string // implemented, partial, planned, not-implemented, excluded, missing
	OwnText                   string // the organization's own text of the control

	// Display strings and form choices, rendered once in Go (soalabels.go).
	StateLabel, FromLabel, BaseLabel, ReasonsText string
	ReasonOpts, ImplOpts                          []soaOpt
	Adopted, Excluded                             bool
	Owner                                         string // the SoA whose row is shown
}

// soaConflict is a stale edit: what the user sent and what is stored now.
type soaConflict struct {
	Control       string
	Mine, Current map[string]any
}

// soaKeys lists the SoAs of the organization: its own, then one per
// service and role, as the views compute them.
func soaKeys(views []isms.SoAView) []string {
	var out []string
	for _, v := range views {
		if v.Service == "" {
			out = append(out, "organization")
		} else {
			out = append(out, v.Service+":"+v.Role)
		}
	}
	return out
}

func (a *App) soaPage(w http.ResponseWriter, r *http.Request, p *page, m store.Membership) {
	a.renderSoA(w, r, p, m, http.StatusOK, nil)
}

func (a *App) renderSoA(w http.ResponseWriter, r *http.Request, p *page, m store.Membership, status int, conflict *soaConflict) {
	ctx := r.Context()
	model, err := a.store.ISMS(ctx, p.Org)
	if err != nil {
		a.serverError(w, r, p, err)
		return
	}
	views := isms.SoAViews(model)
	keys := soaKeys(views)
	sel := r.URL.Query().Get("soa")
	if sel == "" {
		sel = r.PostFormValue("soa")
	}
	idx := 0
	for i, k := range keys {
		if k == sel {
			idx = i
		}
	}
	v := views[idx]
	sel = keys[idx]
	// Versions of the stored rows, to edit against.
	versions := map[string]int64{}
	for _, soaKey := range []string{"organization", sel} {
		page, err := a.store.List(ctx, p.Org, bundle.KindSoARows, store.ListOptions{Query: soaKey + "/", Limit: store.MaxPage})
		if err != nil {
			a.serverError(w, r, p, err)
			return
		}
		for _, it := range page.Items {
			versions[it.Key] = it.Version
		}
	}
	findings := map[string][]string{}
	prefix := "soa/" + strings.Replace(sel, ":", "/", 1) + "/"
	asOf := isms.DateOf(a.now())
	checked, _, err := a.store.Findings(ctx, p.Org, asOf)
	if err != nil {
		a.serverError(w, r, p, err)
		return
	}
	for _, f := range checked {
		if strings.HasPrefix(f.Subject, prefix) {
			c := strings.TrimPrefix(f.Subject, prefix)
			findings[c] = append(findings[c], f.Rule+": "+f.Message.In(p.Lang))
		}
	}
	texts, err := a.store.ControlTexts(ctx, p.Org)
	if err != nil {
		a.serverError(w, r, p, err)
		return
	}
	filter := r.URL.Query().Get("state")
	labels := &labelCache{p: p, seen: map[string]string{}}
	var rows []soaRow
	for _, er := range v.Rows {
		row := soaRow{Control: er.Control.ID, TitleJA: er.Control.TitleJA, TitleEN: er.Control.TitleEN, Cloud: er.Control.Is27017(),
			Base: er.Control.Base2013, From: er.From, Findings: findings[er.Control.ID], OwnText: texts[er.Control.ID]}
		if er.Row != nil {
			row.Applicable, row.Reasons, row.Implementation = er.Row.Applicable, er.Row.Reasons, er.Row.Implementation
			row.Justification, row.Notes = er.Row.Justification, er.Row.Notes
			owner := sel
			if er.From == isms.FromOrganization {
				owner = "organization"
			}
			row.Version = versions[owner+"/"+er.Control.ID]
		}
		row.State = isms.StateOf(er.Row)
		if filter != "" && row.State != filter && !(filter == "applicable" && row.Applicable != nil && *row.Applicable) {
			continue
		}
		labels.dress(&row, sel)
		rows = append(rows, row)
	}
	header, err := a.soaHeaderOf(r, p, m, sel, v.SoA)
	if err != nil {
		a.serverError(w, r, p, err)
		return
	}
	switch q := r.URL.Query(); {
	case q.Get("created") != "":
		p.Flash = p.T("fix.soa.created")
	case q.Get("approved") != "":
		p.Flash = p.T("fix.approved")
	case q.Get("conflict") != "" && p.Error == "":
		p.Error = p.T("api.conflict")
	}
	canEdit := authz.Can(p.Role, authz.Write, authz.Subject{Kind: bundle.KindSoARows})
	p.Title = p.T("ui.soa")
	p.Data = map[string]any{"Keys": keys, "Selected": sel, "View": v, "Rows": rows, "Counts": v.Counts, "Filter": filter,
		"CanEdit": canEdit && header.Exists, "Header": header, "Conflict": conflict, "L": newSoALabels(p)}
	a.render(w, status, "soa", p)
}

// soaPost saves one row of an SoA. Editing an inherited row in a service
// SoA creates the service's own row (an override), as the format defines.
func (a *App) soaPost(w http.ResponseWriter, r *http.Request, p *page, m store.Membership) {
	if !authz.Can(m.Role, authz.Write, authz.Subject{Kind: bundle.KindSoARows}) {
		a.forbidden(w, r, p)
		return
	}
	ctx := r.Context()
	soaKey, control := r.PostFormValue("soa"), r.PostFormValue("control")
	version, _ := strconv.ParseInt(r.PostFormValue("version"), 10, 64)
	owner := r.PostFormValue("owner") // the SoA whose row was shown
	row := map[string]any{"control": control}
	switch r.PostFormValue("applicable") {
	case "true":
		row["applicable"] = true
	case "false":
		row["applicable"] = false
	}
	if rs := r.PostForm["reasons"]; len(rs) > 0 {
		row["reasons"] = rs
	}
	for _, f := range []string{"implementation", "justification", "notes"} {
		if v := strings.TrimSpace(r.PostFormValue(f)); v != "" {
			row[f] = v
		}
	}
	data, _ := json.Marshal(row)
	key := soaKey + "/" + control
	it, refs, err := a.decodeRow(ctx, p.Org, key, data)
	if err != nil {
		p.Error = problemText(err, p.Lang)
		a.renderSoA(w, r, p, m, http.StatusBadRequest, nil)
		return
	}
	refs = append(refs, bundle.Ref{List: bundle.KindSoA, ID: soaKey, Path: "soa"})
	ifVersion := version
	if owner != soaKey {
		ifVersion = 0 // a new override row
	}
	_, err = a.store.Put(ctx, p.Org, it, refs, ifVersion, p.User.Email)
	switch {
	case errors.Is(err, store.ErrConflict), errors.Is(err, store.ErrExists):
		cur, gerr := a.store.Get(ctx, p.Org, bundle.KindSoARows, key)
		var current map[string]any
		if gerr == nil {
			json.Unmarshal(cur.Data, &current)
		}
		var mine map[string]any
		json.Unmarshal(it.Data, &mine)
		p.Error = p.T("api.conflict")
		a.renderSoA(w, r, p, m, http.StatusConflict, &soaConflict{Control: control, Mine: mine, Current: current})
		return
	case err != nil:
		var ref *store.RefError
		if errors.As(err, &ref) {
			p.Error = err.Error()
			a.renderSoA(w, r, p, m, http.StatusBadRequest, nil)
			return
		}
		a.serverError(w, r, p, err)
		return
	}
	http.Redirect(w, r, "/orgs/"+p.Org+"/soa?soa="+soaKey+"&saved="+control+"#row-"+control, http.StatusSeeOther)
}

// decodeRow validates a row against the organization's edition.
func (a *App) decodeRow(ctx context.Context, org, key string, data []byte) (bundle.Item, []bundle.Ref, error) {
	edition, err := a.store.Edition(ctx, org)
	if err != nil {
		return bundle.Item{}, nil, err
	}
	return bundle.DecodeItem(bundle.KindSoARows, key, data, edition)
}

func problemText(err error, lang string) string {
	probs, ok := problemsOf(err, lang)
	if !ok {
		return err.Error()
	}
	parts := make([]string, len(probs))
	for i, pr := range probs {
		parts[i] = pr.Msg
	}
	return strings.Join(parts, " / ")
}
