package mailbox_test

import (
	"fmt"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/troupe/troupe/actors/mailbox"
)

// The runtime's guarantees, through a real protoactor system with Troupe's mailbox and
// dispatcher: what the broker's ordering rests on. Run under -race (CI does).

type msg struct {
	sender, seq int
}

// probe is an actor that records what it receives and checks that no two Receives overlap.
type probe struct {
	inside   atomic.Int32
	overlaps atomic.Int32
	mu       sync.Mutex // only for the test to read got; the actor itself needs none
	got      []any
	onMsg    func(m any)
}

func (p *probe) Receive(ctx actor.Context) {
	if p.inside.Add(1) != 1 {
		p.overlaps.Add(1)
	}
	defer p.inside.Add(-1)
	switch m := ctx.Message().(type) {
	case *msg, *mailbox.Drained, string:
		p.mu.Lock()
		p.got = append(p.got, m)
		p.mu.Unlock()
		if p.onMsg != nil {
			p.onMsg(m)
		}
	}
}

func (p *probe) received() []any {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]any(nil), p.got...)
}

func (p *probe) count(want func(any) bool) int {
	n := 0
	for _, m := range p.received() {
		if want(m) {
			n++
		}
	}
	return n
}

func isMsg(m any) bool { _, ok := m.(*msg); return ok }

func newSystem(t *testing.T) *actor.ActorSystem {
	t.Helper()
	sys := actor.NewActorSystem(actor.WithLoggerFactory(func(*actor.ActorSystem) *slog.Logger {
		return slog.New(slog.NewTextHandler(io.Discard, nil))
	}))
	t.Cleanup(sys.Shutdown)
	return sys
}

// spawn starts p with Troupe's mailbox (Drained notifications when notify) on the shared
// dispatcher, and returns its PID and mailbox.
func spawn(t *testing.T, sys *actor.ActorSystem, p *probe, notify bool, opts ...actor.PropsOption) (*actor.PID, *mailbox.Mailbox) {
	t.Helper()
	var mb *mailbox.Mailbox
	props := actor.PropsFromProducer(func() actor.Actor { return p }, append([]actor.PropsOption{
		actor.WithMailbox(func() actor.Mailbox { mb = mailbox.New(notify); return mb }),
		actor.WithDispatcher(mailbox.Shared()),
	}, opts...)...)
	return sys.Root.Spawn(props), mb
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

// checkFIFO fails unless each sender's messages came in the order sent, all of them.
func checkFIFO(t *testing.T, got []any, senders, each int) {
	t.Helper()
	next := make([]int, senders)
	for _, m := range got {
		if m, ok := m.(*msg); ok {
			if m.seq != next[m.sender] {
				t.Fatalf("sender %d: got %d, want %d", m.sender, m.seq, next[m.sender])
			}
			next[m.sender]++
		}
	}
	for s, n := range next {
		if n != each {
			t.Fatalf("sender %d: %d of %d messages", s, n, each)
		}
	}
}

// Many senders at once, each through the ordinary path or the inline one (running the actor
// on the sender's goroutine when it is idle), some mixing both: every sender's messages arrive
// in order, and Receive never runs twice at a time.
func TestFIFOPerSenderAndOneReceiveAtATime(t *testing.T) {
	sys := newSystem(t)
	p := &probe{}
	pid, mb := spawn(t, sys, p, true)
	const senders, each = 8, 5000
	var wg sync.WaitGroup
	for s := range senders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				m := &msg{sender: s, seq: i}
				switch {
				case s%3 == 0:
					sys.Root.Send(pid, m)
				case s%3 == 1:
					mb.PostInline(m)
				case i%2 == 0:
					mb.PostInline(m)
				default:
					sys.Root.Send(pid, m)
				}
			}
		}()
	}
	wg.Wait()
	waitFor(t, "every message", func() bool { return p.count(isMsg) == senders*each })
	if n := p.overlaps.Load(); n != 0 {
		t.Fatalf("%d Receives overlapped", n)
	}
	checkFIFO(t, p.received(), senders, each)
}

