package actors

import (
	"strings"
	"testing"
	"time"

	"github.com/troupe/troupe/accounts"

	"github.com/troupe/troupe/protocol"
)

// The session is table-tested without sockets or actors: fakeIO records what it asks for.
type fakeIO struct {
	out       strings.Builder
	published []string // subjects routed
	deliver   bool     // what publish reports
	changes   [][]interestOp
	waits     int // changeInterest calls that waited
	handOffs  int
	connects  []protocol.Connect
	reply     *subscription
}

func (f *fakeIO) send(b []byte) { f.out.Write(b) }
func (f *fakeIO) publish(op *protocol.Op, echo bool) bool {
	f.published = append(f.published, string(op.Subject))
	return f.deliver
}
func (f *fakeIO) changeInterest(ops []interestOp, wait bool) error {
	if len(ops) > 0 {
		f.changes = append(f.changes, append([]interestOp(nil), ops...))
	}
	if wait {
		f.waits++
	}
	return nil
}
func (f *fakeIO) handOff()                                   { f.handOffs++ }
func (f *fakeIO) connected(c *protocol.Connect, _ time.Time) { f.connects = append(f.connects, *c) }
func (f *fakeIO) bind(*accounts.Result) error                { return nil }
func (f *fakeIO) replySub(reply []byte) *subscription        { return f.reply }
func (f *fakeIO) account() *Account                          { return testAccount }
func (f *fakeIO) parse(t *testing.T, s *session, in string) error {
	t.Helper()
	p := protocol.NewParser(protocol.ClientOps)
	return p.Parse([]byte(in), s.handle)
}

var testAccount = newAccount("$G")

func newTestSession(io *fakeIO) *session {
	srv := newShared(testOptions(), testLogger(nil), "NTEST", nil)
	srv.global = newAccount("$G")
	srv.auth, _ = accounts.New(&accounts.Config{})
	return newSession(srv, &Peer{Endpoint: Endpoint{CID: 7}}, "127.0.0.1", nil, io)
}

func TestSessionOps(t *testing.T) {
	cases := []struct {
		name    string
		in      string
		out     string
		reason  CloseReason // 0: stays open
		changes int         // interest messages sent
		pubs    int
	}{
		{name: "connect verbose default", in: "CONNECT {}\r\n", out: "+OK\r\n"},
		{name: "connect quiet", in: "CONNECT {\"verbose\":false}\r\n"},
		{name: "ping pong", in: "PING\r\n", out: "PONG\r\n"},
		{name: "sub ok", in: "SUB foo 1\r\n", out: "+OK\r\n"},
		{name: "subs batch into one change", in: "SUB a 1\r\nSUB b 2\r\nUNSUB 1\r\nPING\r\n", out: "+OK\r\n+OK\r\n+OK\r\nPONG\r\n", changes: 1},
		{name: "invalid subject", in: "SUB a..b 1\r\n", out: "-ERR 'Invalid Subject'\r\n"},
		{name: "pub pedantic", in: "PUB a.* 0\r\n\r\n", out: "-ERR 'Invalid Publish Subject'\r\n+OK\r\n", pubs: 1},
		{name: "pub syncs interest first", in: "SUB a 1\r\nPUB a 0\r\n\r\n", out: "+OK\r\n+OK\r\n", changes: 1, pubs: 1},
		{name: "protocol 2", in: "CONNECT {\"protocol\":2}\r\n", out: "-ERR 'invalid client protocol'\r\n", reason: BadClientProtocolVersion},
		{name: "no responders needs headers", in: "CONNECT {\"no_responders\":true}\r\n", out: "-ERR 'no responders requires headers support'\r\n", reason: NoRespondersRequiresHeaders},
		{name: "account", in: "CONNECT {\"account\":\"A\"}\r\n", out: "-ERR 'Authorization Violation'\r\n", reason: AuthenticationViolation},
		{name: "bad json", in: "CONNECT {x}\r\n", reason: ProtocolViolation},
		{name: "client -ERR", in: "-ERR 'boom'\r\n", reason: ParseError},
		{name: "info ignored", in: "INFO {}\r\nPING\r\n", out: "PONG\r\n"},
		{name: "unsub unknown sid", in: "UNSUB 99\r\n", out: "+OK\r\n"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			io := &fakeIO{}
			s := newTestSession(io)
			err := io.parse(t, s, c.in)
			if err == nil {
				err = s.syncInterest()
			}
			var reason CloseReason
			if ce, ok := err.(*closeError); ok {
				reason = ce.reason
			} else if err != nil {
				t.Fatalf("unexpected error %v", err)
			}
			if reason != c.reason {
				t.Fatalf("close reason %v, want %v", reason, c.reason)
			}
			if io.out.String() != c.out {
				t.Fatalf("output %q, want %q", io.out.String(), c.out)
			}
			if len(io.changes) != c.changes && c.changes != 0 {
				t.Fatalf("%d interest changes, want %d", len(io.changes), c.changes)
			}
			if len(io.published) != c.pubs {
				t.Fatalf("%d publishes, want %d", len(io.published), c.pubs)
			}
		})
	}
}

func TestSessionMaxSubscriptions(t *testing.T) {
	io := &fakeIO{}
	s := newTestSession(io)
	s.maxSubs = 2
	if err := io.parse(t, s, "CONNECT {\"verbose\":false}\r\nSUB a 1\r\nSUB b 2\r\nSUB c 3\r\n"); err != nil {
		t.Fatal(err)
	}
	if io.out.String() != "-ERR 'maximum subscriptions exceeded'\r\n" {
		t.Fatalf("output %q", io.out.String())
	}
	// A subscription that reached its max no longer counts.
	s.subs["1"].gone.Store(true)
	io.out.Reset()
	if err := io.parse(t, s, "SUB c 3\r\n"); err != nil || io.out.Len() != 0 {
		t.Fatalf("after a subscription went: %v %q", err, io.out.String())
	}
}

