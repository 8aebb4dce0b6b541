package store

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"sync/atomic"

	"github.com/cloudisms/cloudisms/internal/conformity"
	"github.com/cloudisms/cloudisms/internal/isms"
)

// flight is one computation that callers at the same head share.
type flight struct {
	done chan struct{}
	v    any
}

// derivedState holds computed views by organization, name and history
// head, and the computations running now.
type derivedState struct {
	cache   *HeadCache[any]
	mu      sync.Mutex
	flights map[string]*flight
	carried atomic.Int64 // views carried over changes (carriedFrom)
}

// Derived returns what compute makes of the organization's current ISMS
// (a conformity check, a summary), with the ISMS. It is computed once per
// history head and name: the result is kept until the next change, and
// concurrent callers at the same head wait for one computation instead of
// each doing it (after an edit of a large ISMS, dozens of requests would
// otherwise check it at once). name must say everything the result depends
// on besides the ISMS, the as-of date for one. The result is shared and
// must not be modified.
func (s *Store) Derived(ctx context.Context, org, name string, compute func(*isms.ISMS) any) (any, *isms.ISMS, error) {
	m, head, err := s.ISMSAt(ctx, org)
	if err != nil {
		return nil, nil, err
	}
	v, err := s.DerivedFor(ctx, org, head, m, name, compute)
	return v, m, err
}

