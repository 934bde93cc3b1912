package monitor

import (
	"cmp"
	"fmt"
	"net/http"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/troupe/troupe/actors"
)

// Actorz is /actorz: the live supervision tree, walked at request time. Each node is an actor:
// its path (id), kind, state ("running", or "restarting" while a supervisor waits out a
// back-off), the messages waiting in its mailbox, how often its supervisor restarted it, and
// its children.
type Actorz struct {
	ID     string       `json:"server_id"`
	Now    time.Time    `json:"now"`
	Actors int          `json:"num_actors"`
	Tree   *actors.Node `json:"tree"`
}

func (m *monitor) handleActorz(w http.ResponseWriter, r *http.Request) {
	format := r.URL.Query().Get("format")
	if format != "" && format != "json" && format != "text" {
		writeError(w, http.StatusBadRequest, fmt.Errorf("invalid format %q: json or text", format))
		return
	}
	tree, err := m.s.Tree(adminTimeout)
	if err != nil {
		adminError(w, err)
		return
	}
	sortTree(tree)
	if format == "text" {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("Access-Control-Allow-Origin", "*")
		_, _ = w.Write([]byte(treeText(tree)))
		return
	}
	writeJSON(w, http.StatusOK, &Actorz{ID: m.s.ID(), Now: time.Now().UTC(), Actors: countNodes(tree), Tree: tree})
}

// sortTree orders every actor's children by name, numbers in names by value (c9 before c10):
// supervisors list their children in no particular order. Each name is parsed once.
func sortTree(n *actors.Node) {
	if len(n.Children) > 1 {
		type keyed struct {
			n      *actors.Node
			prefix string
			num    uint64
		}
		ks := make([]keyed, len(n.Children))
		for i, c := range n.Children {
			p, num := splitNumber(c.ID)
			ks[i] = keyed{c, p, num}
		}
		slices.SortFunc(ks, func(a, b keyed) int {
			if c := cmp.Compare(a.prefix, b.prefix); c != 0 {
				return c
			}
			if c := cmp.Compare(a.num, b.num); c != 0 {
				return c
			}
			return cmp.Compare(a.n.ID, b.n.ID)
		})
		for i := range ks {
			n.Children[i] = ks[i].n
		}
	}
	for _, c := range n.Children {
		sortTree(c)
	}
}

// splitNumber splits a name into the part before its trailing digits and their value.
func splitNumber(s string) (string, uint64) {
	i := len(s)
	for i > 0 && s[i-1] >= '0' && s[i-1] <= '9' {
		i--
	}
	if i == len(s) {
		return s, 0
	}
	n, _ := strconv.ParseUint(s[i:], 10, 64)
	return s[:i], n
}

func countNodes(n *actors.Node) int {
	c := 1
	for _, k := range n.Children {
		c += countNodes(k)
	}
	return c
}

// treeText draws the tree for a person, one actor a line, children indented by two spaces:
//
//	server [running] mailbox=0
//	  clients [running] mailbox=0 restarts=0
//	    c7 client [running] mailbox=0 restarts=0
//
// Each line is the actor's name (the last element of its path), its kind when that differs from
// the name, its state, its mailbox depth and, below the root, its restarts.
func treeText(root *actors.Node) string {
	var b strings.Builder
	var walk func(n *actors.Node, depth int)
	walk = func(n *actors.Node, depth int) {
		b.WriteString(strings.Repeat("  ", depth))
		name := path.Base(n.ID)
		b.WriteString(name)
		if n.Kind != name {
			b.WriteString(" " + n.Kind)
		}
		b.WriteString(" [" + n.State + "] mailbox=" + strconv.Itoa(n.Mailbox))
		if depth > 0 {
			b.WriteString(" restarts=" + strconv.Itoa(n.Restarts))
		}
		b.WriteByte('\n')
		for _, c := range n.Children {
			walk(c, depth+1)
		}
	}
	walk(root, 0)
	return b.String()
}
