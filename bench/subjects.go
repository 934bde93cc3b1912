package main

import (
	"fmt"
	"strconv"
	"time"

	"github.com/nats-io/nats.go"
)

// Many subjects: one connection holds p.Subjects literal subscriptions m.0 … m.<n-1>, two more
// hold m.* and m.>; the publisher cycles through the literal subjects, so every message is
// delivered three times and every publish looks a different subject up.

func manySubjects(s *server, p Params) (Result, error) {
	n := p.Subjects
	subjects := make([]string, n)
	for i := range subjects {
		subjects[i] = "m." + strconv.Itoa(i)
	}
	c := newConns()
	defer c.close()
	l := &pubLoad{conns: c, counter: newCounter(), data: payload(p.Size), perMsg: 3,
		subject: func(seq int) string { return subjects[seq%n] }}

	// nats.go runs a goroutine per asynchronous subscription; channel subscriptions share one
	// channel and one counting goroutine instead.
	lit, err := c.connect(s.URL, "literal-subs")
	if err != nil {
		return Result{}, err
	}
	// The channel is never closed: nats.go may still be delivering to it while the run ends.
	ch := make(chan *nats.Msg, 1<<20)
	quit := make(chan struct{})
	defer close(quit)
	go func() {
		for {
			select {
			case <-ch:
				l.counter.inc()
			case <-quit:
				return
			}
		}
	}()
	start := time.Now()
	for _, subj := range subjects {
		if _, err := lit.ChanSubscribe(subj, ch); err != nil {
			return Result{}, fmt.Errorf("subscribe %s: %w", subj, err)
		}
	}
	if err := lit.FlushTimeout(60 * time.Second); err != nil {
		return Result{}, fmt.Errorf("flush after %d SUBs: %w", n, err)
	}
	setup := time.Since(start)

	for _, w := range []string{"m.*", "m.>"} {
		nc, err := c.connect(s.URL, "wildcard-sub "+w)
		if err != nil {
			return Result{}, err
		}
		if err := l.countOn(nc, w, ""); err != nil {
			return Result{}, err
		}
	}
	pub, err := c.connect(s.URL, "pub")
	if err != nil {
		return Result{}, err
	}
	l.pubs = []*nats.Conn{pub}
	if err := c.flushAll(10 * time.Second); err != nil {
		return Result{}, err
	}
	res, err := l.measure(p)
	if err != nil {
		return res, err
	}
	res.Metrics = append(res.Metrics, Metric{Name: "sub_setup", Label: fmt.Sprintf("%dk SUBs acknowledged", n/1000), Unit: "s",
		Value: setup.Seconds(), Show: true})
	return res, nil
}
