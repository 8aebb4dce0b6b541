package conformity_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/cloudisms/cloudisms/internal/conformity"
	"github.com/cloudisms/cloudisms/internal/isms"
)

// The rules on the version 2 registers, built from the samples (which
// check clean) like the other rules' cases.

var registerSpecRules = []struct{ id, severity string }{
	{"CERT-01", "error"}, {"CERT-02", "warning"},
	{"CTX-01", "error"}, {"CTX-02", "warning"}, {"CTX-03", "error"}, {"CTX-04", "error"}, {"OPP-01", "warning"},
	{"OBJ-01", "error"}, {"OBJ-02", "warning"}, {"COMP-01", "error"}, {"COMP-02", "error"}, {"AWARE-01", "warning"},
	{"DOC-01", "error"}, {"DOC-02", "warning"},
	{"MEAS-01", "error"}, {"NC-01", "error"}, {"NC-02", "warning"}, {"NC-03", "warning"}, {"INC-01", "warning"},
}

func cert(m *isms.ISMS, id string) *isms.Certificate {
	return pick(m.Certificates, func(x isms.Certificate) bool { return x.ID == id })
}
func extAudit(m *isms.ISMS, id string) *isms.ExternalAudit {
	return pick(m.ExternalAudits, func(x isms.ExternalAudit) bool { return x.ID == id })
}
func extFinding(m *isms.ISMS, aid, fid string) *isms.ExternalFinding {
	a := extAudit(m, aid)
	return pick(a.Findings, func(x isms.ExternalFinding) bool { return x.ID == fid })
}
func objective(m *isms.ISMS, id string) *isms.Objective {
	return pick(m.Objectives, func(x isms.Objective) bool { return x.ID == id })
}
func training(m *isms.ISMS, id string) *isms.Training {
	return pick(m.Trainings, func(x isms.Training) bool { return x.ID == id })
}
func nonconf(m *isms.ISMS, id string) *isms.Nonconformity {
	return pick(m.Nonconformities, func(x isms.Nonconformity) bool { return x.ID == id })
}
func incident(m *isms.ISMS, id string) *isms.Incident {
	return pick(m.Incidents, func(x isms.Incident) bool { return x.ID == id })
}
func withoutAttendee(m *isms.ISMS, tid, person string) {
	t := training(m, tid)
	n := len(t.Attendees)
	t.Attendees = slices.DeleteFunc(t.Attendees, func(p string) bool { return p == person })
	if len(t.Attendees) != n-1 {
		panic("test fixture: " + person + " did not attend " + tid)
	}
}

// messageHas checks that the findings' English messages mention every word.
func messageHas(words ...string) func(t *testing.T, fs []conformity.Finding) {
	return func(t *testing.T, fs []conformity.Finding) {
		for _, f := range fs {
			en := f.Message.In("en")
			for _, w := range words {
				if !strings.Contains(en, w) {
					t.Errorf("%s %s: message %q lacks %q", f.Rule, f.Subject, en, w)
				}
			}
		}
	}
}

