package actors

import (
	"math/rand/v2"
	"net"
	"strconv"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/troupe/troupe/protocol"
)

// clientsActor supervises the client connections. It replaces nats-server's clients map: the
// connections are its children, and it keeps the ring of recently closed ones.
//
// Supervises: one clientActor per accepted connection.
// Strategy: stop a failed connection; never restart it.
// Why: a socket's state (what the client has seen, what it has half sent) cannot be rebuilt, and
// a client reconnects on its own. Stopping closes the socket; nothing else is touched.
//
// It also runs the connection side of shutdown and lame duck: on closeAll it asks every child to
// drain and close, and stops itself when the last one is gone.
type clientsActor struct {
	srv      *shared
	cell     *mailboxCell
	children map[string]*clientMeta // by PID id
	closed   *closedRing
	draining bool

	ldmQueue    []*actor.PID // lame duck: children still to close, in random order
	ldmInterval time.Duration
	ldmBatch    int
}

type clientMeta struct {
	pid  *actor.PID
	peer *Peer
}

func newClientsProps(srv *shared, cell *mailboxCell) *actor.Props {
	return newProps(func() actor.Actor {
		return &clientsActor{srv: srv, cell: cell}
	}, cell, false)
}

// HandleFailure makes the clients supervisor its own strategy: a failed connection is stopped.
func (a *clientsActor) HandleFailure(_ *actor.ActorSystem, sup actor.Supervisor, child *actor.PID,
	_ *actor.RestartStatistics, reason any, msg any) {
	a.srv.log.Error("client connection failed; closing it", "actor", child.Id,
		"message", typeName(msg), "reason", reason)
	sup.StopChildren(child)
}

func (a *clientsActor) Receive(ctx actor.Context) {
	switch m := ctx.Message().(type) {
	case *accepted:
		a.accept(ctx, m.conn)
	case *clientClosed:
		a.closed.add(m.info)
	case *actor.Terminated:
		delete(a.children, m.Who.Id)
		a.srv.stats.openConnections.Store(int64(len(a.children)))
		a.maybeDone(ctx)
	case *closeAll:
		a.draining = true
		a.ldmQueue = nil
		for _, c := range a.children {
			ctx.Send(c.pid, &closeConn{reason: m.reason})
		}
		a.maybeDone(ctx)
	case *lameDuck:
		a.draining = true
		for _, c := range a.children {
			ctx.Send(c.pid, &asyncInfo{ldm: true})
		}
		a.maybeDone(ctx)
	case *clusterChanged:
		if !a.draining {
			for _, c := range a.children {
				ctx.Send(c.pid, &asyncInfo{})
			}
		}
	case *lameDuckClose:
		a.startLameDuckClose(ctx, m.duration)
	case *lameDuckTick:
		a.lameDuckTick(ctx)
	case *closeAccountClients:
		for _, c := range a.children {
			if c.peer.acc.Load() == m.acc {
				ctx.Send(c.pid, &closeConn{reason: MissingAccount})
			}
		}
	case *actor.Started:
		a.children = make(map[string]*clientMeta)
		a.closed = newClosedRing(a.srv.opts.MaxClosedClients)
	case *actor.Stopping, *actor.Stopped, *actor.Restarting:
	case *listClosed:
		ctx.Respond(a.closed.list())
	case *listOpen:
		list := make([]*ConnInfo, 0, len(a.children))
		for _, c := range a.children {
			if !c.peer.closed.Load() {
				list = append(list, c.peer.info())
			}
		}
		ctx.Respond(list)
	case *describe:
		d := &description{id: ctx.Self().Id, kind: "clients", mailbox: a.cell.depth()}
		for _, c := range a.children {
			d.children = append(d.children, childView{pid: c.pid, kind: "client",
				mailbox: c.peer.mb.UserMessageCount(), state: "running"})
		}
		ctx.Respond(d)
	default:
		a.srv.log.Warn("clients: unexpected message", "type", typeName(m))
	}
}

