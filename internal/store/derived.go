package store

import (
	"context"
	"fmt"
	"strconv"
	"sync"

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

// DerivedFor is Derived for a model and head already read with ISMSAt,
// so that several views of one request belong to the same ISMS.
func (s *Store) DerivedFor(ctx context.Context, org string, head int64, m *isms.ISMS, name string, compute func(*isms.ISMS) any) (any, error) {
	key := org + "\x00" + name
	if v, ok := s.derived.cache.Get(key, head); ok {
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
	s.derived.cache.Put(key, head, f.v)
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
func (s *Store) FindingsFor(ctx context.Context, org string, head int64, m *isms.ISMS, asOf isms.Date) ([]conformity.Finding, error) {
	v, err := s.DerivedFor(ctx, org, head, m, "check "+asOf.String(), func(m *isms.ISMS) any { return conformity.Check(m, asOf) })
	if err != nil {
		return nil, err
	}
	return v.([]conformity.Finding), nil
}

// Summary is the summary of the organization's current ISMS as of a date.
func (s *Store) Summary(ctx context.Context, org string, asOf isms.Date) (isms.Summary, error) {
	m, head, err := s.ISMSAt(ctx, org)
	if err != nil {
		return isms.Summary{}, err
	}
	return s.SummaryFor(ctx, org, head, m, asOf)
}

// SummaryFor is Summary of a model and head already read with ISMSAt.
func (s *Store) SummaryFor(ctx context.Context, org string, head int64, m *isms.ISMS, asOf isms.Date) (isms.Summary, error) {
	v, err := s.DerivedFor(ctx, org, head, m, "summary "+asOf.String(), func(m *isms.ISMS) any { return isms.NewSummary(m, asOf) })
	if err != nil {
		return isms.Summary{}, err
	}
	return v.(isms.Summary), nil
}

// Warm loads each organization's ISMS and computes its check and summary
// as of a date, one organization after the other, so that the first
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
	}
	return nil
}
