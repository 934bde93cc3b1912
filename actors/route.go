package actors

import (
	"fmt"
	"net"
	"net/url"
	"sync/atomic"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/troupe/troupe/actors/mailbox"
	"github.com/troupe/troupe/protocol"
)

// RoutePeer is the shared record of one route connection: its Endpoint (where the readers of
// local publishers send what the other server is interested in), and what monitoring shows of
// it.
type RoutePeer struct {
	Endpoint
	solicited bool     // this server dialled it
	url       *url.URL // the URL dialled, when solicited
	implicit  bool     // learned from gossip, not configured
	remote    atomic.Pointer[protocol.Info]
	numSubs   atomic.Int32 // the other server's interest entries
}

// routeActor is the transport side of one route: the socket's write side, the output queue
// (the same outbound as a client's), the ping timer and the close. Its reader goroutine
// (routeReader) owns the read side. Once the other server has said who it is, the actor
// watches every account's interest and tells the other server of it (RS+/RS-).
type routeActor struct {
	link
	srv *shared
	rp  *RoutePeer

	ping     *time.Timer
	up       bool
	watching []*Account
}

func newRouteProps(srv *shared, conn net.Conn, rp *RoutePeer) *actor.Props {
	return newProps(func() actor.Actor {
		return &routeActor{link: link{conn: conn}, srv: srv, rp: rp}
	}, nil, true, actor.WithMailbox(func() actor.Mailbox {
		rp.mb = mailbox.New(true)
		return rp.mb
	}))
}

func (c *routeActor) Receive(ctx actor.Context) {
	switch m := ctx.Message().(type) {
	case *deliver:
		if c.out.take(m, c.closed) {
			c.flush(ctx)
		}
	case *mailbox.Drained:
		c.flush(ctx)
	case *interestChanged:
		c.tellInterest(ctx, m)
	case *peerInfo:
		c.onPeerInfo(ctx, &m.info)
	case *pingTick:
		c.onPing(ctx)
	case *closeConn:
		c.close(ctx, m.reason, m.err)
	case *readerExit:
		c.close(ctx, m.reason, "")
	case *slowConsumer:
		c.close(ctx, SlowConsumerPendingBytes, "")
	case *duplicateRoute:
		c.close(ctx, DuplicateRoute, "")
	case *gossip:
		d := getDeliver(1024)
		d.buf = protocol.AppendInfo(d.buf, &m.info)
		if c.out.take(d, c.closed) {
			c.flush(ctx)
		}
	case *readerPanic:
		panic(m)
	case *crashConnection:
		panic("route crash requested")
	case *actor.Started:
		c.start(ctx)
	case *actor.Stopping, *actor.Restarting:
		c.shutdown(ctx, ServerShutdown)
	case *actor.Stopped:
	default:
		c.srv.log.Warn("route: unexpected message", "rid", c.rp.CID, "type", typeName(m))
	}
}

func (c *routeActor) start(ctx actor.Context) {
	c.open(c.srv, &c.rp.Endpoint, ctx.Self())
	var hello []byte
	if c.rp.solicited {
		// The dialling side speaks first: CONNECT, then its INFO (a peer without pooling does
		// not wait for the other's INFO).
		rc := c.srv.routeConnect()
		if u := c.rp.url.User; u != nil {
			rc.User = u.Username()
			rc.Pass, _ = u.Password()
		}
		hello = protocol.AppendRouteConnect(hello, &rc)
	}
	hello = c.srv.appendRouteInfo(hello)
	if err := c.greet(hello, c.srv.opts.WriteDeadline); err != nil {
		c.shutdown(ctx, WriteError)
		return
	}
	r := newRouteReader(c.srv, c.conn, c.rp, c.quit)
	go r.run()
	c.debug("Route connection created")
}

// flush writes everything queued; a slow consumer or a failed write closes the connection.
func (c *routeActor) flush(ctx actor.Context) {
	if c.closed {
		return
	}
	if reason := c.out.drain(); reason != 0 {
		c.shutdown(ctx, reason)
	}
}

// onPeerInfo completes the handshake on the first INFO: the supervisor learns of the route,
// and the other server of this one's interest, in every account.
func (c *routeActor) onPeerInfo(ctx actor.Context, info *protocol.Info) {
	c.rp.remote.Store(info)
	if c.up || c.closed {
		return
	}
	c.up = true
	ctx.Send(ctx.Parent(), &routeUp{pid: ctx.Self(), info: *info})
	for _, acc := range c.srv.accountList() {
		if pid := acc.pid.Load(); pid != nil {
			ctx.Send(pid, &watchInterest{pid: ctx.Self()})
			c.watching = append(c.watching, acc)
		}
	}
	c.ping = time.AfterFunc(firstRoutePing, func() { c.srv.root.Send(c.rp.PID, &pingTick{}) })
	c.srv.log.Info(fmt.Sprintf("%s - rid:%d - Route connection created to %s (%s)", c.conn.RemoteAddr(), c.rp.CID, info.ID, info.Name))
}

