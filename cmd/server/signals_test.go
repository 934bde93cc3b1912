package main

import (
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
)

// Signals, sent with kill(2) or with the binary's own --signal, as nats-server's signal.go
// handles them.

// SIGTERM stops the server cleanly: a subscriber that has not read anything yet still gets every
// message a publisher had flushed before the signal, then its connection is closed, and the
// process exits 0.
func TestSIGTERMDeliversFlushedMessages(t *testing.T) {
	t.Parallel()
	p, url := startServer(t)
	sub := dialRaw(t, url)
	sub.handshake()
	sub.send("SUB load 1\r\nPING\r\n")
	sub.expect(`^PONG$`)

	pub := connect(t, url)
	const n = 2000 // ~450 KB: more than the socket buffers hold while the subscriber does not read
	pad := strings.Repeat("x", 200)
	for i := range n {
		if err := pub.Publish("load", []byte(fmt.Sprintf("%05d%s", i, pad))); err != nil {
			t.Fatal(err)
		}
	}
	if err := pub.Flush(); err != nil { // the server has taken every PUB
		t.Fatal(err)
	}
	p.signal(syscall.SIGTERM)

	msgs := parseMsgs(t, sub.readAll(2*exitTimeout)) // ends when the server closes the connection
	if len(msgs) != n {
		t.Fatalf("the subscriber got %d messages before the close, want %d", len(msgs), n)
	}
	for i, m := range msgs {
		if want := fmt.Sprintf("%05d%s", i, pad); m != want {
			t.Fatalf("message %d is %.10q..., want %.10q...", i, m, want)
		}
	}
	p.expectExit(0)
	p.waitLog(`Trapped "terminated" signal`)
}

// parseMsgs returns the payloads of the MSGs in a raw server stream (PINGs are skipped).
func parseMsgs(t *testing.T, data string) []string {
	t.Helper()
	var out []string
	for data != "" {
		i := strings.Index(data, "\r\n")
		if i < 0 {
			t.Fatalf("stream ends with a partial line %q", data)
		}
		line := data[:i]
		data = data[i+2:]
		switch {
		case line == "PING":
		case strings.HasPrefix(line, "MSG "):
			f := strings.Fields(line)
			size, err := strconv.Atoi(f[len(f)-1])
			if err != nil || len(data) < size+2 || data[size:size+2] != "\r\n" {
				t.Fatalf("bad or truncated MSG %q (after %d messages)", line, len(out))
			}
			out = append(out, data[:size])
			data = data[size+2:]
		default:
			t.Fatalf("unexpected line %q after %d messages", line, len(out))
		}
	}
	return out
}

// SIGINT stops the server too, with exit code 0, closing the clients.
func TestSIGINTExits0(t *testing.T) {
	t.Parallel()
	p, url := startServer(t)
	closed := make(chan struct{})
	connect(t, url, nats.ClosedHandler(func(*nats.Conn) { close(closed) }))
	p.signal(syscall.SIGINT)
	p.expectExit(0)
	select {
	case <-closed:
	case <-time.After(ioTimeout):
		t.Fatal("the client was not closed")
	}
	p.waitLog(`Trapped "interrupt" signal`)
	p.waitLog("Server Exiting..")
}

// --signal quit|term|stop=<pid or pid file> signals the server as kill(2) would.
func TestSignalCommandStopsServer(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		command string
		pidFile bool
		code    int
	}{
		{"quit", false, 0},
		{"term", true, 0},
		{"stop", false, -1}, // SIGKILL
	} {
		t.Run(tc.command, func(t *testing.T) {
			t.Parallel()
			pidFile := filepath.Join(t.TempDir(), "troupe.pid")
			p, _ := startServer(t, "-P", pidFile)
			target := strconv.Itoa(p.pid())
			if tc.pidFile {
				target = pidFile
			}
			if _, stderr, code := runCmd(t, "--signal", tc.command+"="+target); code != 0 {
				t.Fatalf("--signal exited %d: %s", code, stderr)
			}
			p.expectExit(tc.code)
		})
	}
}

// Without a pid, --signal refuses to choose among several servers (and sends nothing).
func TestSignalCommandNeedsOneServer(t *testing.T) {
	t.Parallel()
	a, _ := startServer(t)
	b, _ := startServer(t)
	_, stderr, code := runCmd(t, "--signal", "ldm")
	if code != 1 || !strings.Contains(stderr, "multiple troupe processes running") {
		t.Fatalf("exit %d, stderr %q; want 1 and \"multiple troupe processes running\"", code, stderr)
	}
	for _, p := range []*proc{a, b} {
		if strings.Contains(p.stderr.String(), "Trapped") {
			t.Errorf("a server was signalled:\n%s", p.stderr)
		}
	}
}

