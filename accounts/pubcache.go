package accounts

// PublishCacheSize bounds a PublishCache; when full, PublishCachePrune entries are dropped.
// nats-server keeps the same per-connection cache (client.go maxPermCacheSize, pruneSize).
const (
	PublishCacheSize  = 128
	PublishCachePrune = 32
)

// PublishCache remembers a connection's publish verdicts by subject, so that a publisher that
// sends to the same few subjects pays one map lookup per PUB instead of a walk of its
// permission patterns. It is not safe for concurrent use: its owner is the connection's reader.
//
// A publisher whose subjects do not repeat would pay for the cache on every PUB (a miss, a
// copy of the subject, an insert, a prune) and gain nothing, so the cache turns itself off
// when, between two prunes, fewer lookups hit than missed (the first fill is not judged: it
// is all misses).
type PublishCache struct {
	perms        *Perms
	m            map[string]bool // nil: not caching (no publish restrictions, or turned off)
	hits, misses int             // since the last prune
	pruned       bool            // the cache has been full once
}

// Reset makes the cache check against p, forgetting every verdict (permissions changed).
func (c *PublishCache) Reset(p *Perms) {
	*c = PublishCache{perms: p}
	if p.RestrictsPublish() {
		c.m = make(map[string]bool, PublishCacheSize)
	}
}

// CanPublish is Perms.CanPublish, cached.
func (c *PublishCache) CanPublish(subject []byte) bool {
	if c.m == nil {
		return c.perms.CanPublish(subject)
	}
	if ok, hit := c.m[string(subject)]; hit {
		c.hits++
		return ok
	}
	c.misses++
	ok := c.perms.CanPublish(subject)
	if len(c.m) >= PublishCacheSize {
		if c.pruned && c.hits < c.misses {
			c.m = nil
			return ok
		}
		c.prune()
	}
	c.m[string(subject)] = ok
	return ok
}

// Caching reports whether verdicts are being cached.
func (c *PublishCache) Caching() bool { return c.m != nil }

// prune drops PublishCachePrune entries, the ones map iteration happens to give first.
func (c *PublishCache) prune() {
	n := 0
	for k := range c.m {
		delete(c.m, k)
		if n++; n == PublishCachePrune {
			break
		}
	}
	c.hits, c.misses, c.pruned = 0, 0, true
}
