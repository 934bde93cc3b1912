// Command bench runs the same loads against Troupe and against nats-server (the version go.mod
// pins), interleaved, and writes docs/benchmarks.{md,png,csv}.
//
//	go run ./bench                                   # the core four, 16 B, GOMAXPROCS=2, 5 reps
//	go run ./bench -scenarios all -sizes all -procs 1,2 -reps 3
//	go run ./bench -quick                            # a smoke test; writes to a temp dir
//
// Both servers are built from this module and run as child processes the same way; the load
// generator is nats.go in this process. See bench/README.md.
package main

import (
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// config is the command line.
type config struct {
	scenarios []Scenario
	sizes     []int
	procs     []int
	reps      int
	params    Params
	out       string
	quick     bool
	args      []string
}

func main() { os.Exit(run(os.Args[1:])) }

func run(args []string) int {
	cfg, err := parseFlags(args)
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		return 2
	}
	if err := bench(cfg); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		return 1
	}
	return 0
}

func parseFlags(args []string) (*config, error) {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	var (
		scen     = fs.String("scenarios", "core", "comma list of scenarios, \"core\" ("+strings.Join(coreScenarios, ",")+") or \"all\" ("+strings.Join(scenarioNames(), ",")+")")
		sizes    = fs.String("sizes", "16", "comma list of message sizes in bytes (suffix k for KiB), or \"all\" (16,128,1k,64k)")
		procs    = fs.String("procs", "2", "comma list of GOMAXPROCS values for the servers, e.g. 1,2")
		reps     = fs.Int("reps", 5, "repetitions of each (scenario, size, GOMAXPROCS) on each server")
		duration = fs.Duration("duration", 2*time.Second, "how long publishers publish (or requests are sent) in each measured run")
		msgs     = fs.Int("msgs", 0, "a fixed number of published messages per run instead of -duration (e.g. 2000000, as with nats bench)")
		reqs     = fs.Int("requests", 0, "a fixed number of requests per request/reply run instead of -duration")
		warmup   = fs.Duration("warmup", 300*time.Millisecond, "the same load, unmeasured, before each measured run")
		stall    = fs.Duration("stall", 10*time.Second, "a run fails when no expected message arrives for this long")
		subjects = fs.Int("subjects", 100000, "literal subjects in the \"subjects\" scenario")
		conns    = fs.Int("conns", 10000, "idle connections in the \"rss\" and \"monitor\" scenarios")
		poll     = fs.Duration("poll", 0, "the \"monitor\" scenario's pause between two rounds of monitoring requests (0: back to back)")
		churnOps = fs.Int("churn", 10000, "SUB+UNSUB operations per second in the \"churn\" scenario")
		out      = fs.String("out", "docs", "directory for benchmarks.md, benchmarks.png and benchmarks.csv")
		quick    = fs.Bool("quick", false, "tiny runs for a smoke test (writes to a temp dir unless -out is given)")
	)
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected arguments: %v", fs.Args())
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	cfg := &config{reps: *reps, out: *out, quick: *quick, args: args,
		params: Params{Duration: *duration, Msgs: *msgs, Requests: *reqs, Warmup: *warmup, Stall: *stall,
			Subjects: *subjects, Conns: *conns, Churn: *churnOps, Poll: *poll}}
	if *quick {
		def := func(name string, apply func()) {
			if !set[name] {
				apply()
			}
		}
		def("duration", func() { cfg.params.Duration = 200 * time.Millisecond })
		def("warmup", func() { cfg.params.Warmup = 50 * time.Millisecond })
		def("reps", func() { cfg.reps = 1 })
		def("subjects", func() { cfg.params.Subjects = 2000 })
		def("conns", func() { cfg.params.Conns = 500 })
		def("out", func() { cfg.out = filepath.Join(os.TempDir(), "troupe-bench-quick") })
	}
	var err error
	if cfg.scenarios, err = parseScenarios(*scen); err != nil {
		return nil, err
	}
	if cfg.sizes, err = parseSizes(*sizes); err != nil {
		return nil, err
	}
	if cfg.procs, err = parseInts(*procs); err != nil {
		return nil, fmt.Errorf("-procs: %w", err)
	}
	switch {
	case cfg.reps < 1:
		return nil, fmt.Errorf("-reps must be at least 1")
	case cfg.params.Subjects < 1 || cfg.params.Conns < 1 || cfg.params.Churn < 2:
		return nil, fmt.Errorf("-subjects and -conns must be at least 1, -churn at least 2")
	case cfg.params.Duration <= 0 && (cfg.params.Msgs <= 0 || cfg.params.Requests <= 0):
		return nil, fmt.Errorf("-duration must be positive unless -msgs and -requests are")
	}
	return cfg, nil
}

// parseSizes reads "16,128,1k,64k" or "all".
func parseSizes(s string) ([]int, error) {
	if s == "all" {
		return []int{16, 128, 1024, 64 * 1024}, nil
	}
	var out []int
	for _, f := range strings.Split(s, ",") {
		f = strings.ToLower(strings.TrimSpace(f))
		mult := 1
		if t, ok := strings.CutSuffix(f, "k"); ok {
			f, mult = t, 1024
		}
		n, err := strconv.Atoi(f)
		if err != nil || n < 1 || n*mult > 1<<20 {
			return nil, fmt.Errorf("-sizes: bad size %q (1 B to 1 MiB)", f)
		}
		out = append(out, n*mult)
	}
	return out, nil
}

