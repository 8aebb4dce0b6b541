package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/cloudisms/cloudisms/internal/bundle"
	"github.com/cloudisms/cloudisms/internal/isms"
	"github.com/cloudisms/cloudisms/internal/trend"
)

// MaxTrendMonths bounds how far back trends reach.
const MaxTrendMonths = 24

// Trends measures an organization's ISMS at the end of each of the last
// months (trend.MonthEnds) and as of asOf, from its history.
//
// The cost is bounded: a past month's point depends only on the history
// written before that month ended, which never changes, so each is
// computed once per instance and kept by (organization, date, history
// position); the current point is kept per history head like the other
// views. Missing past points are computed in one pass over the history,
// rebuilding the ISMS only at the positions the month ends fall on, and
// at most two such passes run at once (they share the whole-ISMS load
// limit).
func (s *Store) Trends(ctx context.Context, org string, asOf isms.Date, months int) ([]trend.Point, error) {
	months = min(max(months, 1), MaxTrendMonths)
	dates := trend.MonthEnds(asOf, months)
	m, head, err := s.ISMSAt(ctx, org)
	if err != nil {
		return nil, err
	}
	out := make([]trend.Point, len(dates))
	// The current point: the live model, as of asOf, measured from its
	// check and summary, which are carried over each change (measuring
	// afresh would check the whole ISMS again after every edit).
	findings, err := s.FindingsFor(ctx, org, head, m, asOf)
	if err != nil {
		return nil, err
	}
	sum, err := s.SummaryFor(ctx, org, head, m, asOf)
	if err != nil {
		return nil, err
	}
	cur, err := s.DerivedFor(ctx, org, head, m, "trend "+asOf.String(), func(m *isms.ISMS) any { return trend.MeasureWith(m, asOf, findings, sum) })
	if err != nil {
		return nil, err
	}
	out[len(out)-1] = cur.(trend.Point)
	past := dates[:len(dates)-1]
	positions := make([]int64, len(past))
	var missing []int
	for i, d := range past {
		n, err := s.positionAt(ctx, org, endOfDay(d))
		if err != nil {
			return nil, err
		}
		positions[i] = n
		if n == 0 {
			out[i] = trend.Point{Date: d, NoData: true}
			continue
		}
		if p, ok := s.trends.Get(org+"\x00"+d.String(), n); ok {
			out[i] = p
			continue
		}
		missing = append(missing, i)
	}
	if len(missing) == 0 {
		return out, nil
	}
	select {
	case s.loads <- struct{}{}:
		defer func() { <-s.loads }()
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	err = s.replay(ctx, org, positions[missing[len(missing)-1]], func(n int64, build func() (*isms.ISMS, error)) error {
		for _, i := range missing {
			if positions[i] != n {
				continue
			}
			model, err := build()
			if err != nil {
				return err
			}
			out[i] = trend.Measure(model, past[i])
			s.trends.Put(org+"\x00"+past[i].String(), n, out[i])
		}
		return nil
	}, positions)
	if err != nil {
		return nil, fmt.Errorf("trends of %s: %w", org, err)
	}
	return out, nil
}

// endOfDay is the first instant after a day in Japan, as the history's
// UTC time stamps are written. (Stamps are compared as text; one written
// in the same second as the boundary may fall on either side of it.)
func endOfDay(d isms.Date) string {
	t := time.Date(d.Time().Year(), d.Time().Month(), d.Time().Day(), 0, 0, 0, 0, isms.JST).AddDate(0, 0, 1)
	return t.UTC().Format(time.RFC3339)
}

// positionAt is the position of the last history record written before a
// time (0 when none was).
//
// A time already past has a position that no later write changes (every
// record is stamped with the time it is written), so it is kept: the
// overview asks for a dozen month ends on every view.
func (s *Store) positionAt(ctx context.Context, org, before string) (int64, error) {
	key := org + "\x00" + before
	if n, ok := s.positions.Get(key, 0); ok {
		return n, nil
	}
	n, err := s.readPositionAt(ctx, org, before)
	if err == nil && before < s.stamp() {
		s.positions.Put(key, 0, n)
	}
	return n, err
}

func (s *Store) readPositionAt(ctx context.Context, org, before string) (int64, error) {
	// Positions grow with time (a record's time is stamped in the
	// transaction that takes the head), so the newest record before the
	// time has the highest position: one step down history_by_time.
	var n int64
	err := s.db.QueryRowContext(ctx, `SELECT n FROM history WHERE org_id = $1 AND at < $2 ORDER BY at DESC, n DESC LIMIT 1`, org, before).Scan(&n)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return n, err
}

// replayBatch is how many history records one query of a replay reads.
const replayBatch = 5000

// replay walks an organization's history up to position last, keeping
// each item's latest version, and calls at(n, build) at every position in
// stops (and at 0 for the empty ISMS before any record). build gives the
// ISMS as it stood there: the first time by joining every item, then by
// carrying the previous stop's model over the few changes made since
// (bundle.Apply, as the model cache does), joining again only when a
// change cannot be carried over or too many came in between.
func (s *Store) replay(ctx context.Context, org string, last int64, at func(n int64, build func() (*isms.ISMS, error)) error, stops []int64) error {
	want := map[int64]bool{}
	for _, n := range stops {
		want[n] = true
	}
	type entry struct {
		kind, key string
		data      []byte
	}
	var order []string // item keys in the order they first appeared
	items := map[string]*entry{}
	var model *isms.ISMS  // the ISMS at the last stop built, if kept
	var pending []*Change // the changes since that stop
	join := func() (*isms.ISMS, error) {
		list := make([]bundle.Item, 0, len(items))
		for _, k := range order {
			if e := items[k]; e != nil && e.data != nil {
				list = append(list, bundle.Item{Kind: e.kind, Key: e.key, Data: e.data})
			}
		}
		if len(list) == 0 {
			return &isms.ISMS{}, nil
		}
		return bundle.Join("org "+org, list)
	}
	build := func() (*isms.ISMS, error) {
		if model != nil && len(pending) <= maxCatchUp {
			next, ok := model, true
			for _, c := range pending {
				var data []byte
				if c.After != nil {
					data = []byte(*c.After)
				}
				if next, ok = bundle.Apply(next, c.Kind, c.Key, data); !ok {
					break
				}
			}
			if ok {
				model, pending = next, pending[:0]
				return model, nil
			}
		}
		m, err := join()
		if err != nil {
			return nil, err
		}
		model, pending = m, pending[:0]
		return model, nil
	}
	if want[0] {
		if err := at(0, build); err != nil {
			return err
		}
	}
	var after int64
	for after < last {
		batch, err := s.History(ctx, org, HistoryFilter{After: after, Limit: min(replayBatch, int(last-after))})
		if err != nil {
			return err
		}
		if len(batch) == 0 {
			break
		}
		for i := range batch {
			c := &batch[i]
			k := c.Kind + "\x00" + c.Key
			e := items[k]
			if e == nil {
				e = &entry{kind: c.Kind, key: c.Key}
				items[k] = e
				order = append(order, k)
			}
			e.data = nil
			if c.After != nil {
				e.data = []byte(*c.After)
			}
			if model != nil {
				if len(pending) < maxCatchUp {
					pending = append(pending, c)
				} else {
					model, pending = nil, nil // joining again is as cheap
				}
			}
			after = c.N
			if want[c.N] {
				if err := at(c.N, build); err != nil {
					return err
				}
			}
		}
	}
	return ctx.Err()
}

// TrendsReady returns the trends when every point is already known (the
// past months computed before, the current one with the model), and
// otherwise starts their computation in the background, once per
// organization at a time, and reports false: an overview page shows them
// without ever waiting for a whole history to be read.
func (s *Store) TrendsReady(ctx context.Context, org string, asOf isms.Date, months int) ([]trend.Point, bool, error) {
	months = min(max(months, 1), MaxTrendMonths)
	dates := trend.MonthEnds(asOf, months)
	ready := true
	for _, d := range dates[:len(dates)-1] {
		n, err := s.positionAt(ctx, org, endOfDay(d))
		if err != nil {
			return nil, false, err
		}
		if _, ok := s.trends.Get(org+"\x00"+d.String(), n); !ok && n > 0 {
			ready = false
			break
		}
	}
	if ready {
		points, err := s.Trends(ctx, org, asOf, months)
		return points, err == nil, err
	}
	if _, running := s.trendRuns.LoadOrStore(org, true); !running {
		go func() {
			defer s.trendRuns.Delete(org)
			bg, cancel := context.WithTimeout(context.Background(), trendTimeout)
			defer cancel()
			s.Trends(bg, org, asOf, months)
		}()
	}
	return nil, false, nil
}

// trendTimeout bounds a background computation of trends.
const trendTimeout = 5 * time.Minute
