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
	reqs, err := s.openRequests(ctx, org)
	if err != nil {
		return nil, nil, err
	}
	// Merged into the kept list, which is not modified: listing the
	// requests through AllTasks of an empty ISMS added its review task
	// (an empty ISMS's management review falls due) a second time.
	return isms.WithRequests(own, asOf, reqs), m, nil
}

// Agenda is an assignee's tally of the open tasks as of a date, approval
// requests included, with the first n of them in the order Tasks lists
// them (isms.Tasked.Agenda): what the dashboard shows, counted from the
// kept list's tallies instead of from the list.
func (s *Store) Agenda(ctx context.Context, org string, asOf isms.Date, who isms.Assignee, n int) (isms.TaskTally, []isms.Task, error) {
	m, head, err := s.ISMSAt(ctx, org)
	if err != nil {
		return isms.TaskTally{}, nil, err
	}
	tk, err := s.taskedFor(ctx, org, head, m, asOf)
	if err != nil {
		return isms.TaskTally{}, nil, err
	}
	reqs, err := s.openRequests(ctx, org)
	if err != nil {
		return isms.TaskTally{}, nil, err
	}
	tally, first := tk.Agenda(isms.WithRequests(nil, asOf, reqs), who, n)
	return tally, first, nil
}

// openRequests are the open approval requests as the ISMS's tasks take
// them.
func (s *Store) openRequests(ctx context.Context, org string) ([]isms.ApprovalRequest, error) {
	reqs, err := s.OpenApprovalRequests(ctx, org)
	if err != nil {
		return nil, err
	}
	out := make([]isms.ApprovalRequest, 0, len(reqs))
	for _, r := range reqs {
		due, _ := isms.ParseDate(r.Due)
		out = append(out, isms.ApprovalRequest{Subject: r.Kind + "/" + r.Key, Title: r.Title, Person: r.Person, RequestedBy: r.RequesterName, Due: due, Note: r.Note})
	}
	return out, nil
}

// TasksFor is the ISMS's own tasks (without approval requests) of a model
// and head already read with ISMSAt. The list is shared: callers must not
// modify it.
func (s *Store) TasksFor(ctx context.Context, org string, head int64, m *isms.ISMS, asOf isms.Date) ([]*isms.Task, error) {
	v, err := s.taskedFor(ctx, org, head, m, asOf)
	if err != nil {
		return nil, err
	}
	return v.Tasks(), nil
}

func (s *Store) taskedFor(ctx context.Context, org string, head int64, m *isms.ISMS, asOf isms.Date) (*isms.Tasked, error) {
	v, err := carriedView(s, ctx, org, head, m, "tasks "+asOf.String(),
		func(m *isms.ISMS) *isms.Tasked { return isms.NewTasked(m, asOf) }, (*isms.Tasked).Update)
	if err != nil {
		return nil, fmt.Errorf("tasks of %s: %w", org, err)
	}
	return v, nil
}
