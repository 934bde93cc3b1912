package monitor

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
)

// A ready server answers {"status":"ok"}; the JetStream checks nats-server accepts are accepted,
// and its bad requests refused alike.
func TestHealthzOK(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)
	for _, p := range []string{"/healthz", "/healthz?js-enabled-only=true", "/healthz?js-server-only=1", "/healthz?account=foo"} {
		r := s.get(t, p)
		if r.code != http.StatusOK || string(r.body) != `{"status":"ok"}` {
			t.Errorf("%s: %d %s", p, r.code, r.body)
		}
	}
	r := s.get(t, "/healthz?details=true")
	if r.code != http.StatusOK || string(r.body) != `{"status":"ok"}` {
		t.Errorf("details=true: %d %s", r.code, r.body)
	}
	r = s.get(t, "/healthz?stream=orders")
	if r.code != http.StatusBadRequest || string(r.body) != `{"status":"error","error":"\"account\" must not be empty when checking stream health"}` {
		t.Errorf("stream without account: %d %s", r.code, r.body)
	}
	s.expectError(t, "/healthz?details=yes-please", http.StatusBadRequest, "Error decoding boolean for 'details'")
}

// fakeHealth stands in for a server that is starting, in lame duck or shutting down: the
// monitoring listener of a real one is stopped with the client listener at those times (see
// docs/monitoring.md), so the 503 is checked on the handler itself.
type fakeHealth bool

func (h fakeHealth) Healthy() bool { return bool(h) }

func TestHealthzUnavailable(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		query string
		want  HealthStatus
	}{
		{"", HealthStatus{Status: "error", Error: "server is not ready for connections"}},
		{"?details=1", HealthStatus{Status: "error", Errors: []HealthzError{{Type: "CONNECTION", Error: "server is not ready for connections"}}}},
	} {
		w := httptest.NewRecorder()
		healthz(w, httptest.NewRequest("GET", "/healthz"+tc.query, nil), fakeHealth(false))
		var got HealthStatus
		if err := json.Unmarshal(w.Body.Bytes(), &got); err != nil {
			t.Fatal(err)
		}
		if w.Code != http.StatusServiceUnavailable || got.Status != tc.want.Status || got.Error != tc.want.Error ||
			len(got.Errors) != len(tc.want.Errors) || len(got.Errors) > 0 && got.Errors[0] != tc.want.Errors[0] {
			t.Errorf("%q: %d %s, want 503 %+v", tc.query, w.Code, w.Body, tc.want)
		}
		if w.Header().Get("Content-Type") != "application/json" {
			t.Errorf("%q: Content-Type %q", tc.query, w.Header().Get("Content-Type"))
		}
	}
}
