package isms

import (
	"strings"

	"github.com/cloudisms/cloudisms/internal/i18n"
)

// The review inputs the version 2 registers answer: changes of issues
// (context issues and planned changes), the needs and feedback of
// interested parties, nonconformities from every source, measurement
// results and incidents, the certification body's audits, the objectives
// and the opportunities for improvement.

// inPeriod reports whether d lies after since and on or before asOf.
func inPeriod(d, since, asOf Date) bool { return !d.IsZero() && d.After(since) && !d.After(asOf) }

// draftIssues lists the issues reviewed and the changes made in the
// period (input b, 9.3.2 b).
func draftIssues(m *ISMS, since, asOf Date, add addFn) {
	n := 0
	for _, x := range m.ContextIssues {
		if inPeriod(x.ReviewedOn, since, asOf) {
			n++
			add("issue_changes", i18n.M("registers.pre.issue", "kind", i18n.M("field.v.issue_kind."+x.Kind), "description", x.Description, "date", x.ReviewedOn))
		}
	}
	for _, c := range m.Changes {
		if inPeriod(c.Date, since, asOf) || (c.Date.After(asOf) && c.Approval != nil && inPeriod(c.Approval.Date, since, asOf)) {
			n++
			add("issue_changes", i18n.M("registers.pre.change", "description", c.Description, "date", dateOrDash(c.Date)))
		}
	}
	if n == 0 {
		add("issue_changes", i18n.M("registers.pre.no_issues", "since", since, "n", len(m.ContextIssues)))
	}
}

// draftParties reports the interested parties whose needs were reviewed in
// the period (the 2022 input on their needs) and what they were told or
// asked (feedback, input d).
func draftParties(m *ISMS, since, asOf Date, add addFn) {
	reviewed := 0
	for _, p := range m.InterestedParties {
		if inPeriod(p.ReviewedOn, since, asOf) {
			reviewed++
			add("interested_party_needs", i18n.M("registers.pre.party", "party", p.Name, "requirements", strings.Join(p.Requirements, "; "), "date", p.ReviewedOn))
		}
	}
	if reviewed == 0 {
		add("interested_party_needs", i18n.M("registers.pre.no_parties", "since", since, "n", len(m.InterestedParties)))
	}
	add("interested_parties", i18n.M("registers.pre.parties", "n", len(m.InterestedParties), "communications", len(m.Communications)))
	notified, total := 0, 0
	for _, x := range m.Incidents {
		if inPeriod(x.Date, since, asOf) {
			total++
			if IsTrue(x.CustomersNotified) {
				notified++
			}
		}
	}
	if total > 0 {
		add("interested_parties", i18n.M("registers.pre.notified", "n", total, "notified", notified))
	}
	for _, a := range m.ExternalAudits {
		if inPeriod(a.Date, since, asOf) {
			add("interested_parties", i18n.M("registers.pre.body_feedback", "audit", a.ID, "kind", i18n.M("field.v.ext_audit_kind."+a.Kind), "date", a.Date, "n", len(a.Findings)))
		}
	}
}

// draftRegisterNonconformities adds the nonconformities of the register and
// of the certification body's audits (input c): counts by state, and the
// open ones.
func draftRegisterNonconformities(m *ISMS, asOf Date, add addFn) {
	all := RegisterNonconformities(m)
	if len(all) == 0 {
		return
	}
	draftActions(all, asOf, "registers.pre", func(n ActionRecord) []any {
		return []any{"nonconformity", n.ID(), "description", n.Description}
	}, add)
}

// draftMeasurements reports the latest result of each measurement in the
// period and the incidents by severity (input c).
func draftMeasurements(m *ISMS, since, asOf Date, add addFn) {
	for _, x := range m.Measurements {
		var latest *MeasurementResult
		n := 0
		for i := range x.Results {
			r := &x.Results[i]
			if inPeriod(r.Date, since, asOf) {
				n++
				if latest == nil || r.Date.After(latest.Date) {
					latest = r
				}
			}
		}
		if latest == nil {
			add("monitoring_results", i18n.M("registers.pre.no_result", "what", x.What, "since", since))
			continue
		}
		add("monitoring_results", i18n.M("registers.pre.result", "what", x.What, "n", n, "value", latest.Value, "date", latest.Date))
	}
	counts := map[string]int{}
	total := 0
	for _, x := range m.Incidents {
		if inPeriod(x.Date, since, asOf) {
			total++
			counts[x.Severity]++
		}
	}
	if len(m.Incidents) > 0 || len(m.Measurements) > 0 {
		add("monitoring_results", i18n.M("registers.pre.incidents", "n", total, "high", counts[SeverityHigh], "medium", counts[SeverityMedium], "low", counts[SeverityLow]))
	}
}

// draftExternalAudits summarizes the certification body's audits held in
// the period and the next one planned (input c).
func draftExternalAudits(m *ISMS, since, asOf Date, add addFn) {
	var next *ExternalAudit
	for i := range m.ExternalAudits {
		a := &m.ExternalAudits[i]
		if inPeriod(a.Date, since, asOf) {
			counts := map[string]int{}
			for _, f := range a.Findings {
				counts[f.Kind]++
			}
			add("audit_results", i18n.M("registers.pre.ext_audit", "audit", a.ID, "kind", i18n.M("field.v.ext_audit_kind."+a.Kind), "date", a.Date,
				"major", counts[FindingMajor], "minor", counts[FindingMinor], "observation", counts[FindingObservation], "opportunity", counts[FindingOpportunity]))
		}
		if a.Date.After(asOf) && (next == nil || a.Date.Before(next.Date)) {
			next = a
		}
	}
	if next != nil {
		add("audit_results", i18n.M("registers.pre.next_audit", "kind", i18n.M("field.v.ext_audit_kind."+next.Kind), "date", next.Date))
	}
}

// draftObjectives reports each objective with its latest result (input c).
func draftObjectives(m *ISMS, asOf Date, add addFn) {
	if len(m.Objectives) == 0 {
		add("objectives", i18n.M("registers.pre.no_objectives"))
		return
	}
	met := 0
	var lines []i18n.Message
	for _, o := range m.Objectives {
		r := o.Latest()
		switch {
		case r == nil:
			lines = append(lines, i18n.M("registers.pre.objective_none", "objective", o.Title, "due", dateOrDash(o.Due)))
		default:
			state := i18n.M("registers.pre.not_met")
			if IsTrue(r.Met) {
				met++
				state = i18n.M("registers.pre.met")
			}
			lines = append(lines, i18n.M("registers.pre.objective", "objective", o.Title, "target", o.Target, "value", r.Value, "date", r.Date, "state", state, "due", dateOrDash(o.Due)))
		}
	}
	add("objectives", i18n.M("registers.pre.objectives", "n", len(m.Objectives), "met", met))
	for _, l := range lines {
		add("objectives", l)
	}
}

// draftOpportunities lists the opportunities for improvement (input f).
func draftOpportunities(m *ISMS, add addFn) {
	if len(m.Opportunities) == 0 {
		add("improvement_opportunities", i18n.M("registers.pre.no_opportunities"))
		return
	}
	for _, o := range m.Opportunities {
		add("improvement_opportunities", i18n.M("registers.pre.opportunity", "title", o.Title, "owner", o.Owner, "due", dateOrDash(o.Due)))
	}
}
