package monitor

import (
	"math"
	"net"
	"net/http"
	"runtime"
	"runtime/debug"
	"time"

	"github.com/troupe/troupe/actors"
)

// Varz is /varz: nats-server's fields, in its order, with its omissions (monitor.go Varz).
// Troupe has no TLS, clustering, gateways, leaf nodes, MQTT, websockets or JetStream yet: those
// fields keep nats-server's values for a server that has none configured (empty objects, zero
// counts, its default timeouts).
type Varz struct {
	ID                   string            `json:"server_id"`
	Name                 string            `json:"server_name"`
	Version              string            `json:"version"`
	Proto                int               `json:"proto"`
	GitCommit            string            `json:"git_commit,omitempty"`
	GoVersion            string            `json:"go"`
	Host                 string            `json:"host"`
	Port                 int               `json:"port"`
	AuthRequired         bool              `json:"auth_required,omitempty"`
	TLSRequired          bool              `json:"tls_required,omitempty"`
	TLSVerify            bool              `json:"tls_verify,omitempty"`
	TLSOCSPPeerVerify    bool              `json:"tls_ocsp_peer_verify,omitempty"`
	IP                   string            `json:"ip,omitempty"`
	ClientConnectURLs    []string          `json:"connect_urls,omitempty"`
	WSConnectURLs        []string          `json:"ws_connect_urls,omitempty"`
	MaxConn              int               `json:"max_connections"`
	MaxSubs              int               `json:"max_subscriptions,omitempty"`
	PingInterval         time.Duration     `json:"ping_interval"`
	MaxPingsOut          int               `json:"ping_max"`
	HTTPHost             string            `json:"http_host"`
	HTTPPort             int               `json:"http_port"`
	HTTPBasePath         string            `json:"http_base_path"`
	HTTPSPort            int               `json:"https_port"`
	AuthTimeout          float64           `json:"auth_timeout"`
	MaxControlLine       int32             `json:"max_control_line"`
	MaxPayload           int               `json:"max_payload"`
	MaxPending           int64             `json:"max_pending"`
	Cluster              ClusterVarz       `json:"cluster"`
	Gateway              GatewayVarz       `json:"gateway"`
	LeafNode             LeafNodeVarz      `json:"leaf"`
	MQTT                 MQTTVarz          `json:"mqtt"`
	Websocket            WebsocketVarz     `json:"websocket"`
	JetStream            JetStreamVarz     `json:"jetstream"`
	TLSTimeout           float64           `json:"tls_timeout"`
	WriteDeadline        time.Duration     `json:"write_deadline"`
	WriteTimeout         string            `json:"write_timeout,omitempty"`
	Start                time.Time         `json:"start"`
	Now                  time.Time         `json:"now"`
	Uptime               string            `json:"uptime"`
	Mem                  int64             `json:"mem"`
	Cores                int               `json:"cores"`
	MaxProcs             int               `json:"gomaxprocs"`
	MemLimit             int64             `json:"gomemlimit,omitempty"`
	CPU                  float64           `json:"cpu"`
	Connections          int               `json:"connections"`
	TotalConnections     uint64            `json:"total_connections"`
	Routes               int               `json:"routes"`
	Remotes              int               `json:"remotes"`
	Leafs                int               `json:"leafnodes"`
	InMsgs               int64             `json:"in_msgs"`
	InBytes              int64             `json:"in_bytes"`
	InClientMsgs         int64             `json:"in_client_msgs"`
	InClientBytes        int64             `json:"in_client_bytes"`
	OutMsgs              int64             `json:"out_msgs"`
	OutBytes             int64             `json:"out_bytes"`
	OutClientMsgs        int64             `json:"out_client_msgs"`
	OutClientBytes       int64             `json:"out_client_bytes"`
	SlowConsumers        int64             `json:"slow_consumers"`
	StaleConnections     int64             `json:"stale_connections"`
	StalledClients       int64             `json:"stalled_clients"`
	Subscriptions        uint32            `json:"subscriptions"`
	HTTPReqStats         map[string]uint64 `json:"http_req_stats"`
	ConfigLoadTime       time.Time         `json:"config_load_time"`
	ConfigDigest         string            `json:"config_digest"`
	Tags                 []string          `json:"tags,omitempty"`
	Metadata             map[string]string `json:"metadata,omitempty"`
	FeatureFlags         map[string]bool   `json:"feature_flags,omitempty"`
	SystemAccount        string            `json:"system_account,omitempty"`
	SlowConsumersStats   *KindCounts       `json:"slow_consumer_stats"`
	StaleConnectionStats *KindCounts       `json:"stale_connection_stats,omitempty"`
	DiskIOWaitStats      *DiskIOWaitStats  `json:"disk_io_wait_stats"`
}