// DerivedFor is Derived for a model and head already read with ISMSAt.
// The view may be of a later head than the model's when an edit came in
// after the model was read (never of an earlier one).
func (s *Store) DerivedFor(ctx context.Context, org string, head int64, m *isms.ISMS, name string, compute func(*isms.ISMS) any) (any, error) {
	key := org + "\x00" + name
	// The view of head, or of a later one: a request that read its model
	// just before an edit came in gets the view with the edit rather than
	// computing afresh one no later request will use.
	if v, at, ok := s.derived.cache.Latest(key); ok && at >= head {
		return v, nil
	}
	fkey := key + "\x00" + strconv.FormatInt(head, 10)
	s.derived.mu.Lock()
	f, running := s.derived.flights[fkey]
	if !running {
		f = &flight{done: make(chan struct{})}
		s.derived.flights[fkey] = f
	}
	s.derived.mu.Unlock()
	if running {
		select {
		case <-f.done:
			return f.v, nil
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	// Waiters are released even if compute panics (they then get nil).
	defer func() {
		s.derived.mu.Lock()
		delete(s.derived.flights, fkey)
		s.derived.mu.Unlock()
		close(f.done)
	}()
	f.v = compute(m)
	// A request that read an older head (an edit came in meanwhile) must
	// not replace the newer view: the next ones carry it over from there.
	s.derived.cache.PutNewer(key, head, f.v)
	return f.v, nil
}

// The conformity check and the summary are the views every interface
// shows; they are named here once so that the API and the pages share one
// computation per change and date.

// Findings is the conformity check of the organization's current ISMS as
// of a date, with that ISMS.
func (s *Store) Findings(ctx context.Context, org string, asOf isms.Date) ([]conformity.Finding, *isms.ISMS, error) {
	m, head, err := s.ISMSAt(ctx, org)
	if err != nil {
		return nil, nil, err
	}
	fs, err := s.FindingsFor(ctx, org, head, m, asOf)
	return fs, m, err
}

// FindingsFor is Findings of a model and head already read with ISMSAt.
// After a change the check is carried over from the one of an earlier head
// (conformity.Checked.Update): only the rules reading what changed are
// evaluated again.
func (s *Store) FindingsFor(ctx context.Context, org string, head int64, m *isms.ISMS, asOf isms.Date) ([]conformity.Finding, error) {
	v, err := carriedView(s, ctx, org, head, m, "check "+asOf.String(),
		func(m *isms.ISMS) *conformity.Checked { return conformity.NewChecked(m, asOf) }, (*conformity.Checked).Update)
	if err != nil {
		return nil, err
	}
	return v.Findings(), nil
}

// Summary is the summary of the organization's current ISMS as of a date.
func (s *Store) Summary(ctx context.Context, org string, asOf isms.Date) (isms.Summary, error) {
	m, head, err := s.ISMSAt(ctx, org)
	if err != nil {
		return isms.Summary{}, err
	}
	return s.SummaryFor(ctx, org, head, m, asOf)
}

// SummaryFor is Summary of a model and head already read with ISMSAt,
// carried over changes as FindingsFor is (isms.Summarized.Update).
func (s *Store) SummaryFor(ctx context.Context, org string, head int64, m *isms.ISMS, asOf isms.Date) (isms.Summary, error) {
	v, err := carriedView(s, ctx, org, head, m, "summary "+asOf.String(),
		func(m *isms.ISMS) *isms.Summarized { return isms.NewSummarized(m, asOf) }, (*isms.Summarized).Update)
	if err != nil {
		return isms.Summary{}, err
	}
	return v.Summary(), nil
}

// RiskViewsFor are the risk views (isms.RiskViews) of a model and head
// read with ISMSAt, carried over changes as SummaryFor is
// (isms.ViewedRisks.Update). They are shared: callers must not modify them.
func (s *Store) RiskViewsFor(ctx context.Context, org string, head int64, m *isms.ISMS) ([]*isms.RiskView, error) {
	v, err := carriedView(s, ctx, org, head, m, "risk views", isms.NewViewedRisks, (*isms.ViewedRisks).Update)
	if err != nil {
		return nil, err
	}
	return v.Views(), nil
}

// SoAViewsFor are the SoA views (isms.SoAViews) of a model and head read
// with ISMSAt, kept over changes that touch nothing they read
// (isms.ViewedSoAs.Update). They are shared: callers must not modify them.
func (s *Store) SoAViewsFor(ctx context.Context, org string, head int64, m *isms.ISMS) ([]isms.SoAView, error) {
	v, err := carriedView(s, ctx, org, head, m, "soa views", isms.NewViewedSoAs, (*isms.ViewedSoAs).Update)
	if err != nil {
		return nil, err
	}
	return v.Views(), nil
}

// carriedView is DerivedFor of a view that is carried over changes: made
// with fresh the first time, then with update from the view of an earlier
// head and the changes since, when they are all known.
func carriedView[V any](s *Store, ctx context.Context, org string, head int64, m *isms.ISMS, name string,
	fresh func(*isms.ISMS) V, update func(V, *isms.ISMS, []isms.ItemChange) V) (V, error) {
	v, err := s.DerivedFor(ctx, org, head, m, name, func(m *isms.ISMS) any {
		if prev, changes, ok := s.carriedFrom(org, name, head); ok {
			return update(prev.(V), m, changes)
		}
		return fresh(m)
	})
	if err != nil {
		var zero V
		return zero, err
	}
	return v.(V), nil
}

// carriedFrom returns the newest view kept under a name at a head before
// head, with the changes made since, when every one of them is known.
func (s *Store) carriedFrom(org, name string, head int64) (any, []isms.ItemChange, bool) {
	v, from, ok := s.derived.cache.Latest(org + "\x00" + name)
	if !ok || from >= head {
		return nil, nil, false
	}
	changes, ok := s.changes.between(org, from, head)
	if ok {
		s.derived.carried.Add(1)
	}
	return v, changes, ok
}

// maxChangeLog is how many recent history records the change log keeps
// per organization; a view older than that is computed afresh.
const maxChangeLog = 512

// changeLog holds, by organization and history position, the item each
// recent history record changed, as the writes of this store and the
// records it carried its models over tell it.
type changeLog struct {
	mu    sync.Mutex
	byOrg map[string]map[int64]isms.ItemChange
}

// note records the change that history record n of an organization made.
func (l *changeLog) note(org string, n int64, ch isms.ItemChange) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.byOrg == nil {
		l.byOrg = map[string]map[int64]isms.ItemChange{}
	}
	recs := l.byOrg[org]
	if recs == nil {
		recs = map[int64]isms.ItemChange{}
		l.byOrg[org] = recs
	}
	recs[n] = ch
	if len(recs) > 2*maxChangeLog {
		for k := range recs {
			if k <= n-maxChangeLog {
				delete(recs, k)
			}
		}
	}
}

// between lists the changes of records from+1 to to, in order; false
// when one of them is not known.
func (l *changeLog) between(org string, from, to int64) ([]isms.ItemChange, bool) {
	if to-from > maxChangeLog {
		return nil, false
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	recs := l.byOrg[org]
	out := make([]isms.ItemChange, 0, to-from)
	for n := from + 1; n <= to; n++ {
		ch, ok := recs[n]
		if !ok {
			return nil, false
		}
		out = append(out, ch)
	}
	return out, true
}

// Warm loads each organization's ISMS and computes its check, summary and
// approval marks and tasks as of a date, one organization after the other, so that the first
// requests after a start find them ready instead of each waiting for a
// whole load (seconds for a large ISMS). It stops at the first error or
// when ctx ends.
func (s *Store) Warm(ctx context.Context, asOf isms.Date) error {
	orgs, err := s.Orgs(ctx)
	if err != nil {
		return fmt.Errorf("warm: list organizations: %w", err)
	}
	for _, o := range orgs {
		m, head, err := s.ISMSAt(ctx, o.ID)
		if err != nil {
			return fmt.Errorf("warm: load %s: %w", o.ID, err)
		}
		if _, err := s.FindingsFor(ctx, o.ID, head, m, asOf); err != nil {
			return fmt.Errorf("warm: check %s: %w", o.ID, err)
		}
		if _, err := s.SummaryFor(ctx, o.ID, head, m, asOf); err != nil {
			return fmt.Errorf("warm: summary %s: %w", o.ID, err)
		}
		// The approvals' marks fingerprint every approved item once.
		if _, err := s.ApprovalsIndex(ctx, o.ID); err != nil {
			return fmt.Errorf("warm: approvals %s: %w", o.ID, err)
		}
		if _, err := s.TasksFor(ctx, o.ID, head, m, asOf); err != nil {
			return fmt.Errorf("warm: tasks %s: %w", o.ID, err)
		}
		if _, err := s.RiskViewsFor(ctx, o.ID, head, m); err != nil {
			return fmt.Errorf("warm: risk views %s: %w", o.ID, err)
		}
		if _, err := s.SoAViewsFor(ctx, o.ID, head, m); err != nil {
			return fmt.Errorf("warm: SoA views %s: %w", o.ID, err)
		}
	}
	return nil
}
