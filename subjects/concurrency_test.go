package subjects

import (
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
)

// One writer edits and publishes through an atomic.Pointer while readers
// match without locks. At generation g the writer has added entries 1..g
// and removed those older than a window, so every snapshot's content is a
// function of its generation alone; a reader that ever saw anything else
// (a torn or half-published state) fails. The race detector checks that no
// published node is ever written again.
func TestConcurrentReadersOneWriter(t *testing.T) {
	const (
		gens     = 1500
		window   = 40
		readers  = 4
		minReads = 20000 // keep writing until the readers have overlapped it
	)
	// expect returns the live ids at generation g (g >= 1).
	expect := func(g int) (lo, hi int) {
		// Publish #1 is the empty index; publish #k+1 follows step k.
		hi = g - 1
		return max(1, hi-window+1), hi
	}
	ix := NewIndex[int]()
	var cur atomic.Pointer[Snapshot[int]]
	cur.Store(ix.Publish())

	var wg sync.WaitGroup
	var done atomic.Bool
	var reads atomic.Int64
	errs := make(chan error, readers)
	for r := range readers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cache := NewCache[int](64)
			var res Result[int]
			var seen uint64
			for !done.Load() {
				snap := cur.Load()
				if len(errs) > 0 {
					return // another reader failed; let the writer stop
				}
				if snap.Gen() < seen {
					errs <- fmt.Errorf("reader %d: generation went back from %d to %d", r, seen, snap.Gen())
					return
				}
				seen = snap.Gen()
				reads.Add(1)
				lo, hi := expect(int(snap.Gen()))
				n := max(0, hi-lo+1)
				if snap.Count() != 2*n {
					errs <- fmt.Errorf("gen %d: Count %d, want %d", snap.Gen(), snap.Count(), 2*n)
					return
				}
				snap.MatchInto([]byte("sensors.room1.temp"), &res)
				if err := checkWindow(&res, lo, hi); err != nil {
					errs <- fmt.Errorf("gen %d MatchInto: %v", snap.Gen(), err)
					return
				}
				if err := checkWindow(cache.Match(snap, []byte("sensors.room1.temp")), lo, hi); err != nil {
					errs <- fmt.Errorf("gen %d Cache.Match: %v", snap.Gen(), err)
					return
				}
			}
		}()
	}

	k := 1
	for ; k < gens || (reads.Load() < minReads && len(errs) == 0); k++ {
		// Entry k: a plain sub on a wildcard pattern and a queue member on
		// the literal subject; both match sensors.room1.temp.
		mustInsert(t, ix, "sensors.*.temp", "", k)
		mustInsert(t, ix, "sensors.room1.temp", "workers", k)
		// Unrelated churn in the same batch, undone before Publish.
		mustInsert(t, ix, fmt.Sprintf("other.%d", k), "", k)
		if old := k - window; old >= 1 {
			mustRemove(t, ix, "sensors.*.temp", "", old)
			mustRemove(t, ix, "sensors.room1.temp", "workers", old)
		}
		mustRemove(t, ix, fmt.Sprintf("other.%d", k), "", k)
		cur.Store(ix.Publish())
	}
	done.Store(true)
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if got := cur.Load().Gen(); got != uint64(k) {
		t.Fatalf("final generation %d, want %d", got, k)
	}
}

// checkWindow checks that r holds exactly ids lo..hi, once as plain and
// once as members of the group "workers".
func checkWindow(r *Result[int], lo, hi int) error {
	n := max(0, hi-lo+1)
	if len(r.Plain) != n {
		return fmt.Errorf("%d plain, want %d", len(r.Plain), n)
	}
	seen := map[int]bool{}
	for _, id := range r.Plain {
		if id < lo || id > hi || seen[id] {
			return fmt.Errorf("plain id %d outside %d..%d or repeated", id, lo, hi)
		}
		seen[id] = true
	}
	if n == 0 {
		if len(r.Queues) != 0 {
			return fmt.Errorf("%d groups, want none", len(r.Queues))
		}
		return nil
	}
	if len(r.Queues) != 1 || r.Queues[0].Name != "workers" || len(r.Queues[0].Members) != n {
		return fmt.Errorf("queues %+v, want workers with %d members", r.Queues, n)
	}
	clear(seen)
	for _, id := range r.Queues[0].Members {
		if id < lo || id > hi || seen[id] {
			return fmt.Errorf("member %d outside %d..%d or repeated", id, lo, hi)
		}
		seen[id] = true
	}
	return nil
}
