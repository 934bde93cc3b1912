package actors

import (
	"bufio"
	"bytes"
	"fmt"
	"net"
	"runtime"
	"strings"
	"testing"
	"time"
)

// Memory stays bounded against clients that do not read: whatever a connection is sent, it
// holds at most about max_pending of the server's memory, and then it is a slow consumer.
// Each test floods the server and checks the live heap as it goes; a server that queued
// output outside its accounting fails the check long before the machine suffers.

// liveHeap is the heap still reachable after a collection.
func liveHeap() int64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return int64(m.HeapAlloc)
}

// floodBounded writes chunk to conn until done holds or the server closes conn, and fails the
// test if the live heap ever grows by more than what k connections may hold at max_pending
// each, with room to spare (buffers in pools, the test's own).
func floodBounded(t *testing.T, conn net.Conn, chunk []byte, k int, maxPending int64, done func() bool) {
	t.Helper()
	limit := int64(k)*3*maxPending + 16<<20
	base := liveHeap()
	var peak int64
	defer func() { t.Logf("live heap grew by %d KiB at most (limit %d KiB)", peak>>10, limit>>10) }()
	for sent := 0; !done(); sent += len(chunk) {
		if sent > 128<<20 {
			t.Fatalf("still not done after %d MiB", sent>>20)
		}
		_ = conn.SetWriteDeadline(time.Now().Add(5 * time.Second))
		if _, err := conn.Write(chunk); err != nil {
			return // the server closed it
		}
		grown := liveHeap() - base
		peak = max(peak, grown)
		if grown > limit {
			t.Fatalf("the live heap grew by %d MiB after %d KiB sent (limit %d MiB)", grown>>20, sent>>10, limit>>20)
		}
	}
}

func repeat(s string, size int) []byte { return []byte(strings.Repeat(s, size/len(s))) }

// A client that never reads what the server answers (PONGs to its PINGs; +OKs to its
// SUB/UNSUBs in verbose mode) is a slow consumer at max_pending, as on nats-server, and holds
// no more than that meanwhile.
func TestUnreadRepliesAreBounded(t *testing.T) {
	for _, c := range []struct{ name, connect, flood string }{
		{"PONGs", `{"verbose":false}`, "PING\r\n"},
		{"+OKs", `{"verbose":true}`, "SUB foo 1\r\nUNSUB 1\r\n"},
	} {
		t.Run(c.name, func(t *testing.T) {
			o := testOptions()
			o.MaxPending = 1 << 20
			s := startServer(t, o)
			w := dial(t, s)
			w.send("CONNECT %s\r\nPING\r\n", c.connect)
			w.expect(`^(\+OK\r\n)?PONG\r\n`)
			floodBounded(t, w.conn, repeat(c.flood, 16<<10), 1, o.MaxPending, func() bool { return false })
			if r := closedReason(t, s, w.conn.LocalAddr()); r != SlowConsumerPendingBytes {
				t.Fatalf("close reason %v", r)
			}
			dial(t, s).expectQuiet()
		})
	}
}

// Fan-out to connections that stopped reading: each read of the publisher gives every one of
// them a little, so a batch sized by the read would hold far more than it carries. Each is cut
// at max_pending; a subscriber that reads gets every message; the publisher is not disturbed.
func TestFanOutToStoppedReadersIsBounded(t *testing.T) {
	o := testOptions()
	o.MaxPending = 1 << 20
	s := startServer(t, o)
	const stuck = 20
	var stopped []*wire
	for i := range stuck {
		w := dial(t, s)
		w.send("CONNECT {\"verbose\":false}\r\nSUB fan.%d 1\r\nPING\r\n", i)
		w.expect(`^PONG\r\n`)
		stopped = append(stopped, w) // and never read again
	}
	reader := dial(t, s)
	reader.send("CONNECT {\"verbose\":false}\r\nSUB fan.* 1\r\nPING\r\n")
	reader.expect(`^PONG\r\n`)
	got := make(chan int, 1)
	go func() {
		n := 0
		r := bufio.NewReaderSize(reader.conn, 64<<10)
		for {
			_ = reader.conn.SetReadDeadline(time.Now().Add(10 * time.Second))
			line, err := r.ReadSlice('\n')
			if err != nil {
				got <- n
				return
			}
			if bytes.HasPrefix(line, []byte("MSG fan.end ")) {
				got <- n
				return
			}
			if bytes.HasPrefix(line, []byte("MSG ")) {
				n++
			}
		}
	}()

	pub := dial(t, s)
	pub.send("CONNECT {\"verbose\":false}\r\n")
	var chunk bytes.Buffer
	perChunk := 0
	for chunk.Len() < 60<<10 {
		fmt.Fprintf(&chunk, "PUB fan.%d 16\r\n0123456789abcdef\r\n", perChunk%stuck)
		perChunk++
	}
	chunks := 0
	floodBounded(t, pub.conn, chunk.Bytes(), stuck, o.MaxPending, func() bool {
		if s.srv.stats.slowConsumers.Load() == stuck {
			return true
		}
		chunks++
		return false
	})
	for _, w := range stopped {
		if r := closedReason(t, s, w.conn.LocalAddr()); r != SlowConsumerPendingBytes {
			t.Fatalf("close reason %v", r)
		}
	}
	pub.send("PUB fan.end 0\r\n\r\nPING\r\n")
	pub.expect(`^PONG\r\n`)
	if n := <-got; n != chunks*perChunk {
		t.Fatalf("the reading subscriber got %d of %d messages", n, chunks*perChunk)
	}
}
