package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
)

// The tests run the real binary as a child process: TestMain builds it once, with the race
// detector when the tests have it, so that a race in the server shows up as a failure here.

var troupeBin string

func TestMain(m *testing.M) { os.Exit(testMain(m)) }

func testMain(m *testing.M) int {
	dir, err := os.MkdirTemp("", "troupe-cmd-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	troupeBin = filepath.Join(dir, "troupe")
	args := []string{"build", "-o", troupeBin}
	if raceEnabled {
		args = append(args, "-race")
	}
	build := exec.Command("go", append(args, ".")...)
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintf(os.Stderr, "building the server: %v\n", err)
		return 1
	}
	return m.Run()
}

// childEnv is the environment of a child: a race-built server would otherwise wait a second
// at exit (the race runtime's default atexit_sleep_ms) before it reports its exit code.
func childEnv() []string {
	return append(os.Environ(), "GORACE="+strings.TrimSpace(os.Getenv("GORACE")+" atexit_sleep_ms=50"))
}

const (
	startTimeout = 10 * time.Second // a race-built binary starts slowly on a busy machine
	exitTimeout  = 10 * time.Second
	ioTimeout    = 5 * time.Second
)

// output collects a child's stdout or stderr; the tests poll it while the child writes.
type output struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (o *output) Write(p []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.b.Write(p)
}

func (o *output) String() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.b.String()
}

// proc is one child process running the binary.
type proc struct {
	t      *testing.T
	args   []string
	cmd    *exec.Cmd
	stdout *output
	stderr *output
	exited chan struct{}
	code   int    // the exit code, -1 if killed by a signal; set once exited is closed
	dir    string // its --ports_file_dir, when startServer started it
}

// startProc runs the binary with args. The process is killed at the end of the test if it is
// still running; a data race it reported fails the test.
func startProc(t *testing.T, args ...string) *proc {
	t.Helper()
	p := &proc{t: t, args: args, stdout: &output{}, stderr: &output{}, exited: make(chan struct{})}
	p.cmd = exec.Command(troupeBin, args...)
	p.cmd.Env = childEnv()
	p.cmd.Stdout, p.cmd.Stderr = p.stdout, p.stderr
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		_ = p.cmd.Wait()
		p.code = p.cmd.ProcessState.ExitCode()
		close(p.exited)
	}()
	t.Cleanup(func() {
		if p.running() {
			_ = p.cmd.Process.Kill()
			<-p.exited
		}
		if strings.Contains(p.stderr.String(), "WARNING: DATA RACE") {
			t.Errorf("the server reported a data race:\n%s", p.stderr)
		} else if t.Failed() {
			t.Logf("server %q stderr:\n%s", p.args, p.stderr)
		}
	})
	return p
}

func (p *proc) pid() int { return p.cmd.Process.Pid }

func (p *proc) running() bool {
	select {
	case <-p.exited:
		return false
	default:
		return true
	}
}

func (p *proc) signal(sig syscall.Signal) {
	p.t.Helper()
	if err := p.cmd.Process.Signal(sig); err != nil {
		p.t.Fatalf("sending %v: %v", sig, err)
	}
}

// wait returns the exit code, failing the test if the process is still running after timeout.
func (p *proc) wait(timeout time.Duration) int {
	p.t.Helper()
	select {
	case <-p.exited:
		return p.code
	case <-time.After(timeout):
		p.t.Fatalf("the server is still running %v later", timeout)
		return 0
	}
}

// expectExit waits for the process to end with code.
func (p *proc) expectExit(code int) {
	p.t.Helper()
	if got := p.wait(exitTimeout); got != code {
		p.t.Fatalf("exit code %d, want %d", got, code)
	}
}

