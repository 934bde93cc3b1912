package actors

import (
	"context"
	"errors"
	"io"
	"net"
	"runtime/debug"
	"time"

	"github.com/troupe/troupe/accounts"
	"github.com/troupe/troupe/protocol"
	"github.com/troupe/troupe/subjects"
)

// Read buffer sizes: a quiet connection keeps a small buffer, a busy one grows it (nats-server
// does the same, client.go startBufSize/maxBufSize).
const (
	minReadSize = 512
	maxReadSize = 64 * 1024
	// batchScan is how many destinations of one read are found by scanning before a map is used.
	batchScan = 8
)

// errQuit means the connection's actor is closing it: the reader just stops.
var errQuit = errors.New("connection closing")

// reader is the read side of one client connection: a plain goroutine outside the actor runtime,
// started and owned by the connection's actor. It reads the socket, parses, runs the session and
// routes messages (its router).
type reader struct {
	router
	conn   net.Conn
	self   *Peer
	parser *protocol.Parser
	sess   *session
	onOp   func(*protocol.Op) error

	bound bool // r.acc counts this connection
	// Interest changes sent to the account and not yet confirmed, oldest first, and confirmed
	// ones kept for reuse. A read that ends with SUB/UNSUBs posts them and reads on; the next
	// op that could observe them waits for all (confirm).
	posted, spare []*interest
}

func newReader(srv *shared, conn net.Conn, self *Peer, nonce []byte, quit <-chan struct{}) *reader {
	r := &reader{router: newRouter(srv, &self.Endpoint, self.acc.Load(), quit), conn: conn, self: self}
	r.client = self
	r.parser = protocol.NewParser(protocol.ClientOps)
	r.parser.MaxControlLine = int(srv.opts.MaxControlLine)
	r.parser.MaxPayload = int(srv.opts.MaxPayload)
	r.parser.NoHeaders = true // until a CONNECT asks for headers
	r.sess = newSession(srv, self, self.ip, nonce, r)
	r.onOp = r.sess.handle
	return r
}

// bindAtAccept binds a new connection before it says anything: to $G when the server does not
// check credentials, to the no_auth_user when one is set; otherwise nothing but CONNECT may come
// first.
func (r *reader) bindAtAccept() error {
	auth := r.srv.auth
	if !auth.Enforced() {
		r.acc.conns.Add(1)
		r.bound = true
		return nil
	}
	if res, ok := auth.NoAuthUser(); ok {
		return r.bind(res)
	}
	r.parser.RequireConnect = true
	return nil
}

// run is the reader goroutine. A panic here is outside the actor runtime, so it is recovered
// and handed to the actor, whose supervisor then stops the connection.
func (r *reader) run() {
	defer func() {
		if v := recover(); v != nil {
			r.srv.root.Send(r.self.PID, &readerPanic{value: v, stack: debug.Stack()})
		}
		r.dropInterest()
	}()
	if err := r.bindAtAccept(); err != nil {
		r.fail(err)
		return
	}
	buf := make([]byte, minReadSize)
	small := 0
	for {
		n, err := r.conn.Read(buf)
		if n > 0 {
			if r.process(buf[:n]) {
				return
			}
			switch {
			case n == len(buf) && len(buf) < maxReadSize:
				buf = make([]byte, 2*len(buf))
				small = 0
			case n < len(buf)/2 && len(buf) > minReadSize:
				if small++; small > 8 {
					buf = make([]byte, len(buf)/2)
					small = 0
				}
			default:
				small = 0
			}
		}
		if err != nil {
			reason := ReadError
			if errors.Is(err, io.EOF) {
				reason = ClientClosed
			}
			r.srv.root.Send(r.self.PID, &readerExit{reason: reason})
			return
		}
	}
}

// process handles one read. It reports whether the connection is done.
func (r *reader) process(b []byte) bool {
	r.self.lastIn.Store(time.Now().UnixNano())
	r.hint = len(b)
	err := r.parser.Parse(b, r.onOp)
	if err == nil {
		err = r.sess.postInterest()
	}
	if err != nil {
		r.fail(err)
		return true
	}
	r.handOver(false)
	return false
}

// fail queues the -ERR an error owes, hands over everything routed so far, and asks the actor
// to close the connection after writing it.
func (r *reader) fail(err error) {
	if errors.Is(err, errQuit) {
		return
	}
	reason := ProtocolViolation
	var perr *protocol.Error
	var cerr *closeError
	switch {
	case errors.As(err, &cerr):
		reason = cerr.reason
	case errors.As(err, &perr):
		switch perr {
		case protocol.ErrMaxPayload:
			reason = MaxPayloadExceeded
		case protocol.ErrMaxControlLine:
			reason = MaxControlLineExceeded
		case protocol.ErrAuthViolation:
			reason = AuthenticationViolation
		}
		if perr.Text != "" {
			r.sess.sendErr(perr.Text)
		}
	}
	r.handOver(false)
	r.srv.root.Send(r.self.PID, &closeConn{reason: reason})
}

func (r *reader) countIn() {
	if s := r.sess; s.inMsgs > 0 {
		r.self.inMsgs.Add(s.inMsgs)
		r.self.inBytes.Add(s.inBytes)
		r.srv.stats.inMsgs.Add(s.inMsgs)
		r.srv.stats.inBytes.Add(s.inBytes)
		s.inMsgs, s.inBytes = 0, 0
	}
}

// dropInterest removes the connection's subscriptions from its account when the reader ends.
func (r *reader) dropInterest() {
	if ops := r.sess.allSubs(); len(ops) > 0 {
		if pid := r.acc.pid.Load(); pid != nil {
			r.srv.root.Send(pid, &interest{ops: ops})
		}
	}
	if r.bound {
		r.acc.conns.Add(-1)
		r.bound = false
	}
}