// Lame duck mode, entered by SIGUSR2 or --signal ldm=<pid or pid file>: new connections are
// refused at once, clients get an INFO with "ldm":true, none is closed before the grace period,
// they are closed one by one after it, and the process then exits 0. SIGTERM during lame duck
// is ignored, as nats-server ignores it.
func TestLameDuck(t *testing.T) {
	t.Parallel()
	const grace = time.Second
	const clients = 3
	for _, tc := range []struct {
		name    string
		sigterm bool
		enter   func(t *testing.T, p *proc, pidFile string)
	}{
		{"SIGUSR2", false, func(t *testing.T, p *proc, _ string) { p.signal(syscall.SIGUSR2) }},
		{"SIGUSR2 then SIGTERM", true, func(t *testing.T, p *proc, _ string) { p.signal(syscall.SIGUSR2) }},
		{"--signal ldm pid", false, func(t *testing.T, p *proc, _ string) { signalCommand(t, "ldm="+strconv.Itoa(p.pid())) }},
		{"--signal ldm pidfile", false, func(t *testing.T, _ *proc, pidFile string) { signalCommand(t, "ldm="+pidFile) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			conf := writeFile(t, dir, "ldm.conf", "lame_duck_duration: \"30s\"\nlame_duck_grace_period: \"1s\"\n")
			pidFile := filepath.Join(dir, "troupe.pid")
			p, url := startServer(t, "-c", conf, "-P", pidFile)

			var mu sync.Mutex
			var closedAt []time.Time
			ldm := make(chan struct{}, clients)
			allClosed := make(chan struct{})
			for range clients {
				connect(t, url,
					nats.LameDuckModeHandler(func(*nats.Conn) { ldm <- struct{}{} }),
					nats.ClosedHandler(func(*nats.Conn) {
						mu.Lock()
						defer mu.Unlock()
						if closedAt = append(closedAt, time.Now()); len(closedAt) == clients {
							close(allClosed)
						}
					}))
			}

			start := time.Now()
			tc.enter(t, p, pidFile)
			for i := range clients {
				select {
				case <-ldm:
				case <-time.After(ioTimeout):
					t.Fatalf("%d of %d clients were told of lame duck mode", i, clients)
				}
			}
			if tc.sigterm {
				p.signal(syscall.SIGTERM)
				p.waitLog(`Trapped "terminated" signal`)
			}
			waitFor(t, grace, "new connections to be refused", func() bool {
				c, err := net.DialTimeout("tcp", strings.TrimPrefix(url, "nats://"), ioTimeout)
				if err == nil {
					_ = c.Close()
				}
				return errors.Is(err, syscall.ECONNREFUSED)
			})
			if _, err := nats.Connect(url, nats.NoReconnect(), nats.Timeout(time.Second)); err == nil {
				t.Fatal("a new nats.go client connected during lame duck mode")
			}

			select {
			case <-allClosed:
			case <-time.After(grace + clients*time.Second + exitTimeout):
				t.Fatal("the clients were not all closed")
			}
			p.expectExit(0)
			exited := time.Since(start)

			mu.Lock()
			defer mu.Unlock()
			sort.Slice(closedAt, func(i, j int) bool { return closedAt[i].Before(closedAt[j]) })
			if first := closedAt[0].Sub(start); first < grace {
				t.Errorf("a client was closed %v after lame duck began, before the %v grace period", first, grace)
			}
			// nats-server waits at least half a second between closes here (30 s spread over
			// 3 clients, capped at 1 s, randomised in [0.5 s, 1 s)): demand a part of that.
			if spread := closedAt[clients-1].Sub(closedAt[0]); spread < 300*time.Millisecond {
				t.Errorf("the clients were closed within %v: not spread out", spread)
			}
			if limit := grace + clients*time.Second + 5*time.Second; exited > limit {
				t.Errorf("the server exited %v after lame duck began, want at most %v", exited, limit)
			}
			log := p.stderr.String()
			if !strings.Contains(log, "Entering lame duck mode") {
				t.Errorf("lame duck mode not logged")
			}
			// The shutdown follows the lame-duck closes (SIGTERM did not cut them short).
			closing, shutdown := strings.Index(log, "Closing existing clients"), strings.Index(log, "Initiating Shutdown")
			if closing < 0 || shutdown < closing {
				t.Errorf("the shutdown did not wait for lame duck to close the clients:\n%s", log)
			}
		})
	}
}

// signalCommand runs the binary with --signal arg and expects it to succeed.
func signalCommand(t *testing.T, arg string) {
	t.Helper()
	if _, stderr, code := runCmd(t, "--signal", arg); code != 0 {
		t.Fatalf("--signal %s exited %d: %s", arg, code, stderr)
	}
}

