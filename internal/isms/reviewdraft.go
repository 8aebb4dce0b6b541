package isms

import "github.com/cloudisms/cloudisms/internal/i18n"

// ReviewDraft is what the ISMS already knows for the inputs of the next
// management review (JIS Q 27001 9.3.2): lines of text per input key, from
// every register (reviewdraft_registers.go); the chair edits them.
type ReviewDraft struct {
	Previous *Review // the latest review held on or before the date, if any
	Since    Date    // the start of the period the draft looks at
	Lines    map[string][]i18n.Message
}

// ChairKeys are the inputs only the chair can write. The registers of
// version 2 answer every input, so there are none; a register left empty
// gives a line saying so.
var ChairKeys = []string{}

// DraftReview pre-fills a management review held on asOf. The period it
// reports on starts at the previous review, or a year before asOf when
// there is none.
func DraftReview(m *ISMS, asOf Date) ReviewDraft {
	d := ReviewDraft{Since: asOf.AddDays(-365), Lines: map[string][]i18n.Message{}}
	for i := range m.Reviews {
		r := &m.Reviews[i]
		if r.Date.IsZero() || r.Date.After(asOf) {
			continue
		}
		if d.Previous == nil || !r.Date.Before(d.Previous.Date) {
			d.Previous = r
		}
	}
	if d.Previous != nil {
		d.Since = d.Previous.Date
	}
	add := func(key string, msg i18n.Message) { d.Lines[key] = append(d.Lines[key], msg) }
	draftPrevious(d.Previous, asOf, add)
	draftIssues(m, d.Since, asOf, add)
	draftNonconformities(m, asOf, add)
	draftRegisterNonconformities(m, asOf, add)
	draftMeasurements(m, d.Since, asOf, add)
	draftMonitoring(m, d.Since, asOf, add)
	draftAudits(m, d.Since, asOf, add)
	draftExternalAudits(m, d.Since, asOf, add)
	draftObjectives(m, asOf, add)
	draftParties(m, d.Since, asOf, add)
	draftRisks(m, asOf, add)
	draftOpportunities(m, add)
	return d
}

type addFn = func(key string, msg i18n.Message)

// draftPrevious lists the decisions of the previous review (input a).
// Whether each is done is for the chair to state; an overdue one is marked.
func draftPrevious(prev *Review, asOf Date, add addFn) {
	if prev == nil {
		add("previous_actions", i18n.M("views.pre.no_previous"))
		return
	}
	if len(prev.Outputs) == 0 {
		add("previous_actions", i18n.M("views.pre.no_decisions", "review", prev.ID, "date", prev.Date))
	}
	for _, o := range prev.Outputs {
		state := i18n.M("views.pre.open")
		if !o.Due.IsZero() && o.Due.Before(asOf) {
			state = i18n.M("views.pre.overdue")
		}
		add("previous_actions", i18n.M("views.pre.decision", "review", prev.ID, "decision", o.Decision, "owner", o.Owner, "due", dateOrDash(o.Due), "state", state))
	}
}

// draftNonconformities counts major and minor audit findings by the state
// of their corrective action and lists the ones still open (input c).
func draftNonconformities(m *ISMS, asOf Date, add addFn) {
	draftActions(AuditNonconformities(m), asOf, "views.pre", func(r ActionRecord) []any {
		return []any{"audit", r.Key, "finding", r.FindingID, "kind", i18n.M("finding." + r.Grade), "description", r.Description}
	}, add)
}

// draftActions adds the nonconformities' counts by the state of their
// corrective action and lists the open ones (input c). pre is the prefix
// of the messages (nc_counts, nc_no_action, nc_open); name gives the
// arguments that name a nonconformity in them.
func draftActions(all []ActionRecord, asOf Date, pre string, name func(ActionRecord) []any, add addFn) {
	var open, closed, unverified int
	var lines []i18n.Message
	for _, n := range all {
		switch ca := n.Action; {
		case ca == nil:
			open++
			lines = append(lines, i18n.M(pre+".nc_no_action", name(n)...))
		case ca.DoneOn.IsZero():
			open++
			state := i18n.M("views.pre.open")
			if ca.Overdue(asOf) {
				state = i18n.M("views.pre.overdue")
			}
			lines = append(lines, i18n.M(pre+".nc_open", append(name(n), "due", dateOrDash(ca.Due), "state", state)...))
		default:
			closed++
			if !ca.Verified() {
				unverified++
			}
		}
	}
	add("nonconformities", i18n.M(pre+".nc_counts", "open", open, "closed", closed, "unverified", unverified))
	for _, l := range lines {
		add("nonconformities", l)
	}
}

// draftMonitoring reports restore tests in the period and what is
// monitored per service (input c).
func draftMonitoring(m *ISMS, since, asOf Date, add addFn) {
	for _, b := range m.Backups {
		var pass, fail int
		for _, t := range b.Tests {
			if t.Date.After(since) && !t.Date.After(asOf) {
				if t.Result == "pass" {
					pass++
				} else {
					fail++
				}
			}
		}
		add("monitoring_results", i18n.M("views.pre.restore_tests", "service", b.Service, "pass", pass, "fail", fail))
	}
	for _, mo := range m.Monitoring {
		add("monitoring_results", i18n.M("views.pre.monitored", "service", mo.Service, "n", len(mo.Items)))
	}
	if len(m.Backups) == 0 && len(m.Monitoring) == 0 {
		add("monitoring_results", i18n.M("views.pre.no_monitoring"))
	}
}

// draftAudits summarizes the audits that ended in the period (input c).
func draftAudits(m *ISMS, since, asOf Date, add addFn) {
	n := 0
	for _, a := range m.Audits {
		if a.End.IsZero() || !a.End.After(since) || a.End.After(asOf) {
			continue
		}
		n++
		counts := map[string]int{}
		for _, f := range a.Findings {
			counts[f.Kind]++
		}
		add("audit_results", i18n.M("views.pre.audit", "audit", a.ID, "title", a.Title, "end", a.End,
			"major", counts[FindingMajor], "minor", counts[FindingMinor], "observation", counts[FindingObservation], "good", counts[FindingGoodPractice]))
	}
	if n == 0 {
		add("audit_results", i18n.M("views.pre.no_audits", "since", since))
	}
}

// draftRisks reports the state of risk assessment and treatment (input e).
func draftRisks(m *ISMS, asOf Date, add addFn) {
	var above, residualAbove, unassessed, unapproved, done, open, overdue int
	for _, rv := range RiskViews(m) {
		switch {
		case !rv.OK:
			unassessed++
		default:
			if !rv.Acceptable {
				above++
			}
			if !rv.ResidualAcceptable {
				residualAbove++
			}
		}
		if !rv.Risk.ApprovedByOwner() {
			unapproved++
		}
		for _, p := range rv.Risk.Plan {
			switch {
			case !p.DoneOn.IsZero():
				done++
			case !p.Due.IsZero() && p.Due.Before(asOf):
				overdue++
			default:
				open++
			}
		}
	}
	add("risk_status", i18n.M("views.pre.risks", "n", len(m.Risks), "above", above, "residual", residualAbove, "unassessed", unassessed, "unapproved", unapproved))
	add("risk_status", i18n.M("views.pre.plan", "done", done, "open", open, "overdue", overdue))
}

func dateOrDash(d Date) string {
	if d.IsZero() {
		return "—"
	}
	return d.String()
}
