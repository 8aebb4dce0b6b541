package isms

// The evidence list: every evidence file the ISMS names, with the item
// and the part of it the file proves, and how long the file stays
// current. A file is old when it was collected longer ago than the
// interval of what it proves: a document's review interval, a provider
// verification's interval, a backup's restore-test interval, the risk
// criteria's reassessment interval; anything else (SoA rows, findings,
// records of the registers, reviews) by the default interval the reader
// chooses, a year unless told otherwise.

// What sets an evidence file's interval.
const (
	BasisDocument     = "document"     // the document's review interval
	BasisVerification = "verification" // the verification's interval
	BasisRestoreTest  = "restore-test" // the backup's restore-test interval
	BasisReassessment = "reassessment" // the risk criteria's reassessment interval
	BasisDefault      = "default"      // the default interval
)

// DefaultEvidenceInterval is the default interval of evidence in days
// (12 months).
const DefaultEvidenceInterval = 365

// The parts of an item a file can prove besides the item itself.
const (
	PartFinding          = "finding"
	PartCorrectiveAction = "corrective-action"
	PartRestoreTest      = "restore-test"
	PartMonitoringEntry  = "monitoring-entry"
	PartResult           = "result"
)

// EvidencePlace is one evidence file where the ISMS names it.
type EvidencePlace struct {
	Evidence
	Kind string // the item's kind: documents, soa_rows, risks, backups, ...
	// ID is the item's id; an SoA row's control; the service of a backup
	// or a monitoring item.
	ID   string
	Seq  int  // position among the items of the kind (backups, monitoring: they have no id)
	SoA  *SoA // the SoA of a row
	Part string
	// PartID names the part: a finding's id, a test's or a result's
	// date, a monitoring entry's subject.
	PartID   string
	Interval int // days the file stays current
	Basis    string
}

// Old reports whether a file collected on collected is older than its
// interval at asOf.
func (e EvidencePlace) Old(collected, asOf Date) bool {
	return !collected.IsZero() && collected.AddDays(e.Interval).Before(asOf)
}

// EvidencePlaces lists every evidence file the ISMS names, in document
// order, with its interval; defaultDays (0: DefaultEvidenceInterval) is
// the interval of what has none of its own.
func EvidencePlaces(m *ISMS, defaultDays int) []EvidencePlace {
	if defaultDays <= 0 {
		defaultDays = DefaultEvidenceInterval
	}
	var out []EvidencePlace
	add := func(es []Evidence, p EvidencePlace) {
		if p.Basis == "" {
			p.Interval, p.Basis = defaultDays, BasisDefault
		}
		for _, e := range es {
			p.Evidence = e
			out = append(out, p)
		}
	}
	actionOf := func(kind, id, finding string, ca *CorrectiveAction) {
		if ca != nil {
			add(ca.Evidence, EvidencePlace{Kind: kind, ID: id, Part: PartCorrectiveAction, PartID: finding})
		}
	}
	for _, d := range m.Documents {
		add(d.Evidence, EvidencePlace{Kind: "documents", ID: d.ID, Interval: d.ReviewInterval(), Basis: BasisDocument})
	}
	for _, r := range m.Risks {
		add(r.Evidence, EvidencePlace{Kind: "risks", ID: r.ID, Interval: m.Criteria.ReassessmentInterval(), Basis: BasisReassessment})
	}
	for i := range m.SoAs {
		s := &m.SoAs[i]
		for _, r := range s.Rows {
			add(r.Evidence, EvidencePlace{Kind: "soa_rows", ID: r.Control, SoA: s})
		}
	}
	for i := range m.Verifications {
		v := &m.Verifications[i]
		add(v.Evidence, EvidencePlace{Kind: "verifications", ID: v.ID, Interval: v.Interval(), Basis: BasisVerification})
	}
	for i, b := range m.Backups {
		for _, t := range b.Tests {
			add(t.Evidence, EvidencePlace{Kind: "backups", ID: b.Service, Seq: i, Part: PartRestoreTest, PartID: t.Date.String(), Interval: b.Interval(), Basis: BasisRestoreTest})
		}
	}
	for i, mo := range m.Monitoring {
		for _, it := range mo.Items {
			add(it.Evidence, EvidencePlace{Kind: "monitoring", ID: mo.Service, Seq: i, Part: PartMonitoringEntry, PartID: it.What})
		}
	}
	for _, a := range m.Audits {
		for _, f := range a.Findings {
			add(f.Evidence, EvidencePlace{Kind: "audits", ID: a.ID, Part: PartFinding, PartID: f.ID})
			actionOf("audits", a.ID, f.ID, f.CorrectiveAction)
		}
	}
	for _, r := range m.Reviews {
		add(r.Evidence, EvidencePlace{Kind: "reviews", ID: r.ID})
	}
	for _, c := range m.Certificates {
		add(c.Evidence, EvidencePlace{Kind: "certificates", ID: c.ID})
	}
	for _, a := range m.ExternalAudits {
		add(a.Evidence, EvidencePlace{Kind: "external_audits", ID: a.ID})
		for _, f := range a.Findings {
			add(f.Evidence, EvidencePlace{Kind: "external_audits", ID: a.ID, Part: PartFinding, PartID: f.ID})
			actionOf("external_audits", a.ID, f.ID, f.CorrectiveAction)
		}
	}
	for _, t := range m.Trainings {
		add(t.Evidence, EvidencePlace{Kind: "trainings", ID: t.ID})
	}
	for _, x := range m.Measurements {
		for _, r := range x.Results {
			add(r.Evidence, EvidencePlace{Kind: "measurements", ID: x.ID, Part: PartResult, PartID: r.Date.String()})
		}
	}
	for _, n := range m.Nonconformities {
		actionOf("nonconformities", n.ID, "", n.CorrectiveAction)
	}
	return out
}
