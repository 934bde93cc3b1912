package actors

import (
	"context"
	"errors"
	"io"
	"math/rand/v2"
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
// routes messages. Routing touches no mailbox per message: it matches the subject against the
// account's snapshot (through a match cache) and appends the MSG to a batch per destination; at
// the end of each read it sends every destination one deliver.
type reader struct {
	srv    *shared
	conn   net.Conn
	self   *Peer
	acc    *Account
	quit   <-chan struct{}
	parser *protocol.Parser
	sess   *session
	onOp   func(*protocol.Op) error
	cache  *subjects.Cache[*subscription]

	// Batches of the current read, in the order destinations were first seen.
	peers     []*Peer
	batches   []*deliver
	byPeer    map[*Peer]*deliver // used past batchScan destinations
	lastPeer  *Peer
	lastBatch *deliver
	hint      int // size of the current read, the buffer size asked for new batches

	bound bool        // r.acc counts this connection
	timer *time.Timer // reused: fast-producer stalls
	// Interest changes sent to the account and not yet confirmed, oldest first, and confirmed
	// ones kept for reuse. A read that ends with SUB/UNSUBs posts them and reads on; the next
	// op that could observe them waits for all (confirm).
	posted, spare []*interest

	// Routing across accounts: a match cache per other account, and a subject, a reply and a
	// message with request info per depth.
	otherCaches map[*Account]*subjects.Cache[*subscription]
	subjBuf     [maxCrossings][]byte
	replyBuf    [maxCrossings][]byte
	infoOp      [maxCrossings]protocol.Op
	infoBuf     [maxCrossings][]byte
	info        requestInfo // of the message being routed, once a service import set it
}

func newReader(srv *shared, conn net.Conn, self *Peer, nonce []byte, quit <-chan struct{}) *reader {
	r := &reader{srv: srv, conn: conn, self: self, acc: self.acc.Load(), quit: quit}
	r.parser = protocol.NewParser(protocol.ClientOps)
	r.parser.MaxControlLine = int(srv.opts.MaxControlLine)
	r.parser.MaxPayload = int(srv.opts.MaxPayload)
	r.parser.NoHeaders = true // until a CONNECT asks for headers
	r.sess = newSession(srv, self, self.ip, nonce, r)
	r.onOp = r.sess.handle
	r.cache = subjects.NewCache[*subscription](4096)
	r.timer = time.NewTimer(time.Hour)
	r.timer.Stop()
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
	r.flush(false)
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
	r.flush(false)
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

// batchFor returns the batch of destination p for the current read.
func (r *reader) batchFor(p *Peer) *deliver {
	if p == r.lastPeer {
		return r.lastBatch
	}
	var d *deliver
	if r.byPeer != nil && len(r.peers) > batchScan {
		d = r.byPeer[p]
	} else {
		for i, q := range r.peers {
			if q == p {
				d = r.batches[i]
				break
			}
		}
	}
	if d == nil {
		d = getDeliver(r.hint)
		r.peers = append(r.peers, p)
		r.batches = append(r.batches, d)
		if len(r.peers) > batchScan {
			if r.byPeer == nil {
				r.byPeer = make(map[*Peer]*deliver)
			}
			if len(r.peers) == batchScan+1 {
				for i, q := range r.peers {
					r.byPeer[q] = r.batches[i]
				}
			} else {
				r.byPeer[p] = d
			}
		}
	}
	r.lastPeer, r.lastBatch = p, d
	return d
}

// flush sends each destination of this read its batch, unless it is closed or over max_pending
// (a slow consumer: its actor is told to close, and the batch is dropped). A destination over
// the stall threshold that is still draining makes the reader wait a little first (stall.go).
// Each destination is charged what its batch holds in memory, not only the bytes to write. With
// others only, this connection's own batch (its replies) stays, to be added to until the end of
// the read.
func (r *reader) flush(others bool) {
	r.countIn() // first: a PONG or a delivery must never be seen before the PUBs it follows are counted
	maxPending, stallAt := r.srv.opts.MaxPending, r.srv.stallAt
	budget := stallTotal
	var own *deliver
	for i, p := range r.peers {
		d := r.batches[i]
		if p == r.self && others {
			own = d
			continue
		}
		d = d.fit()
		n := d.held()
		if p != r.self && p.pending.Load()+n > stallAt {
			if r.srv.opts.NoFastProducerStall {
				// nats-server's no_fast_producer_stall: drop for this connection, keep it.
				d.release()
				continue
			}
			if budget > 0 {
				budget -= r.stall(p, n, budget)
			}
		}
		switch {
		case p.closed.Load():
			d.release()
		case p.pending.Add(n) > maxPending:
			p.pending.Add(-n)
			d.release()
			if p.slow.CompareAndSwap(false, true) {
				r.srv.stats.slowConsumers.Add(1)
				p.interrupt()
				r.srv.root.Send(p.PID, &slowConsumer{})
			}
		case len(d.buf) <= inlineMax && p.mb != nil:
			d.counted = n
			p.mb.PostInline(d)
		default:
			d.counted = n
			r.srv.root.Send(p.PID, d)
		}
	}
	clear(r.peers)
	clear(r.batches)
	r.peers, r.batches = r.peers[:0], r.batches[:0]
	if r.byPeer != nil {
		clear(r.byPeer)
	}
	r.lastPeer, r.lastBatch = nil, nil
	if own != nil {
		r.peers, r.batches = append(r.peers, r.self), append(r.batches, own)
	}
}

// The sessionIO side.

func (r *reader) send(b []byte) {
	d := r.batchFor(r.self)
	d.buf = append(d.buf, b...)
}

func (r *reader) handOff() { r.flush(true) }

func (r *reader) publish(op *protocol.Op, echo bool) bool {
	return r.publishIn(r.acc, r.cache, op.Subject, op.Reply, op, echo, 0)
}

// publishIn routes a message in acc: to its subscriptions (one member per queue group), and
// along its import entries to other accounts.
func (r *reader) publishIn(acc *Account, cache *subjects.Cache[*subscription], subject, reply []byte,
	op *protocol.Op, echo bool, depth int) bool {
	res := cache.Match(acc.snap.Load(), subject)
	if res == nil {
		return false
	}
	delivered := false
	for _, sub := range res.Plain {
		if sub.cross != nil {
			if depth < maxCrossings && r.cross(acc, sub.cross, subject, reply, op, echo, depth) {
				delivered = true
			}
			continue
		}
		if r.deliverTo(sub, subject, reply, op, echo) {
			delivered = true
		}
	}
	for i := range res.Queues {
		members := res.Queues[i].Members
		// One member per group: start at a random one, take the first that accepts.
		start := rand.IntN(len(members))
		for j := range members {
			if r.deliverTo(members[(start+j)%len(members)], subject, reply, op, echo) {
				delivered = true
				break
			}
		}
	}
	return delivered
}

// cross takes a message across an import entry of account from into the target account.
func (r *reader) cross(from *Account, rt *crossing, subject, reply []byte, op *protocol.Op, echo bool, depth int) bool {
	target := rt.target
	cache := r.cacheFor(target)
	s := r.subjBuf[depth][:0]
	switch rt.kind {
	case streamImport:
		s = mapSubject(s, subject, rt.from, rt.to)
	case serviceImport:
		s = mapSubject(s, subject, rt.from, rt.to)
		if len(reply) > 0 && rt.back != nil {
			token := rt.back.register(reply)
			r.replyBuf[depth] = responseReply(r.replyBuf[depth][:0], rt.back, token)
			reply = r.replyBuf[depth]
		}
		op = r.withRequestInfo(op, from, rt, depth)
	case serviceResponse:
		token, ok := parseResponse(subject, rt)
		if !ok {
			return false
		}
		orig, ok := rt.claim(token)
		if !ok {
			return false
		}
		s = append(s, orig...)
	}
	r.subjBuf[depth] = s
	return r.publishIn(target, cache, s, reply, op, echo, depth+1)
}

// cacheFor returns this reader's match cache for acc.
func (r *reader) cacheFor(acc *Account) *subjects.Cache[*subscription] {
	if acc == r.acc {
		return r.cache
	}
	if r.otherCaches == nil {
		r.otherCaches = make(map[*Account]*subjects.Cache[*subscription])
	}
	c := r.otherCaches[acc]
	if c == nil {
		c = subjects.NewCache[*subscription](1024)
		r.otherCaches[acc] = c
	}
	return c
}

// deliverTo appends one MSG (or HMSG) for sub to its connection's batch.
func (r *reader) deliverTo(sub *subscription, subject, reply []byte, op *protocol.Op, echo bool) bool {
	p := sub.peer
	if (p == r.self && !echo) || p.closed.Load() {
		return false
	}
	if pm := p.perms.Load(); pm != nil && pm.RestrictsDelivery() && pm.DeniesDelivery(subject, sub.queue) {
		return false
	}
	ok, last := sub.claim()
	if last {
		r.srv.root.Send(sub.acc.pid.Load(), &interest{ops: []interestOp{{sub: sub}}})
	}
	if !ok {
		return false
	}
	d := r.batchFor(p)
	payload := op.Payload
	switch {
	case op.Kind != protocol.KindHPub || op.HdrLen == 0: // an empty header is none (nats-server)
		d.buf = protocol.AppendMsg(d.buf, subject, sub.sid, reply, len(payload))
	case p.headers.Load():
		d.buf = protocol.AppendHMsg(d.buf, subject, sub.sid, reply, op.HdrLen, len(payload))
	default:
		payload = payload[op.HdrLen:] // no header support: strip the headers
		d.buf = protocol.AppendMsg(d.buf, subject, sub.sid, reply, len(payload))
	}
	d.buf = append(d.buf, payload...)
	d.buf = append(d.buf, '\r', '\n')
	d.msgs++
	d.bytes += int64(len(payload))
	if len(reply) > 0 {
		if t := p.responses.Load(); t != nil {
			t.Delivered(reply) // allow_responses: it may answer this reply
		}
	}
	return true
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
