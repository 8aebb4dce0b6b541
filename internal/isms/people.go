package isms

import (
	"slices"
	"sort"
)

// A person's record as the ISMS office reads it (JIS Q 27001 5.3, 7.2,
// 7.3): their roles, the duties the registers give them, the trainings
// they attended and whether the competence determined for them is met.

// Duty kinds: what a register makes a person responsible for.
const (
	DutyRiskOwner        = "risk-owner"
	DutyAssetOwner       = "asset-owner"
	DutyRiskAction       = "risk-action"
	DutyAuditor          = "auditor"
	DutyCorrectiveAction = "corrective-action"
	DutyObjective        = "objective"
	DutyOpportunity      = "opportunity"
	DutyMeasurement      = "measurement"
	DutyCommunication    = "communication"
	DutyReviewChair      = "review-chair"
	DutyReviewOutput     = "review-output"
)

// PersonDuty is one thing a person is responsible for: the item (kind and
// key, for a link), its title and, for actions, when it is due and done.
type PersonDuty struct {
	Duty   string
	Kind   string // the item's kind
	Key    string
	Title  string
	Due    Date
	DoneOn Date
}

// Overdue reports whether the duty is an action (a risk treatment action,
// a corrective action, a management review's output or an opportunity's
// action) past its due date and not done at asOf. Other duties with a date
// (an audit's end, an objective's due date, a review's date) are never
// overdue as duties.
func (d PersonDuty) Overdue(asOf Date) bool {
	switch d.Duty {
	case DutyRiskAction, DutyCorrectiveAction, DutyReviewOutput, DutyOpportunity:
		return PastDue(d.Due, d.DoneOn, asOf)
	}
	return false
}

// CompetenceStatus is one competence requirement that applies to a person
// and whether a training on its topic within its interval meets it.
type CompetenceStatus struct {
	Requirement CompetenceRequirement
	Met         bool
	Last        *Training // the latest training on the topic the person attended (nil: none)
	Until       Date      // the day the last training stops counting (zero: none)
}

// PersonRecord is a person's roles, duties, trainings and competence.
type PersonRecord struct {
	Person     Person
	Duties     []PersonDuty
	Trainings  []Training // attended, the newest first
	Competence []CompetenceStatus
	// Awareness is set for ISMS personnel: whether an awareness training
	// was attended within 365 days (7.3), and the last one.
	AwarenessDue  bool
	AwarenessMet  bool
	LastAwareness *Training
}

// AwarenessInterval is how recent an awareness training of ISMS personnel
// must be (the AWARE-01 rule's 365 days).
const AwarenessInterval = 365

// internalAuditors are the auditors of the audits that ended within 365
// days of asOf: the people the internal-auditors requirements apply to.
func internalAuditors(m *ISMS, asOf Date) map[string]bool {
	out := map[string]bool{}
	for _, a := range m.Audits {
		if a.End.Within(asOf, 365) {
			for _, p := range a.Auditors {
				out[p] = true
			}
		}
	}
	return out
}

// RequirementApplies reports whether a competence requirement applies to
// a person: ISMS personnel, cloud security personnel, or the auditors of
// an internal audit that ended within 365 days.
func RequirementApplies(m *ISMS, r CompetenceRequirement, p Person, asOf Date) bool {
	return appliesTest(m, r, asOf)(p)
}

// RequiredOf lists the people a competence requirement applies to, in the
// order of people.
func RequiredOf(m *ISMS, r CompetenceRequirement, asOf Date) []*Person {
	applies := appliesTest(m, r, asOf)
	var out []*Person
	for i := range m.People {
		if applies(m.People[i]) {
			out = append(out, &m.People[i])
		}
	}
	return out
}

// appliesTest is RequirementApplies for one requirement, the internal
// auditors gathered once.
func appliesTest(m *ISMS, r CompetenceRequirement, asOf Date) func(Person) bool {
	switch r.AppliesTo {
	case AppliesISMSPersonnel:
		return func(p Person) bool { return IsTrue(p.ISMSPersonnel) }
	case AppliesCloudSecurityPersonnel:
		return func(p Person) bool { return IsTrue(p.CloudSecurityPersonnel) }
	case AppliesInternalAuditors:
		auditors := internalAuditors(m, asOf)
		return func(p Person) bool { return auditors[p.ID] }
	}
	return func(Person) bool { return false }
}

// TrainedWithin reports whether a person attended a training of kind (any
// when "") on topic (any when "") dated within days before asOf.
func TrainedWithin(m *ISMS, person, kind, topic string, asOf Date, days int) bool {
	last := lastTraining(m, person, kind, topic, asOf)
	return last != nil && last.Date.Within(asOf, days)
}

// lastTraining is the latest training on or before asOf that the person
// attended, of kind (any when "") and on topic (any when "").
func lastTraining(m *ISMS, person, kind, topic string, asOf Date) *Training {
	var out *Training
	for i := range m.Trainings {
		t := &m.Trainings[i]
		if kind != "" && t.Kind != kind || topic != "" && !slices.Contains(t.Topics, topic) {
			continue
		}
		if t.Date.IsZero() || t.Date.After(asOf) || !slices.Contains(t.Attendees, person) {
			continue
		}
		if out == nil || t.Date.After(out.Date) {
			out = t
		}
	}
	return out
}

