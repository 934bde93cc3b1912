package subjects

import (
	"errors"
	"fmt"
	"slices"
	"testing"
)

func TestMatchSemantics(t *testing.T) {
	subs := []entry{
		{"foo", "", 1},
		{"foo.bar", "", 2},
		{"foo.*", "", 3},
		{"foo.>", "", 4},
		{">", "", 5},
		{"*.bar", "", 6},
		{"*.*.baz", "", 7},
		{"foo.bar.baz", "", 8},
		{"foo.*.baz", "", 9},
		{"foo.bar", "q1", 10},
		{"foo.*", "q1", 11},
		{"foo.>", "q2", 12},
		{"foo.bar", "q2", 13},
		{"bar", "q1", 14},
		{"foo.*bar", "", 15}, // literal token "*bar"
		{"foo.bar", "", 16},
	}
	ix := NewIndex[int]()
	for _, e := range subs {
		mustInsert(t, ix, e.subject, e.queue, e.s)
	}
	snap := ix.Publish()
	cases := []struct{ subject, want string }{
		{"foo", "plain=[1 5]"},
		{"foo.bar", "plain=[2 3 4 5 6 16] q1=[10 11] q2=[12 13]"},
		{"foo.baz", "plain=[3 4 5] q1=[11] q2=[12]"},
		{"foo.bar.baz", "plain=[4 5 7 8 9] q2=[12]"},
		{"foo.x.baz", "plain=[4 5 7 9] q2=[12]"},
		{"x.bar", "plain=[5 6]"},
		{"x.y.baz", "plain=[5 7]"},
		{"bar", "plain=[5] q1=[14]"},
		{"foo.*bar", "plain=[3 4 5 15] q1=[11] q2=[12]"},
		{"foo.xbar", "plain=[3 4 5] q1=[11] q2=[12]"},
		{"baz.qux.quux.x", "plain=[5]"},
		{"foo.*", "plain=[3 4 5] q1=[11] q2=[12]"}, // "*" in a subject is literal: not *.bar
		{"", "plain=[]"},
		{"foo.", "plain=[]"},
		{".foo", "plain=[]"},
		{"foo..bar", "plain=[]"},
	}
	var reuse Result[int]
	for _, c := range cases {
		if got := canon(snap.Match([]byte(c.subject))); got != c.want {
			t.Errorf("Match(%q) = %s, want %s", c.subject, got, c.want)
		}
		snap.MatchInto([]byte(c.subject), &reuse)
		if got := canon(&reuse); got != c.want {
			t.Errorf("MatchInto(%q) = %s, want %s", c.subject, got, c.want)
		}
		if got := bruteMatch(subs, c.subject); got != c.want {
			t.Errorf("reference for %q = %s, want %s (bad table)", c.subject, got, c.want)
		}
	}
	if r := snap.Match([]byte("foo.bar")); r.Len() != 6+2 {
		t.Errorf("Len = %d, want 8", r.Len())
	}
}

func TestInsertRemoveErrors(t *testing.T) {
	ix := NewIndex[int]()
	for _, bad := range []string{"", "foo.", "foo..bar", "foo.>.bar", "foo bar", "a\tb"} {
		if err := ix.Insert([]byte(bad), nil, 1); !errors.Is(err, ErrInvalidSubject) {
			t.Errorf("Insert(%q) = %v, want ErrInvalidSubject", bad, err)
		}
		if err := ix.Remove([]byte(bad), nil, 1); !errors.Is(err, ErrInvalidSubject) {
			t.Errorf("Remove(%q) = %v, want ErrInvalidSubject", bad, err)
		}
	}
	if err := ix.Insert([]byte("foo"), []byte("a b"), 1); !errors.Is(err, ErrInvalidSubject) {
		t.Errorf("Insert with bad queue = %v", err)
	}
	mustInsert(t, ix, "foo", "q", 1)
	for _, e := range []entry{{"foo", "", 1}, {"foo", "q", 2}, {"foo", "r", 1}, {"foo.bar", "q", 1}, {"fo", "q", 1}, {"*", "q", 1}} {
		if err := ix.Remove([]byte(e.subject), []byte(e.queue), e.s); !errors.Is(err, ErrNotFound) {
			t.Errorf("Remove(%v) = %v, want ErrNotFound", e, err)
		}
	}
	if ix.Count() != 1 {
		t.Fatalf("Count = %d after failed removes", ix.Count())
	}
}

