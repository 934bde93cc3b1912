package monitor

import (
	"net/http"
	"time"
)

// Endpoints of nats-server features Troupe does not have (leaf nodes, gateways, JetStream). They
// answer what nats-server answers when the feature is not configured, so that tools polling them
// (the Prometheus exporter's -leafz, -gatewayz and -jsz, nats-top, dashboards) keep working.

// Leafz is /leafz (monitor.go Leafz): no leaf nodes.
type Leafz struct {
	ID       string      `json:"server_id"`
	Now      time.Time   `json:"now"`
	NumLeafs int         `json:"leafnodes"`
	Leafs    []*struct{} `json:"leafs"`
}

// Gatewayz is /gatewayz (monitor.go Gatewayz): no gateways.
type Gatewayz struct {
	ID               string              `json:"server_id"`
	Now              time.Time           `json:"now"`
	OutboundGateways map[string]struct{} `json:"outbound_gateways"`
	InboundGateways  map[string]struct{} `json:"inbound_gateways"`
}

// JSInfo is /jsz (monitor.go JSInfo) of a server without JetStream: disabled, all zero.
type JSInfo struct {
	JetStreamStats
	ID        string          `json:"server_id"`
	Now       time.Time       `json:"now"`
	Disabled  bool            `json:"disabled,omitempty"`
	Config    JetStreamConfig `json:"config"`
	Streams   int             `json:"streams"`
	Consumers int             `json:"consumers"`
	Messages  uint64          `json:"messages"`
	Bytes     uint64          `json:"bytes"`
	Total     int             `json:"total"`
}

// JetStreamStats are JetStream's usage figures (jetstream.go JetStreamStats).
type JetStreamStats struct {
	Memory         uint64            `json:"memory"`
	Store          uint64            `json:"storage"`
	ReservedMemory uint64            `json:"reserved_memory"`
	ReservedStore  uint64            `json:"reserved_storage"`
	Accounts       int               `json:"accounts"`
	HAAssets       int               `json:"ha_assets"`
	API            JetStreamAPIStats `json:"api"`
}

// JetStreamAPIStats counts JetStream API requests.
type JetStreamAPIStats struct {
	Level  int    `json:"level"`
	Total  uint64 `json:"total"`
	Errors uint64 `json:"errors"`
}

// JetStreamConfig is JetStream's configured limits.
type JetStreamConfig struct {
	MaxMemory int64 `json:"max_memory"`
	MaxStore  int64 `json:"max_storage"`
}

func (m *monitor) handleLeafz(w http.ResponseWriter, r *http.Request) {
	q := &query{r: r}
	q.subs()
	if q.bad(w) {
		return
	}
	writeJSON(w, http.StatusOK, &Leafz{ID: m.s.ID(), Now: time.Now().UTC(), Leafs: []*struct{}{}})
}

func (m *monitor) handleGatewayz(w http.ResponseWriter, r *http.Request) {
	q := &query{r: r}
	q.boolean("subs")
	q.boolean("accs")
	if q.bad(w) {
		return
	}
	writeJSON(w, http.StatusOK, &Gatewayz{ID: m.s.ID(), Now: time.Now().UTC(),
		OutboundGateways: map[string]struct{}{}, InboundGateways: map[string]struct{}{}})
}

func (m *monitor) handleJsz(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, &JSInfo{ID: m.s.ID(), Now: time.Now().UTC(), Disabled: true})
}
