package isms

import "testing"

func TestCorrectiveActionsListsEveryDecidedAction(t *testing.T) {
	ca := func(owner string) *CorrectiveAction { return &CorrectiveAction{Owner: owner} }
	m := &ISMS{
		Audits: []Audit{{ID: "a1", Findings: []AuditFinding{
			{ID: "f1", Kind: FindingMinor, CorrectiveAction: ca("p1")},
			{ID: "f2", Kind: FindingMajor}, // not decided yet: nothing to reassign
			{ID: "f3", Kind: FindingObservation, CorrectiveAction: ca("p2")},
		}}},
		ExternalAudits:  []ExternalAudit{{ID: "e1", Date: MustDate("2026-01-10"), Findings: []ExternalFinding{{ID: "x1", Kind: FindingMinor, CorrectiveAction: ca("p3")}}}},
		Nonconformities: []Nonconformity{{ID: "n1", CorrectiveAction: ca("p4")}, {ID: "n2"}},
	}
	got := CorrectiveActions(m)
	want := []string{"audits/a1/findings/f1", "audits/a1/findings/f3", "external_audits/e1/findings/x1", "nonconformities/n1"}
	if len(got) != len(want) {
		t.Fatalf("got %d actions, want %d: %+v", len(got), len(want), got)
	}
	for i, w := range want {
		if got[i].Subject() != w {
			t.Errorf("action %d: %s, want %s", i, got[i].Subject(), w)
		}
	}
	if got[2].Date != MustDate("2026-01-10") {
		t.Errorf("an external audit without an end dates its finding by its date, got %v", got[2].Date)
	}
}
