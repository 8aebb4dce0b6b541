// Package audit holds the pages of performance evaluation: internal
// audits with their findings and corrective actions, and management
// reviews with a draft pre-filled from the ISMS.
package audit

import (
	"embed"
	"net/http"
	"net/url"
	"strings"

	"github.com/cloudisms/cloudisms/internal/conformity"
	"github.com/cloudisms/cloudisms/internal/i18n"
	"github.com/cloudisms/cloudisms/internal/isms"
	"github.com/cloudisms/cloudisms/internal/names"
	"github.com/cloudisms/cloudisms/internal/store"
	"github.com/cloudisms/cloudisms/internal/web/items"
	"github.com/cloudisms/cloudisms/internal/web/site"
)

//go:embed templates/*.html
var templateFS embed.FS

// handlers are the audit and review pages over the site.
type handlers struct{ *site.App }

func init() {
	site.AddTemplates(templateFS)
	site.AddNav(site.NavItem{Order: 120, Section: "audits", Path: "audits", Label: "views.nav.audits"})
	site.AddNav(site.NavItem{Order: 130, Section: "reviews", Path: "reviews", Label: "views.nav.reviews"})
	site.AddRoutes(func(app *site.App, m *http.ServeMux) {
		a := &handlers{app}
		m.HandleFunc("GET /orgs/{org}/audits", a.InOrg("audits", a.auditsPage))
		m.HandleFunc("GET /orgs/{org}/reviews", a.InOrg("reviews", a.reviewsPage))
		m.HandleFunc("GET /orgs/{org}/reviews/new", a.InOrg("reviews", a.reviewNew))
		m.HandleFunc("POST /orgs/{org}/reviews/new", a.InOrg("reviews", a.reviewPost))
	})
	site.AddSubjectLink("reviews", site.RowLink("reviews", "review-"))
	site.AddSubjectLink("audits", func(org string, parts []string) string {
		switch {
		case len(parts) >= 4 && parts[2] == "findings":
			return "/orgs/" + org + "/audits#finding-" + parts[1] + "-" + parts[3]
		case len(parts) >= 2:
			return "/orgs/" + org + "/audits#audit-" + parts[1]
		}
		return ""
	})
	// A service no audit covered: a new audit of it.
	site.AddRuleLink("AUD-01", func(org string, f conformity.Finding, parts []string) string {
		if len(parts) < 2 || parts[0] != "cloud_services" {
			return ""
		}
		// v2: against the cloud requirements
		return items.NewURL(org, "audits", url.Values{"services": {parts[1]}, "criteria": {"iso27017:2015\njip-isms517"},
			items.AboutParam: {items.AboutOf(f)}})
	})
	// A unit in scope that no audit covered: a new audit of it.
	site.AddRuleLink("AUD-06", func(org string, f conformity.Finding, parts []string) string {
		if len(parts) < 2 || parts[0] != "units" {
			return ""
		}
		return items.NewURL(org, "audits", url.Values{"units": {parts[1]}, items.AboutParam: {items.AboutOf(f)}})
	})
	site.AddRuleLink("MR-01", func(org string, f conformity.Finding, parts []string) string {
		return "/orgs/" + url.PathEscape(org) + "/reviews/new"
	})
}

type auditorView struct {
	ID, Name, Unit string
	Independent    bool // not from a unit the audit covers (AUD-02)
}

type auditFindingView struct {
	isms.AuditFinding
	State    string // none, open, overdue, done, verified (of the corrective action); "" when none is needed
	Findings []string
}

type auditView struct {
	isms.Audit
	AuditorViews []auditorView
	FindingViews []auditFindingView
	Findings     []string
}

// actionState is where a finding's corrective action stands on a date.
func actionState(f isms.AuditFinding, asOf isms.Date) string {
	ca := f.CorrectiveAction
	switch {
	case ca == nil && (f.Kind == isms.FindingMajor || f.Kind == isms.FindingMinor):
		return "none"
	case ca == nil:
		return ""
	case ca.Overdue(asOf):
		return "overdue"
	case ca.DoneOn.IsZero():
		return "open"
	case ca.Verified():
		return "verified"
	}
	return "done"
}

