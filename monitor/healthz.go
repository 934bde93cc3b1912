package monitor

import (
	"encoding/json"
	"fmt"
	"net/http"
)

// HealthStatus is /healthz (monitor.go HealthStatus): {"status":"ok"}, or an error and a status
// code of 503.
type HealthStatus struct {
	Status     string         `json:"status"`
	StatusCode int            `json:"status_code,omitempty"`
	Error      string         `json:"error,omitempty"`
	Errors     []HealthzError `json:"errors,omitempty"`
}

// HealthzError is one failed check, with details=true.
type HealthzError struct {
	Type  string `json:"type"`
	Error string `json:"error,omitempty"`
}

// Error types, as nats-server names them.
const (
	healthzConnection = "CONNECTION"
	healthzBadRequest = "BAD_REQUEST"
)

// readiness is what /healthz checks: the server accepts connections and is not shutting down
// (Healthy is false while it starts, in lame duck mode and while it shuts down).
type readiness interface{ Healthy() bool }

func (m *monitor) handleHealthz(w http.ResponseWriter, r *http.Request) {
	healthz(w, r, m.s)
}

// healthz answers a health probe. JetStream's checks (js-enabled-only, js-server-only,
// js-meta-only, account, stream, consumer) are accepted as nats-server accepts them for a server
// without JetStream: only the server itself is checked.
func healthz(w http.ResponseWriter, r *http.Request, s readiness) {
	q := &query{r: r}
	for _, p := range []string{"js-enabled", "js-enabled-only", "js-server-only", "js-meta-only"} {
		q.boolean(p)
	}
	details := q.boolean("details")
	if q.bad(w) {
		return
	}
	h := &HealthStatus{Status: "ok", StatusCode: http.StatusOK}
	fail := func(code int, typ, msg string) {
		h.StatusCode = code
		h.Status = "error"
		if details {
			h.Errors = append(h.Errors, HealthzError{Type: typ, Error: msg})
		} else {
			h.Error = msg
		}
	}
	switch {
	case q.get("account") == "" && q.get("stream") != "":
		fail(http.StatusBadRequest, healthzBadRequest, fmt.Sprintf("%q must not be empty when checking stream health", "account"))
	case q.get("stream") == "" && q.get("consumer") != "":
		fail(http.StatusBadRequest, healthzBadRequest, fmt.Sprintf("%q must not be empty when checking consumer health", "stream"))
	case !s.Healthy():
		fail(http.StatusServiceUnavailable, healthzConnection, "server is not ready for connections")
	}
	code := h.StatusCode
	h.StatusCode = 0 // the HTTP status says it
	b, _ := json.Marshal(h)
	writeRaw(w, code, b)
}
