package store

import (
	"context"
	"database/sql"
	"time"

	"github.com/cloudisms/cloudisms/internal/trend"
)

// DBOf exposes the database handle to tests that tamper with rows behind
// the store's back.
func DBOf(s *Store) *sql.DB { return s.db }

// SetFailHook makes the next transactions fail just before they commit.
func SetFailHook(s *Store, f func() error) { s.failHook = f }

// SetNow replaces the store's clock (sessions and tokens expire by it).
func SetNow(s *Store, now func() time.Time) { s.now = now }

// ResetTrends forgets the computed trend points (for benchmarks of the
// first computation).
func ResetTrends(s *Store) { s.trends = NewHeadCache[trend.Point](4096) }

// SetSecurityLogBounds lowers the security log's bounds per source (and
// how often they are applied) for a test; the returned function restores
// them.
func SetSecurityLogBounds(anon, perUser, prune int) (restore func()) {
	a, u, p := securityLogAnonMax, securityLogPerUser, securityLogPrune
	securityLogAnonMax, securityLogPerUser, securityLogPrune = anon, perUser, prune
	return func() { securityLogAnonMax, securityLogPerUser, securityLogPrune = a, u, p }
}

// CarriedViews is how many views were carried over changes rather than
// computed afresh.
func CarriedViews(s *Store) int64 { return s.derived.carried.Load() }

// HoldWrites keeps an organization's writers waiting (as a write in
// progress would) until release is called.
func HoldWrites(s *Store, org string) (release func()) {
	if s.writeGate != nil {
		s.writeGate <- struct{}{}
		return func() { <-s.writeGate }
	}
	unlock, _ := lockOrg(context.Background(), &s.writeLocks, org)
	return unlock
}

// QueuedPuts is how many Puts of an organization wait for their batch.
func QueuedPuts(s *Store, org string) int {
	v, ok := s.putQueues.Load(org)
	if !ok {
		return 0
	}
	q := v.(*putQueue)
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.jobs)
}

// BatchedPuts is how many Puts were written in a transaction with others.
func BatchedPuts(s *Store) int64 { return s.batchedPuts.Load() }

// PutLeading reports whether a goroutine writes an organization's Puts.
func PutLeading(s *Store, org string) bool {
	v, ok := s.putQueues.Load(org)
	if !ok {
		return false
	}
	q := v.(*putQueue)
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.leading
}

// UpdateRows finishes a batch that updates items, each from the version
// given in prev, in a transaction of its own (finishBatch: the items'
// UPDATE with one history record per item).
func UpdateRows(s *Store, org string, items []StoredItem, prev []int64) error {
	ctx := context.Background()
	return s.orgTx(ctx, org, func(tx *sql.Tx) error {
		head, err := lockOrgHead(ctx, tx, s, org)
		if err != nil {
			return err
		}
		var b batchReads
		var changes []Change
		for i, it := range items {
			b.update(it, prev[i])
			after := string(it.Data)
			changes = append(changes, Change{Actor: it.UpdatedBy, Kind: it.Kind, Key: it.Key, Action: "update", After: &after})
		}
		return s.finishBatch(ctx, tx, org, head, &b, changes)
	})
}

// OrgLockKey is an organization's key in the search drains' advisory
// lock space.
func OrgLockKey(org string) int32 { return orgLockKey(org) }

// HeadsIn is headsIn: the Heads a request's reads of org take.
func HeadsIn(ctx context.Context, org string) (Heads, bool) { return headsIn(ctx, org) }

// CachedModelHead is the history head of the organization's cached model
// (false: none is cached).
func CachedModelHead(s *Store, org string) (int64, bool) {
	_, at, ok := s.models.Latest(org)
	return at, ok
}

// HistoryHeadOf reads the organization's history head.
func HistoryHeadOf(s *Store, org string) (int64, error) {
	return s.historyHead(context.Background(), org)
}
