package subjects

import (
	"hash/maphash"
	"slices"
)

// pmap is a persistent map from keys to elements that carry their key. It
// stays a tiny copy-on-write slice while it has at most smallMax elements
// and turns into a HAMT above that. Most trie nodes have one child and one
// subscriber, so the slice form keeps them small and lets lookups skip
// hashing; the HAMT bounds the cost of a write on a huge level (a million
// children, a hundred thousand subscribers) to O(log32 n) instead of O(n).
//
// The zero value is an empty map. A pmap is a value: writes return the new
// map, which the caller stores in a node it owns. The slice form is never
// written in place (it is at most smallMax words, so copying it is cheap and
// it needs no edit tag); the HAMT form follows the edit rules of hnode.
type pmap[K comparable, E keyed[K]] struct {
	small []E
	root  *hnode[K, E]
}

const (
	smallMax = 8            // largest slice form
	smallMin = smallMax / 2 // a HAMT this small goes back to a slice
)

// seed keys every hash in the package; it is random per process, which
// keeps crafted subjects from forcing collisions.
var seed = maphash.MakeSeed()

func hashString(s string) uint64 { return maphash.String(seed, s) }

func hashComparable[K comparable](k K) uint64 { return maphash.Comparable(seed, k) }

// few returns the number of elements capped at 2, which is all that
// pruning needs to know. The HAMT form always holds two or more: a root
// left with a single element has no sub-node (those hold two or more
// each), so del turns it back into a slice.
func (m *pmap[K, E]) few() int {
	if m.root != nil {
		return 2
	}
	return min(len(m.small), 2)
}

// get looks k up; hash is called only in the HAMT form.
func (m *pmap[K, E]) get(k K, hash func(K) uint64) (x E, ok bool) {
	if m.root != nil {
		return m.root.get(hash(k), k)
	}
	for _, x := range m.small {
		if x.hkey() == k {
			return x, true
		}
	}
	return x, false
}

// put returns m with x added. If an element with the same key is there, x
// replaces it only when replace is set. added reports whether the map
// grew; when nothing was written the result shares everything with m.
func (m pmap[K, E]) put(e uint64, x E, replace bool, hash func(K) uint64) (_ pmap[K, E], added bool) {
	k := x.hkey()
	if m.root != nil {
		m.root, added = m.root.put(e, 0, hash(k), x, replace, hash)
		return m, added
	}
	for i, y := range m.small {
		if y.hkey() == k {
			if !replace {
				return m, false
			}
			m.small = slices.Clone(m.small)
			m.small[i] = x
			return m, false
		}
	}
	if len(m.small) < smallMax {
		s := make([]E, len(m.small)+1)
		copy(s, m.small)
		s[len(m.small)] = x
		m.small = s
		return m, true
	}
	// Grow into a HAMT. Its nodes belong to edit e, so the puts below work
	// in place.
	root := &hnode[K, E]{edit: e}
	for _, y := range m.small {
		root, _ = root.put(e, 0, hash(y.hkey()), y, false, hash)
	}
	root, _ = root.put(e, 0, hash(k), x, false, hash)
	return pmap[K, E]{root: root}, true
}

// del returns m without the element keyed k; removed reports whether it
// was there.
func (m pmap[K, E]) del(e uint64, k K, hash func(K) uint64) (_ pmap[K, E], removed bool) {
	if m.root != nil {
		root, removed := m.root.del(e, 0, hash(k), k)
		if !removed {
			return m, false
		}
		if len(root.kids) > 0 || len(root.ents) > smallMin {
			return pmap[K, E]{root: root}, true
		}
		return pmap[K, E]{small: root.ents}, true // a fresh array: root is new or of this edit
	}
	for i, y := range m.small {
		if y.hkey() == k {
			if len(m.small) == 1 {
				return pmap[K, E]{}, true
			}
			s := make([]E, 0, len(m.small)-1)
			s = append(s, m.small[:i]...)
			m.small = append(s, m.small[i+1:]...)
			return m, true
		}
	}
	return m, false
}

// appendElems appends every element to dst.
func (m *pmap[K, E]) appendElems(dst []E) []E {
	if m.root != nil {
		return m.root.appendElems(dst)
	}
	return append(dst, m.small...)
}

// each calls fn for every element until fn returns false.
func (m *pmap[K, E]) each(fn func(E) bool) bool {
	if m.root != nil {
		return m.root.each(fn)
	}
	for _, x := range m.small {
		if !fn(x) {
			return false
		}
	}
	return true
}