func TestDuplicatesAndRemoval(t *testing.T) {
	ix := NewIndex[int]()
	mustInsert(t, ix, "foo.bar", "", 1)
	s1 := ix.Publish()
	mustInsert(t, ix, "foo.bar", "", 1) // no-op
	mustInsert(t, ix, "foo.bar", "", 1)
	if ix.Count() != 1 {
		t.Fatalf("Count = %d, want 1", ix.Count())
	}
	if s2 := ix.Publish(); s2 != s1 {
		t.Fatal("Publish after no-op inserts made a new snapshot")
	}
	// The same s on several patterns and groups is several entries.
	mustInsert(t, ix, "foo.*", "", 1)
	mustInsert(t, ix, "foo.bar", "q", 1)
	mustInsert(t, ix, "foo.>", "q", 1)
	s3 := ix.Publish()
	if s3.Gen() != s1.Gen()+1 || s3.Count() != 4 {
		t.Fatalf("gen %d count %d", s3.Gen(), s3.Count())
	}
	if got, want := canon(s3.Match([]byte("foo.bar"))), "plain=[1 1] q=[1 1]"; got != want {
		t.Fatalf("Match = %s, want %s", got, want)
	}
	mustRemove(t, ix, "foo.bar", "q", 1)
	mustRemove(t, ix, "foo.*", "", 1)
	s4 := ix.Publish()
	if got, want := canon(s4.Match([]byte("foo.bar"))), "plain=[1] q=[1]"; got != want {
		t.Fatalf("Match = %s, want %s", got, want)
	}
	if got, want := canon(s3.Match([]byte("foo.bar"))), "plain=[1 1] q=[1 1]"; got != want {
		t.Fatalf("old snapshot changed: %s", got)
	}
	mustRemove(t, ix, "foo.bar", "", 1)
	mustRemove(t, ix, "foo.>", "q", 1)
	s5 := ix.Publish()
	if s5.Count() != 0 || ix.root != nil {
		t.Fatalf("empty index keeps nodes: count %d root %v", s5.Count(), ix.root)
	}
	if r := s5.Match([]byte("foo.bar")); r.Len() != 0 {
		t.Fatalf("empty snapshot matched %d", r.Len())
	}
}

func TestPublishGenerations(t *testing.T) {
	ix := NewIndex[int]()
	s1 := ix.Publish()
	if s1.Gen() != 1 || s1.Count() != 0 || ix.Publish() != s1 {
		t.Fatal("first Publish")
	}
	mustInsert(t, ix, "a", "", 1)
	s2 := ix.Publish()
	if s2.Gen() != 2 || s2.Count() != 1 {
		t.Fatalf("gen %d count %d", s2.Gen(), s2.Count())
	}
	if err := ix.Remove([]byte("b"), nil, 1); err == nil {
		t.Fatal("removed a missing entry")
	}
	if ix.Publish() != s2 {
		t.Fatal("failed remove made a new snapshot")
	}
	// Insert then remove in one batch: new generation, same content.
	mustInsert(t, ix, "b", "", 2)
	mustRemove(t, ix, "b", "", 2)
	s3 := ix.Publish()
	if s3.Gen() != 3 || s3.Count() != 1 {
		t.Fatalf("gen %d count %d", s3.Gen(), s3.Count())
	}
}

// Big levels and big sets go through the HAMT form; churn leaves nothing.
func TestLargeFanoutAndPruning(t *testing.T) {
	ix := NewIndex[int]()
	const n = 3000
	for i := range n {
		mustInsert(t, ix, fmt.Sprintf("dev.%d.temp", i), "", i) // wide level
		mustInsert(t, ix, "all", "", i)                         // big plain set
		mustInsert(t, ix, "work", fmt.Sprintf("g%d", i%50), i)  // many groups
		if i%100 == 0 {
			ix.Publish()
		}
	}
	snap := ix.Publish()
	if snap.Count() != 3*n {
		t.Fatalf("count %d", snap.Count())
	}
	if got := canon(snap.Match([]byte("dev.1234.temp"))); got != "plain=[1234]" {
		t.Fatalf("dev match %s", got)
	}
	if r := snap.Match([]byte("all")); len(r.Plain) != n {
		t.Fatalf("all: %d plain", len(r.Plain))
	}
	r := snap.Match([]byte("work"))
	if len(r.Queues) != 50 || len(r.Queues[0].Members) != n/50 {
		t.Fatalf("work: %d groups", len(r.Queues))
	}
	if got := len(rangeEntries(snap)); got != 3*n {
		t.Fatalf("Range saw %d", got)
	}
	for i := range n {
		mustRemove(t, ix, fmt.Sprintf("dev.%d.temp", i), "", i)
		mustRemove(t, ix, "all", "", i)
		mustRemove(t, ix, "work", fmt.Sprintf("g%d", i%50), i)
		if i%100 == 0 {
			ix.Publish()
		}
	}
	if ix.Count() != 0 || ix.root != nil {
		t.Fatalf("after churn: count %d root %v", ix.Count(), ix.root)
	}
	if got := canon(snap.Match([]byte("dev.1234.temp"))); got != "plain=[1234]" {
		t.Fatalf("old snapshot changed: %s", got)
	}
}

