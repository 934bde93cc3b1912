package actors

import (
	"context"
	"fmt"
	"regexp"
	"strconv"
	"time"

	"github.com/troupe/troupe/accounts"
	"github.com/troupe/troupe/protocol"
	"github.com/troupe/troupe/subjects"
)

// session is the protocol side of one client connection: CONNECT options, the connection's
// subscriptions by sid, and what each op means. It does no I/O and knows no actors: what it
// decides goes through sessionIO, which the connection's reader implements (and tests fake).
// It runs on the reader goroutine only.
type session struct {
	srv      *shared
	peer     *Peer
	clientIP string

	opts            protocol.Connect
	connectReceived bool
	firstPongSent   bool
	headers         bool // both sides support headers

	// What the connection may do: set when it binds to an account (at CONNECT, or at accept
	// for no_auth_user).
	perms     *accounts.Perms
	pubPerms  accounts.PublishCache // perms' publish verdicts, cached per subject
	responses *accounts.ResponseTracker
	maxSubs   int    // 0: no limit
	nonce     []byte // sent in INFO, signed by nkey and JWT users

	subs    map[string]*subscription // by sid
	sweepAt int                      // len(subs) at which gone entries are swept next
	pending []interestOp             // SUB/UNSUB not yet sent to the account
	posted  bool                     // some were sent without waiting, and may not be effective yet
	io      sessionIO
	scratch []byte
	inMsgs  int64 // counted here, published to the peer once per read
	inBytes int64
}

// sessionIO is what a session asks of its connection.
type sessionIO interface {
	// send queues protocol bytes for this connection, after everything queued before.
	send(b []byte)
	// publish routes one PUB/HPUB to the matching subscriptions; it reports whether any
	// subscription got it.
	publish(op *protocol.Op, echo bool) bool
	// changeInterest sends SUB/UNSUB changes to the account, in order after those sent
	// before. With wait it returns once they and every change sent before are effective;
	// without, at once.
	changeInterest(ops []interestOp, wait bool) error
	// handOff hands what was routed so far to the other connections. This connection's own
	// output (send) is not written yet: later sends go after it, in order.
	handOff()
	// connected reports an accepted CONNECT to the connection's actor, and when its
	// credentials expire (zero: never).
	connected(c *protocol.Connect, expires time.Time)
	// replySub finds this connection's plain subscription matching a reply subject, for the
	// no-responders status message.
	replySub(reply []byte) *subscription
	// account is the account the connection is bound to.
	account() *Account
	// bind attaches the connection to res's account, permissions and limits; a *closeError
	// when it may not (the account's connection limit).
	bind(res *accounts.Result) error
}

// closeError ends a connection. The session has already queued any -ERR it owes.
type closeError struct{ reason CloseReason }

func (e *closeError) Error() string { return e.reason.String() }

var (
	okBytes   = protocol.AppendOK(nil)
	pongBytes = protocol.AppendPong(nil)
)

func newSession(srv *shared, peer *Peer, clientIP string, nonce []byte, io sessionIO) *session {
	return &session{
		srv:      srv,
		peer:     peer,
		clientIP: clientIP,
		nonce:    nonce,
		maxSubs:  srv.opts.MaxSubscriptions,
		opts:     protocol.DefaultConnect(),
		subs:     make(map[string]*subscription),
		sweepAt:  64,
		io:       io,
	}
}

// handle applies one op. A *closeError means the connection must close.
func (s *session) handle(op *protocol.Op) error {
	if s.srv.opts.Trace {
		s.trace(op)
	}
	switch op.Kind {
	case protocol.KindPub, protocol.KindHPub:
		return s.onPub(op)
	case protocol.KindSub:
		return s.onSub(op)
	case protocol.KindUnsub:
		return s.onUnsub(op)
	}
	// Every other op may observe earlier SUB/UNSUBs: make them effective first.
	if err := s.syncInterest(); err != nil {
		return err
	}
	switch op.Kind {
	case protocol.KindPing:
		return s.onPing()
	case protocol.KindPong:
		s.peer.pingsOut.Store(0)
		if sent := s.peer.pingSent.Swap(0); sent != 0 {
			s.peer.rtt.Store(time.Now().UnixNano() - sent)
		}
	case protocol.KindConnect:
		return s.onConnect(op)
	case protocol.KindInfo, protocol.KindOK:
		// nats-server accepts and ignores both from a client.
	case protocol.KindErr:
		s.srv.log.Debug("client error", "cid", s.peer.CID, "error", string(op.Arg))
		return &closeError{reason: ParseError}
	default:
		s.sendErr("Unknown Protocol Operation")
		return &closeError{reason: ProtocolViolation}
	}
	return nil
}

