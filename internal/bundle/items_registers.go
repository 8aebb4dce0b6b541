package bundle

import (
	"regexp"

	"github.com/cloudisms/cloudisms/internal/i18n"
	"github.com/cloudisms/cloudisms/internal/isms"
)

// Enumerations of the version 2 registers (bundle.md "Version 2 additions").
var (
	certKinds        = []string{isms.CertISMS, isms.CertCloud, isms.CertITSMS, isms.CertOther}
	extAuditKinds    = []string{isms.ExtAuditStage1, isms.ExtAuditStage2, isms.ExtAuditSurveillance, isms.ExtAuditRecertification, isms.ExtAuditExtension, isms.ExtAuditSpecial}
	extFindingKinds  = []string{isms.FindingMajor, isms.FindingMinor, isms.FindingObservation, isms.FindingOpportunity}
	issueKinds       = []string{isms.IssueInternal, isms.IssueExternal}
	partyKinds       = []string{isms.PartyCloudCustomer, isms.PartyCloudProvider, "regulator", "employee", "shareholder", "partner", "supplier", "other"}
	appliesToValues  = []string{isms.AppliesISMSPersonnel, isms.AppliesCloudSecurityPersonnel, isms.AppliesInternalAuditors}
	trainingKinds    = []string{isms.TrainingAwareness, isms.TrainingCompetence}
	ncSources        = []string{isms.NCIncident, isms.NCComplaint, isms.NCMonitoring, isms.NCExternalAudit, isms.NCReview, isms.NCOther}
	incidentSeverity = []string{isms.SeverityLow, isms.SeverityMedium, isms.SeverityHigh}
)

// Register list names, as the bundle's top-level keys and the store's kinds.
const (
	KindCertificates           = "certificates"
	KindExternalAudits         = "external_audits"
	KindContextIssues          = "context_issues"
	KindInterestedParties      = "interested_parties"
	KindOpportunities          = "opportunities"
	KindObjectives             = "objectives"
	KindCompetenceRequirements = "competence_requirements"
	KindTrainings              = "trainings"
	KindCommunications         = "communications"
	KindChanges                = "changes"
	KindMeasurements           = "measurements"
	KindNonconformities        = "nonconformities"
	KindIncidents              = "incidents"
)

// RegisterKinds are the version 2 registers, in bundle order.
var RegisterKinds = []string{
	KindCertificates, KindExternalAudits, KindContextIssues, KindInterestedParties, KindOpportunities,
	KindObjectives, KindCompetenceRequirements, KindTrainings, KindCommunications, KindChanges,
	KindMeasurements, KindNonconformities, KindIncidents,
}

// clausePattern is a JIS Q 27001 clause number: 4 to 10, with up to two
// sub-numbers (4.3, 6.1.2, 10.2).
var clausePattern = regexp.MustCompile(`^(4|5|6|7|8|9|10)(\.[1-9][0-9]?){0,2}$`)

// clause reads a clause number of JIS Q 27001.
func (d *decoder) clause(n *node, path string) string {
	s := d.str(n, path)
	if n.kind == scalarNode && !clausePattern.MatchString(s) {
		d.fail(n, path, i18n.M("bundle.clause", "value", s))
	}
	return s
}

// clauseOrControl reads what an external finding cites: a clause number of
// JIS Q 27001, or a control id (checked against the catalogs).
func (d *decoder) clauseOrControl(n *node, path string) string {
	if n.kind == scalarNode && clausePattern.MatchString(n.value) {
		return n.value
	}
	return d.refTo(n, path, "control")
}

// positive reads an interval in days: an integer of at least 1.
func (d *decoder) positive(n *node, path string) *int {
	v := d.integer(n, path)
	if v != nil && *v < 1 {
		d.fail(n, path, i18n.M("bundle.positive", "value", *v))
	}
	return v
}

