package actors

import (
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"
)

// Fault isolation: a failed connection, account or listener is contained by its supervisor and
// the rest of the broker keeps serving.

// clientPIDs returns the PIDs of the live client connection actors.
func clientPIDs(t *testing.T, s *Server) []*actor.PID {
	t.Helper()
	tree, err := s.Tree(2 * time.Second)
	if err != nil {
		t.Fatal(err)
	}
	var pids []*actor.PID
	for _, sup := range tree.Children {
		if sup.Kind == "clients" {
			for _, c := range sup.Children {
				pids = append(pids, s.system.NewLocalPID(c.ID))
			}
		}
	}
	return pids
}

func TestLiveTreeMatchesDeclared(t *testing.T) {
	s := startServer(t, nil)
	for range 3 {
		w := dial(t, s)
		w.expectQuiet()
	}
	tree, err := s.Tree(2 * time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if err := DeclaredTree.Matches(tree); err != nil {
		t.Fatal(err)
	}
	if got := len(clientPIDs(t, s)); got != 3 {
		t.Fatalf("live tree has %d clients, 3 are connected", got)
	}
}

func TestArchitectureDocDrawsTheDeclaredTree(t *testing.T) {
	doc, err := os.ReadFile("../docs/architecture.md")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(doc), "```\n"+DeclaredTree.String()+"```") {
		t.Fatalf("docs/architecture.md does not contain the declared tree:\n%s", DeclaredTree)
	}
}

func TestConnectionFailureIsContained(t *testing.T) {
	s := startServer(t, nil)
	victim := dial(t, s)
	victim.send("CONNECT {\"verbose\":false}\r\nSUB foo 1\r\nPING\r\n")
	victim.expect(`^PONG\r\n`)
	pids := clientPIDs(t, s)
	survivor := dial(t, s)
	survivor.send("CONNECT {\"verbose\":false}\r\nSUB foo 1\r\nPING\r\n")
	survivor.expect(`^PONG\r\n`)

	s.system.Root.Send(pids[0], &crashConnection{})
	victim.expectClosed()

	survivor.send("PUB foo 2\r\nok\r\nPING\r\n")
	survivor.expect(`^MSG foo 1 2\r\nok\r\nPONG\r\n`)
	fresh := dial(t, s)
	fresh.expectQuiet()
}

func TestAccountFailureRebuildsIndex(t *testing.T) {
	s := startServer(t, nil)
	sub := dial(t, s)
	sub.send("CONNECT {\"verbose\":false}\r\nSUB a.* 1\r\nSUB b q 2\r\nPING\r\n")
	sub.expect(`^PONG\r\n`)
	before := s.srv.stats.accountRestarts.Load()

	s.system.Root.Send(s.srv.global.pid.Load(), &crashAccount{why: "test"})
	waitFor(t, 2*time.Second, "account restart", func() bool { return s.srv.stats.accountRestarts.Load() > before })

	pub := dial(t, s)
	pub.send("CONNECT {\"verbose\":false}\r\nPUB a.x 1\r\n1\r\nPUB b 1\r\n2\r\nPING\r\n")
	pub.expect(`^PONG\r\n`)
	sub.expect(`^MSG a.x 1 1\r\n1\r\nMSG b 2 1\r\n2\r\n`)
	// The rebuilt account takes new interest too.
	sub.send("SUB c 3\r\nPING\r\n")
	sub.expect(`^PONG\r\n`)
	pub.send("PUB c 1\r\n3\r\nPING\r\n")
	pub.expect(`^PONG\r\n`)
	sub.expect(`^MSG c 3 1\r\n3\r\n`)
}

func TestListenerFailureRestartsWithBackoff(t *testing.T) {
	s := startServer(t, nil)
	existing := dial(t, s)
	before := s.srv.stats.listenerRestarts.Load()
	listener := s.system.NewLocalPID("server/listeners/client")
	s.system.Root.Send(listener, &acceptFailed{err: os.ErrInvalid})
	waitFor(t, 5*time.Second, "listener restart", func() bool { return s.srv.stats.listenerRestarts.Load() > before })
	// The listener listens again on the same address, and the old connection was not touched.
	waitFor(t, 5*time.Second, "accepting again", func() bool {
		w, err := tryDial(s)
		if err != nil {
			return false
		}
		w.Close()
		return true
	})
	existing.expectQuiet()
}

