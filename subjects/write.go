package subjects

// write carries one Insert or Remove down the trie. Both walk to the
// subject's node first and copy nodes on the way back up, and only once the
// change is known to happen, so that a duplicate insert or a missing remove
// copies nothing. An unchanged child pointer tells the parent that the
// child was edited in place, which is possible only if the parent belongs
// to the same edit (it was copied or created to point at that child), so
// the parent has nothing to do either.
type write[S comparable] struct {
	e      uint64
	hashS  func(S) uint64
	subj   string // view of the caller's bytes: compare only, never keep
	src    []byte
	key    string // copy of src[keyOff:], made when a new node first needs a token
	keyOff int
	queue  string // view of the caller's bytes
	qsrc   []byte
	s      S
}

// own returns n if it belongs to this edit, else a copy that does. The copy
// shares its maps and extra, whose own writes copy.
func (w *write[S]) own(n *tnode[S]) *tnode[S] {
	if n.edit == w.e {
		return n
	}
	c := *n
	c.edit = w.e
	return &c
}

// ownX returns m.x (m owned), made or copied for this edit as needed.
func (w *write[S]) ownX(m *tnode[S]) *extra[S] {
	switch {
	case m.x == nil:
		m.x = &extra[S]{edit: w.e}
	case m.x.edit != w.e:
		c := *m.x
		c.edit = w.e
		m.x = &c
	}
	return m.x
}

// dropX clears m.x (m owned) once it holds nothing.
func dropX[S comparable](m *tnode[S]) {
	if x := m.x; x.pwc == nil && x.fwc == nil && x.queues.few() == 0 {
		m.x = nil
	}
}

// newNode makes the node for the token at subj[pos:pos+n]. The tokens of
// new nodes are substrings of one copy of the subject's tail, made once
// per write: new nodes come after the last existing one, so the copy
// starts at the first new token.
func (w *write[S]) newNode(pos, n int) *tnode[S] {
	var tok string
	switch w.subj[pos : pos+n] { // a view of the caller's bytes: never keep it
	case "*":
		tok = "*"
	case ">":
		tok = ">"
	default:
		if w.key == "" {
			w.key, w.keyOff = string(w.src[pos:]), pos
		}
		tok = w.key[pos-w.keyOff : pos-w.keyOff+n]
	}
	return &tnode[S]{edit: w.e, tok: tok}
}

// setChild points m (owned) at c, under c's token.
func (w *write[S]) setChild(m *tnode[S], c *tnode[S]) {
	switch c.tok {
	case "*":
		w.ownX(m).pwc = c
	case ">":
		w.ownX(m).fwc = c
	default:
		m.lits, _ = m.lits.put(w.e, c, true, hashString)
	}
}

// delChild removes m's (owned) child for tok.
func (w *write[S]) delChild(m *tnode[S], tok string) {
	switch tok {
	case "*":
		w.ownX(m).pwc = nil
		dropX(m)
	case ">":
		w.ownX(m).fwc = nil
		dropX(m)
	default:
		m.lits, _ = m.lits.del(w.e, tok, hashString)
	}
}

// ins adds w.s below n, which stands for the subject up to pos (pos < 0:
// the whole subject). It returns the node replacing n and whether the trie
// changed.
func (w *write[S]) ins(n *tnode[S], pos int) (*tnode[S], bool) {
	if pos < 0 {
		return w.insHere(n)
	}
	tok, next := nextTok(w.subj, pos)
	kid := n.child(tok)
	fresh := kid == nil
	if fresh {
		kid = w.newNode(pos, len(tok))
	}
	nk, added := w.ins(kid, next)
	if !added {
		return n, false
	}
	if nk == kid && !fresh {
		return n, true
	}
	m := w.own(n)
	w.setChild(m, nk)
	return m, true
}

func (w *write[S]) insHere(n *tnode[S]) (*tnode[S], bool) {
	if w.queue == "" {
		np, added := n.plain.put(w.e, member[S]{w.s}, false, w.hashS)
		if !added {
			return n, false
		}
		m := w.own(n)
		m.plain = np
		return m, true
	}
	var g *qgroup[S]
	if n.x != nil {
		g, _ = n.x.queues.get(w.queue, hashString)
	}
	if g == nil {
		g = &qgroup[S]{edit: w.e, name: string(w.qsrc)}
		g.members.small = []member[S]{{w.s}}
	} else {
		nm, added := g.members.put(w.e, member[S]{w.s}, false, w.hashS)
		if !added {
			return n, false
		}
		if g.edit == w.e {
			g.members = nm // n belongs to this edit too
			return n, true
		}
		g = &qgroup[S]{edit: w.e, name: g.name, members: nm}
	}
	m := w.own(n)
	x := w.ownX(m)
	x.queues, _ = x.queues.put(w.e, g, true, hashString)
	return m, true
}

// rem removes w.s below n; it returns the node replacing n (nil once empty,
// so that churn leaves no dead nodes behind) and whether the trie changed.
func (w *write[S]) rem(n *tnode[S], pos int) (*tnode[S], bool) {
	if pos < 0 {
		return w.remHere(n)
	}
	tok, next := nextTok(w.subj, pos)
	kid := n.child(tok)
	if kid == nil {
		return n, false
	}
	nk, removed := w.rem(kid, next)
	if !removed {
		return n, false
	}
	if nk == kid {
		return n, true
	}
	if nk == nil && n.children() == 1 && n.plain.few() == 0 && n.groups() == 0 {
		return nil, true
	}
	m := w.own(n)
	if nk == nil {
		w.delChild(m, tok)
	} else {
		w.setChild(m, nk)
	}
	return m, true
}

func (w *write[S]) remHere(n *tnode[S]) (*tnode[S], bool) {
	if w.queue == "" {
		np, removed := n.plain.del(w.e, w.s, w.hashS)
		if !removed {
			return n, false
		}
		if np.few() == 0 && n.groups() == 0 && n.children() == 0 {
			return nil, true
		}
		m := w.own(n)
		m.plain = np
		return m, true
	}
	if n.x == nil {
		return n, false
	}
	g, _ := n.x.queues.get(w.queue, hashString)
	if g == nil {
		return n, false
	}
	nm, removed := g.members.del(w.e, w.s, w.hashS)
	if !removed {
		return n, false
	}
	if nm.few() == 0 {
		if n.groups() == 1 && n.plain.few() == 0 && n.children() == 0 {
			return nil, true
		}
		m := w.own(n)
		x := w.ownX(m)
		x.queues, _ = x.queues.del(w.e, g.name, hashString)
		dropX(m)
		return m, true
	}
	if g.edit == w.e {
		g.members = nm
		return n, true
	}
	m := w.own(n)
	x := w.ownX(m)
	x.queues, _ = x.queues.put(w.e, &qgroup[S]{edit: w.e, name: g.name, members: nm}, true, hashString)
	return m, true
}
