package actors

import (
	"fmt"
	"math/rand/v2"
	"net"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/troupe/troupe/accounts"
	"github.com/troupe/troupe/actors/mailbox"
	"github.com/troupe/troupe/config"
	"github.com/troupe/troupe/protocol"
)

// clientActor is the transport side of one client connection. It owns the socket's write side,
// the outbound queue, the ping timer and the close; its reader goroutine owns the read side and
// the protocol session. It writes when its mailbox drains (or past maxWriteBatch), so a burst of
// deliveries costs one writev. A blocked write stalls only this actor.
type clientActor struct {
	link
	srv  *shared
	peer *Peer
	acc  *Account

	connect *protocol.Connect // set once CONNECT is accepted
	ping    *time.Timer
	// authTimer closes a connection that has not authenticated in time; expiry one whose
	// credentials (a user JWT) run out.
	authTimer, expiry *time.Timer
}

func newClientProps(srv *shared, conn net.Conn, peer *Peer) *actor.Props {
	return newProps(func() actor.Actor {
		return &clientActor{link: link{conn: conn}, srv: srv, peer: peer}
	}, nil, true, actor.WithMailbox(func() actor.Mailbox {
		peer.mb = mailbox.New(true) // readers post small deliveries to it directly
		return peer.mb
	}))
}

func (c *clientActor) Receive(ctx actor.Context) {
	switch m := ctx.Message().(type) {
	case *deliver:
		if c.out.take(m, c.closed) {
			c.flush(ctx)
		}
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
	case *asyncInfo:
		if c.peer.asyncInfo.Load() {
			d := getDeliver(512)
			d.buf = c.srv.appendInfo(d.buf, infoFor{cid: c.peer.CID, clientIP: c.peer.ip, ldm: m.ldm})
			c.out.take(d, c.closed)
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
	c.open(c.srv, &c.peer.Endpoint, ctx.Self())
	var nonce []byte
	if c.srv.auth.NonceNeeded() {
		nonce = accounts.NewNonce()
	}
	info := c.srv.appendInfo(nil, infoFor{cid: c.peer.CID, clientIP: c.peer.ip, nonce: string(nonce)})
	if err := c.greet(info, c.srv.opts.WriteDeadline); err != nil {
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

// flush writes everything queued; a slow consumer or a failed write closes the connection.
func (c *clientActor) flush(ctx actor.Context) {
	if c.closed {
		return
	}
	if reason := c.out.drain(); reason != 0 {
		c.shutdown(ctx, reason)
	}
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
		if !c.out.ping(c.srv.opts.MaxPingsOut) {
			c.close(ctx, StaleConnection, "Stale Connection")
			return
		}
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
	c.out.last(reason, errText)
	c.shutdown(ctx, reason)
}

// shutdown closes the socket, stops the reader and the timer, reports to the clients supervisor
// and stops the actor. It is idempotent.
func (c *clientActor) shutdown(ctx actor.Context, reason CloseReason) {
	if !c.release(&c.peer.Endpoint, reason) {
		return
	}
	for _, t := range []*time.Timer{c.ping, c.authTimer, c.expiry} {
		if t != nil {
			t.Stop()
		}
	}
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
