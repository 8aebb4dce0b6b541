package generate

import (
	"fmt"
	"slices"

	"github.com/cloudisms/cloudisms/internal/isms"
)

// registers fills the version 2 registers in proportion to the ISMS's size:
// objectives, measurements and incidents grow with the provided services,
// trainings with the staff. Every date stays within the rules' intervals
// at the as-of date and for the months after it that the package promises.
func (g *gen) registers() {
	m := g.m
	m.Organization.ClimateChangeRelevant = ptr(true)
	m.Organization.ClimateChangeNote = "データセンターの被災による停止を可用性のリスクとして扱う"
	for i := range m.Documents {
		if m.Documents[i].ID == "doc-policy" {
			m.Documents[i].Clauses = []string{"5.2", "6.2"}
			m.Documents[i].ReviewedOn = g.day(-30)
		}
	}
	m.Documents = append(m.Documents,
		isms.Document{ID: "doc-risk-proc", Kind: "procedure", Title: "リスクアセスメント及びリスク対応手順書", Version: "1.0",
			Approval: g.approval(-200), Clauses: []string{"6.1.2", "6.1.3"}, ReviewedOn: g.day(-30)},
		isms.Document{ID: "doc-audit-prog", Kind: "procedure", Title: "内部監査規程及び監査プログラム", Version: "1.0",
			Approval: g.approval(-200), Clauses: []string{"9.2"}, ReviewedOn: g.day(-30)})

	m.Certificates = []isms.Certificate{
		{ID: "cert-isms", Kind: isms.CertISMS, Standard: "iso27001:2022", Body: "審査機関", Number: "IS-0001",
			Issued: g.day(-400), Expires: g.day(700), Scope: m.Organization.ISMSScope},
		{ID: "cert-cloud", Kind: isms.CertCloud, Standard: "jip-isms517", Body: "審査機関", Number: "CLOUD-0001",
			Issued: g.day(-400), Expires: g.day(700), Scope: m.Organization.CloudScope, Base: "cert-isms"},
	}
	m.ExternalAudits = []isms.ExternalAudit{
		{ID: "ea-surveillance-1", Kind: isms.ExtAuditSurveillance, Certificate: "cert-isms", Body: "審査機関", Date: g.day(-100), End: g.day(-99),
			Findings: []isms.ExternalFinding{{ID: "f-1", Kind: isms.FindingMinor, Clause: "7.5", Description: "文書の版管理が不十分",
				CorrectiveAction: &isms.CorrectiveAction{Cause: "手順がない", Action: "版管理の手順を定めた", Owner: "p-ops-000",
					Due: g.day(-60), DoneOn: g.day(-70), Effective: ptr(true), VerifiedBy: "p-auditor"}}}},
		{ID: "ea-surveillance-2", Kind: isms.ExtAuditSurveillance, Certificate: "cert-isms", Body: "審査機関", Date: g.day(265)},
	}
	m.ContextIssues = []isms.ContextIssue{
		{ID: "ci-int-1", Kind: isms.IssueInternal, Description: "運用要員の増員と力量の確保", ReviewedOn: g.day(-30)},
		{ID: "ci-ext-1", Kind: isms.IssueExternal, Description: "IaaS 事業者への依存", ReviewedOn: g.day(-30)},
	}
	m.InterestedParties = []isms.InterestedParty{
		{ID: "ip-customers", Name: "クラウドサービスの利用企業", Kind: isms.PartyCloudCustomer,
			Requirements: []string{"インシデントの速やかな通知", "データの国内保管"}, ReviewedOn: g.day(-30)},
		{ID: "ip-providers", Name: "利用するクラウドサービスの事業者", Kind: isms.PartyCloudProvider,
			Requirements: []string{"利用規約と責任共有モデルの遵守"}, ReviewedOn: g.day(-30)},
	}
	m.Opportunities = []isms.Opportunity{{ID: "op-1", Title: "監視の自動化", Owner: "p-ops-000", Action: "マネージド監視の評価", Due: g.day(300)}}
	m.CompetenceRequirements = []isms.CompetenceRequirement{
		{ID: "cr-cloud", AppliesTo: isms.AppliesCloudSecurityPersonnel, Topic: "cloud-security"},
		{ID: "cr-audit", AppliesTo: isms.AppliesInternalAuditors, Topic: "internal-audit", IntervalDays: ptr(730)},
	}
	all := make([]string, 0, len(m.People))
	var ops []string
	for _, p := range m.People {
		all = append(all, p.ID)
		if isms.IsTrue(p.CloudSecurityPersonnel) {
			ops = append(ops, p.ID)
		}
	}
	m.Trainings = append(m.Trainings, isms.Training{ID: "tr-aware", Title: "情報セキュリティ認識教育", Kind: isms.TrainingAwareness,
		Topics: []string{"awareness"}, Date: g.day(-30), Attendees: all})
	// Competence trainings in classes of at most 20.
	for i := 0; i < len(ops); i += 20 {
		m.Trainings = append(m.Trainings, isms.Training{ID: fmt.Sprintf("tr-cloud-%03d", i/20+1), Title: "クラウドセキュリティ教育",
			Kind: isms.TrainingCompetence, Topics: []string{"cloud-security", "iso27017"}, Date: g.day(-20 - i/20), Attendees: ops[i:min(i+20, len(ops))]})
	}
	// Every auditor of the audits attended the auditor training.
	var auditors []string
	for _, a := range m.Audits {
		for _, p := range a.Auditors {
			if !slices.Contains(auditors, p) {
				auditors = append(auditors, p)
			}
		}
	}
	m.Trainings = append(m.Trainings, isms.Training{ID: "tr-audit", Title: "内部監査員研修", Kind: isms.TrainingCompetence,
		Topics: []string{"internal-audit"}, Date: g.day(-90), Attendees: auditors})
	m.Communications = []isms.Communication{{ID: "com-1", Subject: "インシデントの通知", Audience: []string{"ip-customers"},
		When: "判明から 24 時間以内", Who: "p-ops-000", How: "メール"}}
	m.Changes = []isms.Change{{ID: "chg-1", Description: "監視基盤の更新", Date: g.day(60), Reason: "旧基盤のサポート終了", Approval: g.approval(-10)}}

	// An objective and its measurement for every provided service; an
	// incident for every fourth, each second one a nonconformity.
	n := 0
	for _, s := range m.Services {
		if !s.IsProvider() {
			continue
		}
		o := fmt.Sprintf("obj-%04d", n+1)
		m.Objectives = append(m.Objectives, isms.Objective{ID: o, Title: s.Name + " の月間稼働率 99.9% 以上", Measure: "外形監視による月間稼働率",
			Target: "全月 99.9% 以上", Owner: g.person(), Due: g.day(300), Services: []string{s.ID},
			Results: []isms.ObjectiveResult{{Date: g.day(-30), Value: "99.95%", Met: ptr(true)}}})
		m.Measurements = append(m.Measurements, isms.Measurement{ID: fmt.Sprintf("me-%04d", n+1), What: s.Name + " の月間稼働率",
			Method: "外形監視", When: "毎月", Who: g.person(), AnalyzedBy: "p-top", Objective: o,
			Results: []isms.MeasurementResult{{Date: g.day(-30), Value: "99.95%"}}})
		if n%4 == 0 {
			inc := isms.Incident{ID: fmt.Sprintf("inc-%04d", n/4+1), Title: s.Name + " の応答遅延", Date: g.day(-50 - n%30),
				Severity: isms.SeverityMedium, Services: []string{s.ID}, CustomersNotified: ptr(true)}
			if n%8 == 0 {
				nc := fmt.Sprintf("nc-%04d", n/8+1)
				m.Nonconformities = append(m.Nonconformities, isms.Nonconformity{ID: nc, Source: isms.NCIncident, Date: inc.Date,
					Description: "通知が遅れた", Correction: "通知した", CorrectiveAction: &isms.CorrectiveAction{Cause: "担当が不明確",
						Action: "通知担当を定めた", Owner: g.person(), Due: g.day(-10), DoneOn: g.day(-20), Effective: ptr(true), VerifiedBy: "p-auditor"}})
				inc.Nonconformity = nc
			}
			m.Incidents = append(m.Incidents, inc)
		}
		n++
	}
}
