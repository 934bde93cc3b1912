package actors

import (
	"log/slog"
	"net"
	"runtime"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/troupe/troupe/accounts"
	"github.com/troupe/troupe/config"
	"github.com/troupe/troupe/protocol"
)

// Version is Troupe's own version, sent in INFO.
const Version = "0.1.0"

// shared is what every actor of one server may read: set up before the first actor starts and
// never written afterwards, except the atomics.
type shared struct {
	opts   *config.Options
	system *actor.ActorSystem
	root   *actor.RootContext
	log    *slog.Logger

	serverID string
	info     protocol.Info // the INFO template; each connection copies it

	registry registry
	global   *Account // $G
	sysAcc   *Account // $SYS
	start    time.Time

	// auth authenticates connections and knows the configured accounts (never nil: without
	// any auth configuration it lets everyone into $G).
	auth *accounts.Authenticator

	// PIDs of the top-level supervisors, set by the root actor before it spawns any child
	// that uses them.
	clients  atomic.Pointer[actor.PID]
	accounts atomic.Pointer[actor.PID]

	cluster clusterState
	routes  atomic.Pointer[actor.PID] // the routes supervisor

	// stallAt is the pending-bytes level above which publishers stall for a connection.
	stallAt int64
	// writeChunk is the most a connection writes in one writev.
	writeChunk int

	nextCID      atomic.Uint64
	shuttingDown atomic.Bool // set by the root when it starts the shutdown sequence
	ready        atomic.Bool // accepting connections (false before start and in lame duck)
	stats        serverStats
}

// serverStats are the server-wide counters monitoring reads.
type serverStats struct {
	inMsgs, inBytes   atomic.Int64
	outMsgs, outBytes atomic.Int64
	slowConsumers     atomic.Int64
	staleConnections  atomic.Int64
	totalConnections  atomic.Int64
	openConnections   atomic.Int64 // the clients supervisor's children, stored on each change
	accountRestarts   atomic.Int64
	listenerRestarts  atomic.Int64
}

func newShared(opts *config.Options, log *slog.Logger, serverID string, addr net.Addr) *shared {
	s := &shared{opts: opts, log: log, serverID: serverID, start: time.Now(), stallAt: stallThreshold(opts.MaxPending),
		writeChunk: int(min(maxWriteChunk, max(opts.MaxPending/8, 16<<10)))}
	name := opts.ServerName
	if name == "" {
		name = serverID
	}
	host, port := opts.Host, opts.Port
	if tcp, ok := addr.(*net.TCPAddr); ok {
		port = tcp.Port
	}
	s.info = protocol.Info{
		ID:         serverID,
		Name:       name,
		Version:    Version,
		Proto:      1,
		GoVersion:  runtime.Version(),
		Host:       host,
		Port:       port,
		Headers:    !opts.NoHeaderSupport,
		MaxPayload: opts.MaxPayload,
	}
	return s
}

// infoFor is what varies in the INFO a client connection gets: on accept, after its first PONG
// (connectInfo, for protocol 1 clients) and on entering lame-duck mode.
type infoFor struct {
	cid         uint64
	clientIP    string
	nonce       string
	connectInfo bool
	account     *Account
	ldm         bool
}

func (s *shared) appendInfo(dst []byte, f infoFor) []byte {
	info := s.info
	info.CID = f.cid
	info.ClientIP = f.clientIP
	info.Nonce = f.nonce
	if f.connectInfo && f.account != nil {
		info.ConnectInfo = true
		info.RemoteAccount = f.account.Name
		info.IsSystemAccount = f.account == s.sysAcc
	}
	info.LameDuckMode = f.ldm
	info.Cluster = s.clusterName()
	if u := s.cluster.urls.Load(); u != nil {
		info.ClientConnectURLs = *u
	}
	return protocol.AppendInfo(dst, &info)
}

func hostOf(addr net.Addr) string {
	if tcp, ok := addr.(*net.TCPAddr); ok {
		return tcp.IP.String()
	}
	h, _, err := net.SplitHostPort(addr.String())
	if err != nil {
		return addr.String()
	}
	return h
}

func hostPort(host string, port int) string {
	return net.JoinHostPort(host, strconv.Itoa(port))
}

// accountList returns the accounts monitoring can see.
func (s *shared) accountList() []*Account { return s.registry.list() }
