package actors

import "syscall"

// Writing on a publisher's goroutine (mailbox.PostInline). The connection writes what its socket
// takes at once and never waits: what is left, or any trouble, goes to a worker, which writes
// with the usual deadline and closes the connection if it must.

// inlineMax is the largest delivery a reader runs inline: a reply, a PONG, a few messages.
// Larger batches are throughput traffic, written by workers while the reader reads on.
const inlineMax = 8 << 10

// writeNow writes the queue without blocking. It reports whether all of it went out; if not,
// what was written is settled and the queue holds what is left.
func (o *outbound) writeNow() bool {
	if o.raw == nil || o.ep.slow.Load() {
		return false
	}
	o.vec = o.vec[:0]
	for _, d := range o.out {
		o.vec = append(o.vec, d.buf)
	}
	// The runtime may refuse the write without calling writeFD (a deadline that passed, a
	// closed socket): then nothing was written, whatever an earlier call wrote.
	o.written, o.writeErr = 0, nil
	err := o.raw.Write(o.rawFn)
	clear(o.vec)
	n := max(o.written, 0)
	all := n == o.size && err == nil && o.writeErr == nil
	o.consume(n)
	return all
}

// writeFD is the raw write, made a method value once (in start) so a write allocates nothing.
func (o *outbound) writeFD(fd uintptr) bool {
	if len(o.vec) == 1 {
		o.written, o.writeErr = write1(int(fd), o.vec[0])
	} else {
		o.written, o.writeErr = writev(int(fd), o.vec)
	}
	return true // never wait for the socket here
}

// consume settles the first n bytes of the queue and drops them from it.
func (o *outbound) consume(n int) {
	i := 0
	for i < len(o.out) && n >= len(o.out[i].buf) {
		n -= len(o.out[i].buf)
		i++
	}
	o.settle(o.out[:i], true)
	if i < len(o.out) && n > 0 {
		d := o.out[i]
		part := min(int64(n), d.counted)
		d.counted -= part
		o.uncount(part)
		d.buf = d.buf[n:]
	}
	left := copy(o.out, o.out[i:])
	clear(o.out[left:])
	o.out = o.out[:left]
	o.size = 0
	for _, d := range o.out {
		o.size += len(d.buf)
	}
}

// writeLater hands what is left to a worker: the inline run stops, and a worker delivers a
// drained message on which the connection writes, blocking if it must.
func (o *outbound) writeLater() {
	o.ep.mb.HandOff()
}

// rawConn is what the inline path needs of a socket.
type rawConn interface {
	Write(f func(fd uintptr) bool) error
}

func rawOf(c any) rawConn {
	sc, ok := c.(syscall.Conn)
	if !ok {
		return nil
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return nil
	}
	return rc
}
