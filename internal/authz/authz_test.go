package authz

import "testing"

func TestCan(t *testing.T) {
	for _, tc := range []struct {
		role, action string
		s            Subject
		want         bool
	}{
		{Viewer, Read, Subject{Kind: "risks"}, true},
		{Viewer, Write, Subject{Kind: "risks"}, false},
		{Viewer, Export, Subject{}, false},
		{RiskOwner, Write, Subject{Kind: "risks", IsOwner: true}, true},
		{RiskOwner, Write, Subject{Kind: "risks"}, false},
		{RiskOwner, Approve, Subject{Kind: "risks", IsOwner: true}, true},
		{RiskOwner, Approve, Subject{Kind: "risks"}, false},
		{RiskOwner, Write, Subject{Kind: "soa_rows", IsOwner: true}, false},
		{Auditor, Write, Subject{Kind: "audits"}, true},
		{Auditor, Write, Subject{Kind: "soa_rows"}, false},
		{Auditor, Import, Subject{}, false},
		{Executive, Write, Subject{Kind: "reviews"}, true},
		{Executive, Approve, Subject{Kind: "soa"}, true},
		{Executive, Write, Subject{Kind: "risks"}, false},
		{Executive, Approve, Subject{Kind: "risks", IsOwner: true}, true},
		{Executive, Approve, Subject{Kind: "risks"}, false},
		{ISMSManager, Import, Subject{}, true},
		{ISMSManager, Members, Subject{}, false},
		{Admin, Members, Subject{}, true},
		{"stranger", Read, Subject{}, false},
		{Auditor, Comment, Subject{Kind: "risks"}, true},
		{Executive, Comment, Subject{Kind: "soa_rows"}, true},
		{Viewer, Comment, Subject{Kind: "risks"}, false},
		{"stranger", Comment, Subject{Kind: "risks"}, false},
		{Auditor, DeleteComment, Subject{IsOwner: true}, true},
		{Auditor, DeleteComment, Subject{}, false},
		{ISMSManager, DeleteComment, Subject{}, true},
		{Viewer, DeleteComment, Subject{IsOwner: true}, false},
		{ISMSManager, RequestApproval, Subject{Kind: "soa"}, true},
		{RiskOwner, RequestApproval, Subject{Kind: "risks", IsOwner: true}, true},
		{RiskOwner, RequestApproval, Subject{Kind: "soa"}, false},
		{Executive, RequestApproval, Subject{Kind: "documents"}, false},
		{Viewer, RequestApproval, Subject{Kind: "soa"}, false},
		// Only the owner approves a risk, whatever the role.
		{Admin, Approve, Subject{Kind: "risks"}, false},
		{ISMSManager, Approve, Subject{Kind: "risks"}, false},
		{Admin, Approve, Subject{Kind: "risks", IsOwner: true}, true},
		{ISMSManager, Approve, Subject{Kind: "risks", IsOwner: true}, true},
		{Auditor, Approve, Subject{Kind: "risks", IsOwner: true}, false},
		{Viewer, Approve, Subject{Kind: "risks", IsOwner: true}, false},
		{Admin, Approve, Subject{Kind: "soa"}, true},
	} {
		if got := Can(tc.role, tc.action, tc.s); got != tc.want {
			t.Errorf("Can(%s, %s, %+v) = %v", tc.role, tc.action, tc.s, got)
		}
	}
	for _, r := range Roles {
		if !ValidRole(r) || !Can(r, Read, Subject{Kind: "risks"}) {
			t.Errorf("every role reads: %s", r)
		}
	}
}

func TestApproveRisk(t *testing.T) {
	for _, tc := range []struct {
		role, person, owner string
		want                bool
	}{
		{RiskOwner, "p-ops", "p-ops", true},
		{Executive, "p-ceo", "p-ceo", true},
		{Admin, "p-isms", "p-isms", true},
		{Admin, "p-isms", "p-ops", false},
		{ISMSManager, "p-isms", "p-ops", false},
		{RiskOwner, "p-isms", "p-ops", false},
		{Admin, "", "", false}, // linked to nobody: never the owner
		{Admin, "", "p-ops", false},
		{Auditor, "p-audit", "p-audit", false},
		{Viewer, "p-x", "p-x", false},
	} {
		if got := ApproveRisk(tc.role, tc.person, tc.owner); got != tc.want {
			t.Errorf("ApproveRisk(%s, %q, %q) = %v", tc.role, tc.person, tc.owner, got)
		}
	}
}
