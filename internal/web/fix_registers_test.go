package web_test

import (
	"slices"

	"github.com/cloudisms/cloudisms/internal/isms"
)

// The findings of the rules on the version 2 registers, each fixed through
// the form its link leads to (TestEveryRuleFoundAndFixedInTheUI).

func certOf(m *isms.ISMS, id string) *isms.Certificate {
	return pick(nil, m.Certificates, func(x isms.Certificate) bool { return x.ID == id })
}

func registerFixCases() []fixCase {
	return []fixCase{
		{rule: "CERT-01", subject: "certificates/cert-cloud", as: fixManager,
			mutate: func(m *isms.ISMS) { certOf(m, "cert-cloud").Base = "" },
			offer:  []string{`name="base"`, `<option value="cert-isms"`},
			fix: func(fx *fixer) {
				fx.saveItem(fx.href, fx.body, map[string][]string{"base": one("cert-isms")})
			}},
		{rule: "CERT-02", subject: "certificates/cert-isms", as: fixManager,
			mutate: func(m *isms.ISMS) { certOf(m, "cert-isms").Expires = isms.MustDate("2027-01-15") },
			offer:  []string{`<option value="recertification" selected>`, `<option value="cert-isms" selected>`},
			fix: func(fx *fixer) {
				fx.saveItem(fx.href, fx.body, map[string][]string{"id": one("ea-2027-recert"), "date": one("2026-12-14")})
			}},
		{rule: "CTX-01", subject: "organization", as: fixManager,
			mutate: func(m *isms.ISMS) {
				m.ContextIssues = slices.DeleteFunc(m.ContextIssues, func(x isms.ContextIssue) bool { return x.Kind == isms.IssueInternal })
			},
			offer: []string{`name="kind"`, `name="description"`},
			fix: func(fx *fixer) {
				fx.saveItem(fx.href, fx.body, map[string][]string{"id": one("ci-int-9"), "kind": one("internal"),
					"description": one("運用要員の増員と力量の確保")})
			}},
		{rule: "CTX-02", subject: "organization", as: fixManager,
			mutate: func(m *isms.ISMS) { m.Organization.ClimateChangeRelevant = nil },
			offer:  []string{`name="climate_change_relevant"`},
			fix: func(fx *fixer) {
				fx.saveItem(fx.href, fx.body, map[string][]string{"climate_change_relevant": one("false")})
			}},
		{rule: "CTX-03", subject: "organization", as: fixManager,
			mutate: func(m *isms.ISMS) {
				for i := range m.InterestedParties {
					m.InterestedParties[i].Requirements = nil
				}
			},
			offer: []string{`href="/orgs/sample/items/interested_parties/ip-customers"`},
			fix: func(fx *fixer) {
				p := "/orgs/sample/items/interested_parties/ip-customers"
				fx.saveItem(p, fx.get(p), map[string][]string{"requirements": one("インシデントを 24 時間以内に通知すること")})
			}},
		{rule: "CTX-04", subject: "interested_parties/cloud-customer", as: fixManager,
			mutate: func(m *isms.ISMS) {
				m.InterestedParties = slices.DeleteFunc(m.InterestedParties, func(x isms.InterestedParty) bool { return x.Kind == isms.PartyCloudCustomer })
				for i := range m.Communications {
					m.Communications[i].Audience = slices.DeleteFunc(m.Communications[i].Audience, func(s string) bool { return s == "ip-customers" })
				}
			},
			offer: []string{`<option value="cloud-customer" selected>`},
			fix: func(fx *fixer) {
				fx.saveItem(fx.href, fx.body, map[string][]string{"id": one("ip-customers-2"), "name": one("サンプル勤怠の利用企業"),
					"requirements": one("データの国内保管")})
			}},
		{rule: "OPP-01", subject: "organization", as: fixManager,
			mutate: func(m *isms.ISMS) { m.Opportunities = nil },
			offer:  []string{`name="title"`},
			fix: func(fx *fixer) {
				fx.saveItem(fx.href, fx.body, map[string][]string{"id": one("op-09"), "title": one("監視の自動化")})
			}},
		{rule: "OBJ-01", subject: "objectives/obj-02", as: fixManager,
			mutate: func(m *isms.ISMS) {
				pick(nil, m.Objectives, func(x isms.Objective) bool { return x.ID == "obj-02" }).Target = ""
			},
			offer: []string{`name="target"`},
			fix: func(fx *fixer) {
				fx.saveItem(fx.href, fx.body, map[string][]string{"target": one("年度内 0 件")})
			}},
		{rule: "OBJ-02", subject: "objectives/obj-03", as: fixManager,
			mutate: func(m *isms.ISMS) {
				pick(nil, m.Objectives, func(x isms.Objective) bool { return x.ID == "obj-03" }).Results = nil
			},
			offer: []string{`name="results#rows"`},
			fix: func(fx *fixer) {
				fx.saveItem(fx.href, fx.body, map[string][]string{"results#rows": one("1"), "results[0].date": one("2026-10-01"),
					"results[0].value": one("100%"), "results[0].met": one("true")})
			}},
		{rule: "COMP-01", subject: "people/p-ops/competence/cr-cloud", as: fixManager,
			mutate: func(m *isms.ISMS) {
				t := pick(nil, m.Trainings, func(x isms.Training) bool { return x.ID == "tr-2026-cloud" })
				t.Topics = []string{"iso27017"}
				t.Attendees = slices.DeleteFunc(t.Attendees, func(s string) bool { return s != "p-ops" })
				m.Trainings = append(m.Trainings, isms.Training{ID: "tr-x", Title: "x", Kind: isms.TrainingCompetence, Topics: []string{"cloud-security"},
					Date: isms.MustDate("2026-06-10"), Attendees: []string{"p-cto", "p-isms", "p-dev-lead", "p-dev", "p-ops-lead", "p-cs-lead"}})
			},
			offer: []string{`name="attendees" value="p-ops" checked`, `cloud-security</textarea>`},
			fix: func(fx *fixer) {
				fx.saveItem(fx.href, fx.body, map[string][]string{"id": one("tr-2026-cloud-2"), "title": one("クラウドセキュリティ教育（追加開催）"),
					"date": one("2026-10-20")})
			}},
		{rule: "COMP-02", subject: "organization", as: fixManager,
			mutate: func(m *isms.ISMS) {
				m.CompetenceRequirements = slices.DeleteFunc(m.CompetenceRequirements, func(x isms.CompetenceRequirement) bool {
					return x.AppliesTo == isms.AppliesCloudSecurityPersonnel
				})
			},
			offer: []string{`<option value="cloud-security-personnel" selected>`},
			fix: func(fx *fixer) {
				fx.saveItem(fx.href, fx.body, map[string][]string{"id": one("cr-cloud-2"), "topic": one("awareness")})
			}},
		{rule: "AWARE-01", subject: "people/p-auditor", as: fixManager,
			mutate: func(m *isms.ISMS) {
				t := pick(nil, m.Trainings, func(x isms.Training) bool { return x.ID == "tr-2026-aware" })
				t.Attendees = slices.DeleteFunc(t.Attendees, func(s string) bool { return s == "p-auditor" })
			},
			offer: []string{`<option value="awareness" selected>`, `name="attendees" value="p-auditor" checked`},
			fix: func(fx *fixer) {
				fx.saveItem(fx.href, fx.body, map[string][]string{"id": one("tr-2026-aware-2"), "title": one("認識教育（追加開催）"),
					"date": one("2026-10-20")})
			}},
		{rule: "DOC-01", subject: "organization", as: fixManager,
			mutate: func(m *isms.ISMS) {
				for i := range m.Documents {
					m.Documents[i].Clauses = slices.DeleteFunc(m.Documents[i].Clauses, func(s string) bool { return s == "9.2" })
				}
			},
			offer: []string{`9.2</textarea>`},
			fix: func(fx *fixer) {
				// The new document is saved, then approved on its page.
				fx.saveItem(fx.href, fx.body, map[string][]string{"id": one("doc-audit-prog-2"), "kind": one("procedure"),
					"title": one("内部監査プログラム"), "version": one("1.0"), "reviewed_on": one("2026-10-20")})
				p := "/orgs/sample/items/documents/doc-audit-prog-2"
				f := formAt(fx.t, fx.get(p), p, `value="approve"`)
				f.Set("_action", "approve")
				fx.post(p, f)
			}},
		{rule: "DOC-02", subject: "documents/doc-backup-proc", as: fixManager,
			mutate: func(m *isms.ISMS) {
				pick(nil, m.Documents, func(x isms.Document) bool { return x.ID == "doc-backup-proc" }).ReviewIntervalDays = new(int)
				*pick(nil, m.Documents, func(x isms.Document) bool { return x.ID == "doc-backup-proc" }).ReviewIntervalDays = 30
			},
			offer: []string{`name="reviewed_on"`},
			fix: func(fx *fixer) {
				fx.saveItem(fx.href, fx.body, map[string][]string{"reviewed_on": one("2026-10-20")})
			}},
		{rule: "MEAS-01", subject: "organization", as: fixManager,
			mutate: func(m *isms.ISMS) {
				for i := range m.Measurements {
					if m.Measurements[i].ID != "me-avail" {
						m.Measurements[i].Results = nil
					}
				}
				me := pick(nil, m.Measurements, func(x isms.Measurement) bool { return x.ID == "me-avail" })
				me.Results = me.Results[:1]
				me.Results[0].Date = isms.MustDate("2025-10-01")
			},
			offer: []string{`href="/orgs/sample/items/measurements/me-avail"`},
			fix: func(fx *fixer) {
				p := "/orgs/sample/items/measurements/me-avail"
				fx.saveItem(p, fx.get(p), map[string][]string{"results#rows": one("2"), "results[1].date": one("2026-10-01"),
					"results[1].value": one("99.96%")})
			}},
		{rule: "NC-01", subject: "nonconformities/nc-2026-01", as: fixManager,
			mutate: func(m *isms.ISMS) {
				pick(nil, m.Nonconformities, func(x isms.Nonconformity) bool { return x.ID == "nc-2026-01" }).CorrectiveAction = nil
			},
			offer: []string{`name="corrective_action.action"`},
			fix: func(fx *fixer) {
				fx.saveItem(fx.href, fx.body, map[string][]string{"corrective_action.action": one("通知担当と代行者を手順書に明記する"),
					"corrective_action.owner": one("p-cs-lead"), "corrective_action.due": one("2026-12-31")})
			}},
		{rule: "NC-02", subject: "external_audits/ea-2025-sv1/findings/f-sv1-1", as: fixManager,
			mutate: func(m *isms.ISMS) {
				a := pick(nil, m.ExternalAudits, func(x isms.ExternalAudit) bool { return x.ID == "ea-2025-sv1" })
				ca := a.Findings[0].CorrectiveAction
				ca.DoneOn, ca.Effective, ca.VerifiedBy = isms.Date{}, nil, ""
			},
			offer: []string{`name="findings[0].corrective_action.done_on"`},
			fix: func(fx *fixer) {
				fx.saveItem(fx.href, fx.body, map[string][]string{"findings[0].corrective_action.done_on": one("2026-02-13"),
					"findings[0].corrective_action.effective": one("true"), "findings[0].corrective_action.verified_by": one("p-audit-lead")})
			}},
		{rule: "NC-03", subject: "nonconformities/nc-2026-01", as: fixManager,
			mutate: func(m *isms.ISMS) {
				pick(nil, m.Nonconformities, func(x isms.Nonconformity) bool { return x.ID == "nc-2026-01" }).CorrectiveAction.VerifiedBy = ""
			},
			offer: []string{`name="corrective_action.verified_by"`},
			fix: func(fx *fixer) {
				fx.saveItem(fx.href, fx.body, map[string][]string{"corrective_action.verified_by": one("p-isms")})
			}},
		{rule: "INC-01", subject: "incidents/inc-2026-02", as: fixManager,
			mutate: func(m *isms.ISMS) {
				pick(nil, m.Incidents, func(x isms.Incident) bool { return x.ID == "inc-2026-02" }).CustomersNotified = nil
			},
			offer: []string{`name="customers_notified"`},
			fix: func(fx *fixer) {
				fx.saveItem(fx.href, fx.body, map[string][]string{"customers_notified": one("true")})
			}},
	}
}
