package monitor

import (
	"net/http"
	"time"
)

// Routez is /routez (monitor.go Routez). Troupe has no routes yet: none are listed.
type Routez struct {
	ID        string       `json:"server_id"`
	Name      string       `json:"server_name"`
	Now       time.Time    `json:"now"`
	NumRoutes int          `json:"num_routes"`
	Routes    []*RouteInfo `json:"routes"`
}

// RouteInfo is one route (monitor.go RouteInfo), for when routes exist.
type RouteInfo struct {
	Rid          uint64    `json:"rid"`
	RemoteID     string    `json:"remote_id"`
	RemoteName   string    `json:"remote_name"`
	DidSolicit   bool      `json:"did_solicit"`
	IsConfigured bool      `json:"is_configured"`
	IP           string    `json:"ip"`
	Port         int       `json:"port"`
	Start        time.Time `json:"start"`
	LastActivity time.Time `json:"last_activity"`
	RTT          string    `json:"rtt,omitempty"`
	Uptime       string    `json:"uptime"`
	Idle         string    `json:"idle"`
	Pending      int       `json:"pending_size"`
	InMsgs       int64     `json:"in_msgs"`
	OutMsgs      int64     `json:"out_msgs"`
	InBytes      int64     `json:"in_bytes"`
	OutBytes     int64     `json:"out_bytes"`
	NumSubs      uint32    `json:"subscriptions"`
}

func (m *monitor) handleRoutez(w http.ResponseWriter, r *http.Request) {
	q := &query{r: r}
	q.subs()
	if q.bad(w) {
		return
	}
	writeJSON(w, http.StatusOK, &Routez{ID: m.s.ID(), Name: m.s.Name(), Now: time.Now().UTC(), Routes: []*RouteInfo{}})
}
