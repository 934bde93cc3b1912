package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// The two servers under test. Both are built once, from this module, and run the same way: a
// child process started with nats-server's flags, GOMAXPROCS from the environment, its port read
// from the ports file it writes, stopped with SIGTERM.

const (
	refName    = "nats-server"
	troupeName = "troupe"
)

// serverKind is one of the two servers: a display name and the binary that runs it.
type serverKind struct {
	Name string // refName or troupeName
	Bin  string
}

// buildServers builds both binaries into dir: Troupe from ./cmd/server of the module at root,
// the reference from the nats-server module that go.mod pins.
func buildServers(root, dir string) (ref, troupe serverKind, err error) {
	ref = serverKind{Name: refName, Bin: filepath.Join(dir, "nats-server")}
	troupe = serverKind{Name: troupeName, Bin: filepath.Join(dir, "troupe")}
	for _, b := range []struct{ out, pkg string }{
		{ref.Bin, "github.com/nats-io/nats-server/v2"},
		{troupe.Bin, "./cmd/server"},
	} {
		cmd := exec.Command("go", "build", "-o", b.out, b.pkg)
		cmd.Dir = root
		if out, err := cmd.CombinedOutput(); err != nil {
			return ref, troupe, fmt.Errorf("go build %s: %v\n%s", b.pkg, err, out)
		}
	}
	return ref, troupe, nil
}

// moduleRoot is the directory of the go.mod that the working directory belongs to.
func moduleRoot() (string, error) {
	out, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %v", err)
	}
	gomod := strings.TrimSpace(string(out))
	if gomod == "" || gomod == os.DevNull {
		return "", errors.New("not inside a Go module: run from the Troupe checkout")
	}
	return filepath.Dir(gomod), nil
}

// server is one running server process.
type server struct {
	kind    serverKind
	procs   int
	cmd     *exec.Cmd
	URL     string
	Monitor string // http://host:port of its monitoring endpoint, when started with -m
	log     *logTail
	done    chan struct{} // closed when the process has exited
	err     error         // the exit status, once done is closed
}

// startServer runs a fresh server listening on a random loopback port with GOMAXPROCS=procs and
// the scenario's extra flags, and waits until its ports file names the port.
func startServer(k serverKind, procs int, tmp string, extra ...string) (*server, error) {
	dir, err := os.MkdirTemp(tmp, "ports-")
	if err != nil {
		return nil, err
	}
	s := &server{kind: k, procs: procs, log: newLogTail(), done: make(chan struct{})}
	s.cmd = exec.Command(k.Bin, append([]string{"-p", "-1", "-a", "127.0.0.1", "--ports_file_dir", dir}, extra...)...)
	s.cmd.Env = append(os.Environ(), "GOMAXPROCS="+strconv.Itoa(procs))
	s.cmd.Stdout = s.log
	s.cmd.Stderr = s.log
	if err := s.cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting %s: %v", k.Name, err)
	}
	go func() {
		s.err = s.cmd.Wait()
		close(s.done)
	}()
	deadline := time.Now().Add(15 * time.Second)
	for {
		if pf, ok := readPortsFile(dir, s.cmd.Process.Pid); ok {
			s.URL = pf.Nats[0]
			if len(pf.Monitoring) > 0 {
				s.Monitor = pf.Monitoring[0]
			}
			return s, nil
		}
		select {
		case <-s.done:
			return nil, fmt.Errorf("%s exited at start (%v):\n%s", k.Name, s.err, s.log.String())
		case <-time.After(5 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			s.kill()
			return nil, fmt.Errorf("%s wrote no ports file in %s within 15s:\n%s", k.Name, dir, s.log.String())
		}
	}
}

// portsFile is what both servers write with --ports_file_dir.
type portsFile struct {
	Nats       []string `json:"nats"`
	Monitoring []string `json:"monitoring"`
}

// readPortsFile reads <dir>/<exe>_<pid>.ports: {"nats":["nats://127.0.0.1:PORT"],...}.
func readPortsFile(dir string, pid int) (portsFile, bool) {
	files, _ := filepath.Glob(filepath.Join(dir, fmt.Sprintf("*_%d.ports", pid)))
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		var p portsFile
		if json.Unmarshal(b, &p) == nil && len(p.Nats) > 0 {
			return p, true
		}
	}
	return portsFile{}, false
}