// Drained comes when the mailbox runs dry after user messages, and every Burst messages under
// constant load; never for system messages alone (Started), never without notify.
func TestDrainedDelivery(t *testing.T) {
	sys := newSystem(t)
	release := make(chan struct{})
	p := &probe{}
	first := true
	p.onMsg = func(m any) {
		if _, ok := m.(*msg); ok && first {
			first = false
			<-release // hold the actor while the rest queue up
		}
	}
	pid, _ := spawn(t, sys, p, true)
	n := 2*mailbox.Burst + 10
	for i := range n {
		sys.Root.Send(pid, &msg{seq: i})
	}
	close(release)
	waitFor(t, "three drained", func() bool {
		return p.count(func(m any) bool { _, ok := m.(*mailbox.Drained); return ok }) == 3
	})
	got := p.received()
	var drainedAfter []int
	seen := 0
	for _, m := range got {
		switch m.(type) {
		case *msg:
			seen++
		case *mailbox.Drained:
			drainedAfter = append(drainedAfter, seen)
		}
	}
	if want := []int{mailbox.Burst, 2 * mailbox.Burst, n}; fmt.Sprint(drainedAfter) != fmt.Sprint(want) {
		t.Fatalf("drained after %v messages, want %v", drainedAfter, want)
	}

	quiet := &probe{}
	qpid, _ := spawn(t, sys, quiet, false)
	for i := range 10 {
		sys.Root.Send(qpid, &msg{seq: i})
	}
	sys.Root.Send(qpid, "marker")
	waitFor(t, "the marker", func() bool { return quiet.count(func(m any) bool { return m == "marker" }) == 1 })
	if d := quiet.count(func(m any) bool { _, ok := m.(*mailbox.Drained); return ok }); d != 0 {
		t.Fatalf("%d drained without notify", d)
	}
}

// A panic in Receive during an inline run stays off the sender's goroutine: the sender goes
// on, the supervisor gets the panic with its stack, restarts the actor, and the messages sent
// meanwhile are delivered after the restart, in order.
func TestPanicDuringInlineRun(t *testing.T) {
	sys := newSystem(t)
	var reasons []any
	var mu sync.Mutex
	strategy := actor.NewOneForOneStrategy(10, time.Second, func(reason any) actor.Directive {
		mu.Lock()
		reasons = append(reasons, reason)
		mu.Unlock()
		return actor.RestartDirective
	})
	p := &probe{}
	p.onMsg = func(m any) {
		if m, ok := m.(*msg); ok && m.seq == 3 {
			panic("boom")
		}
	}
	// A parent that supervises the probe with the strategy.
	spawned := make(chan *mailbox.Mailbox, 1)
	parent := actor.PropsFromFunc(func(ctx actor.Context) {
		if _, ok := ctx.Message().(*actor.Started); ok {
			var mb *mailbox.Mailbox
			ctx.Spawn(actor.PropsFromProducer(func() actor.Actor { return p },
				actor.WithMailbox(func() actor.Mailbox { mb = mailbox.New(true); return mb }),
				actor.WithDispatcher(mailbox.Shared())))
			spawned <- mb
		}
	}, actor.WithSupervisor(strategy))
	sys.Root.Spawn(parent)
	mb := <-spawned

	for i := range 10 {
		mb.PostInline(&msg{seq: i}) // the one with seq 3 panics on this goroutine's run
	}
	waitFor(t, "the restart", func() bool { mu.Lock(); defer mu.Unlock(); return len(reasons) == 1 })
	waitFor(t, "the messages after the panic", func() bool { return p.count(isMsg) == 10 })
	mu.Lock()
	pr, ok := reasons[0].(*mailbox.PanicReason)
	mu.Unlock()
	if !ok || pr.Value != "boom" || len(pr.Stack) == 0 {
		t.Fatalf("supervisor got %#v", reasons[0])
	}
	// Each message was received once, in order (the failing one before it panicked).
	checkFIFO(t, p.received(), 1, 10)
	if n := p.overlaps.Load(); n != 0 {
		t.Fatalf("%d overlapping Receives", n)
	}
}
