package subjects_test

import (
	"fmt"
	"sync/atomic"

	"github.com/troupe/troupe/subjects"
)

type sub struct{ name string }

// One writer publishes snapshots; readers match without locks.
func Example() {
	ix := subjects.NewIndex[*sub]()
	var current atomic.Pointer[subjects.Snapshot[*sub]]

	// Writer: a batch of edits, then one Publish.
	a, b, c := &sub{"a"}, &sub{"b"}, &sub{"c"}
	_ = ix.Insert([]byte("orders.*"), nil, a)
	_ = ix.Insert([]byte("orders.new"), []byte("workers"), b)
	_ = ix.Insert([]byte("orders.>"), []byte("workers"), c)
	current.Store(ix.Publish())

	// Reader: load the snapshot and match; reuse the Result.
	var r subjects.Result[*sub]
	snap := current.Load()
	snap.MatchInto([]byte("orders.new"), &r)
	fmt.Println("gen", snap.Gen(), "entries", snap.Count())
	for _, s := range r.Plain {
		fmt.Println("plain", s.name)
	}
	for _, g := range r.Queues {
		fmt.Println("group", g.Name, "members", len(g.Members))
	}
	// Output:
	// gen 1 entries 3
	// plain a
	// group workers members 2
}
