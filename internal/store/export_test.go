package store

import (
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
