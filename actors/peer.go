package actors

import (
	"net"
	"sync/atomic"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/troupe/troupe/accounts"
	"github.com/troupe/troupe/actors/mailbox"
	"github.com/troupe/troupe/protocol"
)

// Endpoint is the small shared record of one connection of any kind, as the readers that
// deliver to it see it: where deliveries go (PID, mailbox), how much it holds (pending),
// whether it is gone or slow, its liveness and its traffic counters. Readers of other
// connections update it without asking its actor, and monitoring reads it: every mutable
// field is an atomic. Nothing else about a connection is shared.
type Endpoint struct {
	PID  *actor.PID
	CID  uint64
	conn net.Conn // only to interrupt a blocked write of a slow consumer
	// ip and port are the peer's address, read once at accept (INFO, logs and monitoring use it).
	ip    string
	port  int
	mb    *mailbox.Mailbox // the actor's mailbox, for PostInline
	start time.Time

	// pending counts the memory held for this connection's actor and not yet written to its
	// socket. Publishers add before they send; the actor subtracts after it writes. Above
	// max_pending the connection is a slow consumer.
	pending atomic.Int64
	closed  atomic.Bool
	slow    atomic.Bool // a publisher found it over max_pending; its actor closes it

	// writing is when the actor's current write started or last made progress (UnixNano),
	// 0 when it is not writing: publishers stall only for a connection that drains.
	writing atomic.Int64
	// gate is the stall gate: publishers that found the connection over the stall threshold
	// wait on it (briefly); the actor closes it once its pending bytes fall below.
	gate atomic.Pointer[chan struct{}]

	// lastIn and lastOut are the times of the last read and write (UnixNano).
	lastIn   atomic.Int64
	lastOut  atomic.Int64
	pingsOut atomic.Int32
	pingSent atomic.Int64 // when the last server PING went out (UnixNano), for the RTT
	rtt      atomic.Int64 // nanoseconds

	inMsgs, inBytes   atomic.Int64
	outMsgs, outBytes atomic.Int64
}

// Peer is the shared record of one client connection: its Endpoint, and what only a client
// has.
type Peer struct {
	Endpoint

	// acc is the account the connection is bound to: $G until CONNECT authenticates it.
	acc atomic.Pointer[Account]
	// perms are its permissions (nil: all allowed), read by publishers at delivery; responses
	// its allow_responses grants, recorded by publishers that deliver a request to it.
	perms     atomic.Pointer[accounts.Perms]
	responses atomic.Pointer[accounts.ResponseTracker]

	// connect is what the client said in CONNECT (without secrets), for monitoring; user is
	// who it authenticated as (a name, an nkey or a JWT subject, never a secret).
	connect atomic.Pointer[protocol.Connect]
	user    atomic.Pointer[string]

	headers atomic.Bool // it sent CONNECT {"headers":true}
	// asyncInfo: it sent CONNECT with protocol 1 and has had its first PONG, so it takes
	// async INFO (lame-duck notices).
	asyncInfo atomic.Bool
	numSubs   atomic.Int32
}

// interrupt makes a write the connection's actor may be blocked in fail at once. A publisher
// calls it after marking the peer slow, so a slow consumer closes now rather than at its write
// deadline; the actor re-checks the mark after setting each deadline, so it cannot miss it.
func (p *Endpoint) interrupt() {
	if p.conn != nil {
		_ = p.conn.SetWriteDeadline(time.Unix(1, 0))
	}
}

// stallGate returns the channel a stalled publisher waits on, creating it if needed.
func (p *Endpoint) stallGate() <-chan struct{} {
	for {
		if g := p.gate.Load(); g != nil {
			return *g
		}
		ch := make(chan struct{})
		if p.gate.CompareAndSwap(nil, &ch) {
			return ch
		}
	}
}

// openGate releases every publisher stalled on the connection.
func (p *Endpoint) openGate() {
	if p.gate.Load() != nil {
		if g := p.gate.Swap(nil); g != nil {
			close(*g)
		}
	}
}

// subscription is one SUB of one connection, as the account's index holds it. The connection's
// session owns it; publishers read it; the counters are atomics because every publisher that
// matches it may count a delivery.
type subscription struct {
	peer    *Peer     // nil for an import entry
	acc     *Account  // the account whose index holds it
	cross   *crossing // an import entry: where a match goes instead of a connection
	via     *Endpoint // another server's interest: the route a match goes to (peer is nil)
	subject []byte
	queue   []byte
	sid     []byte

	weight    atomic.Int32 // another server's queue members behind a via entry
	max       atomic.Int64 // auto-unsubscribe after this many deliveries; 0 = no limit
	delivered atomic.Int64
	gone      atomic.Bool // unsubscribed, or its max reached: deliver nothing more
}

func newSubscription(p *Peer, acc *Account, subject, queue, sid []byte) *subscription {
	// One allocation holds the three byte strings.
	buf := make([]byte, 0, len(subject)+len(queue)+len(sid))
	buf = append(buf, subject...)
	buf = append(buf, queue...)
	buf = append(buf, sid...)
	s := &subscription{peer: p, acc: acc}
	s.subject = buf[:len(subject):len(subject)]
	s.queue = buf[len(subject) : len(subject)+len(queue) : len(subject)+len(queue)]
	s.sid = buf[len(subject)+len(queue):]
	return s
}

// retire marks the subscription gone, once; it reports whether this call did.
func (s *subscription) retire() bool {
	if s.gone.CompareAndSwap(false, true) {
		s.peer.numSubs.Add(-1)
		return true
	}
	return false
}

// lastActivity is the later of the last read and the last write.
func (p *Endpoint) lastActivity() time.Time {
	return time.Unix(0, max(p.lastIn.Load(), p.lastOut.Load(), p.start.UnixNano()))
}

// claim counts one delivery against the subscription's max. It reports whether the message may
// be delivered, and whether this delivery is the last one (the caller then asks for removal).
func (s *subscription) claim() (ok, last bool) {
	if s.gone.Load() {
		return false, false
	}
	n := s.delivered.Add(1)
	max := s.max.Load()
	if max <= 0 {
		return true, false
	}
	if n > max {
		return false, s.retire()
	}
	if n == max {
		return true, s.retire()
	}
	return true, false
}
