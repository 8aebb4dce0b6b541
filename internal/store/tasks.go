package store

import (
	"context"
	"fmt"

	"github.com/cloudisms/cloudisms/internal/isms"
)

// Tasks lists every open task of an organization as of a date, whoever it
// falls to: the ISMS's own, computed once per change and date and carried
// over changes as the summary is (isms.Tasked.Update: after an edit of a
// risk only its tasks are listed again), and the open approval requests,
// read each time (they are kept beside the ISMS and do not move its
// history head).
func (s *Store) Tasks(ctx context.Context, org string, asOf isms.Date) ([]*isms.Task, *isms.ISMS, error) {
	m, head, err := s.ISMSAt(ctx, org)
	if err != nil {
		return nil, nil, err
	}
	own, err := s.TasksFor(ctx, org, head, m, asOf)
	if err != nil {
		return nil, nil, err
	}
	reqs, err := s.OpenApprovalRequests(ctx, org)
	if err != nil {
		return nil, nil, err
	}
	extra := make([]isms.ApprovalRequest, 0, len(reqs))
	for _, r := range reqs {
		due, _ := isms.ParseDate(r.Due)
		extra = append(extra, isms.ApprovalRequest{Subject: r.Kind + "/" + r.Key, Title: r.Title, Person: r.Person, RequestedBy: r.RequesterName, Due: due, Note: r.Note})
	}
	// Merged into the kept list, which is not modified: listing the
	// requests through AllTasks of an empty ISMS added its review task
	// (an empty ISMS's management review falls due) a second time.
	return isms.WithRequests(own, asOf, extra), m, nil
}

// TasksFor is the ISMS's own tasks (without approval requests) of a model
// and head already read with ISMSAt. The list is shared: callers must not
// modify it.
func (s *Store) TasksFor(ctx context.Context, org string, head int64, m *isms.ISMS, asOf isms.Date) ([]*isms.Task, error) {
	v, err := carriedView(s, ctx, org, head, m, "tasks "+asOf.String(),
		func(m *isms.ISMS) *isms.Tasked { return isms.NewTasked(m, asOf) }, (*isms.Tasked).Update)
	if err != nil {
		return nil, fmt.Errorf("tasks of %s: %w", org, err)
	}
	return v.Tasks(), nil
}
