package actors

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
)

// Every timer of a connection, run past its expiry with the setting shortened: the connection
// keeps working, or closes as nats-server closes it, and nothing written is lost. (The ping
// timer: TestStaleConnection and TestPingAnsweredKeepsConnection; the authentication timeout:
// TestAuthTimeout; the lame-duck timers: TestLameDuck.)

// outlive waits until d has passed: the point of these tests is a connection older than one of
// its timers.
func outlive(d time.Duration) { time.Sleep(d) }

// A write deadline bounds each write; it is no lifetime. A connection older than it is served
// as a new one: replies, deliveries, and the counters of what was sent.
func TestWritesOutliveWriteDeadline(t *testing.T) {
	o := testOptions()
	o.WriteDeadline = 100 * time.Millisecond
	s := startServer(t, o)
	sub := dial(t, s)
	sub.send("CONNECT {\"verbose\":false}\r\nSUB foo 1\r\nPING\r\n")
	sub.expect(`^PONG\r\n`)
	pub := dial(t, s)
	pub.send("CONNECT {\"verbose\":false}\r\nPING\r\n")
	pub.expect(`^PONG\r\n`)

	for round := range 3 {
		outlive(3 * o.WriteDeadline)
		// Small writes (written on the publisher's goroutine)...
		sub.send("PING\r\nPING\r\n")
		sub.expect(`^PONG\r\nPONG\r\n`)
		pub.send("PUB foo 2\r\nhi\r\nPING\r\n")
		pub.expect(`^PONG\r\n`)
		sub.expect(`^MSG foo 1 2\r\nhi\r\n`)
		// ...and a large one (by a worker, which sets a deadline of its own).
		big := strings.Repeat("x", 64<<10)
		pub.send("PUB foo %d\r\n%s\r\nPING\r\n", len(big), big)
		pub.expect(`^PONG\r\n`)
		sub.expect(fmt.Sprintf(`^MSG foo 1 %d\r\nx+\r\n`, len(big)))
		want := int64(2 * (round + 1))
		waitFor(t, 5*time.Second, "out_msgs", func() bool { return s.srv.stats.outMsgs.Load() == want })
	}
}

// Real nats.go clients doing pub/sub and request/reply for longer than the write deadline,
// the ping interval and max pings out together: every message arrives once, in order, every
// request is answered, and the server counts exactly what it delivered.
func TestLongLivedClients(t *testing.T) {
	o := testOptions()
	o.WriteDeadline = 100 * time.Millisecond
	o.PingInterval = 100 * time.Millisecond
	o.MaxPingsOut = 2
	s := startServer(t, o)
	const lifetime = 1500 * time.Millisecond // 15 write deadlines and ping intervals

	sub := natsConn(t, s, nats.NoReconnect())
	var (
		mu       sync.Mutex
		next     = 0
		disorder []string
	)
	if _, err := sub.Subscribe("seq", func(m *nats.Msg) {
		mu.Lock()
		defer mu.Unlock()
		if got := string(m.Data); got != fmt.Sprint(next) {
			disorder = append(disorder, fmt.Sprintf("got %s, want %d", got, next))
		}
		next++
	}); err != nil {
		t.Fatal(err)
	}
	svc := natsConn(t, s, nats.NoReconnect())
	if _, err := svc.Subscribe("svc", func(m *nats.Msg) { _ = m.Respond(append([]byte("re:"), m.Data...)) }); err != nil {
		t.Fatal(err)
	}
	for _, nc := range []*nats.Conn{sub, svc} {
		if err := nc.Flush(); err != nil {
			t.Fatal(err)
		}
	}
	pub := natsConn(t, s, nats.NoReconnect())
	req := natsConn(t, s, nats.NoReconnect())

	start := time.Now()
	sent, requests := 0, 0
	for time.Since(start) < lifetime {
		for range 50 {
			if err := pub.Publish("seq", []byte(fmt.Sprint(sent))); err != nil {
				t.Fatalf("publish %d at %v: %v", sent, time.Since(start), err)
			}
			sent++
		}
		body := fmt.Sprint(requests)
		m, err := req.Request("svc", []byte(body), 2*time.Second)
		if err != nil {
			t.Fatalf("request %d at %v: %v", requests, time.Since(start), err)
		}
		if string(m.Data) != "re:"+body {
			t.Fatalf("request %d answered %q", requests, m.Data)
		}
		requests++
		if err := pub.FlushTimeout(2 * time.Second); err != nil {
			t.Fatalf("flush at %v: %v", time.Since(start), err)
		}
		time.Sleep(5 * time.Millisecond) // a steady pace, not a flood: inline writes
	}
	if err := sub.FlushTimeout(2 * time.Second); err != nil {
		t.Fatalf("subscriber flush: %v", err)
	}
	waitFor(t, 5*time.Second, "every message", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return next >= sent
	})
	mu.Lock()
	defer mu.Unlock()
	if len(disorder) > 0 || next != sent {
		t.Fatalf("%d of %d messages; out of order: %v", next, sent, disorder[:min(len(disorder), 5)])
	}
	// Each message went to one subscriber, each request and its answer once each.
	want := int64(sent + 2*requests)
	waitFor(t, 5*time.Second, "out_msgs", func() bool { return s.srv.stats.outMsgs.Load() == want })
	for _, nc := range []*nats.Conn{sub, svc, pub, req} {
		if !nc.IsConnected() {
			t.Fatalf("a client was disconnected: %v", nc.LastError())
		}
	}
	t.Logf("%d messages and %d requests over %v", sent, requests, time.Since(start))
}
