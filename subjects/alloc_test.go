package subjects

import (
	"fmt"
	"testing"
)

// Allocation budgets of the publish path: all zero.

func TestAllocsTokenizeAndValidate(t *testing.T) {
	subj := []byte("acme.region3.device12345.temp")
	pattern := []byte("acme.*.device12345.>")
	n := 0
	allocs := testing.AllocsPerRun(1000, func() {
		var tk Tokens // on the stack
		if tk.Split(subj) {
			n += tk.Len() + len(tk.At(2))
		}
		for pos := 0; pos >= 0; {
			var tok []byte
			tok, pos = NextToken(subj, pos)
			n += len(tok)
		}
		if Valid(subj) && ValidLiteral(subj) && IsLiteral(subj) && ValidQueue(subj) && Match(pattern, subj) {
			n++
		}
	})
	if allocs != 0 {
		t.Fatalf("tokenize+validate: %v allocs/op, want 0", allocs)
	}
	if n == 0 {
		t.Fatal("nothing ran")
	}
}

// allocIndex holds wide levels and big sets, so that matching goes through
// both the slice and HAMT forms, wildcards and queue groups.
func allocIndex(t *testing.T) *Snapshot[int] {
	ix := NewIndex[int]()
	for i := range 200 {
		mustInsert(t, ix, fmt.Sprintf("acme.region%d.device%d.temp", i%4, i), "", i)
		mustInsert(t, ix, "acme.region3.device12345.temp", "", 1000+i)
		mustInsert(t, ix, "acme.*.device12345.temp", fmt.Sprintf("q%d", i%3), 2000+i)
		mustInsert(t, ix, "acme.region3.>", fmt.Sprintf("q%d", i%20), 3000+i)
	}
	return ix.Publish()
}

func TestAllocsMatchInto(t *testing.T) {
	snap := allocIndex(t)
	var r Result[int]
	subjects := [][]byte{
		[]byte("acme.region3.device12345.temp"), // plain set, groups, '*', '>'
		[]byte("acme.region1.device5.temp"),     // one plain sub
		[]byte("acme.region9.nothing.here"),     // miss
		[]byte("foo..bar"),                      // malformed
	}
	for _, s := range subjects {
		snap.MatchInto(s, &r) // warm r
	}
	allocs := testing.AllocsPerRun(200, func() {
		for _, s := range subjects {
			snap.MatchInto(s, &r)
		}
	})
	if allocs != 0 {
		t.Fatalf("MatchInto: %v allocs/op, want 0", allocs)
	}
	snap.MatchInto(subjects[0], &r)
	if len(r.Plain) != 200 || len(r.Queues) != 20 {
		t.Fatalf("matched %d plain, %d groups", len(r.Plain), len(r.Queues))
	}
}

func TestAllocsCacheHit(t *testing.T) {
	snap := allocIndex(t)
	c := NewCache[int](DefaultCacheSize)
	subj := []byte("acme.region3.device12345.temp")
	want := c.Match(snap, subj)
	allocs := testing.AllocsPerRun(1000, func() {
		if c.Match(snap, subj) != want {
			t.Fatal("cache miss")
		}
	})
	if allocs != 0 {
		t.Fatalf("Cache.Match hit: %v allocs/op, want 0", allocs)
	}
}
