package monitor

import (
	"bytes"
	"testing"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
)

// /metrics is Prometheus' text format, with Troupe's metrics read at scrape time beside the Go
// runtime's and the process's.
func TestMetrics(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)
	sub := s.connect(t, "sub")
	received := subscribe(t, sub, "m.x", "")
	flush(t, sub)
	pub := s.connect(t, "pub")
	for range 5 {
		if err := pub.Publish("m.x", []byte("12345678")); err != nil {
			t.Fatal(err)
		}
	}
	flush(t, pub)
	for range 5 {
		if _, err := received.NextMsg(ioTimeout); err != nil {
			t.Fatal(err)
		}
	}

	var families map[string]*dto.MetricFamily
	waitFor(t, ioTimeout, "the deliveries in the metrics", func() bool {
		families = scrape(t, s)
		return value(families, "troupe_out_msgs_total", nil) == 5
	})
	for _, c := range []struct {
		name   string
		labels map[string]string
		want   float64
	}{
		{"troupe_connections", map[string]string{"kind": "client"}, 2},
		{"troupe_connections_total", map[string]string{"kind": "client"}, 2},
		{"troupe_subscriptions", nil, float64(allSubscriptions(s))},
		{"troupe_in_msgs_total", nil, 5},
		{"troupe_in_bytes_total", nil, 40},
		{"troupe_out_bytes_total", nil, 40},
		{"troupe_slow_consumers_total", map[string]string{"kind": "client"}, 0},
		{"troupe_account_connections", map[string]string{"account": "$G"}, 2},
		{"troupe_account_subscriptions", map[string]string{"account": "$G"}, 1},
		{"troupe_actors", map[string]string{"kind": "client", "state": "running"}, 2},
		{"troupe_actors", map[string]string{"kind": "server", "state": "running"}, 1},
		{"troupe_actor_restarts", map[string]string{"kind": "account"}, 0},
		{"troupe_supervisor_restarts_total", map[string]string{"supervisor": "listeners"}, 0},
		{"troupe_info", map[string]string{"server_id": s.ID()}, 1},
	} {
		if got := value(families, c.name, c.labels); got != c.want {
			t.Errorf("%s%v = %v, want %v", c.name, c.labels, got, c.want)
		}
	}
	for _, name := range []string{"troupe_actor_mailbox_messages", "troupe_actor_mailbox_max_messages",
		"troupe_start_time_seconds", "go_goroutines", "go_memstats_heap_alloc_bytes", "process_resident_memory_bytes"} {
		if families[name] == nil {
			t.Errorf("no %s", name)
		}
	}
	for name := range families {
		if !(hasPrefix(name, "troupe_") || hasPrefix(name, "go_") || hasPrefix(name, "process_")) {
			t.Errorf("unexpected metric %s", name)
		}
	}
}

func hasPrefix(s, p string) bool { return len(s) >= len(p) && s[:len(p)] == p }

func scrape(t *testing.T, s *testServer) map[string]*dto.MetricFamily {
	t.Helper()
	r := s.get(t, "/metrics")
	if r.code != 200 {
		t.Fatalf("/metrics: %d %s", r.code, r.body)
	}
	var p expfmt.TextParser
	families, err := p.TextToMetricFamilies(bytes.NewReader(r.body))
	if err != nil {
		t.Fatalf("/metrics is not Prometheus' text format: %v", err)
	}
	return families
}

// value is the value of the metric of the family name whose labels include labels, or -1.
func value(families map[string]*dto.MetricFamily, name string, labels map[string]string) float64 {
	f := families[name]
	if f == nil {
		return -1
	}
next:
	for _, m := range f.Metric {
		for k, v := range labels {
			found := false
			for _, lp := range m.Label {
				if lp.GetName() == k && lp.GetValue() == v {
					found = true
				}
			}
			if !found {
				continue next
			}
		}
		switch {
		case m.Gauge != nil:
			return m.Gauge.GetValue()
		case m.Counter != nil:
			return m.Counter.GetValue()
		case m.Untyped != nil:
			return m.Untyped.GetValue()
		}
	}
	return -1
}
