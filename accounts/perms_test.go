package accounts

import (
	"strings"
	"testing"
	"time"
)

func mustCompile(t *testing.T, p *Permissions) *Perms {
	t.Helper()
	c, err := Compile(p)
	if err != nil {
		t.Fatalf("Compile: %v", err)
	}
	return c
}

// TestQueueSubscribePermissions is nats-server's client_test.go TestQueueSubscribePermissions,
// case for case: "+OK" is allowed, "-ERR" refused.
func TestQueueSubscribePermissions(t *testing.T) {
	cases := []struct {
		name           string
		perms          *SubjectPermission
		subject, queue string
		ok             bool
	}{
		{"plain subscription on foo", &SubjectPermission{Allow: []string{"foo"}}, "foo", "", true},
		{"queue subscribe with allowed group", &SubjectPermission{Allow: []string{"foo bar"}}, "foo", "bar", true},
		{"queue subscribe with wildcard allowed group", &SubjectPermission{Allow: []string{"foo bar.*"}}, "foo", "bar.fizz", true},
		{"queue subscribe with full wildcard subject and subgroup", &SubjectPermission{Allow: []string{"> bar.>"}}, "whizz", "bar.bang", true},
		{"plain subscribe with full wildcard subject and subgroup", &SubjectPermission{Allow: []string{"> bar.>"}}, "whizz", "", false},
		{"deny plain subscription on foo", &SubjectPermission{Allow: []string{">"}, Deny: []string{"foo"}}, "foo", "bar", false},
		{"allow plain subscription, except foo", &SubjectPermission{Allow: []string{">"}, Deny: []string{"foo"}}, "bar", "", true},
		{"deny everything", &SubjectPermission{Allow: []string{">"}, Deny: []string{">"}}, "foo", "bar", false},
		{"can only subscribe to queues v1", &SubjectPermission{Allow: []string{"> v1.>"}}, "foo", "v1.prod", true},
		{"cannot subscribe to queues, plain subscribe ok", &SubjectPermission{Allow: []string{">"}, Deny: []string{"> >"}}, "foo", "", true},
		{"cannot subscribe to queues, queue subscribe not ok", &SubjectPermission{Deny: []string{"> >"}}, "foo", "bar", false},
		{"deny all queue subscriptions on dev or stg only", &SubjectPermission{Deny: []string{"> *.dev", "> *.stg"}}, "foo", "bar", true},
		{"allow only queue subscription on dev or stg", &SubjectPermission{Allow: []string{"> *.dev", "> *.stg"}}, "foo", "bar", false},
		{"deny queue subscriptions with subject foo", &SubjectPermission{Deny: []string{"foo >"}}, "foo", "bar", false},
		{"plain sub is allowed, but queue subscribe with queue not in list", &SubjectPermission{Allow: []string{"foo bar"}}, "foo", "fizz", false},
		{"allow plain sub, but do queue subscribe", &SubjectPermission{Allow: []string{"foo"}}, "foo", "bar", true},
		{"plain sub deny bypassed by queue deny rules", &SubjectPermission{Allow: []string{">"}, Deny: []string{"admin.>", "> restricted"}}, "admin.secret", "workers", false},
		// opts_test.go TestQueuePermissions: sub {allow|deny: ["foo.> *.dev"]}.
		{"queue allow, queue.dev", &SubjectPermission{Allow: []string{"foo.> *.dev"}}, "foo.bar", "queue.dev", true},
		{"queue allow, plain", &SubjectPermission{Allow: []string{"foo.> *.dev"}}, "foo.bar", "", false},
		{"queue allow, bad", &SubjectPermission{Allow: []string{"foo.> *.dev"}}, "foo.bar", "bad", false},
		{"queue deny, plain", &SubjectPermission{Deny: []string{"foo.> *.dev"}}, "foo.bar", "", true},
		{"queue deny, queue.dev", &SubjectPermission{Deny: []string{"foo.> *.dev"}}, "foo.bar", "queue.dev", false},
		// Allowing a plain and a queue entry: the queue entry decides for queue subscriptions.
		{"plain and queue entry, other queue", &SubjectPermission{Allow: []string{"foo", "foo v1"}}, "foo", "v2", false},
		{"plain and queue entry, plain", &SubjectPermission{Allow: []string{"foo", "foo v1"}}, "foo", "", true},
		// Wildcard subscriptions are matched as Sublist matches them.
		{"* entry matches a > token", &SubjectPermission{Allow: []string{"foo.*"}}, "foo.>", "", true},
		{"full wildcard refused by literal allow", &SubjectPermission{Allow: []string{"foo.bar"}}, "foo.*", "", false},
		{"same wildcard allowed", &SubjectPermission{Allow: []string{"foo.*"}}, "foo.*", "", true},
		{"deny * matches a > token", &SubjectPermission{Deny: []string{"foo.*"}}, "foo.>", "", false},
		{"deny full wildcard stops sub", &SubjectPermission{Deny: []string{"foo.>"}}, "foo.*", "", false},
		{"literal queue with wildcard chars", &SubjectPermission{Allow: []string{"foo v1.*"}}, "foo", "v1.*", true},
		{"queue not a subset", &SubjectPermission{Allow: []string{"foo v1.*"}}, "foo", "v1.>", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := mustCompile(t, &Permissions{Subscribe: c.perms})
			if got := p.CanSubscribe([]byte(c.subject), []byte(c.queue)); got != c.ok {
				t.Fatalf("CanSubscribe(%q, %q) = %v, want %v", c.subject, c.queue, got, c.ok)
			}
		})
	}
}