// correctiveAction reads a corrective action as audits have it.
func (d *decoder) correctiveAction(n *node, path string) *isms.CorrectiveAction {
	c := &isms.CorrectiveAction{}
	d.object(n, path, []field{
		{"cause", false, func(v *node, p string) { c.Cause = d.str(v, p) }},
		{"action", false, func(v *node, p string) { c.Action = d.str(v, p) }},
		{"owner", false, func(v *node, p string) { c.Owner = d.refTo(v, p, "people") }},
		{"due", false, func(v *node, p string) { c.Due = d.date(v, p) }},
		{"done_on", false, func(v *node, p string) { c.DoneOn = d.date(v, p) }},
		{"effective", false, func(v *node, p string) { c.Effective = d.boolean(v, p) }},
		{"verified_by", false, func(v *node, p string) { c.VerifiedBy = d.refTo(v, p, "people") }},
		{"evidence", false, func(v *node, p string) { c.Evidence = d.evidence(v, p) }},
	})
	return c
}

// registerFields are the top-level fields of the version 2 registers: a
// list each, whose items decodeRegister reads.
func (d *decoder) registerFields(m *isms.ISMS) []field {
	fs := make([]field, len(RegisterKinds))
	for i, kind := range RegisterKinds {
		fs[i] = field{kind, false, func(v *node, p string) {
			d.list(v, p, func(it *node, ip string) { d.decodeRegister(kind, it, ip, m) })
		}}
	}
	return fs
}

func (d *decoder) certificate(n *node, path string) (x isms.Certificate) {
	d.object(n, path, []field{
		{"id", true, func(v *node, p string) { x.ID = d.id(v, p, KindCertificates) }},
		{"kind", true, func(v *node, p string) { x.Kind = d.enum(v, p, certKinds...) }},
		{"standard", false, func(v *node, p string) { x.Standard = d.str(v, p) }},
		{"body", false, func(v *node, p string) { x.Body = d.str(v, p) }},
		{"number", false, func(v *node, p string) { x.Number = d.str(v, p) }},
		{"issued", false, func(v *node, p string) { x.Issued = d.date(v, p) }},
		{"expires", false, func(v *node, p string) { x.Expires = d.date(v, p) }},
		{"scope", false, func(v *node, p string) { x.Scope = d.str(v, p) }},
		{"base", false, func(v *node, p string) { x.Base = d.refTo(v, p, KindCertificates) }},
		{"evidence", false, func(v *node, p string) { x.Evidence = d.evidence(v, p) }},
	})
	if !x.Issued.IsZero() && !x.Expires.IsZero() && x.Expires.Before(x.Issued) {
		d.fail(n, join(path, "expires"), i18n.M("bundle.end_before_start", "start", x.Issued, "end", x.Expires))
	}
	if x.Base != "" && x.Base == x.ID {
		d.fail(n, join(path, "base"), i18n.M("bundle.self_ref", "id", x.ID))
	}
	return x
}

func (d *decoder) externalAudit(n *node, path string) (a isms.ExternalAudit) {
	d.object(n, path, []field{
		{"id", true, func(v *node, p string) { a.ID = d.id(v, p, KindExternalAudits) }},
		{"kind", true, func(v *node, p string) { a.Kind = d.enum(v, p, extAuditKinds...) }},
		{"certificate", false, func(v *node, p string) { a.Certificate = d.refTo(v, p, KindCertificates) }},
		{"body", false, func(v *node, p string) { a.Body = d.str(v, p) }},
		{"date", true, func(v *node, p string) { a.Date = d.date(v, p) }},
		{"end", false, func(v *node, p string) { a.End = d.date(v, p) }},
		{"findings", false, func(v *node, p string) {
			list := KindExternalAudits + "/" + a.ID + "/findings"
			d.list(v, p, func(it *node, ip string) { a.Findings = append(a.Findings, d.externalFinding(it, ip, list)) })
		}},
		{"evidence", false, func(v *node, p string) { a.Evidence = d.evidence(v, p) }},
	})
	if !a.Date.IsZero() && !a.End.IsZero() && a.End.Before(a.Date) {
		d.fail(n, join(path, "end"), i18n.M("bundle.end_before_start", "start", a.Date, "end", a.End))
	}
	return a
}

