package actors

import (
	"bytes"
	"hash/maphash"
	"strconv"
	"sync/atomic"
	"time"
)

// Cross-account delivery. An import is an entry in an account's subscription index that stands
// for another account instead of a connection: a reader that matches it re-matches the message,
// its subject mapped, in the other account's snapshot. No account actor sees the message.
//
//   - stream import (B imports stream S from A): an entry for S in A's index, routing to B with
//     B's prefix or "to" mapping applied;
//   - service import (B imports service S from A, as local subject L): an entry for L in B's
//     index, routing to A as S; a request's reply becomes _R_.<id>.<seq>.<reply>;
//   - service response: an entry for _R_.<id>.> in A's index, routing a response back to B's
//     original reply, at most once per request unless the export streams responses.

type routeKind uint8

const (
	streamImport routeKind = iota + 1
	serviceImport
	serviceResponse
)

// maxRouteDepth bounds how many account boundaries one message may cross (imports of
// imports), so that a cycle of imports cannot loop.
const maxRouteDepth = 4

// defaultResponseTTL is how long a service response may come back (nats-server's
// DEFAULT_SERVICE_EXPORT_RESPONSE_THRESHOLD is 2 m).
const defaultResponseTTL = 2 * time.Minute

// route is what an import entry does. It is immutable once its entry is published, but for
// the response table's atomics.
type route struct {
	kind   routeKind
	target *Account
	// from is the subject pattern of the entry; to the pattern in the target account, with the
	// same wildcards in the same order (a stream import's prefix is part of to).
	from, to []byte
	back     *route // service import: the response route in the exporting account
	id       []byte // service response: the token after "_R_."
	multi    bool   // the export streams responses: more than one per request
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
// response(s) and nothing else: a response must name a live request and carry exactly the reply
// subject that request had (checked by hash), so an exporter cannot publish into arbitrary
// subjects of the importing account. Lock-free: requestors' readers write slots, responders'
// readers claim them.
type responseTable struct {
	slots [responseSlots]responseSlot
}

type responseSlot struct {
	seq     atomic.Uint64
	hash    atomic.Uint64
	expires atomic.Int64
	claimed atomic.Bool
}

var replySeed = maphash.MakeSeed()

func (rt *route) responses() *responseTable {
	if t := rt.table.Load(); t != nil {
		return t
	}
	t := &responseTable{}
	if rt.table.CompareAndSwap(nil, t) {
		return t
	}
	return rt.table.Load()
}

// register records a request with reply subject reply and returns its sequence number.
func (rt *route) register(reply []byte) uint64 {
	seq := rt.seq.Add(1)
	s := &rt.responses().slots[seq%responseSlots]
	s.seq.Store(0) // invalid while being rewritten
	s.hash.Store(maphash.Bytes(replySeed, reply))
	s.expires.Store(time.Now().Add(rt.ttl).UnixNano())
	s.claimed.Store(false)
	s.seq.Store(seq)
	return seq
}

// claim checks that seq is a live request whose reply was reply, and, unless the export streams
// responses, that this is its first response.
func (rt *route) claim(seq uint64, reply []byte) bool {
	t := rt.table.Load()
	if t == nil || seq == 0 {
		return false
	}
	s := &t.slots[seq%responseSlots]
	if s.seq.Load() != seq || s.hash.Load() != maphash.Bytes(replySeed, reply) ||
		time.Now().UnixNano() > s.expires.Load() {
		return false
	}
	if !rt.multi && !s.claimed.CompareAndSwap(false, true) {
		return false
	}
	return s.seq.Load() == seq
}

// responseReply builds the reply subject a request carries into the exporting account:
// _R_.<id>.<seq>.<original reply>.
func responseReply(dst []byte, back *route, seq uint64, reply []byte) []byte {
	dst = append(dst, "_R_."...)
	dst = append(dst, back.id...)
	dst = append(dst, '.')
	dst = strconv.AppendUint(dst, seq, 36)
	dst = append(dst, '.')
	return append(dst, reply...)
}

// parseResponse splits _R_.<id>.<seq>.<reply> (the id already matched by the entry).
func parseResponse(subject []byte, rt *route) (seq uint64, reply []byte, ok bool) {
	rest, found := bytes.CutPrefix(subject, []byte("_R_."))
	if !found {
		return 0, nil, false
	}
	rest, found = bytes.CutPrefix(rest, rt.id)
	if !found || len(rest) == 0 || rest[0] != '.' {
		return 0, nil, false
	}
	seqTok, reply := cut(rest[1:])
	n, err := strconv.ParseUint(string(seqTok), 36, 64)
	if err != nil || len(reply) == 0 {
		return 0, nil, false
	}
	return n, reply, true
}
