package actors

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/troupe/troupe/config"
)

// testLogger writes server logs to the test log when -v, so failures show what the server said.
func testLogger(t testing.TB) *slog.Logger {
	if testing.Verbose() {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

// testOptions are defaults for tests: loopback, a random port.
func testOptions() *config.Options {
	o := config.Default()
	o.Host = "127.0.0.1"
	o.Port = config.RandomPort
	return o
}

// startServer starts a server with opts (testOptions() when nil), waits until it accepts
// connections, and shuts it down at the end of the test.
func startServer(t testing.TB, opts *config.Options) *Server {
	t.Helper()
	if opts == nil {
		opts = testOptions()
	}
	s, err := Start(opts, testLogger(t))
	if err != nil {
		t.Fatalf("start: %v", err)
	}
	t.Cleanup(func() {
		s.Shutdown()
		select {
		case <-s.Done():
		case <-time.After(10 * time.Second):
			t.Errorf("server did not shut down")
		}
	})
	waitFor(t, 5*time.Second, "server ready", s.Ready)
	return s
}

func (s *Server) url() string { return "nats://" + s.Addr().String() }

// waitFor polls cond until it holds or the timeout passes.
func waitFor(t testing.TB, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// natsConn connects a real nats.go client.
func natsConn(t testing.TB, s *Server, opts ...nats.Option) *nats.Conn {
	t.Helper()
	nc, err := nats.Connect(s.url(), opts...)
	if err != nil {
		t.Fatalf("nats connect: %v", err)
	}
	t.Cleanup(nc.Close)
	return nc
}

// wire is a raw protocol connection for black-box tests: send bytes, expect a regexp.
type wire struct {
	t    testing.TB
	conn net.Conn
	r    *bufio.Reader
	buf  strings.Builder
}

// dial opens a raw connection and consumes the INFO line.
func dial(t testing.TB, s *Server) *wire {
	t.Helper()
	conn, err := net.Dial("tcp", s.Addr().String())
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	t.Cleanup(func() { conn.Close() })
	w := &wire{t: t, conn: conn, r: bufio.NewReader(conn)}
	w.expect(`^INFO \{.*\} \r\n`)
	return w
}

func (w *wire) send(format string, args ...any) {
	w.t.Helper()
	if _, err := fmt.Fprintf(w.conn, format, args...); err != nil {
		w.t.Fatalf("send: %v", err)
	}
}

// expect reads until everything received so far matches re (anchored at the start of what is
// unread) and consumes the match. It fails after five seconds: generous, because a shared CI
// machine can stall for seconds, and only a failing test ever waits that long.
func (w *wire) expect(re string) []string {
	w.t.Helper()
	out, err := w.tryExpect(re)
	if err != nil {
		w.t.Fatal(err)
	}
	return out
}

// tryExpect is expect, returning the failure instead.
func (w *wire) tryExpect(re string) ([]string, error) {
	rx := regexp.MustCompile(re)
	deadline := time.Now().Add(5 * time.Second)
	for {
		if m := rx.FindStringSubmatchIndex(w.buf.String()); m != nil && m[0] == 0 {
			s := w.buf.String()
			out := rx.FindStringSubmatch(s)
			rest := s[m[1]:]
			w.buf.Reset()
			w.buf.WriteString(rest)
			return out, nil
		}
		_ = w.conn.SetReadDeadline(deadline)
		b := make([]byte, 64*1024)
		n, err := w.r.Read(b)
		w.buf.Write(b[:n])
		if err != nil {
			return nil, fmt.Errorf("expect %q: %v; got %q", re, err, w.buf.String())
		}
	}
}

// expectClosed reads until the server closes the connection; it returns what came before.
func (w *wire) expectClosed() string {
	w.t.Helper()
	_ = w.conn.SetReadDeadline(time.Now().Add(3 * time.Second))
	b, err := io.ReadAll(w.r)
	if err != nil {
		w.t.Fatalf("expected the server to close the connection: %v (got %q)", err, w.buf.String()+string(b))
	}
	s := w.buf.String() + string(b)
	w.buf.Reset()
	return s
}

// expectNothing checks that nothing arrives for a short while (then a PING round trip proves
// the connection is still served).
func (w *wire) expectQuiet() {
	w.t.Helper()
	w.send("PING\r\n")
	w.expect(`^PONG\r\n`)
}

func regexpMatch(re, s string) bool { return regexp.MustCompile(re).MatchString(s) }

// tryDial connects and reads the INFO line, without failing the test.
func tryDial(s *Server) (net.Conn, error) {
	conn, err := net.DialTimeout("tcp", s.Addr().String(), time.Second)
	if err != nil {
		return nil, err
	}
	_ = conn.SetReadDeadline(time.Now().Add(time.Second))
	line, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "INFO ") {
		conn.Close()
		return nil, fmt.Errorf("no INFO: %q %v", line, err)
	}
	return conn, nil
}

// readUntilClosed reads until the connection ends, by close or by reset, and returns what came.
func (w *wire) readUntilClosed() string {
	w.t.Helper()
	_ = w.conn.SetReadDeadline(time.Now().Add(3 * time.Second))
	b, err := io.ReadAll(w.r)
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		w.t.Fatalf("the server did not close the connection (got %q)", w.buf.String()+string(b))
	}
	s := w.buf.String() + string(b)
	w.buf.Reset()
	return s
}

// rawInfo returns the INFO line a new connection gets.
func rawInfo(t testing.TB, s *Server) string {
	t.Helper()
	conn, err := net.Dial("tcp", s.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetReadDeadline(time.Now().Add(2 * time.Second))
	line, err := bufio.NewReader(conn).ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	return line
}
