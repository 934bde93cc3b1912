package actors

import (
	"net"
	"time"

	"github.com/asynkron/protoactor-go/actor"
)

// Messages the clients supervisor receives.

// accepted hands a new connection from the client listener's accept goroutine to the supervisor,
// which spawns its actor.
type accepted struct{ conn net.Conn }

// clientClosed is a connection's last word to its supervisor: why and how it ended, for the ring
// of closed connections.
type clientClosed struct {
	pid  *actor.PID
	info *ConnInfo
}

// closeAll comes from the root at shutdown: every connection drains and closes, then the
// supervisor stops.
type closeAll struct{ reason CloseReason }

// lameDuck comes from the root on entering lame-duck mode: connections tell their clients.
type lameDuck struct{}

// lameDuckClose comes from the root when the grace period is over: close the connections in
// batches spread over duration.
type lameDuckClose struct{ duration time.Duration }

// lameDuckTick is the supervisor's own timer: close the next batch.
type lameDuckTick struct{}

// closeAccountClients comes from the accounts supervisor when an account stopped for good.
type closeAccountClients struct{ acc *Account }

func (*clientClosed) IgnoreDeadLetterLogging() {}
func (*lameDuckTick) IgnoreDeadLetterLogging() {}

// listClosed asks for the ring of closed connections (monitoring; RequestFuture).
type listClosed struct{}

// listOpen asks for the open connections (monitoring; RequestFuture).
type listOpen struct{}

// clusterChanged comes from the routes supervisor when the cluster's client URLs changed: every
// client that takes async INFO is told (connect_urls).
type clusterChanged struct{}
