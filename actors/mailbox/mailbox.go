// Package mailbox is Troupe's actor runtime below protoactor: the mailbox every Troupe actor
// has and the dispatcher that runs it. The ordering guarantees of the broker rest on it: each
// sender's messages are received in the order sent, one Receive runs at a time (on a worker or,
// for PostInline, on the sender's goroutine), and Drained comes on the actor's own goroutine
// when its mailbox runs dry. It knows nothing of NATS.
package mailbox

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"sync/atomic"

	"github.com/asynkron/protoactor-go/actor"
)

// Drained is delivered to an actor, on its own goroutine, each time its mailbox runs dry after
// at least one user message (and, under constant load, every Burst messages). A connection
// actor writes its socket on it: one write per burst of deliveries, never one per delivery.
type Drained struct{}

func (*Drained) NotInfluenceReceiveTimeout() {}
func (*Drained) IgnoreDeadLetterLogging()    {}

// DrainedMsg is the one Drained value.
var DrainedMsg = &Drained{}

// Burst bounds how many user messages run before the actor is told it is drained and the
// goroutine yields, so a busy actor still writes and other goroutines still run.
const Burst = 256

// PanicReason carries a recovered panic with the stack where it happened, so supervisors can
// log what protoactor itself would drop.
type PanicReason struct {
	Value any
	Stack []byte
}

func (p *PanicReason) String() string { return fmt.Sprintf("panic: %v\n%s", p.Value, p.Stack) }

// Mailbox is the mailbox of every Troupe actor. Compared with protoactor's default it
//   - delivers a drained message on the actor's goroutine (the stock MailboxEmpty middleware hook
//     can run concurrently with the next Receive),
//   - keeps the stack of a panic,
//   - links messages that embed a queueNode without allocating a node per Send.
//
// Queues are lock-free (multi-producer, single-consumer); the actor is scheduled by protoactor's
// dispatcher exactly as with the stock mailbox.
type Mailbox struct {
	user      mpscQueue
	system    mpscQueue
	userCount atomic.Int32
	sysCount  atomic.Int32
	scheduled atomic.Int32
	suspended atomic.Bool
	notify    bool // deliver drained messages
	// inline is set while the mailbox runs on a sender's goroutine (PostInline); only the
	// goroutine holding the scheduled flag reads or writes it.
	inline bool
	// handOff ends an inline run early: the actor left work for a worker.
	handOff    bool
	invoker    actor.MessageInvoker
	dispatcher actor.Dispatcher
	processFn  func() // m.process, made once: a method value allocates each time it is taken
}

var _ actor.Mailbox = (*Mailbox)(nil)

// New returns an empty mailbox; notify selects Drained notifications.
func New(notify bool) *Mailbox {
	m := &Mailbox{notify: notify}
	m.processFn = m.process
	m.user.init()
	m.system.init()
	return m
}

func (m *Mailbox) PostUserMessage(msg any) {
	m.user.push(msg)
	m.userCount.Add(1)
	m.schedule()
}

func (m *Mailbox) PostSystemMessage(msg any) {
	m.system.push(msg)
	m.sysCount.Add(1)
	m.schedule()
}

func (m *Mailbox) RegisterHandlers(invoker actor.MessageInvoker, dispatcher actor.Dispatcher) {
	m.invoker = invoker
	m.dispatcher = dispatcher
}

func (m *Mailbox) Start() {}

// HandOff ends an inline run early: the actor left work that needs a worker, which delivers a
// Drained message to do it. It is for the actor's own Receive, during an inline run.
func (m *Mailbox) HandOff() {
	m.handOff = true
	m.PostUserMessage(DrainedMsg)
}

// Inline reports whether the actor is being run on a sender's goroutine (PostInline): it must
// not block. It is for the actor's own Receive.
func (m *Mailbox) Inline() bool { return m.inline }

// UserMessageCount is the mailbox depth, for monitoring.
func (m *Mailbox) UserMessageCount() int { return int(m.userCount.Load()) }

