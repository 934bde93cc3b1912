package actors

import (
	"fmt"
	"net/url"
	"sync/atomic"
	"testing"
	"time"

	natsserver "github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/troupe/troupe/config"
)

// Cluster routes, through real clients: Troupe nodes with each other and with nats-server
// v2.15.2 (the module, in this process, at its default cluster settings: pool_size 3,
// compression accept).

// routeURL is the nats-route URL of a cluster port.
func routeURL(t testing.TB, addr string) *url.URL {
	t.Helper()
	u, err := url.Parse("nats-route://" + addr)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// startNode starts a Troupe node of cluster name with a cluster port on loopback, routing to
// routes.
func startNode(t testing.TB, name string, routes ...*url.URL) *Server {
	t.Helper()
	o := testOptions()
	o.Cluster = config.ClusterOptions{Name: name, Host: "127.0.0.1", Port: config.RandomPort, Routes: routes}
	return startServer(t, o)
}

// startReferenceNode starts nats-server with a cluster port, routing to routes.
func startReferenceNode(t testing.TB, name string, routes ...*url.URL) *natsserver.Server {
	t.Helper()
	o := &natsserver.Options{Host: "127.0.0.1", Port: -1, NoLog: true, NoSigs: true,
		Cluster: natsserver.ClusterOpts{Name: name, Host: "127.0.0.1", Port: -1}, Routes: routes}
	s := runReference(t, o)
	t.Cleanup(s.Shutdown)
	return s
}

// waitRoutes waits until s has n routes up.
func waitRoutes(t testing.TB, s *Server, n int) {
	t.Helper()
	waitFor(t, 10*time.Second, fmt.Sprintf("%d routes", n), func() bool {
		list, err := s.Routes(time.Second)
		return err == nil && len(list) == n
	})
}

// waitInterest publishes probes on subject from pub until sub's handler has seen one: then the
// interest has crossed the route. It returns how many probes went out.
func waitInterest(t testing.TB, pub *nats.Conn, subject string, seen *atomic.Int64) {
	t.Helper()
	waitFor(t, 10*time.Second, "interest in "+subject+" across the route", func() bool {
		_ = pub.Publish(subject, []byte("probe"))
		_ = pub.Flush()
		time.Sleep(5 * time.Millisecond)
		return seen.Load() > 0
	})
}

// Messages cross a route both ways, with their reply subjects and headers, between two Troupe
// nodes, and between Troupe and nats-server in both directions (each dialling the other).
func TestRouteDeliversBothWays(t *testing.T) {
	type pair struct {
		name string
		a, b string // client URLs
	}
	var pairs []pair
	{
		a := startNode(t, "c1")
		b := startNode(t, "c1", routeURL(t, a.ClusterAddr().String()))
		waitRoutes(t, a, 1)
		waitRoutes(t, b, 1)
		pairs = append(pairs, pair{"troupe-troupe", a.url(), b.url()})
	}
	{
		ref := startReferenceNode(t, "c2")
		tr := startNode(t, "c2", routeURL(t, ref.ClusterAddr().String()))
		waitRoutes(t, tr, 1)
		pairs = append(pairs, pair{"troupe-dials-nats-server", tr.url(), ref.ClientURL()})
	}
	{
		tr := startNode(t, "c3")
		ref := startReferenceNode(t, "c3", routeURL(t, tr.ClusterAddr().String()))
		waitRoutes(t, tr, 1)
		pairs = append(pairs, pair{"nats-server-dials-troupe", ref.ClientURL(), tr.url()})
	}
	for _, p := range pairs {
		t.Run(p.name, func(t *testing.T) {
			for _, dir := range [][2]string{{p.a, p.b}, {p.b, p.a}} {
				subURL, pubURL := dir[0], dir[1]
				sub, err := nats.Connect(subURL)
				if err != nil {
					t.Fatal(err)
				}
				defer sub.Close()
				pub, err := nats.Connect(pubURL)
				if err != nil {
					t.Fatal(err)
				}
				defer pub.Close()
				var seen atomic.Int64
				got := make(chan *nats.Msg, 1000)
				if _, err := sub.Subscribe("x.>", func(m *nats.Msg) {
					if string(m.Data) == "probe" {
						seen.Add(1)
						return
					}
					got <- m
				}); err != nil {
					t.Fatal(err)
				}
				sub.Flush()
				waitInterest(t, pub, "x.probe", &seen)

				const n = 500
				for i := range n {
					m := nats.NewMsg(fmt.Sprintf("x.%d", i))
					m.Data = []byte(fmt.Sprint(i))
					m.Reply = "reply.to"
					if i%2 == 0 {
						m.Header.Set("Seq", fmt.Sprint(i))
					}
					if err := pub.PublishMsg(m); err != nil {
						t.Fatal(err)
					}
				}
				pub.Flush()
				for i := range n {
					select {
					case m := <-got:
						if m.Subject != fmt.Sprintf("x.%d", i) || string(m.Data) != fmt.Sprint(i) || m.Reply != "reply.to" {
							t.Fatalf("message %d: %s %q reply %q", i, m.Subject, m.Data, m.Reply)
						}
						if i%2 == 0 && m.Header.Get("Seq") != fmt.Sprint(i) {
							t.Fatalf("message %d lost its header: %v", i, m.Header)
						}
					case <-time.After(5 * time.Second):
						t.Fatalf("%s -> %s: %d of %d messages", pubURL, subURL, i, n)
					}
				}
			}
		})
	}
}
