package monitor

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/troupe/troupe/config"
)

// A named client appears in /connz with its name, language, version, address and subscription
// count; subs=1 lists its subjects and subs=detail its subscriptions with their counters.
func TestConnzShowsNamedClient(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)
	nc := s.connect(t, "alpha")
	subscribe(t, nc, "foo.bar", "")
	subscribe(t, nc, "foo.*", "q1")
	subscribe(t, nc, "baz", "")
	flush(t, nc)
	for range 3 {
		if err := nc.Publish("foo.bar", []byte("hi")); err != nil {
			t.Fatal(err)
		}
	}
	flush(t, nc)
	cid, err := nc.GetClientID()
	if err != nil {
		t.Fatal(err)
	}

	var c Connz
	waitFor(t, ioTimeout, "the deliveries to be counted", func() bool {
		s.getJSON(t, "/connz?subs=1", &c)
		return len(c.Conns) == 1 && c.Conns[0].OutMsgs == 6
	})
	ci := c.Conns[0]
	if c.ID != s.ID() || c.NumConns != 1 || c.Total != 1 || c.Limit != 1024 || c.Offset != 0 {
		t.Errorf("connz header: %+v", c)
	}
	for _, f := range []struct {
		name      string
		got, want any
	}{
		{"cid", ci.Cid, cid},
		{"kind", ci.Kind, "Client"},
		{"type", ci.Type, "nats"},
		{"ip", ci.IP, "127.0.0.1"},
		{"name", ci.Name, "alpha"},
		{"lang", ci.Lang, "go"},
		{"version", ci.Version, nats.Version},
		{"subscriptions", ci.NumSubs, uint32(3)},
		{"in_msgs", ci.InMsgs, int64(3)},
		{"in_bytes", ci.InBytes, int64(6)},
		{"out_msgs", ci.OutMsgs, int64(6)}, // foo.bar and foo.* (q1) both match
		{"out_bytes", ci.OutBytes, int64(12)},
		{"pending_bytes", ci.Pending, 0},
	} {
		if f.got != f.want {
			t.Errorf("%s = %v, want %v", f.name, f.got, f.want)
		}
	}
	if ci.Port == 0 || ci.Start.IsZero() || ci.LastActivity.Before(ci.Start) || ci.Stop != nil || ci.Reason != "" {
		t.Errorf("port %d, start %v, last_activity %v, stop %v, reason %q", ci.Port, ci.Start, ci.LastActivity, ci.Stop, ci.Reason)
	}
	if ci.RTT == "" || ci.Uptime == "" || ci.Idle == "" {
		t.Errorf("rtt %q, uptime %q, idle %q", ci.RTT, ci.Uptime, ci.Idle)
	}
	if want := []string{"foo.bar", "foo.*", "baz"}; !slices.Equal(ci.Subs, want) {
		t.Errorf("subscriptions_list %v, want %v", ci.Subs, want)
	}
	if ci.SubsDetail != nil || ci.AuthorizedUser != "" || ci.Account != "" || ci.NameTag != "" {
		t.Errorf("without subs=detail and auth: %+v", ci)
	}

	s.getJSON(t, "/connz?subs=detail&auth=true", &c)
	want := []SubDetail{
		{Subject: "foo.bar", Sid: "1", Msgs: 3, Cid: cid},
		{Subject: "foo.*", Queue: "q1", Sid: "2", Msgs: 3, Cid: cid},
		{Subject: "baz", Sid: "3", Msgs: 0, Cid: cid},
	}
	if got := c.Conns[0].SubsDetail; !slices.Equal(got, want) {
		t.Errorf("subscriptions_list_detail %+v, want %+v", got, want)
	}
	// nats-server names the global account by its name tag only.
	if ci := c.Conns[0]; ci.Account != "" || ci.NameTag != "$G" || ci.Subs != nil {
		t.Errorf("auth=true: account %q, name_tag %q, subscriptions_list %v; want \"\", \"$G\", none", ci.Account, ci.NameTag, ci.Subs)
	}
}