// One comment in nats-server's foo.> test: allow ["foo.*"] and SUB foo.> pass, because the
// '*' entry matches the literal '>' token, as Sublist.Match does. The differential test
// checks this against the real server.

func TestPublishPermissions(t *testing.T) {
	cases := []struct {
		perms   *SubjectPermission
		subject string
		ok      bool
	}{
		{&SubjectPermission{Allow: []string{"foo"}}, "foo", true},
		{&SubjectPermission{Allow: []string{"foo"}}, "bar", false},
		{&SubjectPermission{Allow: []string{"foo.*"}}, "foo.bar", true},
		{&SubjectPermission{Allow: []string{"foo.*"}}, "foo.bar.baz", false},
		{&SubjectPermission{Allow: []string{"foo.>"}}, "foo.bar.baz", true},
		{&SubjectPermission{Allow: []string{"foo.>"}}, "foo", false},
		{&SubjectPermission{Allow: []string{">"}, Deny: []string{"foo.secret"}}, "foo.secret", false},
		{&SubjectPermission{Allow: []string{">"}, Deny: []string{"foo.secret"}}, "foo.public", true},
		{&SubjectPermission{Deny: []string{"foo.*"}}, "foo.bar", false},
		{&SubjectPermission{Deny: []string{"foo.*"}}, "bar", true},
		{&SubjectPermission{Allow: []string{"foo.>"}, Deny: []string{"foo.bar.>"}}, "foo.bar.baz", false},
		{&SubjectPermission{Allow: []string{"foo.>"}, Deny: []string{"foo.bar.>"}}, "foo.baz", true},
		// A wildcard PUB subject (pedantic off) needs an entry at least as wide.
		{&SubjectPermission{Allow: []string{"foo.bar"}}, "foo.*", false},
		{&SubjectPermission{Allow: []string{"foo.*"}}, "foo.*", true},
		{&SubjectPermission{Deny: []string{"foo.bar"}}, "foo.*", true},
		// Malformed subjects match no entry.
		{&SubjectPermission{Allow: []string{">"}}, "foo..bar", false},
		{&SubjectPermission{Deny: []string{">"}}, "foo.", true},
		{&SubjectPermission{Allow: []string{}}, "foo", false}, // an empty, non-nil allow list
	}
	for _, c := range cases {
		p := mustCompile(t, &Permissions{Publish: c.perms})
		if got := p.CanPublish([]byte(c.subject)); got != c.ok {
			t.Errorf("%+v: CanPublish(%q) = %v, want %v", c.perms, c.subject, got, c.ok)
		}
		if !p.RestrictsPublish() {
			t.Errorf("%+v: RestrictsPublish false", c.perms)
		}
	}
}

