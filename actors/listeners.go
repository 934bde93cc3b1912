package actors

import (
	"errors"
	"net"
	"time"

	"github.com/asynkron/protoactor-go/actor"
)

// listenersActor supervises the listeners.
//
// Supervises: the client listener, the cluster listener when there is a cluster port, and the
// monitoring and profiling HTTP listeners when they are configured.
// Strategy: restart a failed listener after a back-off that grows with each failure within a
// minute (250 ms, 500 ms, ...).
// Why: a listener holds no state but its socket; a port that fails to accept may recover, and
// retrying at once would spin.
type listenersActor struct {
	srv      *shared
	cell     *mailboxCell
	strategy *strategy
	client   net.Listener // bound by Start, so that a bad address fails the start
	cluster  net.Listener // likewise; nil without a cluster port
	http     []*boundHTTP // likewise
	children []*child
}

func newListenersProps(srv *shared, client, cluster net.Listener, http []*boundHTTP, cell *mailboxCell) *actor.Props {
	st := &strategy{
		kind: "listeners", policy: restartWithBackoff, window: time.Minute,
		backoff: 250 * time.Millisecond, log: srv.log, counter: &srv.stats.listenerRestarts,
	}
	return newProps(func() actor.Actor {
		return &listenersActor{srv: srv, cell: cell, strategy: st, client: client, cluster: cluster, http: http}
	}, cell, false, actor.WithSupervisor(st))
}

func (a *listenersActor) Receive(ctx actor.Context) {
	switch m := ctx.Message().(type) {
	case *actor.Started:
		a.listen(ctx, a.client, a.srv.clients.Load(), "client", "listener")
		if a.cluster != nil {
			a.listen(ctx, a.cluster, a.srv.routes.Load(), "cluster", "cluster")
		}
		for _, b := range a.http {
			cell := &mailboxCell{}
			pid, err := ctx.SpawnNamed(newHTTPListenerProps(a.srv, b, cell), b.kind)
			if err != nil {
				a.srv.log.Error("cannot start the "+b.kind+" listener", "error", err)
				continue
			}
			a.children = append(a.children, &child{pid: pid, kind: b.kind, cell: cell})
		}
	case *actor.Stopping, *actor.Stopped, *actor.Restarting, *actor.Terminated:
	case *describe:
		d := &description{id: ctx.Self().Id, kind: "listeners", mailbox: a.cell.depth()}
		for _, c := range a.children {
			d.children = append(d.children, c.view(a.strategy))
		}
		ctx.Respond(d)
	default:
		a.srv.log.Warn("listeners: unexpected message", "type", typeName(m))
	}
}

// listen starts the listener of one port, handing what it accepts to target.
func (a *listenersActor) listen(ctx actor.Context, ln net.Listener, target *actor.PID, name, kind string) {
	cell := &mailboxCell{}
	pid, err := ctx.SpawnNamed(newListenerProps(a.srv, ln, target, name, cell), name)
	if err != nil {
		a.srv.log.Error("cannot start the "+name+" listener", "error", err)
		return
	}
	a.children = append(a.children, &child{pid: pid, kind: kind, cell: cell})
}

// listenerActor owns one listening socket and its accept goroutine, which hands every accepted
// connection to its target: the clients supervisor, or the routes supervisor for the cluster
// port.
type listenerActor struct {
	srv    *shared
	ln     net.Listener
	addr   string
	name   string // "client" or "cluster"
	target *actor.PID
}

// acceptFailed is sent by the accept goroutine when Accept fails for good; the actor then fails
// so that its supervisor restarts it (and it listens again).
type acceptFailed struct{ err error }

func newListenerProps(srv *shared, ln net.Listener, target *actor.PID, name string, cell *mailboxCell) *actor.Props {
	addr := ln.Addr().String()
	first := ln
	return newProps(func() actor.Actor {
		// The first incarnation takes the socket Start bound; a restarted one listens anew.
		a := &listenerActor{srv: srv, ln: first, addr: addr, name: name, target: target}
		first = nil
		return a
	}, cell, false)
}

func (a *listenerActor) Receive(ctx actor.Context) {
	switch m := ctx.Message().(type) {
	case *actor.Started:
		if a.ln == nil {
			ln, err := net.Listen("tcp", a.addr)
			if err != nil {
				panic(a.name + " listener: " + err.Error())
			}
			a.ln = ln
			a.srv.log.Info("Listening for " + a.name + " connections on " + a.addr)
		}
		go a.accept(a.ln, ctx.Self())
	case *acceptFailed:
		panic(a.name + " listener: " + m.err.Error())
	case *actor.Stopping, *actor.Restarting:
		// Close on both: a restart skips Stopping.
		if a.ln != nil {
			_ = a.ln.Close()
		}
	case *actor.Stopped:
	default:
		a.srv.log.Warn("listener: unexpected message", "type", typeName(m))
	}
}

// accept runs outside the actor runtime; it recovers its own panics into a failure of the actor.
func (a *listenerActor) accept(ln net.Listener, self *actor.PID) {
	defer func() {
		if v := recover(); v != nil {
			a.srv.root.Send(self, &acceptFailed{err: errors.New("accept panic")})
		}
	}()
	delay := 5 * time.Millisecond
	for {
		conn, err := ln.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() || isTemporary(err) {
				// Out of file descriptors and the like: back off, as nats-server does.
				a.srv.log.Error("temporary accept error", "error", err, "retry_in", delay)
				time.Sleep(delay)
				delay = min(2*delay, time.Second)
				continue
			}
			a.srv.root.Send(self, &acceptFailed{err: err})
			return
		}
		delay = 5 * time.Millisecond
		a.srv.root.Send(a.target, &accepted{conn: conn})
	}
}

func isTemporary(err error) bool {
	t, ok := err.(interface{ Temporary() bool })
	return ok && t.Temporary()
}

var (
	_ actor.Actor = (*listenersActor)(nil)
	_ actor.Actor = (*listenerActor)(nil)
)
