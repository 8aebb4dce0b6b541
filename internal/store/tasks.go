package store

import (
	"context"

	"github.com/cloudisms/cloudisms/internal/isms"
)

// Tasks lists every open task of an organization as of a date, whoever it
// falls to: the ISMS's own, computed once per change and date, and the
// open approval requests, read each time (they are kept beside the ISMS
// and do not move its history head).
func (s *Store) Tasks(ctx context.Context, org string, asOf isms.Date) ([]isms.Task, *isms.ISMS, error) {
	m, head, err := s.ISMSAt(ctx, org)
	if err != nil {
		return nil, nil, err
	}
	v, err := s.DerivedFor(ctx, org, head, m, "tasks "+asOf.String(), func(m *isms.ISMS) any { return isms.AllTasks(m, asOf, nil) })
	if err != nil {
		return nil, nil, err
	}
	reqs, err := s.OpenApprovalRequests(ctx, org)
	if err != nil {
		return nil, nil, err
	}
	own := v.([]isms.Task)
	if len(reqs) == 0 {
		return own, m, nil
	}
	extra := make([]isms.ApprovalRequest, 0, len(reqs))
	for _, r := range reqs {
		due, _ := isms.ParseDate(r.Due)
		extra = append(extra, isms.ApprovalRequest{Subject: r.Kind + "/" + r.Key, Title: r.Title, Person: r.Person, RequestedBy: r.RequesterName, Due: due, Note: r.Note})
	}
	out := append(append([]isms.Task(nil), own...), isms.AllTasks(&isms.ISMS{}, asOf, extra)...)
	isms.SortTasks(out)
	return out, m, nil
}