// waitLog waits for the log on stderr to contain s.
func (p *proc) waitLog(s string) {
	p.t.Helper()
	waitFor(p.t, startTimeout, fmt.Sprintf("the log to contain %q", s), func() bool {
		return strings.Contains(p.stderr.String(), s)
	})
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

// startServer starts a server on a random port of 127.0.0.1 and returns it with its client URL,
// read from the ports file, once it logs that it is ready.
func startServer(t *testing.T, extra ...string) (*proc, string) {
	t.Helper()
	dir := t.TempDir()
	p := startProc(t, append([]string{"-p", "-1", "-a", "127.0.0.1", "--ports_file_dir", dir}, extra...)...)
	p.dir = dir
	url := p.clientURL(dir)
	p.waitLog("Server is ready")
	return p, url
}

// portsFile is where the process writes its ports with --ports_file_dir.
func (p *proc) portsFile(dir string) string {
	return filepath.Join(dir, "troupe_"+strconv.Itoa(p.pid())+".ports")
}

// clientURL waits for the ports file in dir and returns the client URL it lists.
func (p *proc) clientURL(dir string) string {
	p.t.Helper()
	var ports struct{ Nats []string }
	waitFor(p.t, startTimeout, "the ports file", func() bool {
		if !p.running() {
			p.t.Fatalf("the server exited with %d before writing its ports file:\n%s", p.code, p.stderr)
		}
		b, err := os.ReadFile(p.portsFile(dir))
		return err == nil && json.Unmarshal(b, &ports) == nil && len(ports.Nats) > 0
	})
	return ports.Nats[0]
}

// clusterURL waits for the process's ports file to list its cluster port and returns its
// route URL.
func (p *proc) clusterURL(t *testing.T) string {
	t.Helper()
	var ports struct{ Cluster []string }
	waitFor(t, startTimeout, "the cluster port in the ports file", func() bool {
		b, err := os.ReadFile(p.portsFile(p.dir))
		return err == nil && json.Unmarshal(b, &ports) == nil && len(ports.Cluster) > 0
	})
	return strings.Replace(ports.Cluster[0], "nats://", "nats-route://", 1)
}

// checkClusterDelivers subscribes on one server and publishes on the other until the
// subscription's interest has crossed the route, then checks that every message does.
func checkClusterDelivers(t *testing.T, subURL, pubURL string) {
	t.Helper()
	sub := connect(t, subURL)
	got := make(chan *nats.Msg, 1000)
	if _, err := sub.ChanSubscribe("across", got); err != nil {
		t.Fatal(err)
	}
	if err := sub.Flush(); err != nil {
		t.Fatal(err)
	}
	pub := connect(t, pubURL)
	waitFor(t, startTimeout, "the subscription's interest on the other server", func() bool {
		_ = pub.Publish("across", []byte("probe"))
		_ = pub.Flush()
		select {
		case <-got:
			return true
		case <-time.After(20 * time.Millisecond):
			return false
		}
	})
	for len(got) > 0 {
		<-got // later probes
	}
	for i := range 100 {
		_ = pub.Publish("across", []byte(strconv.Itoa(i)))
	}
	_ = pub.Flush()
	for i := range 100 {
		select {
		case m := <-got:
			for string(m.Data) == "probe" {
				m = <-got
			}
			if string(m.Data) != strconv.Itoa(i) {
				t.Fatalf("message %d: %q", i, m.Data)
			}
		case <-time.After(ioTimeout):
			t.Fatalf("%d of 100 messages crossed the route", i)
		}
	}
}

// runCmd runs the binary to completion (a command that does not serve) and returns its output.
func runCmd(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), exitTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, troupeBin, args...)
	cmd.Env = childEnv()
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err := cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("%q did not exit within %v:\n%s", args, exitTimeout, e.String())
	}
	if _, ok := err.(*exec.ExitError); err != nil && !ok {
		t.Fatal(err)
	}
	return o.String(), e.String(), cmd.ProcessState.ExitCode()
}

