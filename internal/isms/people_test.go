package isms

import "testing"

func regDate(s string) Date {
	x, err := ParseDate(s)
	if err != nil {
		panic(err)
	}
	return x
}

func registersModel() *ISMS {
	yes := true
	days := 180
	return &ISMS{
		People: []Person{{ID: "p1", Name: "山田", ISMSPersonnel: &yes, CloudSecurityPersonnel: &yes}, {ID: "p2", Name: "佐藤"}, {ID: "p3", Name: "鈴木"}},
		Audits: []Audit{{ID: "ia", Title: "内部監査", End: regDate("2026-06-30"), Auditors: []string{"p3"},
			Findings: []AuditFinding{{ID: "f1", Kind: FindingMinor, CorrectiveAction: &CorrectiveAction{Action: "手順を直す", Owner: "p1", Due: regDate("2026-09-30")}},
				{ID: "f2", Kind: FindingObservation}}}},
		ExternalAudits: []ExternalAudit{
			{ID: "ea-25", Kind: ExtAuditSurveillance, Date: regDate("2025-12-01"), Findings: []ExternalFinding{{ID: "x1", Kind: FindingMinor, CorrectiveAction: &CorrectiveAction{Owner: "p2", Due: regDate("2026-01-31"), DoneOn: regDate("2026-01-20")}}}},
			{ID: "ea-27", Kind: ExtAuditRecertification, Date: regDate("2027-01-20")},
			{ID: "ea-26", Kind: ExtAuditSurveillance, Date: regDate("2026-12-01")}},
		Nonconformities: []Nonconformity{{ID: "nc-1", Source: NCIncident, Date: regDate("2026-07-01"), CorrectiveAction: &CorrectiveAction{Owner: "p1", Due: regDate("2026-08-01")}},
			{ID: "nc-2", Source: NCComplaint, Date: regDate("2026-10-01")}},
		Certificates: []Certificate{{ID: "c-cloud", Kind: CertCloud}, {ID: "c-isms", Kind: CertISMS, Expires: regDate("2027-01-09")}},
		CompetenceRequirements: []CompetenceRequirement{
			{ID: "cr-cloud", AppliesTo: AppliesCloudSecurityPersonnel, Topic: "cloud-security"},
			{ID: "cr-audit", AppliesTo: AppliesInternalAuditors, Topic: "internal-audit", IntervalDays: &days},
			{ID: "cr-isms", AppliesTo: AppliesISMSPersonnel, Topic: "isms-basics"}},
		Trainings: []Training{
			{ID: "t-old", Kind: TrainingCompetence, Topics: []string{"cloud-security"}, Date: regDate("2025-05-01"), Attendees: []string{"p1"}},
			{ID: "t-new", Kind: TrainingCompetence, Topics: []string{"cloud-security"}, Date: regDate("2026-05-10"), Attendees: []string{"p1", "p2"}},
			{ID: "t-aud", Kind: TrainingCompetence, Topics: []string{"internal-audit"}, Date: regDate("2026-01-10"), Attendees: []string{"p3"}},
			{ID: "t-aw", Kind: TrainingAwareness, Topics: []string{"isms-basics"}, Date: regDate("2025-09-01"), Attendees: []string{"p1"}},
			{ID: "t-future", Kind: TrainingAwareness, Date: regDate("2026-12-01"), Attendees: []string{"p1"}}},
		Objectives: []Objective{{ID: "ob", Title: "重大障害ゼロ", Owner: "p1"}},
	}
}

func TestPersonRecord(t *testing.T) {
	m := registersModel()
	asOf := regDate("2026-11-01")
	if _, ok := PersonRecordOf(m, "nobody", asOf); ok {
		t.Error("a record for a person who does not exist")
	}
	p1, _ := PersonRecordOf(m, "p1", asOf)
	// Trainings newest first, a planned one included.
	var ids []string
	for _, tr := range p1.Trainings {
		ids = append(ids, tr.ID)
	}
	if got := ids; len(got) != 4 || got[0] != "t-future" || got[3] != "t-old" {
		t.Errorf("trainings %v", got)
	}
	status := map[string]CompetenceStatus{}
	for _, c := range p1.Competence {
		status[c.Requirement.ID] = c
	}
	if len(p1.Competence) != 2 || !status["cr-cloud"].Met || status["cr-cloud"].Last.ID != "t-new" || status["cr-cloud"].Until != regDate("2027-05-10") {
		t.Errorf("p1 cloud competence %+v", p1.Competence)
	}
	if st := status["cr-isms"]; st.Met || st.Last == nil || st.Last.ID != "t-aw" {
		t.Errorf("p1's isms-basics training of 2025-09-01 is older than 365 days: %+v", st)
	}
	if !p1.AwarenessDue || p1.AwarenessMet || p1.LastAwareness.ID != "t-aw" {
		t.Errorf("awareness of p1: due %v met %v last %v (the future one does not count)", p1.AwarenessDue, p1.AwarenessMet, p1.LastAwareness)
	}
	duties := map[string]int{}
	for _, du := range p1.Duties {
		duties[du.Duty]++
	}
	if duties[DutyCorrectiveAction] != 2 || duties[DutyObjective] != 1 {
		t.Errorf("p1 duties %+v", p1.Duties)
	}
	// p3 audited within a year: the internal auditors' requirement applies, 180 days.
	p3, _ := PersonRecordOf(m, "p3", asOf)
	if len(p3.Competence) != 1 || p3.Competence[0].Met || p3.Competence[0].Until != regDate("2026-07-09") || p3.AwarenessDue {
		t.Errorf("p3 competence %+v", p3.Competence)
	}
	if p2, _ := PersonRecordOf(m, "p2", asOf); len(p2.Competence) != 0 || p2.AwarenessDue {
		t.Errorf("nothing applies to p2: %+v", p2.Competence)
	}
}

func TestActionsAndCertification(t *testing.T) {
	m := registersModel()
	asOf := regDate("2026-11-01")
	all := Nonconformities(m)
	var got []string
	for _, a := range all {
		got = append(got, a.Key+"/"+a.FindingID)
	}
	want := "ea-25/x1 ia/f1 nc-1/ nc-2/"
	if s := joinKeys(got); s != want {
		t.Errorf("nonconformities %q, want %q", s, want)
	}
	got = nil
	for _, a := range OverdueActions(m, asOf) {
		got = append(got, a.Key)
	}
	if s := joinKeys(got); s != "nc-1 ia" {
		t.Errorf("overdue %q", s)
	}
	exp := CertificateExpiries(m, asOf)
	if exp[0].ID != "c-isms" || exp[0].DaysLeft != 69 || exp[1].ID != "c-cloud" {
		t.Errorf("expiries %+v", exp)
	}
	if n := NextExternalAudit(m, asOf); n == nil || n.ID != "ea-26" {
		t.Errorf("next audit %+v", n)
	}
	if n := NextExternalAudit(m, regDate("2027-02-01")); n != nil {
		t.Errorf("no audit after the last: %+v", n)
	}
}

func joinKeys(s []string) string {
	out := ""
	for i, x := range s {
		if i > 0 {
			out += " "
		}
		out += x
	}
	return out
}
