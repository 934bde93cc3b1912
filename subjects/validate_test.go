package subjects

import (
	"math/rand/v2"
	"testing"

	"github.com/nats-io/nats-server/v2/server"
)

var subjectCases = []struct {
	s                     string
	valid, literal, isLit bool // Valid, ValidLiteral, IsLiteral
}{
	{"", false, false, true},
	{".", false, false, true},
	{"..", false, false, true},
	{"foo", true, true, true},
	{"foo.bar", true, true, true},
	{"foo.", false, false, true},
	{".foo", false, false, true},
	{"foo..bar", false, false, true},
	{"foo.bar.", false, false, true},
	{"*", true, false, false},
	{">", true, false, false},
	{"foo.*", true, false, false},
	{"foo.>", true, false, false},
	{"*.*.*", true, false, false},
	{"*.>", true, false, false},
	{"foo.*.bar", true, false, false},
	{"foo.>.bar", false, false, false},
	{">.foo", false, false, false},
	{">.>", false, false, false},
	{"foo.*bar", true, true, true}, // wildcards only count as whole tokens
	{"foo.bar*", true, true, true},
	{"foo.b>r", true, true, true},
	{"foo.>>", true, true, true},
	{"**", true, true, true},
	{"foo bar", false, true, true}, // ValidLiteral, like nats, ignores whitespace
	{"foo\tbar", false, true, true},
	{"foo\nbar", false, true, true},
	{"foo\rbar", false, true, true},
	{"foo\fbar", false, true, true},
	{" ", false, true, true},
	{"foo. .bar", false, true, true},
	{"foo.\t", false, true, true},
	{"foo.bar ", false, true, true},
	{"héllo.wörld", true, true, true},
	{"日本.語", true, true, true},
	{"\x00", true, true, true},
	{"$SYS.REQ.SERVER.PING", true, true, true},
	{"_INBOX.abc.*", true, false, false},
	{"a-b_c:d/e", true, true, true},
}

func TestValidationTable(t *testing.T) {
	for _, c := range subjectCases {
		b := []byte(c.s)
		if got := Valid(b); got != c.valid {
			t.Errorf("Valid(%q) = %v, want %v", c.s, got, c.valid)
		}
		if got := ValidLiteral(b); got != c.literal {
			t.Errorf("ValidLiteral(%q) = %v, want %v", c.s, got, c.literal)
		}
		if got := IsLiteral(b); got != c.isLit {
			t.Errorf("IsLiteral(%q) = %v, want %v", c.s, got, c.isLit)
		}
		checkAgainstNATS(t, c.s)
	}
}

// checkAgainstNATS compares with nats-server v2.15.2's own functions.
func checkAgainstNATS(t *testing.T, s string) {
	t.Helper()
	b := []byte(s)
	if got, want := Valid(b), server.IsValidSubject(s); got != want {
		t.Errorf("Valid(%q) = %v, nats-server IsValidSubject = %v", s, got, want)
	}
	if got, want := ValidLiteral(b), server.IsValidLiteralSubject(s); got != want {
		t.Errorf("ValidLiteral(%q) = %v, nats-server IsValidLiteralSubject = %v", s, got, want)
	}
	if got, want := Valid(b) && IsLiteral(b), server.IsValidPublishSubject(s); got != want {
		t.Errorf("Valid&&IsLiteral(%q) = %v, nats-server IsValidPublishSubject = %v", s, got, want)
	}
}

func TestValidationRandomAgainstNATS(t *testing.T) {
	alphabet := []string{"a", "b", ".", ".", "*", ">", " ", "\t", "\r", "\n", "\f", "é", "ab"}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 20000 {
		s := ""
		for range rng.IntN(9) {
			s += alphabet[rng.IntN(len(alphabet))]
		}
		checkAgainstNATS(t, s)
	}
}

func FuzzValid(f *testing.F) {
	for _, c := range subjectCases {
		f.Add(c.s)
	}
	f.Fuzz(func(t *testing.T, s string) { checkAgainstNATS(t, s) })
}

func TestValidQueue(t *testing.T) {
	cases := []struct {
		q  string
		ok bool
	}{
		{"", false},
		{"q", true},
		{"workers", true},
		{"foo.bar", true}, // dots, wildcards and unicode are plain characters
		{"*", true},
		{">", true},
		{"a.*.>", true},
		{"grüppe", true},
		{"_sys_", true}, // reserved by permissions, not by syntax
		{"a b", false},
		{"a\tb", false},
		{"a\rb", false},
		{"a\nb", false},
		{" ", false},
	}
	for _, c := range cases {
		if got := ValidQueue([]byte(c.q)); got != c.ok {
			t.Errorf("ValidQueue(%q) = %v, want %v", c.q, got, c.ok)
		}
	}
}
