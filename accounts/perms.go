package accounts

import (
	"fmt"
	"strings"
	"time"

	"github.com/troupe/troupe/subjects"
)

// nats-server's allow_responses defaults (const.go DEFAULT_ALLOW_RESPONSE_MAX_MSGS and
// DEFAULT_ALLOW_RESPONSE_EXPIRATION).
const (
	DefaultResponseMaxMsgs = 1
	DefaultResponseExpires = 2 * time.Minute
)

// SubjectPermission is one direction's allow and deny lists, as configured. Subscribe entries
// may be queue-qualified: "foo v1" allows (or denies) queue subscriptions to foo in group v1,
// and the group may hold wildcards ("foo v1.*"). A nil Allow allows everything not denied; for
// Publish, a non-nil empty Allow allows nothing (nats-server creates the allow list whenever
// Publish.Allow is non-nil, which is how allow_responses turns publishing off).
type SubjectPermission struct {
	Allow []string
	Deny  []string
}

// ResponsePermission is allow_responses: a connection may publish to the reply subject of each
// message delivered to it, MaxMsgs times within Expires, even when its publish permissions
// would refuse it. A negative value means no limit. Compile replaces zeros with nats-server's
// defaults (auth.go validateResponsePermissions).
type ResponsePermission struct {
	MaxMsgs int           // DefaultResponseMaxMsgs (1) when 0
	Expires time.Duration // DefaultResponseExpires (2m) when 0
}

// Permissions is a user's publish and subscribe permissions as configured or decoded from a
// user JWT.
type Permissions struct {
	Publish   *SubjectPermission
	Subscribe *SubjectPermission
	Response  *ResponsePermission
}

// Perms is a compiled permission set. It is immutable, so any number of goroutines may check
// it at once; the checks allocate nothing. A nil *Perms allows everything, and every method
// works on a nil receiver.
type Perms struct {
	pub, sub          patternSet
	pubAllow, pubDeny bool // the lists exist (an empty Publish.Allow is a list)
	subAllow, subDeny bool
	resp              *ResponsePermission
	src               *Permissions
}

// Compile checks p's subjects and builds its Perms. A nil p gives a nil *Perms (everything
// allowed). Invalid entries are errors, with nats-server's texts (opts.go
// checkPermSubjectArray via auth.go validatePermissionSubjects), e.g.
// `publish allow: subject "foo..bar" is not a valid subject`. Publish entries may not have a
// queue; subscribe entries may.
func Compile(p *Permissions) (*Perms, error) {
	if p == nil {
		return nil, nil
	}
	c := &Perms{src: clonePermissions(p)}
	if p.Publish != nil {
		if err := checkPermSubjects(p.Publish.Allow, false); err != nil {
			return nil, fmt.Errorf("publish allow: %w", err)
		}
		if err := checkPermSubjects(p.Publish.Deny, false); err != nil {
			return nil, fmt.Errorf("publish deny: %w", err)
		}
		c.pubAllow, c.pubDeny = p.Publish.Allow != nil, len(p.Publish.Deny) > 0
		c.pub.addAll(allowList, p.Publish.Allow)
		c.pub.addAll(denyList, p.Publish.Deny)
	}
	if p.Subscribe != nil {
		if err := checkPermSubjects(p.Subscribe.Allow, true); err != nil {
			return nil, fmt.Errorf("subscribe allow: %w", err)
		}
		if err := checkPermSubjects(p.Subscribe.Deny, true); err != nil {
			return nil, fmt.Errorf("subscribe deny: %w", err)
		}
		c.subAllow, c.subDeny = len(p.Subscribe.Allow) > 0, len(p.Subscribe.Deny) > 0
		c.sub.addAll(allowList, p.Subscribe.Allow)
		c.sub.addAll(denyList, p.Subscribe.Deny)
	}
	if p.Response != nil {
		r := *p.Response
		if r.MaxMsgs == 0 {
			r.MaxMsgs = DefaultResponseMaxMsgs
		}
		if r.Expires == 0 {
			r.Expires = DefaultResponseExpires
		}
		c.resp = &r
		// Responses turn the blanket publish allow off (validateResponsePermissions).
		c.pubAllow = true
	}
	return c, nil
}

// checkPermSubjects is nats-server's checkPermSubjectArray.
func checkPermSubjects(list []string, allowQueue bool) error {
	for _, s := range list {
		if subjects.Valid([]byte(s)) {
			continue
		}
		if !allowQueue {
			return fmt.Errorf("subject %q is not a valid subject", s)
		}
		f := strings.Fields(s)
		switch {
		case len(f) != 2:
			return fmt.Errorf("subject %q is not a valid subject", s)
		case !subjects.Valid([]byte(f[0])):
			return fmt.Errorf("subject %q is not a valid subject", f[0])
		case !subjects.Valid([]byte(f[1])):
			return fmt.Errorf("queue %q is not a valid queue", f[1])
		}
	}
	return nil
}