// TestDeniesDelivery mirrors nats-server's TestClientSubscribeDenyWildcardOverlapBlocksDelivery
// and TestClientQueueScopedSubscribeDenyBlocksOnlyMatchingQueue.
func TestDeniesDelivery(t *testing.T) {
	for _, c := range []struct{ deny, sub, blocked, allowed string }{
		{"*.secret", "foo.*", "foo.secret", "foo.public"},
		{"foo.*.bar", "foo.baz.*", "foo.baz.bar", "foo.baz.qux"},
		{"*.*.bar", "foo.*.*", "foo.baz.bar", "foo.baz.qux"},
		{"a.>", "*.b", "a.b", "z.b"},
	} {
		p := mustCompile(t, &Permissions{Subscribe: &SubjectPermission{Allow: []string{">"}, Deny: []string{c.deny}}})
		if !p.CanSubscribe([]byte(c.sub), []byte("workers")) {
			t.Fatalf("deny %q: SUB %q refused", c.deny, c.sub)
		}
		if !subjectsCollide(c.deny, c.sub) {
			t.Fatalf("%q and %q should collide", c.deny, c.sub)
		}
		if !p.DeniesDelivery([]byte(c.blocked), []byte("workers")) || !p.DeniesDelivery([]byte(c.blocked), nil) {
			t.Errorf("deny %q: %q delivered", c.deny, c.blocked)
		}
		if p.DeniesDelivery([]byte(c.allowed), []byte("workers")) {
			t.Errorf("deny %q: %q not delivered", c.deny, c.allowed)
		}
	}
	for _, c := range []struct{ deny, deniedQ, allowedQ string }{
		{"admin.secret workers", "workers", "auditors"},
		{"admin.secret work.*", "work.prod", "audit.prod"},
	} {
		p := mustCompile(t, &Permissions{Subscribe: &SubjectPermission{Allow: []string{">"}, Deny: []string{c.deny}}})
		if !p.CanSubscribe([]byte("admin.*"), []byte(c.deniedQ)) {
			t.Fatalf("SUB admin.* %s refused", c.deniedQ)
		}
		if !p.DeniesDelivery([]byte("admin.secret"), []byte(c.deniedQ)) {
			t.Errorf("deny %q: delivered to queue %q", c.deny, c.deniedQ)
		}
		if p.DeniesDelivery([]byte("admin.secret"), []byte(c.allowedQ)) || p.DeniesDelivery([]byte("admin.secret"), nil) {
			t.Errorf("deny %q: not delivered to queue %q or plain", c.deny, c.allowedQ)
		}
	}
	p := mustCompile(t, &Permissions{Subscribe: &SubjectPermission{Allow: []string{"foo.>"}}})
	if p.RestrictsDelivery() || p.DeniesDelivery([]byte("foo.bar"), nil) {
		t.Fatal("no deny list, yet delivery restricted")
	}
}

func TestNilPermsAllowEverything(t *testing.T) {
	var p *Perms
	if !p.CanPublish([]byte("a")) || !p.CanSubscribe([]byte(">"), []byte("q")) || p.DeniesDelivery([]byte("a"), nil) ||
		p.RestrictsPublish() || p.RestrictsDelivery() || p.Responses() != nil || p.Permissions() != nil {
		t.Fatal("nil Perms restricts something")
	}
	if c, err := Compile(nil); c != nil || err != nil {
		t.Fatalf("Compile(nil) = %v, %v", c, err)
	}
	e := mustCompile(t, &Permissions{})
	if e.RestrictsPublish() || e.RestrictsDelivery() || !e.CanSubscribe([]byte("x"), nil) {
		t.Fatal("empty Permissions restricts something")
	}
}

func TestCompileErrors(t *testing.T) {
	for _, c := range []struct {
		p    *Permissions
		want string
	}{
		{&Permissions{Publish: &SubjectPermission{Allow: []string{"foo..bar"}}}, `publish allow: subject "foo..bar" is not a valid subject`},
		{&Permissions{Publish: &SubjectPermission{Deny: []string{"admin.secret workers"}}}, `publish deny: subject "admin.secret workers" is not a valid subject`},
		{&Permissions{Subscribe: &SubjectPermission{Allow: []string{"foo bar baz"}}}, `subscribe allow: subject "foo bar baz" is not a valid subject`},
		{&Permissions{Subscribe: &SubjectPermission{Deny: []string{"foo. q"}}}, `subscribe deny: subject "foo." is not a valid subject`},
		{&Permissions{Subscribe: &SubjectPermission{Allow: []string{"foo q..x"}}}, `subscribe allow: queue "q..x" is not a valid queue`},
		{&Permissions{Publish: &SubjectPermission{Allow: []string{"a.>.b"}}}, `publish allow: subject "a.>.b" is not a valid subject`},
	} {
		_, err := Compile(c.p)
		if err == nil || err.Error() != c.want {
			t.Errorf("Compile: %v, want %q", err, c.want)
		}
	}
}

