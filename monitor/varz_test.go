package monitor

import (
	"net"
	"regexp"
	"runtime"
	"testing"
	"time"

	"github.com/troupe/troupe/actors"
	"github.com/troupe/troupe/config"
)

// /varz carries the values nats-server would give for the same situation: the configuration,
// and counters that follow the traffic.
func TestVarzReportsConfigurationAndTraffic(t *testing.T) {
	t.Parallel()
	s := startServer(t, func(o *config.Options) {
		o.ServerName = "varz-test"
		o.MaxPayload = 64 << 10
		o.PingInterval = 90 * time.Second
		o.HTTPPort = config.RandomPort // what -m -1 sets: /varz shows it as nats-server does
	})
	sub := s.connect(t, "sub")
	received := subscribe(t, sub, "greet.*", "")
	subscribe(t, sub, "other", "")
	flush(t, sub)
	pub := s.connect(t, "pub")
	const n = 10
	for range n {
		if err := pub.Publish("greet.joe", []byte("hello")); err != nil {
			t.Fatal(err)
		}
	}
	flush(t, pub)
	for range n {
		if _, err := received.NextMsg(ioTimeout); err != nil {
			t.Fatal(err)
		}
	}

	var v Varz
	waitFor(t, ioTimeout, "out_msgs to count the deliveries", func() bool {
		s.getJSON(t, "/varz", &v)
		return v.OutMsgs == n
	})
	port := s.Addr().(*net.TCPAddr).Port
	for _, c := range []struct {
		name      string
		got, want any
	}{
		{"server_id", v.ID, s.ID()},
		{"server_name", v.Name, "varz-test"},
		{"version", v.Version, actors.Version},
		{"proto", v.Proto, 1},
		{"go", v.GoVersion, runtime.Version()},
		{"host", v.Host, "127.0.0.1"},
		{"port", v.Port, port},
		{"max_payload", v.MaxPayload, 64 << 10},
		{"max_connections", v.MaxConn, config.DefaultMaxConnections},
		{"max_pending", v.MaxPending, int64(config.DefaultMaxPending)},
		{"max_control_line", v.MaxControlLine, int32(config.DefaultMaxControlLine)},
		{"ping_interval", v.PingInterval, 90 * time.Second},
		{"ping_max", v.MaxPingsOut, config.DefaultMaxPingsOut},
		{"write_deadline", v.WriteDeadline, config.DefaultWriteDeadline},
		{"http_host", v.HTTPHost, "127.0.0.1"},
		{"http_port", v.HTTPPort, -1},
		{"auth_timeout", v.AuthTimeout, 2.0},
		{"tls_timeout", v.TLSTimeout, 2.0},
		{"cores", v.Cores, runtime.NumCPU()},
		{"gomaxprocs", v.MaxProcs, runtime.GOMAXPROCS(0)},
		{"connections", v.Connections, 2},
		{"total_connections", v.TotalConnections, uint64(2)},
		{"subscriptions", v.Subscriptions, uint32(allSubscriptions(s))},
		{"subscriptions of $G", accountSubscriptions(s, "$G"), 2},
		{"in_msgs", v.InMsgs, int64(n)},
		{"in_bytes", v.InBytes, int64(n * 5)},
		{"in_client_msgs", v.InClientMsgs, int64(n)},
		{"out_msgs", v.OutMsgs, int64(n)},
		{"out_bytes", v.OutBytes, int64(n * 5)},
		{"out_client_bytes", v.OutClientBytes, int64(n * 5)},
		{"slow_consumers", v.SlowConsumers, int64(0)},
		{"routes", v.Routes, 0},
		{"system_account", v.SystemAccount, s.SystemAccount()},
	} {
		if c.got != c.want {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
	if v.Mem <= 0 {
		t.Errorf("mem = %d, want the RSS", v.Mem)
	}
	if v.CPU < 0 {
		t.Errorf("cpu = %v", v.CPU)
	}
	if !regexp.MustCompile(`^\d+s$`).MatchString(v.Uptime) {
		t.Errorf("uptime %q, want nats-server's format (\"12s\")", v.Uptime)
	}
	if v.Start.After(v.Now) || v.Now.Location() != time.UTC || v.ConfigLoadTime != v.Start {
		t.Errorf("start %v, now %v, config_load_time %v", v.Start, v.Now, v.ConfigLoadTime)
	}
	if v.HTTPReqStats["/varz"] < 1 {
		t.Errorf("http_req_stats %v does not count /varz", v.HTTPReqStats)
	}
	if v.SlowConsumersStats == nil || v.StaleConnectionStats == nil || v.DiskIOWaitStats == nil {
		t.Errorf("slow_consumer_stats, stale_connection_stats or disk_io_wait_stats missing")
	}

	// Leaving connections are counted out, and the totals stay.
	pub.Close()
	waitFor(t, ioTimeout, "connections to drop to 1", func() bool {
		s.getJSON(t, "/varz", &v)
		return v.Connections == 1
	})
	if v.TotalConnections != 2 || v.InMsgs != n {
		t.Errorf("after a close: total_connections %d, in_msgs %d; want 2 and %d", v.TotalConnections, v.InMsgs, n)
	}
}

// http_req_stats counts each endpoint as nats-server does: paths asked for, the /subsz alias
// as /subsz, the index but not the unknown paths it turns away, and not /stacksz.
func TestVarzCountsRequests(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)
	for _, p := range []string{"/connz", "/connz", "/subsz", "/subscriptionsz", "/healthz", "/actorz", "/", "/nope", "/stacksz"} {
		s.get(t, p)
	}
	var v Varz
	s.getJSON(t, "/varz", &v)
	want := map[string]uint64{"/connz": 2, "/subsz": 2, "/healthz": 1, "/actorz": 1, "/varz": 1, "/": 1}
	if len(v.HTTPReqStats) != len(want) {
		t.Errorf("http_req_stats %v, want %v", v.HTTPReqStats, want)
	}
	for p, n := range want {
		if v.HTTPReqStats[p] != n {
			t.Errorf("http_req_stats[%s] = %d, want %d", p, v.HTTPReqStats[p], n)
		}
	}
}

// A configuration file's digest is nats-server's.
func TestVarzConfigDigest(t *testing.T) {
	t.Parallel()
	s := startServer(t, func(o *config.Options) { o.ConfigDigest = "sha256:abc" })
	var v Varz
	s.getJSON(t, "/varz", &v)
	if v.ConfigDigest != "sha256:abc" {
		t.Errorf("config_digest %q", v.ConfigDigest)
	}
}

func TestUptimeFormat(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		d    time.Duration
		want string
	}{
		{0, "0s"},
		{999 * time.Millisecond, "0s"},
		{45 * time.Second, "45s"},
		{3*time.Minute + 24*time.Second, "3m24s"},
		{2*time.Hour + 7*time.Second, "2h0m7s"},
		{49*time.Hour + 60*time.Second, "2d1h1m0s"},
		{366 * 24 * time.Hour, "1y1d0h0m0s"},
	} {
		if got := uptime(tc.d); got != tc.want {
			t.Errorf("uptime(%v) = %q, want %q", tc.d, got, tc.want)
		}
	}
}

func TestRTTFormat(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		d    time.Duration
		want string
	}{
		{0, "0s"},
		{581*time.Microsecond + 345*time.Nanosecond, "581µs"},
		{999 * time.Nanosecond, "999ns"},
		{2*time.Millisecond + 345*time.Nanosecond, "2.000345ms"},
	} {
		if got := rtt(tc.d); got != tc.want {
			t.Errorf("rtt(%v) = %q, want %q", tc.d, got, tc.want)
		}
	}
}

// allSubscriptions counts the subscriptions of every account, as nats-server's counts do (its
// system account's included).
func allSubscriptions(s *testServer) int {
	var n int
	for _, a := range s.Accounts() {
		n += a.Subscriptions
	}
	return n
}

func accountSubscriptions(s *testServer, name string) int {
	for _, a := range s.Accounts() {
		if a.Name == name {
			return a.Subscriptions
		}
	}
	return -1
}
