package actors

import (
	"errors"
	"net"
	"os"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/troupe/troupe/protocol"
)

// outbound is a connection's output: the deliveries queued for its socket and the writes that
// drain them, the same for every connection kind (the kind decides the framing, when readers
// append its frames to batches). It belongs to the connection's actor. It writes without
// blocking when the actor runs on a publisher's goroutine (outbound_inline.go), and with a
// deadline per chunk otherwise; every byte written or given up leaves the endpoint's pending
// count.
type outbound struct {
	srv  *shared
	ep   *Endpoint
	conn net.Conn

	out  []*deliver // queued output, in order
	size int        // bytes in out
	vec  net.Buffers
	// For non-blocking writes on a publisher's goroutine.
	raw      rawConn
	rawFn    func(fd uintptr) bool
	written  int
	writeErr error
}

// link is what every connection actor has, whatever its kind: the socket, its output, the
// channel that stops its reader, and whether it has closed.
type link struct {
	conn   net.Conn
	out    outbound
	quit   chan struct{}
	closed bool
	reason CloseReason
}

// open readies the link for its actor: the actor's PID in the endpoint, the output.
func (l *link) open(srv *shared, ep *Endpoint, self *actor.PID) {
	l.quit = make(chan struct{})
	ep.PID = self
	l.out.init(srv, ep, l.conn)
}

// greet writes a connection's first bytes with a write deadline, which it clears after: a
// deadline covers one write, never the inline writes that come later.
func (l *link) greet(b []byte, deadline time.Duration) error {
	_ = l.conn.SetWriteDeadline(time.Now().Add(deadline))
	_, err := l.conn.Write(b)
	_ = l.conn.SetWriteDeadline(time.Time{})
	return err
}

// release closes the socket, stops the reader and gives up the output, once; it reports
// whether this call did.
func (l *link) release(ep *Endpoint, reason CloseReason) bool {
	if l.closed {
		return false
	}
	l.closed, l.reason = true, reason
	ep.closed.Store(true)
	_ = l.conn.Close()
	if l.quit != nil {
		close(l.quit)
	}
	l.out.abandon()
	ep.openGate() // nobody should wait on a closed connection
	return true
}

func (o *outbound) init(srv *shared, ep *Endpoint, conn net.Conn) {
	o.srv, o.ep, o.conn = srv, ep, conn
	o.raw = rawOf(conn)
	o.rawFn = o.writeFD
}

func (o *outbound) empty() bool { return len(o.out) == 0 }

// maxWriteBatch is how much output a connection gathers before it writes without waiting for its
// mailbox to drain.
const maxWriteBatch = 64 * 1024

// coalesceMax is the largest delivery copied into the room left in the one queued before it:
// queued small deliveries (a PONG each, say) then share buffers instead of each holding one.
const coalesceMax = 4 << 10

// queue adds d after everything queued; it reports whether enough is queued to write now.
func (o *outbound) queue(d *deliver) bool {
	o.size += len(d.buf)
	if n := len(o.out); n > 0 && len(d.buf) <= coalesceMax && len(d.buf) <= cap(o.out[n-1].buf)-len(o.out[n-1].buf) {
		last := o.out[n-1]
		last.buf = append(last.buf, d.buf...)
		last.msgs += d.msgs
		last.bytes += d.bytes
		o.uncount(d.counted) // its memory is given back; last's was charged already
		d.release()
	} else {
		o.out = append(o.out, d)
	}
	return o.size >= maxWriteBatch
}

// take queues d, or drops it when the connection is closed; it reports whether to write now.
func (o *outbound) take(d *deliver, closed bool) bool {
	if closed {
		o.discard(d)
		return false
	}
	return o.queue(d)
}

// drain writes everything queued, unless a publisher found the connection to be a slow
// consumer. It returns why the connection must close; 0 when it need not.
func (o *outbound) drain() CloseReason {
	if o.empty() {
		return 0
	}
	if o.ep.slow.Load() {
		return SlowConsumerPendingBytes
	}
	if err := o.write(); err != nil {
		if o.ep.slow.Load() {
			return SlowConsumerPendingBytes // a publisher interrupted the write
		}
		return writeFailure(err)
	}
	return 0
}

