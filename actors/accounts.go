package actors

import (
	"time"

	"github.com/asynkron/protoactor-go/actor"
)

// accountsActor supervises the account actors.
//
// Supervises: one account actor per account ($G for now).
// Strategy: restart the failed account at once, at most 10 times in 10 s; past that, stop it and
// have the clients supervisor close the account's connections.
// Why: an account's state is rebuilt from its last published snapshot, so a restart loses nothing
// that readers could see; an account that keeps failing would only fail its clients slowly.
type accountsActor struct {
	srv      *shared
	cell     *mailboxCell
	strategy *strategy
	accounts map[string]*Account
	byPID    map[string]*Account // child PID id -> account
	children map[string]*child
}

func newAccountsProps(srv *shared, cell *mailboxCell) *actor.Props {
	st := &strategy{
		kind: "accounts", policy: restartChild, maxRestarts: 10, window: 10 * time.Second,
		log: srv.log, counter: &srv.stats.accountRestarts,
		onFailure: func(_ *actor.PID, msg any) {
			// The failed change is dropped by protoactor; answer its waiter so it retries.
			if m, ok := msg.(*interest); ok && m.done != nil {
				m.done <- errAccountRestarted
			}
		},
	}
	return newProps(func() actor.Actor {
		return &accountsActor{srv: srv, cell: cell, strategy: st}
	}, cell, false, actor.WithSupervisor(st))
}

func (a *accountsActor) Receive(ctx actor.Context) {
	switch m := ctx.Message().(type) {
	case *actor.Started:
		a.accounts = make(map[string]*Account)
		a.byPID = make(map[string]*Account)
		a.children = make(map[string]*child)
		for _, acc := range a.srv.registry.list() {
			a.spawn(ctx, acc)
		}
		ctx.Send(ctx.Parent(), &accountsReady{})
	case *actor.Terminated:
		acc := a.byPID[m.Who.Id]
		delete(a.byPID, m.Who.Id)
		delete(a.children, m.Who.Id)
		a.strategy.forget(m.Who.Id)
		if acc == nil {
			return
		}
		delete(a.accounts, acc.Name)
		if !a.srv.shuttingDown.Load() {
			a.srv.log.Error("account stopped after repeated failures; closing its connections",
				"account", acc.Name)
			if pid := a.srv.clients.Load(); pid != nil {
				ctx.Send(pid, &closeAccountClients{acc: acc})
			}
		}
	case *actor.Stopping, *actor.Stopped, *actor.Restarting:
	case *describe:
		d := &description{id: ctx.Self().Id, kind: "accounts", mailbox: a.cell.depth()}
		for _, c := range a.children {
			d.children = append(d.children, c.view(a.strategy))
		}
		ctx.Respond(d)
	default:
		a.srv.log.Warn("accounts: unexpected message", "type", typeName(m))
	}
}

// spawn starts acc's actor. Its PID is set before the account is handed to any connection.
func (a *accountsActor) spawn(ctx actor.Context, acc *Account) {
	cell := &mailboxCell{}
	pid, err := ctx.SpawnNamed(newAccountProps(a.srv, acc, cell), acc.Name)
	if err != nil {
		a.srv.log.Error("cannot start account", "account", acc.Name, "error", err)
		return
	}
	acc.pid.Store(pid)
	a.accounts[acc.Name] = acc
	a.byPID[pid.Id] = acc
	a.children[pid.Id] = &child{pid: pid, kind: "account", cell: cell}
}

var _ actor.Actor = (*accountsActor)(nil)
