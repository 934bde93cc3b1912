package subjects

import (
	"maps"
	"math/rand/v2"
	"slices"
	"testing"
)

// checkHAMT verifies a node's invariants and returns its element count:
// bitmaps match array lengths, elements sit in the slot their hash
// selects, and every sub-node holds at least two elements (a lone one is
// folded into its parent).
func checkHAMT[K comparable, E keyed[K]](t *testing.T, n *hnode[K, E], shift uint, hash func(K) uint64) int {
	t.Helper()
	if shift >= hamtDepth {
		if len(n.kids) != 0 || n.dmap != 0 || n.nmap != 0 {
			t.Fatalf("bad collision node: %d kids, maps %b/%b", len(n.kids), n.dmap, n.nmap)
		}
		return len(n.ents)
	}
	if popcount(n.dmap) != len(n.ents) || popcount(n.nmap) != len(n.kids) || n.dmap&n.nmap != 0 {
		t.Fatalf("bitmaps %b/%b do not match %d ents, %d kids", n.dmap, n.nmap, len(n.ents), len(n.kids))
	}
	for i, e := range n.ents {
		bit := slotBit(hash(e.hkey()), shift)
		if n.dmap&bit == 0 || index(n.dmap, bit) != i {
			t.Fatalf("element %v in wrong slot", e.hkey())
		}
	}
	total := len(n.ents)
	for _, kid := range n.kids {
		c := checkHAMT(t, kid, shift+hamtBits, hash)
		if c < 2 {
			t.Fatalf("sub-node of %d elements should have been folded", c)
		}
		total += c
	}
	return total
}

// kv is a test element: key k, value v.
type kv struct{ k, v int }

func (x kv) hkey() int { return x.k }

func popcount(x uint32) int {
	c := 0
	for ; x != 0; x &= x - 1 {
		c++
	}
	return c
}

// TestHAMTModel drives a pmap against a Go map, with hash functions that
// force shared prefixes and full collisions, and checks that every earlier
// version stays intact.
func TestHAMTModel(t *testing.T) {
	hashes := map[string]func(int) uint64{
		"good":     hashComparable[int],
		"lowbits":  func(k int) uint64 { return uint64(k) * 0x9E3779B97F4A7C15 & 0xFFF },
		"collide":  func(k int) uint64 { return 42 },
		"twoclass": func(k int) uint64 { return uint64(k%2) << 63 },
	}
	for name, hash := range hashes {
		t.Run(name, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(5, 6))
			type version struct {
				m   pmap[int, kv]
				ref map[int]int
			}
			var versions []version
			var m pmap[int, kv]
			ref := map[int]int{}
			edit := uint64(1)
			for step := range 3000 {
				k := rng.IntN(300)
				// Phases of growth and of draining, so that the map
				// crosses between its slice and HAMT forms both ways.
				grow := step/500%2 == 0
				if rng.IntN(10) < 3 || (grow && rng.IntN(10) < 7) {
					var added bool
					v := rng.Int()
					replace := rng.IntN(2) == 0
					m, added = m.put(edit, kv{k, v}, replace, hash)
					old, had := ref[k]
					if added == had {
						t.Fatalf("put %d: added=%v, had=%v", k, added, had)
					}
					if replace || !had {
						old = v
					}
					ref[k] = old
				} else {
					var removed bool
					m, removed = m.del(edit, k, hash)
					_, had := ref[k]
					if removed != had {
						t.Fatalf("del %d: removed=%v, had=%v", k, removed, had)
					}
					delete(ref, k)
				}
				if rng.IntN(20) == 0 { // freeze: later writes must copy
					edit++
					versions = append(versions, version{m, maps.Clone(ref)})
				}
				if step%499 == 0 && len(versions) > 0 {
					for range 10 {
						v := versions[rng.IntN(len(versions))]
						checkPmap(t, &v.m, v.ref, hash)
					}
				}
			}
			checkPmap(t, &m, ref, hash)
			for _, v := range versions {
				checkPmap(t, &v.m, v.ref, hash)
			}
		})
	}
}

func checkPmap(t *testing.T, m *pmap[int, kv], ref map[int]int, hash func(int) uint64) {
	t.Helper()
	if got := len(m.appendElems(nil)); got != len(ref) {
		t.Fatalf("len %d, want %d", got, len(ref))
	}
	if m.few() != min(len(ref), 2) {
		t.Fatalf("few %d with %d elements", m.few(), len(ref))
	}
	if m.root != nil {
		if c := checkHAMT(t, m.root, 0, hash); c < 2 || len(m.root.kids) == 0 && c <= smallMin {
			t.Fatalf("HAMT of %d elements (%d kids) should be a slice", c, len(m.root.kids))
		}
	} else if len(m.small) > smallMax {
		t.Fatalf("slice form of %d entries", len(m.small))
	}
	for k, v := range ref {
		if got, ok := m.get(k, hash); !ok || got.v != v {
			t.Fatalf("get %d = %d,%v want %d", k, got.v, ok, v)
		}
	}
	for k := range 300 {
		if _, ok := ref[k]; !ok {
			if x, ok := m.get(k, hash); ok || x != (kv{}) {
				t.Fatalf("get %d found a deleted key: %v", k, x)
			}
		}
	}
	var keys []int
	for _, x := range m.appendElems(nil) {
		keys = append(keys, x.k)
	}
	slices.Sort(keys)
	if want := slices.Sorted(maps.Keys(ref)); !slices.Equal(keys, want) {
		t.Fatalf("keys %v, want %v", keys, want)
	}
}

// A put that finds the key with replace unset, or a del of a missing key,
// must not copy anything.
func TestHAMTNoOpWritesShare(t *testing.T) {
	var m pmap[int, kv]
	for k := range 100 {
		m, _ = m.put(1, kv{k, k}, false, hashComparable[int])
	}
	root := m.root
	m2, added := m.put(2, kv{7, 99}, false, hashComparable[int])
	if added || m2.root != root {
		t.Fatal("no-op put copied")
	}
	m3, removed := m.del(2, 1000, hashComparable[int])
	if removed || m3.root != root {
		t.Fatal("no-op del copied")
	}
	if x, _ := m.get(7, hashComparable[int]); x.v != 7 {
		t.Fatalf("value changed to %d", x.v)
	}
}

// The bare node, without pmap's slice form, empties down to nil.
func TestHAMTNodeDrain(t *testing.T) {
	for name, hash := range map[string]func(int) uint64{
		"good":    hashComparable[int],
		"collide": func(int) uint64 { return 7 },
	} {
		t.Run(name, func(t *testing.T) {
			n := &hnode[int, kv]{edit: 1}
			for k := range 100 {
				n, _ = n.put(1, 0, hash(k), kv{k, k}, false, hash)
			}
			frozen := n
			for k := range 100 {
				var removed bool
				n, removed = n.del(2, 0, hash(k), k)
				if !removed {
					t.Fatalf("del %d: not found", k)
				}
				if n != nil && checkHAMT(t, n, 0, hash) != 99-k {
					t.Fatalf("after %d deletes: wrong count", k+1)
				}
			}
			if n != nil {
				t.Fatalf("drained node not nil: %d elements", len(n.appendElems(nil)))
			}
			if len(frozen.appendElems(nil)) != 100 {
				t.Fatal("frozen node changed")
			}
		})
	}
}