func registerRuleCases() []ruleCase {
	return []ruleCase{
		// ---- CERT-01
		{name: "cloud certificate without base", rule: "CERT-01", sample: saas,
			mutate: func(m *isms.ISMS) { cert(m, "cert-cloud").Base = "" },
			want:   []string{"certificates/cert-cloud"}, check: messageHas("no base")},
		{name: "cloud certificate based on another cloud certificate", rule: "CERT-01", sample: saas,
			mutate: func(m *isms.ISMS) {
				m.Certificates = append(m.Certificates, isms.Certificate{ID: "cert-cloud-2", Kind: isms.CertCloud, Base: "cert-cloud"})
			},
			want: []string{"certificates/cert-cloud-2"}, check: messageHas("not an ISMS certificate")},
		{name: "base ISMS certificate expired, cloud certificate valid", rule: "CERT-01", sample: saas,
			mutate: func(m *isms.ISMS) { cert(m, "cert-isms").Expires = date("2026-10-31") },
			want:   []string{"certificates/cert-cloud"}, check: messageHas("expired on 2026-10-31")},
		{name: "base and cloud certificate both expired", rule: "CERT-01", sample: saas,
			mutate: func(m *isms.ISMS) {
				cert(m, "cert-isms").Expires = date("2026-10-31")
				cert(m, "cert-cloud").Expires = date("2026-10-31")
			}},
		{name: "base ISMS certificate expires on the as-of date", rule: "CERT-01", sample: saas,
			mutate: func(m *isms.ISMS) {
				cert(m, "cert-isms").Expires = date("2026-11-01")
				m.ExternalAudits = append(m.ExternalAudits, isms.ExternalAudit{ID: "ea-x", Kind: isms.ExtAuditRecertification, Certificate: "cert-isms", Date: date("2026-11-02")})
			}},
		{name: "an isms certificate needs no base", rule: "CERT-01", sample: y2013, mutate: func(*isms.ISMS) {}},

		// ---- CERT-02
		{name: "expires in 90 days, no recertification audit", rule: "CERT-02", sample: saas,
			mutate: func(m *isms.ISMS) { cert(m, "cert-cloud").Expires = date("2027-01-30") },
			want:   []string{"certificates/cert-cloud"}, check: messageHas("in 90 days")},
		{name: "expires tomorrow; a recertification audit for another certificate does not count", rule: "CERT-02", sample: saas,
			mutate: func(m *isms.ISMS) {
				cert(m, "cert-isms").Expires = date("2026-11-02")
				cert(m, "cert-cloud").Expires = date("2026-11-02")
				m.ExternalAudits = append(m.ExternalAudits, isms.ExternalAudit{ID: "ea-x", Kind: isms.ExtAuditRecertification, Certificate: "cert-isms", Date: date("2026-11-02")})
			},
			want: []string{"certificates/cert-cloud"}},
		{name: "a past recertification audit does not count", rule: "CERT-02", sample: saas,
			mutate: func(m *isms.ISMS) {
				cert(m, "cert-isms").Expires = date("2026-12-01")
				m.ExternalAudits = append(m.ExternalAudits, isms.ExternalAudit{ID: "ea-x", Kind: isms.ExtAuditRecertification, Certificate: "cert-isms", Date: date("2026-11-01")})
			},
			want: []string{"certificates/cert-isms"}},
		{name: "expires in 91 days", rule: "CERT-02", sample: saas,
			mutate: func(m *isms.ISMS) { cert(m, "cert-cloud").Expires = date("2027-01-31") }},
		{name: "expires in 30 days with a recertification audit planned", rule: "CERT-02", sample: saas,
			mutate: func(m *isms.ISMS) {
				cert(m, "cert-isms").Expires = date("2026-12-01")
				m.ExternalAudits = append(m.ExternalAudits, isms.ExternalAudit{ID: "ea-x", Kind: isms.ExtAuditRecertification, Certificate: "cert-isms", Date: date("2026-11-20")})
			}},
		{name: "already expired is not expiring", rule: "CERT-02", sample: y2013, mutate: func(*isms.ISMS) {}},

		// ---- CTX-01
		{name: "no external issue", rule: "CTX-01", sample: saas,
			mutate: func(m *isms.ISMS) {
				m.ContextIssues = slices.DeleteFunc(m.ContextIssues, func(x isms.ContextIssue) bool { return x.Kind == isms.IssueExternal })
			},
			want: []string{"organization"}, check: messageHas("No external issues")},
		{name: "no issue at all: one finding naming both", rule: "CTX-01", sample: y2013,
			mutate: func(m *isms.ISMS) { m.ContextIssues = nil },
			want:   []string{"organization"}, check: messageHas("internal, external")},
		{name: "one of each kind is enough", rule: "CTX-01", sample: y2013,
			mutate: func(m *isms.ISMS) { m.ContextIssues = m.ContextIssues[:2] }},

		// ---- CTX-02
		{name: "climate change not answered under 2022", rule: "CTX-02", sample: saas,
			mutate: func(m *isms.ISMS) { m.Organization.ClimateChangeRelevant = nil },
			want:   []string{"organization"}},
		{name: "false is an answer", rule: "CTX-02", sample: saas,
			mutate: func(m *isms.ISMS) { m.Organization.ClimateChangeRelevant = bp(false) }},
		{name: "not asked under 2013", rule: "CTX-02", sample: y2013,
			mutate: func(m *isms.ISMS) { m.Organization.ClimateChangeRelevant = nil }},

		// ---- CTX-03
		{name: "no party has requirements", rule: "CTX-03", sample: saas,
			mutate: func(m *isms.ISMS) {
				for i := range m.InterestedParties {
					m.InterestedParties[i].Requirements = nil
				}
			},
			want: []string{"organization"}},
		{name: "blank requirements are none", rule: "CTX-03", sample: y2013,
			mutate: func(m *isms.ISMS) {
				for i := range m.InterestedParties {
					m.InterestedParties[i].Requirements = []string{"　"}
				}
			},
			want: []string{"organization"}},
		{name: "one party with requirements is enough", rule: "CTX-03", sample: y2013,
			mutate: func(m *isms.ISMS) {
				for i := range m.InterestedParties[1:] {
					m.InterestedParties[i+1].Requirements = nil
				}
			}},

		// ---- CTX-04
		{name: "provider without customers among the parties", rule: "CTX-04", sample: saas,
			mutate: func(m *isms.ISMS) {
				m.InterestedParties = slices.DeleteFunc(m.InterestedParties, func(x isms.InterestedParty) bool { return x.Kind == isms.PartyCloudCustomer })
			},
			want: []string{"interested_parties/cloud-customer"}},
		{name: "no parties: provider and customer roles both missing", rule: "CTX-04", sample: saas,
			mutate: func(m *isms.ISMS) { m.InterestedParties = nil },
			want:   []string{"interested_parties/cloud-customer", "interested_parties/cloud-provider"},
			also:   []string{"CTX-03"}},
		{name: "customer without providers among the parties", rule: "CTX-04", sample: y2013,
			mutate: func(m *isms.ISMS) {
				pick(m.InterestedParties, func(x isms.InterestedParty) bool { return x.ID == "ip-providers" }).Kind = "supplier"
			},
			want: []string{"interested_parties/cloud-provider"}},
		{name: "a customer-only ISMS needs no cloud-customer party", rule: "CTX-04", sample: y2013, mutate: func(*isms.ISMS) {}},
		{name: "an out-of-scope provider-role service needs none", rule: "CTX-04", sample: y2013,
			mutate: func(m *isms.ISMS) {
				svc(m, "svc-accounting").Role, svc(m, "svc-accounting").Provider = isms.RoleProvider, isms.ProviderSelf
			}},

		// ---- OPP-01
		{name: "no opportunities", rule: "OPP-01", sample: saas,
			mutate: func(m *isms.ISMS) { m.Opportunities = nil },
			want:   []string{"organization"}},
		{name: "one opportunity", rule: "OPP-01", sample: y2013, mutate: func(*isms.ISMS) {}},

		// ---- OBJ-01
		{name: "no objectives", rule: "OBJ-01", sample: saas,
			mutate: func(m *isms.ISMS) { m.Objectives = nil; m.Measurements = nil },
			want:   []string{"organization"},
			also:   []string{"MEAS-01"}},
		{name: "objective lacking measure, owner and due: one finding naming them", rule: "OBJ-01", sample: saas,
			mutate: func(m *isms.ISMS) {
				o := objective(m, "obj-02")
				o.Measure, o.Owner, o.Due = " ", "", isms.Date{}
			},
			want: []string{"objectives/obj-02"}, check: messageHas("measure, owner, due")},
		{name: "two objectives lacking a target", rule: "OBJ-01", sample: y2013,
			mutate: func(m *isms.ISMS) {
				objective(m, "obj-01").Target = ""
				objective(m, "obj-02").Target = ""
			},
			want: []string{"objectives/obj-01", "objectives/obj-02"}, check: messageHas("lacks target")},
		{name: "objectives complete", rule: "OBJ-01", sample: y2013, mutate: func(*isms.ISMS) {}},

		// ---- OBJ-02
		{name: "due on the as-of date without a result", rule: "OBJ-02", sample: saas,
			mutate: func(m *isms.ISMS) {
				o := objective(m, "obj-01")
				o.Due, o.Results = date("2026-11-01"), nil
			},
			want: []string{"objectives/obj-01"}},
		{name: "past due without a result", rule: "OBJ-02", sample: y2013,
			mutate: func(m *isms.ISMS) { objective(m, "obj-02").Results = nil },
			want:   []string{"objectives/obj-02"}},
		{name: "not yet due without a result", rule: "OBJ-02", sample: saas,
			mutate: func(m *isms.ISMS) { objective(m, "obj-01").Results = nil }},
		{name: "a result not met still is a result", rule: "OBJ-02", sample: saas,
			mutate: func(m *isms.ISMS) { objective(m, "obj-04").Due = date("2026-10-01") }},

		// ---- COMP-01
		{name: "cloud security person missed the cloud training", rule: "COMP-01", sample: saas,
			mutate: func(m *isms.ISMS) { withoutAttendee(m, "tr-2026-cloud", "p-ops") },
			want:   []string{"people/p-ops/competence/cr-cloud", "people/p-ops/competence/cr-iso27017"}},
		{name: "training older than the interval", rule: "COMP-01", sample: saas,
			mutate: func(m *isms.ISMS) { training(m, "tr-2026-cloud").Date = date("2025-10-31") },
			want: []string{"people/p-cs-lead/competence/cr-cloud", "people/p-cto/competence/cr-cloud", "people/p-dev-lead/competence/cr-cloud",
				"people/p-dev/competence/cr-cloud", "people/p-isms/competence/cr-cloud", "people/p-ops-lead/competence/cr-cloud",
				"people/p-ops/competence/cr-cloud"}},
		{name: "training exactly interval days old counts", rule: "COMP-01", sample: saas,
			mutate: func(m *isms.ISMS) { training(m, "tr-2026-cloud").Date = date("2025-11-01") }},
		{name: "an auditor of a recent audit needs the audit training", rule: "COMP-01", sample: saas,
			mutate: func(m *isms.ISMS) { withoutAttendee(m, "tr-2026-audit", "p-dev") },
			want:   []string{"people/p-dev/competence/cr-auditor"}},
		{name: "the auditor of an old audit is not an internal auditor", rule: "COMP-01", sample: saas,
			mutate: func(m *isms.ISMS) {
				m.Audits = append(m.Audits, isms.Audit{ID: "aud-2025", Start: date("2025-10-30"), End: date("2025-10-31"), Auditors: []string{"p-cs-lead"}})
			}},
		{name: "default interval of 365 days", rule: "COMP-01", sample: y2013,
			mutate: func(m *isms.ISMS) { training(m, "tr-2026-cloud").Date = date("2025-10-30") },
			want:   []string{"people/p-isms/competence/cr-cloud", "people/p-it/competence/cr-cloud"}},
		{name: "an awareness training on the topic counts too", rule: "COMP-01", sample: y2013,
			mutate: func(m *isms.ISMS) {
				withoutAttendee(m, "tr-2026-cloud", "p-it")
				training(m, "tr-2026-aware").Topics = append(training(m, "tr-2026-aware").Topics, "cloud-security")
			}},
		{name: "isms-personnel requirement applies to every ISMS person", rule: "COMP-01", sample: y2013,
			mutate: func(m *isms.ISMS) {
				m.CompetenceRequirements = append(m.CompetenceRequirements, isms.CompetenceRequirement{ID: "cr-all", AppliesTo: isms.AppliesISMSPersonnel, Topic: "cloud-security"})
			},
			want: []string{"people/p-auditor-d/competence/cr-all", "people/p-auditor-m/competence/cr-all", "people/p-design-lead/competence/cr-all",
				"people/p-president/competence/cr-all", "people/p-site-lead/competence/cr-all"},
			check: messageHas("as one of the ISMS personnel")},

		// ---- COMP-02
		{name: "no requirement for cloud security personnel", rule: "COMP-02", sample: saas,
			mutate: func(m *isms.ISMS) {
				m.CompetenceRequirements = slices.DeleteFunc(m.CompetenceRequirements, func(x isms.CompetenceRequirement) bool {
					return x.AppliesTo == isms.AppliesCloudSecurityPersonnel
				})
			},
			want: []string{"organization"}},
		{name: "no cloud security personnel, no requirement needed", rule: "COMP-02", sample: y2013,
			mutate: func(m *isms.ISMS) {
				m.CompetenceRequirements = m.CompetenceRequirements[1:]
				for _, id := range []string{"p-isms", "p-it"} {
					p := person(m, id)
					p.CloudSecurityPersonnel, p.CloudDuties = bp(false), nil
				}
			}},

		// ---- AWARE-01
		{name: "ISMS person missed the awareness training", rule: "AWARE-01", sample: saas,
			mutate: func(m *isms.ISMS) { withoutAttendee(m, "tr-2026-aware", "p-auditor") },
			want:   []string{"people/p-auditor"}},
		{name: "a competence training is not awareness", rule: "AWARE-01", sample: y2013,
			mutate: func(m *isms.ISMS) { training(m, "tr-2026-aware").Kind = isms.TrainingCompetence },
			want: []string{"people/p-auditor-d", "people/p-auditor-m", "people/p-design-lead", "people/p-isms", "people/p-it",
				"people/p-president", "people/p-site-lead"}},
		{name: "awareness 366 days ago", rule: "AWARE-01", sample: y2013,
			mutate: func(m *isms.ISMS) { training(m, "tr-2026-aware").Date = date("2025-10-31") },
			want: []string{"people/p-auditor-d", "people/p-auditor-m", "people/p-design-lead", "people/p-isms", "people/p-it",
				"people/p-president", "people/p-site-lead"}},
		{name: "a person outside the ISMS personnel", rule: "AWARE-01", sample: saas,
			mutate: func(m *isms.ISMS) {
				withoutAttendee(m, "tr-2026-aware", "p-auditor")
				person(m, "p-auditor").ISMSPersonnel = bp(false)
			}},

		// ---- DOC-01
		{name: "no document for the audit programme", rule: "DOC-01", sample: saas,
			mutate: func(m *isms.ISMS) {
				doc(m, "doc-audit-prog").Clauses = nil
				doc(m, "doc-audit-report").Clauses = nil
			},
			want: []string{"organization"}, check: messageHas("clause(s) 9.2")},
		{name: "an unapproved document does not count; one finding naming every clause", rule: "DOC-01", sample: y2013,
			mutate: func(m *isms.ISMS) {
				doc(m, "doc-risk-proc").Approval = nil
				doc(m, "doc-policy").Approval = nil
			},
			want:  []string{"organization"},
			also:  []string{"DOC-02"}, // the policy's approval was its review
			check: messageHas("5.2, 6.1.2, 6.1.3")},
		{name: "approved by someone who is not top management counts", rule: "DOC-01", sample: saas,
			mutate: func(m *isms.ISMS) { doc(m, "doc-audit-prog").Approval.By = "p-auditor" }},

		// ---- DOC-02
		{name: "procedure reviewed more than its interval ago", rule: "DOC-02", sample: saas,
			mutate: func(m *isms.ISMS) { doc(m, "doc-risk-proc").ReviewIntervalDays = ip(180) },
			want:   []string{"documents/doc-risk-proc"}},
		{name: "review date wins over an older approval date", rule: "DOC-02", sample: saas,
			mutate: func(m *isms.ISMS) {
				d := doc(m, "doc-backup-proc")
				d.Approval.Date, d.ReviewedOn = date("2025-01-01"), date("2026-10-01")
			}},
		{name: "approval date when no review date", rule: "DOC-02", sample: saas,
			mutate: func(m *isms.ISMS) { doc(m, "doc-backup-proc").Approval.Date = date("2025-10-31") },
			want:   []string{"documents/doc-backup-proc"}},
		{name: "exactly 365 days", rule: "DOC-02", sample: saas,
			mutate: func(m *isms.ISMS) { doc(m, "doc-backup-proc").Approval.Date = date("2025-11-01") }},
		{name: "never reviewed", rule: "DOC-02", sample: y2013,
			mutate: func(m *isms.ISMS) {
				m.Documents = append(m.Documents, isms.Document{ID: "doc-new", Kind: "procedure", Title: "新しい手順書"})
			},
			want: []string{"documents/doc-new"}, check: messageHas("no record of a review")},
		{name: "records and contracts are not reviewed by this rule", rule: "DOC-02", sample: y2013,
			mutate: func(m *isms.ISMS) { doc(m, "doc-soa").Approval = nil }},

		// ---- MEAS-01
		{name: "no measurement", rule: "MEAS-01", sample: y2013,
			mutate: func(m *isms.ISMS) { m.Measurements = nil },
			want:   []string{"organization"}},
		{name: "results older than 365 days", rule: "MEAS-01", sample: saas,
			mutate: func(m *isms.ISMS) {
				for i := range m.Measurements {
					for j := range m.Measurements[i].Results {
						m.Measurements[i].Results[j].Date = date("2025-10-31")
					}
				}
			},
			want: []string{"organization"}},
		{name: "one recent result is enough", rule: "MEAS-01", sample: saas,
			mutate: func(m *isms.ISMS) { m.Measurements = m.Measurements[2:] }},

		// ---- NC-01
		{name: "nonconformity without corrective action", rule: "NC-01", sample: saas,
			mutate: func(m *isms.ISMS) { nonconf(m, "nc-2026-01").CorrectiveAction = nil },
			want:   []string{"nonconformities/nc-2026-01"}},
		{name: "external minor finding without corrective action", rule: "NC-01", sample: y2013,
			mutate: func(m *isms.ISMS) { extFinding(m, "ea-2024-sv", "f-sv-1").CorrectiveAction = nil },
			want:   []string{"external_audits/ea-2024-sv/findings/f-sv-1"}},
		{name: "an observation or opportunity needs none", rule: "NC-01", sample: saas,
			mutate: func(m *isms.ISMS) { extFinding(m, "ea-2025-sv1", "f-sv1-2").Kind = isms.FindingObservation }},
		{name: "internal audit findings stay with AUD-03", rule: "NC-01", sample: saas,
			mutate: func(m *isms.ISMS) { auditFinding(m, "aud-2026-01", "f-01").CorrectiveAction = nil },
			also:   []string{"AUD-03"}},

		// ---- NC-02
		{name: "overdue corrective action", rule: "NC-02", sample: saas,
			mutate: func(m *isms.ISMS) {
				a := nonconf(m, "nc-2026-01").CorrectiveAction
				a.DoneOn, a.Effective, a.VerifiedBy = isms.Date{}, nil, ""
			},
			want: []string{"nonconformities/nc-2026-01"}},
		{name: "overdue corrective action of an external finding", rule: "NC-02", sample: saas,
			mutate: func(m *isms.ISMS) {
				a := extFinding(m, "ea-2025-sv1", "f-sv1-1").CorrectiveAction
				a.DoneOn, a.Effective, a.VerifiedBy = isms.Date{}, nil, ""
			},
			want: []string{"external_audits/ea-2025-sv1/findings/f-sv1-1"}},
		{name: "due on the as-of date is not overdue", rule: "NC-02", sample: y2013,
			mutate: func(m *isms.ISMS) {
				a := nonconf(m, "nc-2026-01").CorrectiveAction
				a.Due, a.DoneOn, a.Effective, a.VerifiedBy = date("2026-11-01"), isms.Date{}, nil, ""
			}},

		// ---- NC-03
		{name: "done but not verified", rule: "NC-03", sample: saas,
			mutate: func(m *isms.ISMS) { nonconf(m, "nc-2026-01").CorrectiveAction.VerifiedBy = "" },
			want:   []string{"nonconformities/nc-2026-01"}},
		{name: "done, verified, not effective", rule: "NC-03", sample: y2013,
			mutate: func(m *isms.ISMS) { extFinding(m, "ea-2024-sv", "f-sv-1").CorrectiveAction.Effective = bp(false) },
			want:   []string{"external_audits/ea-2024-sv/findings/f-sv-1"}},
		{name: "not done yet", rule: "NC-03", sample: saas,
			mutate: func(m *isms.ISMS) {
				a := nonconf(m, "nc-2026-01").CorrectiveAction
				a.Due, a.DoneOn, a.Effective, a.VerifiedBy = date("2026-12-01"), isms.Date{}, nil, ""
			}},

		// ---- INC-01
		{name: "customers of the provided service not notified", rule: "INC-01", sample: saas,
			mutate: func(m *isms.ISMS) { incident(m, "inc-2026-02").CustomersNotified = bp(false) },
			want:   []string{"incidents/inc-2026-02"}},
		{name: "absent counts as not notified", rule: "INC-01", sample: saas,
			mutate: func(m *isms.ISMS) { incident(m, "inc-2026-02").CustomersNotified = nil },
			want:   []string{"incidents/inc-2026-02"}},
		{name: "an incident of a used service", rule: "INC-01", sample: y2013,
			mutate: func(m *isms.ISMS) { incident(m, "inc-2026-01").Services = []string{"svc-drive", "svc-groupware"} }},
		{name: "an incident of an out-of-scope service", rule: "INC-01", sample: saas,
			mutate: func(m *isms.ISMS) {
				svc(m, "svc-workchat").Role, svc(m, "svc-workchat").Provider = isms.RoleProvider, isms.ProviderSelf
			}},
	}
}
