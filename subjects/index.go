package subjects

import "errors"

var (
	// ErrInvalidSubject is returned for a subject that is not Valid, or a
	// non-empty queue name that is not ValidQueue.
	ErrInvalidSubject = errors.New("subjects: invalid subject")
	// ErrNotFound is returned by Remove for an entry that is not there.
	ErrNotFound = errors.New("subjects: subscription not found")
)

// Index is the writer side of the subscription index: a set of entries
// (subject, queue, s), where queue is "" for a plain subscription.
//
// It is not safe for concurrent use: exactly one goroutine (the account
// actor) owns it. Insert and Remove edit a working copy; Publish freezes it
// into an immutable Snapshot that any number of goroutines may read.
// Snapshots are never changed afterwards, whatever the Index does.
type Index[S comparable] struct {
	root  *tnode[S]
	edit  uint64 // id of the open edit; nodes carrying it may change in place
	count int
	last  *Snapshot[S]
	w     write[S] // scratch for the walk, kept here so it never escapes
}

// NewIndex returns an empty index. The zero Index is also ready to use.
func NewIndex[S comparable]() *Index[S] { return new(Index[S]) }

func (ix *Index[S]) begin(subject, queue []byte, s S) *write[S] {
	w := &ix.w
	if w.hashS == nil {
		w.hashS = hashComparable[S]
	}
	w.e = ix.edit
	w.subj, w.src = unsafeString(subject), subject
	w.queue, w.qsrc = unsafeString(queue), queue
	w.s = s
	return w
}

// end drops the walk's references to the caller's data.
func (ix *Index[S]) end() {
	var zero S
	w := &ix.w
	w.subj, w.src, w.key, w.queue, w.qsrc, w.s = "", nil, "", "", nil, zero
}

// Insert adds the entry (subject, queue, s); an empty queue means a plain
// subscription. Adding an entry that is already there does nothing. The
// index keeps its own copies of subject and queue.
//
// It costs O(depth × log32 fanout): only the nodes on the subject's path are
// copied, and only the first time they change after a Publish.
func (ix *Index[S]) Insert(subject, queue []byte, s S) error {
	if !Valid(subject) || (len(queue) > 0 && !ValidQueue(queue)) {
		return ErrInvalidSubject
	}
	root := ix.root
	if root == nil {
		root = &tnode[S]{edit: ix.edit}
	}
	root, added := ix.begin(subject, queue, s).ins(root, 0)
	ix.end()
	if added {
		ix.root = root
		ix.count++
	}
	return nil
}

// Remove deletes the entry (subject, queue, s). It returns ErrNotFound if
// the entry is not there, and ErrInvalidSubject if subject or queue could
// never have been inserted. Nodes left empty are pruned.
func (ix *Index[S]) Remove(subject, queue []byte, s S) error {
	if !Valid(subject) || (len(queue) > 0 && !ValidQueue(queue)) {
		return ErrInvalidSubject
	}
	if ix.root == nil {
		return ErrNotFound
	}
	root, removed := ix.begin(subject, queue, s).rem(ix.root, 0)
	ix.end()
	if !removed {
		return ErrNotFound
	}
	ix.root = root
	ix.count--
	return nil
}

// Count returns the number of entries in the working copy, published or
// not.
func (ix *Index[S]) Count() int { return ix.count }

// Publish freezes the working copy and returns it as a Snapshot whose
// generation is one more than the previous one. If nothing changed since
// the last Publish it returns that same Snapshot again.
//
// Freezing costs O(1): it closes the current edit, so every node created
// since the last Publish stops being writable in place; later writes copy
// them instead.
func (ix *Index[S]) Publish() *Snapshot[S] {
	if ix.last != nil && ix.last.root == ix.root {
		return ix.last
	}
	var gen uint64 = 1
	if ix.last != nil {
		gen = ix.last.gen + 1
	}
	ix.last = &Snapshot[S]{root: ix.root, gen: gen, count: ix.count}
	ix.edit++
	return ix.last
}
