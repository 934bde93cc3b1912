package monitor

import (
	"math"
	"runtime/metrics"
	"sync"
	"time"
)

// cpuSampler computes /varz's cpu: the percentage of one core the process used (200 = two cores
// busy), as nats-server's pse does, over the last second or so. The first answer averages since
// the server started. It is shared by concurrent requests, hence the mutex (this is not an
// actor, and nothing on the data path touches it).
type cpuSampler struct {
	since time.Time // when the current window started (the server's start at first)

	mu      sync.Mutex
	lastCPU time.Duration // process CPU time at since
	pct     float64
	sampled bool
}

// cpuWindow is the shortest window a new figure is computed over; requests within it get the
// last figure.
const cpuWindow = time.Second

func (c *cpuSampler) percent() float64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := time.Now()
	wall := now.Sub(c.since)
	if c.sampled && wall < cpuWindow {
		return c.pct
	}
	used, ok := processCPU()
	if !ok {
		return 0
	}
	if wall > 0 {
		c.pct = math.Round(float64(used-c.lastCPU)/float64(wall)*1000) / 10
	}
	c.since, c.lastCPU, c.sampled = now, used, true
	return c.pct
}

// goMemory is all the memory the Go runtime has mapped, a stand-in for the RSS where the RSS
// cannot be read.
func goMemory() int64 {
	s := []metrics.Sample{{Name: "/memory/classes/total:bytes"}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return int64(s[0].Value.Uint64())
}
