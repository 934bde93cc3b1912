package accounts

import (
	"sync"
	"time"
)

// nats-server prunes a connection's reply grants after this many new grants or this long since
// the last prune (client.go replyPermLimit, replyPruneTime).
const (
	replyPruneEvery = 4096
	replyPruneAfter = time.Second
)

// ResponseTracker is one connection's dynamic reply permissions (allow_responses): each message
// delivered to the connection with a reply subject its static permissions would not let it
// publish to grants it ResponsePermission.MaxMsgs publishes to that reply within Expires
// (client.go deliverMsg, responseAllowed, pruneReplyPerms). It belongs to one connection and
// is safe for concurrent use: deliveries are recorded by publishers' readers, publishes are
// checked by the connection's own reader.
type ResponseTracker struct {
	perms *Perms
	resp  ResponsePermission
	now   func() time.Time

	mu         sync.Mutex
	replies    map[string]*replyGrant
	sincePrune int
	lastPrune  time.Time
}

type replyGrant struct {
	at time.Time
	n  int
}

// NewResponseTracker returns a tracker for a connection with permissions p, or nil when p
// has no allow_responses (a nil tracker records nothing and allows nothing).
func NewResponseTracker(p *Perms) *ResponseTracker {
	r := p.Responses()
	if r == nil {
		return nil
	}
	return &ResponseTracker{perms: p, resp: *r, now: time.Now, replies: make(map[string]*replyGrant)}
}

// Delivered records that a message with reply subject reply was delivered to the connection.
// As in nats-server, a reply the connection may already publish to is not recorded, and
// recording a reply that still has a live grant consumes one of its publishes.
func (t *ResponseTracker) Delivered(reply []byte) {
	if t == nil || len(reply) == 0 || t.perms.CanPublish(reply) {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	now := t.now()
	if t.allowLocked(reply, now) {
		return
	}
	t.replies[string(reply)] = &replyGrant{at: now}
	t.sincePrune++
	if t.sincePrune > replyPruneEvery || now.Sub(t.lastPrune) > replyPruneAfter {
		t.pruneLocked(now)
	}
}

// Allow reports whether a PUB to subject, refused by Perms.CanPublish, is allowed as a
// response, and counts it.
func (t *ResponseTracker) Allow(subject []byte) bool {
	if t == nil {
		return false
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.allowLocked(subject, t.now())
}

// Len returns the number of reply grants held.
func (t *ResponseTracker) Len() int {
	if t == nil {
		return 0
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.replies)
}

func (t *ResponseTracker) allowLocked(subject []byte, now time.Time) bool {
	g := t.replies[string(subject)]
	if g == nil {
		return false
	}
	g.n++
	switch {
	case t.resp.MaxMsgs > 0 && g.n > t.resp.MaxMsgs:
		delete(t.replies, string(subject))
		return false
	case t.resp.Expires > 0 && now.Sub(g.at) > t.resp.Expires:
		delete(t.replies, string(subject))
		return false
	}
	return true
}

func (t *ResponseTracker) pruneLocked(now time.Time) {
	for k, g := range t.replies {
		if (t.resp.MaxMsgs > 0 && g.n >= t.resp.MaxMsgs) || (t.resp.Expires > 0 && now.Sub(g.at) > t.resp.Expires) {
			delete(t.replies, k)
		}
	}
	t.sincePrune = 0
	t.lastPrune = now
}
