package main

import (
	"fmt"
	"sync"
	"time"

	"github.com/nats-io/nats.go"
)

// Publish/subscribe loads: publishers send as fast as nats.go lets them for the run's duration
// (or a fixed count), flush, and the run ends when every expected message has reached the
// subscribers. Throughput is counted where the messages end up: at the subscribers, or at the
// publisher when there are none.

// pubSubSpec is a publish/subscribe shape on one subject.
type pubSubSpec struct {
	pubs, subs int
	queue      string // a queue group for the subscribers, or none
}

const loadSubject = "bench.load"

// pubSub is the Run of a scenario of that shape.
func pubSub(spec pubSubSpec) func(*server, Params) (Result, error) {
	return func(s *server, p Params) (Result, error) {
		c := newConns()
		defer c.close()
		l := &pubLoad{conns: c, counter: newCounter(), data: payload(p.Size), subject: fixedSubject(loadSubject)}
		for i := range spec.subs {
			nc, err := c.connect(s.URL, fmt.Sprintf("sub-%d", i))
			if err != nil {
				return Result{}, err
			}
			if err := l.countOn(nc, loadSubject, spec.queue); err != nil {
				return Result{}, err
			}
		}
		l.perMsg = int64(spec.subs)
		if spec.queue != "" && spec.subs > 0 {
			l.perMsg = 1
		}
		for i := range spec.pubs {
			nc, err := c.connect(s.URL, fmt.Sprintf("pub-%d", i))
			if err != nil {
				return Result{}, err
			}
			l.pubs = append(l.pubs, nc)
		}
		if err := c.flushAll(10 * time.Second); err != nil {
			return Result{}, err
		}
		return l.measure(p)
	}
}

// payload is size bytes of filler.
func payload(size int) []byte {
	b := make([]byte, size)
	for i := range b {
		b[i] = 'a' + byte(i%26)
	}
	return b
}

func fixedSubject(s string) func(int) string { return func(int) string { return s } }

// pubLoad is a prepared publish/subscribe load: connected, subscribed, ready to run phases.
type pubLoad struct {
	conns   *conns
	counter *counter
	pubs    []*nats.Conn
	subject func(seq int) string // the subject of each publisher's seq-th message
	data    []byte
	perMsg  int64 // deliveries expected per published message; 0 for publish-only
	// during, if set, runs alongside the publishers and returns when stop is closed, with the
	// metrics it wants recorded (churn).
	during func(stop <-chan struct{}, elapsed func() time.Duration) ([]Metric, error)
}

// countOn subscribes nc to subject (in queue group queue, if any) with a counting handler that
// the client never drops messages for.
func (l *pubLoad) countOn(nc *nats.Conn, subject, queue string) error {
	h := func(*nats.Msg) { l.counter.inc() }
	var sub *nats.Subscription
	var err error
	if queue != "" {
		sub, err = nc.QueueSubscribe(subject, queue, h)
	} else {
		sub, err = nc.Subscribe(subject, h)
	}
	if err != nil {
		return fmt.Errorf("subscribe %s: %w", subject, err)
	}
	return sub.SetPendingLimits(-1, -1)
}

// measure runs the warm-up phase, then the measured one.
func (l *pubLoad) measure(p Params) (Result, error) {
	if p.Warmup > 0 {
		if res, err := l.phase(p.Warmup, 0, p.Stall); err != nil {
			return res, fmt.Errorf("warm-up: %w", err)
		}
	}
	return l.phase(p.Duration, p.Msgs, p.Stall)
}

// flushTimeout bounds a publisher's final PING/PONG: the server may have a large backlog.
const flushTimeout = 60 * time.Second

// phase publishes for dur (or msgs messages in all, when msgs > 0) and waits for the deliveries.
func (l *pubLoad) phase(dur time.Duration, msgs int, stall time.Duration) (Result, error) {
	d := l.counter.reset()
	sent := make([]int64, len(l.pubs))
	pubErr := make([]error, len(l.pubs))
	stop := make(chan struct{})
	var during []Metric
	var duringErr error
	var wg, wgDuring sync.WaitGroup
	start := time.Now()
	if l.during != nil {
		wgDuring.Go(func() { during, duringErr = l.during(stop, func() time.Duration { return time.Since(start) }) })
	}
	deadline := start.Add(dur)
	for i, nc := range l.pubs {
		quota := -1
		if msgs > 0 {
			quota = msgs / len(l.pubs)
			if i < msgs%len(l.pubs) {
				quota++
			}
		}
		wg.Go(func() {
			n, err := publish(nc, l.subject, l.data, quota, deadline, l.conns.errs.ch)
			sent[i] = n
			if err == nil {
				err = nc.FlushTimeout(flushTimeout)
			}
			if err != nil {
				pubErr[i] = fmt.Errorf("publisher %d after %d messages: %w", i, n, err)
			}
		})
	}
	wg.Wait()
	pubEnd := time.Now()
	close(stop)
	wgDuring.Wait()
	var total int64
	for i := range sent {
		total += sent[i]
	}
	// A failed phase still tells how far it got (for the CSV).
	res := Result{Sent: total}
	fail := func(err error) (Result, error) {
		res.Delivered = d.n.Load()
		res.Elapsed = time.Since(start)
		return res, err
	}
	for i := range pubErr {
		if pubErr[i] != nil {
			return fail(pubErr[i])
		}
	}
	if duringErr != nil {
		return fail(duringErr)
	}
	if err := l.conns.errs.err(); err != nil {
		return fail(err)
	}
	pubSecs := pubEnd.Sub(start).Seconds()
	if l.perMsg == 0 {
		res.Elapsed = pubEnd.Sub(start)
	} else {
		at, err := d.wait(total*l.perMsg, l.conns.errs, stall)
		if err != nil {
			return fail(err)
		}
		res.Delivered = d.n.Load()
		res.Elapsed = at.Sub(start)
	}
	count := res.Delivered
	if l.perMsg == 0 {
		count = total
	}
	res.Metrics = append(res.Metrics,
		Metric{Name: "throughput", Label: "msgs/s", Unit: "msgs/s", Value: float64(count) / res.Elapsed.Seconds(), Higher: true, Show: true},
		Metric{Name: "pub_rate", Label: "published msgs/s", Unit: "msgs/s", Value: float64(total) / pubSecs, Higher: true},
		Metric{Name: "mbytes", Label: "payload MB/s", Unit: "MB/s", Value: float64(count) * float64(len(l.data)) / res.Elapsed.Seconds() / 1e6, Higher: true},
	)
	res.Metrics = append(res.Metrics, during...)
	return res, nil
}

// publish sends data until deadline (quota < 0) or quota messages, checking the clock every 64
// messages; it stops early when abort is closed (a connection of the run failed).
func publish(nc *nats.Conn, subject func(int) string, data []byte, quota int, deadline time.Time, abort <-chan struct{}) (int64, error) {
	var n int64
	for {
		if n&63 == 0 {
			select {
			case <-abort:
				return n, nil
			default:
			}
			if quota < 0 && !time.Now().Before(deadline) {
				return n, nil
			}
		}
		if quota >= 0 && n >= int64(quota) {
			return n, nil
		}
		if err := nc.Publish(subject(int(n)), data); err != nil {
			return n, err
		}
		n++
	}
}
