package isms

import "testing"

// A document's next review is its last review (reviewed_on, else the
// approval date) plus its interval; it is overdue only after that day, and
// a document never reviewed has nothing due.
func TestDocumentReviewDue(t *testing.T) {
	days := func(n int) *int { return &n }
	asOf := MustDate("2026-11-01")
	for _, tc := range []struct {
		name    string
		d       Document
		due     string
		overdue bool
	}{
		{"never reviewed", Document{}, "", false},
		{"approval counts as a review", Document{Approval: &Approval{By: "p", Date: MustDate("2025-11-01")}}, "2026-11-01", false},
		{"one day past the default year", Document{ReviewedOn: MustDate("2025-10-31")}, "2026-10-31", true},
		{"reviewed_on before approval", Document{ReviewedOn: MustDate("2026-06-01"), Approval: &Approval{By: "p", Date: MustDate("2024-01-01")}}, "2027-06-01", false},
		{"own interval", Document{ReviewedOn: MustDate("2026-08-01"), ReviewIntervalDays: days(90)}, "2026-10-30", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			due, ok := tc.d.ReviewDue()
			got := ""
			if ok {
				got = due.String()
			}
			if got != tc.due {
				t.Errorf("due %q, want %q", got, tc.due)
			}
			if got := tc.d.ReviewOverdue(asOf); got != tc.overdue {
				t.Errorf("overdue %v, want %v", got, tc.overdue)
			}
		})
	}
}
