package mailbox

import (
	"runtime"
	"sync"

	"github.com/asynkron/protoactor-go/actor"
)

// Dispatcher runs mailboxes on a small pool of long-lived goroutines instead of a new
// goroutine per schedule (protoactor's default). A fresh goroutine starts on a minimal stack and
// grows it on every run that reaches a syscall (time.Now, writev): measured at about 9% of the
// server's CPU on request/reply. Pooled workers keep their grown stacks. When every worker is
// busy, a schedule falls back to a new goroutine, so the pool bounds nothing but idle memory:
// idle actors still hold no goroutine.
type Dispatcher struct {
	work chan func()
}

// NewDispatcher starts a pool of workers goroutines.
func NewDispatcher(workers int) *Dispatcher {
	d := &Dispatcher{work: make(chan func())}
	for range workers {
		go d.run()
	}
	return d
}

func (d *Dispatcher) run() {
	for fn := range d.work {
		fn()
	}
}

// Schedule hands fn to an idle worker, or to a new goroutine if none is idle.
func (d *Dispatcher) Schedule(fn func()) {
	select {
	case d.work <- fn:
	default:
		go fn()
	}
}

// Throughput is unused: the mailbox bounds its own bursts (Burst).
func (d *Dispatcher) Throughput() int { return Burst }

// Shared is the process's pool, shared by every server in it (tests run many).
var Shared = sync.OnceValue(func() *Dispatcher {
	return NewDispatcher(4 * runtime.GOMAXPROCS(0))
})

var _ actor.Dispatcher = (*Dispatcher)(nil)
