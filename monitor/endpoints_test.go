package monitor

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/troupe/troupe/config"
)

// The index links every endpoint; anything else below the base path is a 404, as in nats-server.
func TestIndexAndUnknownPaths(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)
	r := s.get(t, "/")
	if r.code != http.StatusOK || !strings.HasPrefix(r.header.Get("Content-Type"), "text/html") {
		t.Fatalf("/: %d %q", r.code, r.header.Get("Content-Type"))
	}
	for _, e := range indexEntries {
		if !strings.Contains(string(r.body), `href="`+e.path+`"`) {
			t.Errorf("the index does not link %s", e.path)
		}
		if code := s.get(t, e.path).code; code != http.StatusOK {
			t.Errorf("%s (linked from the index): %d", e.path, code)
		}
	}
	for _, p := range []string{"/nope", "/varz/x", "/raftz"} {
		if code := s.get(t, p).code; code != http.StatusNotFound {
			t.Errorf("%s: %d, want 404", p, code)
		}
	}
}

// http_base_path moves every endpoint under it.
func TestBasePath(t *testing.T) {
	t.Parallel()
	s := startServer(t, func(o *config.Options) { o.HTTPBasePath = "nats/" })
	var v Varz
	s.getJSON(t, "/nats/varz", &v)
	if v.HTTPBasePath != "nats/" || v.ID != s.ID() {
		t.Errorf("http_base_path %q", v.HTTPBasePath)
	}
	if r := s.get(t, "/nats"); r.code != http.StatusOK || !strings.Contains(string(r.body), `href="/nats/connz"`) {
		t.Errorf("/nats: %d, links %s", r.code, r.body)
	}
	for _, p := range []string{"/varz", "/", "/nats/"} {
		if code := s.get(t, p).code; code != http.StatusNotFound {
			t.Errorf("%s: %d, want 404", p, code)
		}
	}
}

// The endpoints of features Troupe lacks answer nats-server's empty shapes; /stacksz dumps the
// goroutines; /debug/vars is Go's expvar.
func TestOtherEndpoints(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)
	var routes Routez
	s.getJSON(t, "/routez?subs=detail", &routes)
	if routes.NumRoutes != 0 || routes.Routes == nil || routes.Name != s.Name() {
		t.Errorf("/routez: %+v", routes)
	}
	var leafs Leafz
	s.getJSON(t, "/leafz", &leafs)
	if leafs.NumLeafs != 0 || leafs.Leafs == nil {
		t.Errorf("/leafz: %+v", leafs)
	}
	var gw Gatewayz
	s.getJSON(t, "/gatewayz", &gw)
	if gw.OutboundGateways == nil || gw.InboundGateways == nil {
		t.Errorf("/gatewayz: %+v", gw)
	}
	var js JSInfo
	s.getJSON(t, "/jsz", &js)
	if !js.Disabled || js.ID != s.ID() {
		t.Errorf("/jsz: %+v", js)
	}
	r := s.get(t, "/stacksz")
	if r.code != http.StatusOK || !strings.Contains(string(r.body), "goroutine ") || !strings.Contains(string(r.body), "handleStacksz") {
		t.Errorf("/stacksz: %d %.200s", r.code, r.body)
	}
	r = s.get(t, "/debug/vars")
	var vars map[string]json.RawMessage
	if err := json.Unmarshal(r.body, &vars); err != nil || vars["memstats"] == nil || vars["cmdline"] == nil {
		t.Errorf("/debug/vars: %v %.200s", err, r.body)
	}
}

// The profiler serves Go's profiles, as nats-server's --profile port does.
func TestProfiler(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil, true)
	base := "http://" + s.HTTPAddr("profiler").String()
	for _, p := range []string{"/debug/pprof/", "/debug/pprof/heap?debug=1", "/debug/pprof/goroutine?debug=1", "/debug/pprof/cmdline"} {
		if r := get(t, base+p); r.code != http.StatusOK || len(r.body) == 0 {
			t.Errorf("%s: %d", p, r.code)
		}
	}
	if code := get(t, base+"/varz").code; code != http.StatusNotFound {
		t.Errorf("the profiler serves /varz: %d", code)
	}
}
