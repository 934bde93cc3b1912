package main

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// The data-path cost of monitoring: with p.Conns idle connections open (as in rss), a 1:4
// publish/subscribe load runs three times on the same connections: without monitoring requests,
// with a poller fetching the monitoring endpoints in a loop, and without again. Both servers run
// with -m -1 (the scenario's Args), so monitoring is on in every phase; only the requests
// differ. The result is the throughput of each phase and the ratio with ÷ without (the mean of
// the two phases without, which brackets the one with and so cancels drift).

const monitorSubs = 4

// The poller fetches, each round, what nats-top and the Prometheus exporter fetch (timed:
// both servers serve them), and on Troupe the supervision tree too (not timed).
var (
	sharedPaths = []string{"/varz", "/connz"}
	troupePaths = []string{"/actorz"}
)

// extraPaths are the untimed paths kind is also asked for.
func extraPaths(kind string) []string {
	if kind == troupeName {
		return troupePaths
	}
	return nil
}

func monitorCost(s *server, p Params) (Result, error) {
	if s.Monitor == "" {
		return Result{}, fmt.Errorf("%s wrote no monitoring URL in its ports file", s.kind.Name)
	}
	idle, err := openIdleConns(strings.TrimPrefix(s.URL, "nats://"), p.Conns)
	defer closeAll(idle)
	if err != nil {
		return Result{}, fmt.Errorf("idle connections: %w", err)
	}
	c := newConns()
	defer c.close()
	l := &pubLoad{conns: c, counter: newCounter(), data: payload(p.Size), subject: fixedSubject(loadSubject),
		perMsg: monitorSubs}
	for i := range monitorSubs {
		nc, err := c.connect(s.URL, fmt.Sprintf("sub-%d", i))
		if err != nil {
			return Result{}, err
		}
		if err := l.countOn(nc, loadSubject, ""); err != nil {
			return Result{}, err
		}
	}
	pub, err := c.connect(s.URL, "pub")
	if err != nil {
		return Result{}, err
	}
	l.pubs = append(l.pubs, pub)
	if err := c.flushAll(10 * time.Second); err != nil {
		return Result{}, err
	}
	if p.Warmup > 0 {
		if _, err := l.phase(p.Warmup, 0, p.Stall); err != nil {
			return Result{}, fmt.Errorf("warm-up: %w", err)
		}
	}
	poller := &poller{base: s.Monitor, shared: sharedPaths, extra: extraPaths(s.kind.Name), pause: p.Poll,
		client: &http.Client{Timeout: 30 * time.Second}}
	var phases [3]Result
	for i := range phases {
		l.during = nil
		if i == 1 {
			l.during = poller.run
		}
		res, err := l.phase(p.Duration, p.Msgs, p.Stall)
		if err != nil {
			return res, fmt.Errorf("phase %d of 3 (%s): %w", i+1, map[bool]string{true: "polled", false: "not polled"}[i == 1], err)
		}
		phases[i] = res
	}
	off := (metricValue(phases[0], "throughput") + metricValue(phases[2], "throughput")) / 2
	on := metricValue(phases[1], "throughput")
	res := Result{
		Sent:      phases[0].Sent + phases[1].Sent + phases[2].Sent,
		Delivered: phases[0].Delivered + phases[1].Delivered + phases[2].Delivered,
		Elapsed:   phases[0].Elapsed + phases[1].Elapsed + phases[2].Elapsed,
		Metrics: []Metric{
			{Name: "throughput_off", Label: "msgs/s, no monitoring requests", Unit: "msgs/s", Value: off, Higher: true, Show: true},
			{Name: "throughput_on", Label: "msgs/s, polled in a loop", Unit: "msgs/s", Value: on, Higher: true, Show: true},
			{Name: "monitor_ratio", Label: "polled ÷ not polled", Unit: "×", Value: on / off, Higher: true, Show: true},
		},
	}
	for _, m := range phases[1].Metrics {
		if m.Name == "poll_ms" {
			m.Show = true
			res.Metrics = append(res.Metrics, m)
		}
	}
	return res, nil
}

func metricValue(r Result, name string) float64 {
	for _, m := range r.Metrics {
		if m.Name == name {
			return m.Value
		}
	}
	return 0
}

// poller fetches its paths one after the other, round after round, reading every answer to the
// end, until stopped. It times the shared paths apart from the extra ones, so that the time per
// round compares like with like.
type poller struct {
	base   string
	shared []string // timed
	extra  []string
	pause  time.Duration
	client *http.Client
}

func (p *poller) run(stop <-chan struct{}, elapsed func() time.Duration) ([]Metric, error) {
	var rounds int
	var busy time.Duration // in the shared paths
	for {
		select {
		case <-stop:
			secs := elapsed().Seconds()
			mean := 0.0
			if rounds > 0 {
				mean = busy.Seconds() * 1000 / float64(rounds)
			}
			return []Metric{
				{Name: "polls", Label: "monitoring rounds/s", Unit: "rounds/s", Value: float64(rounds) / secs, Higher: true},
				{Name: "poll_ms", Label: "time for " + strings.Join(p.shared, " + "), Unit: "ms", Value: mean},
			}, nil
		default:
		}
		start := time.Now()
		for _, path := range p.shared {
			if err := p.fetch(path); err != nil {
				return nil, err
			}
		}
		busy += time.Since(start)
		for _, path := range p.extra {
			if err := p.fetch(path); err != nil {
				return nil, err
			}
		}
		rounds++
		if p.pause > 0 {
			select {
			case <-stop:
			case <-time.After(p.pause):
			}
		}
	}
}

func (p *poller) fetch(path string) error {
	r, err := p.client.Get(p.base + path)
	if err != nil {
		return fmt.Errorf("monitoring %s: %w", path, err)
	}
	defer r.Body.Close()
	if _, err := io.Copy(io.Discard, r.Body); err != nil {
		return fmt.Errorf("monitoring %s: %w", path, err)
	}
	if r.StatusCode != http.StatusOK {
		return fmt.Errorf("monitoring %s: %s", path, r.Status)
	}
	return nil
}
