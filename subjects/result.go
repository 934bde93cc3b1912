package subjects

// Result is what a subject matches.
//
// Entries are not deduplicated: an entry is a (subject, queue, s) triple,
// and if s was inserted under two patterns that both match, s appears
// twice, just as nats-server delivers once per matching subscription. The
// order of entries is unspecified.
//
// Queue groups are merged by name across patterns, as in nats-server
// (sublist.go addNodeToResults/findQSlot, client.go processMsgResults):
// members of "foo.*" queue q and of "foo.bar" queue q form one group q for
// the subject foo.bar, and one member of that group gets the message.
type Result[S comparable] struct {
	Plain  []S             // every plain subscription matching
	Queues []QueueGroup[S] // one entry per matching queue group name
}

// QueueGroup is the matching members of one queue group.
type QueueGroup[S comparable] struct {
	Name    string
	Members []S
}

// Len returns len(Plain) + len(Queues): the number of deliveries a message
// to the subject makes (one per plain subscription, one per group).
func (r *Result[S]) Len() int { return len(r.Plain) + len(r.Queues) }

// reset empties r and keeps its arrays, including the Members arrays of
// queue groups beyond len(Queues), for reuse. Stale elements past the
// lengths are not cleared; they are overwritten by later matches.
func (r *Result[S]) reset() {
	r.Plain = r.Plain[:0]
	r.Queues = r.Queues[:0]
}

// group returns the group called name, adding it (reusing an old Members
// array where there is one) if r has none yet. A linear scan, as in
// nats-server: few groups match one subject.
func (r *Result[S]) group(name string) *QueueGroup[S] {
	for i := range r.Queues {
		if r.Queues[i].Name == name {
			return &r.Queues[i]
		}
	}
	if n := len(r.Queues); n < cap(r.Queues) {
		r.Queues = r.Queues[:n+1]
		g := &r.Queues[n]
		g.Name, g.Members = name, g.Members[:0]
		return g
	}
	r.Queues = append(r.Queues, QueueGroup[S]{Name: name})
	return &r.Queues[len(r.Queues)-1]
}

// addNode adds the subscriptions stored on n.
func (r *Result[S]) addNode(n *tnode[S]) {
	r.Plain = appendMembers(r.Plain, &n.plain)
	if n.x == nil {
		return
	}
	if q := &n.x.queues; q.root != nil {
		r.addGroupTree(q.root)
	} else {
		r.addGroups(q.small)
	}
}

func (r *Result[S]) addGroups(gs []*qgroup[S]) {
	for _, q := range gs {
		g := r.group(q.name)
		g.Members = appendMembers(g.Members, &q.members)
	}
}

func (r *Result[S]) addGroupTree(n *hnode[string, *qgroup[S]]) {
	r.addGroups(n.ents)
	for _, kid := range n.kids {
		r.addGroupTree(kid)
	}
}

// appendMembers appends the subscriptions of a set to dst.
func appendMembers[S comparable](dst []S, m *pmap[S, member[S]]) []S {
	if m.root != nil {
		return appendMemberTree(dst, m.root)
	}
	for _, x := range m.small {
		dst = append(dst, x.s)
	}
	return dst
}

func appendMemberTree[S comparable](dst []S, n *hnode[S, member[S]]) []S {
	for _, x := range n.ents {
		dst = append(dst, x.s)
	}
	for _, kid := range n.kids {
		dst = appendMemberTree(dst, kid)
	}
	return dst
}
