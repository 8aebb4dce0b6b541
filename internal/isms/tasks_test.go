package isms_test

import (
	"testing"

	"github.com/cloudisms/cloudisms/internal/isms"
)

func taskModel() *isms.ISMS {
	d := isms.MustDate
	return &isms.ISMS{
		Services: []isms.CloudService{{ID: "svc", Name: "勤怠", InScope: true}},
		Risks: []*isms.Risk{
			{ID: "r-new", Title: "未承認", Owner: "p-a"},
			{ID: "r-old", Title: "昨年承認", Owner: "p-a", Approval: &isms.RiskApproval{By: "p-a", Date: d("2025-10-01")},
				Plan: []isms.PlanAction{
					{Action: "済", Owner: "p-a", Due: d("2026-01-01"), DoneOn: d("2025-12-20")},
					{Action: "遅れ", Owner: "p-b", Due: d("2026-10-01")},
					{Action: "近い", Owner: "p-a", Due: d("2026-11-10")},
				}},
			{ID: "r-other", Title: "他人の承認", Owner: "p-b", Approval: &isms.RiskApproval{By: "p-a", Date: d("2026-10-01")}},
		},
		Backups: []isms.Backup{{Service: "svc", RestoreTestIntervalDays: ptr(30),
			Tests: []isms.RestoreTest{{Date: d("2026-10-20"), Result: "pass"}}}},
		Audits: []isms.Audit{
			{ID: "a1", Title: "監査", Start: d("2026-05-01"), End: d("2026-05-02"), Services: []string{"svc"}, Auditors: []string{"p-c"},
				Findings: []isms.AuditFinding{
					{ID: "f1", CorrectiveAction: &isms.CorrectiveAction{Action: "是正", Owner: "p-b", Due: d("2026-12-01")}},
					{ID: "f2", CorrectiveAction: &isms.CorrectiveAction{Action: "済", Owner: "p-b", Due: d("2026-06-01"), DoneOn: d("2026-06-01")}},
				}},
			{ID: "a2", Title: "次の監査", Start: d("2026-11-20"), End: d("2026-11-21"), Auditors: []string{"p-c", "p-a"}},
		},
		Reviews: []isms.Review{{ID: "mr", Date: d("2026-01-15"), Outputs: []isms.ReviewOutput{{Decision: "決定", Owner: "p-a", Due: d("2027-01-01")}}}},
	}
}

func TestTasks(t *testing.T) {
	asOf := isms.MustDate("2026-11-01")
	all := isms.AllTasks(taskModel(), asOf, []isms.ApprovalRequest{{Subject: "soa/organization", Title: "SoA", Person: "p-a", RequestedBy: "山田"}})
	type want struct {
		kind, subject, due string
		overdue            bool
	}
	for _, tc := range []struct {
		name string
		who  isms.Assignee
		want []want
	}{
		{"owner", isms.Assignee{Person: "p-a"}, []want{
			{isms.TaskRiskApproval, "risks/r-new", "", false},
			{isms.TaskApprovalRequest, "soa/organization", "", false},
			{isms.TaskRiskReassessment, "risks/r-old", "2026-10-01", true},
			{isms.TaskPlanAction, "risks/r-old", "2026-11-10", false},
			{isms.TaskAudit, "audits/a2", "2026-11-21", false},
			{isms.TaskReviewOutput, "reviews/mr", "2027-01-01", false},
		}},
		{"another owner: a risk approved by someone else still awaits its owner", isms.Assignee{Person: "p-b"}, []want{
			{isms.TaskRiskApproval, "risks/r-other", "", false},
			{isms.TaskPlanAction, "risks/r-old", "2026-10-01", true},
			{isms.TaskCorrectiveAction, "audits/a1/findings/f1", "2026-12-01", false},
		}},
		{"auditor: the finished audit's done action awaits the effectiveness review", isms.Assignee{Person: "p-c"}, []want{
			{isms.TaskEffectiveness, "audits/a1/findings/f2", "", false},
			{isms.TaskAudit, "audits/a2", "2026-11-21", false},
		}},
		{"office", isms.Assignee{Office: true}, []want{
			{isms.TaskRestoreTest, "backups/svc", "2026-11-19", false},
			{isms.TaskReview, "reviews", "2027-01-15", false},
			{isms.TaskAuditDue, "cloud_services/svc", "2027-05-02", false},
		}},
		{"a member without a person has no personal tasks", isms.Assignee{}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := isms.TasksOf(all, tc.who)
			if len(got) != len(tc.want) {
				t.Fatalf("got %d tasks, want %d: %+v", len(got), len(tc.want), got)
			}
			for i, w := range tc.want {
				g := got[i]
				due := ""
				if !g.Due.IsZero() {
					due = g.Due.String()
				}
				if g.Kind != w.kind || g.Subject != w.subject || due != w.due || g.Overdue != w.overdue {
					t.Errorf("task %d = %s %s %s overdue=%v, want %+v", i, g.Kind, g.Subject, due, g.Overdue, w)
				}
			}
		})
	}
}

func TestDigest(t *testing.T) {
	asOf := isms.MustDate("2026-11-01")
	mine := isms.TasksOf(isms.AllTasks(taskModel(), asOf, nil), isms.Assignee{Person: "p-a"})
	d := isms.DigestOf(mine, asOf, 14)
	if len(d.Overdue) != 1 || d.Overdue[0].Kind != isms.TaskRiskReassessment {
		t.Errorf("overdue: %+v", d.Overdue)
	}
	if len(d.Soon) != 1 || d.Soon[0].Title != "近い" {
		t.Errorf("soon (the audit of 11-21 and the 2027 decision are beyond 14 days): %+v", d.Soon)
	}
	if len(d.Waiting) != 1 || d.Waiting[0].Subject != "risks/r-new" || d.Empty() {
		t.Errorf("waiting: %+v", d.Waiting)
	}
	if !isms.DigestOf(nil, asOf, 14).Empty() {
		t.Error("no task, yet not empty")
	}
}

func TestTasksSampleIsQuiet(t *testing.T) {
	// The sample organization is in order as of its date: every risk is
	// approved by its owner, so nobody has a risk waiting.
	m := load(t, "../../examples/sample-saas.yaml")
	for _, task := range isms.AllTasks(m, isms.MustDate("2026-11-01"), nil) {
		if task.Kind == isms.TaskRiskApproval {
			t.Errorf("sample risk awaiting approval: %+v", task)
		}
	}
}
