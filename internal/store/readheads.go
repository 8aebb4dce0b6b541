package store

import (
	"context"
	"database/sql"
	"sync/atomic"
)

// Heads is where an organization's writes stood when a request began: the
// history head (every item write moves it), the count of approval writes
// and the last record written in bulk (an import). Every cached view of
// an organization is kept under these, so a read starts by reading them.
type Heads struct {
	N, ApprovalsRev, BulkN int64
}

// headsKey keys a request's Heads in its context.
type headsKey struct{}

type headsAt struct {
	org   string
	heads Heads
	wrote atomic.Bool // the request wrote: its reads read afresh
}

// ReadingAt returns ctx for a request's reads of org: they take h, read
// with the caller's access at the request's start (OrgAccess.Heads), as
// the organization's state instead of reading it again. A page read that
// way shows the organization as it was when the request came, which a
// read a few milliseconds later could not tell apart; what the caller
// wrote before it is in it, since the caller's earlier requests had
// returned. Once the request writes anything (Put, or any write
// transaction), h is dropped, so that its later reads see its own write.
func ReadingAt(ctx context.Context, org string, h Heads) context.Context {
	return context.WithValue(ctx, headsKey{}, &headsAt{org: org, heads: h})
}

// headsIn is the Heads ReadingAt gave ctx for org, unless the request
// has written since.
func headsIn(ctx context.Context, org string) (Heads, bool) {
	at, ok := ctx.Value(headsKey{}).(*headsAt)
	if !ok || at.org != org || at.wrote.Load() {
		return Heads{}, false
	}
	return at.heads, true
}

// wrote drops the Heads of ctx's request: it is about to write.
func wrote(ctx context.Context) {
	if at, ok := ctx.Value(headsKey{}).(*headsAt); ok {
		at.wrote.Store(true)
	}
}

// nullHeads scans a history_heads row of an outer join (null: an
// organization with no history yet, whose heads are all 0).
type nullHeads struct{ n, rev, bulk sql.NullInt64 }

func (h nullHeads) heads() Heads {
	return Heads{N: h.n.Int64, ApprovalsRev: h.rev.Int64, BulkN: h.bulk.Int64}
}