// A closed connection is listed with state=closed, with its stop time and nats-server's reason
// text, and no longer with the open ones; state=any lists both.
func TestConnzClosedConnections(t *testing.T) {
	t.Parallel()
	s := startServer(t, func(o *config.Options) {
		o.MaxPayload = 16
		o.PingInterval = 25 * time.Millisecond
		o.MaxPingsOut = 1
	})
	stay := s.connect(t, "stay")
	flush(t, stay)
	leave := s.connect(t, "leave")
	leaveCID, _ := leave.GetClientID()
	flush(t, leave)
	leave.Close()

	// A raw connection publishing past max_payload, and one that never answers PINGs.
	big := dialRaw(t, s)
	big.send("CONNECT {\"verbose\":false}\r\nPUB foo 100\r\n")
	mute := dialRaw(t, s)
	mute.send("CONNECT {\"verbose\":false}\r\n")

	var c Connz
	waitFor(t, ioTimeout, "three closed connections", func() bool {
		s.getJSON(t, "/connz?state=closed", &c)
		return c.NumConns == 3
	})
	reasons := map[string]bool{}
	for _, ci := range c.Conns {
		reasons[ci.Reason] = true
		if ci.Stop == nil || ci.Stop.Before(ci.Start) {
			t.Errorf("cid %d: stop %v, start %v", ci.Cid, ci.Stop, ci.Start)
		}
	}
	for _, r := range []string{"Client Closed", "Maximum Message Payload Exceeded", "Stale Connection"} {
		if !reasons[r] {
			t.Errorf("no closed connection with reason %q: %v", r, reasons)
		}
	}
	if c.Conns[0].Cid != leaveCID || c.Conns[0].Name != "leave" {
		t.Errorf("closed list starts with cid %d %q, want %d \"leave\" (cid order)", c.Conns[0].Cid, c.Conns[0].Name, leaveCID)
	}

	var open Connz
	s.getJSON(t, "/connz", &open)
	if open.NumConns != 1 || open.Conns[0].Name != "stay" {
		t.Errorf("open connections: %+v", open.Conns)
	}
	var all Connz
	s.getJSON(t, "/connz?state=any", &all)
	if all.Total != 4 || all.NumConns != 4 {
		t.Errorf("state=any: total %d, num_connections %d; want 4 and 4", all.Total, all.NumConns)
	}
	var v Varz
	s.getJSON(t, "/varz", &v)
	if v.StaleConnections != 1 || v.StaleConnectionStats.Clients != 1 {
		t.Errorf("stale_connections %d, stale_connection_stats %+v; want 1", v.StaleConnections, v.StaleConnectionStats)
	}
	var byReason Connz
	s.getJSON(t, "/connz?state=closed&sort=reason", &byReason)
	if got := byReason.Conns[0].Reason; got != "Client Closed" {
		t.Errorf("sort=reason starts with %q", got)
	}
	s.getJSON(t, "/connz?state=closed&cid="+fmt.Sprint(leaveCID), &c)
	if c.NumConns != 1 || c.Conns[0].Cid != leaveCID || c.Limit != 1 {
		t.Errorf("cid=%d among closed: %+v", leaveCID, c)
	}
}

// A subscriber that stops reading is closed as a slow consumer, and /connz and /varz say so.
func TestConnzSlowConsumer(t *testing.T) {
	t.Parallel()
	s := startServer(t, func(o *config.Options) { o.MaxPending = 256 << 10 })
	slow := dialRaw(t, s)
	slow.send("CONNECT {\"verbose\":false}\r\nSUB flood 1\r\nPING\r\n")
	slow.expect("PONG")
	pub := s.connect(t, "pub")
	payload := make([]byte, 4096)
	var c Connz
	waitFor(t, 10*time.Second, "the subscriber to be closed as a slow consumer", func() bool {
		for range 256 {
			if err := pub.Publish("flood", payload); err != nil {
				t.Fatal(err)
			}
		}
		flush(t, pub)
		s.getJSON(t, "/connz?state=closed", &c)
		return c.NumConns == 1
	})
	if r := c.Conns[0].Reason; !strings.HasPrefix(r, "Slow Consumer (") {
		t.Errorf("reason %q, want a slow consumer", r)
	}
	var v Varz
	s.getJSON(t, "/varz", &v)
	if v.SlowConsumers < 1 || v.SlowConsumersStats.Clients != uint64(v.SlowConsumers) {
		t.Errorf("slow_consumers %d, slow_consumer_stats %+v", v.SlowConsumers, v.SlowConsumersStats)
	}
}

