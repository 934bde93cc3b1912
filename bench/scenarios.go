package main

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// A scenario is one kind of load. Its Run connects to a fresh server with nats.go clients in this
// process, warms up, measures, and returns the metrics of that one run.

// Metric is one measured quantity of a run.
type Metric struct {
	Name   string  // key in the CSV: "throughput", "p99", ...
	Label  string  // in the table: "msgs/s", "latency p99"
	Unit   string  // "msgs/s", "µs", "B/conn", "s", ...
	Value  float64 //
	Higher bool    // higher is better (throughput); else lower is (latency, memory)
	Show   bool    // a row of the markdown table and a bar of the chart; else CSV only
}

// Result is what one run measured.
type Result struct {
	Metrics   []Metric
	Sent      int64 // messages published (or requests sent)
	Delivered int64 // messages received by the subscribers
	Elapsed   time.Duration
}

// Params are the knobs of one run.
type Params struct {
	Size     int           // payload bytes
	Duration time.Duration // how long publishers publish (when Msgs is 0)
	Msgs     int           // a fixed number of published messages per run instead of Duration
	Requests int           // a fixed number of requests per request/reply run instead of Duration
	Warmup   time.Duration // the same load, unmeasured, first
	Stall    time.Duration // a run fails when no message arrives for this long
	Subjects int           // the "subjects" scenario: literal subjects
	Conns    int           // the "rss" scenario: idle connections
	Churn    int           // the "churn" scenario: SUB+UNSUB operations per second
	Poll     time.Duration // the "monitor" scenario: pause between rounds of monitoring requests
}

// Scenario is one named load.
type Scenario struct {
	Name  string
	Desc  string
	Sized bool     // runs once per message size; else once, with size "-"
	Args  []string // extra server flags, e.g. -m -1 for monitoring
	// Config is a configuration file both servers are started with (-c), and Login the
	// user:password the load's connections log in with.
	Config, Login string
	Run           func(s *server, p Params) (Result, error)
}

// scenarios in report order.
var scenarios = []Scenario{
	{Name: "pub", Sized: true, Desc: "publish-only: 1 publisher, no subscriber; msgs/s at the publisher (publish, then a PING/PONG flush)",
		Run: pubSub(pubSubSpec{pubs: 1})},
	{Name: "1:1", Sized: true, Desc: "1 publisher, 1 subscriber (separate connections), one subject; msgs/s received",
		Run: pubSub(pubSubSpec{pubs: 1, subs: 1})},
	{Name: "1:4", Sized: true, Desc: "fan-out: 1 publisher, 4 subscribers on 4 connections; aggregate msgs/s received",
		Run: pubSub(pubSubSpec{pubs: 1, subs: 4})},
	{Name: "1:16", Sized: true, Desc: "fan-out: 1 publisher, 16 subscribers on 16 connections; aggregate msgs/s received",
		Run: pubSub(pubSubSpec{pubs: 1, subs: 16})},
	{Name: "4:4", Sized: true, Desc: "N:M: 4 publishers and 4 subscribers on one subject, each subscriber gets every message; aggregate msgs/s received",
		Run: pubSub(pubSubSpec{pubs: 4, subs: 4})},
	{Name: "queue4", Sized: true, Desc: "queue group: 1 publisher, 4 subscribers in one queue group (each message to one of them); aggregate msgs/s received",
		Run: pubSub(pubSubSpec{pubs: 1, subs: 4, queue: "q"})},
	{Name: "perms", Sized: true, Config: permsConfig, Login: "bench:bench", Desc: "publish-only as pub, by a user with publish permissions (20 allow entries, 1 deny) that the server checks on every PUB; msgs/s at the publisher",
		Run: pubSub(pubSubSpec{pubs: 1})},
	{Name: "reqrep", Sized: true, Desc: "request/reply: 1 requester (nats.go Request, one at a time) and 1 responder; requests/s and per-request latency",
		Run: reqReply},
	{Name: "subjects", Sized: true, Desc: "many subjects: one connection subscribed to 100k literal subjects m.<i>, plus subscribers on m.* and m.>; 1 publisher cycles through the 100k subjects; aggregate msgs/s received (3 per message) and the time for the 100k SUBs to be acknowledged (PING/PONG)",
		Run: manySubjects},
	{Name: "churn", Sized: true, Desc: "subscription churn: 1:1 on one subject while another connection SUBs and UNSUBs other (literal and wildcard) subjects at a steady 10k operations/s; msgs/s received",
		Run: churn},
	{Name: "monitor", Sized: true, Args: []string{"-m", "-1"}, Desc: "the data-path cost of monitoring: 10k idle connections, then 1 publisher and 4 subscribers (1:4) at full speed, measured without monitoring requests, with a poller fetching /varz, /connz (and Troupe's /actorz) in a loop, and without again; aggregate msgs/s received in each phase, the ratio with/without, and the poller's time in /varz + /connz (servers run with -m -1)",
		Run: monitorCost},
	{Name: "rss", Desc: "memory per idle connection: 10k raw TCP connections, each CONNECT, one SUB, PING/PONG; (RSS after - RSS before) / 10k",
		Run: idleConnRSS},
}

// coreScenarios are the four of the design brief's bar (§8), at 16 B.
var coreScenarios = []string{"pub", "1:1", "1:4", "reqrep"}

func scenarioByName(name string) (Scenario, bool) {
	for _, s := range scenarios {
		if s.Name == name {
			return s, true
		}
	}
	return Scenario{}, false
}

// parseScenarios reads -scenarios: "core", "all" or a comma list of names.
func parseScenarios(list string) ([]Scenario, error) {
	var names []string
	for _, n := range strings.Split(list, ",") {
		switch n = strings.TrimSpace(n); n {
		case "":
		case "all":
			for _, s := range scenarios {
				names = append(names, s.Name)
			}
		case "core":
			names = append(names, coreScenarios...)
		default:
			if _, ok := scenarioByName(n); !ok {
				return nil, fmt.Errorf("unknown scenario %q (have core, all, %s)", n, strings.Join(scenarioNames(), ", "))
			}
			names = append(names, n)
		}
	}
	var out []Scenario
	for _, s := range scenarios { // report order, no duplicates
		if slices.Contains(names, s.Name) {
			out = append(out, s)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no scenario selected")
	}
	return out, nil
}

func scenarioNames() []string {
	var n []string
	for _, s := range scenarios {
		n = append(n, s.Name)
	}
	return n
}

// permsConfig is the "perms" scenario's user: publish permissions of the size a service's
// user has (the load's subject is matched by the last allow entry), subscribe unrestricted.
var permsConfig = func() string {
	allow := ""
	for i := range 19 {
		allow += fmt.Sprintf("%q, ", fmt.Sprintf("svc%d.*.req", i))
	}
	return fmt.Sprintf(`authorization {
  users: [ {user: bench, password: bench, permissions: {
    publish: { allow: [%s"bench.>"], deny: ["bench.admin.>"] }
  }} ]
}
`, allow)
}()
