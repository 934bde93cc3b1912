package actors

import (
	"net"
	"net/url"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/troupe/troupe/protocol"
)

// Messages of the routes supervisor and the route actors (besides deliver, closeConn,
// readerExit, readerPanic, pingTick and slowConsumer, which a route takes as a client does).

// dialRoute asks the routes supervisor to dial a route, after a delay when attempt > 0.
type dialRoute struct {
	url      *url.URL
	implicit bool   // learned from another server's INFO: never retried
	serverID string // implicit: the server it leads to, not dialled when already routed to
	attempt  int
}

// dialed comes from a dialing goroutine: a route's TCP connection is up, or failed (err).
type dialed struct {
	dial *dialRoute
	conn net.Conn
	err  error
}

// routeUp comes from a route actor once the other server said who it is (its INFO): the
// supervisor checks for a duplicate and learns the servers the other one knows.
type routeUp struct {
	pid  *actor.PID
	info protocol.Info
}

// listRoutes asks the routes supervisor for the open routes ([]*RouteInfo).
type listRoutes struct{}

// routeClosed tells the routes supervisor a route ended, and why.
type routeClosed struct {
	info *RouteInfo
}

// peerInfo comes from a route's reader: the other server's INFO (the first one completes the
// handshake).
type peerInfo struct{ info protocol.Info }

// duplicateRoute tells a route actor that another connection to the same server exists.
type duplicateRoute struct{}

// gossip asks a route actor to tell its server of another server of the cluster (an async
// INFO), which the other then routes to: a full mesh from one configured route.
type gossip struct{ info protocol.Info }

func (*dialed) IgnoreDeadLetterLogging()   {}
func (*peerInfo) IgnoreDeadLetterLogging() {}