// firstRoutePing is when a route sends its first PING (nats-server: about a second).
const firstRoutePing = time.Second

// tellInterest writes RS+/RS- for a change in an account's interest.
func (c *routeActor) tellInterest(ctx actor.Context, m *interestChanged) {
	if c.closed || len(m.Changes) == 0 {
		return
	}
	d := getDeliver(64 * len(m.Changes))
	acc := []byte(m.acc.Name)
	for _, ch := range m.Changes {
		subject, queue := []byte(ch.Subject), []byte(ch.Queue)
		if ch.Weight > 0 {
			d.buf = protocol.AppendRSub(d.buf, acc, subject, queue, int(ch.Weight))
		} else {
			d.buf = protocol.AppendRUnsub(d.buf, acc, subject, queue)
		}
	}
	c.out.take(d, c.closed)
	c.flush(ctx)
}

// onPing sends a PING every interval, whatever the traffic, as nats-server does on routes; more
// than ping_max unanswered close the route as stale.
func (c *routeActor) onPing(ctx actor.Context) {
	if c.closed {
		return
	}
	if !c.out.ping(c.srv.routeMaxPingsOut()) {
		c.close(ctx, StaleConnection, "Stale Connection")
		return
	}
	c.flush(ctx)
	if !c.closed {
		c.ping.Reset(c.srv.routePingInterval())
	}
}

func (c *routeActor) close(ctx actor.Context, reason CloseReason, errText string) {
	if c.closed {
		return
	}
	c.out.last(reason, errText)
	c.shutdown(ctx, reason)
}

// shutdown closes the socket, stops the reader, the timer and the interest watches, reports to
// the routes supervisor and stops the actor. Idempotent.
func (c *routeActor) shutdown(ctx actor.Context, reason CloseReason) {
	if !c.release(&c.rp.Endpoint, reason) {
		return
	}
	if c.ping != nil {
		c.ping.Stop()
	}
	for _, acc := range c.watching {
		if pid := acc.pid.Load(); pid != nil {
			ctx.Send(pid, &unwatchInterest{pid: ctx.Self()})
		}
	}
	c.srv.log.Info(fmt.Sprintf("%s - rid:%d - Route connection closed: %s", c.conn.RemoteAddr(), c.rp.CID, reason))
	ctx.Send(ctx.Parent(), &routeClosed{info: c.rp.info(reason)})
	ctx.Stop(ctx.Self())
}

func (c *routeActor) debug(what string) {
	c.srv.log.Debug(fmt.Sprintf("%s - rid:%d - %s", c.conn.RemoteAddr(), c.rp.CID, what))
}

// RouteInfo describes a route, open or closed, for monitoring (/routez).
type RouteInfo struct {
	RID          uint64
	RemoteID     string
	RemoteName   string
	DidSolicit   bool
	IsConfigured bool
	IP           string
	Port         int
	Start        time.Time
	LastActivity time.Time
	RTT          time.Duration
	Pending      int64
	InMsgs       int64
	OutMsgs      int64
	InBytes      int64
	OutBytes     int64
	NumSubs      int
	Reason       CloseReason // zero while open
}

func (rp *RoutePeer) info(reason CloseReason) *RouteInfo {
	ri := &RouteInfo{RID: rp.CID, DidSolicit: rp.solicited, IsConfigured: rp.solicited && !rp.implicit,
		IP: rp.ip, Port: rp.port, Start: rp.start, LastActivity: rp.lastActivity(),
		RTT: time.Duration(rp.rtt.Load()), InMsgs: rp.inMsgs.Load(), InBytes: rp.inBytes.Load(),
		OutMsgs: rp.outMsgs.Load(), OutBytes: rp.outBytes.Load(), NumSubs: int(rp.numSubs.Load()),
		Reason: reason}
	ri.Pending = max(rp.pending.Load(), 0)
	if in := rp.remote.Load(); in != nil {
		ri.RemoteID, ri.RemoteName = in.ID, in.Name
	}
	return ri
}

var _ actor.Actor = (*routeActor)(nil)