func (d *decoder) externalFinding(n *node, path, list string) (f isms.ExternalFinding) {
	d.object(n, path, []field{
		{"id", true, func(v *node, p string) { f.ID = d.id(v, p, list) }},
		{"kind", true, func(v *node, p string) { f.Kind = d.enum(v, p, extFindingKinds...) }},
		{"clause", false, func(v *node, p string) { f.Clause = d.clauseOrControl(v, p) }},
		{"description", false, func(v *node, p string) { f.Description = d.str(v, p) }},
		{"corrective_action", false, func(v *node, p string) { f.CorrectiveAction = d.correctiveAction(v, p) }},
		{"evidence", false, func(v *node, p string) { f.Evidence = d.evidence(v, p) }},
	})
	return f
}

func (d *decoder) contextIssue(n *node, path string) (x isms.ContextIssue) {
	d.object(n, path, []field{
		{"id", true, func(v *node, p string) { x.ID = d.id(v, p, KindContextIssues) }},
		{"kind", true, func(v *node, p string) { x.Kind = d.enum(v, p, issueKinds...) }},
		{"description", true, func(v *node, p string) { x.Description = d.str(v, p) }},
		{"reviewed_on", false, func(v *node, p string) { x.ReviewedOn = d.date(v, p) }},
	})
	return x
}

func (d *decoder) interestedParty(n *node, path string) (x isms.InterestedParty) {
	d.object(n, path, []field{
		{"id", true, func(v *node, p string) { x.ID = d.id(v, p, KindInterestedParties) }},
		{"name", true, func(v *node, p string) { x.Name = d.str(v, p) }},
		{"kind", true, func(v *node, p string) { x.Kind = d.enum(v, p, partyKinds...) }},
		{"requirements", false, func(v *node, p string) { x.Requirements = d.strs(v, p, d.text) }},
		{"addressed_by", false, func(v *node, p string) { x.AddressedBy = d.strs(v, p, d.text) }},
		{"reviewed_on", false, func(v *node, p string) { x.ReviewedOn = d.date(v, p) }},
	})
	return x
}

func (d *decoder) opportunity(n *node, path string) (x isms.Opportunity) {
	d.object(n, path, []field{
		{"id", true, func(v *node, p string) { x.ID = d.id(v, p, KindOpportunities) }},
		{"title", true, func(v *node, p string) { x.Title = d.str(v, p) }},
		{"description", false, func(v *node, p string) { x.Description = d.str(v, p) }},
		{"sources", false, func(v *node, p string) { x.Sources = d.strs(v, p, d.refs_("source")) }},
		{"owner", false, func(v *node, p string) { x.Owner = d.refTo(v, p, "people") }},
		{"action", false, func(v *node, p string) { x.Action = d.str(v, p) }},
		{"due", false, func(v *node, p string) { x.Due = d.date(v, p) }},
	})
	return x
}

func (d *decoder) planActions(n *node, path string) []isms.PlanAction {
	var out []isms.PlanAction
	d.list(n, path, func(it *node, ip string) {
		var a isms.PlanAction
		d.object(it, ip, []field{
			{"action", true, func(v *node, p string) { a.Action = d.str(v, p) }},
			{"owner", false, func(v *node, p string) { a.Owner = d.refTo(v, p, "people") }},
			{"due", false, func(v *node, p string) { a.Due = d.date(v, p) }},
			{"done_on", false, func(v *node, p string) { a.DoneOn = d.date(v, p) }},
		})
		out = append(out, a)
	})
	return out
}