func TestSessionUnsubMax(t *testing.T) {
	io := &fakeIO{}
	s := newTestSession(io)
	if err := io.parse(t, s, "CONNECT {\"verbose\":false}\r\nSUB a 1\r\nUNSUB 1 3\r\nPING\r\n"); err != nil {
		t.Fatal(err)
	}
	sub := s.subs["1"]
	if sub == nil || sub.max.Load() != 3 {
		t.Fatalf("UNSUB with max removed the subscription or did not set max")
	}
	// Deliveries so far count: a max already reached removes at once.
	sub.delivered.Store(5)
	if err := io.parse(t, s, "UNSUB 1 4\r\nPING\r\n"); err != nil {
		t.Fatal(err)
	}
	if s.subs["1"] != nil || !sub.gone.Load() {
		t.Fatal("UNSUB with a max already reached kept the subscription")
	}
	last := io.changes[len(io.changes)-1]
	if len(last) != 1 || last[0].add || last[0].sub != sub {
		t.Fatalf("last interest change %+v, want the removal", last)
	}
}

// A read that ends with SUBs posts them without waiting; the first later op that could observe
// them (a PUB here) waits for them, once; SUBs before the PUB in the same read are sent with it.
func TestSessionPostsInterestAtTheEndOfARead(t *testing.T) {
	io := &fakeIO{}
	s := newTestSession(io)
	if err := io.parse(t, s, "CONNECT {\"verbose\":false}\r\nSUB a 1\r\nSUB b 2\r\n"); err != nil {
		t.Fatal(err)
	}
	waits := io.waits // CONNECT syncs (with nothing to wait for)
	if err := s.postInterest(); err != nil {
		t.Fatal(err)
	}
	if len(io.changes) != 1 || len(io.changes[0]) != 2 || io.waits != waits {
		t.Fatalf("end of read: %d changes, %d waits; want the two SUBs posted, no wait", len(io.changes), io.waits-waits)
	}
	if err := io.parse(t, s, "PUB a 0\r\n\r\nPUB b 0\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	if len(io.changes) != 1 || io.waits != waits+1 {
		t.Fatalf("after two PUBs: %d changes, %d waits; want no new change and one wait", len(io.changes), io.waits-waits)
	}
	if err := io.parse(t, s, "SUB c 3\r\nPUB c 0\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	if len(io.changes) != 2 || io.waits != waits+2 {
		t.Fatalf("SUB then PUB in one read: %d changes, %d waits; want the SUB sent and waited for", len(io.changes), io.waits-waits)
	}
}

func TestSessionPingFlushesBeforePong(t *testing.T) {
	io := &fakeIO{}
	s := newTestSession(io)
	if err := io.parse(t, s, "CONNECT {\"verbose\":false,\"protocol\":1}\r\nPUB a 0\r\n\r\nPING\r\nPING\r\n"); err != nil {
		t.Fatal(err)
	}
	if io.handOffs != 2 {
		t.Fatalf("%d hand-offs for two PINGs", io.handOffs)
	}
	out := io.out.String()
	if !strings.HasPrefix(out, "PONG\r\nINFO {") || !strings.Contains(out, `"connect_info":true`) || !strings.HasSuffix(out, "PONG\r\n") {
		t.Fatalf("output %q: want PONG, the connect INFO once, PONG", out)
	}
	if !s.peer.asyncInfo.Load() {
		t.Fatal("a protocol 1 client that had its first PONG takes async INFO")
	}
}

func TestSessionNoResponders(t *testing.T) {
	io := &fakeIO{}
	s := newTestSession(io)
	io.reply = newSubscription(s.peer, nil, []byte("_INBOX.>"), nil, []byte("9"))
	if err := io.parse(t, s, "CONNECT {\"verbose\":false,\"headers\":true,\"no_responders\":true}\r\nPUB svc _INBOX.1 0\r\n\r\n"); err != nil {
		t.Fatal(err)
	}
	want := "HMSG _INBOX.1 9 35 35\r\nNATS/1.0 503\r\nNats-Subject: svc\r\n\r\n\r\n"
	if io.out.String() != want {
		t.Fatalf("got %q want %q", io.out.String(), want)
	}
	// Delivered: no status.
	io.out.Reset()
	io.deliver = true
	if err := io.parse(t, s, "PUB svc _INBOX.1 0\r\n\r\n"); err != nil || io.out.Len() != 0 {
		t.Fatalf("%v %q", err, io.out.String())
	}
}

func TestSessionSecretsStayInSession(t *testing.T) {
	io := &fakeIO{}
	s := newTestSession(io)
	if err := io.parse(t, s, `CONNECT {"verbose":false,"user":"u","pass":"secret","auth_token":"tok","name":"n"}`+"\r\n"); err != nil {
		t.Fatal(err)
	}
	c := io.connects[0]
	if c.Pass != "" || c.Token != "" || c.Name != "n" {
		t.Fatalf("connected report %+v", c)
	}
}

func TestTraceRedactsSecrets(t *testing.T) {
	in := `{"verbose":false,"user":"u","pass":"hunter2","auth_token":"t0k","sig":"abc","jwt":"eyJ","name":"n"}`
	out := string(redactSecrets([]byte(in)))
	for _, secret := range []string{"hunter2", "t0k", `"abc"`, "eyJ"} {
		if strings.Contains(out, secret) {
			t.Fatalf("trace %s still carries %s", out, secret)
		}
	}
	if !strings.Contains(out, `"user":"u"`) || !strings.Contains(out, `"name":"n"`) {
		t.Fatalf("trace %s lost non-secret fields", out)
	}
}