// PostInline posts msg and, if the actor is idle, runs it at once on the caller's goroutine
// rather than waking a worker: for a small delivery (a reply, a PONG) this saves a goroutine
// hand-off on the latency path. The actor knows (inline) and must not block: the client actor
// writes without waiting and leaves what the socket did not take to a worker (HandOff).
// Anything still queued when the run ends goes to a worker as usual.
func (m *Mailbox) PostInline(msg any) {
	m.user.push(msg)
	m.userCount.Add(1)
	if !m.scheduled.CompareAndSwap(0, 1) {
		return // running or scheduled already: the runner will take it
	}
	m.inline = true
	m.run()
	m.inline, m.handOff = false, false
	m.scheduled.Store(0)
	if m.sysCount.Load() > 0 || (m.userCount.Load() > 0 && !m.suspended.Load()) {
		m.schedule()
	}
}

func (m *Mailbox) schedule() {
	if m.scheduled.CompareAndSwap(0, 1) {
		m.dispatcher.Schedule(m.processFn)
	}
}

func (m *Mailbox) process() {
	for {
		m.run()
		m.scheduled.Store(0)
		sys, user := m.sysCount.Load(), m.userCount.Load()
		if sys == 0 && (user == 0 || m.suspended.Load()) {
			return
		}
		// Something arrived after run returned: take the turn back, unless a producer's
		// schedule already did.
		if !m.scheduled.CompareAndSwap(0, 1) {
			return
		}
	}
}

func (m *Mailbox) run() {
	var msg any
	defer func() {
		if r := recover(); r != nil {
			m.invoker.EscalateFailure(&PanicReason{Value: r, Stack: debug.Stack()}, msg)
		}
	}()
	handled := 0
	for {
		if msg = m.system.pop(); msg != nil {
			m.sysCount.Add(-1)
			switch msg.(type) {
			case *actor.SuspendMailbox:
				m.suspended.Store(true)
			case *actor.ResumeMailbox:
				m.suspended.Store(false)
			default:
				m.invoker.InvokeSystemMessage(msg)
			}
			continue
		}
		if m.suspended.Load() || m.handOff {
			return
		}
		if msg = m.user.pop(); msg == nil {
			if handled > 0 && m.notify {
				msg = DrainedMsg
				m.invoker.InvokeUserMessage(DrainedMsg)
			}
			return
		}
		m.userCount.Add(-1)
		m.invoker.InvokeUserMessage(msg)
		if handled++; handled >= Burst {
			if m.notify {
				msg = DrainedMsg
				m.invoker.InvokeUserMessage(DrainedMsg)
			}
			handled = 0
			runtime.Gosched()
		}
	}
}

// Node links a message into a mailbox's queue. Message types that are sent often embed one (and
// implement Queued) so that sending them allocates nothing; other messages get a fresh node.
// A message that embeds a Node may be in one mailbox at a time.
type Node struct {
	next atomic.Pointer[Node]
	msg  any
}

// Queued is a message that carries its own Node.
type Queued interface{ QueueNode() *Node }

// mpscQueue is Dmitry Vyukov's intrusive multi-producer single-consumer queue: producers swap the
// head and link the previous node; the single consumer walks from the tail. pop may report empty
// for a moment while a producer is between its swap and its link; the mailbox's counters make the
// consumer come back for it.
type mpscQueue struct {
	head atomic.Pointer[Node]
	tail *Node
	stub Node
}

func (q *mpscQueue) init() {
	q.head.Store(&q.stub)
	q.tail = &q.stub
}

func (q *mpscQueue) push(msg any) {
	var n *Node
	if qm, ok := msg.(Queued); ok {
		n = qm.QueueNode()
	} else {
		n = &Node{}
	}
	n.msg = msg
	q.pushNode(n)
}

func (q *mpscQueue) pushNode(n *Node) {
	n.next.Store(nil)
	prev := q.head.Swap(n)
	prev.next.Store(n)
}

func (q *mpscQueue) pop() any {
	tail := q.tail
	next := tail.next.Load()
	if tail == &q.stub {
		if next == nil {
			return nil
		}
		q.tail = next
		tail = next
		next = next.next.Load()
	}
	if next != nil {
		q.tail = next
		return take(tail)
	}
	if tail != q.head.Load() {
		return nil // a producer is linking; the counters bring us back
	}
	q.pushNode(&q.stub)
	if next = tail.next.Load(); next != nil {
		q.tail = next
		return take(tail)
	}
	return nil
}

func take(n *Node) any {
	msg := n.msg
	n.msg = nil
	return msg
}
