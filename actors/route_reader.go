package actors

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"runtime/debug"
	"time"

	"github.com/troupe/troupe/protocol"
)

// routeReader is the read side of one route: a plain goroutine like a client's reader. It
// speaks the route protocol (protocol.RouteOps): the handshake (CONNECT on the accepting side,
// INFO on both), the other server's interest (RS+/RS-: entries in the accounts' indexes that
// route matching messages back over this route), and its messages (RMSG/HMSG: delivered to
// this server's clients with the same router a client's reader uses, and never to another
// route: the one-hop rule).
type routeReader struct {
	router
	conn   net.Conn
	rp     *RoutePeer
	parser *protocol.Parser
	onOp   func(*protocol.Op) error

	connectSeen bool   // the accepting side has had the other server's CONNECT
	remoteID    string // the other server's id, from its first INFO

	// subs are the other server's interest entries, by account, subject and queue; changes
	// collects this read's changes by account, posted at the end of the read.
	subs    map[routeSubKey]*subscription
	changes map[*Account][]interestOp
	posted  []chan error // answers of the posted changes still awaited, oldest first
	inMsgs  int64
	inBytes int64
}

type routeSubKey struct{ acc, subject, queue string }

func newRouteReader(srv *shared, conn net.Conn, rp *RoutePeer, quit <-chan struct{}) *routeReader {
	r := &routeReader{router: newRouter(srv, &rp.Endpoint, nil, quit), conn: conn, rp: rp,
		subs: make(map[routeSubKey]*subscription), changes: make(map[*Account][]interestOp)}
	r.fromRoute = true
	r.parser = protocol.NewParser(protocol.RouteOps)
	r.parser.MaxControlLine = int(srv.opts.MaxControlLine)
	r.parser.MaxPayload = -1 // the other server checked its own clients' payloads
	r.onOp = r.handle
	return r
}

func (r *routeReader) run() {
	defer func() {
		if v := recover(); v != nil {
			r.srv.root.Send(r.rp.PID, &readerPanic{value: v, stack: debug.Stack()})
		}
		r.dropInterest()
	}()
	buf := make([]byte, maxReadSize)
	for {
		n, err := r.conn.Read(buf)
		if n > 0 {
			r.rp.lastIn.Store(time.Now().UnixNano())
			r.hint = n
			perr := r.parser.Parse(buf[:n], r.onOp)
			if perr == nil {
				perr = r.postInterest()
			}
			r.handOver()
			if perr != nil {
				r.fail(perr)
				return
			}
		}
		if err != nil {
			reason := ReadError
			if errors.Is(err, io.EOF) {
				reason = ClientClosed
			}
			r.srv.root.Send(r.rp.PID, &readerExit{reason: reason})
			return
		}
	}
}

// handOver counts the read's messages, then hands the batches over.
func (r *routeReader) handOver() {
	if r.inMsgs > 0 {
		r.rp.inMsgs.Add(r.inMsgs)
		r.rp.inBytes.Add(r.inBytes)
		r.srv.stats.inMsgs.Add(r.inMsgs)
		r.srv.stats.inBytes.Add(r.inBytes)
		r.inMsgs, r.inBytes = 0, 0
	}
	r.flush(false)
}

// routeError closes the route, with an -ERR first when text is set.
type routeError struct {
	reason CloseReason
	text   string
}

func (e *routeError) Error() string { return e.reason.String() + ": " + e.text }

func (r *routeReader) fail(err error) {
	if errors.Is(err, errQuit) {
		return
	}
	var re *routeError
	var pe *protocol.Error
	switch {
	case errors.As(err, &re):
		r.srv.root.Send(r.rp.PID, &closeConn{reason: re.reason, err: re.text})
	case errors.As(err, &pe):
		r.srv.root.Send(r.rp.PID, &closeConn{reason: ProtocolViolation, err: pe.Text})
	default:
		r.srv.root.Send(r.rp.PID, &closeConn{reason: ProtocolViolation})
	}
}

func (r *routeReader) send(b []byte) {
	d := r.batchFor(r.own)
	d.buf = append(d.buf, b...)
}

func (r *routeReader) handle(op *protocol.Op) error {
	switch op.Kind {
	case protocol.KindRMsg, protocol.KindRHMsg:
		r.inMsgs++
		r.inBytes += int64(len(op.Payload))
		if acc := r.srv.registry.get(string(op.Account)); acc != nil {
			r.publishIn(acc, r.cacheFor(acc), op.Subject, op.Reply, op, true, 0)
		}
	case protocol.KindRSub:
		r.remoteSub(op)
	case protocol.KindRUnsub:
		r.remoteUnsub(op)
	case protocol.KindPing:
		r.send(pongBytes)
	case protocol.KindPong:
		r.rp.pingsOut.Store(0)
		if sent := r.rp.pingSent.Swap(0); sent != 0 {
			r.rp.rtt.Store(time.Now().UnixNano() - sent)
		}
	case protocol.KindConnect:
		return r.onConnect(op.Arg)
	case protocol.KindInfo:
		return r.onInfo(op.Arg)
	case protocol.KindErr:
		r.srv.log.Error(fmt.Sprintf("%s - rid:%d - Route Error '%s'", r.conn.RemoteAddr(), r.rp.CID, op.Arg))
		return &routeError{reason: ParseError}
	case protocol.KindLSub, protocol.KindLUnsub, protocol.KindLMsg, protocol.KindASub, protocol.KindAUnsub, protocol.KindOK:
		// Leafnode interest and messages (Troupe has no leafnodes; a peer that has some does
		// not send them to a route that did not say lnoc) and gateway interest: ignored.
	}
	return nil
}

