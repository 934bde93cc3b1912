package main

import (
	"encoding/csv"
	"os"
	"strconv"
	"time"
)

// writeCSV writes every run: one line per metric of a successful run (shown or not), one line
// with the error for a failed run.
func writeCSV(path string, records []runRecord) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := csv.NewWriter(f)
	_ = w.Write([]string{"time", "gomaxprocs", "scenario", "size_bytes", "rep", "order", "server", "ok", "error",
		"metric", "label", "unit", "value", "higher_is_better", "in_table", "sent", "delivered", "elapsed_s", "server_peak_rss_kib", "server_log"})
	for _, r := range records {
		base := []string{r.Time.Format(time.RFC3339), strconv.Itoa(r.Procs), r.Scenario, strconv.Itoa(r.Size),
			strconv.Itoa(r.Rep), strconv.Itoa(r.Order), r.Server, strconv.FormatBool(r.ok()), oneLine(r.Err, 1000)}
		tail := []string{strconv.FormatInt(r.Res.Sent, 10), strconv.FormatInt(r.Res.Delivered, 10),
			strconv.FormatFloat(r.Res.Elapsed.Seconds(), 'f', 4, 64), strconv.FormatInt(r.HWMKB, 10), oneLine(r.ServerLog, 1000)}
		if !r.ok() || len(r.Res.Metrics) == 0 {
			_ = w.Write(concat(base, []string{"", "", "", "", "", ""}, tail))
			continue
		}
		for _, m := range r.Res.Metrics {
			_ = w.Write(concat(base, []string{m.Name, m.Label, m.Unit, strconv.FormatFloat(m.Value, 'g', 6, 64), strconv.FormatBool(m.Higher), strconv.FormatBool(m.Show)}, tail))
		}
	}
	w.Flush()
	if err := w.Error(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func concat(parts ...[]string) []string {
	var out []string
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}