func (s *session) sendErr(text string) {
	s.scratch = protocol.AppendErr(s.scratch[:0], text)
	s.io.send(s.scratch)
}

func (s *session) onConnect(op *protocol.Op) error {
	if err := protocol.ParseConnect(op.Arg, &s.opts); err != nil {
		return &closeError{reason: ProtocolViolation}
	}
	s.connectReceived = true
	var expires time.Time
	if s.srv.auth.Enforced() {
		// On the reader goroutine: a resolver fetch blocks only this connection.
		ctx, cancel := context.WithTimeout(context.Background(), s.srv.auth.Timeout()+time.Second)
		res, err := s.srv.auth.AuthenticateFrom(ctx, &s.opts, s.nonce, s.clientIP)
		cancel()
		if err != nil {
			s.srv.log.Debug(fmt.Sprintf("%s - cid:%d - %s", s.clientIP, s.peer.CID, accounts.TextAuthorizationViolation))
			s.sendErr(accounts.TextAuthorizationViolation)
			return &closeError{reason: AuthenticationViolation}
		}
		if err := s.io.bind(res); err != nil {
			return err
		}
		expires = res.Expires
		if res.User != "" {
			s.peer.user.Store(&res.User)
		}
	} else if s.opts.Account != "" || s.opts.NewAccount {
		s.sendErr(accounts.TextAuthorizationViolation)
		return &closeError{reason: AuthenticationViolation}
	}
	s.headers = s.srv.info.Headers && s.opts.Headers
	s.peer.headers.Store(s.headers)
	if s.opts.Protocol < 0 || s.opts.Protocol > 1 {
		s.sendErr("invalid client protocol")
		return &closeError{reason: BadClientProtocolVersion}
	}
	if s.opts.NoResponders && !s.headers {
		s.sendErr("no responders requires headers support")
		return &closeError{reason: NoRespondersRequiresHeaders}
	}
	if s.opts.Verbose {
		s.io.send(okBytes)
	}
	c := s.opts
	c.Pass, c.Token, c.Sig, c.JWT = "", "", "", "" // secrets stay in the session
	if s.peer.connect.Swap(&c) == nil {
		// nats-server's first RTT estimate: from accept to CONNECT.
		s.peer.rtt.Store(int64(time.Since(s.peer.start)))
	}
	s.io.connected(&c, expires)
	return nil
}

// applyBinding takes the permissions and limits of an authenticated connection.
func (s *session) applyBinding(res *accounts.Result) {
	s.perms = res.Perms
	s.pubPerms.Reset(res.Perms)
	s.responses = accounts.NewResponseTracker(res.Perms)
	s.peer.perms.Store(res.Perms)
	s.peer.responses.Store(s.responses)
	s.maxSubs = combineLimit(s.srv.opts.MaxSubscriptions, res.Limits.MaxSubscriptions)
}

// combineLimit combines a server limit (0: none) with an account or user limit (NoLimit:
// none): the smaller wins.
func combineLimit(server, other int) int {
	switch {
	case other == accounts.NoLimit:
		return server
	case server <= 0:
		return max(other, 0)
	default:
		return min(server, other)
	}
}

