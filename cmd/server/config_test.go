package main

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
)

// Configuration files (-c), in nats-server's syntax: settings take effect, flags win over them,
// and mistakes stop the start with nats-server's located messages.

// Every supported top-level setting takes effect.
func TestConfigFileTakesEffect(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	logFile := filepath.Join(dir, "troupe.log")
	pidFile := filepath.Join(dir, "troupe.pid")
	conf := writeFile(t, dir, "troupe.conf", fmt.Sprintf(`# nats-server syntax: comments, = or : or blanks, units
listen: "127.0.0.1:-1"
server_name = troupe-conf
max_payload 4KB
max_connections: 100
ping_interval: "300ms"
write_deadline: "5s"
lame_duck_duration: "45s"
lame_duck_grace_period: "2s"
debug: true
trace: false
logtime: false
logfile: %q
pid_file: %q
ports_file_dir: %q
`, logFile, pidFile, dir))
	p := startProc(t, "-c", conf)
	url := p.clientURL(dir)
	if !strings.HasPrefix(url, "nats://127.0.0.1:") {
		t.Fatalf("listening on %s, want 127.0.0.1 (listen)", url)
	}
	waitFor(t, startTimeout, "the log file to say the server is ready", func() bool {
		return fileContains(logFile, "Server is ready")
	})
	b, _ := os.ReadFile(logFile)
	log := string(b)
	for _, want := range []string{"Using configuration file: " + conf, "[DBG]"} {
		if !strings.Contains(log, want) {
			t.Errorf("logfile does not contain %q:\n%s", want, log)
		}
	}
	if re := regexp.MustCompile(fmt.Sprintf(`(?m)^\[%d\] \[INF\] Server is ready$`, p.pid())); !re.MatchString(log) {
		t.Errorf("logtime: false, but no line %q in:\n%s", re, log)
	}
	if b, err := os.ReadFile(pidFile); err != nil || string(b) != strconv.Itoa(p.pid()) {
		t.Errorf("pid_file holds %q (%v), want %d", b, err, p.pid())
	}

	raw := dialRaw(t, url)
	info := raw.handshake()
	if info["server_name"] != "troupe-conf" || info["max_payload"] != float64(4096) {
		t.Errorf("INFO has server_name %v, max_payload %v; want troupe-conf, 4096", info["server_name"], info["max_payload"])
	}
	// ping_interval 300ms: the first PING comes well before the 2 s a default server waits.
	pinged := time.Now()
	raw.expect(`^PING$`)
	if d := time.Since(pinged); d > 1500*time.Millisecond {
		t.Errorf("first PING after %v, want about 300ms", d)
	}

	nc := connect(t, url)
	if nc.MaxPayload() != 4096 || nc.ConnectedServerName() != "troupe-conf" {
		t.Errorf("nats.go sees max payload %d, server %q", nc.MaxPayload(), nc.ConnectedServerName())
	}
	if err := nc.Publish("big", make([]byte, 5000)); err != nats.ErrMaxPayload {
		t.Errorf("publishing 5000 bytes: %v, want %v", err, nats.ErrMaxPayload)
	}

	p.signal(syscall.SIGTERM)
	p.expectExit(0)
	if s := p.stderr.String(); s != "" {
		t.Errorf("stderr is not empty with logfile set:\n%s", s)
	}
	if _, err := os.Stat(pidFile); !os.IsNotExist(err) {
		t.Errorf("pid_file is still there after a clean exit")
	}
}

// host and port (rather than listen) set the address too.
func TestConfigFileHostAndPort(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	conf := writeFile(t, dir, "troupe.conf", "host: 127.0.0.1\nport: -1\n")
	p := startProc(t, "-c", conf, "--ports_file_dir", dir)
	if url := p.clientURL(dir); !strings.HasPrefix(url, "nats://127.0.0.1:") {
		t.Fatalf("listening on %s, want 127.0.0.1", url)
	}
	p.waitLog("Server is ready")
}

