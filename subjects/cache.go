package subjects

// Cache is a per-reader memo of Snapshot.Match results, like nats-server's
// per-connection L1 cache. It is owned by one goroutine (a connection's
// reader) and is not safe for concurrent use.
//
// Entries are keyed by subject and valid for one snapshot only: when Match
// is called with a different snapshot than the cached entries came from,
// the cache drops them all. It holds at most max entries; when full it is
// emptied wholesale, which keeps a hit as cheap as one map lookup and costs
// one Match per subject to refill.
type Cache[S comparable] struct {
	snap *Snapshot[S]
	max  int
	m    map[string]*Result[S]
}

// DefaultCacheSize is a sensible max for NewCache.
const DefaultCacheSize = 4096

// NewCache returns an empty cache of at most size entries (at least 1).
func NewCache[S comparable](size int) *Cache[S] {
	return &Cache[S]{max: max(size, 1), m: make(map[string]*Result[S])}
}

// Match returns snap.Match(subject), from the cache when it can. A hit
// allocates nothing. The Result is shared with later calls for the same
// subject and snapshot: the caller must not change it.
func (c *Cache[S]) Match(snap *Snapshot[S], subject []byte) *Result[S] {
	if c.snap != snap {
		// A different snapshot: pointers identify generations of one
		// Index, and also never mix up two indexes.
		clear(c.m)
		c.snap = snap
	} else if r, ok := c.m[string(subject)]; ok {
		return r
	}
	r := snap.Match(subject)
	if len(c.m) >= c.max {
		clear(c.m)
	}
	c.m[string(subject)] = r
	return r
}

// Len returns the number of cached subjects.
func (c *Cache[S]) Len() int { return len(c.m) }