func (s *session) onPub(op *protocol.Op) error {
	if op.Kind == protocol.KindHPub && !s.headers {
		s.srv.log.Debug("message headers not supported", "cid", s.peer.CID)
		return &closeError{reason: ProtocolViolation}
	}
	if err := s.syncInterest(); err != nil {
		return err
	}
	if s.opts.Pedantic && !subjects.ValidLiteral(op.Subject) {
		s.sendErr("Invalid Publish Subject")
	}
	s.inMsgs++
	s.inBytes += int64(op.Size)
	if !s.mayPublish(op) {
		return nil // the violation is answered; the connection stays open
	}
	if s.opts.Verbose {
		s.io.send(okBytes)
	}
	if s.io.publish(op, s.opts.Echo) || len(op.Reply) == 0 || !s.opts.NoResponders {
		return nil
	}
	if sub := s.io.replySub(op.Reply); sub != nil {
		s.scratch = protocol.AppendNoRespondersHMsg(s.scratch[:0], op.Reply, sub.sid, op.Subject)
		s.io.send(s.scratch)
	}
	return nil
}

// mayPublish applies the reserved subjects and the publish permissions, in nats-server's order,
// answering a violation with its -ERR.
func (s *session) mayPublish(op *protocol.Op) bool {
	if accounts.ReservedPublish(op.Subject, s.io.account() == s.srv.sysAcc) ||
		s.perms.RestrictsPublish() && !s.pubPerms.CanPublish(op.Subject) && !s.responses.Allow(op.Subject) {
		s.scratch = protocol.AppendErr(s.scratch[:0], accounts.PubViolation(op.Subject))
		s.io.send(s.scratch)
		return false
	}
	if len(op.Reply) > 0 && accounts.ReservedReply(op.Reply) {
		s.sendErr(accounts.ReplyViolation(op.Reply))
		return false
	}
	return true
}

func (s *session) onSub(op *protocol.Op) error {
	// nats-server's order: permissions, the subscription limit, then the subject itself.
	if !s.perms.CanSubscribe(op.Subject, op.Queue) || string(op.Queue) == "_sys_" {
		s.sendErr(accounts.SubViolation(op.Subject, op.Queue))
		return nil
	}
	if max := s.maxSubs; max > 0 && len(s.subs) >= max {
		s.sweep()
		if len(s.subs) >= max {
			s.sendErr("maximum subscriptions exceeded")
			return nil
		}
	}
	if !subjects.Valid(op.Subject) || (len(op.Queue) > 0 && !subjects.ValidQueue(op.Queue)) {
		s.sendErr("Invalid Subject")
		return nil
	}
	if existing := s.subs[string(op.SID)]; existing == nil || existing.gone.Load() {
		sub := newSubscription(s.peer, s.io.account(), op.Subject, op.Queue, op.SID)
		s.peer.numSubs.Add(1)
		s.subs[string(sub.sid)] = sub
		s.pending = append(s.pending, interestOp{sub: sub, add: true})
		if len(s.subs) >= s.sweepAt {
			s.sweep()
		}
	}
	if s.opts.Verbose {
		s.io.send(okBytes)
	}
	return nil
}

func (s *session) onUnsub(op *protocol.Op) error {
	if sub := s.subs[string(op.SID)]; sub != nil && !s.keepUntilMax(sub, int64(op.Max)) {
		sub.retire()
		delete(s.subs, string(op.SID))
		s.pending = append(s.pending, interestOp{sub: sub})
	}
	if s.opts.Verbose {
		s.io.send(okBytes)
	}
	return nil
}

// keepUntilMax applies "UNSUB <sid> <max>": the subscription stays until it has had max
// deliveries in all, counting those it already had (nats-server semantics). It reports false
// when the subscription must go now.
func (s *session) keepUntilMax(sub *subscription, max int64) bool {
	if max <= 0 || sub.gone.Load() || sub.delivered.Load() >= max {
		return false
	}
	sub.max.Store(max)
	// A publisher that counted before the store did not see the max: check again. Removing
	// twice is harmless, so racing with a publisher that also saw the max reached is fine.
	return sub.delivered.Load() < max
}

