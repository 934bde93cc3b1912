package actors

import (
	"bytes"
	"math/rand/v2"
	"time"

	"github.com/troupe/troupe/protocol"
	"github.com/troupe/troupe/subjects"
)

// router is the delivery machinery a connection's reader routes its messages with, whatever the
// connection's kind. Routing touches no mailbox per message: it matches the subject against
// the account's snapshot (through a match cache), follows crossings into other accounts, and
// appends each destination's frame to a batch for that destination; at the end of each read it
// sends every destination one deliver (flush), charging it what the batch holds.
type router struct {
	srv  *shared
	own  *Endpoint       // the connection that reads: its own output goes to its batch too
	quit <-chan struct{} // closed when that connection closes
	// acc is the account the connection is bound to, cache its match cache.
	acc   *Account
	cache *subjects.Cache[*subscription]
	// client is the connection when it is a client: its identity for request info.
	client *Peer

	// Batches of the current read, in the order destinations were first seen.
	peers     []*Endpoint
	batches   []*deliver
	byPeer    map[*Endpoint]*deliver // used past batchScan destinations
	lastPeer  *Endpoint
	lastBatch *deliver
	hint      int // size of the current read, the buffer size asked for new batches

	timer *time.Timer // reused: fast-producer stalls

	// Routing across accounts: a match cache per other account, and a subject, a reply and a
	// message with request info per depth.
	otherCaches map[*Account]*subjects.Cache[*subscription]
	subjBuf     [maxCrossings][]byte
	replyBuf    [maxCrossings][]byte
	infoOp      [maxCrossings]protocol.Op
	infoBuf     [maxCrossings][]byte
	info        requestInfo // of the message being routed, once a service import set it

	// fromRoute: the connection is a route, and what it brings goes to no other route (the
	// one-hop rule). fwd are the routes a message goes to, per depth.
	fromRoute bool
	fwd       [maxCrossings + 1][]forward
}

func newRouter(srv *shared, own *Endpoint, acc *Account, quit <-chan struct{}) router {
	r := router{srv: srv, own: own, acc: acc, quit: quit, cache: subjects.NewCache[*subscription](4096)}
	r.timer = time.NewTimer(time.Hour)
	r.timer.Stop()
	return r
}

