package main

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/nats-io/nats.go"
	"github.com/troupe/troupe/actors"
)

// Command-line behaviour of the binary: version, usage, bad command lines, start-up, debug
// flags, unsupported-feature flags, pid and ports files. Signals are in signals_test.go and
// configuration files in config_test.go.

func TestVersionFlag(t *testing.T) {
	t.Parallel()
	for _, flag := range []string{"-v", "--version"} {
		stdout, stderr, code := runCmd(t, flag)
		if code != 0 {
			t.Errorf("%s: exit code %d, want 0 (stderr %q)", flag, code, stderr)
		}
		if want := "troupe: v" + actors.Version + "\n"; stdout != want {
			t.Errorf("%s: stdout %q, want %q", flag, stdout, want)
		}
	}
}

func TestHelpFlag(t *testing.T) {
	t.Parallel()
	for _, flag := range []string{"-h", "--help"} {
		stdout, stderr, code := runCmd(t, flag)
		if code != 0 {
			t.Errorf("%s: exit code %d, want 0 (stderr %q)", flag, code, stderr)
		}
		for _, want := range []string{"Usage: troupe [options]", "-p, --port", "--signal", "-c, --config", "-P, --pid", "--ports_file_dir", "-l, --log"} {
			if !strings.Contains(stdout, want) {
				t.Errorf("%s: usage does not mention %q:\n%s", flag, want, stdout)
			}
		}
	}
}

// A bad command line exits 1 with the reason on stderr, without serving. (nats-server exits 0
// on an unknown flag because its usage function does; a failure is what a script needs.)
func TestBadCommandLine(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--no_such_flag"}, "flag provided but not defined: -no_such_flag"},
		{[]string{"-p"}, "flag needs an argument: -p"},
		{[]string{"-p", "four"}, `invalid value "four" for flag -p`},
		{[]string{"-p", "-1", "extra"}, `unexpected argument "extra"`},
		{[]string{"--signal", "explode=1"}, `unknown signal "explode"`},
		{[]string{"--signal", "ldm=not-a-pid"}, "invalid pid: not-a-pid"},
		{[]string{"--signal", "ldm=1=2"}, "invalid signal parameters"},
		{[]string{"--cluster", "nats://[::1"}, "invalid cluster url"},
		{[]string{"-c", "/no/such/dir/troupe.conf"}, "no such file or directory"},
		{[]string{"-t"}, "must specify [-c, --config] option to check configuration file syntax"},
	} {
		_, stderr, code := runCmd(t, tc.args...)
		if code != 1 {
			t.Errorf("%q: exit code %d, want 1", tc.args, code)
		}
		if !strings.Contains(stderr, tc.want) {
			t.Errorf("%q: stderr %q does not contain %q", tc.args, stderr, tc.want)
		}
		if strings.Contains(stderr, "Listening for client connections") {
			t.Errorf("%q: the server started:\n%s", tc.args, stderr)
		}
	}
}

