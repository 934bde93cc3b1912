package subjects

// Benchmarks side by side with nats-server v2.15.2's Sublist.
//
//	go test -run='^$' -bench=. -benchmem ./subjects/
//
// The workload: subjects acme.regionR.deviceD.metric (32 regions, 4
// metrics, N/4 devices); 1% of the subscriptions are device wildcards
// (acme.regionR.deviceD.* or .>), and each region has one
// acme.regionR.*.alarm, so every match also walks a '*' branch. Matched
// subjects are literal subjects drawn at random from the inserted set.
//
// nats-server's subscription type is unexported. Its values are made by
// reflection (generic code infers the type from the method expression
// (*server.Sublist).Insert), and the timed loops call Sublist.Insert,
// Remove and MatchBytes directly, as the server does.

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"runtime"
	"testing"
	"unsafe"

	"github.com/nats-io/nats-server/v2/server"
)

var benchSizes = []struct {
	name string
	n    int
}{{"1k", 1_000}, {"100k", 100_000}, {"1M", 1_000_000}}

const (
	benchRegions = 32
	benchChunk   = 1024 // extra subscriptions inserted/removed per timed round
	benchBatch   = 256  // troupe-batch publishes every benchBatch edits
	benchSample  = 8192 // subjects matched, cycled
)

var benchMetrics = [4]string{"temp", "hum", "pres", "volt"}

// benchSub stands in for the caller's subscription record. Like
// nats-server's subscription (184 bytes), it keeps its subject and some
// state, so that both sides run with the same live heap outside the index:
// the GC's pace, and so each benchmark's GC cost, depends on it.
type benchSub struct {
	id             int
	subject, queue []byte
	_              [128]byte // the rest of a subscription's state
}

type benchSpec struct {
	subject, queue []byte
	sub            *benchSub
}

// benchWorkload returns n subscription specs, the literal subjects among
// them, and benchChunk extra specs (new devices) not in the set.
func benchWorkload(n int) (specs []benchSpec, literals [][]byte, extra []benchSpec) {
	rng := rand.New(rand.NewPCG(uint64(n), 7))
	devices := max(n/4, 1)
	for r := range benchRegions {
		specs = append(specs, benchSpec{subject: fmt.Appendf(nil, "acme.region%d.*.alarm", r)})
	}
	for i := len(specs); i < n; i++ {
		if i%100 == 0 {
			d := rng.IntN(devices)
			wc := "*"
			if i%200 == 0 {
				wc = ">"
			}
			specs = append(specs, benchSpec{subject: fmt.Appendf(nil, "acme.region%d.device%d.%s", d%benchRegions, d, wc)})
			continue
		}
		d := i / 4
		s := fmt.Appendf(nil, "acme.region%d.device%d.%s", d%benchRegions, d, benchMetrics[i%4])
		specs = append(specs, benchSpec{subject: s})
		literals = append(literals, s)
	}
	for k := range benchChunk {
		d := devices + k
		extra = append(extra, benchSpec{subject: fmt.Appendf(nil, "acme.region%d.device%d.temp", d%benchRegions, d)})
	}
	for i, s := range specs {
		specs[i].sub = &benchSub{id: i, subject: s.subject, queue: s.queue}
	}
	for k, s := range extra {
		extra[k].sub = &benchSub{id: n + k, subject: s.subject, queue: s.queue}
	}
	return specs, literals, extra
}

func benchPick(rng *rand.Rand, literals [][]byte) [][]byte {
	out := make([][]byte, benchSample)
	for i := range out {
		out[i] = literals[rng.IntN(len(literals))]
	}
	return out
}

// ---- troupe ----

type troupeFixture struct {
	ix      *Index[*benchSub]
	extra   []benchSpec
	matches [][]byte
}

// Fixtures are built once and reused by the repeated runs of one
// benchmark; asking for a different one drops the old ones first, so that
// each benchmark runs (and collects garbage) with only its own index live.
var (
	troupeFixtures = map[int]*troupeFixture{}
	dropNats       func()
)

func dropFixtures() {
	clear(troupeFixtures)
	if dropNats != nil {
		dropNats()
	}
	runtime.GC()
}

func getTroupe(b *testing.B, n int) *troupeFixture {
	if f := troupeFixtures[n]; f != nil {
		return f
	}
	dropFixtures()
	specs, literals, extra := benchWorkload(n)
	ix := NewIndex[*benchSub]()
	for i, s := range specs {
		if err := ix.Insert(s.subject, s.queue, s.sub); err != nil {
			b.Fatal(err)
		}
		if i%4096 == 0 {
			ix.Publish()
		}
	}
	if snap := ix.Publish(); snap.Count() != n {
		b.Fatalf("count %d, want %d", snap.Count(), n)
	}
	f := &troupeFixture{ix, extra, benchPick(rand.New(rand.NewPCG(1, 1)), literals)}
	troupeFixtures[n] = f
	return f
}

