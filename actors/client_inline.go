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
func (c *clientActor) writeNow() bool {
	if c.raw == nil || c.peer.slow.Load() {
		return false
	}
	c.vec = c.vec[:0]
	for _, d := range c.out {
		c.vec = append(c.vec, d.buf)
	}
	// The runtime may refuse the write without calling writeFD (a deadline that passed, a
	// closed socket): then nothing was written, whatever an earlier call wrote.
	c.written, c.writeErr = 0, nil
	err := c.raw.Write(c.rawFn)
	clear(c.vec)
	n := max(c.written, 0)
	all := n == c.outSize && err == nil && c.writeErr == nil
	c.consume(n)
	return all
}

// writeFD is the raw write, made a method value once (in start) so a write allocates nothing.
func (c *clientActor) writeFD(fd uintptr) bool {
	if len(c.vec) == 1 {
		c.written, c.writeErr = write1(int(fd), c.vec[0])
	} else {
		c.written, c.writeErr = writev(int(fd), c.vec)
	}
	return true // never wait for the socket here
}

// consume settles the first n bytes of the queue and drops them from it.
func (c *clientActor) consume(n int) {
	i := 0
	for i < len(c.out) && n >= len(c.out[i].buf) {
		n -= len(c.out[i].buf)
		i++
	}
	c.settle(c.out[:i], true)
	if i < len(c.out) && n > 0 {
		d := c.out[i]
		part := min(int64(n), d.counted)
		d.counted -= part
		c.uncount(part)
		d.buf = d.buf[n:]
	}
	left := copy(c.out, c.out[i:])
	clear(c.out[left:])
	c.out = c.out[:left]
	c.outSize = 0
	for _, d := range c.out {
		c.outSize += len(d.buf)
	}
}

// writeLater hands what is left to a worker: the inline run stops, and a worker delivers a
// drained message on which the connection writes, blocking if it must.
func (c *clientActor) writeLater() {
	c.peer.mb.HandOff()
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
