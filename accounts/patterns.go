package accounts

import (
	"unsafe"

	"github.com/troupe/troupe/subjects"
)

// patternSet is an immutable set of permission entries of two lists, allow and deny: subject
// patterns, each optionally qualified by a queue-group pattern ("foo.* v1"). One lookup
// answers for both lists what nats-server's permission Sublists answer (client.go setPermissions, canSubscribe, pubAllowed, checkDenySub): which
// entries match a subject, with the wildcards of both sides handled as Sublist.Match handles
// them. It is a trie over tokens; a lookup walks the literal path, recursing only into '*'
// children, and allocates nothing.
type patternSet struct {
	root *pnode
}

type pnode struct {
	// Literal children: a short list scanned in order, or a map once there are many.
	few []pchild
	lit map[string]*pnode
	pwc *pnode // '*'
	fwc *pnode // '>'
	// Entries ending here, per list: plain is an entry without a queue; queues are the queue
	// patterns of queue-qualified entries.
	plain  [2]bool
	queues [2][]queuePattern
}

// The two lists of a patternSet.
const (
	allowList = 0
	denyList  = 1
)

type pchild struct {
	tok  string
	node *pnode
}

// fewChildren is how many literal children a node lists before it switches to a map: a scan
// of a few short strings is cheaper than hashing the token.
const fewChildren = 8

type queuePattern struct {
	name string
	wild bool // a '*' or '>' token: matched as a subject subset (queueMatches)
}

// add inserts the entry (subject, queue) into list; subject must be subjects.Valid.
func (s *patternSet) add(list int, subject, queue string) {
	if s.root == nil {
		s.root = &pnode{}
	}
	n := s.root
	b := []byte(subject)
	for pos := 0; ; {
		tok, next := subjects.NextToken(b, pos)
		n = n.child(string(tok))
		if next < 0 {
			break
		}
		pos = next
	}
	if queue == "" {
		n.plain[list] = true
		return
	}
	n.queues[list] = append(n.queues[list], queuePattern{name: queue, wild: !subjects.IsLiteral([]byte(queue))})
}

func (n *pnode) child(tok string) *pnode {
	var p **pnode
	switch tok {
	case "*":
		p = &n.pwc
	case ">":
		p = &n.fwc
	default:
		if c := n.literal(unsafeBytes(tok)); c != nil {
			return c
		}
		c := &pnode{}
		switch {
		case n.lit != nil:
			n.lit[tok] = c
		case len(n.few) < fewChildren:
			n.few = append(n.few, pchild{tok, c})
		default:
			n.lit = make(map[string]*pnode, len(n.few)+1)
			for _, e := range n.few {
				n.lit[e.tok] = e.node
			}
			n.lit[tok] = c
			n.few = nil
		}
		return c
	}
	if *p == nil {
		*p = &pnode{}
	}
	return *p
}

// hit is what a lookup found, per list: whether an entry without a queue matched (Sublist
// psubs), whether any queue-qualified entry matched (qsubs), and whether one of those accepted
// the queue asked about (queueMatches).
type hit struct {
	queue    []byte
	plain    [2]bool
	anyQueue [2]bool
	queueOK  [2]bool
}

func (h *hit) add(n *pnode) {
	h.plain[0] = h.plain[0] || n.plain[0]
	h.plain[1] = h.plain[1] || n.plain[1]
	for l := range n.queues {
		for i := range n.queues[l] {
			h.anyQueue[l] = true
			if !h.queueOK[l] && len(h.queue) > 0 && n.queues[l][i].accepts(h.queue) {
				h.queueOK[l] = true
			}
		}
	}
}

// accepts is nats-server's queueMatches for one group: the literal name, or, for a name with
// wildcard tokens, any queue that is a subset of it ("v1.*" accepts "v1.prod").
func (q *queuePattern) accepts(queue []byte) bool {
	return string(queue) == q.name || (q.wild && subsetOf(queue, q.name))
}

// lookup fills h with the entries matching subject. A subject that is empty or has an empty
// token matches nothing, as in Sublist.Match. Tokens of subject are literal: a '*' in it is
// matched only by a '*' or '>' entry, a '>' only by those too.
func (s *patternSet) lookup(subject []byte, h *hit) {
	if s.root == nil || !wellFormed(subject) {
		return
	}
	s.root.match(subject, 0, h)
}