func (s *session) onPing() error {
	s.io.handOff() // a PONG means everything before the PING reached its destinations
	s.io.send(pongBytes)
	if s.connectReceived && !s.firstPongSent {
		s.firstPongSent = true
		if s.opts.Protocol >= 1 {
			s.peer.asyncInfo.Store(true)
			s.scratch = s.srv.appendInfo(s.scratch[:0], infoFor{cid: s.peer.CID, clientIP: s.clientIP,
				connectInfo: true, account: s.io.account()})
			s.io.send(s.scratch)
		}
	}
	return nil
}

// syncInterest makes pending and posted SUB/UNSUBs effective before an op that could observe
// them.
func (s *session) syncInterest() error {
	if len(s.pending) == 0 && !s.posted {
		return nil
	}
	err := s.io.changeInterest(s.pending, true)
	s.posted = false
	clear(s.pending)
	s.pending = s.pending[:0]
	return err
}

// postInterest sends the pending SUB/UNSUBs on their way at the end of a read without waiting
// for them: the reader reads on while the account applies them, and the next op that could
// observe them waits (syncInterest). A flood of SUBs is then parsed and indexed at once.
func (s *session) postInterest() error {
	if len(s.pending) == 0 {
		return nil
	}
	err := s.io.changeInterest(s.pending, false)
	s.posted = true
	clear(s.pending)
	s.pending = s.pending[:0]
	return err
}

// sweep drops subscriptions that reached their auto-unsubscribe max (publishers mark them gone
// and remove them from the account; only the session can drop them from its map).
func (s *session) sweep() {
	for sid, sub := range s.subs {
		if sub.gone.Load() {
			delete(s.subs, sid)
		}
	}
	s.sweepAt = max(64, 2*len(s.subs))
}

// allSubs returns every live subscription, for removal when the connection ends.
func (s *session) allSubs() []interestOp {
	ops := make([]interestOp, 0, len(s.subs))
	for _, sub := range s.subs {
		sub.retire()
		ops = append(ops, interestOp{sub: sub})
	}
	return ops
}

// trace logs an inbound op as nats-server's -V does: "<<- [PUB foo 5]", then the payload.
func (s *session) trace(op *protocol.Op) {
	var b []byte
	b = append(b, op.Kind.String()...)
	for _, arg := range [][]byte{op.Subject, op.Queue, op.Reply, op.SID} {
		if len(arg) > 0 {
			b = append(b, ' ')
			b = append(b, arg...)
		}
	}
	switch op.Kind {
	case protocol.KindHPub:
		b = append(append(append(b, ' '), strconv.Itoa(op.HdrLen)...), ' ')
		b = append(b, strconv.Itoa(op.Size)...)
	case protocol.KindPub:
		b = append(append(b, ' '), strconv.Itoa(op.Size)...)
	case protocol.KindUnsub:
		if op.Max > 0 {
			b = append(append(b, ' '), strconv.Itoa(op.Max)...)
		}
	case protocol.KindConnect:
		b = append(append(b, ' '), redactSecrets(op.Arg)...)
	case protocol.KindInfo, protocol.KindErr:
		b = append(append(b, ' '), op.Arg...)
	}
	s.srv.log.Log(context.Background(), levelTrace, fmt.Sprintf("%s - cid:%d - <<- [%s]", s.clientIP, s.peer.CID, b))
	if op.Kind == protocol.KindPub || op.Kind == protocol.KindHPub {
		s.srv.log.Log(context.Background(), levelTrace, fmt.Sprintf("%s - cid:%d - <<- MSG_PAYLOAD: [%q]", s.clientIP, s.peer.CID, op.Payload))
	}
}

// secretField matches the values of CONNECT's secret fields in its JSON.
var secretField = regexp.MustCompile(`("(?:pass|password|auth_token|sig|jwt)"\s*:\s*)"(?:[^"\\]|\\.)*"`)

// redactSecrets replaces the secrets of a CONNECT's JSON, for tracing: a trace never carries a
// password, token, signature or JWT.
func redactSecrets(arg []byte) []byte {
	return secretField.ReplaceAll(arg, []byte(`${1}"[REDACTED]"`))
}
