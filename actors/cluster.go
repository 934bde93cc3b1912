package actors

import (
	"math/rand/v2"
	"net"
	"runtime"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/troupe/troupe/config"
	"github.com/troupe/troupe/protocol"
)

// The cluster as this server sees it: its name (configured, or made up and then adopted from
// the first configured peer, as nats-server's dynamic names are), and what it tells other
// servers about itself.

// clusterState is set up by Start; name may change once, when a dynamic name meets a
// configured one (a route's reader sets it).
type clusterState struct {
	addr       net.Addr // the cluster port, nil without one
	name       atomic.Pointer[string]
	dynamic    atomic.Bool
	clientURLs []string // this server's client URLs, for other servers to gossip to clients
	// urls are the client URLs of the whole cluster (this server's and its routes'), as
	// client INFO's connect_urls; nil without routes or with no_advertise.
	urls atomic.Pointer[[]string]
}

// clusterName is the cluster's name, "" without a cluster.
func (s *shared) clusterName() string {
	if n := s.cluster.name.Load(); n != nil {
		return *n
	}
	return ""
}

// randomName is a name nobody configured: 22 base-62 digits, as nats-server's dynamic names.
func randomName() string {
	b := make([]byte, 22)
	for i := range b {
		b[i] = tokenDigits[rand.IntN(len(tokenDigits))]
	}
	return string(b)
}

// initCluster fixes the cluster name: the configured one, or, with a cluster port and no name,
// a random one marked dynamic.
func (s *shared) initCluster(o *config.ClusterOptions, addr net.Addr) {
	s.cluster.addr = addr
	switch {
	case o.Name != "":
		s.cluster.name.Store(&o.Name)
	case addr != nil:
		name := randomName()
		s.cluster.name.Store(&name)
		s.cluster.dynamic.Store(true)
	}
	if addr != nil && !o.NoAdvertise {
		s.cluster.clientURLs = []string{hostPort(advertisedHost(s.opts.Host), s.info.Port)}
	}
}

// advertisedHost is the host other servers and clients are told for a listening host: a
// wildcard address means this machine, and nats-server then lists its interfaces; Troupe
// gives the loopback address, which is right for the single-machine clusters it is tested in.
func advertisedHost(h string) string {
	if h == "" || h == "0.0.0.0" || h == "::" {
		return "127.0.0.1"
	}
	return h
}

// routeConnect is the CONNECT this server sends on a route it dialled.
func (s *shared) routeConnect() protocol.RouteConnect {
	return protocol.RouteConnect{Echo: true, Headers: true, Name: s.serverID,
		Cluster: s.clusterName(), Dynamic: s.cluster.dynamic.Load()}
}

// appendRouteInfo appends the INFO this server sends on a route: as a peer without pooling or
// compression and before message tracing (proto 2), which nats-server accepts as such.
func (s *shared) appendRouteInfo(dst []byte) []byte {
	info := protocol.Info{
		ID: s.serverID, Name: s.info.Name, Version: s.info.Version, Proto: 2,
		GoVersion: runtime.Version(), Headers: true, MaxPayload: s.info.MaxPayload,
		Cluster: s.clusterName(), Dynamic: s.cluster.dynamic.Load(),
		ClientConnectURLs: s.cluster.clientURLs,
		AuthRequired:      s.opts.Cluster.Username != "",
	}
	if tcp, ok := s.cluster.addr.(*net.TCPAddr); ok {
		host := advertisedHost(s.opts.Cluster.Host)
		info.Host, info.Port = host, tcp.Port
		info.IP = "nats-route://" + net.JoinHostPort(host, strconv.Itoa(tcp.Port)) + "/"
		if a := s.opts.Cluster.Advertise; a != "" {
			info.IP = "nats-route://" + a + "/"
		}
	}
	return protocol.AppendInfo(dst, &info)
}

// routePingInterval is the server's ping interval, at most 30 s for routes (nats-server).
func (s *shared) routePingInterval() time.Duration {
	d := s.opts.Cluster.PingInterval
	if d <= 0 {
		d = s.opts.PingInterval
	}
	return min(d, 30*time.Second)
}

func (s *shared) routeMaxPingsOut() int {
	if n := s.opts.Cluster.MaxPingsOut; n > 0 {
		return n
	}
	return s.opts.MaxPingsOut
}
