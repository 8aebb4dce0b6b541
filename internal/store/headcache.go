package store

import "sync"

// HeadCache keeps values computed from an organization's data together with
// the head of its history chain at the time. Every write moves the head in
// the same transaction, so a value is used only while nothing has changed:
// it is never stale, on one instance or many. It is bounded: past max
// entries it starts over rather than grow.
type HeadCache[V any] struct {
	mu  sync.Mutex
	max int
	m   map[string]headEntry[V]
}

type headEntry[V any] struct {
	head int64
	v    V
}

// NewHeadCache makes a cache of at most max entries.
func NewHeadCache[V any](max int) *HeadCache[V] {
	return &HeadCache[V]{max: max, m: map[string]headEntry[V]{}}
}

// Get returns the value kept for key if it was computed at head.
func (c *HeadCache[V]) Get(key string, head int64) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[key]
	if !ok || e.head != head {
		var zero V
		return zero, false
	}
	return e.v, true
}

// Put keeps a value computed at head.
func (c *HeadCache[V]) Put(key string, head int64, v V) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.m) >= c.max {
		c.m = map[string]headEntry[V]{}
	}
	c.m[key] = headEntry[V]{head, v}
}

// Latest returns the value kept for key whatever head it was computed at,
// with that head.
func (c *HeadCache[V]) Latest(key string) (V, int64, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[key]
	return e.v, e.head, ok
}

// PutNewer keeps a value computed at head unless one computed at a newer
// head is kept already (heads only grow: the newer one serves longer).
func (c *HeadCache[V]) PutNewer(key string, head int64, v V) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.m[key]; ok && e.head > head {
		return
	}
	if len(c.m) >= c.max {
		c.m = map[string]headEntry[V]{}
	}
	c.m[key] = headEntry[V]{head, v}
}
