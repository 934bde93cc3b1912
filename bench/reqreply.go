package main

import (
	"fmt"
	"slices"
	"time"

	"github.com/nats-io/nats.go"
)

// Request/reply: one requester sends a request, waits for the reply, sends the next; one
// responder answers each with a payload of the same size. Throughput is completed requests per
// second; latency is each request's round trip as the requester sees it.

const (
	serviceSubject = "bench.svc"
	requestTimeout = 5 * time.Second
)

func reqReply(s *server, p Params) (Result, error) {
	c := newConns()
	defer c.close()
	responder, err := c.connect(s.URL, "responder")
	if err != nil {
		return Result{}, err
	}
	reply := payload(p.Size)
	sub, err := responder.Subscribe(serviceSubject, func(m *nats.Msg) {
		if err := m.Respond(reply); err != nil {
			c.errs.add(fmt.Errorf("respond: %w", err))
		}
	})
	if err != nil {
		return Result{}, err
	}
	if err := sub.SetPendingLimits(-1, -1); err != nil {
		return Result{}, err
	}
	requester, err := c.connect(s.URL, "requester")
	if err != nil {
		return Result{}, err
	}
	if err := c.flushAll(10 * time.Second); err != nil {
		return Result{}, err
	}
	data := payload(p.Size)
	if p.Warmup > 0 {
		if _, err := requests(requester, c.errs, data, p.Warmup, 0, nil); err != nil {
			return Result{}, fmt.Errorf("warm-up: %w", err)
		}
	}
	lat := make([]time.Duration, 0, 1<<16)
	start := time.Now()
	lat, err = requests(requester, c.errs, data, p.Duration, p.Requests, lat)
	elapsed := time.Since(start)
	if err != nil {
		return Result{}, err
	}
	slices.Sort(lat)
	n := int64(len(lat))
	us := func(d time.Duration) float64 { return float64(d) / float64(time.Microsecond) }
	return Result{
		Sent: n, Delivered: n, Elapsed: elapsed,
		Metrics: []Metric{
			{Name: "throughput", Label: "requests/s", Unit: "req/s", Value: float64(n) / elapsed.Seconds(), Higher: true, Show: true},
			{Name: "p50", Label: "latency p50", Unit: "µs", Value: us(percentile(lat, 50)), Show: true},
			{Name: "p99", Label: "latency p99", Unit: "µs", Value: us(percentile(lat, 99)), Show: true},
			{Name: "p99.9", Label: "latency p99.9", Unit: "µs", Value: us(percentile(lat, 99.9)), Show: true},
			{Name: "max", Label: "latency max", Unit: "µs", Value: us(percentile(lat, 100))},
		},
	}, nil
}

// requests sends requests one after the other for dur (or msgs of them, when msgs > 0) and
// appends each round trip to lat.
func requests(nc *nats.Conn, errs *errSink, data []byte, dur time.Duration, msgs int, lat []time.Duration) ([]time.Duration, error) {
	deadline := time.Now().Add(dur)
	for i := 0; ; i++ {
		t0 := time.Now()
		if msgs > 0 && i >= msgs || msgs <= 0 && !t0.Before(deadline) {
			return lat, nil
		}
		if _, err := nc.Request(serviceSubject, data, requestTimeout); err != nil {
			if e := errs.err(); e != nil {
				err = fmt.Errorf("%w (%v)", err, e)
			}
			return lat, fmt.Errorf("request %d: %w", i, err)
		}
		if lat != nil {
			lat = append(lat, time.Since(t0))
		}
	}
}
