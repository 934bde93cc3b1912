package subjects

import (
	"fmt"
	"testing"
)

func TestCache(t *testing.T) {
	ix := NewIndex[int]()
	mustInsert(t, ix, "a.*", "", 1)
	s1 := ix.Publish()
	c := NewCache[int](3)
	r1 := c.Match(s1, []byte("a.b"))
	if got := canon(r1); got != "plain=[1]" {
		t.Fatalf("first match %s", got)
	}
	if c.Match(s1, []byte("a.b")) != r1 {
		t.Fatal("second lookup missed the cache")
	}
	// A new generation drops the cached results.
	mustInsert(t, ix, "a.b", "q", 2)
	s2 := ix.Publish()
	r2 := c.Match(s2, []byte("a.b"))
	if r2 == r1 || canon(r2) != "plain=[1] q=[2]" {
		t.Fatalf("after new gen: %s (same result: %v)", canon(r2), r2 == r1)
	}
	if c.Len() != 1 {
		t.Fatalf("Len %d after generation change, want 1", c.Len())
	}
	// Bounded: never more than max entries.
	for i := range 10 {
		c.Match(s2, fmt.Appendf(nil, "a.%d", i))
		if c.Len() > 3 {
			t.Fatalf("Len %d > max", c.Len())
		}
	}
	// The cached key is a copy: reusing the caller's buffer is safe.
	buf := []byte("a.x")
	rx := c.Match(s2, buf)
	copy(buf, "a.y")
	if c.Match(s2, []byte("a.x")) != rx {
		t.Fatal("cached key changed with the caller's buffer")
	}
	// Going back to an older snapshot is also a change.
	if got := canon(c.Match(s1, []byte("a.b"))); got != "plain=[1]" {
		t.Fatalf("old snapshot through cache: %s", got)
	}
}
