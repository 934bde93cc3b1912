package actors

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/troupe/troupe/accounts"
	"github.com/troupe/troupe/actors/mailbox"
	"github.com/troupe/troupe/config"
	"github.com/troupe/troupe/protocol"
)

// maxWriteBatch is how much output a connection gathers before it writes without waiting for its
// mailbox to drain.
const maxWriteBatch = 64 * 1024

// clientActor is the transport side of one client connection. It owns the socket's write side,
// the outbound queue, the ping timer and the close; its reader goroutine owns the read side and
// the protocol session. It writes when its mailbox drains (or past maxWriteBatch), so a burst of
// deliveries costs one writev. A blocked write stalls only this actor.
type clientActor struct {
	srv  *shared
	conn net.Conn
	peer *Peer
	acc  *Account
	quit chan struct{}

	out      []*deliver // queued output, in order
	outSize  int
	vec      net.Buffers
	raw      rawConn // for non-blocking writes on a publisher's goroutine
	rawFn    func(fd uintptr) bool
	written  int
	writeErr error

	connect *protocol.Connect // set once CONNECT is accepted
	ping    *time.Timer
	// authTimer closes a connection that has not authenticated in time; expiry one whose
	// credentials (a user JWT) run out.
	authTimer, expiry *time.Timer
	closed            bool
	reason            CloseReason
}

func newClientProps(srv *shared, conn net.Conn, peer *Peer) *actor.Props {
	return newProps(func() actor.Actor {
		return &clientActor{srv: srv, conn: conn, peer: peer}
	}, nil, true, actor.WithMailbox(func() actor.Mailbox {
		peer.mb = mailbox.New(true) // readers post small deliveries to it directly
		return peer.mb
	}))
}

func (c *clientActor) Receive(ctx actor.Context) {
	switch m := ctx.Message().(type) {
	case *deliver:
		c.enqueue(ctx, m)
	case *mailbox.Drained:
		c.flush(ctx)
	case *connected:
		c.onConnected(ctx, m)
	case *pingTick:
		c.onPing(ctx)
	case *authTimeout:
		if c.connect == nil {
			c.close(ctx, AuthenticationTimeout, accounts.TextAuthenticationTimeout)
		}
	case *authExpired:
		c.close(ctx, AuthenticationExpired, m.text)
	case *closeConn:
		c.close(ctx, m.reason, m.err)
	case *readerExit:
		c.close(ctx, m.reason, "")
	case *slowConsumer:
		c.close(ctx, SlowConsumerPendingBytes, "")
	case *lameDuckInfo:
		if c.peer.asyncInfo.Load() {
			d := getDeliver(512)
			d.buf = c.srv.appendInfo(d.buf, infoFor{cid: c.peer.CID, clientIP: c.peer.ip, ldm: true})
			c.enqueue(ctx, d)
		}
	case *readerPanic:
		panic(m)
	case *crashConnection:
		panic("connection crash requested")
	case *actor.Started:
		c.start(ctx)
	case *actor.Stopping, *actor.Restarting:
		// Stopped by its supervisor (a failure) or by the system: release the socket.
		c.shutdown(ctx, ServerShutdown)
	case *actor.Stopped:
	default:
		c.srv.log.Warn("client: unexpected message", "cid", c.peer.CID, "type", typeName(m))
	}
}

func (c *clientActor) start(ctx actor.Context) {
	c.quit = make(chan struct{})
	c.peer.PID = ctx.Self()
	c.raw = rawOf(c.conn)
	c.rawFn = c.writeFD
	var nonce []byte
	if c.srv.auth.NonceNeeded() {
		nonce = accounts.NewNonce()
	}
	info := c.srv.appendInfo(nil, infoFor{cid: c.peer.CID, clientIP: c.peer.ip, nonce: string(nonce)})
	_ = c.conn.SetWriteDeadline(time.Now().Add(c.srv.opts.WriteDeadline))
	_, err := c.conn.Write(info)
	_ = c.conn.SetWriteDeadline(time.Time{}) // a deadline covers one write, never the inline ones after it
	if err != nil {
		c.shutdown(ctx, WriteError)
		return
	}
	if c.srv.auth.Required() {
		c.authTimer = time.AfterFunc(c.srv.auth.Timeout(), func() { c.srv.root.Send(c.peer.PID, &authTimeout{}) })
	}
	r := newReader(c.srv, c.conn, c.peer, nonce, c.quit)
	go r.run()
	c.debug("Client connection created")
}

