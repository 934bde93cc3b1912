package subjects

import (
	"slices"
	"strings"
	"testing"
)

func TestTokensSplit(t *testing.T) {
	cases := []struct {
		s    string
		ok   bool
		toks []string
	}{
		{"foo", true, []string{"foo"}},
		{"foo.bar.baz", true, []string{"foo", "bar", "baz"}},
		{"foo.*.>", true, []string{"foo", "*", ">"}},
		{"", false, nil},
		{".", false, nil},
		{"foo.", false, []string{"foo"}},
		{".foo", false, nil},
		{"foo..bar", false, []string{"foo"}},
		{strings.Repeat("a.", 31) + "a", true, slices.Repeat([]string{"a"}, 32)},
		{strings.Repeat("a.", 32) + "a", false, slices.Repeat([]string{"a"}, 32)},
	}
	for _, c := range cases {
		var tk Tokens
		ok := tk.Split([]byte(c.s))
		var got []string
		for i := range tk.Len() {
			got = append(got, string(tk.At(i)))
		}
		if ok != c.ok || !slices.Equal(got, c.toks) {
			t.Errorf("Split(%q) = %v %q, want %v %q", c.s, ok, got, c.ok, c.toks)
		}
	}
}

func TestNextTokenWalk(t *testing.T) {
	s := []byte("a.bb..ccc.")
	var got []string
	pos := 0
	for pos >= 0 {
		var tok []byte
		tok, pos = NextToken(s, pos)
		got = append(got, string(tok))
	}
	if want := []string{"a", "bb", "", "ccc", ""}; !slices.Equal(got, want) {
		t.Fatalf("walk = %q, want %q", got, want)
	}
	// Tokens are capped: appending to one cannot overwrite the subject.
	tok, _ := NextToken(s, 0)
	_ = append(tok, 'X')
	if string(s) != "a.bb..ccc." {
		t.Fatalf("append to a token changed the subject: %q", s)
	}
}
