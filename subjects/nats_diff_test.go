package subjects

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"

	"github.com/nats-io/nats-server/v2/server"
)

// TestAgainstNATSSublist runs the same random inserts and removes on an
// Index and on nats-server v2.15.2's Sublist and compares every match: the
// plain subscriptions, and the queue groups with their members (so also
// how groups are merged across patterns). SublistResult's fields are
// unexported and are read through reflection.
func TestAgainstNATSSublist(t *testing.T) {
	g := modelGen{rand.New(rand.NewPCG(11, 12))}
	var specs []benchSpec
	var entries []entry
	seen := map[entry]bool{}
	for len(specs) < 400 {
		e := g.entry()
		if seen[e] {
			continue
		}
		seen[e] = true
		entries = append(entries, e)
		specs = append(specs, benchSpec{subject: []byte(e.subject), queue: []byte(e.queue)})
	}
	subs := natsSubs(sublist.insert, specs)
	ids := map[uintptr]int{} // nats subscription -> index in entries
	for i, s := range subs {
		ids[reflect.ValueOf(s).Pointer()] = i
	}
	sl := server.NewSublistWithCache()
	ix := NewIndex[int]()
	live := make([]bool, len(entries))
	for step := range 3000 {
		i := g.rng.IntN(len(entries))
		e := entries[i]
		if live[i] {
			mustRemove(t, ix, e.subject, e.queue, i)
			if err := sublist.remove(sl, subs[i]); err != nil {
				t.Fatal(err)
			}
		} else {
			mustInsert(t, ix, e.subject, e.queue, i)
			if err := sublist.insert(sl, subs[i]); err != nil {
				t.Fatal(err)
			}
		}
		live[i] = !live[i]
		if step%10 != 0 {
			continue
		}
		snap := ix.Publish()
		if int(sl.Count()) != snap.Count() {
			t.Fatalf("step %d: count %d, nats %d", step, snap.Count(), sl.Count())
		}
		for range 10 {
			subj := g.subject(false)
			got := canon(snap.Match([]byte(subj)))
			want := canon(natsResult(t, sl.Match(subj), ids))
			if got != want {
				t.Fatalf("step %d: Match(%q)\n got %s\nnats %s", step, subj, got, want)
			}
		}
	}
	// And the error cases agree too.
	if err := ix.Remove([]byte("no.such"), nil, 0); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Remove of absent entry: %v", err)
	}
}

// natsResult converts a *server.SublistResult into a Result of entry
// indexes.
func natsResult(t *testing.T, r *server.SublistResult, ids map[uintptr]int) *Result[int] {
	t.Helper()
	v := reflect.ValueOf(r).Elem()
	out := &Result[int]{}
	id := func(p reflect.Value) int {
		i, ok := ids[p.Pointer()]
		if !ok {
			t.Fatalf("unknown subscription %v", p)
		}
		return i
	}
	psubs := v.FieldByName("psubs")
	for j := range psubs.Len() {
		out.Plain = append(out.Plain, id(psubs.Index(j)))
	}
	qsubs := v.FieldByName("qsubs")
	for j := range qsubs.Len() {
		group := qsubs.Index(j)
		if group.Len() == 0 {
			continue
		}
		name := string(group.Index(0).Elem().FieldByName("queue").Bytes())
		g := out.group(name)
		for k := range group.Len() {
			m := group.Index(k)
			if q := string(m.Elem().FieldByName("queue").Bytes()); q != name {
				panic(fmt.Sprintf("nats group %q holds a member of %q", name, q))
			}
			g.Members = append(g.Members, id(m))
		}
	}
	return out
}