func (a *handlers) auditsPage(w http.ResponseWriter, r *http.Request, p *site.Page, m store.Membership) {
	asOf := isms.DateOf(a.Now())
	checked, model, err := a.Store.Findings(r.Context(), p.Org, asOf)
	if err != nil {
		a.ServerError(w, r, p, err)
		return
	}
	findings := site.FindingsBySubject(checked, p.Lang, names.Of(model, p.Lang))
	people := map[string]isms.Person{}
	for _, pp := range model.People {
		people[pp.ID] = pp
	}
	counts := map[string]int{}
	var audits []auditView
	for _, au := range model.Audits {
		av := auditView{Audit: au}
		covered := map[string]bool{}
		for _, u := range au.Units {
			covered[u] = true
		}
		for _, id := range au.Auditors {
			pp := people[id]
			av.AuditorViews = append(av.AuditorViews, auditorView{ID: id, Name: pp.Name, Unit: pp.Unit, Independent: !covered[pp.Unit]})
			av.Findings = append(av.Findings, findings["audits/"+au.ID+"/auditors/"+id]...)
		}
		for _, f := range au.Findings {
			st := actionState(f, asOf)
			counts[st]++
			av.FindingViews = append(av.FindingViews, auditFindingView{AuditFinding: f, State: st, Findings: findings["audits/"+au.ID+"/findings/"+f.ID]})
		}
		audits = append(audits, av)
	}
	p.Names = names.Of(model, p.Lang)
	if site.WantsCSV(r) {
		heads, rows := auditCSV(p, audits)
		site.WriteCSV(w, p, a.Now(), "audits", heads, rows)
		return
	}
	p.CSV = site.CSVLink(r)
	p.Title = p.T("views.aud.title")
	p.Data = map[string]any{"Audits": audits, "Open": counts["open"] + counts["overdue"] + counts["none"], "Overdue": counts["overdue"], "AsOf": asOf,
		"Edit": func(key string) string { return items.URL(p.Org, "audits", key) }, "New": items.NewURL(p.Org, "audits", nil), "CanEdit": p.MayEdit("audits"), "CanReassign": mayReassignActions(p)}
	a.Render(w, http.StatusOK, "audits", p)
}

// auditCSV is the audits as a list of findings with their corrective
// actions, the sheet an ISMS office keeps (an audit without findings is a
// row of its own).
func auditCSV(p *site.Page, audits []auditView) ([]string, [][]string) {
	heads := []string{"ID", p.T("ui.title"), p.T("views.aud.period"), p.T("views.aud.auditors"), p.T("views.aud.criteria"),
		p.T("aud.csv.finding"), p.T("views.aud.classification"), p.T("ui.control"), p.T("views.aud.description"),
		p.T("views.aud.cause"), p.T("views.aud.action"), p.T("aud.csv.action_owner"), p.T("ui.due"), p.T("views.aud.done_on"), p.T("views.aud.state")}
	date := func(d isms.Date) string {
		if d.IsZero() {
			return ""
		}
		return d.String()
	}
	var out [][]string
	for _, au := range audits {
		var auditors []string
		for _, v := range au.AuditorViews {
			auditors = append(auditors, p.Names.Person(v.ID))
		}
		head := []string{au.ID, au.Title, strings.TrimSuffix(date(au.Start)+" – "+date(au.End), " – "), strings.Join(auditors, i18n.List(p.Lang)), strings.Join(au.Criteria, i18n.List(p.Lang))}
		if len(au.FindingViews) == 0 {
			out = append(out, append(head, make([]string, 10)...))
			continue
		}
		for _, f := range au.FindingViews {
			row := append(append([]string{}, head...), f.ID, p.T("finding."+f.Kind), f.Control, f.Description)
			if ca := f.CorrectiveAction; ca != nil {
				row = append(row, ca.Cause, ca.Action, p.Names.Person(ca.Owner), date(ca.Due), date(ca.DoneOn))
			} else {
				row = append(row, "", "", "", "", "")
			}
			state := ""
			if f.State != "" {
				state = p.T("views.ca." + f.State)
			}
			out = append(out, append(row, state))
		}
	}
	return heads, out
}
