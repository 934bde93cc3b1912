package actors

import "github.com/troupe/troupe/accounts"

// interest changes an account's subscription index. A connection's reader sends one for each run
// of SUB/UNSUB ops and waits on done before it reads on (so a PONG, or a later PUB of the same
// connection, never overtakes them); a reader also sends one, without done, to drop all its
// subscriptions when its connection ends; a publisher sends one, without done, when a
// subscription reaches its auto-unsubscribe max.
type interest struct {
	ops  []interestOp
	done chan error // buffered (1); nil when nobody waits
}

type interestOp struct {
	sub *subscription
	add bool
}

func (*interest) IgnoreDeadLetterLogging() {}

// crashAccount makes an account actor panic. Tests send it to prove that an account failure is
// contained and that the account rebuilds its index.
type crashAccount struct{ why string }

// openAccount comes from a connection's reader in operator mode: create (if need be) the
// account def defines, with the accounts its imports name, wire the imports and start the
// actors; answer with the account.
type openAccount struct {
	def       *accounts.Account
	exporters []*accounts.Account
	reply     chan *Account // buffered (1)
}
