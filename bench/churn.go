package main

import (
	"fmt"
	"strconv"
	"time"

	"github.com/nats-io/nats.go"
)

// Subscription churn: a 1:1 load on one subject while another connection subscribes and
// unsubscribes at a steady rate, so the subscription index changes under the publisher's feet.
// The churned subjects (literal and wildcard) never match the published one.

// churnLive is how many churned subscriptions exist at once; each new one replaces the oldest.
const churnLive = 1000

func churn(s *server, p Params) (Result, error) {
	c := newConns()
	defer c.close()
	l := &pubLoad{conns: c, counter: newCounter(), data: payload(p.Size), perMsg: 1, subject: fixedSubject(loadSubject)}
	sub, err := c.connect(s.URL, "sub")
	if err != nil {
		return Result{}, err
	}
	if err := l.countOn(sub, loadSubject, ""); err != nil {
		return Result{}, err
	}
	pub, err := c.connect(s.URL, "pub")
	if err != nil {
		return Result{}, err
	}
	l.pubs = []*nats.Conn{pub}
	churner, err := c.connect(s.URL, "churner")
	if err != nil {
		return Result{}, err
	}
	// Churned subscriptions share one channel that nothing is ever sent on: no goroutine and no
	// buffer per subscription on the client side.
	sink := make(chan *nats.Msg, 1)
	ch := &churnState{nc: churner, sink: sink, rate: p.Churn}
	l.during = ch.run
	if err := c.flushAll(10 * time.Second); err != nil {
		return Result{}, err
	}
	return l.measure(p)
}

type churnState struct {
	nc   *nats.Conn
	sink chan *nats.Msg
	rate int // SUB+UNSUB operations per second
	live []*nats.Subscription
	seq  int
}

// run churns at the set rate until stop is closed, then flushes and reports the rate achieved.
func (c *churnState) run(stop <-chan struct{}, elapsed func() time.Duration) ([]Metric, error) {
	tick := time.NewTicker(time.Millisecond)
	defer tick.Stop()
	ops := 0
	for {
		select {
		case <-stop:
			if err := c.nc.FlushTimeout(flushTimeout); err != nil {
				return nil, fmt.Errorf("churner flush: %w", err)
			}
			secs := elapsed().Seconds()
			return []Metric{{Name: "churn_rate", Label: "SUB+UNSUB/s", Unit: "ops/s", Value: float64(ops) / secs, Higher: true}}, nil
		case <-tick.C:
			// Catch up to the rate, at most 50 ms' worth at once.
			due := int(elapsed().Seconds()*float64(c.rate)) - ops
			due = min(due, c.rate/20)
			for due > 0 {
				n, err := c.step()
				if err != nil {
					return nil, err
				}
				ops += n
				due -= n
			}
		}
	}
}

// step adds one subscription and, past churnLive, removes the oldest; it returns the number of
// operations (1 or 2).
func (c *churnState) step() (int, error) {
	c.seq++
	var subj string
	switch c.seq % 3 {
	case 0:
		subj = "churn." + strconv.Itoa(c.seq)
	case 1:
		subj = "churn." + strconv.Itoa(c.seq) + ".*"
	default:
		subj = "churn.*." + strconv.Itoa(c.seq) + ".>"
	}
	sub, err := c.nc.ChanSubscribe(subj, c.sink)
	if err != nil {
		return 0, fmt.Errorf("churn subscribe %s: %w", subj, err)
	}
	c.live = append(c.live, sub)
	if len(c.live) <= churnLive {
		return 1, nil
	}
	if err := c.live[0].Unsubscribe(); err != nil {
		return 1, fmt.Errorf("churn unsubscribe %s: %w", c.live[0].Subject, err)
	}
	c.live = c.live[1:]
	return 2, nil
}