// addAll adds the entries of an already checked list; an entry with a space is a subject and
// a queue (client.go splitSubjectQueue).
func (s *patternSet) addAll(list int, entries []string) {
	for _, e := range entries {
		f := strings.Fields(e)
		switch len(f) {
		case 1:
			s.add(list, f[0], "")
		case 2:
			s.add(list, f[0], f[1])
		}
	}
}

// RestrictsPublish reports whether CanPublish can refuse anything; when false the runtime may
// skip the check.
func (p *Perms) RestrictsPublish() bool {
	return p != nil && (p.pubAllow || p.pubDeny)
}

// RestrictsDelivery reports whether DeniesDelivery can refuse anything (there are subscribe
// deny entries); when false the runtime may skip the check at delivery.
func (p *Perms) RestrictsDelivery() bool {
	return p != nil && p.subDeny
}

// CanPublish reports whether a PUB to subject is allowed, as nats-server's pubAllowed decides
// it without the dynamic reply permissions: with an allow list, some entry must match; then no
// deny entry may match. Entries are matched against the subject as a Sublist would match them,
// so a wildcard PUB subject (pedantic off) is allowed only by an entry at least as wide. When
// it returns false and Responses() is not nil, the runtime asks its ResponseTracker next.
func (p *Perms) CanPublish(subject []byte) bool {
	if p == nil || !(p.pubAllow || p.pubDeny) {
		return true
	}
	var h hit
	p.pub.lookup(subject, &h)
	return (!p.pubAllow || h.plain[allowList]) && !h.plain[denyList]
}

// CanSubscribe reports whether a SUB to subject, with queue group queue (empty for a plain
// subscription), is allowed, as nats-server's canSubscribe decides it for a client:
//
//   - with an allow list: an entry without a queue must match subject; but for a queue
//     subscription, if queue-qualified entries match subject, the queue must be one of theirs
//     (so allow ["foo v1"] refuses a plain SUB foo, and ["foo", "foo v1"] refuses SUB foo v2);
//   - then with a deny list: no entry without a queue may match, and for a queue subscription
//     no matching queue-qualified entry may name the queue.
//
// subject may hold wildcards; an entry matches it as a Sublist entry matches a subject, its
// wildcard tokens taken as plain tokens: allow ["foo.bar"] refuses SUB foo.*, allow ["foo.*"]
// accepts SUB foo.* and also SUB foo.> (a '*' entry matches the token ">"), but refuses
// SUB >. nats-server also refuses the queue name "_sys_" to clients whatever the
// permissions; that check is the session's.
func (p *Perms) CanSubscribe(subject, queue []byte) bool {
	if p == nil || !(p.subAllow || p.subDeny) {
		return true
	}
	h := hit{queue: queue}
	p.sub.lookup(subject, &h)
	if p.subAllow {
		allowed := h.plain[allowList]
		if len(queue) > 0 && h.anyQueue[allowList] {
			allowed = h.queueOK[allowList]
		}
		if !allowed {
			return false
		}
	}
	return !h.denied()
}

// DeniesDelivery reports whether a message on the literal subject must not be delivered to a
// subscription of this connection with queue group queue (empty for plain), because a
// subscribe deny entry matches it. Deny entries do not stop a wider wildcard subscription
// (deny "foo.secret" lets SUB foo.* through), so nats-server checks each delivery
// (client.go checkDenySub); so must the runtime, whenever RestrictsDelivery() is true.
func (p *Perms) DeniesDelivery(subject, queue []byte) bool {
	if p == nil || !p.subDeny {
		return false
	}
	h := hit{queue: queue}
	p.sub.lookup(subject, &h)
	return h.denied()
}

// denied is the deny list's verdict: an entry without a queue matched, or, for a queue
// subscription, a matching queue-qualified entry names the queue.
func (h *hit) denied() bool {
	return h.plain[denyList] || (len(h.queue) > 0 && h.anyQueue[denyList] && h.queueOK[denyList])
}

// Responses returns the allow_responses settings, with defaults filled in, or nil when they
// are not set. The pointed-to value must not be changed.
func (p *Perms) Responses() *ResponsePermission {
	if p == nil {
		return nil
	}
	return p.resp
}

// Permissions returns a copy of the permissions p was compiled from (nil for a nil p), for
// monitoring.
func (p *Perms) Permissions() *Permissions {
	if p == nil {
		return nil
	}
	return clonePermissions(p.src)
}

func clonePermissions(p *Permissions) *Permissions {
	if p == nil {
		return nil
	}
	c := &Permissions{}
	if p.Publish != nil {
		c.Publish = cloneSubjectPermission(p.Publish)
	}
	if p.Subscribe != nil {
		c.Subscribe = cloneSubjectPermission(p.Subscribe)
	}
	if p.Response != nil {
		r := *p.Response
		c.Response = &r
	}
	return c
}

func cloneSubjectPermission(s *SubjectPermission) *SubjectPermission {
	c := &SubjectPermission{}
	if s.Allow != nil {
		c.Allow = append([]string{}, s.Allow...)
	}
	if s.Deny != nil {
		c.Deny = append([]string{}, s.Deny...)
	}
	return c
}
