package actors

import (
	"bytes"
	"math/bits"
	"math/rand/v2"
	"strings"
	"sync/atomic"
	"time"
)

// Crossings: cross-account delivery. An import is an entry in an account's subscription index that stands
// for another account instead of a connection: a reader that matches it re-matches the message,
// its subject mapped, in the other account's snapshot. No account actor sees the message.
//
//   - stream import (B imports stream S from A): an entry for S in A's index, routing to B with
//     B's prefix or "to" mapping applied;
//   - service import (B imports service S from A, as local subject L): an entry for L in B's
//     index, routing to A as S; a request's reply becomes _R_.<id>.<token>, and the request
//     carries a Nats-Request-Info header saying which account (with share, which client) sent
//     it;
//   - service response: an entry for _R_.<id>.> in A's index, routing a response back to B's
//     original reply, at most once per request unless the export streams responses.

type crossingKind uint8

const (
	streamImport crossingKind = iota + 1
	serviceImport
	serviceResponse
)

// maxCrossings bounds how many account boundaries one message may cross (imports of
// imports), so that a cycle of imports cannot loop.
const maxCrossings = 4

// defaultResponseTTL is how long a service response may come back (nats-server's
// DEFAULT_SERVICE_EXPORT_RESPONSE_THRESHOLD is 2 m).
const defaultResponseTTL = 2 * time.Minute

// crossing is what an import entry does: it takes a message across an account boundary. It is
// immutable once its entry is published, but for the response table's atomics.
type crossing struct {
	kind   crossingKind
	target *Account
	// from is the subject pattern of the entry; to the pattern in the target account, with the
	// same wildcards in the same order (a stream import's prefix is part of to).
	from, to []byte
	back     *crossing // service import: the response crossing in the exporting account
	share    bool      // service import: the request info names the requesting client
	id       []byte    // service response: the token after "_R_."
	multi    bool      // the export streams responses: more than one per request
	ttl      time.Duration
	seq      atomic.Uint64
	table    atomic.Pointer[responseTable]
}

// mapSubject writes the target subject for subject, which matched the pattern from, into dst:
// the tokens that from's wildcards matched fill to's wildcards, in order; to's literal tokens
// are copied. With from equal to to, the subject is copied as is.
func mapSubject(dst, subject, from, to []byte) []byte {
	if bytes.Equal(from, to) {
		return append(dst, subject...)
	}
	var caps [16][]byte
	n := 0
	for st, ft := subject, from; len(ft) > 0 && len(st) > 0; {
		f, frest := cut(ft)
		if isWild(f, '>') {
			caps[n] = st
			n++
			break
		}
		s, srest := cut(st)
		if isWild(f, '*') && n < len(caps)-1 {
			caps[n] = s
			n++
		}
		st, ft = srest, frest
	}
	k := 0
	for tt, first := to, true; len(tt) > 0; first = false {
		t, trest := cut(tt)
		if !first {
			dst = append(dst, '.')
		}
		if (isWild(t, '*') || isWild(t, '>')) && k < n {
			dst = append(dst, caps[k]...)
			k++
		} else {
			dst = append(dst, t...)
		}
		tt = trest
	}
	return dst
}

func isWild(tok []byte, w byte) bool { return len(tok) == 1 && tok[0] == w }

func cut(s []byte) (tok, rest []byte) {
	if i := bytes.IndexByte(s, '.'); i >= 0 {
		return s[:i], s[i+1:]
	}
	return s, nil
}

// responseSlots is the size of a service response table: requests older than this many newer
// ones on the same import can no longer be answered (besides expiring after the TTL).
const responseSlots = 4096

// responseTable remembers the requests sent through one service import, so that each gets its
// response(s) and nothing else. The exporter sees only an opaque token, _R_.<id>.<token>: it
// learns nothing of the requestor's reply subject, and a response can only go to the reply of
// a live request. Lock-free: requestors' readers fill slots, responders' readers claim them.
type responseTable struct {
	key   [2]uint64 // scramble sequence numbers into tokens
	slots [responseSlots]atomic.Pointer[request]
}

