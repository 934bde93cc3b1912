package actors

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/troupe/troupe/actors/mailbox"
)

// describe asks an actor what it is and which children it has. Every actor of the tree answers
// it; it is for monitoring and tests (RequestFuture), never the data path.
type describe struct{}

// description is a supervisor's answer to describe: itself and what it knows of its children
// (it spawned them, so it knows their kind, their mailbox and its own restarts of them). Walking
// the tree asks only supervisors, one request each: a connection that is closing, or a
// listener waiting out a back-off with its mailbox suspended, cannot stall the walk.
type description struct {
	id       string
	kind     string
	mailbox  int
	children []childView
}

// childView is one child as its supervisor describes it.
type childView struct {
	pid        *actor.PID
	kind       string
	mailbox    int
	restarts   int
	state      string
	supervisor bool // describes itself and its own children
}

// mailboxCell lets a supervisor see the mailbox of a child it spawned: the child's mailbox
// producer fills it at spawn (a restart keeps the mailbox).
type mailboxCell struct{ mb *mailbox.Mailbox }

func (c *mailboxCell) depth() int {
	if c == nil || c.mb == nil {
		return 0
	}
	return c.mb.UserMessageCount()
}

// child is a supervisor's record of one child.
type child struct {
	pid        *actor.PID
	kind       string
	cell       *mailboxCell
	supervisor bool
}

// view describes c, with the restarts st made of it.
func (c *child) view(st *strategy) childView {
	v := childView{pid: c.pid, kind: c.kind, mailbox: c.cell.depth(), state: "running", supervisor: c.supervisor}
	if st != nil {
		v.restarts, v.state = st.record(c.pid.Id)
	}
	return v
}

// Node is one actor of the live supervision tree.
type Node struct {
	ID       string  `json:"id"`
	Kind     string  `json:"kind"`
	State    string  `json:"state"`
	Mailbox  int     `json:"mailbox"`
	Restarts int     `json:"restarts"`
	Children []*Node `json:"children,omitempty"`
}

// Spec is one node of the declared supervision tree: a kind, and the kinds of its children. A
// Many child stands for any number of children of that kind (connections, accounts); an
// Optional one for at most one (a listener that only runs when configured).
type Spec struct {
	Kind     string
	Many     bool
	Optional bool
	Children []Spec
}

// DeclaredTree is the supervision tree as designed. docs/architecture.md draws it, and a test
// checks both the drawing and the running system against it.
var DeclaredTree = Spec{Kind: "server", Children: []Spec{
	{Kind: "accounts", Children: []Spec{{Kind: "account", Many: true}}},
	{Kind: "clients", Children: []Spec{{Kind: "client", Many: true}}},
	{Kind: "routes", Children: []Spec{{Kind: "route", Many: true}}},
	{Kind: "listeners", Children: []Spec{{Kind: "listener"}, {Kind: "cluster", Optional: true},
		{Kind: "monitor", Optional: true}, {Kind: "profiler", Optional: true}}},
}}

// String draws the spec as an indented tree, one kind per line.
func (s Spec) String() string {
	var b strings.Builder
	var walk func(Spec, int)
	walk = func(n Spec, depth int) {
		b.WriteString(strings.Repeat("  ", depth))
		b.WriteString(n.Kind)
		if n.Many {
			b.WriteString(" *")
		}
		if n.Optional {
			b.WriteString(" ?")
		}
		b.WriteByte('\n')
		for _, c := range n.Children {
			walk(c, depth+1)
		}
	}
	walk(s, 0)
	return b.String()
}

// Matches reports how the live tree n differs from the spec, or nil if it conforms.
func (s Spec) Matches(n *Node) error {
	if n.Kind != s.Kind {
		return fmt.Errorf("%s: kind %q, declared %q", n.ID, n.Kind, s.Kind)
	}
	seen := map[string]int{}
	for _, c := range n.Children {
		var spec *Spec
		for i := range s.Children {
			if s.Children[i].Kind == c.Kind {
				spec = &s.Children[i]
			}
		}
		if spec == nil {
			return fmt.Errorf("%s: undeclared child %s of kind %q", n.ID, c.ID, c.Kind)
		}
		seen[c.Kind]++
		if err := spec.Matches(c); err != nil {
			return err
		}
	}
	for _, c := range s.Children {
		switch {
		case c.Many:
		case c.Optional && seen[c.Kind] > 1:
			return fmt.Errorf("%s: %d children of kind %q, declared at most one", n.ID, seen[c.Kind], c.Kind)
		case !c.Optional && seen[c.Kind] != 1:
			return fmt.Errorf("%s: %d children of kind %q, declared exactly one", n.ID, seen[c.Kind], c.Kind)
		}
	}
	return nil
}

// walkTree asks the supervisor at pid, and every supervisor below it, for its description.
func walkTree(root *actor.RootContext, pid *actor.PID, timeout time.Duration) (*Node, error) {
	res, err := root.RequestFuture(pid, &describe{}, timeout).Result()
	if err != nil {
		return nil, fmt.Errorf("describe %s: %w", pid.Id, err)
	}
	if _, dead := res.(*actor.DeadLetterResponse); dead {
		return nil, fmt.Errorf("describe %s: %w", pid.Id, actor.ErrDeadLetter)
	}
	d, ok := res.(*description)
	if !ok {
		return nil, fmt.Errorf("describe %s: unexpected answer %T", pid.Id, res)
	}
	n := &Node{ID: d.id, Kind: d.kind, State: "running", Mailbox: d.mailbox}
	nodes := make([]Node, len(d.children)) // one allocation for 10k connections, not 10k
	n.Children = make([]*Node, 0, len(d.children))
	for i, c := range d.children {
		node := &nodes[i]
		*node = Node{ID: c.pid.Id, Kind: c.kind, State: c.state, Mailbox: c.mailbox}
		if c.supervisor && c.state == "running" {
			sub, err := walkTree(root, c.pid, timeout)
			if errors.Is(err, actor.ErrDeadLetter) {
				continue // it stopped after its parent listed it
			}
			if err != nil {
				return nil, err
			}
			node.Children = sub.Children
			node.Mailbox = sub.Mailbox
		}
		node.Restarts = c.restarts
		n.Children = append(n.Children, node)
	}
	return n, nil
}
