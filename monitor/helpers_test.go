package monitor

import (
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/troupe/troupe/actors"
	"github.com/troupe/troupe/config"
)

// The tests run a real server in this process (actors.Start with the monitoring endpoint on a
// random loopback port), connect real nats.go clients to it and read the endpoints over HTTP.

const ioTimeout = 5 * time.Second

// testServer is a running server and the base URL of its monitoring endpoint.
type testServer struct {
	*actors.Server
	mon string // http://127.0.0.1:port
}

// startServer starts a server on loopback with monitoring (and, if profiler, profiling) on
// random ports; adjust changes the options first. It is shut down at the end of the test.
func startServer(t *testing.T, adjust func(*config.Options), profiler ...bool) *testServer {
	t.Helper()
	o := &config.Options{Host: "127.0.0.1", Port: config.RandomPort} // Start sets the defaults
	if adjust != nil {
		adjust(o)
	}
	eps := []actors.HTTPEndpoint{{Kind: "monitor", Addr: "127.0.0.1:0", Handler: Handler}}
	if len(profiler) > 0 && profiler[0] {
		eps = append(eps, actors.HTTPEndpoint{Kind: "profiler", Addr: "127.0.0.1:0",
			Handler: func(*actors.Server) http.Handler { return ProfileHandler() }})
	}
	s, err := actors.Start(o, testLogger(), eps...)
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
	waitFor(t, ioTimeout, "the server to be ready", s.Ready)
	return &testServer{Server: s, mon: "http://" + s.HTTPAddr("monitor").String()}
}

func testLogger() *slog.Logger {
	if testing.Verbose() {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

func (s *testServer) natsURL() string { return "nats://" + s.Addr().String() }

// connect opens a named nats.go connection, closed at the end of the test.
func (s *testServer) connect(t *testing.T, name string) *nats.Conn {
	t.Helper()
	nc, err := nats.Connect(s.natsURL(), nats.Name(name), nats.NoReconnect(), nats.Timeout(ioTimeout))
	if err != nil {
		t.Fatalf("connect %s: %v", name, err)
	}
	t.Cleanup(nc.Close)
	return nc
}

// response is one HTTP answer.
type response struct {
	code   int
	header http.Header
	body   []byte
}

var httpClient = &http.Client{Timeout: ioTimeout}

// get fetches path from the monitoring endpoint.
func (s *testServer) get(t *testing.T, path string) response {
	t.Helper()
	return get(t, s.mon+path)
}

func get(t *testing.T, url string) response {
	t.Helper()
	r, err := httpClient.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer r.Body.Close()
	b, err := io.ReadAll(r.Body)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	return response{code: r.StatusCode, header: r.Header, body: b}
}

// getJSON fetches path, expects a 200 with nats-server's JSON headers, and decodes it into v
// (which it zeroes first).
func (s *testServer) getJSON(t *testing.T, path string, v any) {
	t.Helper()
	r := s.get(t, path)
	if r.code != http.StatusOK {
		t.Fatalf("GET %s: %d %s", path, r.code, r.body)
	}
	if ct := r.header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("GET %s: Content-Type %q, want application/json", path, ct)
	}
	reflect.ValueOf(v).Elem().SetZero() // no field left over from an earlier answer
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("GET %s: %v\n%s", path, err, r.body)
	}
}

// expectError expects a 400 (or code) whose body contains want.
func (s *testServer) expectError(t *testing.T, path string, code int, want string) {
	t.Helper()
	r := s.get(t, path)
	if r.code != code || !strings.Contains(string(r.body), want) {
		t.Errorf("GET %s: %d %q, want %d and %q", path, r.code, r.body, code, want)
	}
}

// waitFor polls cond until it holds, failing the test after timeout.
func waitFor(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", timeout, what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// flush makes sure the server has processed everything nc sent.
func flush(t *testing.T, nc *nats.Conn) {
	t.Helper()
	if err := nc.FlushTimeout(ioTimeout); err != nil {
		t.Fatal(err)
	}
}

func subscribe(t *testing.T, nc *nats.Conn, subject, queue string) *nats.Subscription {
	t.Helper()
	var sub *nats.Subscription
	var err error
	if queue != "" {
		sub, err = nc.QueueSubscribeSync(subject, queue)
	} else {
		sub, err = nc.SubscribeSync(subject)
	}
	if err != nil {
		t.Fatal(err)
	}
	return sub
}
