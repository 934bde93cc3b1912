package actors

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/nats-io/nats.go"
)

// watcher registers a test actor as a watcher of acc's local interest and returns what it is
// told, one message at a time.
func watcher(t *testing.T, s *Server, acc *Account) <-chan *interestChanged {
	t.Helper()
	got := make(chan *interestChanged, 64)
	pid := s.system.Root.Spawn(actor.PropsFromFunc(func(ctx actor.Context) {
		if m, ok := ctx.Message().(*interestChanged); ok {
			got <- m
		}
	}))
	s.system.Root.Send(acc.pid.Load(), &watchInterest{pid: pid})
	return got
}

// next returns the changes of the next message as "+subject", "-subject" or "subject queue=N".
func next(t *testing.T, got <-chan *interestChanged) (full bool, changes []string) {
	t.Helper()
	select {
	case m := <-got:
		for _, c := range m.Changes {
			switch {
			case c.Queue != "":
				changes = append(changes, fmt.Sprintf("%s %s=%d", c.Subject, c.Queue, c.Weight))
			case c.Weight > 0:
				changes = append(changes, "+"+c.Subject)
			default:
				changes = append(changes, "-"+c.Subject)
			}
		}
		return m.full, changes
	case <-time.After(5 * time.Second):
		t.Fatal("no interest change came")
		return false, nil
	}
}

// An account tells its watchers (the cluster routes to come) what its connections are
// subscribed to: all of it when the watch starts, then each change, once per subject for plain
// subscriptions and with the member count for queue groups, and again after it restarts.
func TestAccountTellsWatchersOfInterest(t *testing.T) {
	s := startServer(t, nil)
	nc := natsConn(t, s)
	other := natsConn(t, s)
	if _, err := nc.SubscribeSync("before"); err != nil {
		t.Fatal(err)
	}
	nc.QueueSubscribeSync("work", "g")
	nc.Flush()
	got := watcher(t, s, s.srv.global)
	full, all := next(t, got)
	slices.Sort(all)
	if !full || !slices.Equal(all, []string{"+before", "work g=1"}) {
		t.Fatalf("first message: full %v %v", full, all)
	}

	expect := func(what string, want ...string) {
		t.Helper()
		var seen []string
		for len(seen) < len(want) {
			_, c := next(t, got)
			seen = append(seen, c...)
		}
		if !slices.Equal(seen, want) {
			t.Fatalf("%s: got %v, want %v", what, seen, want)
		}
	}
	a, _ := nc.SubscribeSync("foo")
	b, _ := other.SubscribeSync("foo") // a second subscriber: no news
	nc.Flush()
	other.Flush()
	q, _ := other.QueueSubscribeSync("work", "g")
	other.Flush()
	expect("subscribe", "+foo", "work g=2")

	a.Unsubscribe()
	nc.Flush()
	q.Unsubscribe()
	other.Flush()
	expect("one of two leaves", "work g=1")
	b.Unsubscribe()
	other.Flush()
	expect("the last leaves", "-foo")

	// After a restart the account still has its watchers, and its counts.
	s.system.Root.Send(s.srv.global.pid.Load(), &crashAccount{why: "test"})
	waitFor(t, 5*time.Second, "the restart", func() bool { return s.srv.stats.accountRestarts.Load() == 1 })
	c, _ := nc.SubscribeSync("after")
	nc.Flush()
	c.Unsubscribe()
	nc.Flush()
	expect("after a restart", "+after", "-after")

	// A connection that closes takes its interest with it.
	nc.Close()
	var seen []string
	for len(seen) < 2 {
		_, c := next(t, got)
		seen = append(seen, c...)
	}
	slices.Sort(seen)
	if strings.Join(seen, ",") != "-before,work g=0" {
		t.Fatalf("close: %v", seen)
	}
}

// An account counts its interest only while watched; a watcher that comes after the
// subscriptions still gets all of them.
func TestLateWatcherGetsAllInterest(t *testing.T) {
	s := startServer(t, nil)
	nc := natsConn(t, s, nats.Name("subscriber"))
	for i := range 100 {
		nc.SubscribeSync(fmt.Sprintf("s.%d", i))
	}
	nc.Flush()
	_, all := next(t, watcher(t, s, s.srv.global))
	if len(all) != 100 {
		t.Fatalf("%d subjects, want 100", len(all))
	}
}