// coalesceMax is the largest delivery copied into the room left in the one queued before it:
// queued small deliveries (a PONG each, say) then share buffers instead of each holding one.
const coalesceMax = 4 << 10

func (c *clientActor) enqueue(ctx actor.Context, d *deliver) {
	if c.closed {
		c.uncount(d.counted)
		d.release()
		return
	}
	c.outSize += len(d.buf)
	if n := len(c.out); n > 0 && len(d.buf) <= coalesceMax && len(d.buf) <= cap(c.out[n-1].buf)-len(c.out[n-1].buf) {
		last := c.out[n-1]
		last.buf = append(last.buf, d.buf...)
		last.msgs += d.msgs
		last.bytes += d.bytes
		c.uncount(d.counted) // its memory is given back; last's was charged already
		d.release()
	} else {
		c.out = append(c.out, d)
	}
	if c.outSize >= maxWriteBatch {
		c.flush(ctx)
	}
}

// uncount takes n off the pending count, releasing publishers stalled on this connection once
// it falls below the stall threshold.
func (c *clientActor) uncount(n int64) {
	if n != 0 && c.peer.pending.Add(-n) < c.srv.stallAt {
		c.peer.openGate()
	}
}

// flush writes everything queued, unless a publisher found the connection to be a slow
// consumer: then it closes without writing more.
func (c *clientActor) flush(ctx actor.Context) {
	if c.closed || len(c.out) == 0 {
		return
	}
	if c.peer.slow.Load() {
		c.close(ctx, SlowConsumerPendingBytes, "")
		return
	}
	if err := c.write(); err != nil {
		reason := writeFailure(err)
		if c.peer.slow.Load() {
			reason = SlowConsumerPendingBytes // a publisher interrupted the write
		}
		c.shutdown(ctx, reason)
	}
}

// maxWriteChunk bounds one writev, so that a connection that drains slowly still shows progress
// (publishers only stall for connections that make progress, and its pending bytes fall as it
// drains, not only at the end of a long write) and each write deadline covers a bounded amount
// of data. Small max_pending settings use smaller chunks (shared.writeChunk).
const maxWriteChunk = 1 << 20

// write sends the queued output, one writev per chunk, and settles the counters.
func (c *clientActor) write() error {
	if c.peer.mb.Inline() {
		// On a publisher's goroutine: write what the socket takes now, leave the rest.
		if !c.writeNow() {
			c.writeLater()
		}
		return nil
	}
	var err error
	start := 0
	c.peer.writing.Store(time.Now().UnixNano())
	for start < len(c.out) && err == nil {
		end, size := start, 0
		c.vec = c.vec[:0]
		for end < len(c.out) && (end == start || size+len(c.out[end].buf) <= c.srv.writeChunk) {
			size += len(c.out[end].buf)
			c.vec = append(c.vec, c.out[end].buf)
			end++
		}
		_ = c.conn.SetWriteDeadline(time.Now().Add(c.srv.opts.WriteDeadline))
		if c.peer.slow.Load() {
			err = errSlowConsumer // marked after flush looked: do not block on it
		} else {
			v := c.vec
			_, err = v.WriteTo(c.conn)
		}
		c.settle(c.out[start:end], err == nil)
		start = end
		c.peer.writing.Store(time.Now().UnixNano())
	}
	c.settle(c.out[start:], false)
	c.peer.writing.Store(0)
	// Inline writes run with no deadline (they never wait); one left set would refuse them
	// once it passed. A publisher's interrupt lost here is not missed: it marked the peer slow.
	_ = c.conn.SetWriteDeadline(time.Time{})
	clear(c.out)
	clear(c.vec)
	c.out, c.outSize = c.out[:0], 0
	return err
}

// settle releases written (or abandoned) output: its bytes leave the pending count, which may
// open the stall gate for publishers waiting on this connection.
func (c *clientActor) settle(out []*deliver, written bool) {
	var counted, msgs, bytes int64
	for _, d := range out {
		counted += d.counted
		msgs += d.msgs
		bytes += d.bytes
		d.release()
	}
	c.uncount(counted)
	if written {
		c.peer.lastOut.Store(time.Now().UnixNano())
	}
	if written && msgs != 0 {
		c.peer.outMsgs.Add(msgs)
		c.peer.outBytes.Add(bytes)
		c.srv.stats.outMsgs.Add(msgs)
		c.srv.stats.outBytes.Add(bytes)
	}
}

var errSlowConsumer = errors.New("slow consumer")

func writeFailure(err error) CloseReason {
	if errors.Is(err, os.ErrDeadlineExceeded) {
		return SlowConsumerWriteDeadline
	}
	return WriteError
}

