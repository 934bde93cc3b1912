package subjects

import (
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"testing"
)

// modelGen makes random subjects over small token pools, so that patterns
// overlap often. Level 1 has a wide pool, to push that level's children
// into the HAMT form, and handles repeat, to do the same for sets.
type modelGen struct{ rng *rand.Rand }

var modelPools = [][]string{
	{"a", "b", "c"},
	{"x0", "x1", "x2", "x3", "x4", "x5", "x6", "x7", "x8", "x9", "x10", "x11", "x12", "x13", "x14", "x15", "x16", "x17"},
	{"a", "b"},
	{"a", "b", "c"},
}

func (g modelGen) subject(wild bool) string {
	n := 1 + g.rng.IntN(len(modelPools))
	s := ""
	for i := range n {
		if i > 0 {
			s += "."
		}
		switch r := g.rng.IntN(20); {
		case wild && r < 3:
			s += "*"
		case wild && r < 5 && i == n-1:
			s += ">"
		default:
			pool := modelPools[i]
			s += pool[g.rng.IntN(len(pool))]
		}
	}
	return s
}

func (g modelGen) entry() entry {
	queues := []string{"", "", "", "q1", "q2", "q3"}
	return entry{g.subject(true), queues[g.rng.IntN(len(queues))], g.rng.IntN(30)}
}

type modelSnap struct {
	snap *Snapshot[int]
	ref  []entry
}

// checkSnapshot compares a snapshot with the entries it should hold.
func checkSnapshot(t *testing.T, g modelGen, ms modelSnap, probes int) {
	t.Helper()
	if ms.snap.Count() != len(ms.ref) {
		t.Fatalf("gen %d: Count %d, want %d", ms.snap.Gen(), ms.snap.Count(), len(ms.ref))
	}
	if got := rangeEntries(ms.snap); !slices.Equal(got, ms.ref) {
		t.Fatalf("gen %d: Range\n got %v\nwant %v", ms.snap.Gen(), got, ms.ref)
	}
	var r Result[int]
	for range probes {
		subj := g.subject(g.rng.IntN(10) == 0) // sometimes '*' or '>' as literal tokens
		want := bruteMatch(ms.ref, subj)
		if got := canon(ms.snap.Match([]byte(subj))); got != want {
			t.Fatalf("gen %d: Match(%q)\n got %s\nwant %s", ms.snap.Gen(), subj, got, want)
		}
		ms.snap.MatchInto([]byte(subj), &r)
		if got := canon(&r); got != want {
			t.Fatalf("gen %d: MatchInto(%q)\n got %s\nwant %s", ms.snap.Gen(), subj, got, want)
		}
	}
}

func TestModelRandomized(t *testing.T) {
	for seed := range uint64(3) {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			g := modelGen{rand.New(rand.NewPCG(seed, 99))}
			ix := NewIndex[int]()
			ref := map[entry]bool{}
			var old []modelSnap
			var last *Snapshot[int]
			dirty := false
			for step := range 2000 {
				e := g.entry()
				// Phases of growth and of draining: sets and levels cross
				// between their slice and HAMT forms both ways, and nodes
				// get pruned.
				removeOdds := 3
				if step/400%2 == 1 {
					removeOdds = 7
				}
				if len(ref) > 0 && g.rng.IntN(10) < removeOdds {
					// Remove: usually something present.
					if g.rng.IntN(4) > 0 {
						keys := slices.SortedFunc(maps.Keys(ref), cmpEntry)
						e = keys[g.rng.IntN(len(keys))]
					}
					err := ix.Remove([]byte(e.subject), []byte(e.queue), e.s)
					switch {
					case ref[e] && err != nil:
						t.Fatalf("Remove(%v): %v", e, err)
					case !ref[e] && !errors.Is(err, ErrNotFound):
						t.Fatalf("Remove(%v) of absent entry: %v", e, err)
					}
					if ref[e] {
						dirty = true
					}
					delete(ref, e)
				} else {
					if err := ix.Insert([]byte(e.subject), []byte(e.queue), e.s); err != nil {
						t.Fatalf("Insert(%v): %v", e, err)
					}
					if !ref[e] {
						dirty = true
					}
					ref[e] = true
				}
				if ix.Count() != len(ref) {
					t.Fatalf("step %d: Count %d, want %d", step, ix.Count(), len(ref))
				}
				// Mid-batch: earlier snapshots must not see pending edits.
				if len(old) > 0 && g.rng.IntN(50) == 0 {
					checkSnapshot(t, g, old[g.rng.IntN(len(old))], 5)
				}
				if g.rng.IntN(6) > 0 {
					continue
				}
				snap := ix.Publish()
				switch {
				case last == nil:
				case !dirty && snap != last:
					t.Fatalf("step %d: Publish without change made gen %d", step, snap.Gen())
				case snap != last && snap.Gen() != last.Gen()+1:
					t.Fatalf("step %d: gen %d after %d", step, snap.Gen(), last.Gen())
				}
				dirty = false
				if snap == last {
					continue
				}
				last = snap
				ms := modelSnap{snap, slices.SortedFunc(maps.Keys(ref), cmpEntry)}
				checkSnapshot(t, g, ms, 12)
				old = append(old, ms)
			}
			// Snapshots published long ago are still exactly what they were.
			for i := 0; i < len(old); i += 1 + len(old)/40 {
				checkSnapshot(t, g, old[i], 10)
			}
		})
	}
}

func cmpEntry(a, b entry) int {
	switch {
	case a.subject != b.subject:
		return cmpString(a.subject, b.subject)
	case a.queue != b.queue:
		return cmpString(a.queue, b.queue)
	}
	return a.s - b.s
}

func cmpString(a, b string) int {
	if a < b {
		return -1
	}
	return 1
}
