package monitor

import (
	"fmt"
	"html"
	"net/http"
	"strings"

	"github.com/troupe/troupe/actors"
)

// indexEntries are the links of the index page, nats-server's first, then Troupe's own.
var indexEntries = []struct{ title, path string }{
	{"General", varzPath},
	{"JetStream", jszPath},
	{"Connections", connzPath},
	{"Accounts", accountzPath},
	{"Account Stats", accstatzPath},
	{"Subscriptions", subszPath},
	{"Routes", routezPath},
	{"LeafNodes", leafzPath},
	{"Gateways", gatewayzPath},
	{"Health Probe", healthzPath},
	{"Expvar", expvarzPath},
	{"Actors (supervision tree)", actorzPath},
	{"Actors, as text", actorzPath + "?format=text"},
	{"Prometheus metrics", metricsPath},
}

// handleRoot is the index page at the base path, as nats-server has one: links to every
// endpoint. Any other path below the base that no endpoint serves is a 404.
func (m *monitor) handleRoot(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != m.base {
		http.NotFound(w, r)
		return
	}
	m.reqs[rootPath].Add(1)
	var b strings.Builder
	b.WriteString("<html lang=\"en\">\n<head><title>Troupe monitoring</title>\n")
	b.WriteString("<style>body { font-family: sans-serif; margin-left: 32px } a { display: block; padding-bottom: 6px } .path { color: #999; font-family: monospace }</style>\n")
	b.WriteString("</head>\n<body>\n")
	fmt.Fprintf(&b, "<h1>Troupe v%s</h1>\n<p>%s</p>\n", html.EscapeString(actors.Version), html.EscapeString(m.s.Name()))
	for _, e := range indexEntries {
		p := m.path(e.path)
		fmt.Fprintf(&b, "<a href=\"%s\">%s <span class=\"path\">%s</span></a>\n", html.EscapeString(p), html.EscapeString(e.title), html.EscapeString(p))
	}
	b.WriteString("</body>\n</html>\n")
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, _ = w.Write([]byte(b.String()))
}
