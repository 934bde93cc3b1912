package actors

import (
	"errors"
	"net"
	"net/http"
	"time"

	"github.com/asynkron/protoactor-go/actor"
)

// HTTPEndpoint is an HTTP listener the listeners supervisor runs next to the client listener:
// monitoring (-m) and profiling (--profile).
type HTTPEndpoint struct {
	Kind    string // "monitor" or "profiler": the actor's name and kind in the tree
	Addr    string // host:port; port 0 picks one
	Handler func(*Server) http.Handler
}

// boundHTTP is an endpoint whose socket Start has bound.
type boundHTTP struct {
	kind    string
	ln      net.Listener
	handler http.Handler
}

// httpListenerActor owns one HTTP listening socket and the http.Server on it. Like the client
// listener it is restarted with back-off, and it closes its socket on Stopping and Restarting.
type httpListenerActor struct {
	srv     *shared
	kind    string
	addr    string
	ln      net.Listener
	handler http.Handler
	server  *http.Server
}

// serveFailed is sent by the serving goroutine when Serve returns an error the actor did not
// cause; the actor then fails so that its supervisor restarts it.
type serveFailed struct{ err error }

func newHTTPListenerProps(srv *shared, b *boundHTTP, cell *mailboxCell) *actor.Props {
	addr := b.ln.Addr().String()
	first := b.ln
	return newProps(func() actor.Actor {
		a := &httpListenerActor{srv: srv, kind: b.kind, addr: addr, ln: first, handler: b.handler}
		first = nil
		return a
	}, cell, false)
}

func (a *httpListenerActor) Receive(ctx actor.Context) {
	switch m := ctx.Message().(type) {
	case *actor.Started:
		if a.ln == nil {
			ln, err := net.Listen("tcp", a.addr)
			if err != nil {
				panic(a.kind + " listener: " + err.Error())
			}
			a.ln = ln
		}
		a.server = &http.Server{Handler: a.handler, ReadHeaderTimeout: 5 * time.Second}
		self, server, ln := ctx.Self(), a.server, a.ln
		go func() {
			defer func() {
				if v := recover(); v != nil {
					a.srv.root.Send(self, &serveFailed{err: errors.New("serve panic")})
				}
			}()
			if err := server.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
				a.srv.root.Send(self, &serveFailed{err: err})
			}
		}()
	case *serveFailed:
		panic(a.kind + " listener: " + m.err.Error())
	case *actor.Stopping, *actor.Restarting:
		if a.server != nil {
			_ = a.server.Close()
		} else if a.ln != nil {
			_ = a.ln.Close()
		}
	case *actor.Stopped:
	default:
		a.srv.log.Warn(a.kind+": unexpected message", "type", typeName(m))
	}
}

var _ actor.Actor = (*httpListenerActor)(nil)
