package subjects

import "strings"

// tnode is one node of the subject trie: the subscriptions whose subject
// ends here, and the next level. A node belongs to the edit that created it
// (see Index) and is immutable once that edit is published.
//
// The fields every node needs come first; wildcard children and queue
// groups, which most nodes lack, sit behind x, so that the nodes path
// copying duplicates stay small (96 bytes).
type tnode[S comparable] struct {
	edit  uint64
	tok   string                  // this node's token: its key in the parent
	lits  pmap[string, *tnode[S]] // children by literal token
	plain pmap[S, member[S]]      // plain subscriptions
	x     *extra[S]               // nil if none of these
}

// extra holds a node's wildcard children and queue groups. A token that is
// exactly "*" or ">" is always a wildcard, so no literal key clashes with
// them, and the matcher reaches them without a lookup.
type extra[S comparable] struct {
	edit   uint64
	pwc    *tnode[S] // child for '*'
	fwc    *tnode[S] // child for '>' (a leaf: '>' is last)
	queues pmap[string, *qgroup[S]]
}

// qgroup is the members of one queue group on one node.
type qgroup[S comparable] struct {
	edit    uint64
	name    string
	members pmap[S, member[S]]
}

// member is a subscription in a set, keyed by itself.
type member[S comparable] struct{ s S }

func (n *tnode[S]) hkey() string  { return n.tok }
func (g *qgroup[S]) hkey() string { return g.name }
func (m member[S]) hkey() S       { return m.s }

func (n *tnode[S]) children() int {
	c := n.lits.few()
	if x := n.x; x != nil {
		if x.pwc != nil {
			c++
		}
		if x.fwc != nil {
			c++
		}
	}
	return c
}

func (n *tnode[S]) groups() int {
	if n.x == nil {
		return 0
	}
	return n.x.queues.few()
}

// child returns the child for tok, nil if none.
func (n *tnode[S]) child(tok string) *tnode[S] {
	if len(tok) == 1 && (tok[0] == '*' || tok[0] == '>') {
		if n.x == nil {
			return nil
		}
		if tok[0] == '*' {
			return n.x.pwc
		}
		return n.x.fwc
	}
	return n.lit(tok)
}

// lit returns the literal child for tok, nil if none. It is the matcher's
// inner loop, so it is pmap.get and hnode.get spelled out for this case.
func (n *tnode[S]) lit(tok string) *tnode[S] {
	h := n.lits.root
	if h == nil {
		for _, c := range n.lits.small {
			if c.tok == tok {
				return c
			}
		}
		return nil
	}
	hash := hashString(tok)
	for shift := uint(0); ; shift += hamtBits {
		if shift >= hamtDepth {
			for _, c := range h.ents {
				if c.tok == tok {
					return c
				}
			}
			return nil
		}
		bit := slotBit(hash, shift)
		if h.dmap&bit != 0 {
			if c := h.ents[index(h.dmap, bit)]; c.tok == tok {
				return c
			}
			return nil
		}
		if h.nmap&bit == 0 {
			return nil
		}
		h = h.kids[index(h.nmap, bit)]
	}
}

// nextTok is NextToken for strings.
func nextTok(s string, pos int) (tok string, next int) {
	rest := s[pos:]
	if i := strings.IndexByte(rest, '.'); i >= 0 {
		return rest[:i], pos + i + 1
	}
	return rest, -1
}
