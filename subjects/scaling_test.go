package subjects

import (
	"fmt"
	"runtime"
	"testing"
)

// A write copies only the path to the changed node: O(depth × log32
// fanout) bytes, not O(entries). With 100,000 children on one level and
// 100,000 subscribers on one subject, one Insert+Publish (the worst case:
// every node on the path frozen) must still allocate a few KB, where
// copying a level or a set would take megabytes.
func TestWriteCostIndependentOfSize(t *testing.T) {
	const n = 100_000
	ix := NewIndex[int]()
	for i := range n {
		mustInsert(t, ix, fmt.Sprintf("wide.%d", i), "", i) // 100k children
		mustInsert(t, ix, "crowd", "", i)                   // 100k plain subscribers
		mustInsert(t, ix, "queue", "workers", i)            // a 100k-member group
	}
	ix.Publish()
	subjects := make([][]byte, 300)
	for i := range subjects {
		subjects[i] = fmt.Appendf(nil, "wide.new%d", i)
	}
	cases := []struct {
		name    string
		insert  func(i int)
		remove  func(i int)
		maxEach uint64
	}{
		{"new child on a 100k level",
			func(i int) { mustInsert(t, ix, string(subjects[i]), "", i) },
			func(i int) { mustRemove(t, ix, string(subjects[i]), "", i) }, 4096},
		{"new subscriber on a 100k set",
			func(i int) { mustInsert(t, ix, "crowd", "", n+i) },
			func(i int) { mustRemove(t, ix, "crowd", "", n+i) }, 4096},
		{"new member of a 100k group",
			func(i int) { mustInsert(t, ix, "queue", "workers", n+i) },
			func(i int) { mustRemove(t, ix, "queue", "workers", n+i) }, 4096},
	}
	for _, c := range cases {
		for _, op := range []struct {
			name string
			f    func(int)
		}{{"insert", c.insert}, {"remove", c.remove}} {
			var m0, m1 runtime.MemStats
			runtime.ReadMemStats(&m0)
			for i := range len(subjects) {
				op.f(i)
				ix.Publish()
			}
			runtime.ReadMemStats(&m1)
			each := (m1.TotalAlloc - m0.TotalAlloc) / uint64(len(subjects))
			t.Logf("%s, %s+Publish: %d bytes each", c.name, op.name, each)
			if each > c.maxEach {
				t.Errorf("%s, %s+Publish: %d bytes each, want <= %d", c.name, op.name, each, c.maxEach)
			}
		}
	}
	if ix.Count() != 3*n {
		t.Fatalf("count %d", ix.Count())
	}
}