// connect opens a nats.go connection that does not reconnect, closed at the end of the test.
func connect(t *testing.T, url string, opts ...nats.Option) *nats.Conn {
	t.Helper()
	nc, err := nats.Connect(url, append([]nats.Option{nats.NoReconnect(), nats.Timeout(ioTimeout)}, opts...)...)
	if err != nil {
		t.Fatalf("connecting to %s: %v", url, err)
	}
	t.Cleanup(nc.Close)
	return nc
}

// rawConn is a plain TCP client for checks below nats.go: what the server writes, byte for
// byte, and when it closes.
type rawConn struct {
	t *testing.T
	c net.Conn
	r *bufio.Reader
}

func dialRaw(t *testing.T, url string) *rawConn {
	t.Helper()
	c, err := net.DialTimeout("tcp", strings.TrimPrefix(url, "nats://"), ioTimeout)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return &rawConn{t: t, c: c, r: bufio.NewReader(c)}
}

func (r *rawConn) send(s string) {
	r.t.Helper()
	_ = r.c.SetWriteDeadline(time.Now().Add(ioTimeout))
	if _, err := r.c.Write([]byte(s)); err != nil {
		r.t.Fatal(err)
	}
}

// line reads one CRLF-terminated line, without the CRLF.
func (r *rawConn) line() string {
	r.t.Helper()
	_ = r.c.SetReadDeadline(time.Now().Add(ioTimeout))
	l, err := r.r.ReadString('\n')
	if err != nil {
		r.t.Fatalf("reading a line (got %q): %v", l, err)
	}
	return strings.TrimSuffix(l, "\r\n")
}

// expect reads a line and checks it against the regular expression re.
func (r *rawConn) expect(re string) string {
	r.t.Helper()
	l := r.line()
	if !regexp.MustCompile(re).MatchString(l) {
		r.t.Fatalf("got %q, want a match for %q", l, re)
	}
	return l
}

// info reads the INFO line and decodes its JSON.
func (r *rawConn) info() map[string]any {
	r.t.Helper()
	l := r.expect(`^INFO \{.*\} ?$`)
	var m map[string]any
	if err := json.Unmarshal([]byte(strings.TrimPrefix(l, "INFO ")), &m); err != nil {
		r.t.Fatalf("INFO %q: %v", l, err)
	}
	return m
}

// handshake reads INFO, sends CONNECT and checks the server took it with a PING/PONG. With
// protocol 1, nats-server follows that first PONG with an INFO carrying connect_info: it is read
// too.
func (r *rawConn) handshake() map[string]any {
	r.t.Helper()
	info := r.info()
	r.send("CONNECT {\"verbose\":false,\"pedantic\":false,\"protocol\":1}\r\nPING\r\n")
	r.expect(`^PONG$`)
	r.expect(`^INFO \{.*"connect_info":true`)
	return info
}

// readAll reads until the server closes the connection.
func (r *rawConn) readAll(timeout time.Duration) string {
	r.t.Helper()
	_ = r.c.SetReadDeadline(time.Now().Add(timeout))
	var b bytes.Buffer
	_, err := b.ReadFrom(r.r)
	if err != nil && !isConnReset(err) {
		r.t.Fatalf("reading until close (got %d bytes): %v", b.Len(), err)
	}
	return b.String()
}

func isConnReset(err error) bool {
	var errno syscall.Errno
	return errors.As(err, &errno) && errno == syscall.ECONNRESET
}

// writeFile writes a file in dir and returns its path.
func writeFile(t *testing.T, dir, name, content string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// fileContains reports whether the file at path exists and contains s.
func fileContains(path, s string) bool {
	b, err := os.ReadFile(path)
	return err == nil && strings.Contains(string(b), s)
}

// busyPort returns a port of 127.0.0.1 that the test holds open until it ends, so that a server
// that tried to listen on it would fail.
func busyPort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = ln.Close() })
	return ln.Addr().(*net.TCPAddr).Port
}
