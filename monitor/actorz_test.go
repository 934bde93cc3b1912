package monitor

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/nats-io/nats.go"
	"github.com/troupe/troupe/actors"
)

// /actorz shows the live supervision tree: it conforms to the declared tree, and its client
// actors are exactly the connected clients, by cid, as they come and go.
func TestActorzAgreesWithConnectedClients(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)
	var conns []*nats.Conn
	for i := range 3 {
		nc := s.connect(t, fmt.Sprintf("client-%d", i))
		flush(t, nc)
		conns = append(conns, nc)
	}
	cidsOf := func(ncs []*nats.Conn) []string {
		var out []string
		for _, nc := range ncs {
			cid, err := nc.GetClientID()
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, fmt.Sprintf("server/clients/c%d", cid))
		}
		return out
	}
	clientIDs := func() ([]string, *Actorz) {
		var a Actorz
		s.getJSON(t, "/actorz", &a)
		if a.Tree == nil {
			t.Fatal("no tree")
		}
		if err := actors.DeclaredTree.Matches(a.Tree); err != nil {
			t.Fatalf("the tree /actorz shows does not conform to the declared one: %v", err)
		}
		var ids []string
		for _, sup := range a.Tree.Children {
			if sup.Kind == "clients" {
				for _, c := range sup.Children {
					if c.Kind != "client" || c.State != "running" {
						t.Errorf("%s: kind %q, state %q", c.ID, c.Kind, c.State)
					}
					ids = append(ids, c.ID)
				}
			}
		}
		return ids, &a
	}

	ids, a := clientIDs()
	if want := cidsOf(conns); !slices.Equal(ids, want) {
		t.Errorf("client actors %v, connected clients %v", ids, want)
	}
	if a.ID != s.ID() || a.Actors != countNodes(a.Tree) || a.Tree.ID != "server" {
		t.Errorf("server_id %q, num_actors %d, root %q", a.ID, a.Actors, a.Tree.ID)
	}
	var monitors int
	for _, sup := range a.Tree.Children {
		for _, c := range sup.Children {
			if c.Kind == "monitor" {
				monitors++
			}
		}
	}
	if monitors != 1 {
		t.Errorf("%d monitor listeners in the tree, want 1 (the one answering)", monitors)
	}

	conns[1].Close()
	waitFor(t, ioTimeout, "the closed client's actor to leave the tree", func() bool {
		ids, _ := clientIDs()
		return slices.Equal(ids, cidsOf([]*nats.Conn{conns[0], conns[2]}))
	})
}

// ?format=text draws the same tree for a person: one actor a line, indented by depth.
func TestActorzText(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)
	nc := s.connect(t, "text")
	flush(t, nc)
	cid, _ := nc.GetClientID()
	r := s.get(t, "/actorz?format=text")
	if r.code != 200 || !strings.HasPrefix(r.header.Get("Content-Type"), "text/plain") {
		t.Fatalf("%d %q", r.code, r.header.Get("Content-Type"))
	}
	text := string(r.body)
	for _, re := range []string{
		`(?m)^server \[running\] mailbox=\d+$`,
		`(?m)^  clients \[running\] mailbox=\d+ restarts=0$`,
		fmt.Sprintf(`(?m)^    c%d client \[running\] mailbox=\d+ restarts=0$`, cid),
		`(?m)^  accounts \[running\] mailbox=\d+ restarts=0$`,
		`(?m)^    \$G account \[running\] mailbox=\d+ restarts=0$`,
		`(?m)^  listeners \[running\] mailbox=\d+ restarts=0$`,
		`(?m)^    client listener \[running\] mailbox=\d+ restarts=0$`,
		`(?m)^    monitor \[running\] mailbox=\d+ restarts=0$`,
	} {
		if !regexp.MustCompile(re).MatchString(text) {
			t.Errorf("no line matching %s in:\n%s", re, text)
		}
	}
	s.expectError(t, "/actorz?format=xml", 400, `invalid format "xml"`)
}

func TestTreeTextOrdersChildren(t *testing.T) {
	t.Parallel()
	tree := &actors.Node{ID: "server", Kind: "server", State: "running", Children: []*actors.Node{
		{ID: "server/clients", Kind: "clients", State: "running", Children: []*actors.Node{
			{ID: "server/clients/c10", Kind: "client", State: "running", Mailbox: 3},
			{ID: "server/clients/c9", Kind: "client", State: "running"},
		}},
		{ID: "server/accounts", Kind: "accounts", State: "restarting", Restarts: 2},
	}}
	sortTree(tree)
	want := "server [running] mailbox=0\n" +
		"  accounts [restarting] mailbox=0 restarts=2\n" +
		"  clients [running] mailbox=0 restarts=0\n" +
		"    c9 client [running] mailbox=0 restarts=0\n" +
		"    c10 client [running] mailbox=3 restarts=0\n"
	if got := treeText(tree); got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
}