func (a *clientsActor) accept(ctx actor.Context, conn net.Conn) {
	if a.draining {
		_ = conn.Close()
		return
	}
	cid := a.srv.nextCID.Add(1)
	if max := a.srv.opts.MaxConnections; max < 0 || len(a.children) >= max {
		a.srv.log.Warn("maximum connections exceeded", "cid", cid, "addr", conn.RemoteAddr().String())
		go a.reject(conn, cid)
		return
	}
	peer := &Peer{Endpoint: Endpoint{CID: cid, conn: conn, start: time.Now(), ip: hostOf(conn.RemoteAddr())}}
	if a, ok := conn.RemoteAddr().(*net.TCPAddr); ok {
		peer.port = a.Port
	}
	peer.acc.Store(a.srv.global)
	pid, err := ctx.SpawnNamed(newClientProps(a.srv, conn, peer), "c"+strconv.FormatUint(cid, 10))
	if err != nil {
		a.srv.log.Error("cannot start connection", "cid", cid, "error", err)
		_ = conn.Close()
		return
	}
	a.children[pid.Id] = &clientMeta{pid: pid, peer: peer}
	a.srv.stats.openConnections.Store(int64(len(a.children)))
	a.srv.stats.totalConnections.Add(1)
}

// reject answers a connection over max_connections as nats-server does: INFO, then the -ERR,
// then close. It runs on its own goroutine so that a slow peer cannot stall the supervisor.
func (a *clientsActor) reject(conn net.Conn, cid uint64) {
	b := a.srv.appendInfo(nil, infoFor{cid: cid, clientIP: hostOf(conn.RemoteAddr())})
	b = protocol.AppendErr(b, "maximum connections exceeded")
	_ = conn.SetWriteDeadline(time.Now().Add(a.srv.opts.WriteDeadline))
	_, _ = conn.Write(b)
	_ = conn.Close()
}

// maybeDone stops the supervisor once it is draining and its last connection is gone; the root
// then moves on with the shutdown.
func (a *clientsActor) maybeDone(ctx actor.Context) {
	if a.draining && len(a.children) == 0 {
		ctx.Stop(ctx.Self())
	}
}

// startLameDuckClose closes the remaining connections in timed batches spread over the lame-duck
// duration (nats-server's schedule: one connection, or a batch, every interval, the interval at
// most 1 s, each wait randomised in [interval/2, interval)).
func (a *clientsActor) startLameDuckClose(ctx actor.Context, duration time.Duration) {
	if len(a.children) == 0 {
		a.maybeDone(ctx)
		return
	}
	a.ldmQueue = a.ldmQueue[:0]
	for _, c := range a.children {
		a.ldmQueue = append(a.ldmQueue, c.pid)
	}
	rand.Shuffle(len(a.ldmQueue), func(i, j int) { a.ldmQueue[i], a.ldmQueue[j] = a.ldmQueue[j], a.ldmQueue[i] })
	n := int64(len(a.ldmQueue))
	a.ldmBatch = 1
	si := int64(duration) / n
	if si < 1 {
		si = 1
		a.ldmBatch = int(n / int64(duration))
	} else if si > int64(time.Second) {
		si = int64(time.Second)
	}
	a.ldmInterval = time.Duration(si)
	a.srv.log.Info("Closing existing clients")
	a.lameDuckTick(ctx)
}

func (a *clientsActor) lameDuckTick(ctx actor.Context) {
	for i := 0; i < a.ldmBatch && len(a.ldmQueue) > 0; i++ {
		ctx.Send(a.ldmQueue[0], &closeConn{reason: ServerShutdown})
		a.ldmQueue = a.ldmQueue[1:]
	}
	if len(a.ldmQueue) == 0 {
		return
	}
	wait := a.ldmInterval
	if half := wait / 2; half > 0 {
		wait = half + time.Duration(rand.Int64N(int64(wait-half)))
	}
	self := ctx.Self()
	time.AfterFunc(wait, func() { a.srv.root.Send(self, &lameDuckTick{}) })
}

var _ actor.Actor = (*clientsActor)(nil)
var _ actor.SupervisorStrategy = (*clientsActor)(nil)