// ClusterVarz is varz's cluster: empty until routes exist (the cluster settings Troupe accepts
// are not acted on, so it does not report them as if they were).
type ClusterVarz struct {
	Name          string        `json:"name,omitempty"`
	Host          string        `json:"addr,omitempty"`
	Port          int           `json:"cluster_port,omitempty"`
	AuthTimeout   float64       `json:"auth_timeout,omitempty"`
	URLs          []string      `json:"urls,omitempty"`
	TLSTimeout    float64       `json:"tls_timeout,omitempty"`
	TLSRequired   bool          `json:"tls_required,omitempty"`
	TLSVerify     bool          `json:"tls_verify,omitempty"`
	PoolSize      int           `json:"pool_size,omitempty"`
	WriteDeadline time.Duration `json:"write_deadline,omitempty"`
	WriteTimeout  string        `json:"write_timeout,omitempty"`
}

// GatewayVarz, LeafNodeVarz, MQTTVarz, WebsocketVarz and JetStreamVarz are nats-server's
// objects for features Troupe does not have: always present, always empty ({}).
type (
	GatewayVarz   struct{}
	LeafNodeVarz  struct{}
	MQTTVarz      struct{}
	WebsocketVarz struct{}
	JetStreamVarz struct{}
)

// KindCounts is slow_consumer_stats and stale_connection_stats: a count per connection kind.
type KindCounts struct {
	Clients  uint64 `json:"clients"`
	Routes   uint64 `json:"routes"`
	Gateways uint64 `json:"gateways"`
	Leafs    uint64 `json:"leafs"`
}

// DiskIOWaitStats is nats-server's disk semaphore contention (JetStream): always zero here.
type DiskIOWaitStats struct {
	Waiters     int64  `json:"waiters"`
	Waits       uint64 `json:"waits"`
	WaitTime    uint64 `json:"wait_time"`
	MaxWaitTime uint64 `json:"max_wait_time"`
}

// defaultTLSTimeout is nats-server's tls_timeout default in seconds (server/const.go): it
// reports it even without TLS, and so does Troupe, which has none.
const defaultTLSTimeout = 2.0

func (m *monitor) handleVarz(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, m.varz())
}

func (m *monitor) varz() *Varz {
	s := m.s
	o := s.Options()
	st := s.Stats()
	conns := s.NumConnections()
	var subs int
	for _, a := range s.Accounts() {
		subs += a.Subscriptions
	}
	now := time.Now()
	v := &Varz{
		ID:               s.ID(),
		Name:             s.Name(),
		Version:          actors.Version,
		Proto:            1,
		GoVersion:        runtime.Version(),
		Host:             o.Host,
		Port:             boundPort(s.Addr()),
		MaxConn:          o.MaxConnections,
		MaxSubs:          o.MaxSubscriptions,
		PingInterval:     o.PingInterval,
		MaxPingsOut:      o.MaxPingsOut,
		HTTPHost:         o.HTTPHost,
		HTTPPort:         o.HTTPPort,
		HTTPBasePath:     o.HTTPBasePath,
		HTTPSPort:        o.HTTPSPort,
		AuthRequired:     s.AuthRequired(),
		AuthTimeout:      s.AuthTimeout().Seconds(),
		MaxControlLine:   o.MaxControlLine,
		MaxPayload:       int(o.MaxPayload),
		MaxPending:       o.MaxPending,
		TLSTimeout:       defaultTLSTimeout,
		WriteDeadline:    o.WriteDeadline,
		Start:            st.Start.UTC(),
		Now:              now.UTC(),
		Uptime:           uptime(now.Sub(st.Start)),
		Mem:              rss(),
		Cores:            runtime.NumCPU(),
		MaxProcs:         runtime.GOMAXPROCS(0),
		CPU:              m.cpu.percent(),
		Connections:      conns,
		TotalConnections: uint64(st.TotalConnections),
		InMsgs:           st.InMsgs,
		InBytes:          st.InBytes,
		InClientMsgs:     st.InMsgs, // every connection is a client connection
		InClientBytes:    st.InBytes,
		OutMsgs:          st.OutMsgs,
		OutBytes:         st.OutBytes,
		OutClientMsgs:    st.OutMsgs,
		OutClientBytes:   st.OutBytes,
		SlowConsumers:    st.SlowConsumers,
		StaleConnections: st.StaleConnections,
		Subscriptions:    uint32(subs),
		HTTPReqStats:     m.requestStats(),
		ConfigLoadTime:   st.Start.UTC(),
		ConfigDigest:     o.ConfigDigest,
		SystemAccount:    s.SystemAccount(),
		SlowConsumersStats: &KindCounts{
			Clients: uint64(st.SlowConsumers),
		},
		StaleConnectionStats: &KindCounts{
			Clients: uint64(st.StaleConnections),
		},
		DiskIOWaitStats: &DiskIOWaitStats{},
	}
	if limit := debug.SetMemoryLimit(-1); limit < math.MaxInt64 {
		v.MemLimit = limit
	}
	return v
}

// boundPort is the port a listener is bound to (the configured one may be -1: random).
func boundPort(a net.Addr) int {
	if tcp, ok := a.(*net.TCPAddr); ok {
		return tcp.Port
	}
	return 0
}
