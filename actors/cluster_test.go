package actors

import (
	"bufio"
	"fmt"
	"net"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"
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

// connectAll connects a nats.go client to each URL.
func connectAll(t testing.TB, urls ...string) []*nats.Conn {
	t.Helper()
	var ncs []*nats.Conn
	for _, u := range urls {
		nc, err := nats.Connect(u, nats.NoReconnect())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(nc.Close)
		ncs = append(ncs, nc)
	}
	return ncs
}

// A queue group with members on both servers: each message goes to exactly one member in the
// whole cluster, and both servers' members get some.
func TestRouteQueueGroupSpansServers(t *testing.T) {
	for _, mixed := range []bool{false, true} {
		t.Run(map[bool]string{false: "troupe-troupe", true: "troupe-nats-server"}[mixed], func(t *testing.T) {
			a := startNode(t, "q")
			var bURL string
			if mixed {
				bURL = startReferenceNode(t, "q", routeURL(t, a.ClusterAddr().String())).ClientURL()
			} else {
				bURL = startNode(t, "q", routeURL(t, a.ClusterAddr().String())).url()
			}
			waitRoutes(t, a, 1)
			ncs := connectAll(t, a.url(), bURL, a.url())
			var perServer [2]atomic.Int64
			for i, nc := range ncs[:2] {
				for range 2 { // two members on each server
					if _, err := nc.QueueSubscribe("work", "g", func(*nats.Msg) { perServer[i].Add(1) }); err != nil {
						t.Fatal(err)
					}
				}
				nc.Flush()
			}
			pub := ncs[2] // on server a
			// Wait until server a knows of b's members: a probe answered by b's members.
			waitFor(t, 10*time.Second, "b's queue members known on a", func() bool {
				before := perServer[1].Load()
				for range 20 {
					_ = pub.Publish("work", []byte("x"))
				}
				_ = pub.Flush()
				time.Sleep(20 * time.Millisecond)
				return perServer[1].Load() > before
			})
			// A marker on each member's connection, published after the messages: whatever a
			// member got came before it (one publisher, one path per connection).
			var done [2]atomic.Bool
			for i, nc := range ncs[:2] {
				nc.Subscribe("done", func(*nats.Msg) { done[i].Store(true) })
				nc.Flush()
			}
			waitFor(t, 10*time.Second, "the markers' interest", func() bool {
				_ = pub.Publish("done", nil)
				_ = pub.Flush()
				time.Sleep(5 * time.Millisecond)
				return done[0].Load() && done[1].Load()
			})
			done[0].Store(false)
			done[1].Store(false)
			base := perServer[0].Load() + perServer[1].Load()
			const n = 2000
			for range n {
				_ = pub.Publish("work", []byte("x"))
			}
			_ = pub.Publish("done", nil)
			pub.Flush()
			waitFor(t, 10*time.Second, "both markers", func() bool { return done[0].Load() && done[1].Load() })
			if total := perServer[0].Load() + perServer[1].Load(); total != base+n {
				t.Fatalf("%d deliveries for %d messages", total-base, n)
			}
			if perServer[0].Load() == 0 || perServer[1].Load() == 0 {
				t.Fatalf("one server's members got nothing: %d / %d", perServer[0].Load(), perServer[1].Load())
			}
		})
	}
}

// When a subscription goes, its server tells the others (RS-), and they stop forwarding: proved
// with a marker on another subject of the same subscriber connection, published after.
func TestRouteInterestRemoval(t *testing.T) {
	a := startNode(t, "r")
	ref := startReferenceNode(t, "r", routeURL(t, a.ClusterAddr().String()))
	waitRoutes(t, a, 1)
	for _, dir := range [][2]string{{a.url(), ref.ClientURL()}, {ref.ClientURL(), a.url()}} {
		ncs := connectAll(t, dir[0], dir[1])
		sub, pub := ncs[0], ncs[1]
		msgs := make(chan *nats.Msg, 100)
		s1, _ := sub.ChanSubscribe("gone", msgs)
		sub.ChanSubscribe("marker", msgs)
		sub.Flush()
		waitFor(t, 10*time.Second, "interest across", func() bool {
			_ = pub.Publish("marker", []byte("probe"))
			_ = pub.Flush()
			select {
			case <-msgs:
				return true
			case <-time.After(20 * time.Millisecond):
				return false
			}
		})
		s1.Unsubscribe()
		sub.Flush()
		// The removal reaches the other server some time after: the publisher sends a message
		// and a marker until the marker comes without the message before it.
		deadline := time.Now().Add(10 * time.Second)
		for i := 0; ; i++ {
			id := []byte(fmt.Sprint(i))
			_ = pub.Publish("gone", id)
			_ = pub.Publish("marker", id)
			_ = pub.Flush()
			delivered := false
			for {
				select {
				case m := <-msgs:
					if string(m.Data) != string(id) {
						continue // an earlier probe
					}
					if m.Subject == "gone" {
						delivered = true
						continue
					}
				case <-time.After(5 * time.Second):
					t.Fatal("the marker did not come")
				}
				break
			}
			if !delivered {
				break
			}
			if time.Now().After(deadline) {
				t.Fatal("the other server still forwards after the unsubscribe")
			}
		}
	}
}

// routePIDs lists s's route actors.
func routePIDs(t testing.TB, s *Server) []*actor.PID {
	t.Helper()
	res, err := s.system.Root.RequestFuture(s.srv.routes.Load(), &describe{}, time.Second).Result()
	if err != nil {
		t.Fatal(err)
	}
	var pids []*actor.PID
	for _, c := range res.(*description).children {
		pids = append(pids, c.pid)
	}
	return pids
}

// A route actor that panics is contained: the route closes, the server dials it again (a
// configured route) and messages flow again, and no client connection is touched.
func TestRoutePanicIsContained(t *testing.T) {
	a := startNode(t, "p")
	b := startNode(t, "p", routeURL(t, a.ClusterAddr().String()))
	waitRoutes(t, b, 1)
	ncs := connectAll(t, a.url(), b.url())
	var seen atomic.Int64
	ncs[0].Subscribe("p", func(*nats.Msg) { seen.Add(1) })
	ncs[0].Flush()
	waitInterest(t, ncs[1], "p", &seen)

	before := routePIDs(t, b)
	s := b
	s.system.Root.Send(before[0], &crashConnection{})
	waitFor(t, 10*time.Second, "a new route", func() bool {
		now := routePIDs(t, b)
		return len(now) == 1 && !now[0].Equal(before[0])
	})
	waitRoutes(t, b, 1)
	seen.Store(0)
	waitInterest(t, ncs[1], "p", &seen)
	for _, nc := range ncs {
		if !nc.IsConnected() {
			t.Fatal("a client connection was closed by the route's failure")
		}
	}
}

// Cluster names must match: a server of another cluster is refused with nats-server's -ERR,
// the same from Troupe as from nats-server.
func TestRouteClusterNameMismatch(t *testing.T) {
	tr := startNode(t, "blue")
	ref := startReferenceNode(t, "blue")
	for name, addr := range map[string]string{"troupe": tr.ClusterAddr().String(), "nats-server": ref.ClusterAddr().String()} {
		w := rawRoute(t, addr)
		w.send("CONNECT {\"echo\":true,\"verbose\":false,\"pedantic\":false,\"tls_required\":false,\"headers\":true,\"name\":\"NFAKE\",\"cluster\":\"green\"}\r\n")
		w.send("INFO {\"server_id\":\"NFAKE\",\"server_name\":\"fake\",\"version\":\"2.15.2\",\"proto\":2,\"headers\":true,\"max_payload\":1048576,\"cluster\":\"green\"}\r\n")
		got := w.readUntilClosed()
		if !strings.Contains(got, `-ERR 'Rejecting connection, cluster name "green" does not match "blue"'`) {
			t.Errorf("%s answered %q", name, got)
		}
	}
}

// Route authorization: the right user and password make a route, a wrong one gets
// 'Authorization Violation', from Troupe as from nats-server.
func TestRouteAuthorization(t *testing.T) {
	o := testOptions()
	o.Cluster = config.ClusterOptions{Name: "auth", Host: "127.0.0.1", Port: config.RandomPort, Username: "ru", Password: "rp"}
	tr := startServer(t, o)
	ref := runReference(t, &natsserver.Options{Host: "127.0.0.1", Port: -1, NoLog: true, NoSigs: true,
		Cluster: natsserver.ClusterOpts{Name: "auth", Host: "127.0.0.1", Port: -1, Username: "ru", Password: "rp"}})
	t.Cleanup(ref.Shutdown)
	for name, addr := range map[string]string{"troupe": tr.ClusterAddr().String(), "nats-server": ref.ClusterAddr().String()} {
		w := rawRoute(t, addr)
		w.send("CONNECT {\"echo\":true,\"verbose\":false,\"pedantic\":false,\"user\":\"ru\",\"pass\":\"wrong\",\"tls_required\":false,\"headers\":true,\"name\":\"NFAKE\",\"cluster\":\"auth\"}\r\n")
		if got := w.readUntilClosed(); !strings.Contains(got, "-ERR 'Authorization Violation'") {
			t.Errorf("%s answered a wrong password with %q", name, got)
		}
	}
	// nats-server with the right login routes to Troupe, and Troupe to nats-server.
	u := routeURL(t, tr.ClusterAddr().String())
	u.User = url.UserPassword("ru", "rp")
	ref2 := startReferenceNode(t, "auth", u)
	waitRoutes(t, tr, 1)
	ncs := connectAll(t, tr.url(), ref2.ClientURL())
	var seen atomic.Int64
	ncs[0].Subscribe("a", func(*nats.Msg) { seen.Add(1) })
	ncs[0].Flush()
	waitInterest(t, ncs[1], "a", &seen)
}

// rawRoute opens a raw connection to a cluster port and reads the server's INFO.
func rawRoute(t testing.TB, addr string) *wire {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	w := &wire{t: t, conn: conn, r: bufio.NewReader(conn)}
	w.expect(`^INFO \{.*\} \r\n`)
	return w
}

// Three Troupe nodes, each configured with the routes to the others (a full mesh): a message
// published on any node reaches the subscribers of every node, once.
func TestThreeNodeCluster(t *testing.T) {
	n1 := startNode(t, "three")
	n2 := startNode(t, "three", routeURL(t, n1.ClusterAddr().String()))
	n3 := startNode(t, "three", routeURL(t, n1.ClusterAddr().String()), routeURL(t, n2.ClusterAddr().String()))
	for _, n := range []*Server{n1, n2, n3} {
		waitRoutes(t, n, 2)
	}
	ncs := connectAll(t, n1.url(), n2.url(), n3.url())
	var got, ends [3]atomic.Int64
	for i, nc := range ncs {
		nc.Subscribe("all", func(m *nats.Msg) {
			switch string(m.Data) {
			case "x":
				got[i].Add(1)
			case "end":
				ends[i].Add(1)
			}
		})
		nc.Flush()
	}
	for _, pub := range ncs {
		for _, target := range ncs {
			var seen atomic.Int64
			sub, _ := target.Subscribe("ready", func(*nats.Msg) { seen.Add(1) })
			target.Flush()
			waitInterest(t, pub, "ready", &seen)
			sub.Unsubscribe()
		}
	}
	// Each publisher's messages, then its marker: a node that has all three markers has had
	// everything sent to it on the direct paths.
	for _, pub := range ncs {
		for range 100 {
			_ = pub.Publish("all", []byte("x"))
		}
		_ = pub.Publish("all", []byte("end"))
		pub.Flush()
	}
	waitFor(t, 10*time.Second, "every publisher's marker on every node", func() bool {
		return ends[0].Load() >= 3 && ends[1].Load() >= 3 && ends[2].Load() >= 3
	})
	for i := range got {
		if n, e := got[i].Load(), ends[i].Load(); n != 300 || e != 3 {
			t.Fatalf("node %d got %d of 300 messages and %d of 3 markers", i+1, n, e)
		}
	}
}

// freePort is a loopback port nobody listened on a moment ago.
func freePort(t testing.TB) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// Two servers that dial each other (the first's dial fails until the second is up, and is
// retried after the back-off) keep one route between them, the same on both sides; once the
// retry has come and gone it stays that one: no churn.
func TestRouteDuplicateResolution(t *testing.T) {
	pa, pb := freePort(t), freePort(t)
	node := func(port, other int) *Server {
		o := testOptions()
		o.Cluster = config.ClusterOptions{Name: "dup", Host: "127.0.0.1", Port: port,
			Routes: []*url.URL{routeURL(t, fmt.Sprintf("127.0.0.1:%d", other))}}
		return startServer(t, o)
	}
	a, b := node(pa, pb), node(pb, pa)
	for _, s := range []*Server{a, b} {
		waitRoutes(t, s, 1)
		waitFor(t, 10*time.Second, "the duplicate closed", func() bool { return len(routePIDs(t, s)) == 1 })
	}
	outlive(2 * routeReconnect) // the first's retry comes and is resolved
	first := routePIDs(t, a)
	outlive(2 * routeReconnect) // past the back-off a closed duplicate would be dialled again after
	if now := routePIDs(t, a); len(now) != 1 || !now[0].Equal(first[0]) {
		t.Fatalf("routes changed from %v to %v", first, now)
	}
	ncs := connectAll(t, a.url(), b.url())
	var seen atomic.Int64
	ncs[1].Subscribe("d", func(*nats.Msg) { seen.Add(1) })
	ncs[1].Flush()
	waitInterest(t, ncs[0], "d", &seen)
}

// A full mesh from one seed: each new server routes only to the first, and the others learn of
// it from gossip and route to it themselves, Troupe and nats-server alike.
func TestRouteGossipMakesAFullMesh(t *testing.T) {
	for _, mixed := range []bool{false, true} {
		t.Run(map[bool]string{false: "troupe", true: "mixed"}[mixed], func(t *testing.T) {
			seed := startNode(t, "mesh")
			seedURL := routeURL(t, seed.ClusterAddr().String())
			second := startNode(t, "mesh", seedURL)
			var third string
			if mixed {
				third = startReferenceNode(t, "mesh", seedURL).ClientURL()
			} else {
				third = startNode(t, "mesh", seedURL).url()
			}
			waitRoutes(t, seed, 2)
			waitRoutes(t, second, 2) // to the seed, and to the third it learned of
			// Messages from the third reach the second directly (one hop: the seed forwards
			// nothing it got from a route).
			ncs := connectAll(t, second.url(), third)
			var seen atomic.Int64
			ncs[0].Subscribe("m", func(*nats.Msg) { seen.Add(1) })
			ncs[0].Flush()
			waitInterest(t, ncs[1], "m", &seen)
		})
	}
}

// nats.go learns the cluster's servers from connect_urls in INFO and, when its server goes
// away, reconnects to another: its subscription is restored there and what is published after
// the failover reaches it.
func TestClientFailsOverThroughGossipedURLs(t *testing.T) {
	a := startNode(t, "fo")
	b := startNode(t, "fo", routeURL(t, a.ClusterAddr().String()))
	waitRoutes(t, a, 1)
	reconnected := make(chan struct{}, 1)
	sub, err := nats.Connect(a.url(), nats.ReconnectWait(50*time.Millisecond), nats.MaxReconnects(-1),
		nats.ReconnectHandler(func(*nats.Conn) { reconnected <- struct{}{} }))
	if err != nil {
		t.Fatal(err)
	}
	defer sub.Close()
	waitFor(t, 5*time.Second, "b's URL among the discovered servers", func() bool {
		for _, u := range sub.DiscoveredServers() {
			if strings.Contains(u, b.Addr().String()) {
				return true
			}
		}
		return false
	})
	got := make(chan *nats.Msg, 100)
	sub.ChanSubscribe("after", got)
	sub.Flush()

	a.Shutdown()
	<-a.Done()
	select {
	case <-reconnected:
	case <-time.After(10 * time.Second):
		t.Fatal("nats.go did not reconnect to the other server")
	}
	if !strings.Contains(sub.ConnectedUrl(), b.Addr().String()) {
		t.Fatalf("reconnected to %s", sub.ConnectedUrl())
	}
	sub.Flush() // the subscription is restored on b before this returns
	pub := connectAll(t, b.url())[0]
	for i := range 50 {
		pub.Publish("after", []byte(fmt.Sprint(i)))
	}
	pub.Flush()
	for i := range 50 {
		select {
		case m := <-got:
			if string(m.Data) != fmt.Sprint(i) {
				t.Fatalf("message %d: %q", i, m.Data)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("%d of 50 messages after the failover", i)
		}
	}
}