func TestAllowResponsesDefaults(t *testing.T) {
	p := mustCompile(t, &Permissions{Response: &ResponsePermission{}})
	r := p.Responses()
	if r == nil || r.MaxMsgs != DefaultResponseMaxMsgs || r.Expires != DefaultResponseExpires {
		t.Fatalf("Responses() = %+v", r)
	}
	if r.MaxMsgs != 1 || r.Expires != 2*time.Minute {
		t.Fatal("nats-server's defaults are 1 message in 2 minutes")
	}
	// allow_responses turns the blanket publish allow off (validateResponsePermissions)...
	if p.CanPublish([]byte("anything")) || !p.RestrictsPublish() {
		t.Fatal("allow_responses left publishing open")
	}
	// ...but keeps an explicit allow list.
	p = mustCompile(t, &Permissions{Publish: &SubjectPermission{Allow: []string{"ok"}}, Response: &ResponsePermission{MaxMsgs: 3}})
	if !p.CanPublish([]byte("ok")) || p.CanPublish([]byte("no")) || p.Responses().MaxMsgs != 3 {
		t.Fatal("allow list with allow_responses")
	}
}

func TestResponseTracker(t *testing.T) {
	now := time.Unix(1000, 0)
	newTracker := func(r *ResponsePermission) *ResponseTracker {
		tr := NewResponseTracker(mustCompile(t, &Permissions{Response: r}))
		tr.now = func() time.Time { return now }
		return tr
	}
	// nats-server client_test.go TestResponsePermissions, case "max_msgs".
	tr := newTracker(&ResponsePermission{MaxMsgs: 2, Expires: time.Hour})
	if tr.Allow([]byte("reply")) {
		t.Fatal("allowed before any delivery")
	}
	tr.Delivered([]byte("reply"))
	got := 0
	for range 10 {
		if tr.Allow([]byte("reply")) {
			got++
		}
	}
	if got != 2 {
		t.Fatalf("%d replies allowed, want 2", got)
	}
	// "expire": one within the TTL, none after.
	tr = newTracker(&ResponsePermission{MaxMsgs: 1000, Expires: 100 * time.Millisecond})
	tr.Delivered([]byte("r"))
	if !tr.Allow([]byte("r")) {
		t.Fatal("reply within TTL refused")
	}
	now = now.Add(200 * time.Millisecond)
	if tr.Allow([]byte("r")) {
		t.Fatal("reply after TTL allowed")
	}
	// "no_expire_limit": a negative TTL never expires.
	tr = newTracker(&ResponsePermission{MaxMsgs: 3, Expires: -time.Millisecond})
	tr.Delivered([]byte("r"))
	now = now.Add(time.Hour)
	if !tr.Allow([]byte("r")) || !tr.Allow([]byte("r")) {
		t.Fatal("negative TTL expired")
	}
	// A reply the connection may publish to anyway is not tracked.
	tr = NewResponseTracker(mustCompile(t, &Permissions{Publish: &SubjectPermission{Allow: []string{"_INBOX.>"}}, Response: &ResponsePermission{}}))
	tr.Delivered([]byte("_INBOX.x"))
	if tr.Len() != 0 {
		t.Fatal("an allowed reply was tracked")
	}
	var none *ResponseTracker
	none.Delivered([]byte("x"))
	if none.Allow([]byte("x")) || NewResponseTracker(nil) != nil {
		t.Fatal("nil tracker allowed something")
	}
}

func TestViolationTexts(t *testing.T) {
	if got := PubViolation([]byte("pub.secret")); got != `Permissions Violation for Publish to "pub.secret"` {
		t.Fatal(got)
	}
	if got := SubViolation([]byte("foo"), nil); got != `Permissions Violation for Subscription to "foo"` {
		t.Fatal(got)
	}
	if got := SubViolation([]byte("foo"), []byte("bar")); got != `Permissions Violation for Subscription to "foo" using queue "bar"` {
		t.Fatal(got)
	}
	if got := ReplyViolation([]byte("_R_.x")); got != `Permissions Violation for Publish with Reply of "_R_.x"` {
		t.Fatal(got)
	}
	if ErrAuthorization.Error() != "Authorization Violation" || !strings.Contains(TextMaxAccountConnections, "account active") {
		t.Fatal("texts")
	}
}

