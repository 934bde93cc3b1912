package main

import (
	"fmt"
	"math"
	"strings"
	"time"
)

// runRecord is one run: one scenario on one fresh server.
type runRecord struct {
	Time      time.Time
	Procs     int
	Scenario  string
	Size      int // bytes; 0 for a scenario without a message size
	Rep       int
	Order     int // 1: this server ran first in its pair, 2: second
	Server    string
	Err       string // empty when the run succeeded
	Res       Result
	HWMKB     int64  // the server's peak RSS
	ServerLog string // slow consumers, warnings and errors the server logged
}

func (r runRecord) ok() bool { return r.Err == "" }

// summary is the one-line outcome for the progress output.
func (r runRecord) summary() string {
	var s string
	if !r.ok() {
		s = "FAILED: " + oneLine(r.Err, 200)
	} else {
		var parts []string
		for _, m := range r.Res.Metrics {
			if m.Show {
				parts = append(parts, fmt.Sprintf("%s %s", formatValue(m.Value, m.Unit), m.Label))
			}
		}
		s = strings.Join(parts, ", ")
	}
	if r.ServerLog != "" {
		s += " [server log: " + oneLine(r.ServerLog, 160) + "]"
	}
	return s
}

// row is one line of a results table: one metric of one (GOMAXPROCS, scenario, size) with the
// values of the successful runs and the errors of the failed ones, per server.
type row struct {
	Procs    int
	Scenario string
	Size     int
	Metric   Metric // Value unused
	Vals     map[string][]float64
	Fails    map[string][]string
	Logs     map[string][]string // the server log notes of the runs that had any
	Runs     map[string]int
}

func (r row) key() string { return fmt.Sprintf("%d/%s/%d", r.Procs, r.Scenario, r.Size) }

func (r row) median(server string) float64 { return median(r.Vals[server]) }

// ratio is Troupe's median over nats-server's.
func (r row) ratio() float64 { return ratio(r.median(troupeName), r.median(refName)) }

// advantage is how much better Troupe did: the ratio where higher is better, its inverse where
// lower is better; above 1, Troupe did better.
func (r row) advantage() float64 {
	if r.Metric.Higher {
		return r.ratio()
	}
	return ratio(r.median(refName), r.median(troupeName))
}

// buildRows groups the records into rows: Show metrics only, in the order the runs were made;
// a group whose every run failed still gets one row.
func buildRows(records []runRecord) []row {
	var order []string
	groups := map[string][]runRecord{}
	for _, r := range records {
		k := fmt.Sprintf("%d/%s/%d", r.Procs, r.Scenario, r.Size)
		if _, ok := groups[k]; !ok {
			order = append(order, k)
		}
		groups[k] = append(groups[k], r)
	}
	var rows []row
	for _, k := range order {
		recs := groups[k]
		var metrics []Metric
		seen := map[string]bool{}
		for _, r := range recs {
			for _, m := range r.Res.Metrics {
				if r.ok() && m.Show && !seen[m.Name] {
					seen[m.Name] = true
					metrics = append(metrics, m)
				}
			}
		}
		if len(metrics) == 0 {
			metrics = []Metric{{Name: "-", Label: "-", Show: true}}
		}
		for _, m := range metrics {
			rw := row{Procs: recs[0].Procs, Scenario: recs[0].Scenario, Size: recs[0].Size, Metric: m,
				Vals: map[string][]float64{}, Fails: map[string][]string{}, Logs: map[string][]string{}, Runs: map[string]int{}}
			for _, r := range recs {
				rw.Runs[r.Server]++
				if r.ServerLog != "" {
					rw.Logs[r.Server] = append(rw.Logs[r.Server], r.ServerLog)
				}
				if !r.ok() {
					rw.Fails[r.Server] = append(rw.Fails[r.Server], r.Err)
					continue
				}
				for _, v := range r.Res.Metrics {
					if v.Name == m.Name {
						rw.Vals[r.Server] = append(rw.Vals[r.Server], v.Value)
					}
				}
			}
			rows = append(rows, rw)
		}
	}
	return rows
}

// jobSummary is the progress line after a job's runs: medians and ratio per shown metric, and
// how many runs failed.
func jobSummary(records []runRecord, j job) string {
	var mine []runRecord
	for _, r := range records {
		if r.Procs == j.procs && r.Scenario == j.scenario.Name && r.Size == j.size {
			mine = append(mine, r)
		}
	}
	rows := buildRows(mine)
	var parts []string
	for _, rw := range rows {
		parts = append(parts, fmt.Sprintf("%s: nats-server %s, Troupe %s, ratio %s", rw.Metric.Label,
			formatValue(rw.median(refName), rw.Metric.Unit), formatValue(rw.median(troupeName), rw.Metric.Unit), formatRatio(rw.ratio())))
	}
	if len(rows) > 0 {
		for _, srv := range []string{refName, troupeName} {
			if n := len(rows[0].Fails[srv]); n > 0 {
				parts = append(parts, fmt.Sprintf("%s failed %d of %d runs", srv, n, rows[0].Runs[srv]))
			}
		}
	}
	return j.String() + ": " + strings.Join(parts, "; ")
}

// formatValue prints a value in its unit, three significant digits for rates.
func formatValue(v float64, unit string) string {
	if math.IsNaN(v) {
		return "n/a"
	}
	switch unit {
	case "msgs/s", "req/s", "ops/s", "conns/s":
		return humanCount(v)
	case "µs":
		if v >= 10000 {
			return fmt.Sprintf("%.1f ms", v/1000)
		}
		return fmt.Sprintf("%.1f µs", v)
	case "B/conn":
		return fmt.Sprintf("%.1f KiB", v/1024)
	case "s":
		return fmt.Sprintf("%.3f s", v)
	case "KiB":
		return fmt.Sprintf("%.0f KiB", v)
	case "MB/s":
		return fmt.Sprintf("%.1f MB/s", v)
	}
	return fmt.Sprintf("%.4g %s", v, unit)
}

func humanCount(v float64) string {
	switch {
	case v >= 1e6:
		return fmt.Sprintf("%.3gM", v/1e6)
	case v >= 1e3:
		return fmt.Sprintf("%.3gk", v/1e3)
	}
	return fmt.Sprintf("%.0f", v)
}

func formatRatio(r float64) string {
	if math.IsNaN(r) {
		return "n/a"
	}
	return fmt.Sprintf("%.2f", r)
}

func sizeLabel(size int) string {
	switch {
	case size == 0:
		return "-"
	case size >= 1024 && size%1024 == 0:
		return fmt.Sprintf("%d KiB", size/1024)
	}
	return fmt.Sprintf("%d B", size)
}

// oneLine squeezes s onto one line of at most n characters.
func oneLine(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > n {
		s = s[:n-3] + "..."
	}
	return s
}
