package subjects

import (
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
	"testing"
)

// entry is one (subject, queue, s) triple, for reference models.
type entry struct {
	subject, queue string
	s              int
}

// canon renders a result in a canonical, comparable form:
// "plain=[1 2] q1=[3] q2=[4 4]".
func canon(r *Result[int]) string {
	var b strings.Builder
	p := slices.Clone(r.Plain)
	slices.Sort(p)
	fmt.Fprintf(&b, "plain=%v", p)
	seen := map[string]bool{}
	qs := map[string][]int{}
	for _, g := range r.Queues {
		if seen[g.Name] {
			return fmt.Sprintf("DUPLICATE GROUP %q", g.Name)
		}
		seen[g.Name] = true
		if len(g.Members) == 0 {
			return fmt.Sprintf("EMPTY GROUP %q", g.Name)
		}
		m := slices.Clone(g.Members)
		slices.Sort(m)
		qs[g.Name] = m
	}
	for _, name := range slices.Sorted(maps.Keys(qs)) {
		fmt.Fprintf(&b, " %s=%v", name, qs[name])
	}
	return b.String()
}

// bruteMatch is the reference: every entry whose subject Match-es.
func bruteMatch(entries []entry, subject string) string {
	r := &Result[int]{}
	for _, e := range entries {
		if !Match([]byte(e.subject), []byte(subject)) {
			continue
		}
		if e.queue == "" {
			r.Plain = append(r.Plain, e.s)
		} else {
			g := r.group(e.queue)
			g.Members = append(g.Members, e.s)
		}
	}
	return canon(r)
}

// rangeEntries lists a snapshot's entries in sorted order.
func rangeEntries(s *Snapshot[int]) []entry {
	var out []entry
	s.Range(func(subject, queue string, v int) bool {
		out = append(out, entry{subject, queue, v})
		return true
	})
	sortEntries(out)
	return out
}

func sortEntries(es []entry) {
	sort.Slice(es, func(i, j int) bool {
		a, b := es[i], es[j]
		if a.subject != b.subject {
			return a.subject < b.subject
		}
		if a.queue != b.queue {
			return a.queue < b.queue
		}
		return a.s < b.s
	})
}

func mustInsert(t testing.TB, ix *Index[int], subject, queue string, s int) {
	t.Helper()
	if err := ix.Insert([]byte(subject), []byte(queue), s); err != nil {
		t.Fatalf("Insert(%q, %q, %d): %v", subject, queue, s, err)
	}
}

func mustRemove(t testing.TB, ix *Index[int], subject, queue string, s int) {
	t.Helper()
	if err := ix.Remove([]byte(subject), []byte(queue), s); err != nil {
		t.Fatalf("Remove(%q, %q, %d): %v", subject, queue, s, err)
	}
}
