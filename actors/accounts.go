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
	case *openAccount:
		m.reply <- a.open(ctx, m)
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

// open creates an account that exists only as a JWT (operator mode), with any accounts its
// imports name that are not open yet, wires their imports and starts their actors. Imports into
// accounts already running are sent to their actors as new entries.
func (a *accountsActor) open(ctx actor.Context, m *openAccount) *Account {
	if acc := a.srv.registry.get(m.def.Name); acc != nil {
		return acc
	}
	var fresh []*Account
	for _, e := range m.exporters {
		if a.srv.registry.get(e.Name) == nil {
			fresh = append(fresh, newAccountFrom(e))
		}
	}
	acc := newAccountFrom(m.def)
	fresh = append(fresh, acc)
	a.srv.registry.add(fresh...)
	add := func(target *Account, e *subscription) {
		if pid := target.pid.Load(); pid != nil {
			ctx.Send(pid, &interest{ops: []interestOp{{sub: e, add: true}}})
		} else {
			target.entries = append(target.entries, e)
		}
	}
	for _, f := range fresh {
		a.srv.wireImports(f, add)
	}
	for _, f := range fresh {
		a.spawn(ctx, f)
	}
	a.srv.log.Info("account opened", "account", acc.Name)
	return acc
}

var _ actor.Actor = (*accountsActor)(nil)
