// Package config holds Troupe's server options: their nats-server defaults, and the loading of
// nats-server style configuration files through github.com/nats-io/nats-server/v2/conf.
//
// The options are plain values. The running server publishes them read-only; nothing mutates an
// Options after the server has started.
package config

import (
	"github.com/troupe/troupe/accounts"
	"net/url"
	"time"
)

// Defaults, as nats-server v2.15.2 has them (server/const.go).
const (
	DefaultHost                = "0.0.0.0"
	DefaultPort                = 4222
	RandomPort                 = -1
	DefaultMaxPayload          = 1024 * 1024
	DefaultMaxControlLine      = 4096
	DefaultMaxConnections      = 64 * 1024
	DefaultMaxPending          = 64 * 1024 * 1024
	DefaultWriteDeadline       = 10 * time.Second
	DefaultPingInterval        = 2 * time.Minute
	DefaultMaxPingsOut         = 2
	DefaultLameDuckDuration    = 2 * time.Minute
	DefaultLameDuckGracePeriod = 10 * time.Second
	MinLameDuckDuration        = 30 * time.Second
	DefaultMaxClosedClients    = 10000
	// FirstClientPingInterval caps the first PING sent to a client, as nats-server does unless
	// disable_short_first_ping is set.
	FirstClientPingInterval = 2 * time.Second
)

// Options configures one Troupe server.
type Options struct {
	ConfigFile string
	// ConfigDigest is nats-server's digest of the parsed configuration file ("sha256:..."), as
	// /varz shows it; empty without a file.
	ConfigDigest string

	Host       string
	Port       int
	ServerName string

	// Monitoring (-m, http, http_port) and profiling (--profile, prof_port). A port of -1 picks
	// a random one; 0 is off. HTTPHost defaults to Host, as in nats-server.
	HTTPHost      string
	HTTPPort      int
	HTTPSPort     int // accepted only to be refused: there is no TLS yet
	HTTPBasePath  string
	ProfPort      int
	ProfBlockRate int

	MaxPayload            int32
	MaxControlLine        int32
	MaxConnections        int
	MaxSubscriptions      int
	MaxPending            int64
	WriteDeadline         time.Duration
	PingInterval          time.Duration
	MaxPingsOut           int
	DisableShortFirstPing bool
	NoHeaderSupport       bool
	NoFastProducerStall   bool
	MaxClosedClients      int

	LameDuckDuration    time.Duration
	LameDuckGracePeriod time.Duration

	Debug   bool
	Trace   bool
	LogFile string
	Logtime bool

	PidFile      string
	PortsFileDir string

	Cluster ClusterOptions

	// Auth is authentication, authorization and accounts (authorization, accounts, operator,
	// resolver, ... and --user/--pass/--auth).
	Auth accounts.Config
}

// ClusterOptions configure the cluster port and its routes (nats-server's cluster block).
type ClusterOptions struct {
	Name string
	Host string
	Port int // 0: no cluster port
	// Advertise is the address given to other servers instead of Host:Port; with NoAdvertise
	// this server's client URLs are not gossiped to clients.
	Advertise   string
	NoAdvertise bool
	Routes      []*url.URL // the routes to solicit
	// ConnectRetries bounds the attempts at an explicit route that never connected (0: keep
	// trying); implicit routes are never retried.
	ConnectRetries int
	// Username and Password are what a route must CONNECT with (cluster authorization);
	// AuthTimeout how long it has to.
	Username, Password string
	AuthTimeout        time.Duration
	// PoolSize and Compression are accepted for compatibility: Troupe takes part in a cluster
	// as a peer without pooling or compression, which nats-server tolerates (docs/cluster.md).
	PoolSize     int
	Compression  string
	PingInterval time.Duration // 0: the server's ping_interval, at most 30 s
	MaxPingsOut  int           // 0: the server's ping_max
}

// Configured reports whether any cluster setting was given.
func (c ClusterOptions) Configured() bool {
	return c.Name != "" || c.Host != "" || c.Port != 0 || len(c.Routes) > 0
}

// Listens reports whether the server has a cluster port.
func (c ClusterOptions) Listens() bool { return c.Port != 0 }

// Default returns the options a nats-server with no flags and no config file would use.
func Default() *Options {
	o := &Options{}
	o.SetDefaults()
	return o
}

// SetDefaults fills every zero value with its nats-server default.
func (o *Options) SetDefaults() {
	if o.Host == "" {
		o.Host = DefaultHost
	}
	if o.HTTPHost == "" {
		o.HTTPHost = o.Host
	}
	if o.Port == 0 {
		o.Port = DefaultPort
	}
	if o.MaxPayload == 0 {
		o.MaxPayload = DefaultMaxPayload
	}
	if o.MaxControlLine == 0 {
		o.MaxControlLine = DefaultMaxControlLine
	}
	if o.MaxConnections == 0 {
		o.MaxConnections = DefaultMaxConnections
	}
	if o.MaxPending == 0 {
		o.MaxPending = DefaultMaxPending
	}
	if o.WriteDeadline == 0 {
		o.WriteDeadline = DefaultWriteDeadline
	}
	if o.PingInterval == 0 {
		o.PingInterval = DefaultPingInterval
	}
	if o.MaxPingsOut == 0 {
		o.MaxPingsOut = DefaultMaxPingsOut
	}
	if o.LameDuckDuration == 0 {
		o.LameDuckDuration = DefaultLameDuckDuration
	}
	if o.LameDuckGracePeriod == 0 {
		o.LameDuckGracePeriod = DefaultLameDuckGracePeriod
	}
	if o.MaxClosedClients == 0 {
		o.MaxClosedClients = DefaultMaxClosedClients
	}
}

// Clone returns a deep copy.
func (o *Options) Clone() *Options {
	c := *o
	c.Cluster.Routes = append([]*url.URL(nil), o.Cluster.Routes...)
	return &c
}
