// Package gate bounds how many of an expensive operation run at once in
// the process (password hashes, PDF prints, workbook and catalog parses):
// a few run, a short queue waits a bounded time for a turn, and the rest
// are refused at once with a *BusyError that says when to try again.
package gate

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"time"
)

// ErrBusy: as many as allowed run and as many as allowed wait.
var ErrBusy = errors.New("too many at once")

// BusyError is ErrBusy with the time to wait before trying again.
type BusyError struct{ RetryAfter time.Duration }

func (e *BusyError) Error() string {
	return fmt.Sprintf("%v: try again in %s", ErrBusy, e.RetryAfter.Round(time.Second))
}

// Is makes errors.Is(err, ErrBusy) true.
func (e *BusyError) Is(target error) bool { return target == ErrBusy }

// Gate lets at most its slots run at once, with a queue of at most its
// queue waiting at most its wait.
type Gate struct {
	slots   chan struct{}
	waiting atomic.Int64
	queue   int64
	wait    time.Duration
	// inUse counts running operations, peak the most at once and total
	// all of them (for tests and measurements).
	inUse, peak, total atomic.Int64
}

// New makes a gate.
func New(slots, queue int, wait time.Duration) *Gate {
	return &Gate{slots: make(chan struct{}, slots), queue: int64(queue), wait: wait}
}

// Enter takes a slot, waiting at most the gate's wait, and returns the
// function that gives it back. It fails with a *BusyError when the queue
// is full or the wait runs out, and with the context's error when the
// caller goes away (freeing its place in the queue).
func (g *Gate) Enter(ctx context.Context) (leave func(), err error) {
	select {
	case g.slots <- struct{}{}:
		return g.entered(), nil
	default:
	}
	if g.waiting.Add(1) > g.queue {
		g.waiting.Add(-1)
		return nil, &BusyError{RetryAfter: g.wait}
	}
	defer g.waiting.Add(-1)
	t := time.NewTimer(g.wait)
	defer t.Stop()
	select {
	case g.slots <- struct{}{}:
		return g.entered(), nil
	case <-t.C:
		return nil, &BusyError{RetryAfter: g.wait}
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

func (g *Gate) entered() func() {
	g.total.Add(1)
	n := g.inUse.Add(1)
	for {
		p := g.peak.Load()
		if n <= p || g.peak.CompareAndSwap(p, n) {
			break
		}
	}
	return func() {
		g.inUse.Add(-1)
		<-g.slots
	}
}

// Stats are how many operations ran in all and the most at once; reset
// starts both again from zero.
func (g *Gate) Stats(reset bool) (total, peak int64) {
	if reset {
		return g.total.Swap(0), g.peak.Swap(g.inUse.Load())
	}
	return g.total.Load(), g.peak.Load()
}

// Waiting is how many callers wait for a turn now.
func (g *Gate) Waiting() int64 { return g.waiting.Load() }