func TestSubsetAndCollide(t *testing.T) {
	for _, c := range []struct {
		subject, test string
		want          bool
	}{
		{"foo.bar", "foo.*", true}, {"foo.*", "foo.*", true}, {"foo.*", ">", true}, {"foo.*", "*.*", true},
		{"foo.*", "foo.bar", false}, {"foo.>", "foo.*", false}, {"foo", "foo.>", false}, {"foo.bar.baz", "foo.>", true},
		{"v1..x", "v1.>", true}, {"v1.x", "v1.*x", true}, {"", ">", true}, {"", "*", false},
	} {
		if got := subsetOf([]byte(c.subject), c.test); got != c.want {
			t.Errorf("subsetOf(%q, %q) = %v", c.subject, c.test, got)
		}
	}
	for _, c := range []struct {
		a, b string
		want bool
	}{
		{"foo.*", "*.bar", true}, {"foo.bar", "foo.baz", false}, {"foo.>", "foo", false}, {"a.*", "a.b.c", false},
		{"a.>", "*.b.c", true}, {"a.*.c", "a.b.*", true}, {"a.*", "b.*", false},
	} {
		if got := subjectsCollide(c.a, c.b); got != c.want {
			t.Errorf("subjectsCollide(%q, %q) = %v", c.a, c.b, got)
		}
	}
}

func TestPermsAllocs(t *testing.T) {
	p := mustCompile(t, &Permissions{
		Publish:   &SubjectPermission{Allow: []string{"foo.>", "bar.*", "baz"}, Deny: []string{"foo.secret.>"}},
		Subscribe: &SubjectPermission{Allow: []string{"foo.>", "q.* v1.*", "_INBOX.>"}, Deny: []string{"foo.secret", "> restricted"}},
	})
	pub, sub, q := []byte("foo.public.x"), []byte("q.x"), []byte("v1.prod")
	for _, f := range []func(){
		func() { p.CanPublish(pub) },
		func() { p.CanSubscribe(sub, q) },
		func() { p.CanSubscribe(pub, nil) },
		func() { p.DeniesDelivery(pub, q) },
	} {
		f()
		if n := testing.AllocsPerRun(1000, f); n != 0 {
			t.Fatalf("%v allocations per check", n)
		}
	}
}

func BenchmarkCanPublish(b *testing.B) {
	p, _ := Compile(&Permissions{Publish: &SubjectPermission{Allow: []string{"foo.>", "bar.*", "baz"}, Deny: []string{"foo.secret.>"}}})
	s := []byte("foo.public.x")
	b.ReportAllocs()
	for b.Loop() {
		p.CanPublish(s)
	}
}

func BenchmarkCanSubscribe(b *testing.B) {
	p, _ := Compile(&Permissions{Subscribe: &SubjectPermission{Allow: []string{"foo.>", "q.* v1.*"}, Deny: []string{"> restricted"}}})
	s, q := []byte("q.x"), []byte("v1.prod")
	b.ReportAllocs()
	for b.Loop() {
		p.CanSubscribe(s, q)
	}
}

func TestReserved(t *testing.T) {
	for s, want := range map[string]bool{"_GR_.x": true, "$GR.x": true, "_GR_.": false, "$NRG.x": true, "foo": false, "_R_x": false} {
		if ReservedPublish([]byte(s), false) != want {
			t.Errorf("ReservedPublish(%q) != %v", s, want)
		}
	}
	if ReservedPublish([]byte("$NRG.x"), true) {
		t.Error("$NRG. refused to the system account")
	}
	for s, want := range map[string]bool{"_R_.": true, "_R_.abc.x": true, "$JS.ACK.s.c": true, "$JS.ACK.": false, "_GR_.x.y": true, "_INBOX.x": false} {
		if ReservedReply([]byte(s)) != want {
			t.Errorf("ReservedReply(%q) != %v", s, want)
		}
	}
}
