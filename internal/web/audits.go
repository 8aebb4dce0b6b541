package web

import (
	"net/http"

	"github.com/cloudisms/cloudisms/internal/isms"
	"github.com/cloudisms/cloudisms/internal/store"
)

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
func viewsActionState(f isms.AuditFinding, asOf isms.Date) string {
	ca := f.CorrectiveAction
	switch {
	case ca == nil && (f.Kind == isms.FindingMajor || f.Kind == isms.FindingMinor):
		return "none"
	case ca == nil:
		return ""
	case ca.DoneOn.IsZero() && !ca.Due.IsZero() && ca.Due.Before(asOf):
		return "overdue"
	case ca.DoneOn.IsZero():
		return "open"
	case isms.IsTrue(ca.Effective) && ca.VerifiedBy != "":
		return "verified"
	}
	return "done"
}

func (a *App) auditsPage(w http.ResponseWriter, r *http.Request, p *page, m store.Membership) {
	asOf := isms.DateOf(a.now())
	checked, model, err := a.store.Findings(r.Context(), p.Org, asOf)
	if err != nil {
		a.serverError(w, r, p, err)
		return
	}
	findings := findingsBySubject(checked, p.Lang)
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
			st := viewsActionState(f, asOf)
			counts[st]++
			av.FindingViews = append(av.FindingViews, auditFindingView{AuditFinding: f, State: st, Findings: findings["audits/"+au.ID+"/findings/"+f.ID]})
		}
		audits = append(audits, av)
	}
	p.Title = p.T("views.aud.title")
	p.Data = map[string]any{"Audits": audits, "Open": counts["open"] + counts["overdue"] + counts["none"], "Overdue": counts["overdue"], "AsOf": asOf,
		"Edit": func(key string) string { return viewsEditURL(p.Org, "audits", key) }, "New": viewsNewURL(p.Org, "audits"), "CanEdit": viewsMayWrite(p, "audits")}
	a.render(w, http.StatusOK, "audits", p)
}
