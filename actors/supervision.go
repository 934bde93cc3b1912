package actors

import (
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/asynkron/protoactor-go/actor"
)

// policy is how a supervisor treats a failed child. The supervisors of the tree each pick one
// on purpose (see docs/architecture.md).
type policy uint8

const (
	// stopChild: never restart (a client connection: its socket state cannot be recreated).
	stopChild policy = iota
	// restartChild: restart at once, up to maxRestarts within window, then stop it.
	restartChild
	// restartWithBackoff: restart after a growing delay (listeners: a port may need time).
	restartWithBackoff
)

// strategy implements actor.SupervisorStrategy for Troupe's supervisors. Beyond protoactor's
// stock strategies it logs the panic's stack (protoactor logs only the value, at Info) and lets
// a supervisor see the message that failed (onFailure), so that nobody waits forever on it.
type strategy struct {
	kind        string
	policy      policy
	maxRestarts int
	window      time.Duration
	backoff     time.Duration
	log         *slog.Logger
	counter     *atomic.Int64
	onFailure   func(child *actor.PID, msg any)

	// Per child, for the live tree: restarts made, and whether one is waiting out a back-off.
	// The map is only touched on the supervisor's goroutine (HandleFailure, describe); a
	// back-off timer only touches the atomic it was given.
	children map[string]*childRestarts
}

type childRestarts struct {
	count   int
	waiting atomic.Bool
}

func (s *strategy) child(id string) *childRestarts {
	if s.children == nil {
		s.children = make(map[string]*childRestarts)
	}
	c := s.children[id]
	if c == nil {
		c = &childRestarts{}
		s.children[id] = c
	}
	return c
}

// record returns a child's restart count and state ("running" or "restarting").
func (s *strategy) record(id string) (int, string) {
	c := s.children[id]
	if c == nil {
		return 0, "running"
	}
	if c.waiting.Load() {
		return c.count, "restarting"
	}
	return c.count, "running"
}

// forget drops a child's record when it stops for good.
func (s *strategy) forget(id string) { delete(s.children, id) }

var _ actor.SupervisorStrategy = (*strategy)(nil)

func (s *strategy) HandleFailure(_ *actor.ActorSystem, sup actor.Supervisor, child *actor.PID,
	rs *actor.RestartStatistics, reason any, msg any) {
	s.log.Error("actor failed", slog.String("supervisor", s.kind), slog.String("actor", child.Id),
		slog.String("message", typeName(msg)), slog.String("reason", fmt.Sprint(reason)))
	if s.onFailure != nil {
		s.onFailure(child, msg)
	}
	switch s.policy {
	case stopChild:
		sup.StopChildren(child)
	case restartChild:
		rs.Fail()
		if rs.NumberOfFailures(s.window) > s.maxRestarts {
			s.log.Error("actor failed too often; stopping it", slog.String("actor", child.Id),
				slog.Int("restarts", s.maxRestarts), slog.Duration("window", s.window))
			rs.Reset()
			sup.StopChildren(child)
			return
		}
		s.count()
		s.child(child.Id).count++
		sup.RestartChildren(child)
	case restartWithBackoff:
		if rs.NumberOfFailures(s.window) == 0 {
			rs.Reset()
		}
		rs.Fail()
		delay := time.Duration(rs.FailureCount()) * s.backoff
		rec := s.child(child.Id)
		rec.count++
		rec.waiting.Store(true)
		time.AfterFunc(delay, func() {
			s.count()
			rec.waiting.Store(false)
			sup.RestartChildren(child)
		})
	}
}

func (s *strategy) count() {
	if s.counter != nil {
		s.counter.Add(1)
	}
}

func typeName(v any) string {
	if v == nil {
		return "<nil>"
	}
	return fmt.Sprintf("%T", v)
}