func TestRangeAndEarlyStop(t *testing.T) {
	ix := NewIndex[int]()
	want := []entry{{"a", "", 1}, {"a.*", "", 2}, {"a.>", "q", 3}, {"a.b.c", "", 4}, {"a.b.c", "q", 5}, {"*", "r", 6}, {">", "", 7}}
	for _, e := range want {
		mustInsert(t, ix, e.subject, e.queue, e.s)
	}
	snap := ix.Publish()
	sortEntries(want)
	if got := rangeEntries(snap); !slices.Equal(got, want) {
		t.Fatalf("Range = %v, want %v", got, want)
	}
	calls := 0
	snap.Range(func(string, string, int) bool { calls++; return calls < 3 })
	if calls != 3 {
		t.Fatalf("Range went on after false: %d calls", calls)
	}
}

func TestPointerHandles(t *testing.T) {
	type sub struct{ id int }
	a, b := &sub{1}, &sub{1} // equal contents, distinct handles
	ix := NewIndex[*sub]()
	if err := ix.Insert([]byte("x.y"), nil, a); err != nil {
		t.Fatal(err)
	}
	if err := ix.Insert([]byte("x.*"), []byte("q"), b); err != nil {
		t.Fatal(err)
	}
	r := ix.Publish().Match([]byte("x.y"))
	if len(r.Plain) != 1 || r.Plain[0] != a || len(r.Queues) != 1 || r.Queues[0].Members[0] != b {
		t.Fatalf("result %+v", r)
	}
	if err := ix.Remove([]byte("x.y"), nil, b); !errors.Is(err, ErrNotFound) {
		t.Fatal("removed by value instead of by handle")
	}
}

// The index keeps nothing of the caller's buffers: a protocol reader
// reuses one buffer for every SUB.
func TestCallerBuffersAreCopied(t *testing.T) {
	ix := NewIndex[int]()
	buf := make([]byte, 0, 64)
	qbuf := make([]byte, 0, 16)
	want := []entry{{"a.*", "", 1}, {"a.>", "q", 2}, {"*.b.c", "", 3}, {"x.y", "grp", 4}, {"a.*.c", "q", 5}}
	scribble := func() {
		buf = append(buf[:0], "#.#.#.#.#.#"...)
		qbuf = append(qbuf[:0], "###"...)
	}
	for _, e := range want {
		buf = append(buf[:0], e.subject...)
		qbuf = append(qbuf[:0], e.queue...)
		if err := ix.Insert(buf, qbuf, e.s); err != nil {
			t.Fatal(err)
		}
		scribble()
	}
	snap := ix.Publish()
	sortEntries(want)
	if got := rangeEntries(snap); !slices.Equal(got, want) {
		t.Fatalf("Range after buffer reuse = %v, want %v", got, want)
	}
	// Later writes through the reused buffers still find the entries.
	for _, e := range want {
		buf = append(buf[:0], e.subject...)
		qbuf = append(qbuf[:0], e.queue...)
		if err := ix.Remove(buf, qbuf, e.s); err != nil {
			t.Fatalf("Remove(%v): %v", e, err)
		}
		scribble()
	}
	if ix.Count() != 0 || ix.root != nil {
		t.Fatalf("left %d entries", ix.Count())
	}
	if got := rangeEntries(snap); !slices.Equal(got, want) {
		t.Fatalf("old snapshot after removals = %v", got)
	}
}