// Flags win over the file: -p over port, -n over server_name, -D=false over debug; what no
// flag sets keeps the file's value.
func TestConfigFlagsOverrideFile(t *testing.T) {
	t.Parallel()
	busy := busyPort(t) // a server that used the file's port would fail to start
	conf := writeFile(t, t.TempDir(), "troupe.conf", fmt.Sprintf(
		"host: 0.0.0.0\nport: %d\nserver_name: from-file\ndebug: true\nmax_payload: 2048\n", busy))
	p, url := startServer(t, "-c", conf, "-n", "from-flag", "-D=false")
	if strings.HasSuffix(url, ":"+strconv.Itoa(busy)) || !strings.HasPrefix(url, "nats://127.0.0.1:") {
		t.Fatalf("listening on %s: -p -1 -a 127.0.0.1 did not override the file", url)
	}
	info := dialRaw(t, url).info()
	if info["server_name"] != "from-flag" || info["max_payload"] != float64(2048) {
		t.Errorf("INFO has server_name %v, max_payload %v; want from-flag, 2048", info["server_name"], info["max_payload"])
	}
	if strings.Contains(p.stderr.String(), "[DBG]") {
		t.Errorf("-D=false did not override debug: true")
	}
}

// A bad file stops the start, and fails -t, with exit code 1 and a located message on stderr,
// worded as nats-server words it.
func TestConfigFileErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for _, tc := range []struct {
		name, content, want string // want: a regexp; FILE stands for the file's path
	}{
		{"unknown field", "port: -1\nno_such_key: 1\n", `^troupe: FILE:2:1: unknown field "no_such_key"\n$`},
		{"unknown field, late column", "port: -1\n  bogus = true\n", `^troupe: FILE:2:3: unknown field "bogus"\n$`},
		{"integer as string", "max_payload: \"big\"\n", `^troupe: FILE:1:\d+: max_payload: expected an integer, got string\n$`},
		{"boolean as string", "debug: \"very\"\n", `^troupe: FILE:1:\d+: debug: expected a boolean, got string\n$`},
		{"string as integer", "server_name: 42\n", `^troupe: FILE:1:\d+: server_name: expected a string, got int64\n$`},
		{"bad duration", "ping_interval: \"soon\"\n", `^troupe: FILE:1:\d+: error parsing ping_interval: time: invalid duration "soon"\n$`},
		{"short lame duck", "lame_duck_duration: \"10s\"\n", `^troupe: FILE:1:\d+: invalid lame_duck_duration of 10s, minimum is 30 seconds\n$`},
		{"negative grace", "lame_duck_grace_period: \"-1s\"\n", `^troupe: FILE:1:\d+: invalid lame_duck_grace_period, needs to be positive\n$`},
		{"spaces in name", "server_name: \"a b\"\n", `^troupe: FILE:1:\d+: server name cannot contain spaces\n$`},
		{"not implemented", "jetstream: {}\n", `^troupe: FILE:1:\d+: field "jetstream" is not supported by Troupe yet\n$`},
		{"syntax", "port: {\n", `^troupe: Parse error on line 2: 'Unexpected EOF processing map.'\n$`},
		{"several", "foo: 1\nbar: 2\n", `unknown field "foo"[\s\S]*unknown field "bar"|unknown field "bar"[\s\S]*unknown field "foo"`},
	} {
		file := writeFile(t, dir, strings.ReplaceAll(tc.name, " ", "_")+".conf", tc.content)
		want := regexp.MustCompile(strings.ReplaceAll(tc.want, "FILE", regexp.QuoteMeta(file)))
		for _, args := range [][]string{
			{"-p", "-1", "-a", "127.0.0.1", "-c", file},
			{"-t", "-c", file},
		} {
			_, stderr, code := runCmd(t, args...)
			if code != 1 || !want.MatchString(stderr) {
				t.Errorf("%s %q: exit %d, stderr %q; want 1 and %q", tc.name, args, code, stderr, want)
			}
		}
	}
}