func (d *decoder) objective(n *node, path string) (x isms.Objective) {
	d.object(n, path, []field{
		{"id", true, func(v *node, p string) { x.ID = d.id(v, p, KindObjectives) }},
		{"title", true, func(v *node, p string) { x.Title = d.str(v, p) }},
		{"measure", false, func(v *node, p string) { x.Measure = d.str(v, p) }},
		{"target", false, func(v *node, p string) { x.Target = d.str(v, p) }},
		{"owner", false, func(v *node, p string) { x.Owner = d.refTo(v, p, "people") }},
		{"due", false, func(v *node, p string) { x.Due = d.date(v, p) }},
		{"services", false, func(v *node, p string) { x.Services = d.strs(v, p, d.refs_("cloud_services")) }},
		{"plan", false, func(v *node, p string) { x.Plan = d.planActions(v, p) }},
		{"results", false, func(v *node, p string) {
			d.list(v, p, func(it *node, ip string) {
				var r isms.ObjectiveResult
				d.object(it, ip, []field{
					{"date", true, func(v *node, p string) { r.Date = d.date(v, p) }},
					{"value", false, func(v *node, p string) { r.Value = d.str(v, p) }},
					{"met", false, func(v *node, p string) { r.Met = d.boolean(v, p) }},
					{"note", false, func(v *node, p string) { r.Note = d.str(v, p) }},
				})
				x.Results = append(x.Results, r)
			})
		}},
	})
	return x
}

func (d *decoder) competenceRequirement(n *node, path string) (x isms.CompetenceRequirement) {
	d.object(n, path, []field{
		{"id", true, func(v *node, p string) { x.ID = d.id(v, p, KindCompetenceRequirements) }},
		{"applies_to", true, func(v *node, p string) { x.AppliesTo = d.enum(v, p, appliesToValues...) }},
		{"topic", true, func(v *node, p string) { x.Topic = d.str(v, p) }},
		{"interval_days", false, func(v *node, p string) { x.IntervalDays = d.positive(v, p) }},
	})
	return x
}

func (d *decoder) training(n *node, path string) (x isms.Training) {
	d.object(n, path, []field{
		{"id", true, func(v *node, p string) { x.ID = d.id(v, p, KindTrainings) }},
		{"title", true, func(v *node, p string) { x.Title = d.str(v, p) }},
		{"kind", true, func(v *node, p string) { x.Kind = d.enum(v, p, trainingKinds...) }},
		{"topics", false, func(v *node, p string) { x.Topics = d.strs(v, p, d.text) }},
		{"date", true, func(v *node, p string) { x.Date = d.date(v, p) }},
		{"attendees", false, func(v *node, p string) { x.Attendees = d.strs(v, p, d.refs_("people")) }},
		{"evidence", false, func(v *node, p string) { x.Evidence = d.evidence(v, p) }},
	})
	return x
}

func (d *decoder) communication(n *node, path string) (x isms.Communication) {
	d.object(n, path, []field{
		{"id", true, func(v *node, p string) { x.ID = d.id(v, p, KindCommunications) }},
		{"subject", true, func(v *node, p string) { x.Subject = d.str(v, p) }},
		{"audience", false, func(v *node, p string) { x.Audience = d.strs(v, p, d.refs_(KindInterestedParties)) }},
		{"when", false, func(v *node, p string) { x.When = d.str(v, p) }},
		{"who", false, func(v *node, p string) { x.Who = d.refTo(v, p, "people") }},
		{"how", false, func(v *node, p string) { x.How = d.str(v, p) }},
	})
	return x
}

func (d *decoder) change(n *node, path string) (x isms.Change) {
	d.object(n, path, []field{
		{"id", true, func(v *node, p string) { x.ID = d.id(v, p, KindChanges) }},
		{"description", true, func(v *node, p string) { x.Description = d.str(v, p) }},
		{"date", false, func(v *node, p string) { x.Date = d.date(v, p) }},
		{"reason", false, func(v *node, p string) { x.Reason = d.str(v, p) }},
		{"approval", false, func(v *node, p string) { x.Approval = d.approval(v, p) }},
	})
	return x
}

