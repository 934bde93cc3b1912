package actors

import "time"

// Fast-producer back-pressure. A reader that routes to a connection whose pending bytes are over
// the stall threshold waits, briefly, for that connection's actor to write: nats-server's fast
// producer stall (2 ms, 5 ms when over max_pending, at most 10 ms per read). Unlike nats-server,
// a reader stalls only for a connection that is draining: one whose actor is not stuck in a
// write. A connection that stopped reading does not slow its publishers down; it fills up to
// max_pending and is closed as a slow consumer.
const (
	stallMin   = 2 * time.Millisecond
	stallMax   = 5 * time.Millisecond
	stallTotal = 10 * time.Millisecond
	// stuckAfter is how long a write may block before its connection counts as not draining.
	// A blocked write wakes only once the reader has drained a good part of the socket's send
	// buffer (up to 4 MiB on Linux loopback), so a reader that drains steadily at 10 MB/s can
	// leave a write blocked for over 100 ms: measured, 100 ms took such readers for stuck.
	// 500 ms holds for readers down to about 3 MB/s; a reader that stopped slows its
	// publishers for that long at most (10 ms of stall per read), then max_pending decides.
	stuckAfter = 500 * time.Millisecond
	// stallCap bounds the threshold: what a connection needs queued to keep its socket busy,
	// whatever max_pending allows. It keeps memory per subscriber bounded under fan-out.
	stallCap = 8 << 20
)

// stallThreshold is nats-server's 75% of max_pending, capped at stallCap.
func stallThreshold(maxPending int64) int64 {
	return min(maxPending/4*3, stallCap)
}

// stall waits while p stays over the threshold and keeps draining, a gate at a time, until the
// read's budget runs out. It returns how long it waited.
func (r *router) stall(p *Endpoint, n int64, budget time.Duration) time.Duration {
	var waited time.Duration
	for waited < budget {
		if w := p.writing.Load(); w != 0 && time.Since(time.Unix(0, w)) > stuckAfter {
			break // not draining: max_pending decides
		}
		gate := p.stallGate()
		pending := p.pending.Load() + n
		if pending <= r.srv.stallAt || p.closed.Load() {
			break
		}
		ttl := stallMin
		if pending > r.srv.opts.MaxPending {
			ttl = stallMax
		}
		ttl = min(ttl, budget-waited)
		start := time.Now()
		r.timer.Reset(ttl)
		select {
		case <-gate:
			r.timer.Stop()
		case <-r.timer.C:
		case <-r.quit:
			r.timer.Stop()
			return waited + time.Since(start)
		}
		waited += time.Since(start)
	}
	return waited
}
