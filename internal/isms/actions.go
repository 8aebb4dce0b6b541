package isms

import "sort"

// The corrective actions of every source (internal audits, the
// certification body's audits, nonconformities of 10.2), and the
// certification's dates, as the dashboard and the reports list them.

// Sources of a corrective action.
const (
	ActionFromAudit         = "audit"
	ActionFromExternalAudit = "external-audit"
	ActionFromNC            = "nonconformity"
)

// ActionRecord is a nonconformity of any source with its corrective
// action (nil when none has been decided yet).
type ActionRecord struct {
	Source      string // ActionFrom…
	Kind        string // the item's kind: audits, external_audits, nonconformities
	Key         string // the item's key
	FindingID   string // the finding within the audit ("" for a nonconformity)
	Date        Date   // when it was found
	Grade       string // major, minor (audits), or the nonconformity's source
	Clause      string // the clause or control cited
	Description string
	Action      *CorrectiveAction
}

// PastDue reports whether an action due on due and done on doneOn (zero:
// not done) is overdue at asOf: it has a due date, that date is before
// asOf, and it is not done.
func PastDue(due, doneOn, asOf Date) bool {
	return !due.IsZero() && due.Before(asOf) && doneOn.IsZero()
}

// Overdue reports whether the corrective action is due before asOf and
// not done.
func (a ActionRecord) Overdue(asOf Date) bool { return a.Action.Overdue(asOf) }

// ID names the nonconformity in messages: the item's key, with the
// finding's id for an audit's finding (ea-25/x1).
func (a ActionRecord) ID() string {
	if a.FindingID == "" {
		return a.Key
	}
	return a.Key + "/" + a.FindingID
}

// Subject is the nonconformity's path as findings name it
// (external_audits/ea-25/findings/x1, nonconformities/nc-1).
func (a ActionRecord) Subject() string {
	if a.FindingID == "" {
		return a.Kind + "/" + a.Key
	}
	return a.Kind + "/" + a.Key + "/findings/" + a.FindingID
}

// Overdue reports whether a corrective action is due before asOf and not
// done (nil, no action decided: not overdue).
func (c *CorrectiveAction) Overdue(asOf Date) bool {
	return c != nil && PastDue(c.Due, c.DoneOn, asOf)
}

// Verified reports whether a corrective action's effectiveness has been
// reviewed: found effective, and by whom.
func (c *CorrectiveAction) Verified() bool {
	return c != nil && IsTrue(c.Effective) && c.VerifiedBy != ""
}

// Nonconformities lists the nonconformities of every source in the order
// found: major and minor findings of internal and external audits, and the
// nonconformities register.
func Nonconformities(m *ISMS) []ActionRecord {
	out := append(AuditNonconformities(m), RegisterNonconformities(m)...)
	sort.SliceStable(out, func(i, j int) bool { return out[i].Date.Before(out[j].Date) })
	return out
}

// AuditNonconformities lists the major and minor findings of the internal
// audits, in document order.
func AuditNonconformities(m *ISMS) []ActionRecord {
	var out []ActionRecord
	for _, a := range m.Audits {
		for _, f := range a.Findings {
			if f.Kind == FindingMajor || f.Kind == FindingMinor {
				out = append(out, ActionRecord{Source: ActionFromAudit, Kind: "audits", Key: a.ID, FindingID: f.ID,
					Date: a.End, Grade: f.Kind, Clause: f.Control, Description: f.Description, Action: f.CorrectiveAction})
			}
		}
	}
	return out
}

// RegisterNonconformities lists the nonconformities of 10.2 outside the
// internal audits, in document order: the nonconformities register, then
// the major and minor findings of the certification body's audits.
func RegisterNonconformities(m *ISMS) []ActionRecord {
	var out []ActionRecord
	for _, n := range m.Nonconformities {
		out = append(out, ActionRecord{Source: ActionFromNC, Kind: "nonconformities", Key: n.ID,
			Date: n.Date, Grade: n.Source, Description: n.Description, Action: n.CorrectiveAction})
	}
	for _, a := range m.ExternalAudits {
		date := a.End
		if date.IsZero() {
			date = a.Date
		}
		for _, f := range a.Findings {
			if f.IsNonconformity() {
				out = append(out, ActionRecord{Source: ActionFromExternalAudit, Kind: "external_audits", Key: a.ID, FindingID: f.ID,
					Date: date, Grade: f.Kind, Clause: f.Clause, Description: f.Description, Action: f.CorrectiveAction})
			}
		}
	}
	return out
}