// The sessionIO side.

func (r *reader) send(b []byte) {
	d := r.batchFor(r.own)
	d.buf = append(d.buf, b...)
}

func (r *reader) handOff() { r.handOver(true) }

// handOver counts the read's PUBs, then has the router hand the batches over: first, so that a
// PONG or a delivery is never seen before the PUBs it follows are counted.
func (r *reader) handOver(others bool) {
	r.countIn()
	r.flush(others)
}

func (r *reader) publish(op *protocol.Op, echo bool) bool {
	return r.publishIn(r.acc, r.cache, op.Subject, op.Reply, op, echo, 0)
}

func (r *reader) changeInterest(ops []interestOp, wait bool) error {
	if len(ops) > 0 {
		pid := r.acc.pid.Load()
		if pid == nil {
			return &closeError{reason: MissingAccount}
		}
		var m *interest
		if n := len(r.spare); n > 0 {
			m, r.spare = r.spare[n-1], r.spare[:n-1]
		} else {
			m = &interest{done: make(chan error, 1)}
		}
		m.ops = append(m.ops[:0], ops...)
		r.posted = append(r.posted, m)
		r.srv.root.Send(pid, m)
	}
	if !wait && len(r.posted) < maxPosted {
		return nil
	}
	return r.confirm()
}

// maxPosted bounds the interest changes a reader sends on without waiting: a connection that
// sends only SUB/UNSUBs may not run ahead of its account without bound.
const maxPosted = 16

// confirm waits until every posted change is effective. If the account lost any of them (it
// failed and restarted), all are sent again in order: applying a change twice is harmless,
// applying changes out of order is not.
func (r *reader) confirm() error {
	for attempt := 1; len(r.posted) > 0; attempt++ {
		lost := false
		for _, m := range r.posted { // every answer, so that each done channel is empty again
			select {
			case err := <-m.done:
				lost = lost || err != nil
			case <-r.quit:
				return errQuit
			}
		}
		if !lost {
			for i, m := range r.posted {
				clear(m.ops)
				r.spare = append(r.spare, m)
				r.posted[i] = nil
			}
			r.posted = r.posted[:0]
			return nil
		}
		pid := r.acc.pid.Load()
		if pid == nil || attempt == 3 {
			return &closeError{reason: MissingAccount}
		}
		for _, m := range r.posted {
			r.srv.root.Send(pid, m)
		}
	}
	return nil
}

func (r *reader) connected(c *protocol.Connect, expires time.Time) {
	r.parser.NoHeaders = !r.sess.headers
	r.parser.RequireConnect = false
	r.srv.root.Send(r.self.PID, &connected{opts: *c, expires: expires})
}

// bind attaches the connection to res's account (opening it first in operator mode), with its
// permissions and limits. A second CONNECT may move it to another account: its subscriptions
// are dropped from the old one, as nats-server does.
func (r *reader) bind(res *accounts.Result) error {
	acc := r.srv.registry.get(res.Account)
	if acc == nil && res.AccountDef != nil {
		acc = r.openAccount(res.AccountDef)
	}
	if acc == nil {
		r.sess.sendErr(accounts.TextAuthorizationViolation)
		return &closeError{reason: MissingAccount}
	}
	if acc != r.acc || !r.bound {
		if max := acc.maxConns(); max != accounts.NoLimit && int(acc.conns.Add(1)) > max {
			acc.conns.Add(-1)
			r.sess.sendErr(accounts.TextMaxAccountConnections)
			return &closeError{reason: MaxAccountConnectionsExceeded}
		} else if max == accounts.NoLimit {
			acc.conns.Add(1)
		}
		if r.bound {
			r.acc.conns.Add(-1)
			if ops := r.sess.allSubs(); len(ops) > 0 {
				clear(r.sess.subs)
				if err := r.changeInterest(ops, true); err != nil {
					return err
				}
			}
		}
		r.acc = acc
		r.cache = subjects.NewCache[*subscription](4096)
		r.otherCaches = nil
		r.self.acc.Store(acc)
		r.bound = true
	}
	r.sess.applyBinding(res)
	if p := res.Limits.MaxPayload; p != accounts.NoLimit && (r.parser.MaxPayload <= 0 || int(p) < r.parser.MaxPayload) {
		r.parser.MaxPayload = int(p)
	}
	return nil
}

// openAccount asks the accounts supervisor for an account that exists only as a JWT (operator
// mode). The accounts its imports name are resolved here first, on this reader's goroutine, so
// that a resolver fetch never blocks the supervisor or another connection.
func (r *reader) openAccount(def *accounts.Account) *Account {
	ctx, cancel := context.WithTimeout(context.Background(), r.srv.auth.Timeout()+time.Second)
	defer cancel()
	var exporters []*accounts.Account
	for i := range def.Imports {
		name := def.Imports[i].Account
		if r.srv.registry.get(name) == nil {
			if e, err := r.srv.auth.LookupAccount(ctx, name); err == nil {
				exporters = append(exporters, e)
			}
		}
	}
	pid := r.srv.accounts.Load()
	if pid == nil {
		return nil
	}
	reply := make(chan *Account, 1)
	r.srv.root.Send(pid, &openAccount{def: def, exporters: exporters, reply: reply})
	select {
	case acc := <-reply:
		return acc
	case <-r.quit:
		return nil
	}
}

func (r *reader) account() *Account { return r.acc }

func (r *reader) replySub(reply []byte) *subscription {
	res := r.acc.snap.Load().Match(reply)
	for _, sub := range res.Plain {
		if sub.peer == r.self && !sub.gone.Load() {
			return sub
		}
	}
	return nil
}

var _ sessionIO = (*reader)(nil)
