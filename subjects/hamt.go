package subjects

import (
	"math/bits"
	"slices"
)

// A persistent hash array mapped trie (HAMT), 32-way and bitmap-compressed,
// laid out as in CHAMP (Steindorfer & Vinju, 2015): every node keeps two
// bitmaps, one for slots that hold an element inline and one for slots that
// hold a sub-node, and two dense arrays indexed by popcount.
//
// Nodes are immutable once frozen. Each node records the edit (epoch) that
// created it; a write carrying the same edit id may change that node in
// place (a Clojure-style transient), any other write copies the node and the
// path above it. The owner of the edit guarantees that no reader can see a
// node while its edit is still open (see Index.Publish).
//
// Elements carry their own key (keyed): a trie node knows its token, a
// queue group its name, a set member is its own key. A slot is then a
// single word, which keeps the arrays that path copying duplicates small.
//
// The caller supplies the 64-bit hash of every key; the node never hashes by
// itself except through the rehash function passed to put, which it needs
// when two keys share a slot and the older element moves one level down.
// Once the 64 hash bits are used up (13 levels), keys that still collide are
// kept in an unordered "collision" node searched linearly.

const (
	hamtBits  = 5
	hamtMask  = 1<<hamtBits - 1
	hamtDepth = 64 // shift at which the hash is used up: collision node
)

// keyed is what a HAMT stores: a value that knows its key.
type keyed[K comparable] interface{ hkey() K }

// hnode is one HAMT node (64 bytes). A sub-node always holds at least two
// elements: one left alone is folded into its parent.
type hnode[K comparable, E keyed[K]] struct {
	edit uint64
	dmap uint32 // slots holding an element inline, in ents
	nmap uint32 // slots holding a sub-node, in kids
	ents []E
	kids []*hnode[K, E]
}

// lone reports whether n holds exactly one element.
func (n *hnode[K, E]) lone() bool { return len(n.ents) == 1 && len(n.kids) == 0 }

func slotBit(h uint64, shift uint) uint32 { return 1 << ((h >> shift) & hamtMask) }

func index(bitmap, bit uint32) int { return bits.OnesCount32(bitmap & (bit - 1)) }

// mut returns the node to write instead of n: n itself if it belongs to
// edit e (its arrays may then be written in place), else a copy of the
// struct for edit e whose arrays are still n's. Every write to a copy must
// give it fresh arrays: the with* helpers below do that for the array they
// change, and fresh for the one they leave alone.
func (n *hnode[K, E]) mut(e uint64) (m *hnode[K, E], inPlace bool) {
	if n.edit == e {
		return n, true
	}
	c := *n
	c.edit = e
	return &c, false
}

// fresh returns s, copied unless inPlace.
func fresh[T any](s []T, inPlace bool) []T {
	if inPlace {
		return s
	}
	return slices.Clone(s)
}

// withSet returns s with s[i] = x.
func withSet[T any](s []T, i int, x T, inPlace bool) []T {
	s = fresh(s, inPlace)
	s[i] = x
	return s
}

// withInsert returns s with x inserted at i, copying s in one pass when it
// may not be written in place.
func withInsert[T any](s []T, i int, x T, inPlace bool) []T {
	if inPlace {
		return slices.Insert(s, i, x)
	}
	c := make([]T, len(s)+1)
	copy(c, s[:i])
	c[i] = x
	copy(c[i+1:], s[i:])
	return c
}

// withDelete returns s without s[i].
func withDelete[T any](s []T, i int, inPlace bool) []T {
	if inPlace {
		return slices.Delete(s, i, i+1) // clears the freed slot
	}
	c := make([]T, len(s)-1)
	copy(c, s[:i])
	copy(c[i:], s[i+1:])
	return c
}

// get looks k up; h must be the hash of k.
func (n *hnode[K, E]) get(h uint64, k K) (x E, ok bool) {
	for shift := uint(0); ; shift += hamtBits {
		if shift >= hamtDepth {
			for _, x := range n.ents {
				if x.hkey() == k {
					return x, true
				}
			}
			return x, false
		}
		bit := slotBit(h, shift)
		if n.dmap&bit != 0 {
			if y := n.ents[index(n.dmap, bit)]; y.hkey() == k {
				return y, true
			}
			return x, false
		}
		if n.nmap&bit == 0 {
			return x, false
		}
		n = n.kids[index(n.nmap, bit)]
	}
}

