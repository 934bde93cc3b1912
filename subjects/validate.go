package subjects

import "strings"

// Subject rules, as nats-server v2.15.2 applies them (server/sublist.go):
//
//   - a subject is a non-empty list of tokens separated by '.';
//   - no token is empty, so "", ".", ".foo", "foo." and "foo..bar" are all
//     invalid;
//   - '*' matches exactly one token and '>' one or more trailing tokens, and
//     both are wildcards only as whole tokens: "foo.*bar" and "foo.b>" are
//     valid literal subjects;
//   - '>' may only be the last token;
//   - any byte other than '.', whitespace and the wildcards is allowed,
//     including UTF-8 (nats-server does not check runes for clients).

// Valid reports whether subject may be subscribed to: non-empty tokens, no
// whitespace (space, \t, \n, \r, \f) anywhere, '>' only as the last token.
// It mirrors nats-server's IsValidSubject.
func Valid(subject []byte) bool {
	if len(subject) == 0 {
		return false
	}
	start, tail := 0, false
	for i, c := range subject {
		switch byteClass[c] {
		case plainByte:
			continue
		case spaceByte:
			return false
		}
		// A '.': check the token that it ends.
		if i == start || tail {
			return false // empty token, or a token after '>'
		}
		tail = i-start == 1 && subject[start] == '>'
		start = i + 1
	}
	return start < len(subject) && !tail // the last token
}

// byteClass sorts bytes for Valid.
var byteClass = [256]uint8{'.': dotByte, ' ': spaceByte, '\t': spaceByte, '\n': spaceByte, '\r': spaceByte, '\f': spaceByte}

const (
	plainByte = iota
	dotByte
	spaceByte
)

// ValidLiteral reports whether subject may be published to when the client
// asked for pedantic checks: non-empty tokens and no wildcard token.
//
// It mirrors nats-server's IsValidLiteralSubject, which is what the pedantic
// PUB check calls, and like it does not look for whitespace: the protocol
// parser has already split the PUB line on space and tab. Use
// Valid(s) && IsLiteral(s) for the stricter test.
func ValidLiteral(subject []byte) bool {
	start := 0
	for i := 0; i <= len(subject); i++ {
		if i < len(subject) && subject[i] != '.' {
			continue
		}
		switch i - start {
		case 0:
			return false
		case 1:
			if c := subject[start]; c == '*' || c == '>' {
				return false
			}
		}
		start = i + 1
	}
	return true
}

// ValidQueue reports whether queue is a usable queue group name. nats-server
// applies no rule of its own to SUB's queue argument beyond what splitting
// the protocol line implies (server/client.go splitArg), so neither do we:
// the name is non-empty and holds no space, \t, \r or \n. Dots and '*' or
// '>' are ordinary characters in a queue name. (The reserved name "_sys_"
// is refused by nats-server as a permission violation, not as an invalid
// name; that check belongs to the session layer.)
func ValidQueue(queue []byte) bool {
	if len(queue) == 0 {
		return false
	}
	for _, c := range queue {
		switch c {
		case ' ', '\t', '\r', '\n':
			return false
		}
	}
	return true
}

// IsLiteral reports whether subject has no wildcard token. It does not check
// validity; it mirrors nats-server's subjectIsLiteral.
func IsLiteral(subject []byte) bool {
	for i, c := range subject {
		if c != '*' && c != '>' {
			continue
		}
		if (i == 0 || subject[i-1] == '.') && (i+1 == len(subject) || subject[i+1] == '.') {
			return false
		}
	}
	return true
}

// wellFormed reports whether subject is non-empty and has no empty token.
// Matching treats anything else as matching nothing, as nats-server does.
func wellFormed(subject string) bool {
	n := len(subject)
	return n > 0 && subject[0] != '.' && subject[n-1] != '.' && !strings.Contains(subject, "..")
}
