package actors

import (
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
