package actors

import (
	"github.com/asynkron/protoactor-go/actor"
	"github.com/troupe/troupe/subjects"
)

// Interest watchers. Other parties (cluster routes) need to know what the account is
// interested in on this server: a route tells its peer server, which then forwards matching
// messages. The account actor, the index's only writer, keeps a count per subject and queue of
// its connections' subscriptions and its import entries (which stand for interest of this
// server: a stream import's subscribers, a service import's responses; other servers'
// interest is not counted) and tells each watcher what changed, once per published snapshot,
// in the order it changed.

// interestKey is a subject and queue group ("" for plain subscriptions).
type interestKey struct{ subject, queue string }

// InterestChange is one change in an account's local interest. For a plain subscription
// Weight is 1 while the subject has any subscription and 0 once it has none; for a queue group
// it is the number of the account's members in the group (0: none left), as a route's RS+
// carries it.
type InterestChange struct {
	Subject, Queue string
	Weight         int32
}

// watchInterest registers pid as a watcher of the account's local interest; it is answered with
// the whole current interest as one interestChanged (Full), then every change.
type watchInterest struct{ pid *actor.PID }

// unwatchInterest ends a watch.
type unwatchInterest struct{ pid *actor.PID }

// interestChanged tells a watcher of changes in an account's local interest, in order. Changes
// is shared by every watcher: read it, never change it.
type interestChanged struct {
	acc     *Account
	full    bool // Changes is the whole interest: what the watcher had before is replaced
	Changes []InterestChange
}

// count applies a subscription's arrival (d = 1) or departure (d = -1) to the local counts.
func (a *accountActor) count(s *subscription, d int32) {
	k := interestKey{string(s.subject), string(s.queue)}
	n := a.local[k] + d
	if n <= 0 {
		delete(a.local, k)
		n = 0
	} else {
		a.local[k] = n
	}
	switch {
	case k.queue != "":
		a.changes = append(a.changes, InterestChange{k.subject, k.queue, n})
	case n == 0:
		a.changes = append(a.changes, InterestChange{k.subject, "", 0})
	case n == 1 && d > 0:
		a.changes = append(a.changes, InterestChange{k.subject, "", 1})
	}
}

// recount counts the local interest afresh, from the index as published.
func (a *accountActor) recount(ix *subjects.Index[*subscription]) {
	a.local = make(map[interestKey]int32)
	ix.Publish().Range(func(_, _ string, s *subscription) bool {
		if s.via == nil {
			a.local[interestKey{string(s.subject), string(s.queue)}]++
		}
		return true
	})
}

func (a *accountActor) watch(pid *actor.PID) {
	for _, w := range a.acc.watchers {
		if w.Equal(pid) {
			return
		}
	}
	a.acc.watchers = append(a.acc.watchers, pid)
	if a.local == nil {
		a.recount(a.index)
	}
	all := make([]InterestChange, 0, len(a.local))
	for k, n := range a.local {
		if k.queue == "" {
			n = 1
		}
		all = append(all, InterestChange{k.subject, k.queue, n})
	}
	a.srv.root.Send(pid, &interestChanged{acc: a.acc, full: true, Changes: all})
}

func (a *accountActor) unwatch(pid *actor.PID) {
	for i, w := range a.acc.watchers {
		if w.Equal(pid) {
			a.acc.watchers = append(a.acc.watchers[:i], a.acc.watchers[i+1:]...)
			if len(a.acc.watchers) == 0 {
				a.local, a.changes = nil, a.changes[:0]
			}
			return
		}
	}
}

// tellWatchers sends the changes since the last publish.
func (a *accountActor) tellWatchers() {
	if len(a.changes) == 0 {
		return
	}
	m := &interestChanged{acc: a.acc, Changes: append([]InterestChange(nil), a.changes...)}
	for _, w := range a.acc.watchers {
		a.srv.root.Send(w, m)
	}
	a.changes = a.changes[:0]
}
