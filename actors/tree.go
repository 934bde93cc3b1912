package actors

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/asynkron/protoactor-go/actor"
)

// describe asks an actor what it is and which children it has. Every actor of the tree answers
// it; it is for monitoring and tests (RequestFuture), never the data path.
type describe struct{}

// description is the answer to describe. A supervisor of many leaf actors (connections) lists
// them in leaves itself, so that walking the tree costs one request per supervisor, not one per
// connection, and a connection that is closing cannot stall the walk.
type description struct {
	id       string
	kind     string
	children []*actor.PID
	leaves   []*Node
}

func describeSelf(ctx actor.Context, kind string) *description {
	return &description{id: ctx.Self().Id, kind: kind, children: ctx.Children()}
}

// Node is one actor of the live supervision tree.
type Node struct {
	ID       string  `json:"id"`
	Kind     string  `json:"kind"`
	Children []*Node `json:"children,omitempty"`
}

// Spec is one node of the declared supervision tree: a kind, and the kinds of its children. A
// Many child stands for any number of children of that kind (connections, accounts).
type Spec struct {
	Kind     string
	Many     bool
	Children []Spec
}

// DeclaredTree is the supervision tree as designed. docs/architecture.md draws it, and a test
// checks both the drawing and the running system against it.
var DeclaredTree = Spec{Kind: "server", Children: []Spec{
	{Kind: "accounts", Children: []Spec{{Kind: "account", Many: true}}},
	{Kind: "clients", Children: []Spec{{Kind: "client", Many: true}}},
	{Kind: "listeners", Children: []Spec{{Kind: "listener"}}},
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
		if !c.Many && seen[c.Kind] != 1 {
			return fmt.Errorf("%s: %d children of kind %q, declared exactly one", n.ID, seen[c.Kind], c.Kind)
		}
	}
	return nil
}

// walkTree asks every actor from pid down for its description.
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
	n := &Node{ID: d.id, Kind: d.kind, Children: d.leaves}
	for _, c := range d.children {
		child, err := walkTree(root, c, timeout)
		if errors.Is(err, actor.ErrDeadLetter) {
			continue // it stopped after its parent listed it
		}
		if err != nil {
			return nil, err
		}
		n.Children = append(n.Children, child)
	}
	return n, nil
}