// The server logs nats-server's start-up lines and serves nats.go: pub/sub and request/reply.
func TestServesClients(t *testing.T) {
	t.Parallel()
	p, url := startServer(t)
	_, port, err := net.SplitHostPort(strings.TrimPrefix(url, "nats://"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(url, "nats://127.0.0.1:") || port == "0" || port == "-1" {
		t.Fatalf("ports file lists %q, want nats://127.0.0.1:<a real port>", url)
	}
	log := p.stderr.String()
	for _, want := range []string{
		"Starting Troupe",
		"Version:  " + actors.Version,
		"[INF] Listening for client connections on 127.0.0.1:" + port + "\n",
		"[INF] Server is ready\n",
	} {
		if !strings.Contains(log, want) {
			t.Errorf("log does not contain %q:\n%s", want, log)
		}
	}
	line := regexp.MustCompile(`^\[` + strconv.Itoa(p.pid()) + `\] \d{4}/\d\d/\d\d \d\d:\d\d:\d\d\.\d{6} \[INF\] Server is ready$`)
	if !hasLine(log, line) {
		t.Errorf("no nats-server style line %q in:\n%s", line, log)
	}

	sub := connect(t, url)
	pub := connect(t, url)
	s, err := sub.SubscribeSync("greet.*")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sub.Subscribe("svc.echo", func(m *nats.Msg) { _ = m.Respond(append([]byte("echo: "), m.Data...)) }); err != nil {
		t.Fatal(err)
	}
	if err := sub.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := pub.Publish("greet.joe", []byte("hello")); err != nil {
		t.Fatal(err)
	}
	m, err := s.NextMsg(ioTimeout)
	if err != nil {
		t.Fatal(err)
	}
	if m.Subject != "greet.joe" || string(m.Data) != "hello" {
		t.Fatalf("got %s %q, want greet.joe \"hello\"", m.Subject, m.Data)
	}
	resp, err := pub.Request("svc.echo", []byte("ping"), ioTimeout)
	if err != nil {
		t.Fatal(err)
	}
	if string(resp.Data) != "echo: ping" {
		t.Fatalf("reply %q, want \"echo: ping\"", resp.Data)
	}
}

func hasLine(log string, re *regexp.Regexp) bool {
	for _, l := range strings.Split(log, "\n") {
		if re.MatchString(l) {
			return true
		}
	}
	return false
}

// The pid file and the ports file exist while the server runs, hold its pid and its client URL,
// and are removed when it exits cleanly.
func TestPidAndPortsFiles(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	pidFile := filepath.Join(dir, "troupe.pid")
	p := startProc(t, "-p", "-1", "-a", "127.0.0.1", "--ports_file_dir", dir, "-P", pidFile)
	url := p.clientURL(dir)
	p.waitLog("Server is ready")
	b, err := os.ReadFile(pidFile)
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != strconv.Itoa(p.pid()) {
		t.Fatalf("pid file holds %q, want %d", b, p.pid())
	}
	ports := p.portsFile(dir)
	b, err = os.ReadFile(ports)
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"nats":["` + url + `"]}`; string(b) != want {
		t.Fatalf("ports file holds %s, want %s", b, want)
	}
	p.signal(syscall.SIGTERM)
	p.expectExit(0)
	for _, f := range []string{pidFile, ports} {
		if _, err := os.Stat(f); !os.IsNotExist(err) {
			t.Errorf("%s is still there after a clean exit (stat: %v)", f, err)
		}
	}
}

// -D logs [DBG] lines, -V logs [TRC] lines (each op a client sends), both off by default and
// independent of each other, as in nats-server.
func TestDebugAndTraceFlags(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		flags        []string
		debug, trace bool
	}{
		{nil, false, false},
		{[]string{"-D"}, true, false},
		{[]string{"--debug"}, true, false},
		{[]string{"-V"}, false, true},
		{[]string{"--trace"}, false, true},
		{[]string{"-VV"}, false, true},
		{[]string{"-DV"}, true, true},
		{[]string{"-DVV"}, true, true},
	} {
		t.Run(strings.Join(append([]string{"flags"}, tc.flags...), " "), func(t *testing.T) {
			t.Parallel()
			p, url := startServer(t, tc.flags...)
			nc := connect(t, url)
			if err := nc.Publish("traced.subject", []byte("payload")); err != nil {
				t.Fatal(err)
			}
			if err := nc.Flush(); err != nil {
				t.Fatal(err)
			}
			nc.Close()
			p.signal(syscall.SIGTERM)
			p.expectExit(0)
			log := p.stderr.String()
			if got := strings.Contains(log, "[DBG]"); got != tc.debug {
				t.Errorf("[DBG] lines logged: %v, want %v", got, tc.debug)
			}
			if got := strings.Contains(log, "[TRC]") && strings.Contains(log, "<<- [PUB traced.subject 7]"); got != tc.trace {
				t.Errorf("PUB traced: %v, want %v", got, tc.trace)
			}
		})
	}
}

// The cluster flags as nats-server's: --cluster (with a random port) and --routes form a
// cluster of processes; --routes without a cluster port is refused with nats-server's text.
func TestClusterFlags(t *testing.T) {
	t.Parallel()
	seed, seedURL := startServer(t, "--cluster", "nats://127.0.0.1:-1", "--cluster_name", "blue")
	_, otherURL := startServer(t, "--cluster_listen", "nats://127.0.0.1:-1", "--cluster_name", "blue",
		"--routes", seed.clusterURL(t), "--connect_retries", "3")
	checkClusterDelivers(t, seedURL, otherURL)

	_, stderr, code := runCmd(t, "-p", "-1", "--routes", "nats://127.0.0.1:4248")
	if code == 0 || !strings.Contains(stderr, "solicited routes require cluster capabilities, e.g. --cluster") {
		t.Fatalf("--routes without --cluster: exit %d, %s", code, stderr)
	}
}

// A cluster name without a cluster port still shows in the client INFO, as on nats-server.
func TestClusterNameWithoutListenIsInInfo(t *testing.T) {
	t.Parallel()
	_, url := startServer(t, "--cluster_name", "blue")
	nc := connect(t, url)
	if got := nc.ConnectedClusterName(); got != "blue" {
		t.Fatalf("INFO cluster %q, want blue", got)
	}
}

// A server that starts without special flags logs no warning.
func TestNoUnsupportedFeatureWarningsByDefault(t *testing.T) {
	t.Parallel()
	p, _ := startServer(t)
	if strings.Contains(p.stderr.String(), "[WRN]") {
		t.Fatalf("unexpected warning:\n%s", p.stderr)
	}
}

// -l sends the log to a file; nothing is logged on stderr.
func TestLogFileFlag(t *testing.T) {
	t.Parallel()
	logFile := filepath.Join(t.TempDir(), "troupe.log")
	dir := t.TempDir()
	p := startProc(t, "-p", "-1", "-a", "127.0.0.1", "--ports_file_dir", dir, "-l", logFile)
	url := p.clientURL(dir)
	waitFor(t, startTimeout, "the log file to say the server is ready", func() bool {
		return fileContains(logFile, "Server is ready")
	})
	connect(t, url).Close()
	p.signal(syscall.SIGINT)
	p.expectExit(0)
	if !fileContains(logFile, "Server Exiting..") {
		t.Errorf("the log file lacks the last line")
	}
	if s := p.stderr.String(); s != "" {
		t.Errorf("stderr is not empty with -l:\n%s", s)
	}
}

// -T=false drops the timestamp, as nats-server's does.
func TestLogtimeFlag(t *testing.T) {
	t.Parallel()
	p, _ := startServer(t, "-T=false")
	line := regexp.MustCompile(fmt.Sprintf(`^\[%d\] \[INF\] Server is ready$`, p.pid()))
	if !hasLine(p.stderr.String(), line) {
		t.Fatalf("no line %q in:\n%s", line, p.stderr)
	}
}

// A port that cannot be bound fails the start with exit code 1, and no process files are left.
func TestListenFailureExits1(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	pidFile := filepath.Join(dir, "troupe.pid")
	p := startProc(t, "-p", strconv.Itoa(busyPort(t)), "-a", "127.0.0.1", "--ports_file_dir", dir, "-P", pidFile)
	p.expectExit(1)
	if !strings.Contains(p.stderr.String(), "could not listen on client port") {
		t.Errorf("no reason logged:\n%s", p.stderr)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 0 {
		t.Errorf("files left behind: %v", entries)
	}
}