func (d *decoder) measurement(n *node, path string) (x isms.Measurement) {
	d.object(n, path, []field{
		{"id", true, func(v *node, p string) { x.ID = d.id(v, p, KindMeasurements) }},
		{"what", true, func(v *node, p string) { x.What = d.str(v, p) }},
		{"method", false, func(v *node, p string) { x.Method = d.str(v, p) }},
		{"when", false, func(v *node, p string) { x.When = d.str(v, p) }},
		{"who", false, func(v *node, p string) { x.Who = d.refTo(v, p, "people") }},
		{"analyzed_by", false, func(v *node, p string) { x.AnalyzedBy = d.refTo(v, p, "people") }},
		{"objective", false, func(v *node, p string) { x.Objective = d.refTo(v, p, KindObjectives) }},
		{"results", false, func(v *node, p string) {
			d.list(v, p, func(it *node, ip string) {
				var r isms.MeasurementResult
				d.object(it, ip, []field{
					{"date", true, func(v *node, p string) { r.Date = d.date(v, p) }},
					{"value", false, func(v *node, p string) { r.Value = d.str(v, p) }},
					{"note", false, func(v *node, p string) { r.Note = d.str(v, p) }},
					{"evidence", false, func(v *node, p string) { r.Evidence = d.evidence(v, p) }},
				})
				x.Results = append(x.Results, r)
			})
		}},
	})
	return x
}

func (d *decoder) nonconformity(n *node, path string) (x isms.Nonconformity) {
	d.object(n, path, []field{
		{"id", true, func(v *node, p string) { x.ID = d.id(v, p, KindNonconformities) }},
		{"source", true, func(v *node, p string) { x.Source = d.enum(v, p, ncSources...) }},
		{"date", true, func(v *node, p string) { x.Date = d.date(v, p) }},
		{"description", true, func(v *node, p string) { x.Description = d.str(v, p) }},
		{"correction", false, func(v *node, p string) { x.Correction = d.str(v, p) }},
		{"corrective_action", false, func(v *node, p string) { x.CorrectiveAction = d.correctiveAction(v, p) }},
	})
	return x
}

func (d *decoder) incident(n *node, path string) (x isms.Incident) {
	d.object(n, path, []field{
		{"id", true, func(v *node, p string) { x.ID = d.id(v, p, KindIncidents) }},
		{"title", true, func(v *node, p string) { x.Title = d.str(v, p) }},
		{"date", true, func(v *node, p string) { x.Date = d.date(v, p) }},
		{"severity", false, func(v *node, p string) { x.Severity = d.enum(v, p, incidentSeverity...) }},
		{"services", false, func(v *node, p string) { x.Services = d.strs(v, p, d.refs_("cloud_services")) }},
		{"customers_notified", false, func(v *node, p string) { x.CustomersNotified = d.boolean(v, p) }},
		{"nonconformity", false, func(v *node, p string) { x.Nonconformity = d.refTo(v, p, KindNonconformities) }},
		{"notes", false, func(v *node, p string) { x.Notes = d.str(v, p) }},
	})
	return x
}

// decodeRegister reads one item of a version 2 register into m; false when
// kind is not one.
func (d *decoder) decodeRegister(kind string, n *node, p string, m *isms.ISMS) bool {
	switch kind {
	case KindCertificates:
		m.Certificates = append(m.Certificates, d.certificate(n, p))
	case KindExternalAudits:
		m.ExternalAudits = append(m.ExternalAudits, d.externalAudit(n, p))
	case KindContextIssues:
		m.ContextIssues = append(m.ContextIssues, d.contextIssue(n, p))
	case KindInterestedParties:
		m.InterestedParties = append(m.InterestedParties, d.interestedParty(n, p))
	case KindOpportunities:
		m.Opportunities = append(m.Opportunities, d.opportunity(n, p))
	case KindObjectives:
		m.Objectives = append(m.Objectives, d.objective(n, p))
	case KindCompetenceRequirements:
		m.CompetenceRequirements = append(m.CompetenceRequirements, d.competenceRequirement(n, p))
	case KindTrainings:
		m.Trainings = append(m.Trainings, d.training(n, p))
	case KindCommunications:
		m.Communications = append(m.Communications, d.communication(n, p))
	case KindChanges:
		m.Changes = append(m.Changes, d.change(n, p))
	case KindMeasurements:
		m.Measurements = append(m.Measurements, d.measurement(n, p))
	case KindNonconformities:
		m.Nonconformities = append(m.Nonconformities, d.nonconformity(n, p))
	case KindIncidents:
		m.Incidents = append(m.Incidents, d.incident(n, p))
	default:
		return false
	}
	return true
}