// The account publishes its index once per burst of changes. A failure in the middle of a
// burst loses the changes applied but not yet published: each sender is told so (and a reader
// then resends), none is left waiting, and none is half visible.
func TestAccountFailureAnswersUnpublishedChanges(t *testing.T) {
	s := startServer(t, nil)
	acc := s.srv.global
	pid := acc.pid.Load()
	change := func(n int, prefix string) *interest {
		m := &interest{done: make(chan error, 1)}
		for i := range n {
			sub := newSubscription(nil, acc, fmt.Appendf(nil, "%s.%d", prefix, i), nil, []byte("1"))
			m.ops = append(m.ops, interestOp{sub: sub, add: true})
		}
		return m
	}
	// The account is busy with a large change while the next two messages queue behind it,
	// so the small change and the crash come in one burst, with no publish between them.
	big, small := change(200_000, "big"), change(1, "small")
	s.system.Root.Send(pid, big)
	s.system.Root.Send(pid, small)
	s.system.Root.Send(pid, &crashAccount{why: "test"})
	answers := map[*interest]error{}
	for _, m := range []*interest{big, small} {
		select {
		case err := <-m.done:
			if err != nil && !errors.Is(err, errAccountRestarted) {
				t.Fatalf("a change answered %v", err)
			}
			answers[m] = err
		case <-time.After(10 * time.Second):
			t.Fatalf("a change of %d ops was never answered", len(m.ops))
		}
	}
	// An answer of nil means published (visible); errAccountRestarted means lost (invisible).
	visible := len(acc.snapshot().Match([]byte("small.0")).Plain) == 1
	if visible != (answers[small] == nil) {
		t.Fatalf("the small change answered %v, but visible = %v", answers[small], visible)
	}
	// Resent, as a reader resends, it takes effect.
	again := &interest{ops: small.ops, done: make(chan error, 1)}
	s.system.Root.Send(pid, again)
	if err := <-again.done; err != nil {
		t.Fatal(err)
	}
	if r := acc.snapshot().Match([]byte("small.0")); len(r.Plain) != 1 {
		t.Fatal("the resent change is not in the index")
	}
}

// A reader sends its SUB/UNSUB changes without waiting at the end of each read. If the account
// fails in between and loses an earlier change while a later one survives, the reader must
// send them all again in order: resending only the lost one would apply it after the later one
// (here: the subscription would come back after its UNSUB).
func TestLostInterestChangesAreResentInOrder(t *testing.T) {
	s := startServer(t, nil)
	acc := s.srv.global
	local, remote := net.Pipe()
	t.Cleanup(func() { local.Close(); remote.Close() })
	self := &Peer{Endpoint: Endpoint{CID: 1 << 40, PID: s.system.Root.Spawn(actor.PropsFromFunc(func(actor.Context) {}))}}
	self.acc.Store(acc)
	r := newReader(s.srv, local, self, nil, make(chan struct{}))

	x := newSubscription(self, acc, []byte("x"), nil, []byte("1"))
	add := []interestOp{{sub: x, add: true}}
	for i := range 200_000 { // keeps the account busy while the next messages queue behind
		add = append(add, interestOp{sub: newSubscription(self, acc, fmt.Appendf(nil, "busy.%d", i), nil, []byte("2")), add: true})
	}
	if err := r.changeInterest(add, false); err != nil {
		t.Fatal(err)
	}
	s.system.Root.Send(acc.pid.Load(), &crashAccount{why: "test"})
	if err := r.changeInterest([]interestOp{{sub: x}}, false); err != nil {
		t.Fatal(err)
	}
	if err := r.changeInterest(nil, true); err != nil {
		t.Fatal(err)
	}
	snap := acc.snapshot()
	if len(snap.Match([]byte("x")).Plain) != 0 {
		t.Fatal("the subscription is back after its UNSUB: changes were reapplied out of order")
	}
	if len(snap.Match([]byte("busy.199999")).Plain) != 1 {
		t.Fatal("the lost SUBs were not applied again")
	}
}
