package main

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/nats-io/nats.go"
)

// The load generator's nats.go plumbing: connections that report trouble instead of hiding it,
// and a delivery counter that tells when every expected message has arrived.

// writeBuffer is nats.go's write buffer for the load's connections (the default is 32 KiB).
const writeBuffer = 512 << 10

// errSink collects the asynchronous errors of a run's connections: a disconnect the run did not
// ask for, a slow consumer, an -ERR from the server.
type errSink struct {
	closing atomic.Bool
	mu      sync.Mutex
	first   error
	ch      chan struct{} // closed at the first error
}

func newErrSink() *errSink { return &errSink{ch: make(chan struct{})} }

func (e *errSink) add(err error) {
	if err == nil || e.closing.Load() {
		return
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.first == nil {
		e.first = err
		close(e.ch)
	}
}

func (e *errSink) err() error {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.first
}

// conns are the connections of one run, closed together.
type conns struct {
	errs *errSink
	all  []*nats.Conn
}

func newConns() *conns { return &conns{errs: newErrSink()} }

// connect opens a nats.go connection that does not reconnect: a run whose connection drops
// fails, with the reason.
func (c *conns) connect(url, name string) (*nats.Conn, error) {
	nc, err := nats.Connect(url,
		nats.Name(name),
		nats.NoReconnect(),
		nats.Timeout(10*time.Second),
		nats.WriteBufferSize(writeBuffer),
		nats.FlusherTimeout(30*time.Second),
		nats.ErrorHandler(func(_ *nats.Conn, sub *nats.Subscription, err error) {
			if sub != nil {
				err = fmt.Errorf("%s on %q: %w", name, sub.Subject, err)
			} else {
				err = fmt.Errorf("%s: %w", name, err)
			}
			c.errs.add(err)
		}),
		// nats.go passes a nil error when the server closed the connection (and when this
		// process closes it, which errs ignores): the reason, if any, is the last error.
		nats.DisconnectErrHandler(func(nc *nats.Conn, err error) {
			if err == nil {
				err = nc.LastError()
			}
			if err == nil {
				err = errors.New("connection closed by the server")
			}
			c.errs.add(fmt.Errorf("%s disconnected: %w", name, err))
		}),
	)
	if err != nil {
		return nil, fmt.Errorf("%s: connect: %w", name, err)
	}
	c.all = append(c.all, nc)
	return nc, nil
}

// close closes every connection; what they report while closing is not the run's trouble.
func (c *conns) close() {
	c.errs.closing.Store(true)
	for _, nc := range c.all {
		nc.Close()
	}
}

// flushAll makes sure the server has processed everything sent so far on every connection (its
// SUBs above all) with a PING/PONG round trip each.
func (c *conns) flushAll(timeout time.Duration) error {
	for _, nc := range c.all {
		if err := nc.FlushTimeout(timeout); err != nil {
			return fmt.Errorf("flush: %w", err)
		}
	}
	return nil
}

// deliveries counts received messages for one phase (warm-up or measurement) and notes the time
// the expected total was reached.
type deliveries struct {
	n, target atomic.Int64
	once      sync.Once
	done      chan struct{}
	at        time.Time
}

func newDeliveries() *deliveries { return &deliveries{done: make(chan struct{})} }

func (d *deliveries) add(k int64) {
	n := d.n.Add(k)
	if t := d.target.Load(); t > 0 && n >= t {
		d.finish()
	}
}

func (d *deliveries) finish() {
	d.once.Do(func() {
		d.at = time.Now()
		close(d.done)
	})
}

// counter is what subscription handlers call; it forwards to the current phase's deliveries.
type counter struct{ cur atomic.Pointer[deliveries] }

func newCounter() *counter {
	c := &counter{}
	c.cur.Store(newDeliveries())
	return c
}

func (c *counter) inc() { c.cur.Load().add(1) }

// reset starts a new phase; call it only when the last phase has received everything.
func (c *counter) reset() *deliveries {
	d := newDeliveries()
	c.cur.Store(d)
	return d
}

// errStalled is a run that stopped receiving before it got every expected message.
var errStalled = errors.New("stalled")

// wait waits until target messages have arrived, the run's connections report an error, or no
// message arrives for stall; it returns the time the last expected message arrived.
func (d *deliveries) wait(target int64, errs *errSink, stall time.Duration) (time.Time, error) {
	d.target.Store(target)
	if d.n.Load() >= target {
		d.finish()
	}
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	last, lastChange := d.n.Load(), time.Now()
	for {
		select {
		case <-d.done:
			return d.at, nil
		case <-errs.ch:
			return time.Time{}, fmt.Errorf("received %d of %d messages: %w", d.n.Load(), target, errs.err())
		case now := <-tick.C:
			if n := d.n.Load(); n != last {
				last, lastChange = n, now
			} else if now.Sub(lastChange) > stall {
				return time.Time{}, fmt.Errorf("received %d of %d messages, none in the last %s: %w", n, target, stall, errStalled)
			}
		}
	}
}