func parseInts(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 {
			return nil, fmt.Errorf("bad value %q", f)
		}
		out = append(out, n)
	}
	return out, nil
}

// job is one (GOMAXPROCS, scenario, size): reps runs on each server.
type job struct {
	procs    int
	scenario Scenario
	size     int // 0 for a scenario without a message size
}

func (j job) String() string {
	return fmt.Sprintf("GOMAXPROCS=%d %s %s", j.procs, j.scenario.Name, sizeLabel(j.size))
}

func plan(cfg *config) []job {
	var jobs []job
	for _, p := range cfg.procs {
		for _, s := range cfg.scenarios {
			if !s.Sized {
				jobs = append(jobs, job{procs: p, scenario: s})
				continue
			}
			for _, size := range cfg.sizes {
				jobs = append(jobs, job{procs: p, scenario: s, size: size})
			}
		}
	}
	return jobs
}

func bench(cfg *config) error {
	began := time.Now()
	root, err := moduleRoot()
	if err != nil {
		return err
	}
	if lim, err := raiseFileLimit(); err != nil {
		fmt.Fprintf(os.Stderr, "bench: cannot raise the open-files limit: %v\n", err)
	} else if need := uint64(cfg.params.Conns + 200); lim < need && (hasScenario(cfg, "rss") || hasScenario(cfg, "monitor")) {
		return fmt.Errorf("the open-files limit is %d; the rss and monitor scenarios need about %d (ulimit -n)", lim, need)
	}
	tmp, err := os.MkdirTemp("", "troupe-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	progress("building nats-server and Troupe in %s", tmp)
	ref, troupe, err := buildServers(root, tmp)
	if err != nil {
		return err
	}
	m := collectMachine(root, cfg)

	var stop atomic.Bool
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt)
	go func() {
		<-sigs
		stop.Store(true)
		progress("interrupted: finishing the current run, then writing what was measured (^C again to abort)")
		signal.Stop(sigs)
	}()

	jobs := plan(cfg)
	total := len(jobs) * cfg.reps * 2
	var records []runRecord
	done := 0
	progress("%d runs: %d scenario/size/GOMAXPROCS combinations x %d reps x 2 servers", total, len(jobs), cfg.reps)
	for _, j := range jobs {
		p := cfg.params
		p.Size = j.size
		for rep := 1; rep <= cfg.reps && !stop.Load(); rep++ {
			order := []serverKind{ref, troupe}
			if rep%2 == 0 {
				order = []serverKind{troupe, ref}
			}
			for i, k := range order {
				if stop.Load() {
					break
				}
				r := runOnce(k, j, p, rep, i+1, tmp)
				records = append(records, r)
				done++
				el := time.Since(began)
				left := time.Duration(float64(el) / float64(done) * float64(total-done)).Round(time.Second)
				progress("[%d/%d %s, ~%s left] %s rep %d/%d %s: %s", done, total, el.Round(time.Second), left,
					j, rep, cfg.reps, k.Name, r.summary())
			}
		}
		progress("  => %s", jobSummary(records, j))
		if stop.Load() {
			break
		}
	}
	m.Elapsed = time.Since(began)
	m.LoadEnd = loadAvg()
	m.Partial = stop.Load()
	if err := writeOutputs(cfg, m, records); err != nil {
		return err
	}
	progress("wrote %s, %s and %s in %s (%s in all)", mdFile, pngFile, csvFile, cfg.out, m.Elapsed.Round(time.Second))
	return nil
}

func hasScenario(cfg *config, name string) bool {
	for _, s := range cfg.scenarios {
		if s.Name == name {
			return true
		}
	}
	return false
}

// runOnce starts a fresh server, runs the scenario on it and stops it.
func runOnce(k serverKind, j job, p Params, rep, order int, tmp string) runRecord {
	r := runRecord{Time: time.Now(), Procs: j.procs, Scenario: j.scenario.Name, Size: j.size, Rep: rep, Order: order, Server: k.Name}
	args := j.scenario.Args
	if j.scenario.Config != "" {
		conf := filepath.Join(tmp, j.scenario.Name+".conf")
		if err := os.WriteFile(conf, []byte(j.scenario.Config), 0o600); err != nil {
			r.Err = err.Error()
			return r
		}
		args = append(slices.Clip(args), "-c", conf)
	}
	s, err := startServer(k, j.procs, tmp, args...)
	if err != nil {
		r.Err = err.Error()
		return r
	}
	if j.scenario.Login != "" {
		s.URL = strings.Replace(s.URL, "nats://", "nats://"+j.scenario.Login+"@", 1)
	}
	res, err := j.scenario.Run(s, p)
	r.Res = res
	if hwm, e := s.hwmKB(); e == nil {
		r.HWMKB = hwm
	}
	if s.exited() {
		err = fmt.Errorf("the server exited during the run (%v); its last lines:\n%s", s.err, s.log.String())
	} else if e := s.stop(); e != nil && err == nil {
		err = e
	}
	r.ServerLog = s.log.notes()
	if err != nil {
		r.Err = err.Error()
	}
	return r
}

func progress(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "%s "+format+"\n", append([]any{time.Now().Format("15:04:05")}, args...)...)
}
