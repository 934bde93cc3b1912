package monitor

import (
	"expvar"
	"net/http"
	"runtime"
)

// handleStacksz is /stacksz: every goroutine's stack, as text (with nats-server's JSON content
// type: it answers through the same response helper).
func handleStacksz(w http.ResponseWriter, _ *http.Request) {
	buf := make([]byte, 64<<10)
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			writeRaw(w, http.StatusOK, buf[:n])
			return
		}
		buf = make([]byte, 2*len(buf))
	}
}

// expvarHandler is /debug/vars: Go's expvar (command line and memory statistics).
func expvarHandler() http.Handler { return expvar.Handler() }