// OverdueActions are the corrective actions of every source due before
// asOf and not done, the longest overdue first.
func OverdueActions(m *ISMS, asOf Date) []ActionRecord {
	var out []ActionRecord
	for _, a := range Nonconformities(m) {
		if a.Overdue(asOf) {
			out = append(out, a)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Action.Due.Before(out[j].Action.Due) })
	return out
}

// CertificateExpiry is a certificate and the days left until it expires
// (negative: expired; meaningful only when Expires is set).
type CertificateExpiry struct {
	Certificate
	DaysLeft int
}

// Expired reports whether the certificate has an expiry and it has passed.
func (e CertificateExpiry) Expired() bool {
	return !e.Expires.IsZero() && e.DaysLeft < 0
}

// Soon reports whether the certificate expires within
// RenewalWindowDays and has not expired yet.
func (e CertificateExpiry) Soon() bool {
	return !e.Expires.IsZero() && e.DaysLeft >= 0 && e.DaysLeft <= RenewalWindowDays
}

// CertificateExpiries lists the certificates, the soonest to expire first
// (those without an expiry last).
func CertificateExpiries(m *ISMS, asOf Date) []CertificateExpiry {
	out := make([]CertificateExpiry, 0, len(m.Certificates))
	for _, c := range m.Certificates {
		e := CertificateExpiry{Certificate: c}
		if !c.Expires.IsZero() {
			e.DaysLeft = c.Expires.DaysSince(asOf)
		}
		out = append(out, e)
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i].Expires, out[j].Expires
		if a.IsZero() != b.IsZero() {
			return b.IsZero()
		}
		return a.Before(b)
	})
	return out
}

// NextExternalAudit is the certification body's next audit: the earliest
// one that starts on or after asOf (nil when none is planned).
func NextExternalAudit(m *ISMS, asOf Date) *ExternalAudit {
	var out *ExternalAudit
	for i := range m.ExternalAudits {
		a := &m.ExternalAudits[i]
		if a.Date.Before(asOf) {
			continue
		}
		if out == nil || a.Date.Before(out.Date) {
			out = a
		}
	}
	return out
}

// CorrectiveActions lists every decided corrective action, whatever the
// finding's grade (an observation may carry one too): internal audits'
// findings, the certification body's findings, then the nonconformities
// register, in document order. These are the actions an owner can be
// given.
func CorrectiveActions(m *ISMS) []ActionRecord {
	var out []ActionRecord
	for _, a := range m.Audits {
		for _, f := range a.Findings {
			if f.CorrectiveAction != nil {
				out = append(out, ActionRecord{Source: ActionFromAudit, Kind: "audits", Key: a.ID, FindingID: f.ID,
					Date: a.End, Grade: f.Kind, Clause: f.Control, Description: f.Description, Action: f.CorrectiveAction})
			}
		}
	}
	for _, a := range m.ExternalAudits {
		date := a.End
		if date.IsZero() {
			date = a.Date
		}
		for _, f := range a.Findings {
			if f.CorrectiveAction != nil {
				out = append(out, ActionRecord{Source: ActionFromExternalAudit, Kind: "external_audits", Key: a.ID, FindingID: f.ID,
					Date: date, Grade: f.Kind, Clause: f.Clause, Description: f.Description, Action: f.CorrectiveAction})
			}
		}
	}
	for _, n := range m.Nonconformities {
		if n.CorrectiveAction != nil {
			out = append(out, ActionRecord{Source: ActionFromNC, Kind: "nonconformities", Key: n.ID,
				Date: n.Date, Grade: n.Source, Description: n.Description, Action: n.CorrectiveAction})
		}
	}
	return out
}
