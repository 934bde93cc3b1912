package actors

import (
	"math/bits"
	"sync"
)

// deliver carries protocol bytes for one connection: every MSG a reader routed to it from one
// socket read, or the connection's own replies (+OK, PONG, -ERR, INFO). It is the only message on
// the data path, one per destination per read, never one per message.
type deliver struct {
	qn      queueNode
	buf     []byte
	msgs    int64 // MSG/HMSG frames in buf, for the out_msgs counter
	bytes   int64 // their payload bytes, for out_bytes
	counted int64 // bytes added to the destination's pending count
}

func (d *deliver) queueNode() *queueNode  { return &d.qn }
func (*deliver) IgnoreDeadLetterLogging() {}

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
// class).
func getDeliver(hint int) *deliver {
	c := classFor(hint)
	// A batch can outgrow its hint (several subscriptions on one connection), so its buffer
	// comes back a class or more up: look there before allocating.
	for k := c; k < numClasses; k++ {
		if d, ok := deliverPools[k].Get().(*deliver); ok {
			return d
		}
	}
	return &deliver{buf: make([]byte, 0, 1<<(c+minClassShift))}
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
