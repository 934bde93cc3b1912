package subjects

// Snapshot is one published, immutable state of an Index. Any number of
// goroutines may use it at once without locks; it never changes. Readers
// normally get the current one from an atomic.Pointer that the writer
// stores into after each Publish.
type Snapshot[S comparable] struct {
	root  *tnode[S]
	gen   uint64
	count int
}

// Gen returns the generation: 1 for the first Publish of an Index, one more
// for each Publish that changed something. Caches keyed on a snapshot
// compare it to know when to drop their entries.
func (s *Snapshot[S]) Gen() uint64 { return s.gen }

// Count returns the number of entries in the snapshot.
func (s *Snapshot[S]) Count() int { return s.count }

// Match returns the entries matching the literal subject, in a new Result.
func (s *Snapshot[S]) Match(subject []byte) *Result[S] {
	r := new(Result[S])
	s.MatchInto(subject, r)
	return r
}

// MatchInto empties r and fills it with the entries matching subject,
// reusing r's arrays: once r has grown to fit, it allocates nothing.
//
// subject is meant to be a literal subject. One that is empty or has an
// empty token matches nothing; a token "*" or ">" in it is taken literally
// (see Match). Whitespace is not checked.
func (s *Snapshot[S]) MatchInto(subject []byte, r *Result[S]) {
	r.reset()
	subj := unsafeString(subject)
	if s.root == nil || !wellFormed(subj) {
		return
	}
	matchFrom(s.root, subj, 0, r)
}

// matchFrom adds to r what matches subj[pos:] below n. It follows the
// literal path iteratively and recurses only into '*' children.
func matchFrom[S comparable](n *tnode[S], subj string, pos int, r *Result[S]) {
	for {
		tok, next := nextTok(subj, pos)
		if x := n.x; x != nil {
			if x.fwc != nil {
				r.addNode(x.fwc) // '>' takes this token and all the rest
			}
			if p := x.pwc; p != nil {
				if next < 0 {
					r.addNode(p)
				} else {
					matchFrom(p, subj, next, r)
				}
			}
		}
		if n = n.lit(tok); n == nil {
			return
		}
		if next < 0 {
			r.addNode(n)
			return
		}
		pos = next
	}
}

// Range calls fn for every entry, with its subject and queue ("" for a
// plain subscription), until fn returns false. It is meant for monitoring
// and for resending interest, not for the data path: it allocates one
// subject string per trie node that holds entries.
func (s *Snapshot[S]) Range(fn func(subject, queue string, s S) bool) {
	if s.root != nil {
		rangeNode(s.root, make([]byte, 0, 64), fn) // the root's token is ""
	}
}

func rangeNode[S comparable](n *tnode[S], path []byte, fn func(subject, queue string, s S) bool) bool {
	if len(path) > 0 {
		path = append(path, '.')
	}
	path = append(path, n.tok...)
	if n.plain.few() > 0 || n.groups() > 0 {
		subj := string(path)
		if !n.plain.each(func(m member[S]) bool { return fn(subj, "", m.s) }) {
			return false
		}
		if n.x != nil && !n.x.queues.each(func(g *qgroup[S]) bool {
			return g.members.each(func(m member[S]) bool { return fn(subj, g.name, m.s) })
		}) {
			return false
		}
	}
	down := func(c *tnode[S]) bool { return rangeNode(c, path, fn) }
	if !n.lits.each(down) {
		return false
	}
	if x := n.x; x != nil {
		if x.pwc != nil && !down(x.pwc) {
			return false
		}
		if x.fwc != nil && !down(x.fwc) {
			return false
		}
	}
	return true
}
