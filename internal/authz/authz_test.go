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
