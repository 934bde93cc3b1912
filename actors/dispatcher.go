package actors

import (
	"runtime"
	"sync"

	"github.com/asynkron/protoactor-go/actor"
)

// workerDispatcher runs mailboxes on a small pool of long-lived goroutines instead of a new
// goroutine per schedule (protoactor's default). A fresh goroutine starts on a minimal stack and
// grows it on every run that reaches a syscall (time.Now, writev): measured at about 9% of the
// server's CPU on request/reply. Pooled workers keep their grown stacks. When every worker is
// busy, a schedule falls back to a new goroutine, so the pool bounds nothing but idle memory:
// idle actors still hold no goroutine.
type workerDispatcher struct {
	work chan func()
}

func newWorkerDispatcher(workers int) *workerDispatcher {
	d := &workerDispatcher{work: make(chan func())}
	for range workers {
		go d.run()
	}
	return d
}

func (d *workerDispatcher) run() {
	for fn := range d.work {
		fn()
	}
}

// Schedule hands fn to an idle worker, or to a new goroutine if none is idle.
func (d *workerDispatcher) Schedule(fn func()) {
	select {
	case d.work <- fn:
	default:
		go fn()
	}
}

// Throughput is unused: Troupe's mailbox bounds its own bursts (mailboxBurst).
func (d *workerDispatcher) Throughput() int { return mailboxBurst }

// dispatcher is the process's pool, shared by every server in it (tests run many).
var dispatcher = sync.OnceValue(func() *workerDispatcher {
	return newWorkerDispatcher(4 * runtime.GOMAXPROCS(0))
})

// newProps is how every Troupe actor is made: Troupe's mailbox (drained notifications when
// notify is set) on the pooled dispatcher.
// The mailbox is recorded in cell (when not nil) for the supervisor's view of the tree.
func newProps(producer actor.Producer, cell *mailboxCell, notify bool, opts ...actor.PropsOption) *actor.Props {
	produce := newMailbox(notify)
	mailbox := func() actor.Mailbox {
		m := produce()
		if cell != nil {
			cell.mb = m.(*mailbox)
		}
		return m
	}
	opts = append([]actor.PropsOption{actor.WithMailbox(mailbox), actor.WithDispatcher(dispatcher())}, opts...)
	return actor.PropsFromProducer(producer, opts...)
}
