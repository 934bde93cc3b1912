package actors

import (
	"errors"
	"log/slog"
	"sync/atomic"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/troupe/troupe/accounts"
	"github.com/troupe/troupe/actors/mailbox"
	"github.com/troupe/troupe/subjects"
)

// Account is what connections hold of their account: its name, its actor, and the current
// snapshot of its subscription index. Readers match against the snapshot without a lock and
// without a message; only the account actor replaces it.
type Account struct {
	Name string
	pid  atomic.Pointer[actor.PID] // set once, before any connection can see the account
	snap atomic.Pointer[subjects.Snapshot[*subscription]]

	// def is its definition (configured or from a JWT); nil for $G and $SYS when not
	// configured.
	def *accounts.Account
	// entries are the import entries the account holds from the start (set before its actor
	// is spawned, read-only afterwards).
	entries []*subscription
	conns   atomic.Int32 // connections bound to it
	started bool         // its actor has started once (touched only by that actor)
	// watchers are told of every change in the account's local interest (watchInterest);
	// touched only by its actor, and kept across its restarts.
	watchers []*actor.PID
}

func newAccount(name string) *Account {
	a := &Account{Name: name}
	a.snap.Store(subjects.NewIndex[*subscription]().Publish())
	return a
}

// maxConns is the account's connection limit, accounts.NoLimit when it has none.
func (a *Account) maxConns() int {
	if a.def == nil {
		return accounts.NoLimit
	}
	return a.def.Limits.MaxConnections
}

func newAccountFrom(def *accounts.Account) *Account {
	a := &Account{Name: def.Name, def: def}
	a.snap.Store(subjects.NewIndex[*subscription]().Publish())
	return a
}

// Snapshot returns the index snapshot readers currently match against.
func (a *Account) snapshot() *subjects.Snapshot[*subscription] { return a.snap.Load() }

// errAccountRestarted answers an interest change that was lost because its account failed while
// applying it; the sender retries, since applying a change twice is harmless.
var errAccountRestarted = errors.New("account restarted")

// accountActor owns one account's subscription index: it is the index's only writer. It applies
// interest changes in the order they arrive and publishes one snapshot per burst of them: when
// its mailbox runs dry, or every 256 messages under constant load (the drained message).
//
// On restart it rebuilds the index from the last published snapshot, which is immutable and so
// unharmed by the failure; readers keep matching against that snapshot meanwhile.
type accountActor struct {
	srv   *shared
	acc   *Account
	index *subjects.Index[*subscription]
	// Changes are applied as they come and published once the mailbox runs dry (drained):
	// when many connections subscribe at once, one snapshot serves them all, and each change
	// costs what a change in a batch costs instead of a whole path copy. dirty is set while
	// the index holds unpublished changes; waiting are their senders.
	dirty   bool
	waiting []chan error
	// local counts the connections' subscriptions by subject and queue while the account has
	// watchers (nil otherwise): what changed since the last publish goes to them with the new
	// snapshot.
	local   map[interestKey]int32
	changes []InterestChange
}

func newAccountProps(srv *shared, acc *Account, cell *mailboxCell) *actor.Props {
	return newProps(func() actor.Actor {
		return &accountActor{srv: srv, acc: acc}
	}, cell, true)
}

func (a *accountActor) Receive(ctx actor.Context) {
	switch m := ctx.Message().(type) {
	case *interest:
		a.apply(m)
	case *watchInterest:
		a.watch(m.pid)
	case *unwatchInterest:
		a.unwatch(m.pid)
	case *mailbox.Drained:
		a.publish()
	case *actor.Started:
		a.rebuild()
	case *crashAccount:
		panic("account crash requested: " + m.why)
	case *actor.Restarting:
		// The index may be half-way through a change: nothing unpublished is kept. Senders
		// retry, and the new incarnation starts from the last published snapshot.
		a.abandon()
	case *actor.Stopping:
		a.publish()
	case *actor.Stopped:
	default:
		a.srv.log.Warn("account: unexpected message", "account", a.acc.Name, "type", typeName(m))
	}
}

func (a *accountActor) apply(m *interest) {
	for _, op := range m.ops {
		s := op.sub
		before := a.index.Count()
		if op.add {
			if s.gone.Load() {
				continue // unsubscribed before it ever took effect
			}
			if err := a.index.Insert(s.subject, s.queue, s); err != nil {
				a.srv.log.Debug("account: rejected subscription", "account", a.acc.Name,
					"subject", string(s.subject), "error", err)
			}
		} else {
			_ = a.index.Remove(s.subject, s.queue, s) // absent is fine: removals repeat
		}
		if d := a.index.Count() - before; d != 0 && s.via == nil && a.local != nil {
			a.count(s, int32(d))
		}
	}
	a.dirty = true
	if m.done != nil {
		a.waiting = append(a.waiting, m.done)
	}
}

// publish makes the applied changes visible to readers, then answers their senders.
func (a *accountActor) publish() {
	if !a.dirty {
		return
	}
	a.acc.snap.Store(a.index.Publish())
	a.dirty = false
	a.tellWatchers()
	for i, done := range a.waiting {
		done <- nil
		a.waiting[i] = nil
	}
	a.waiting = a.waiting[:0]
}

// abandon answers the senders of unpublished changes that their change was lost.
func (a *accountActor) abandon() {
	for i, done := range a.waiting {
		done <- errAccountRestarted
		a.waiting[i] = nil
	}
	a.waiting, a.dirty = a.waiting[:0], false
	a.changes = a.changes[:0]
}

func (a *accountActor) rebuild() {
	a.index = subjects.NewIndex[*subscription]()
	last := a.acc.snap.Load()
	if !a.acc.started {
		// First start: the import entries the account was created with.
		a.acc.started = true
		for _, e := range a.acc.entries {
			if err := a.index.Insert(e.subject, e.queue, e); err != nil {
				a.srv.log.Error("account: bad import entry", "account", a.acc.Name,
					"subject", string(e.subject), "error", err)
			}
		}
		a.acc.snap.Store(a.index.Publish())
		return
	}
	last.Range(func(_, _ string, s *subscription) bool {
		if !s.gone.Load() {
			_ = a.index.Insert(s.subject, s.queue, s)
		}
		return true
	})
	a.local = nil
	if len(a.acc.watchers) > 0 {
		a.recount(a.index) // the watchers had the published interest, which this is
	}
	a.acc.snap.Store(a.index.Publish())
	if last.Count() > 0 {
		a.srv.log.Info("account rebuilt its subscription index", slog.String("account", a.acc.Name),
			slog.Int("subscriptions", a.index.Count()))
	}
}

var _ actor.Actor = (*accountActor)(nil)
