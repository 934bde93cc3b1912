package actors

import (
	"github.com/asynkron/protoactor-go/actor"
	"github.com/troupe/troupe/actors/mailbox"
)

// newProps is how every Troupe actor is made: Troupe's mailbox (drained notifications when
// notify is set) on the pooled dispatcher.
// The mailbox is recorded in cell (when not nil) for the supervisor's view of the tree.
func newProps(producer actor.Producer, cell *mailboxCell, notify bool, opts ...actor.PropsOption) *actor.Props {
	produce := func() actor.Mailbox {
		m := mailbox.New(notify)
		if cell != nil {
			cell.mb = m
		}
		return m
	}
	opts = append([]actor.PropsOption{actor.WithMailbox(produce), actor.WithDispatcher(mailbox.Shared())}, opts...)
	return actor.PropsFromProducer(producer, opts...)
}
