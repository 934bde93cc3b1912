package actors

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/troupe/troupe/accounts"
)

// Accounts: isolation, stream and service imports, through real clients.

func twoAccounts(t *testing.T, a, b *accounts.Account) *Server {
	t.Helper()
	a.Limits, b.Limits = accounts.Unlimited(), accounts.Unlimited()
	return authServer(t, accounts.Config{
		Accounts: []*accounts.Account{a, b},
		Users: []*accounts.User{
			{Username: "a", Password: "p", Account: a.Name},
			{Username: "b", Password: "p", Account: b.Name},
		},
	})
}

func TestAccountsAreIsolated(t *testing.T) {
	s := twoAccounts(t, &accounts.Account{Name: "A"}, &accounts.Account{Name: "B"})
	a := natsConn(t, s, nats.UserInfo("a", "p"))
	b := natsConn(t, s, nats.UserInfo("b", "p"))
	inB, _ := b.SubscribeSync(">")
	inA, _ := a.SubscribeSync("foo")
	b.Flush()
	a.Publish("foo", []byte("in A"))
	a.Flush()
	if _, err := inA.NextMsg(2 * time.Second); err != nil {
		t.Fatal(err)
	}
	if m, err := inB.NextMsg(100 * time.Millisecond); err == nil {
		t.Fatalf("B received %q from A", m.Subject)
	}
}

func TestStreamImportWithPrefix(t *testing.T) {
	s := twoAccounts(t,
		&accounts.Account{Name: "A", Exports: []accounts.Export{{Kind: accounts.Stream, Subject: "pub.>"}}},
		&accounts.Account{Name: "B", Imports: []accounts.Import{{Kind: accounts.Stream, Account: "A", Subject: "pub.>", Prefix: "fromA"}}},
	)
	a := natsConn(t, s, nats.UserInfo("a", "p"))
	b := natsConn(t, s, nats.UserInfo("b", "p"))
	sub, _ := b.SubscribeSync("fromA.>")
	b.Flush()
	a.Publish("pub.x", []byte("hello"))
	a.Publish("private.y", []byte("not exported"))
	a.Flush()
	m, err := sub.NextMsg(2 * time.Second)
	if err != nil || m.Subject != "fromA.pub.x" || string(m.Data) != "hello" {
		t.Fatalf("got %v %v", m, err)
	}
	if m, err := sub.NextMsg(100 * time.Millisecond); err == nil {
		t.Fatalf("got unexported %q", m.Subject)
	}
}

func TestServiceImportRequestReply(t *testing.T) {
	s := twoAccounts(t,
		&accounts.Account{Name: "A", Exports: []accounts.Export{{Kind: accounts.Service, Subject: "svc.echo"}}},
		&accounts.Account{Name: "B", Imports: []accounts.Import{{Kind: accounts.Service, Account: "A", Subject: "svc.echo", To: "echo"}}},
	)
	svc := dial(t, s)
	svc.send("CONNECT {\"verbose\":false,\"user\":\"a\",\"pass\":\"p\"}\r\nSUB svc.echo 1\r\nPING\r\n")
	svc.expect(`^PONG\r\n`)
	b := natsConn(t, s, nats.UserInfo("b", "p"))
	inbox := b.NewRespInbox()
	replies, _ := b.SubscribeSync(inbox)
	b.PublishRequest("echo", inbox, []byte("ping"))
	b.Flush()
	// The responder sees the reply rewritten to an opaque _R_.<id>.<token>: nothing of B's inbox.
	m := svc.expect(`^MSG svc\.echo 1 (_R_\.[0-9a-z]+\.[0-9A-Za-z]+) 4\r\nping\r\n`)
	reply := m[1]
	// B sees everything that reaches it, so nothing can cross unseen.
	all, _ := b.SubscribeSync(">")
	b.Flush()
	svc.send("PUB %s 4\r\npong\r\nPUB %s 5\r\nextra\r\n", reply, reply)
	// The exporter cannot use the response crossing to publish into other subjects of B, nor
	// answer a request it was not given.
	other := reply[:len(reply)-1] + map[bool]string{true: "1", false: "0"}[strings.HasSuffix(reply, "0")]
	for _, forged := range []string{reply + ".secret", other, "_R_.secret"} {
		svc.send("PUB %s 1\r\nx\r\n", forged)
	}
	svc.send("PING\r\n")
	svc.expect(`^PONG\r\n`)
	got, err := replies.NextMsg(2 * time.Second)
	if err != nil || string(got.Data) != "pong" || got.Subject != inbox {
		t.Fatalf("reply: %v %v", got, err)
	}
	// A marker along the same path: a second request, answered. Anything forged, or a second
	// response to the first request, would have reached B before it.
	b.PublishRequest("echo", inbox, []byte("mark"))
	b.Flush()
	m = svc.expect(`^MSG svc\.echo 1 (_R_\.[0-9a-z]+\.[0-9A-Za-z]+) 4\r\nmark\r\n`)
	svc.send("PUB %s 6\r\nmarker\r\nPING\r\n", m[1])
	svc.expect(`^PONG\r\n`)
	var seen []string
	for {
		msg, err := all.NextMsg(2 * time.Second)
		if err != nil {
			t.Fatalf("the marker did not come (%v); B got %v", err, seen)
		}
		seen = append(seen, msg.Subject+" "+string(msg.Data))
		if string(msg.Data) == "marker" {
			break
		}
	}
	if want := []string{inbox + " pong", "echo mark", inbox + " marker"}; !slices.Equal(seen, want) {
		t.Fatalf("B got %q, want %q", seen, want)
	}
	// Through nats.go's request API too.
	resp, err := natsRequestViaService(t, s)
	if err != nil || resp != "re:hi" {
		t.Fatalf("nats.go request: %q %v", resp, err)
	}
}

