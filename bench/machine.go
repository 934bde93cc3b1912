package main

import (
	"bufio"
	"os"
	"os/exec"
	"runtime"
	"runtime/debug"
	"strings"
	"time"
)

// machine is what the results were measured on and with.
type machine struct {
	Date       time.Time
	CPU        string
	Cores      int
	Memory     string
	Kernel     string
	GoVersion  string
	OSArch     string
	NatsServer string
	NatsGo     string
	Troupe     string
	LoadStart  string
	LoadEnd    string
	Command    string
	Elapsed    time.Duration
	Partial    bool // interrupted before the plan was done
	Params     Params
	Reps       int
	Procs      []int
}

func collectMachine(root string, cfg *config) *machine {
	m := &machine{
		Date:      time.Now(),
		CPU:       procField("/proc/cpuinfo", "model name"),
		Cores:     runtime.NumCPU(),
		Memory:    procField("/proc/meminfo", "MemTotal"),
		Kernel:    readTrim("/proc/sys/kernel/osrelease"),
		GoVersion: runtime.Version(),
		OSArch:    runtime.GOOS + "/" + runtime.GOARCH,
		LoadStart: loadAvg(),
		Command:   commandLine(cfg.args),
		Params:    cfg.params,
		Reps:      cfg.reps,
		Procs:     cfg.procs,
	}
	if out, err := runIn(root, "go", "list", "-m", "-f", "{{.Version}}", "github.com/nats-io/nats-server/v2"); err == nil {
		m.NatsServer = out
	}
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, d := range bi.Deps {
			if d.Path == "github.com/nats-io/nats.go" {
				m.NatsGo = d.Version
			}
		}
	}
	if out, err := runIn(root, "git", "rev-parse", "--short", "HEAD"); err == nil {
		m.Troupe = "commit " + out + " (plus any uncommitted changes in the working tree)"
	} else {
		m.Troupe = "the working tree at " + root
	}
	return m
}

// commandLine is how to run these benchmarks again, as they were run.
func commandLine(args []string) string {
	var q []string
	for _, a := range args {
		if strings.ContainsAny(a, " \t'\"$") {
			a = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
		}
		q = append(q, a)
	}
	return strings.TrimSpace("go run ./bench " + strings.Join(q, " "))
}

func runIn(dir, name string, args ...string) (string, error) {
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	out, err := cmd.Output()
	return strings.TrimSpace(string(out)), err
}

// procField is the value of the first "key: value" line of a /proc file.
func procField(path, key string) string {
	f, err := os.Open(path)
	if err != nil {
		return "unknown"
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if ok && strings.TrimSpace(k) == key {
			return strings.TrimSpace(v)
		}
	}
	return "unknown"
}

func readTrim(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return "unknown"
	}
	return strings.TrimSpace(string(b))
}

// loadAvg is the 1, 5 and 15 minute load averages: how busy the machine was besides.
func loadAvg() string {
	f := strings.Fields(readTrim("/proc/loadavg"))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}
