package monitor

import (
	"net/http"
	"net/http/pprof"
)

// ProfileHandler serves Go's profiles at /debug/pprof/, as nats-server's profiling port
// (--profile, prof_port) does: the index, cmdline, profile (CPU), symbol, trace and every named
// profile (heap, goroutine, block, mutex, allocs, threadcreate).
func ProfileHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	return mux
}
