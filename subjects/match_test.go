package subjects

import (
	"math/rand/v2"
	"testing"

	"github.com/nats-io/nats-server/v2/server"
)

func TestMatchTable(t *testing.T) {
	cases := []struct {
		pattern, subject string
		want             bool
	}{
		{"foo", "foo", true},
		{"foo", "bar", false},
		{"foo", "foo.bar", false},
		{"foo.bar", "foo", false},
		{"foo.bar", "foo.bar", true},
		{"*", "foo", true},
		{"*", "foo.bar", false},
		{"foo.*", "foo.bar", true},
		{"foo.*", "foo", false},
		{"foo.*", "foo.bar.baz", false},
		{"*.bar", "foo.bar", true},
		{"*.*", "foo.bar", true},
		{">", "foo", true},
		{">", "foo.bar.baz", true},
		{"foo.>", "foo", false},
		{"foo.>", "foo.bar", true},
		{"foo.>", "foo.bar.baz", true},
		{"foo.*.>", "foo.bar", false},
		{"foo.*.>", "foo.bar.baz", true},
		{"*.>", "foo.bar", true},
		{"foo.*bar", "foo.xbar", false}, // "*bar" is a literal token
		{"foo.*bar", "foo.*bar", true},
		{"foo.bar", "foo.*", false}, // subject tokens are literal
		{"foo.*", "foo.*", true},
		{"foo.>", "foo.>", true},
		{"foo.>.bar", "foo.x.bar", false}, // '>' not last: matches nothing
		{"", "foo", false},
		{"foo", "", false},
		{">", "", false},
		{">", "foo..bar", false},
		{">", "foo.", false},
		{"*", ".", false},
		{"foo..bar", "foo..bar", false},
	}
	for _, c := range cases {
		if got := Match([]byte(c.pattern), []byte(c.subject)); got != c.want {
			t.Errorf("Match(%q, %q) = %v, want %v", c.pattern, c.subject, got, c.want)
		}
	}
}

// For valid patterns and literal subjects, Match agrees with nats-server's
// SubjectMatchesFilter.
func TestMatchAgainstNATS(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	toks := []string{"a", "b", "ab", "*", ">"}
	gen := func(wild bool) string {
		s := ""
		for i := range 1 + rng.IntN(4) {
			if i > 0 {
				s += "."
			}
			if wild {
				s += toks[rng.IntN(len(toks))]
			} else {
				s += toks[rng.IntN(3)]
			}
		}
		return s
	}
	for range 20000 {
		p, s := gen(true), gen(false)
		if !Valid([]byte(p)) {
			continue
		}
		if got, want := Match([]byte(p), []byte(s)), server.SubjectMatchesFilter(s, p); got != want {
			t.Fatalf("Match(%q, %q) = %v, nats-server = %v", p, s, got, want)
		}
	}
}
