package isms

import "testing"

func TestPastDueAndDutyOverdue(t *testing.T) {
	asOf := MustDate("2026-04-10")
	d := MustDate
	for _, c := range []struct {
		name        string
		duty        string
		due, doneOn Date
		want        bool
	}{
		{"action past due, not done", DutyRiskAction, d("2026-04-09"), Date{}, true},
		{"action due today", DutyCorrectiveAction, d("2026-04-10"), Date{}, false},
		{"action done", DutyCorrectiveAction, d("2026-04-01"), d("2026-04-05"), false},
		{"action without a due date", DutyReviewOutput, Date{}, Date{}, false},
		{"opportunity past due", DutyOpportunity, d("2026-01-01"), Date{}, true},
		{"an audit's end is no deadline", DutyAuditor, d("2026-01-01"), Date{}, false},
		{"an objective's due date is no action", DutyObjective, d("2026-01-01"), Date{}, false},
	} {
		duty := PersonDuty{Duty: c.duty, Due: c.due, DoneOn: c.doneOn}
		if got := duty.Overdue(asOf); got != c.want {
			t.Errorf("%s: Overdue = %v, want %v", c.name, got, c.want)
		}
		if c.duty == DutyRiskAction || c.duty == DutyCorrectiveAction {
			if got := PastDue(c.due, c.doneOn, asOf); got != c.want {
				t.Errorf("%s: PastDue = %v, want %v", c.name, got, c.want)
			}
		}
	}
}

func TestCertificateExpirySoonExpired(t *testing.T) {
	for _, c := range []struct {
		name          string
		expires       string
		days          int
		soon, expired bool
	}{
		{"no expiry", "", 0, false, false},
		{"expired", "2026-01-01", -1, false, true},
		{"expires today", "2026-01-01", 0, true, false},
		{"within the renewal window", "2026-01-01", RenewalWindowDays, true, false},
		{"beyond it", "2026-01-01", RenewalWindowDays + 1, false, false},
	} {
		e := CertificateExpiry{DaysLeft: c.days}
		if c.expires != "" {
			e.Expires = MustDate(c.expires)
		}
		if e.Soon() != c.soon || e.Expired() != c.expired {
			t.Errorf("%s: Soon %v Expired %v, want %v %v", c.name, e.Soon(), e.Expired(), c.soon, c.expired)
		}
	}
}