// stop sends SIGTERM and waits for the exit (SIGKILL after 20 s).
func (s *server) stop() error {
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.done:
	case <-time.After(20 * time.Second):
		s.kill()
		return fmt.Errorf("%s did not exit within 20s of SIGTERM; killed", s.kind.Name)
	}
	var exit *exec.ExitError
	if s.err != nil && !errors.As(s.err, &exit) {
		return s.err
	}
	if exit != nil && exit.ExitCode() != 0 {
		return fmt.Errorf("%s exited with %v after SIGTERM", s.kind.Name, s.err)
	}
	return nil
}

func (s *server) kill() {
	_ = s.cmd.Process.Kill()
	<-s.done
}

// exited reports whether the process is gone (it crashed, since only stop ends it).
func (s *server) exited() bool {
	select {
	case <-s.done:
		return true
	default:
		return false
	}
}

// rssKB is the server's resident set size (VmRSS) in KiB.
func (s *server) rssKB() (int64, error) { return procStatusKB(s.cmd.Process.Pid, "VmRSS") }

// hwmKB is the server's peak resident set size (VmHWM) in KiB.
func (s *server) hwmKB() (int64, error) { return procStatusKB(s.cmd.Process.Pid, "VmHWM") }

func procStatusKB(pid int, field string) (int64, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if rest, ok := strings.CutPrefix(line, field+":"); ok {
			fields := strings.Fields(rest)
			if len(fields) == 0 {
				break
			}
			return strconv.ParseInt(fields[0], 10, 64)
		}
	}
	return 0, fmt.Errorf("no %s in /proc/%d/status", field, pid)
}

// logTail keeps a server's output: the last lines for error messages, and counts of the lines
// that tell of trouble under load.
type logTail struct {
	mu      sync.Mutex
	partial []byte
	lines   []string
	counts  map[string]int
}

const logTailLines = 30

// logPatterns are the log lines counted per run: both servers word slow consumers alike.
var logPatterns = []struct {
	name string
	re   *regexp.Regexp
}{
	{"slow_consumer", regexp.MustCompile(`(?i)slow consumer`)},
	{"error", regexp.MustCompile(`\[(ERR|FTL)\]`)},
	{"warning", regexp.MustCompile(`\[WRN\]`)},
}

func newLogTail() *logTail { return &logTail{counts: map[string]int{}} }

func (l *logTail) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.partial = append(l.partial, p...)
	for {
		i := bytes.IndexByte(l.partial, '\n')
		if i < 0 {
			break
		}
		line := string(l.partial[:i])
		l.partial = l.partial[i+1:]
		for _, p := range logPatterns {
			if p.re.MatchString(line) {
				l.counts[p.name]++
			}
		}
		l.lines = append(l.lines, line)
		if len(l.lines) > logTailLines {
			l.lines = l.lines[len(l.lines)-logTailLines:]
		}
	}
	if len(l.partial) > 64<<10 { // a runaway line: keep the end
		l.partial = l.partial[len(l.partial)-(64<<10):]
	}
	return len(p), nil
}

func (l *logTail) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.lines, "\n")
}

// notes summarises the counted lines, e.g. "slow_consumer=3 warning=3", and the last matching
// line for context.
func (l *logTail) notes() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var parts []string
	for _, p := range logPatterns {
		if n := l.counts[p.name]; n > 0 {
			parts = append(parts, fmt.Sprintf("%s=%d", p.name, n))
		}
	}
	if len(parts) == 0 {
		return ""
	}
	for i := len(l.lines) - 1; i >= 0; i-- {
		for _, p := range logPatterns {
			if p.re.MatchString(l.lines[i]) {
				return strings.Join(parts, " ") + "; last: " + trimLogPrefix(l.lines[i])
			}
		}
	}
	return strings.Join(parts, " ")
}

// trimLogPrefix drops "[pid] date time " from a log line.
var logPrefix = regexp.MustCompile(`^\[\d+\] \S+ \S+ `)

func trimLogPrefix(s string) string { return logPrefix.ReplaceAllString(s, "") }

var _ io.Writer = (*logTail)(nil)
