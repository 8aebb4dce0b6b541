package isms

// The registers of bundle format version 2 (spec/bundle.md "Version 2
// additions"): what an ISMS office keeps besides the cloud part, clauses 4
// to 10 of JIS Q 27001 and the certification records.

// Certificate kinds.
const (
	CertISMS  = "isms"
	CertCloud = "cloud"
	CertITSMS = "itsms"
	CertOther = "other"
)

// Certificate is a certificate the organization holds.
type Certificate struct {
	ID       string
	Kind     string // isms, cloud, itsms, other
	Standard string // e.g. iso27001:2022, jip-isms517
	Body     string // the certification body
	Number   string
	Issued   Date
	Expires  Date
	Scope    string // the registered scope text
	Base     string // certificate id: the ISMS certificate a cloud certificate extends
	Evidence []Evidence
}

// RenewalWindowDays is how many days before its expiry a certificate is
// due for renewal: its recertification audit should be planned by then
// (CERT-02), and lists mark it as expiring soon.
const RenewalWindowDays = 90

// External audit kinds (審査 of the certification body).
const (
	ExtAuditStage1          = "stage1"
	ExtAuditStage2          = "stage2"
	ExtAuditSurveillance    = "surveillance"
	ExtAuditRecertification = "recertification"
	ExtAuditExtension       = "extension"
	ExtAuditSpecial         = "special"
)

// ExternalAudit is an audit by the certification body.
type ExternalAudit struct {
	ID          string
	Kind        string
	Certificate string
	Body        string
	Date        Date
	End         Date
	Findings    []ExternalFinding
	Evidence    []Evidence // the audit report
}

// Finding kinds of an external audit besides major, minor and observation.
const FindingOpportunity = "opportunity"

// ExternalFinding is a finding of the certification body.
type ExternalFinding struct {
	ID               string
	Kind             string // major, minor, observation, opportunity
	Clause           string // clause or control id
	Description      string
	CorrectiveAction *CorrectiveAction
	Evidence         []Evidence
}

// IsNonconformity reports whether the finding is a nonconformity (major or minor).
func (f ExternalFinding) IsNonconformity() bool {
	return f.Kind == FindingMajor || f.Kind == FindingMinor
}

// Context issue kinds.
const (
	IssueInternal = "internal"
	IssueExternal = "external"
)

// ContextIssue is an internal or external issue (JIS Q 27001 4.1).
type ContextIssue struct {
	ID          string
	Kind        string
	Description string
	ReviewedOn  Date
}

// Interested party kinds the rules look for.
const (
	PartyCloudCustomer = "cloud-customer"
	PartyCloudProvider = "cloud-provider"
)

// InterestedParty is an interested party and its requirements (4.2).
type InterestedParty struct {
	ID           string
	Name         string
	Kind         string
	Requirements []string
	AddressedBy  []string
	ReviewedOn   Date
}

// Opportunity is an opportunity to address (6.1.1).
type Opportunity struct {
	ID          string
	Title       string
	Description string
	Sources     []string // risk source ids
	Owner       string
	Action      string
	Due         Date
}

// Objective is an information security objective (6.2).
type Objective struct {
	ID       string
	Title    string
	Measure  string
	Target   string
	Owner    string
	Due      Date
	Services []string
	Plan     []PlanAction
	Results  []ObjectiveResult
}

// ObjectiveResult is one evaluation of an objective.
type ObjectiveResult struct {
	Date  Date
	Value string
	Met   *bool
	Note  string
}

// Latest returns the objective's result with the latest date (nil when none).
func (o Objective) Latest() *ObjectiveResult {
	var out *ObjectiveResult
	for i := range o.Results {
		if out == nil || o.Results[i].Date.After(out.Date) {
			out = &o.Results[i]
		}
	}
	return out
}

// Whom a competence requirement applies to.
const (
	AppliesISMSPersonnel          = "isms-personnel"
	AppliesCloudSecurityPersonnel = "cloud-security-personnel"
	AppliesInternalAuditors       = "internal-auditors"
)

// DefaultCompetenceInterval applies when a requirement gives no interval.
const DefaultCompetenceInterval = 365

// CompetenceRequirement is a competence the ISMS determines for a group of
// people (7.2).
type CompetenceRequirement struct {
	ID           string
	AppliesTo    string
	Topic        string
	IntervalDays *int
}

// Interval is the requirement's interval in days, defaulted.
func (c CompetenceRequirement) Interval() int {
	return daysOr(c.IntervalDays, DefaultCompetenceInterval)
}

// Training kinds.
const (
	TrainingAwareness  = "awareness"
	TrainingCompetence = "competence"
)

// Training is a training or awareness session and who attended (7.2, 7.3).
type Training struct {
	ID        string
	Title     string
	Kind      string
	Topics    []string
	Date      Date
	Attendees []string
	Evidence  []Evidence
}

// Communication is what is communicated, to whom, when, by whom, how (7.4).
type Communication struct {
	ID       string
	Subject  string
	Audience []string // interested party ids
	When     string
	Who      string
	How      string
}

// Change is a planned change to the ISMS (6.3).
type Change struct {
	ID          string
	Description string
	Date        Date
	Reason      string
	Approval    *Approval
}

// Measurement is what is monitored and measured, and its results (9.1).
type Measurement struct {
	ID         string
	What       string
	Method     string
	When       string
	Who        string
	AnalyzedBy string
	Objective  string
	Results    []MeasurementResult
}

// MeasurementResult is one result of a measurement.
type MeasurementResult struct {
	Date     Date
	Value    string
	Note     string
	Evidence []Evidence
}

// Nonconformity sources.
const (
	NCIncident      = "incident"
	NCComplaint     = "complaint"
	NCMonitoring    = "monitoring"
	NCExternalAudit = "external-audit"
	NCReview        = "review"
	NCOther         = "other"
)

// Nonconformity is a nonconformity from any source and its corrective
// action (10.2).
type Nonconformity struct {
	ID               string
	Source           string
	Date             Date
	Description      string
	Correction       string
	CorrectiveAction *CorrectiveAction
}

// Incident severities.
const (
	SeverityLow    = "low"
	SeverityMedium = "medium"
	SeverityHigh   = "high"
)

// Incident is an information security incident.
type Incident struct {
	ID                string
	Title             string
	Date              Date
	Severity          string
	Services          []string
	CustomersNotified *bool
	Nonconformity     string
	Notes             string
}

// DefaultDocumentReviewInterval applies when a document gives no review interval.
const DefaultDocumentReviewInterval = 365

// LastReviewed is the document's last review: its reviewed_on when given,
// else its approval date (zero when neither).
func (d Document) LastReviewed() Date {
	if !d.ReviewedOn.IsZero() {
		return d.ReviewedOn
	}
	if d.Approval != nil {
		return d.Approval.Date
	}
	return Date{}
}

// ReviewInterval is the document's review interval in days, defaulted.
func (d Document) ReviewInterval() int {
	return daysOr(d.ReviewIntervalDays, DefaultDocumentReviewInterval)
}

// ReviewDue is when the document's next review falls due: its last review
// plus its interval, and false when it was never reviewed (nothing is due
// then: the review is missing, which readers are told apart).
func (d Document) ReviewDue() (Date, bool) {
	last := d.LastReviewed()
	if last.IsZero() {
		return Date{}, false
	}
	return last.AddDays(d.ReviewInterval()), true
}

// ReviewOverdue reports whether the document's review was due before asOf
// (false for a document never reviewed: see ReviewDue).
func (d Document) ReviewOverdue(asOf Date) bool {
	due, ok := d.ReviewDue()
	return ok && due.Before(asOf)
}