// batchFor returns the batch of destination p for the current read.
func (r *router) batchFor(p *Endpoint) *deliver {
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
				r.byPeer = make(map[*Endpoint]*deliver)
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
func (r *router) flush(others bool) {
	maxPending, stallAt := r.srv.opts.MaxPending, r.srv.stallAt
	budget := stallTotal
	var kept *deliver
	for i, p := range r.peers {
		d := r.batches[i]
		if p == r.own && others {
			kept = d
			continue
		}
		d = d.fit()
		n := d.held()
		if p != r.own && p.pending.Load()+n > stallAt {
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
	if kept != nil {
		r.peers, r.batches = append(r.peers, r.own), append(r.batches, kept)
	}
}

// publishIn routes a message in acc: to its subscriptions (one member per queue group), and
// along its import entries to other accounts.
func (r *router) publishIn(acc *Account, cache *subjects.Cache[*subscription], subject, reply []byte,
	op *protocol.Op, echo bool, depth int) bool {
	res := cache.Match(acc.snap.Load(), subject)
	if res == nil {
		return false
	}
	delivered := false
	fwd := r.fwd[depth][:0]
	for _, sub := range res.Plain {
		switch {
		case sub.cross != nil:
			if depth < maxCrossings && r.cross(acc, sub.cross, subject, reply, op, echo, depth) {
				delivered = true
			}
		case sub.via != nil:
			if !r.fromRoute { // one hop: what came over a route goes to no other route
				fwd = addForward(fwd, sub.via, "")
			}
		case r.deliverTo(sub, subject, reply, op, echo):
			delivered = true
		}
	}
	for i := range res.Queues {
		g := &res.Queues[i]
		if r.fromRoute && !listed(op.Queues, g.Name) {
			continue // the sending server picked no member of this group here
		}
		members := g.Members
		// One member per group: start at a random one (remote members weighted by theirs, or
		// skipped for a message from a route), take the first that accepts.
		start := r.pickMember(members)
		for j := range members {
			m := members[(start+j)%len(members)]
			if m.via != nil {
				if r.fromRoute {
					continue
				}
				fwd = addForward(fwd, m.via, g.Name)
				delivered = true
				break
			}
			if r.deliverTo(m, subject, reply, op, echo) {
				delivered = true
				break
			}
		}
	}
	for i := range fwd {
		r.forwardTo(&fwd[i], acc, subject, reply, op)
		delivered = true
	}
	clear(fwd)
	r.fwd[depth] = fwd[:0]
	return delivered
}

// forward is one route a message goes to, with the queue groups it was picked for there.
type forward struct {
	to     *Endpoint
	queues []byte // space separated
}

// addForward adds route to's share of a message: once per route, with every queue group the
// message goes to there.
func addForward(fwd []forward, to *Endpoint, queue string) []forward {
	for i := range fwd {
		if fwd[i].to == to {
			if queue != "" {
				fwd[i].queues = appendQueue(fwd[i].queues, queue)
			}
			return fwd
		}
	}
	f := forward{to: to}
	if queue != "" {
		f.queues = appendQueue(nil, queue)
	}
	return append(fwd, f)
}

func appendQueue(list []byte, q string) []byte {
	if len(list) > 0 {
		list = append(list, ' ')
	}
	return append(list, q...)
}

// listed reports whether queue is one of the space separated queues.
func listed(queues []byte, queue string) bool {
	for len(queues) > 0 {
		q, rest, _ := bytes.Cut(queues, []byte{' '})
		if string(q) == queue {
			return true
		}
		queues = rest
	}
	return false
}

// pickMember picks where a queue group's search for a member starts: uniformly among local
// members; with remote members (a route's interest, weighted by how many members the other
// server has) in proportion to weight, as nats-server's weightedQSubIndex.
func (r *router) pickMember(members []*subscription) int {
	total := 0
	for _, m := range members {
		if m.via == nil {
			total++
		} else if !r.fromRoute {
			total += int(max(m.weight.Load(), 1))
		}
	}
	if total == len(members) {
		return rand.IntN(len(members))
	}
	if total == 0 {
		return 0
	}
	n := rand.IntN(total)
	for i, m := range members {
		w := 1
		if m.via != nil {
			if r.fromRoute {
				continue
			}
			w = int(max(m.weight.Load(), 1))
		}
		if n < w {
			return i
		}
		n -= w
	}
	return 0
}

// forwardTo appends the message as RMSG (HMSG with headers) to the route's batch.
func (r *router) forwardTo(f *forward, acc *Account, subject, reply []byte, op *protocol.Op) {
	d := r.batchFor(f.to)
	hdr := -1
	if hasHeaders(op) {
		hdr = op.HdrLen
	}
	d.buf = protocol.AppendRMsg(d.buf, []byte(acc.Name), subject, reply, f.queues, hdr, len(op.Payload))
	d.buf = append(d.buf, op.Payload...)
	d.buf = append(d.buf, '\r', '\n')
	d.msgs++
	d.bytes += int64(len(op.Payload))
}

// hasHeaders reports whether a message carries headers: an empty header is none (nats-server).
func hasHeaders(op *protocol.Op) bool {
	return (op.Kind == protocol.KindHPub || op.Kind == protocol.KindRHMsg) && op.HdrLen > 0
}

// cross takes a message across an import entry of account from into the target account.
func (r *router) cross(from *Account, rt *crossing, subject, reply []byte, op *protocol.Op, echo bool, depth int) bool {
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
func (r *router) cacheFor(acc *Account) *subjects.Cache[*subscription] {
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
func (r *router) deliverTo(sub *subscription, subject, reply []byte, op *protocol.Op, echo bool) bool {
	p := sub.peer
	if (&p.Endpoint == r.own && !echo) || p.closed.Load() {
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
	d := r.batchFor(&p.Endpoint)
	payload := op.Payload
	switch {
	case !hasHeaders(op):
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