func natsRequestViaService(t *testing.T, s *Server) (string, error) {
	a := natsConn(t, s, nats.UserInfo("a", "p"))
	if _, err := a.Subscribe("svc.echo", func(m *nats.Msg) { m.Respond(append([]byte("re:"), m.Data...)) }); err != nil {
		return "", err
	}
	a.Flush()
	b := natsConn(t, s, nats.UserInfo("b", "p"))
	m, err := b.Request("echo", []byte("hi"), 2*time.Second)
	if err != nil {
		return "", err
	}
	return string(m.Data), nil
}

// A randomized isolation test: many accounts, random subjects and wildcards, some declared
// stream imports. Every message must reach exactly the subscribers its own account and the
// declared imports give it, and nothing else.
func TestRandomizedIsolation(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 12))
	const nAcc = 6
	tokens := []string{"a", "b", "c"}
	subject := func() string {
		return fmt.Sprintf("%s.%s", tokens[rng.IntN(3)], tokens[rng.IntN(3)])
	}
	var defs []*accounts.Account
	var users []*accounts.User
	for i := range nAcc {
		name := fmt.Sprintf("ACC%d", i)
		def := &accounts.Account{Name: name, Limits: accounts.Unlimited(),
			Exports: []accounts.Export{{Kind: accounts.Stream, Subject: "a.>"}}}
		defs = append(defs, def)
		users = append(users, &accounts.User{Username: name, Password: "p", Account: name})
	}
	// Each account imports a.> from the next one, under a prefix naming the source.
	type imp struct{ from, to int }
	var imps []imp
	for i := range nAcc {
		j := (i + 1) % nAcc
		defs[i].Imports = append(defs[i].Imports, accounts.Import{Kind: accounts.Stream,
			Account: defs[j].Name, Subject: "a.>", Prefix: "from" + defs[j].Name})
		imps = append(imps, imp{from: j, to: i})
	}
	s := authServer(t, accounts.Config{Accounts: defs, Users: users})

	type received struct {
		mu   sync.Mutex
		msgs map[string]int // subject|payload -> count
	}
	recv := make([]*received, nAcc)
	conns := make([]*nats.Conn, nAcc)
	for i := range nAcc {
		recv[i] = &received{msgs: map[string]int{}}
		conns[i] = natsConn(t, s, nats.UserInfo(defs[i].Name, "p"))
		r := recv[i]
		conns[i].Subscribe(">", func(m *nats.Msg) {
			r.mu.Lock()
			r.msgs[m.Subject+"|"+string(m.Data)]++
			r.mu.Unlock()
		})
		conns[i].Flush()
	}
	want := make([]map[string]int, nAcc)
	for i := range want {
		want[i] = map[string]int{}
	}
	for n := range 300 {
		from := rng.IntN(nAcc)
		subj := subject()
		data := fmt.Sprintf("m%d", n)
		conns[from].Publish(subj, []byte(data))
		want[from][subj+"|"+data]++
		if strings.HasPrefix(subj, "a.") {
			for _, im := range imps {
				if im.from == from {
					want[im.to]["from"+defs[from].Name+"."+subj+"|"+data]++
				}
			}
		}
	}
	for _, nc := range conns {
		nc.Flush()
	}
	imported := 0
	for i := range nAcc {
		for k, c := range want[i] {
			if strings.HasPrefix(k, "from") {
				imported += c
			}
		}
	}
	if imported == 0 {
		t.Fatal("the random load crossed no import: the test proves nothing")
	}
	for i := range nAcc {
		total := 0
		for _, c := range want[i] {
			total += c
		}
		waitFor(t, 5*time.Second, "deliveries", func() bool {
			recv[i].mu.Lock()
			defer recv[i].mu.Unlock()
			got := 0
			for _, c := range recv[i].msgs {
				got += c
			}
			return got >= total
		})
		conns[i].Flush() // anything extra would be in before this PONG
		recv[i].mu.Lock()
		for k, c := range recv[i].msgs {
			if want[i][k] != c {
				t.Errorf("%s got %q %d times, want %d", defs[i].Name, k, c, want[i][k])
			}
		}
		recv[i].mu.Unlock()
	}
}