// Sorting, paging and filters behave as nats-server's, errors included.
func TestConnzQuery(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)
	var cids []uint64
	for i := range 4 {
		nc := s.connect(t, fmt.Sprintf("c%d", i))
		for range i { // connection i publishes i messages and has i subscriptions
			subscribe(t, nc, fmt.Sprintf("s.%d", i), "")
			if err := nc.Publish("nobody", []byte("x")); err != nil {
				t.Fatal(err)
			}
		}
		flush(t, nc)
		cid, _ := nc.GetClientID()
		cids = append(cids, cid)
	}
	names := func(path string) []string {
		var c Connz
		s.getJSON(t, path, &c)
		var out []string
		for _, ci := range c.Conns {
			out = append(out, ci.Name)
		}
		return out
	}
	for _, tc := range []struct {
		path string
		want []string
	}{
		{"/connz", []string{"c0", "c1", "c2", "c3"}},
		{"/connz?sort=cid", []string{"c0", "c1", "c2", "c3"}},
		{"/connz?sort=start", []string{"c0", "c1", "c2", "c3"}},
		{"/connz?sort=subs", []string{"c3", "c2", "c1", "c0"}},
		{"/connz?sort=msgs_from", []string{"c3", "c2", "c1", "c0"}},
		{"/connz?sort=bytes_from", []string{"c3", "c2", "c1", "c0"}},
		{"/connz?sort=uptime", []string{"c3", "c2", "c1", "c0"}},
		{"/connz?limit=2", []string{"c0", "c1"}},
		{"/connz?offset=1&limit=2", []string{"c1", "c2"}},
		{"/connz?offset=9", nil},
		{"/connz?sort=subs&offset=1&limit=1", []string{"c2"}},
		{fmt.Sprintf("/connz?cid=%d", cids[2]), []string{"c2"}},
		{"/connz?cid=99999", nil},
		{"/connz?acc=$G&limit=1", []string{"c0"}},
		{"/connz?acc=nope", nil},
		{"/connz?user=bob", nil},
	} {
		if got := names(tc.path); !slices.Equal(got, tc.want) {
			t.Errorf("%s: %v, want %v", tc.path, got, tc.want)
		}
	}
	var c Connz
	s.getJSON(t, "/connz?offset=1&limit=2", &c)
	if c.Total != 4 || c.NumConns != 2 || c.Offset != 1 || c.Limit != 2 {
		t.Errorf("paging: total %d, num_connections %d, offset %d, limit %d", c.Total, c.NumConns, c.Offset, c.Limit)
	}
	for _, tc := range []struct{ path, want string }{
		{"/connz?sort=bogus", "invalid sorting option: bogus"},
		{"/connz?sort=stop", "sort by stop only valid on closed connections"},
		{"/connz?sort=reason&state=any", "sort by reason only valid on closed connections"},
		{"/connz?state=sideways", "Error decoding state for sideways"},
		{"/connz?limit=ten", "Error decoding int for 'limit'"},
		{"/connz?cid=-1", "Error decoding uint64 for 'cid'"},
		{"/connz?auth=maybe", "Error decoding boolean for 'auth'"},
		{"/connz?subs=some", "Error decoding boolean for 'subs'"},
	} {
		s.expectError(t, tc.path, http.StatusBadRequest, tc.want)
	}
}

// rawClient is a plain TCP client, for what nats.go will not do (exceed max_payload, ignore
// PINGs, stop reading).
type rawClient struct {
	t *testing.T
	c net.Conn
	r *bufio.Reader
}

func dialRaw(t *testing.T, s *testServer) *rawClient {
	t.Helper()
	c, err := net.DialTimeout("tcp", s.Addr().String(), ioTimeout)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return &rawClient{t: t, c: c, r: bufio.NewReader(c)}
}

func (r *rawClient) send(s string) {
	r.t.Helper()
	_ = r.c.SetWriteDeadline(time.Now().Add(ioTimeout))
	if _, err := r.c.Write([]byte(s)); err != nil {
		r.t.Fatal(err)
	}
}

// expect reads lines until one starts with prefix.
func (r *rawClient) expect(prefix string) {
	r.t.Helper()
	_ = r.c.SetReadDeadline(time.Now().Add(ioTimeout))
	for {
		l, err := r.r.ReadString('\n')
		if err != nil {
			r.t.Fatalf("waiting for %q: %v", prefix, err)
		}
		if strings.HasPrefix(l, prefix) {
			return
		}
	}
}
