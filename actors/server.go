package actors

import (
	"net"
	"time"

	"github.com/asynkron/protoactor-go/actor"
)

// serverActor is the root of the supervision tree. It owns the server's lifecycle
// (running → lame duck → stopping) and sequences its children through it.
//
// Supervises: accounts, clients, routes, listeners (spawned in that order: connections need
// their account, and the listeners need somewhere to send connections).
// Strategy: restart a failed supervisor at once, at most 3 times a minute; past that, stop it.
// Why: the supervisors hold little state of their own (a restart of clients does close its
// connections, which reconnect); a supervisor that keeps failing is a bug that restarts would
// only hide.
//
// Shutdown: stop listeners, then have clients drain and close every connection, then close the
// routes, then stop accounts, then stop itself. Lame duck: stop listeners, tell clients, wait the grace period,
// close clients in timed batches, then the shutdown above.
type serverActor struct {
	srv      *shared
	ln       net.Listener
	cln      net.Listener // the cluster port, nil without one
	http     []*boundHTTP
	done     chan struct{}
	cell     *mailboxCell
	strategy *strategy
	children map[string]*child

	state     lifecycle
	accounts  *actor.PID
	clients   *actor.PID
	routes    *actor.PID
	listeners *actor.PID
	// Shutdown steps already taken.
	stoppedListeners, closingClients, closingRoutes, stoppedAccounts bool
}

type lifecycle uint8

const (
	starting lifecycle = iota
	running
	lameDucking
	stopping
)

func newServerProps(srv *shared, ln, cln net.Listener, http []*boundHTTP, done chan struct{}, cell *mailboxCell) *actor.Props {
	st := &strategy{kind: "server", policy: restartChild, maxRestarts: 3, window: time.Minute, log: srv.log}
	return newProps(func() actor.Actor {
		return &serverActor{srv: srv, ln: ln, cln: cln, http: http, done: done, cell: cell, strategy: st,
			children: make(map[string]*child)}
	}, cell, false, actor.WithSupervisor(st))
}

func (s *serverActor) Receive(ctx actor.Context) {
	switch m := ctx.Message().(type) {
	case *actor.Started:
		s.accounts = s.spawn(ctx, "accounts", func(c *mailboxCell) *actor.Props { return newAccountsProps(s.srv, c) })
		s.srv.accounts.Store(s.accounts)
	case *accountsReady:
		if s.state != starting {
			return
		}
		s.clients = s.spawn(ctx, "clients", func(c *mailboxCell) *actor.Props { return newClientsProps(s.srv, c) })
		s.srv.clients.Store(s.clients)
		s.routes = s.spawn(ctx, "routes", func(c *mailboxCell) *actor.Props { return newRoutesProps(s.srv, c) })
		s.srv.routes.Store(s.routes)
		s.listeners = s.spawn(ctx, "listeners", func(c *mailboxCell) *actor.Props {
			return newListenersProps(s.srv, s.ln, s.cln, s.http, c)
		})
		s.state = running
		s.srv.ready.Store(true)
		s.srv.log.Info("Listening for client connections on " + s.ln.Addr().String())
		s.srv.log.Info("Server is ready")
	case *shutdown:
		s.stop(ctx)
	case *enterLameDuck:
		s.lameDuck(ctx)
	case *graceOver:
		if s.state == lameDucking && s.clients != nil {
			ctx.Send(s.clients, &lameDuckClose{duration: s.ldmCloseWindow()})
		}
	case *actor.Terminated:
		s.childStopped(ctx, m.Who)
	case *actor.Stopping, *actor.Restarting:
	case *actor.Stopped:
		s.srv.log.Info("Server Exiting..")
		close(s.done)
	case *describe:
		d := &description{id: ctx.Self().Id, kind: "server", mailbox: s.cell.depth()}
		for _, c := range s.children {
			d.children = append(d.children, c.view(s.strategy))
		}
		ctx.Respond(d)
	default:
		s.srv.log.Warn("server: unexpected message", "type", typeName(m))
	}
}

// spawn starts one of the top-level supervisors; kind and name are the same.
func (s *serverActor) spawn(ctx actor.Context, name string, props func(*mailboxCell) *actor.Props) *actor.PID {
	cell := &mailboxCell{}
	pid, err := ctx.SpawnNamed(props(cell), name)
	if err != nil {
		panic("cannot spawn " + name + ": " + err.Error())
	}
	s.children[pid.Id] = &child{pid: pid, kind: name, cell: cell, supervisor: true}
	return pid
}

func (s *serverActor) lameDuck(ctx actor.Context) {
	if s.state != running {
		return
	}
	s.state = lameDucking
	s.srv.ready.Store(false)
	s.srv.log.Info("Entering lame duck mode, stop accepting new clients")
	s.stopListeners(ctx)
	ctx.Send(s.clients, &lameDuck{})
	self := ctx.Self()
	time.AfterFunc(s.srv.opts.LameDuckGracePeriod, func() { s.srv.root.Send(self, &graceOver{}) })
}

// ldmCloseWindow is the time over which lame duck spreads the closes: the duration less the grace
// period, at least a second (nats-server's rule).
func (s *serverActor) ldmCloseWindow() time.Duration {
	d := s.srv.opts.LameDuckDuration - s.srv.opts.LameDuckGracePeriod
	if d <= 0 {
		d = time.Second
	}
	return d
}

func (s *serverActor) stop(ctx actor.Context) {
	if s.state == stopping {
		return
	}
	s.state = stopping
	s.srv.ready.Store(false)
	s.srv.shuttingDown.Store(true)
	s.srv.log.Info("Initiating Shutdown...")
	s.advance(ctx)
}

func (s *serverActor) stopListeners(ctx actor.Context) {
	if s.listeners != nil && !s.stoppedListeners {
		s.stoppedListeners = true
		ctx.Stop(s.listeners)
	}
}

// advance takes the next shutdown step whose predecessor is done.
func (s *serverActor) advance(ctx actor.Context) {
	switch {
	case s.listeners != nil:
		s.stopListeners(ctx)
	case s.clients != nil:
		if !s.closingClients {
			s.closingClients = true
			ctx.Send(s.clients, &closeAll{reason: ServerShutdown})
		}
	case s.routes != nil:
		if !s.closingRoutes {
			s.closingRoutes = true
			ctx.Send(s.routes, &closeAll{reason: ServerShutdown})
		}
	case s.accounts != nil:
		if !s.stoppedAccounts {
			s.stoppedAccounts = true
			ctx.Stop(s.accounts)
		}
	default:
		ctx.Stop(ctx.Self())
	}
}

func (s *serverActor) childStopped(ctx actor.Context, who *actor.PID) {
	delete(s.children, who.Id)
	s.strategy.forget(who.Id)
	switch {
	case s.listeners != nil && who.Id == s.listeners.Id:
		s.listeners = nil
	case s.clients != nil && who.Id == s.clients.Id:
		s.clients = nil
		if s.state == lameDucking {
			// Lame duck has closed every connection: shut down.
			s.stop(ctx)
			return
		}
	case s.routes != nil && who.Id == s.routes.Id:
		s.routes = nil
	case s.accounts != nil && who.Id == s.accounts.Id:
		s.accounts = nil
	}
	if s.state == stopping {
		s.advance(ctx)
	}
}

var _ actor.Actor = (*serverActor)(nil)