// PersonRecordOf gathers a person's record at asOf; false when no person
// has the id.
func PersonRecordOf(m *ISMS, id string, asOf Date) (PersonRecord, bool) {
	i := slices.IndexFunc(m.People, func(p Person) bool { return p.ID == id })
	if i < 0 {
		return PersonRecord{}, false
	}
	rec := PersonRecord{Person: m.People[i]}
	p := rec.Person
	for _, t := range m.Trainings {
		if slices.Contains(t.Attendees, id) {
			rec.Trainings = append(rec.Trainings, t)
		}
	}
	sort.SliceStable(rec.Trainings, func(a, b int) bool { return rec.Trainings[a].Date.After(rec.Trainings[b].Date) })
	for _, r := range m.CompetenceRequirements {
		if !RequirementApplies(m, r, p, asOf) {
			continue
		}
		st := CompetenceStatus{Requirement: r, Last: lastTraining(m, id, "", r.Topic, asOf)}
		if st.Last != nil {
			st.Until = st.Last.Date.AddDays(r.Interval())
			st.Met = st.Last.Date.Within(asOf, r.Interval())
		}
		rec.Competence = append(rec.Competence, st)
	}
	if IsTrue(p.ISMSPersonnel) {
		rec.AwarenessDue = true
		rec.LastAwareness = lastTraining(m, id, TrainingAwareness, "", asOf)
		rec.AwarenessMet = rec.LastAwareness != nil && rec.LastAwareness.Date.Within(asOf, AwarenessInterval)
	}
	rec.Duties = dutiesOf(m, id)
	return rec, true
}

// dutiesOf lists what the registers make a person responsible for, in
// register order.
func dutiesOf(m *ISMS, id string) []PersonDuty {
	var out []PersonDuty
	add := func(d PersonDuty) { out = append(out, d) }
	for _, a := range m.Assets {
		if a.Owner == id {
			add(PersonDuty{Duty: DutyAssetOwner, Kind: "assets", Key: a.ID, Title: a.Name})
		}
	}
	for _, r := range m.Risks {
		if r.Owner == id {
			add(PersonDuty{Duty: DutyRiskOwner, Kind: "risks", Key: r.ID, Title: r.Title})
		}
		for _, pa := range r.Plan {
			if pa.Owner == id {
				add(PersonDuty{Duty: DutyRiskAction, Kind: "risks", Key: r.ID, Title: pa.Action, Due: pa.Due, DoneOn: pa.DoneOn})
			}
		}
	}
	for _, a := range m.Audits {
		if slices.Contains(a.Auditors, id) {
			add(PersonDuty{Duty: DutyAuditor, Kind: "audits", Key: a.ID, Title: a.Title, Due: a.End})
		}
		for _, f := range a.Findings {
			if ca := f.CorrectiveAction; ca != nil && ca.Owner == id {
				add(PersonDuty{Duty: DutyCorrectiveAction, Kind: "audits", Key: a.ID, Title: caTitle(ca, f.Description), Due: ca.Due, DoneOn: ca.DoneOn})
			}
		}
	}
	for _, a := range m.ExternalAudits {
		for _, f := range a.Findings {
			if ca := f.CorrectiveAction; ca != nil && ca.Owner == id {
				add(PersonDuty{Duty: DutyCorrectiveAction, Kind: "external_audits", Key: a.ID, Title: caTitle(ca, f.Description), Due: ca.Due, DoneOn: ca.DoneOn})
			}
		}
	}
	for _, n := range m.Nonconformities {
		if ca := n.CorrectiveAction; ca != nil && ca.Owner == id {
			add(PersonDuty{Duty: DutyCorrectiveAction, Kind: "nonconformities", Key: n.ID, Title: caTitle(ca, n.Description), Due: ca.Due, DoneOn: ca.DoneOn})
		}
	}
	for _, o := range m.Objectives {
		if o.Owner == id {
			add(PersonDuty{Duty: DutyObjective, Kind: "objectives", Key: o.ID, Title: o.Title, Due: o.Due})
		}
	}
	for _, o := range m.Opportunities {
		if o.Owner == id {
			add(PersonDuty{Duty: DutyOpportunity, Kind: "opportunities", Key: o.ID, Title: o.Title, Due: o.Due})
		}
	}
	for _, x := range m.Measurements {
		if x.Who == id || x.AnalyzedBy == id {
			add(PersonDuty{Duty: DutyMeasurement, Kind: "measurements", Key: x.ID, Title: x.What})
		}
	}
	for _, c := range m.Communications {
		if c.Who == id {
			add(PersonDuty{Duty: DutyCommunication, Kind: "communications", Key: c.ID, Title: c.Subject})
		}
	}
	for _, r := range m.Reviews {
		if r.Chair == id {
			add(PersonDuty{Duty: DutyReviewChair, Kind: "reviews", Key: r.ID, Title: r.Date.String(), Due: r.Date})
		}
		for _, o := range r.Outputs {
			if o.Owner == id {
				add(PersonDuty{Duty: DutyReviewOutput, Kind: "reviews", Key: r.ID, Title: o.Decision, Due: o.Due})
			}
		}
	}
	return out
}

// caTitle names a corrective action: its action, else what it corrects.
func caTitle(ca *CorrectiveAction, what string) string {
	if ca.Action != "" {
		return ca.Action
	}
	return what
}