// troupeEdits times f(spec) over chunks of the extra specs; undo restores
// the index untimed, so that it holds n entries throughout.
func troupeEdits(b *testing.B, ix *Index[*benchSub], extra []benchSpec, publishEvery int, timedInsert bool) {
	insert := func(s benchSpec) {
		if err := ix.Insert(s.subject, s.queue, s.sub); err != nil {
			b.Fatal(err)
		}
	}
	remove := func(s benchSpec) {
		if err := ix.Remove(s.subject, s.queue, s.sub); err != nil {
			b.Fatal(err)
		}
	}
	timed, undo := insert, remove
	if !timedInsert {
		timed, undo = remove, insert
		for _, s := range extra {
			undo(s)
		}
		ix.Publish()
	}
	b.ReportAllocs()
	b.ResetTimer()
	for done := 0; done < b.N; {
		m := min(len(extra), b.N-done)
		b.StartTimer()
		for k, s := range extra[:m] {
			timed(s)
			if (k+1)%publishEvery == 0 {
				ix.Publish()
			}
		}
		ix.Publish()
		b.StopTimer()
		for _, s := range extra[:m] {
			undo(s)
		}
		ix.Publish()
		done += m
	}
	if !timedInsert {
		for _, s := range extra {
			remove(s)
		}
		ix.Publish()
	}
}

// ---- nats-server Sublist ----

// natsSubs makes nats-server subscriptions for specs; T is inferred as
// *server.subscription from insert, the method expression.
func natsSubs[T any](insert func(*server.Sublist, T) error, specs []benchSpec) []T {
	typ := reflect.TypeFor[T]().Elem()
	set := func(v reflect.Value, field string, b []byte) {
		f := v.FieldByName(field)
		reflect.NewAt(f.Type(), unsafe.Pointer(f.UnsafeAddr())).Elem().SetBytes(b)
	}
	out := make([]T, len(specs))
	for i, s := range specs {
		v := reflect.New(typ)
		set(v.Elem(), "subject", s.subject)
		if len(s.queue) > 0 {
			set(v.Elem(), "queue", s.queue)
		}
		out[i] = v.Interface().(T)
	}
	return out
}

type natsFixture[T any] struct {
	sl      *server.Sublist
	extra   []T
	matches [][]byte
}

type natsBench[T any] struct {
	insert, remove func(*server.Sublist, T) error
	fixtures       map[string]*natsFixture[T]
}

var sublist = newNatsBench((*server.Sublist).Insert, (*server.Sublist).Remove)

func newNatsBench[T any](insert, remove func(*server.Sublist, T) error) *natsBench[T] {
	nb := &natsBench[T]{insert, remove, map[string]*natsFixture[T]{}}
	dropNats = func() { clear(nb.fixtures) }
	return nb
}

func (nb *natsBench[T]) get(b *testing.B, n int, cache bool) *natsFixture[T] {
	key := fmt.Sprint(n, cache)
	if f := nb.fixtures[key]; f != nil {
		return f
	}
	dropFixtures()
	specs, literals, extra := benchWorkload(n)
	sl := server.NewSublistNoCache()
	if cache {
		sl = server.NewSublistWithCache()
	}
	for _, s := range natsSubs(nb.insert, specs) {
		if err := nb.insert(sl, s); err != nil {
			b.Fatal(err)
		}
	}
	if int(sl.Count()) != n {
		b.Fatalf("count %d, want %d", sl.Count(), n)
	}
	f := &natsFixture[T]{sl, natsSubs(nb.insert, extra), benchPick(rand.New(rand.NewPCG(1, 1)), literals)}
	nb.fixtures[key] = f
	return f
}

