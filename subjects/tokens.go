package subjects

import (
	"bytes"
	"unsafe"
)

// MaxTokens is the number of tokens a Tokens value holds.
const MaxTokens = 32

// Tokens splits a subject into its tokens without allocating: the token
// slices point into the subject, and the array lives wherever the Tokens
// value does (declare it as a local and it stays on the stack).
//
//	var t subjects.Tokens
//	if t.Split(subject) {
//		for i := range t.Len() { use(t.At(i)) }
//	}
//
// Subjects may have more than MaxTokens tokens (nats-server sets no limit
// by default); Split then reports false and keeps the first MaxTokens.
// Code that must handle any length can walk the subject with NextToken,
// which is what the index itself does.
type Tokens struct {
	toks [MaxTokens][]byte
	n    int
}

// Split tokenizes subject. It reports false, with the tokens found so far,
// when subject is empty, has an empty token (leading, trailing or double
// '.') or has more than MaxTokens tokens.
func (t *Tokens) Split(subject []byte) bool {
	t.n = 0
	if len(subject) == 0 {
		return false
	}
	for pos := 0; ; {
		tok, next := NextToken(subject, pos)
		if len(tok) == 0 || t.n == MaxTokens {
			return false
		}
		t.toks[t.n] = tok
		t.n++
		if next < 0 {
			return true
		}
		pos = next
	}
}

// Len returns the number of tokens from the last Split.
func (t *Tokens) Len() int { return t.n }

// At returns token i, 0 <= i < Len().
func (t *Tokens) At(i int) []byte { return t.toks[:t.n][i] }

// NextToken returns the token of subject that starts at pos and the start
// of the token after it, or -1 if it was the last one. An empty token is
// returned as an empty slice. Start with pos 0.
func NextToken(subject []byte, pos int) (tok []byte, next int) {
	rest := subject[pos:]
	if i := bytes.IndexByte(rest, '.'); i >= 0 {
		return rest[:i:i], pos + i + 1
	}
	return rest[:len(rest):len(rest)], -1
}

// unsafeString views b as a string without copying. Only for lookups and
// comparisons that do not keep the string past the call: b may be reused.
func unsafeString(b []byte) string { return unsafe.String(unsafe.SliceData(b), len(b)) }
