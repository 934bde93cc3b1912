package actors

import (
	"fmt"
	"log/slog"
	"net"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/nats-io/nkeys"
	"github.com/troupe/troupe/accounts"
	"github.com/troupe/troupe/config"
)

// Server is a running Troupe server: an actor system whose root is the server actor.
type Server struct {
	srv    *shared
	system *actor.ActorSystem
	root   *actor.PID
	addr   net.Addr
	done   chan struct{}
	// httpAddrs are the bound HTTP endpoints by kind ("monitor", "profiler").
	httpAddrs map[string]net.Addr
}

// HTTPAddr is the address an HTTP endpoint of this kind is bound to, or nil.
func (s *Server) HTTPAddr(kind string) net.Addr { return s.httpAddrs[kind] }

// Start binds the client port, starts the supervision tree and returns once the tree is
// spawned; Ready reports when connections are accepted. A bad address fails here, before any
// actor starts.
func Start(opts *config.Options, log *slog.Logger, endpoints ...HTTPEndpoint) (*Server, error) {
	opts = opts.Clone()
	opts.SetDefaults()
	auth, err := accounts.New(&opts.Auth)
	if err != nil {
		return nil, err
	}
	kp, err := nkeys.CreateServer()
	if err != nil {
		return nil, fmt.Errorf("creating the server id: %w", err)
	}
	id, err := kp.PublicKey()
	if err != nil {
		return nil, fmt.Errorf("creating the server id: %w", err)
	}
	port := opts.Port
	if port == config.RandomPort {
		port = 0
	}
	ln, err := net.Listen("tcp", hostPort(opts.Host, port))
	if err != nil {
		return nil, fmt.Errorf("could not listen on client port: %w", err)
	}
	var bound []*boundHTTP
	var cln net.Listener // the cluster port
	closeAll := func() {
		ln.Close()
		if cln != nil {
			cln.Close()
		}
		for _, b := range bound {
			b.ln.Close()
		}
	}
	if opts.Cluster.Listens() {
		port := opts.Cluster.Port
		if port == config.RandomPort {
			port = 0
		}
		if cln, err = net.Listen("tcp", hostPort(opts.Cluster.Host, port)); err != nil {
			ln.Close()
			return nil, fmt.Errorf("could not listen on cluster port: %w", err)
		}
	}
	for _, e := range endpoints {
		hl, err := net.Listen("tcp", e.Addr)
		if err != nil {
			closeAll()
			return nil, fmt.Errorf("could not listen on %s port: %w", e.Kind, err)
		}
		bound = append(bound, &boundHTTP{kind: e.Kind, ln: hl})
	}

	system := actor.NewActorSystemWithConfig(actor.Configure(
		actor.WithLoggerFactory(func(*actor.ActorSystem) *slog.Logger {
			return slog.New(demoteInfo{log.Handler()}).With("lib", "protoactor")
		}),
		actor.WithDeadLetterRequestLogging(false),
	))
	srv := newShared(opts, log, id, ln.Addr())
	srv.system = system
	srv.root = system.Root
	srv.auth = auth
	srv.info.AuthRequired = auth.Required()
	srv.openConfiguredAccounts()
	var clusterAddr net.Addr
	if cln != nil {
		clusterAddr = cln.Addr()
	}
	srv.initCluster(&opts.Cluster, clusterAddr)

	s := &Server{srv: srv, system: system, addr: ln.Addr(), done: make(chan struct{}),
		httpAddrs: make(map[string]net.Addr)}
	for i, b := range bound {
		b.handler = endpoints[i].Handler(s)
		s.httpAddrs[b.kind] = b.ln.Addr()
		log.Info(fmt.Sprintf("Starting %s on http://%s", endpoints[i].Kind, b.ln.Addr()))
	}
	s.root, err = system.Root.SpawnNamed(newServerProps(srv, ln, cln, bound, s.done, &mailboxCell{}), "server")
	if err != nil {
		closeAll()
		return nil, err
	}
	return s, nil
}

// Addr is the address the client listener is bound to.
func (s *Server) Addr() net.Addr { return s.addr }

// ClusterAddr is the address the cluster listener is bound to, or nil without one.
func (s *Server) ClusterAddr() net.Addr { return s.srv.cluster.addr }

// Routes returns the open routes (an admin call).
func (s *Server) Routes(timeout time.Duration) ([]*RouteInfo, error) {
	pid := s.srv.routes.Load()
	if pid == nil {
		return nil, nil
	}
	res, err := s.system.Root.RequestFuture(pid, &listRoutes{}, timeout).Result()
	if err != nil {
		return nil, err
	}
	list, _ := res.([]*RouteInfo)
	return list, nil
}

// ID is the server's nkey-style id, as INFO carries it.
func (s *Server) ID() string { return s.srv.serverID }

// Ready reports whether the server accepts connections.
func (s *Server) Ready() bool { return s.srv.ready.Load() }

// Shutdown starts the shutdown sequence and returns at once; Done is closed when it ends.
func (s *Server) Shutdown() { s.system.Root.Send(s.root, &shutdown{}) }

// LameDuck enters lame-duck mode; the server shuts down when it has closed every connection.
func (s *Server) LameDuck() { s.system.Root.Send(s.root, &enterLameDuck{}) }

// Done is closed once the root actor has stopped.
func (s *Server) Done() <-chan struct{} { return s.done }

// Tree walks the live supervision tree (an admin call: one request per actor).
func (s *Server) Tree(timeout time.Duration) (*Node, error) {
	return walkTree(s.system.Root, s.root, timeout)
}

// ClosedConnections returns the ring of recently closed connections, oldest first (an admin
// call).
func (s *Server) ClosedConnections(timeout time.Duration) ([]*ConnInfo, error) {
	pid := s.srv.clients.Load()
	if pid == nil {
		return nil, nil
	}
	res, err := s.system.Root.RequestFuture(pid, &listClosed{}, timeout).Result()
	if err != nil {
		return nil, err
	}
	list, _ := res.([]*ConnInfo)
	return list, nil
}
