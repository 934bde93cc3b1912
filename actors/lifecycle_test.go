package actors

import (
	"encoding/json"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
)

// Lifecycle, run by the supervision tree: shutdown drains, lame duck spreads its closes.

func TestShutdownDeliversWhatWasFlushed(t *testing.T) {
	s := startServer(t, nil)
	sub := dial(t, s)
	sub.send("CONNECT {\"verbose\":false}\r\nSUB drain 1\r\nPING\r\n")
	sub.expect(`^PONG\r\n`)

	pub := dial(t, s)
	const n = 2000
	var b strings.Builder
	b.WriteString("CONNECT {\"verbose\":false}\r\n")
	for range n {
		b.WriteString("PUB drain 4\r\nlast\r\n")
	}
	b.WriteString("PING\r\n")
	pub.send("%s", b.String())
	pub.expect(`^PONG\r\n`) // flushed: the server has accepted every message

	s.Shutdown()
	got := sub.expectClosed()
	if c := strings.Count(got, "MSG drain 1 4\r\nlast\r\n"); c != n {
		t.Fatalf("subscriber got %d of %d flushed messages before close", c, n)
	}
	<-s.Done()
}

func TestShutdownRefusesNewConnections(t *testing.T) {
	s := startServer(t, nil)
	addr := s.Addr().String()
	s.Shutdown()
	<-s.Done()
	if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
		c.Close()
		t.Fatal("a connection was accepted after shutdown")
	}
}

func TestLameDuck(t *testing.T) {
	o := testOptions()
	o.LameDuckGracePeriod = 200 * time.Millisecond
	o.LameDuckDuration = 1200 * time.Millisecond // below the config minimum, as nats-server's own tests do
	s := startServer(t, o)

	// Three protocol-1 clients that have had their first PONG, as nats.go is.
	var clients []*wire
	for range 3 {
		w := dial(t, s)
		w.send("CONNECT {\"verbose\":false,\"protocol\":1}\r\nPING\r\n")
		w.expect(`^PONG\r\nINFO .*\r\n`)
		clients = append(clients, w)
	}
	closed := make(chan struct{})
	nc := natsConn(t, s, nats.LameDuckModeHandler(func(*nats.Conn) { close(closed) }), nats.NoReconnect())
	nc.Flush()

	start := time.Now()
	s.LameDuck()
	for _, w := range clients {
		m := w.expect(`^INFO (\{.*\}) \r\n`)
		var info map[string]any
		if err := json.Unmarshal([]byte(m[1]), &info); err != nil || info["ldm"] != true {
			t.Fatalf("lame duck INFO %s", m[1])
		}
	}
	select {
	case <-closed:
	case <-time.After(2 * time.Second):
		t.Fatal("nats.go did not see lame duck mode")
	}
	// New connections are refused at once.
	waitFor(t, time.Second, "listener closed", func() bool {
		c, err := net.DialTimeout("tcp", s.Addr().String(), 100*time.Millisecond)
		if err == nil {
			c.Close()
		}
		return err != nil
	})
	// Existing ones stay open through the grace period, then close, spread out.
	var closes []time.Duration
	for _, w := range clients {
		w.expectClosed()
		closes = append(closes, time.Since(start))
	}
	<-s.Done()
	elapsed := time.Since(start)
	if closes[0] < o.LameDuckGracePeriod {
		t.Fatalf("a client closed after %v, inside the %v grace period", closes[0], o.LameDuckGracePeriod)
	}
	if elapsed > o.LameDuckDuration+2*time.Second {
		t.Fatalf("lame duck took %v for a %v duration", elapsed, o.LameDuckDuration)
	}
}

func TestLameDuckWithoutClientsShutsDownAtOnce(t *testing.T) {
	o := testOptions()
	o.LameDuckGracePeriod = 10 * time.Second
	s := startServer(t, o)
	s.LameDuck()
	select {
	case <-s.Done():
	case <-time.After(3 * time.Second):
		t.Fatal("lame duck with no clients did not shut down")
	}
}

func TestShutdownClosesIdleRawConnection(t *testing.T) {
	s := startServer(t, nil)
	w := dial(t, s)
	s.Shutdown()
	_ = w.conn.SetReadDeadline(time.Now().Add(3 * time.Second))
	if _, err := io.ReadAll(w.r); err != nil {
		t.Fatalf("connection not closed on shutdown: %v", err)
	}
}
