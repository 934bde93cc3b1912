package main

import (
	"errors"
	"log/slog"
	"net"
	"net/http"
	"runtime"
	"strconv"

	"github.com/troupe/troupe/actors"
	"github.com/troupe/troupe/config"
	"github.com/troupe/troupe/monitor"
)

// errHTTPS refuses HTTPS monitoring: without TLS it could only be served as plain HTTP, which
// is not what -ms asks for.
var errHTTPS = errors.New("HTTPS monitoring (-ms, --https_port) is not supported yet: Troupe has no TLS; use -m (--http_port) for HTTP monitoring")

// httpEndpoints are the HTTP listeners the options ask for, as nats-server binds them:
// monitoring on http_host (by default the client host) and the profiler on the client host.
// A port of -1 picks a random one.
func httpEndpoints(opts *config.Options, log *slog.Logger) []actors.HTTPEndpoint {
	var eps []actors.HTTPEndpoint
	if opts.HTTPPort != 0 {
		eps = append(eps, actors.HTTPEndpoint{Kind: "monitor", Addr: listenAddr(opts.HTTPHost, opts.HTTPPort),
			Handler: monitor.Handler})
	}
	if opts.ProfPort != 0 {
		eps = append(eps, actors.HTTPEndpoint{Kind: "profiler", Addr: listenAddr(opts.Host, opts.ProfPort),
			Handler: func(*actors.Server) http.Handler { return monitor.ProfileHandler() }})
	}
	// As nats-server: the block profile rate applies whether or not the profiler port is open.
	runtime.SetBlockProfileRate(opts.ProfBlockRate)
	if opts.ProfBlockRate > 0 {
		log.Warn("Block profiling is enabled (rate " + strconv.Itoa(opts.ProfBlockRate) + "), this may have a performance impact")
	}
	return eps
}

func listenAddr(host string, port int) string {
	if port == config.RandomPort {
		port = 0
	}
	return net.JoinHostPort(host, strconv.Itoa(port))
}
