package accounts

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

var cachePerms = &Permissions{Publish: &SubjectPermission{
	Allow: []string{"foo.>", "bar.*", "baz"}, Deny: []string{"foo.secret.>"},
}}

// The cache answers as the permissions do, whatever the order and repetition of subjects, and
// through prunes and turning itself off.
func TestPublishCacheAgreesWithPerms(t *testing.T) {
	p := mustCompile(t, cachePerms)
	toks := []string{"foo", "bar", "baz", "secret", "x", "y"}
	r := rand.New(rand.NewPCG(1, 2))
	var c PublishCache
	c.Reset(p)
	for i := range 100_000 {
		n := 1 + r.IntN(4)
		if i%1000 < 500 {
			n = 1 + r.IntN(2) // phases of few distinct subjects, where the cache stays on
		}
		s := toks[r.IntN(len(toks))]
		for range n - 1 {
			s += "." + toks[r.IntN(len(toks))]
		}
		if got, want := c.CanPublish([]byte(s)), p.CanPublish([]byte(s)); got != want {
			t.Fatalf("lookup %d: cached CanPublish(%q) = %v, Perms says %v", i, s, got, want)
		}
	}
}

// A publisher to a few subjects keeps the cache; one whose subjects never repeat turns it off.
func TestPublishCacheTurnsOffWithoutRepeats(t *testing.T) {
	p := mustCompile(t, cachePerms)
	var few, unique PublishCache
	few.Reset(p)
	unique.Reset(p)
	for i := range 10_000 {
		few.CanPublish(fmt.Appendf(nil, "foo.%d", i%20))
		unique.CanPublish(fmt.Appendf(nil, "foo.%d", i))
	}
	if !few.Caching() {
		t.Error("a publisher to 20 subjects turned the cache off")
	}
	if unique.Caching() {
		t.Error("a publisher to 10k distinct subjects still caches")
	}
	// 130 subjects in turn overflow the cache, but most lookups (about 3 in 4) still hit.
	var wide PublishCache
	wide.Reset(p)
	for i := range 10_000 {
		wide.CanPublish(fmt.Appendf(nil, "bar.%d", i%(PublishCacheSize+2)))
	}
	if !wide.Caching() {
		t.Error("a publisher to a few more subjects than the cache holds turned it off")
	}
}

// Without publish restrictions nothing is cached; Reset with new permissions forgets the old
// verdicts.
func TestPublishCacheReset(t *testing.T) {
	var c PublishCache
	c.Reset(nil)
	if c.Caching() || !c.CanPublish([]byte("anything")) {
		t.Fatal("no permissions: want everything allowed and nothing cached")
	}
	c.Reset(mustCompile(t, cachePerms))
	if c.CanPublish([]byte("qux")) {
		t.Fatal("qux allowed by foo.>, bar.*, baz")
	}
	c.Reset(mustCompile(t, &Permissions{Publish: &SubjectPermission{Allow: []string{"qux"}}}))
	if !c.CanPublish([]byte("qux")) {
		t.Fatal("after Reset, the old verdict on qux is still used")
	}
}

func TestPublishCacheHitAllocatesNothing(t *testing.T) {
	var c PublishCache
	c.Reset(mustCompile(t, cachePerms))
	s := []byte("foo.public.x")
	c.CanPublish(s)
	if n := testing.AllocsPerRun(1000, func() { c.CanPublish(s) }); n != 0 {
		t.Fatalf("%v allocations per cached check", n)
	}
}

// BenchmarkPublishCache compares a cached verdict with the pattern walk it replaces, on the
// same permissions (BenchmarkCanPublish) and on a user with many allow entries.
func BenchmarkPublishCache(b *testing.B) {
	many := &Permissions{Publish: &SubjectPermission{Deny: []string{"admin.>"}}}
	for i := range 100 {
		many.Publish.Allow = append(many.Publish.Allow, fmt.Sprintf("svc%d.*.req", i), fmt.Sprintf("evt.%d.>", i))
	}
	for _, tc := range []struct {
		name  string
		perms *Permissions
		subj  string
	}{
		{"4 entries", cachePerms, "foo.public.x"},
		{"201 entries", many, "evt.57.orders.created"},
	} {
		p, err := Compile(tc.perms)
		if err != nil {
			b.Fatal(err)
		}
		s := []byte(tc.subj)
		b.Run(tc.name+"/uncached", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				p.CanPublish(s)
			}
		})
		b.Run(tc.name+"/cached", func(b *testing.B) {
			var c PublishCache
			c.Reset(p)
			b.ReportAllocs()
			for b.Loop() {
				c.CanPublish(s)
			}
		})
	}
}