// match is Sublist's matchLevel: at each level a '>' child takes the rest, a '*' child takes
// this token, and the literal child continues the walk.
func (n *pnode) match(subject []byte, pos int, h *hit) {
	for {
		end, next := pos, -1
		for end < len(subject) && subject[end] != '.' {
			end++
		}
		if end < len(subject) {
			next = end + 1
		}
		tok := subject[pos:end]
		if n.fwc != nil {
			h.add(n.fwc)
		}
		if p := n.pwc; p != nil {
			if next < 0 {
				h.add(p)
			} else {
				p.match(subject, next, h)
			}
		}
		c := n.literal(tok)
		if c == nil {
			return
		}
		if next < 0 {
			h.add(c)
			return
		}
		n, pos = c, next
	}
}

// literal returns the literal child for tok, or nil.
func (n *pnode) literal(tok []byte) *pnode {
	if n.lit != nil {
		return n.lit[string(tok)]
	}
	for i := range n.few {
		if n.few[i].tok == string(tok) {
			return n.few[i].node
		}
	}
	return nil
}

// wellFormed reports whether subject is non-empty without an empty token.
func wellFormed(subject []byte) bool {
	n := len(subject)
	if n == 0 || subject[0] == '.' || subject[n-1] == '.' {
		return false
	}
	for i := 1; i < n; i++ {
		if subject[i] == '.' && subject[i-1] == '.' {
			return false
		}
	}
	return true
}

// subsetOf mirrors nats-server's subjectIsSubsetMatch(subject, test) (sublist.go
// isSubsetMatchTokenized), quirks included: is every subject that subject matches also
// matched by test? Both may hold wildcards; a test token beginning with '*' is treated as a
// wildcard. It allocates nothing.
func subsetOf(subject []byte, test string) bool {
	tb := unsafeBytes(test)
	si, ti := 0, 0
	sDone := false
	for {
		t2, tnext := subjects.NextToken(tb, ti)
		if sDone {
			return false // subject has fewer tokens than test
		}
		if len(t2) == 0 {
			return false
		}
		if len(t2) == 1 && t2[0] == '>' {
			return true
		}
		t1, snext := subjects.NextToken(subject, si)
		if len(t1) == 0 || (len(t1) == 1 && t1[0] == '>') {
			return false
		}
		if len(t1) == 1 && t1[0] == '*' {
			if !(len(t2) == 1 && t2[0] == '*') {
				return false
			}
		} else if t2[0] != '*' && string(t1) != string(t2) {
			return false
		}
		if tnext < 0 {
			return snext < 0
		}
		if snext < 0 {
			sDone = true
		}
		si, ti = snext, tnext
	}
}

// subjectsCollide mirrors nats-server's SubjectsCollide: could one literal subject match both?
func subjectsCollide(a, b string) bool {
	if a == b {
		return true
	}
	ta, tb := splitTokens(a), splitTokens(b)
	pa, fa := wildTokens(ta)
	pb, fb := wildTokens(tb)
	la, lb := !(pa || fa), !(pb || fb)
	switch {
	case la && lb:
		return false
	case la:
		return subsetOf([]byte(a), b)
	case lb:
		return subsetOf([]byte(b), a)
	}
	if !fa && !fb && len(ta) != len(tb) {
		return false
	}
	if len(ta) < len(tb) && !fa || len(tb) < len(ta) && !fb {
		return false
	}
	for i := 0; i < len(ta) && i < len(tb); i++ {
		x, y := ta[i], tb[i]
		if len(x) == 0 || len(y) == 0 {
			return false
		}
		if x[0] == '*' || y[0] == '*' || x[0] == '>' || y[0] == '>' {
			continue
		}
		if x != y {
			return false
		}
	}
	return true
}

func splitTokens(s string) []string {
	var out []string
	start := 0
	for i := 0; i < len(s); i++ {
		if s[i] == '.' {
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return append(out, s[start:])
}

func wildTokens(toks []string) (pwc, fwc bool) {
	for _, t := range toks {
		if t == "*" {
			pwc = true
		} else if t == ">" {
			fwc = true
		}
	}
	return pwc, fwc
}

// unsafeBytes views s as bytes without copying, for reading only.
func unsafeBytes(s string) []byte { return unsafe.Slice(unsafe.StringData(s), len(s)) }
