package monitor

import (
	"encoding/json"
	"fmt"
	"net/http"
	"path"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/troupe/troupe/actors"
)

// Paths, as nats-server names them (server/server.go), plus Troupe's own.
const (
	rootPath     = "/"
	varzPath     = "/varz"
	connzPath    = "/connz"
	routezPath   = "/routez"
	gatewayzPath = "/gatewayz"
	leafzPath    = "/leafz"
	subszPath    = "/subsz"
	subsAlias    = "/subscriptionsz"
	stackszPath  = "/stacksz"
	accountzPath = "/accountz"
	accstatzPath = "/accstatz"
	jszPath      = "/jsz"
	healthzPath  = "/healthz"
	expvarzPath  = "/debug/vars"
	actorzPath   = "/actorz"
	metricsPath  = "/metrics"
)

// adminTimeout bounds each request a handler makes to an actor (a supervisor's list, the tree).
const adminTimeout = 5 * time.Second

// monitor is the state behind one monitoring endpoint: the server it reads and what it counts
// itself. It is not an actor; it holds no lock: the request counters are atomics and everything
// else is read from the server at request time.
type monitor struct {
	s    *actors.Server
	base string // http_base_path, normalised: "/" or "/prefix"
	// reqs counts requests per path, for /varz's http_req_stats. The map is built once and
	// only read afterwards.
	reqs map[string]*atomic.Uint64
	cpu  cpuSampler
}

// Handler serves the monitoring endpoints of s under its http_base_path.
func Handler(s *actors.Server) http.Handler {
	m := &monitor{s: s, base: normalizeBasePath(s.Options().HTTPBasePath), reqs: map[string]*atomic.Uint64{}}
	m.cpu.since = s.Stats().Start
	mux := http.NewServeMux()
	handle := func(p string, h http.HandlerFunc) {
		counter := &atomic.Uint64{}
		m.reqs[p] = counter
		mux.HandleFunc(m.path(p), func(w http.ResponseWriter, r *http.Request) {
			counter.Add(1)
			h(w, r)
		})
	}
	m.reqs[rootPath] = &atomic.Uint64{} // counted by handleRoot: it also answers unknown paths
	mux.HandleFunc(m.path(rootPath), m.handleRoot)
	handle(varzPath, m.handleVarz)
	handle(connzPath, m.handleConnz)
	handle(routezPath, m.handleRoutez)
	handle(gatewayzPath, m.handleGatewayz)
	handle(leafzPath, m.handleLeafz)
	handle(subszPath, m.handleSubsz)
	handle(accountzPath, m.handleAccountz)
	handle(accstatzPath, m.handleAccstatz)
	handle(jszPath, m.handleJsz)
	handle(healthzPath, m.handleHealthz)
	handle(actorzPath, m.handleActorz)
	handle(metricsPath, newMetricsHandler(s))
	// As in nats-server, the /subscriptionsz alias counts as /subsz, and neither the stack dump
	// nor expvar is counted.
	mux.HandleFunc(m.path(subsAlias), func(w http.ResponseWriter, r *http.Request) {
		m.reqs[subszPath].Add(1)
		m.handleSubsz(w, r)
	})
	mux.HandleFunc(m.path(stackszPath), handleStacksz)
	mux.Handle(m.path(expvarzPath), expvarHandler())
	return mux
}

// normalizeBasePath is nats-server's: a leading slash, cleaned; "/" when empty.
func normalizeBasePath(p string) string {
	if p == "" {
		return "/"
	}
	if p[0] != '/' {
		p = "/" + p
	}
	return path.Clean(p)
}

func (m *monitor) path(p string) string { return path.Join(m.base, p) }

// requestStats is http_req_stats: the paths asked for at least once, and how often.
func (m *monitor) requestStats() map[string]uint64 {
	out := make(map[string]uint64)
	for p, c := range m.reqs {
		if n := c.Load(); n > 0 {
			out[p] = n
		}
	}
	return out
}

// writeJSON answers as nats-server does (monitor.go handleResponse): pretty-printed JSON with a
// two-space indent, Content-Type application/json and Access-Control-Allow-Origin *.
func writeJSON(w http.ResponseWriter, code int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		writeError(w, http.StatusInternalServerError, err)
		return
	}
	buf := buffers.Get().(*[]byte)
	*buf = indent((*buf)[:0], b)
	writeRaw(w, code, *buf)
	if cap(*buf) <= 8<<20 {
		buffers.Put(buf)
	}
}

func writeRaw(w http.ResponseWriter, code int, b []byte) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Access-Control-Allow-Origin", "*")
	w.WriteHeader(code)
	_, _ = w.Write(b)
}

// writeError answers a bad request as nats-server does: the status and the bare error text.
func writeError(w http.ResponseWriter, code int, err error) {
	w.WriteHeader(code)
	_, _ = w.Write([]byte(err.Error()))
}

// query reads the parameters nats-server's handlers read, with its error texts; the first
// error is kept and the handler answers 400 with it.
type query struct {
	r   *http.Request
	err error
}

func (q *query) get(name string) string { return q.r.URL.Query().Get(name) }

func (q *query) fail(err error) {
	if q.err == nil {
		q.err = err
	}
}

func (q *query) boolean(name string) bool {
	s := q.get(name)
	if s == "" {
		return false
	}
	v, err := strconv.ParseBool(s)
	if err != nil {
		q.fail(fmt.Errorf("Error decoding boolean for '%s': %v", name, err))
	}
	return v
}

func (q *query) integer(name string) int {
	s := q.get(name)
	if s == "" {
		return 0
	}
	v, err := strconv.Atoi(s)
	if err != nil {
		q.fail(fmt.Errorf("Error decoding int for '%s': %v", name, err))
	}
	return v
}

func (q *query) uint64(name string) uint64 {
	s := q.get(name)
	if s == "" {
		return 0
	}
	v, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		q.fail(fmt.Errorf("Error decoding uint64 for '%s': %v", name, err))
	}
	return v
}

// subs reads subs=1|true|... (subscription subjects) or subs=detail.
func (q *query) subs() (subs, detail bool) {
	if strings.ToLower(q.get("subs")) == "detail" {
		return false, true
	}
	return q.boolean("subs"), false
}

// bad answers 400 with the first parameter error, if there was one, and reports whether it did.
func (q *query) bad(w http.ResponseWriter) bool {
	if q.err == nil {
		return false
	}
	writeError(w, http.StatusBadRequest, q.err)
	return true
}

// adminError answers a request the server could not serve (an actor did not answer in time).
func adminError(w http.ResponseWriter, err error) {
	writeError(w, http.StatusServiceUnavailable, fmt.Errorf("monitoring: %w", err))
}