// last queues a final -ERR (when errText is set) and writes what is queued, best effort: the
// connection is closing either way. A slow consumer is not drained: that is the point of
// closing it.
func (o *outbound) last(reason CloseReason, errText string) {
	if errText != "" {
		d := getDeliver(len(errText) + 16)
		d.buf = protocol.AppendErr(d.buf, errText)
		o.queue(d)
	}
	if reason != SlowConsumerPendingBytes && !o.empty() {
		_ = o.write()
	}
}

// ping queues a PING and counts it unanswered; it reports false instead when max are
// unanswered already: the connection is stale.
func (o *outbound) ping(max int) bool {
	if int(o.ep.pingsOut.Load())+1 > max {
		return false
	}
	o.ep.pingsOut.Add(1)
	o.ep.pingSent.Store(time.Now().UnixNano())
	d := getDeliver(16)
	d.buf = protocol.AppendPing(d.buf)
	o.queue(d)
	return true
}

// discard drops a delivery that came after the connection closed.
func (o *outbound) discard(d *deliver) {
	o.uncount(d.counted)
	d.release()
}

// abandon gives up everything queued: the connection is closing.
func (o *outbound) abandon() {
	o.settle(o.out, false)
	clear(o.out)
	o.out, o.size = o.out[:0], 0
}

// uncount takes n off the pending count, releasing publishers stalled on this connection once
// it falls below the stall threshold.
func (o *outbound) uncount(n int64) {
	if n != 0 && o.ep.pending.Add(-n) < o.srv.stallAt {
		o.ep.openGate()
	}
}

// maxWriteChunk bounds one writev, so that a connection that drains slowly still shows progress
// (publishers only stall for connections that make progress, and its pending bytes fall as it
// drains, not only at the end of a long write) and each write deadline covers a bounded amount
// of data. Small max_pending settings use smaller chunks (shared.writeChunk).
const maxWriteChunk = 1 << 20

// write sends the queued output, one writev per chunk, and settles the counters.
func (o *outbound) write() error {
	if o.ep.mb.Inline() {
		// On a publisher's goroutine: write what the socket takes now, leave the rest.
		if !o.writeNow() {
			o.writeLater()
		}
		return nil
	}
	var err error
	start := 0
	o.ep.writing.Store(time.Now().UnixNano())
	for start < len(o.out) && err == nil {
		end, size := start, 0
		o.vec = o.vec[:0]
		for end < len(o.out) && (end == start || size+len(o.out[end].buf) <= o.srv.writeChunk) {
			size += len(o.out[end].buf)
			o.vec = append(o.vec, o.out[end].buf)
			end++
		}
		_ = o.conn.SetWriteDeadline(time.Now().Add(o.srv.opts.WriteDeadline))
		if o.ep.slow.Load() {
			err = errSlowConsumer // marked after flush looked: do not block on it
		} else {
			v := o.vec
			_, err = v.WriteTo(o.conn)
		}
		o.settle(o.out[start:end], err == nil)
		start = end
		o.ep.writing.Store(time.Now().UnixNano())
	}
	o.settle(o.out[start:], false)
	o.ep.writing.Store(0)
	// Inline writes run with no deadline (they never wait); one left set would refuse them
	// once it passed. A publisher's interrupt lost here is not missed: it marked the peer slow.
	_ = o.conn.SetWriteDeadline(time.Time{})
	clear(o.out)
	clear(o.vec)
	o.out, o.size = o.out[:0], 0
	return err
}

// settle releases written (or abandoned) output: its bytes leave the pending count, which may
// open the stall gate for publishers waiting on this connection.
func (o *outbound) settle(out []*deliver, written bool) {
	var counted, msgs, bytes int64
	for _, d := range out {
		counted += d.counted
		msgs += d.msgs
		bytes += d.bytes
		d.release()
	}
	o.uncount(counted)
	if written {
		o.ep.lastOut.Store(time.Now().UnixNano())
	}
	if written && msgs != 0 {
		o.ep.outMsgs.Add(msgs)
		o.ep.outBytes.Add(bytes)
		o.srv.stats.outMsgs.Add(msgs)
		o.srv.stats.outBytes.Add(bytes)
	}
}

var errSlowConsumer = errors.New("slow consumer")

func writeFailure(err error) CloseReason {
	if errors.Is(err, os.ErrDeadlineExceeded) {
		return SlowConsumerWriteDeadline
	}
	return WriteError
}
