package store

// HashStats reports how many password hashes ran in this process and the
// most that ran at once, and resets both.
func HashStats() (total, peak int64) {
	return hashes.Stats(true)
}

// HashSlots is the bound on hashes at once.
const HashSlots = hashSlots

// Throttle limits, for tests that run into them.
const (
	PairMax        = pairMax
	AccountCeiling = accountCeiling
	AccountBackoff = accountBackoff
)