func (c *clientActor) onConnected(ctx actor.Context, m *connected) {
	first := c.connect == nil
	c.connect = &m.opts
	if c.authTimer != nil {
		c.authTimer.Stop()
	}
	if c.expiry != nil {
		c.expiry.Stop()
		c.expiry = nil
	}
	if !m.expires.IsZero() {
		self := ctx.Self()
		c.expiry = time.AfterFunc(time.Until(m.expires), func() {
			c.srv.root.Send(self, &authExpired{text: accounts.TextUserAuthenticationExpired})
		})
	}
	if first {
		c.ping = time.AfterFunc(firstPingDelay(c.srv.opts), func() {
			c.srv.root.Send(ctx.Self(), &pingTick{})
		})
	}
}

// firstPingDelay is nats-server's: the ping interval, capped at 2 s unless
// disable_short_first_ping, plus up to 20% jitter.
func firstPingDelay(o *config.Options) time.Duration {
	d := o.PingInterval
	if !o.DisableShortFirstPing && d > config.FirstClientPingInterval {
		d = config.FirstClientPingInterval
	}
	if j := int64(d / 5); j > 0 {
		d += time.Duration(rand.Int64N(j))
	}
	return d
}

// onPing runs the ping timer: a PING goes out unless the client sent something within the
// interval; more than ping_max unanswered PINGs close the connection as stale.
func (c *clientActor) onPing(ctx actor.Context) {
	if c.closed {
		return
	}
	interval := c.srv.opts.PingInterval
	if time.Since(time.Unix(0, c.peer.lastIn.Load())) >= interval {
		if int(c.peer.pingsOut.Load())+1 > c.srv.opts.MaxPingsOut {
			c.close(ctx, StaleConnection, "Stale Connection")
			return
		}
		c.peer.pingsOut.Add(1)
		c.peer.pingSent.Store(time.Now().UnixNano())
		d := getDeliver(16)
		d.buf = protocol.AppendPing(d.buf)
		c.enqueue(ctx, d)
		c.flush(ctx)
	}
	if !c.closed {
		c.ping.Reset(interval)
	}
}

// close writes what is queued (and a last -ERR), then shuts the connection. A slow consumer is
// not drained: that is the point of closing it.
func (c *clientActor) close(ctx actor.Context, reason CloseReason, errText string) {
	if c.closed {
		return
	}
	if errText != "" {
		d := getDeliver(len(errText) + 16)
		d.buf = protocol.AppendErr(d.buf, errText)
		c.out = append(c.out, d)
	}
	if reason != SlowConsumerPendingBytes && len(c.out) > 0 {
		_ = c.write() // best effort: the connection is closing either way
	}
	c.shutdown(ctx, reason)
}

// shutdown closes the socket, stops the reader and the timer, reports to the clients supervisor
// and stops the actor. It is idempotent.
func (c *clientActor) shutdown(ctx actor.Context, reason CloseReason) {
	if c.closed {
		return
	}
	c.closed = true
	c.reason = reason
	c.peer.closed.Store(true)
	_ = c.conn.Close()
	if c.quit != nil {
		close(c.quit)
	}
	for _, t := range []*time.Timer{c.ping, c.authTimer, c.expiry} {
		if t != nil {
			t.Stop()
		}
	}
	c.settle(c.out, false)
	clear(c.out)
	c.out = c.out[:0]
	c.peer.openGate() // nobody should wait on a closed connection
	switch reason {
	case StaleConnection:
		c.srv.stats.staleConnections.Add(1)
		c.debug("Stale Client Connection - Closing")
	case SlowConsumerPendingBytes, SlowConsumerWriteDeadline:
		c.srv.log.Info(fmt.Sprintf("%s - cid:%d - Slow Consumer Detected: %s", c.conn.RemoteAddr(), c.peer.CID, reason))
	default:
		c.debug("Client connection closed: " + reason.String())
	}
	ctx.Send(ctx.Parent(), &clientClosed{pid: ctx.Self(), info: c.closedInfo()})
	ctx.Stop(ctx.Self())
}

func (c *clientActor) debug(what string) {
	c.srv.log.Debug(fmt.Sprintf("%s - cid:%d - %s", c.conn.RemoteAddr(), c.peer.CID, what))
}

func (c *clientActor) closedInfo() *ConnInfo {
	ci := c.peer.info()
	ci.Stop = time.Now()
	ci.Reason = c.reason
	return ci
}

var _ actor.Actor = (*clientActor)(nil)