// request is one request in flight through a service import.
type request struct {
	seq     uint64
	reply   []byte // the requestor's reply subject
	expires int64  // UnixNano
	claimed atomic.Bool
}

func (rt *crossing) responses() *responseTable {
	if t := rt.table.Load(); t != nil {
		return t
	}
	t := &responseTable{key: [2]uint64{rand.Uint64(), rand.Uint64()}}
	if rt.table.CompareAndSwap(nil, t) {
		return t
	}
	return rt.table.Load()
}

// register records a request with reply subject reply and returns its token.
func (rt *crossing) register(reply []byte) uint64 {
	seq := rt.seq.Add(1)
	t := rt.responses()
	t.slots[seq%responseSlots].Store(&request{seq: seq, reply: bytes.Clone(reply),
		expires: time.Now().Add(rt.ttl).UnixNano()})
	return t.token(seq)
}

// claim finds the live request a token names and returns its reply subject; unless the export
// streams responses, only for its first response.
func (rt *crossing) claim(token uint64) ([]byte, bool) {
	t := rt.table.Load()
	if t == nil {
		return nil, false
	}
	seq := t.seq(token)
	req := t.slots[seq%responseSlots].Load()
	if req == nil || req.seq != seq || time.Now().UnixNano() > req.expires {
		return nil, false
	}
	if !rt.multi && !req.claimed.CompareAndSwap(false, true) {
		return nil, false
	}
	return req.reply, true
}

// token and seq are inverse permutations of the 64-bit numbers, keyed per table: tokens do not
// show how many requests went before, or which came after which.
func (t *responseTable) token(seq uint64) uint64 {
	x := (seq ^ t.key[0]) * mixA
	x ^= x >> 32
	return (x * mixB) ^ t.key[1]
}

func (t *responseTable) seq(token uint64) uint64 {
	x := (token ^ t.key[1]) * invB
	x ^= x >> 32
	return (x * invA) ^ t.key[0]
}

// Odd multipliers and their inverses modulo 2^64.
const (
	mixA = 0x9e3779b97f4a7c15
	mixB = 0xbf58476d1ce4e5b9
)

var invA, invB = inverse(mixA), inverse(mixB)

// inverse is the multiplicative inverse of an odd x modulo 2^64 (Newton's iteration: each step
// doubles the bits that are right).
func inverse(x uint64) uint64 {
	y := x
	for range 6 {
		y *= 2 - x*y
	}
	return y
}

// tokenDigits spell a token: base 62, as nats-server's reply tokens.
const tokenDigits = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"

// tokenLen is how many digits a 64-bit token takes in base 62.
const tokenLen = 11

// responseReply builds the reply subject a request carries into the exporting account:
// _R_.<id>.<token>.
func responseReply(dst []byte, back *crossing, token uint64) []byte {
	dst = append(dst, "_R_."...)
	dst = append(dst, back.id...)
	dst = append(dst, '.')
	for range tokenLen {
		dst = append(dst, tokenDigits[token%62])
		token /= 62
	}
	return dst
}

// parseResponse reads the token of _R_.<id>.<token> (the id already matched by the entry).
func parseResponse(subject []byte, rt *crossing) (token uint64, ok bool) {
	rest, found := bytes.CutPrefix(subject, []byte("_R_."))
	if !found {
		return 0, false
	}
	rest, found = bytes.CutPrefix(rest, rt.id)
	if !found || len(rest) != 1+tokenLen || rest[0] != '.' {
		return 0, false
	}
	for i := tokenLen; i >= 1; i-- {
		d := strings.IndexByte(tokenDigits, rest[i])
		if d < 0 {
			return 0, false
		}
		hi, lo := bits.Mul64(token, 62)
		if token = lo + uint64(d); hi != 0 || token < lo {
			return 0, false // more than 64 bits
		}
	}
	return token, true
}
