package actors

import (
	"math/bits"
	"sync"
	"unsafe"

	"github.com/troupe/troupe/actors/mailbox"
)

// deliver carries protocol bytes for one connection: every MSG a reader routed to it from one
// socket read, or the connection's own replies (+OK, PONG, -ERR, INFO). It is the only message on
// the data path, one per destination per read, never one per message.
type deliver struct {
	qn      mailbox.Node
	buf     []byte
	msgs    int64 // MSG/HMSG frames in buf, for the out_msgs counter
	bytes   int64 // their payload bytes, for out_bytes
	counted int64 // what the destination's pending count was charged for it (held)
}

// deliverOverhead is what a deliver costs besides its buffer.
const deliverOverhead = int64(unsafe.Sizeof(deliver{}))

// held is the memory d takes, buffer and all: what a destination's pending count is charged
// for it, so that max_pending bounds what a connection really holds, not only the bytes it
// has to write.
func (d *deliver) held() int64 { return int64(cap(d.buf)) + deliverOverhead }

func (d *deliver) QueueNode() *mailbox.Node { return &d.qn }
func (*deliver) IgnoreDeadLetterLogging()   {}

// Buffers are pooled in power-of-two classes from 512 B to 256 KiB. A reader asks for a class
// that fits what one read can produce for one destination, so a small request does not pin a
// 64 KiB buffer and a full read does not regrow one.
const (
	minClassShift = 9  // 512 B
	maxClassShift = 18 // 256 KiB
	numClasses    = maxClassShift - minClassShift + 1
)

var deliverPools [numClasses]sync.Pool

func classFor(size int) int {
	if size <= 1<<minClassShift {
		return 0
	}
	c := bits.Len(uint(size-1)) - minClassShift
	if c >= numClasses {
		c = numClasses - 1
	}
	return c
}

// getDeliver returns an empty deliver whose buffer holds at least hint bytes (up to the largest
// class) and at most four times that.
func getDeliver(hint int) *deliver {
	c := classFor(hint)
	// A batch can outgrow its hint (several subscriptions on one connection), so its buffer
	// may come back a class up: look there too before allocating.
	for k := c; k < min(c+2, numClasses); k++ {
		if d, ok := deliverPools[k].Get().(*deliver); ok {
			return d
		}
	}
	return &deliver{buf: make([]byte, 0, 1<<(c+minClassShift))}
}

// fit returns d, or a copy of it in a buffer of its size when d's buffer is more than twice
// too big: a reader sizes each batch by its read, and many destinations get only a little of
// a read. The big buffer goes back to its pool at once, for the next read.
func (d *deliver) fit() *deliver {
	if cap(d.buf) <= 2*max(len(d.buf), 1<<minClassShift) {
		return d
	}
	c := classFor(len(d.buf))
	f, ok := deliverPools[c].Get().(*deliver)
	if !ok {
		f = &deliver{buf: make([]byte, 0, 1<<(c+minClassShift))}
	}
	f.buf = append(f.buf, d.buf...)
	f.msgs, f.bytes = d.msgs, d.bytes
	d.release()
	return f
}

// release returns d to the pool of its buffer's class. Buffers that grew past the largest class
// are left to the garbage collector.
func (d *deliver) release() {
	capacity := cap(d.buf)
	if capacity < 1<<minClassShift || capacity > 1<<maxClassShift {
		return
	}
	c := bits.Len(uint(capacity)) - 1 - minClassShift
	d.buf = d.buf[:0]
	d.msgs, d.bytes, d.counted = 0, 0, 0
	deliverPools[c].Put(d)
}
