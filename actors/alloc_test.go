package actors

import (
	"bytes"
	"io"
	"net"
	"testing"

	"github.com/asynkron/protoactor-go/actor"
)

// The publish path allocates nothing per message in steady state: parsing PUBs, matching
// (cached), appending MSGs to the destination's pooled batch, sending it and writing it.
func TestPublishPathAllocatesNothing(t *testing.T) {
	s := startServer(t, nil)
	sub := dial(t, s)
	sub.send("CONNECT {\"verbose\":false}\r\nSUB foo 1\r\nSUB foo 2\r\nPING\r\n")
	sub.expect(`^PONG\r\n`)
	go io.Copy(io.Discard, sub.conn) // a subscriber that keeps up

	// A reader driven directly by the test, for a publisher whose socket is a pipe.
	local, remote := net.Pipe()
	t.Cleanup(func() { local.Close(); remote.Close() })
	self := &Peer{Endpoint: Endpoint{CID: 1 << 40, PID: s.system.Root.Spawn(actor.PropsFromFunc(func(actor.Context) {}))}}
	self.acc.Store(s.srv.global)
	r := newReader(s.srv, local, self, nil, make(chan struct{}))
	if r.process([]byte("CONNECT {\"verbose\":false}\r\n")) {
		t.Fatal("CONNECT failed")
	}
	for _, c := range []struct {
		name string
		buf  []byte
	}{
		{"small reads (delivered inline)", bytes.Repeat([]byte("PUB foo 16\r\n0123456789abcdef\r\n"), 64)},
		{"full reads (handed to the actor)", bytes.Repeat([]byte("PUB foo 16\r\n0123456789abcdef\r\n"), 2048)},
	} {
		for range 50 { // warm the pools and the match cache
			r.process(c.buf)
		}
		msgs := float64(bytes.Count(c.buf, []byte("PUB ")) * 2) // two subscriptions
		allocs := testing.AllocsPerRun(2000, func() {
			if r.process(c.buf) {
				t.Fatal("the reader ended")
			}
		})
		perMsg := allocs / msgs
		t.Logf("%s: %.2f allocations per read of %d deliveries, %.4f per delivery", c.name, allocs, int(msgs), perMsg)
		// What remains is per read, not per delivery: pooled buffers that migrate between the
		// per-P pools when AllocsPerRun switches to one P. One allocation per delivery would
		// be 1.0 (BenchmarkPublishPath shows 0 allocs/op under normal scheduling).
		if perMsg > 0.05 {
			t.Errorf("%s: %.3f allocations per delivery", c.name, perMsg)
		}
	}
}

// BenchmarkPublishPath is the reader's work for one read of 64 PUBs to a connection with two
// matching subscriptions: parse, match, append, send, write. Run with -benchmem.
func BenchmarkPublishPath(b *testing.B) {
	s := startServer(b, nil)
	sub := dial(b, s)
	sub.send("CONNECT {\"verbose\":false}\r\nSUB foo 1\r\nSUB foo 2\r\nPING\r\n")
	sub.expect(`^PONG\r\n`)
	go io.Copy(io.Discard, sub.conn)
	local, remote := net.Pipe()
	b.Cleanup(func() { local.Close(); remote.Close() })
	self := &Peer{Endpoint: Endpoint{CID: 1 << 40, PID: s.system.Root.Spawn(actor.PropsFromFunc(func(actor.Context) {}))}}
	self.acc.Store(s.srv.global)
	r := newReader(s.srv, local, self, nil, make(chan struct{}))
	r.process([]byte("CONNECT {\"verbose\":false}\r\n"))
	buf := bytes.Repeat([]byte("PUB foo 16\r\n0123456789abcdef\r\n"), 64)
	for range 50 {
		r.process(buf)
	}
	b.SetBytes(int64(len(buf)))
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		r.process(buf)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*64), "ns/msg")
}