// -t validates the file and exits 0 without starting: it does not even try the listen address.
func TestCheckConfig(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	conf := writeFile(t, dir, "ok.conf", fmt.Sprintf(
		"listen: \"127.0.0.1:%d\"\nmax_payload: 1MB\nlame_duck_duration: \"1m\"\nPAY = 1k\nmax_pending: $PAY\n", busyPort(t)))
	stdout, stderr, code := runCmd(t, "-t", "-c", conf, "--ports_file_dir", dir)
	if code != 0 || stderr != "troupe: configuration file "+conf+" is valid\n" || stdout != "" {
		t.Fatalf("exit %d, stdout %q, stderr %q; want 0 and \"configuration file %s is valid\"", code, stdout, stderr, conf)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Fatalf("-t wrote files: %v", entries)
	}
}

// A duration given as a number of seconds is a warning: the server starts (and says so), but
// -t fails, as with nats-server.
func TestConfigWarnings(t *testing.T) {
	t.Parallel()
	conf := writeFile(t, t.TempDir(), "warn.conf", "ping_interval: 60\n")
	want := conf + `:1:0: invalid use of field "ping_interval": ping_interval should be converted to a duration`
	_, stderr, code := runCmd(t, "-t", "-c", conf)
	if code != 1 || stderr != "troupe: "+want+"\n" {
		t.Errorf("-t: exit %d, stderr %q; want 1 and %q", code, stderr, want)
	}
	p, _ := startServer(t, "-c", conf)
	if !strings.Contains(p.stderr.String(), "troupe: warning: "+want) {
		t.Errorf("the warning is not on stderr:\n%s", p.stderr)
	}
}

// Two processes from configuration files form a cluster: a client of one gets what a client
// of the other publishes.
func TestConfigClusterOfTwoProcesses(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	seed, seedURL := startServer(t, "-c", writeFile(t, dir, "a.conf", "cluster {\n  name: blue\n  listen: \"127.0.0.1:-1\"\n}\n"))
	route := seed.clusterURL(t)
	_, otherURL := startServer(t, "-c", writeFile(t, dir, "b.conf",
		"cluster {\n  name: blue\n  listen: \"127.0.0.1:-1\"\n  routes: [\""+route+"\"]\n}\n"))
	checkClusterDelivers(t, seedURL, otherURL)
}

// max_connections: 1 lets one client in; the next gets INFO, then
// -ERR 'maximum connections exceeded', then the close. Once the first leaves, a new one is let in.
func TestMaxConnections(t *testing.T) {
	t.Parallel()
	conf := writeFile(t, t.TempDir(), "troupe.conf", "max_connections: 1\n")
	_, url := startServer(t, "-c", conf)
	first := dialRaw(t, url)
	first.handshake()

	second := dialRaw(t, url)
	second.info()
	second.expect(`^-ERR 'maximum connections exceeded'$`)
	if rest := second.readAll(ioTimeout); rest != "" {
		t.Fatalf("after the -ERR the server sent %q instead of closing", rest)
	}

	first.send("PING\r\n")
	first.expect(`^PONG$`) // the first one is untouched
	_ = first.c.Close()
	waitFor(t, ioTimeout, "a new connection to be accepted", func() bool { return handshakes(url) })
}

// handshakes reports whether a raw connection to url is accepted (INFO, CONNECT, PING → PONG).
func handshakes(url string) bool {
	c, err := net.DialTimeout("tcp", strings.TrimPrefix(url, "nats://"), ioTimeout)
	if err != nil {
		return false
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(ioTimeout))
	r := bufio.NewReader(c)
	if l, err := r.ReadString('\n'); err != nil || !strings.HasPrefix(l, "INFO ") {
		return false
	}
	if _, err := c.Write([]byte("CONNECT {\"verbose\":false}\r\nPING\r\n")); err != nil {
		return false
	}
	l, err := r.ReadString('\n')
	return err == nil && l == "PONG\r\n"
}