// SIGHUP (and --signal reload) does not stop the server: the log says reload is not supported
// yet, and clients keep working, old and new.
func TestSIGHUPKeepsServing(t *testing.T) {
	t.Parallel()
	p, url := startServer(t)
	nc := connect(t, url)
	if _, err := nc.Subscribe("svc", func(m *nats.Msg) { _ = m.Respond([]byte("ok")) }); err != nil {
		t.Fatal(err)
	}
	if err := nc.Flush(); err != nil {
		t.Fatal(err)
	}
	p.signal(syscall.SIGHUP)
	p.waitLog(`Trapped "hangup" signal`)
	signalCommand(t, "reload="+strconv.Itoa(p.pid()))
	waitFor(t, ioTimeout, "two reload warnings", func() bool {
		return strings.Count(p.stderr.String(), "[WRN] Configuration reload is not supported yet") == 2
	})
	if !p.running() {
		t.Fatalf("the server exited with %d", p.code)
	}
	for _, c := range []*nats.Conn{nc, connect(t, url)} {
		if m, err := c.Request("svc", nil, ioTimeout); err != nil || string(m.Data) != "ok" {
			t.Fatalf("request after SIGHUP: %v", err)
		}
	}
}

// SIGUSR1 reopens the log file: after a rotation (rename), new lines go to a new file at the
// original path, and nothing more to the renamed one. --signal reopen does the same.
func TestSIGUSR1ReopensLogFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	logFile := filepath.Join(dir, "troupe.log")
	pidFile := filepath.Join(dir, "troupe.pid")
	p := startProc(t, "-p", "-1", "-a", "127.0.0.1", "--ports_file_dir", dir, "-l", logFile, "-P", pidFile)
	url := p.clientURL(dir)
	waitFor(t, startTimeout, "the server to be ready", func() bool { return fileContains(logFile, "Server is ready") })

	reopened := func(path string) int {
		b, _ := os.ReadFile(path)
		return strings.Count(string(b), "File log re-opened")
	}
	rotate := func(to string, signal func()) {
		t.Helper()
		before := reopened(logFile)
		if err := os.Rename(logFile, to); err != nil {
			t.Fatal(err)
		}
		signal()
		waitFor(t, ioTimeout, "a new log file", func() bool { return reopened(logFile) == 1 })
		if reopened(to) != before {
			t.Fatalf("the rotated file %s got lines after the reopen", to)
		}
	}
	rotate(logFile+".1", func() { p.signal(syscall.SIGUSR1) })
	if !fileContains(logFile+".1", `Trapped "user defined signal 1" signal`) {
		t.Fatal("the signal was not logged in the old file before the reopen")
	}
	rotate(logFile+".2", func() { signalCommand(t, "reopen="+pidFile) })

	connect(t, url).Close() // still serving
	p.signal(syscall.SIGTERM)
	p.expectExit(0)
	if !fileContains(logFile, "Server Exiting..") {
		t.Fatal("the last lines did not go to the reopened file")
	}
	for _, old := range []string{logFile + ".1", logFile + ".2"} {
		if fileContains(old, "Server Exiting..") {
			t.Fatalf("%s got lines after it was rotated", old)
		}
	}
}

// Without a log file, SIGUSR1 is logged as ignored, as nats-server does, and changes nothing.
func TestSIGUSR1WithoutLogFile(t *testing.T) {
	t.Parallel()
	p, url := startServer(t)
	p.signal(syscall.SIGUSR1)
	p.waitLog("File log re-open ignored, not a file logger")
	if err := connect(t, url).Flush(); err != nil {
		t.Fatal(err)
	}
}

// A signal sent as soon as the pid file exists is handled, not fatal: the server traps signals
// before it writes its pid and ports files (before the fix, SIGTERM here killed the process
// with the default action about half of the time).
func TestSignalAsSoonAsPidFileExists(t *testing.T) {
	t.Parallel()
	for i := range 10 {
		pidFile := filepath.Join(t.TempDir(), "troupe.pid")
		p := startProc(t, "-p", "-1", "-a", "127.0.0.1", "-P", pidFile)
		deadline := time.Now().Add(startTimeout)
		for _, err := os.Stat(pidFile); err != nil; _, err = os.Stat(pidFile) {
			if time.Now().After(deadline) || !p.running() {
				t.Fatalf("no pid file (exited: %v)", !p.running())
			}
		}
		p.signal(syscall.SIGTERM)
		if code := p.wait(exitTimeout); code != 0 {
			t.Fatalf("attempt %d: exit code %d, want 0 (the signal was not trapped yet)", i, code)
		}
	}
}