// put adds x, whose key hashes to h, below n (which sits at the given
// shift) and returns the node that replaces n. If an element with x's key
// is already there, x replaces it when replace is set and is dropped
// otherwise; added reports whether the map grew. n is returned unchanged
// when nothing was written. rehash gives the hash of a stored key.
func (n *hnode[K, E]) put(e uint64, shift uint, h uint64, x E, replace bool, rehash func(K) uint64) (_ *hnode[K, E], added bool) {
	k := x.hkey()
	if shift >= hamtDepth {
		for i := range n.ents {
			if n.ents[i].hkey() == k {
				if !replace {
					return n, false
				}
				m, in := n.mut(e)
				m.ents = withSet(m.ents, i, x, in)
				return m, false
			}
		}
		m, in := n.mut(e)
		m.ents = withInsert(m.ents, len(m.ents), x, in)
		return m, true
	}
	bit := slotBit(h, shift)
	switch {
	case n.dmap&bit != 0:
		i := index(n.dmap, bit)
		old := n.ents[i]
		ok := old.hkey()
		if ok == k {
			if !replace {
				return n, false
			}
			m, in := n.mut(e)
			m.ents = withSet(m.ents, i, x, in)
			m.kids = fresh(m.kids, in)
			return m, false
		}
		// Both keys want this slot: move them one level down.
		sub := hamtPair(e, shift+hamtBits, rehash(ok), old, h, x)
		m, in := n.mut(e)
		m.ents = withDelete(m.ents, i, in)
		m.dmap &^= bit
		m.nmap |= bit
		m.kids = withInsert(m.kids, index(m.nmap, bit), sub, in)
		return m, true
	case n.nmap&bit != 0:
		j := index(n.nmap, bit)
		kid := n.kids[j]
		sub, added := kid.put(e, shift+hamtBits, h, x, replace, rehash)
		if sub == kid && (!added || n.edit == e) {
			// Unchanged, or changed in place: then n, the parent of a
			// node of edit e, belongs to edit e too.
			return n, added
		}
		m, in := n.mut(e)
		m.kids = withSet(m.kids, j, sub, in)
		m.ents = fresh(m.ents, in)
		return m, added
	default:
		m, in := n.mut(e)
		m.dmap |= bit
		m.ents = withInsert(m.ents, index(m.dmap, bit), x, in)
		m.kids = fresh(m.kids, in)
		return m, true
	}
}

// hamtPair builds the smallest subtree, rooted at shift, holding a and b.
func hamtPair[K comparable, E keyed[K]](e uint64, shift uint, ha uint64, a E, hb uint64, b E) *hnode[K, E] {
	n := &hnode[K, E]{edit: e}
	if shift >= hamtDepth {
		n.ents = []E{a, b}
		return n
	}
	ba, bb := slotBit(ha, shift), slotBit(hb, shift)
	if ba == bb {
		n.nmap = ba
		n.kids = []*hnode[K, E]{hamtPair(e, shift+hamtBits, ha, a, hb, b)}
		return n
	}
	n.dmap = ba | bb
	if ba < bb {
		n.ents = []E{a, b}
	} else {
		n.ents = []E{b, a}
	}
	return n
}

// del removes the element with key k below n and returns the node that
// replaces n: nil when the subtree became empty, n itself when k was
// absent. A sub-node left with a single element is folded back into its
// parent, so the shape stays canonical and memory shrinks with removals.
func (n *hnode[K, E]) del(e uint64, shift uint, h uint64, k K) (_ *hnode[K, E], removed bool) {
	if shift >= hamtDepth {
		for i := range n.ents {
			if n.ents[i].hkey() == k {
				if len(n.ents) == 1 {
					return nil, true
				}
				m, in := n.mut(e)
				m.ents = withDelete(m.ents, i, in)
				return m, true
			}
		}
		return n, false
	}
	bit := slotBit(h, shift)
	switch {
	case n.dmap&bit != 0:
		i := index(n.dmap, bit)
		if n.ents[i].hkey() != k {
			return n, false
		}
		if n.lone() {
			return nil, true
		}
		m, in := n.mut(e)
		m.ents = withDelete(m.ents, i, in)
		m.kids = fresh(m.kids, in)
		m.dmap &^= bit
		return m, true
	case n.nmap&bit != 0:
		j := index(n.nmap, bit)
		sub, removed := n.kids[j].del(e, shift+hamtBits, h, k)
		if !removed {
			return n, false
		}
		m, in := n.mut(e)
		// A sub-node holds at least two elements, so sub is not nil.
		if sub.lone() {
			// Fold the lone element into this node.
			m.kids = withDelete(m.kids, j, in)
			m.nmap &^= bit
			m.dmap |= bit
			m.ents = withInsert(m.ents, index(m.dmap, bit), sub.ents[0], in)
		} else {
			m.kids = withSet(m.kids, j, sub, in)
			m.ents = fresh(m.ents, in)
		}
		return m, true
	}
	return n, false
}

// appendElems appends every element of the subtree to dst.
func (n *hnode[K, E]) appendElems(dst []E) []E {
	dst = append(dst, n.ents...)
	for _, kid := range n.kids {
		dst = kid.appendElems(dst)
	}
	return dst
}

// each calls fn for every element until fn returns false; it reports
// whether the walk ran to the end.
func (n *hnode[K, E]) each(fn func(E) bool) bool {
	for _, x := range n.ents {
		if !fn(x) {
			return false
		}
	}
	for _, kid := range n.kids {
		if !kid.each(fn) {
			return false
		}
	}
	return true
}
