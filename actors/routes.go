package actors

import (
	"net"
	"net/url"
	"slices"
	"strconv"
	"time"

	"github.com/asynkron/protoactor-go/actor"
)

// routesActor supervises the cluster routes.
//
// Supervises: one routeActor per route connection, accepted or dialled.
// Strategy: stop a failed route, never restart it; dial a configured route again after a
// back-off (1 s, as nats-server's route reconnect delay); a route learned from another server
// is not dialled again.
// Why: a route's socket state cannot be rebuilt, but the route itself can: the new connection
// exchanges all interest again. A route's failure never touches a client connection.
//
// It dials routes on goroutines of their own (a dial never blocks the supervisor), keeps one
// route per remote server (a second connection to a server already routed to is closed as a
// duplicate), and on shutdown closes every route after the clients are gone.
type routesActor struct {
	srv      *shared
	cell     *mailboxCell
	children map[string]*routeChild // by PID id
	byServer map[string]*actor.PID  // the route to each remote server, by server id
	dialling map[string]bool        // the URLs being dialled or connected
	closed   []*RouteInfo           // the last closed routes, newest last
	draining bool
}

// routeChild is the supervisor's record of one route.
type routeChild struct {
	pid       *actor.PID
	rp        *RoutePeer
	duplicate bool // closed as a duplicate: not dialled again
}

// maxClosedRoutes bounds the closed routes kept for monitoring.
const maxClosedRoutes = 64

// routeReconnect is how long a configured route waits before it is dialled again
// (nats-server's DEFAULT_ROUTE_RECONNECT); routeDialTimeout bounds one dial.
const (
	routeReconnect   = time.Second
	routeDialTimeout = time.Second
)

func newRoutesProps(srv *shared, cell *mailboxCell) *actor.Props {
	return newProps(func() actor.Actor {
		return &routesActor{srv: srv, cell: cell}
	}, cell, false)
}

// HandleFailure makes the routes supervisor its own strategy: a failed route is stopped (and,
// when configured, dialled again once it is gone).
func (a *routesActor) HandleFailure(_ *actor.ActorSystem, sup actor.Supervisor, child *actor.PID,
	_ *actor.RestartStatistics, reason any, msg any) {
	a.srv.log.Error("route failed; closing it", "actor", child.Id, "message", typeName(msg), "reason", reason)
	sup.StopChildren(child)
}

func (a *routesActor) Receive(ctx actor.Context) {
	switch m := ctx.Message().(type) {
	case *actor.Started:
		a.children = make(map[string]*routeChild)
		a.byServer = make(map[string]*actor.PID)
		a.dialling = make(map[string]bool)
		for _, u := range a.srv.opts.Cluster.Routes {
			a.dial(ctx, &dialRoute{url: u})
		}
	case *dialRoute:
		a.dial(ctx, m)
	case *dialed:
		a.onDialed(ctx, m)
	case *accepted:
		if a.draining {
			_ = m.conn.Close()
			return
		}
		a.spawn(ctx, m.conn, &RoutePeer{})
	case *routeUp:
		a.onRouteUp(ctx, m)
	case *routeClosed:
		a.closed = append(a.closed, m.info)
		if len(a.closed) > maxClosedRoutes {
			a.closed = a.closed[1:]
		}
	case *actor.Terminated:
		a.onTerminated(ctx, m.Who)
	case *closeAll:
		a.draining = true
		for _, c := range a.children {
			ctx.Send(c.pid, &closeConn{reason: m.reason})
		}
		a.maybeDone(ctx)
	case *listRoutes:
		list := make([]*RouteInfo, 0, len(a.children))
		for _, c := range a.children {
			if !c.rp.closed.Load() && c.rp.remote.Load() != nil {
				list = append(list, c.rp.info(0))
			}
		}
		ctx.Respond(list)
	case *describe:
		d := &description{id: ctx.Self().Id, kind: "routes", mailbox: a.cell.depth()}
		for _, c := range a.children {
			d.children = append(d.children, childView{pid: c.pid, kind: "route",
				mailbox: c.rp.mb.UserMessageCount(), state: "running"})
		}
		ctx.Respond(d)
	case *actor.Stopping, *actor.Stopped, *actor.Restarting:
	default:
		a.srv.log.Warn("routes: unexpected message", "type", typeName(m))
	}
}

// dial starts dialling a route on a goroutine of its own, after a delay when it is a retry.
// A gossiped server already routed to, or being dialled, is not dialled again.
func (a *routesActor) dial(ctx actor.Context, d *dialRoute) {
	if a.draining {
		return
	}
	if d.implicit && d.attempt == 0 {
		if _, ok := a.byServer[d.serverID]; ok || d.serverID == a.srv.serverID || a.dialling[d.url.String()] {
			return
		}
	}
	a.dialling[d.url.String()] = true
	self := ctx.Self()
	delay := time.Duration(0)
	if d.attempt > 0 {
		delay = routeReconnect
	}
	time.AfterFunc(delay, func() {
		conn, err := net.DialTimeout("tcp", d.url.Host, routeDialTimeout)
		a.srv.root.Send(self, &dialed{dial: d, conn: conn, err: err})
	})
}