func (nb *natsBench[T]) edits(b *testing.B, f *natsFixture[T], timedInsert bool) {
	timed, undo := nb.insert, nb.remove
	if !timedInsert {
		timed, undo = nb.remove, nb.insert
		for _, s := range f.extra {
			undo(f.sl, s)
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for done := 0; done < b.N; {
		m := min(len(f.extra), b.N-done)
		b.StartTimer()
		for _, s := range f.extra[:m] {
			if err := timed(f.sl, s); err != nil {
				b.Fatal(err)
			}
		}
		b.StopTimer()
		for _, s := range f.extra[:m] {
			undo(f.sl, s)
		}
		done += m
	}
	if !timedInsert {
		for _, s := range f.extra {
			nb.remove(f.sl, s)
		}
	}
}

// ---- benchmarks ----

func benchEdits(b *testing.B, timedInsert bool) {
	publishEvery := map[string]int{"troupe": 1, "troupe-batch": benchBatch, "troupe-batch1k": benchChunk}
	for _, impl := range []string{"troupe", "troupe-batch", "troupe-batch1k", "sublist"} {
		b.Run(impl, func(b *testing.B) {
			for _, size := range benchSizes {
				b.Run(size.name, func(b *testing.B) {
					b.StopTimer()
					switch impl {
					case "sublist":
						sublist.edits(b, sublist.get(b, size.n, true), timedInsert)
					default:
						f := getTroupe(b, size.n)
						troupeEdits(b, f.ix, f.extra, publishEvery[impl], timedInsert)
					}
				})
			}
		})
	}
}

// BenchmarkInsert: cost of one insert into an index holding N entries
// (troupe: Insert+Publish; troupe-batch: Publish every 256 inserts;
// troupe-batch1k: every 1024, as an account actor draining a burst of SUBs
// might).
func BenchmarkInsert(b *testing.B) { benchEdits(b, true) }

// BenchmarkRemove: the same for removal.
func BenchmarkRemove(b *testing.B) { benchEdits(b, false) }

// BenchmarkMatch: cost of matching one literal subject against N entries.
// troupe reuses one Result (MatchInto); troupe-cache goes through a
// per-reader Cache of 4096 entries; sublist is nats-server's shared cache,
// sublist-nocache its bare trie.
func BenchmarkMatch(b *testing.B) {
	for _, impl := range []string{"troupe", "troupe-cache", "sublist", "sublist-nocache"} {
		b.Run(impl, func(b *testing.B) {
			for _, size := range benchSizes {
				b.Run(size.name, func(b *testing.B) {
					b.ReportAllocs()
					hits := 0
					switch impl {
					case "troupe", "troupe-cache":
						f := getTroupe(b, size.n)
						snap := f.ix.Publish()
						var r Result[*benchSub]
						cache := NewCache[*benchSub](DefaultCacheSize)
						for i := 0; b.Loop(); i++ {
							subj := f.matches[i%benchSample]
							if impl == "troupe" {
								snap.MatchInto(subj, &r)
								hits += len(r.Plain)
							} else {
								hits += len(cache.Match(snap, subj).Plain)
							}
						}
					default:
						f := sublist.get(b, size.n, impl == "sublist")
						for i := 0; b.Loop(); i++ {
							if r := f.sl.MatchBytes(f.matches[i%benchSample]); r != nil {
								hits++
							}
						}
					}
					if hits == 0 {
						b.Fatal("nothing matched")
					}
				})
			}
		})
	}
}

// BenchmarkMemory reports the heap held by the index per subscription
// (B/sub, objects/sub), built from scratch with N entries. The subscription
// handles and subjects are allocated before the first reading, so only the
// index's own memory counts (for Sublist, including the subject string it
// copies). It builds one index per run whatever b.N is: the metric is per
// subscription, not per iteration.
func BenchmarkMemory(b *testing.B) {
	for _, impl := range []string{"troupe", "sublist"} {
		b.Run(impl, func(b *testing.B) {
			for _, size := range benchSizes {
				b.Run(size.name, func(b *testing.B) {
					dropFixtures()
					specs, _, _ := benchWorkload(size.n)
					natsSpecs := natsSubs(sublist.insert, specs)
					var m0, m1 runtime.MemStats
					runtime.GC()
					runtime.ReadMemStats(&m0)
					var keep any
					if impl == "troupe" {
						ix := NewIndex[*benchSub]()
						for i, s := range specs {
							_ = ix.Insert(s.subject, s.queue, s.sub)
							if i%4096 == 0 {
								ix.Publish()
							}
						}
						keep = ix.Publish()
					} else {
						sl := server.NewSublistWithCache()
						for _, s := range natsSpecs {
							_ = sublist.insert(sl, s)
						}
						keep = sl
					}
					runtime.GC()
					runtime.ReadMemStats(&m1)
					runtime.KeepAlive(keep)
					runtime.KeepAlive(specs) // both inputs stay live across both readings
					runtime.KeepAlive(natsSpecs)
					n := float64(size.n)
					b.ReportMetric(float64(m1.HeapAlloc-m0.HeapAlloc)/n, "B/sub")
					b.ReportMetric(float64(m1.HeapObjects-m0.HeapObjects)/n, "objects/sub")
					b.ReportMetric(0, "ns/op")
				})
			}
		})
	}
}
