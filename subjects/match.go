package subjects

import "bytes"

// Match reports whether subject is matched by pattern, token by token: '*'
// in pattern matches any one token, a final '>' matches one or more tokens,
// and every other token must be equal. Tokens of subject are taken
// literally, so a subject token "*" is matched only by a pattern '*' (or a
// '>'), which is also what the index does.
//
// It returns false if either argument is empty or has an empty token, or if
// pattern has a '>' that is not its last token. Whitespace is not checked.
// Snapshot.Match and this function agree on every input.
func Match(pattern, subject []byte) bool {
	if !wellFormed(unsafeString(subject)) || len(pattern) == 0 {
		return false
	}
	pi, si := 0, 0
	for {
		pt, pnext := NextToken(pattern, pi)
		switch {
		case len(pt) == 0:
			return false
		case len(pt) == 1 && pt[0] == '>':
			return pnext < 0 // si always points at a token here
		}
		st, snext := NextToken(subject, si)
		if !(len(pt) == 1 && pt[0] == '*') && !bytes.Equal(pt, st) {
			return false
		}
		if pnext < 0 || snext < 0 {
			return pnext < 0 && snext < 0
		}
		pi, si = pnext, snext
	}
}
