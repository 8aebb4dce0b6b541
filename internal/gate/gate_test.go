package gate

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestGate(t *testing.T) {
	g := New(1, 1, 200*time.Millisecond)
	ctx := context.Background()
	leave, err := g.Enter(ctx)
	if err != nil {
		t.Fatal(err)
	}
	// One waits and gets the slot when it is given back.
	got := make(chan error, 1)
	go func() {
		l, err := g.Enter(ctx)
		if err == nil {
			l()
		}
		got <- err
	}()
	for g.Waiting() != 1 {
		time.Sleep(time.Millisecond)
	}
	// The queue is full: refused at once, with when to try again.
	var be *BusyError
	if _, err := g.Enter(ctx); !errors.As(err, &be) || !errors.Is(err, ErrBusy) || be.RetryAfter != 200*time.Millisecond {
		t.Errorf("a full queue: %v", err)
	}
	leave()
	if err := <-got; err != nil {
		t.Errorf("the waiting one: %v", err)
	}
	// A wait that runs out, and a caller that goes away.
	leave, _ = g.Enter(ctx)
	if _, err := g.Enter(ctx); !errors.Is(err, ErrBusy) {
		t.Errorf("a wait that ran out: %v", err)
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := g.Enter(cctx); !errors.Is(err, context.Canceled) || g.Waiting() != 0 {
		t.Errorf("a caller gone: %v, %d waiting", err, g.Waiting())
	}
	leave()
	if total, peak := g.Stats(true); total != 3 || peak != 1 {
		t.Errorf("stats: %d in all, %d at once; want 3 and 1", total, peak)
	}
}