func (a *routesActor) onDialed(ctx actor.Context, m *dialed) {
	d := m.dial
	if m.err != nil {
		retries := a.srv.opts.Cluster.ConnectRetries
		if a.draining || d.implicit || (retries > 0 && d.attempt >= retries) {
			delete(a.dialling, d.url.String())
			a.srv.log.Error("Error trying to connect to route", "url", redactURL(d.url), "error", m.err)
			return
		}
		a.srv.log.Debug("Error trying to connect to route, retrying", "url", redactURL(d.url), "attempt", d.attempt+1, "error", m.err)
		a.dial(ctx, &dialRoute{url: d.url, implicit: d.implicit, attempt: d.attempt + 1})
		return
	}
	if a.draining {
		_ = m.conn.Close()
		return
	}
	a.spawn(ctx, m.conn, &RoutePeer{solicited: true, url: d.url, implicit: d.implicit})
}

func (a *routesActor) spawn(ctx actor.Context, conn net.Conn, rp *RoutePeer) {
	rp.CID = a.srv.nextCID.Add(1)
	rp.conn, rp.start, rp.ip = conn, time.Now(), hostOf(conn.RemoteAddr())
	if t, ok := conn.RemoteAddr().(*net.TCPAddr); ok {
		rp.port = t.Port
	}
	pid, err := ctx.SpawnNamed(newRouteProps(a.srv, conn, rp), "r"+strconv.FormatUint(rp.CID, 10))
	if err != nil {
		a.srv.log.Error("cannot start route", "rid", rp.CID, "error", err)
		_ = conn.Close()
		return
	}
	a.children[pid.Id] = &routeChild{pid: pid, rp: rp}
}

// onRouteUp keeps one route per remote server. When both servers dialled each other at once,
// each side keeps the connection dialled by the server with the smaller id, so both keep the
// same one; the other is closed as a duplicate and not dialled again.
func (a *routesActor) onRouteUp(ctx actor.Context, m *routeUp) {
	oldPID, ok := a.byServer[m.info.ID]
	if !ok || oldPID.Equal(m.pid) {
		a.byServer[m.info.ID] = m.pid
		a.joined(ctx, m)
		return
	}
	old, cur := a.children[oldPID.Id], a.children[m.pid.Id]
	if old == nil || cur == nil || old.rp.closed.Load() {
		a.byServer[m.info.ID] = m.pid
		a.joined(ctx, m)
		return
	}
	keepCur := false
	if old.rp.solicited != cur.rp.solicited {
		ours := a.srv.serverID < m.info.ID // this server dials the one to keep
		keepCur = cur.rp.solicited == ours
	}
	drop := cur
	if keepCur {
		drop = old
		a.byServer[m.info.ID] = m.pid
	}
	drop.duplicate = true
	ctx.Send(drop.pid, &duplicateRoute{})
}

// joined handles a server newly routed to: the other routes' servers are told of it (they
// route to it too, if they do not yet), and the clients learn its client URLs.
func (a *routesActor) joined(ctx actor.Context, m *routeUp) {
	if m.info.IP == "" && m.info.Port != 0 {
		// nats-server puts the route URL in its INFO only when it forwards one: made up from
		// the host and port it listens on, or the address it came from.
		host := m.info.Host
		if c := a.children[m.pid.Id]; c != nil && (host == "" || host == "0.0.0.0" || host == "::") {
			host = c.rp.ip
		}
		m.info.IP = "nats-route://" + net.JoinHostPort(host, strconv.Itoa(m.info.Port)) + "/"
	}
	if m.info.IP != "" {
		for _, c := range a.children {
			if !c.pid.Equal(m.pid) && !c.rp.closed.Load() && c.rp.remote.Load() != nil {
				ctx.Send(c.pid, &gossip{info: m.info})
			}
		}
	}
	a.clientURLsChanged(ctx)
}

// clientURLsChanged recomputes the cluster's client URLs (this server's and every routed
// server's) and has the clients told, unless this server does not advertise.
func (a *routesActor) clientURLsChanged(ctx actor.Context) {
	if a.srv.opts.Cluster.NoAdvertise || a.srv.cluster.addr == nil {
		return
	}
	seen := map[string]bool{}
	var urls []string
	add := func(list []string) {
		for _, u := range list {
			if !seen[u] {
				seen[u] = true
				urls = append(urls, u)
			}
		}
	}
	add(a.srv.cluster.clientURLs)
	for id, pid := range a.byServer {
		if c := a.children[pid.Id]; c != nil && !c.rp.closed.Load() {
			if in := c.rp.remote.Load(); in != nil && in.ID == id {
				add(in.ClientConnectURLs)
			}
		}
	}
	slices.Sort(urls)
	if old := a.srv.cluster.urls.Load(); old != nil && slices.Equal(*old, urls) {
		return
	}
	a.srv.cluster.urls.Store(&urls)
	if pid := a.srv.clients.Load(); pid != nil {
		ctx.Send(pid, &clusterChanged{})
	}
}

func (a *routesActor) onTerminated(ctx actor.Context, who *actor.PID) {
	var rp *RoutePeer
	duplicate := false
	if c := a.children[who.Id]; c != nil {
		rp, duplicate = c.rp, c.duplicate
	}
	delete(a.children, who.Id)
	for id, pid := range a.byServer {
		if pid.Equal(who) {
			delete(a.byServer, id)
		}
	}
	if rp != nil && rp.solicited {
		delete(a.dialling, rp.url.String())
		if !a.draining && !rp.implicit && !duplicate {
			a.dial(ctx, &dialRoute{url: rp.url, attempt: 1})
		}
	}
	a.clientURLsChanged(ctx)
	a.maybeDone(ctx)
}

func (a *routesActor) maybeDone(ctx actor.Context) {
	if a.draining && len(a.children) == 0 {
		ctx.Stop(ctx.Self())
	}
}

// redactURL is a route URL without its password, for logs.
func redactURL(u *url.URL) string { return u.Redacted() }

var _ actor.Actor = (*routesActor)(nil)