// onConnect checks the CONNECT of a server that dialled this one: its cluster and its login.
func (r *routeReader) onConnect(arg []byte) error {
	var c protocol.RouteConnect
	if err := json.Unmarshal(arg, &c); err != nil {
		return &routeError{reason: ProtocolViolation}
	}
	r.connectSeen = true
	if c.Gateway != "" {
		return &routeError{reason: WrongGateway, text: fmt.Sprintf("Wrong port: expected route, got gateway %q", c.Gateway)}
	}
	if o := &r.srv.opts.Cluster; o.Username != "" && (c.User != o.Username || c.Pass != o.Password) {
		return &routeError{reason: AuthenticationViolation, text: "Authorization Violation"}
	}
	return r.checkCluster(c.Cluster, c.Dynamic)
}

// checkCluster compares the other server's cluster name with this one's: a configured name
// must match; a dynamic one gives way to a configured one, and of two dynamic names the larger
// wins (nats-server's rules).
func (r *routeReader) checkCluster(theirs string, dynamic bool) error {
	ours := r.srv.clusterName()
	if theirs == "" || theirs == ours {
		return nil
	}
	if r.srv.cluster.dynamic.Load() && (!dynamic || theirs > ours) {
		r.srv.cluster.name.CompareAndSwap(r.srv.cluster.name.Load(), &theirs)
		r.srv.cluster.dynamic.Store(dynamic)
		return nil
	}
	if dynamic {
		return nil // the other side adopts ours
	}
	return &routeError{reason: ClusterNameConflict,
		text: fmt.Sprintf("Rejecting connection, cluster name %q does not match %q", theirs, ours)}
}

// onInfo takes the other server's INFO: the first completes the handshake.
func (r *routeReader) onInfo(arg []byte) error {
	var info protocol.Info
	if err := json.Unmarshal(arg, &info); err != nil {
		return &routeError{reason: ProtocolViolation}
	}
	if info.ID == r.srv.serverID {
		return &routeError{reason: DuplicateRoute} // a route to itself
	}
	if info.RouteAccount != "" {
		// A pooling nats-server also dials a route dedicated to one account ($SYS by default);
		// a peer without pooling refuses it, as nats-server itself does.
		return &routeError{reason: ProtocolViolation, text: fmt.Sprintf("Not possible to have a dedicated route for account %q between those servers", info.RouteAccount)}
	}
	switch {
	case r.remoteID == "":
		r.remoteID = info.ID
		if err := r.checkCluster(info.Cluster, info.Dynamic); err != nil {
			return err
		}
	case info.ID != r.remoteID:
		// Gossip: another server of the cluster, which this one routes to unless it already does.
		if u, err := url.Parse(info.IP); err == nil && info.IP != "" {
			if pid := r.srv.routes.Load(); pid != nil {
				r.srv.root.Send(pid, &dialRoute{url: u, implicit: true, serverID: info.ID})
			}
		}
		return nil
	}
	r.srv.root.Send(r.rp.PID, &peerInfo{info: info})
	return nil
}

// remoteSub applies RS+: the other server has interest on a subject (with a queue group, so
// many members: the weight).
func (r *routeReader) remoteSub(op *protocol.Op) {
	acc := r.srv.registry.get(string(op.Account))
	if acc == nil {
		return // an account this server does not have (yet)
	}
	k := routeSubKey{acc.Name, string(op.Subject), string(op.Queue)}
	if sub := r.subs[k]; sub != nil {
		sub.weight.Store(int32(op.Weight)) // a queue group's member count changed
		return
	}
	sub := newSubscription(nil, acc, op.Subject, op.Queue, nil)
	sub.via = r.own
	sub.weight.Store(int32(op.Weight))
	r.subs[k] = sub
	r.rp.numSubs.Add(1)
	r.changes[acc] = append(r.changes[acc], interestOp{sub: sub, add: true})
}

// remoteUnsub applies RS-.
func (r *routeReader) remoteUnsub(op *protocol.Op) {
	k := routeSubKey{string(op.Account), string(op.Subject), string(op.Queue)}
	sub := r.subs[k]
	if sub == nil {
		return
	}
	delete(r.subs, k)
	r.rp.numSubs.Add(-1)
	sub.gone.Store(true)
	r.changes[sub.acc] = append(r.changes[sub.acc], interestOp{sub: sub})
}

// postInterest sends this read's interest changes to their accounts, one message per account,
// and reads on; past maxPosted unanswered ones it waits for the oldest, so that a flood of
// RS+ does not queue without bound.
func (r *routeReader) postInterest() error {
	for acc, ops := range r.changes {
		pid := acc.pid.Load()
		if pid == nil {
			continue
		}
		done := make(chan error, 1)
		r.srv.root.Send(pid, &interest{ops: ops, done: done})
		r.posted = append(r.posted, done)
		delete(r.changes, acc)
	}
	for len(r.posted) > maxPosted {
		select {
		case <-r.posted[0]: // a change lost in an account restart is not resent: the route's interest is best effort until it reconnects
		case <-r.quit:
			return errQuit
		}
		r.posted = r.posted[1:]
	}
	return nil
}

// dropInterest removes the other server's interest when the route ends.
func (r *routeReader) dropInterest() {
	byAcc := make(map[*Account][]interestOp)
	for _, sub := range r.subs {
		sub.gone.Store(true)
		byAcc[sub.acc] = append(byAcc[sub.acc], interestOp{sub: sub})
	}
	for acc, ops := range byAcc {
		if pid := acc.pid.Load(); pid != nil {
			r.srv.root.Send(pid, &interest{ops: ops})
		}
	}
	r.rp.numSubs.Store(0)
}
