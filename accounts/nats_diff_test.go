package accounts

import (
	"bufio"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/troupe/troupe/subjects"
)

// TestPermsAgainstNatsServer runs random permission sets through an embedded nats-server
// v2.15.2 and through Perms, and compares every decision: each SUB and PUB of a user over the
// wire (+OK or the exact -ERR text), and which messages reach each of its subscriptions (the
// delivery-time deny check).
func TestPermsAgainstNatsServer(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a nats-server")
	}
	seed := uint64(1)
	if s := os.Getenv("PERMS_DIFF_SEED"); s != "" {
		seed, _ = strconv.ParseUint(s, 10, 64)
	}
	rng := rand.New(rand.NewPCG(seed, 2))
	const nUsers = 40
	perms := make([]*Permissions, nUsers)
	opts := &server.Options{Host: "127.0.0.1", Port: -1, NoLog: true, NoSigs: true}
	for i := range perms {
		perms[i] = randomPerms(rng)
		opts.Users = append(opts.Users, &server.User{Username: fmt.Sprintf("u%d", i), Password: "p", Permissions: toServerPerms(perms[i])})
	}
	opts.Users = append(opts.Users, &server.User{Username: "pub", Password: "p"})
	s, err := server.NewServer(opts)
	if err != nil {
		t.Fatal(err)
	}
	go s.Start()
	defer s.Shutdown()
	if !s.ReadyForConnections(5 * time.Second) {
		t.Fatal("nats-server not ready")
	}
	addr := s.Addr().String()

	var literals []string
	for _, a := range []string{"a", "b", "c"} {
		literals = append(literals, a)
		for _, b := range []string{"a", "b", "c"} {
			literals = append(literals, a+"."+b)
			for _, c := range []string{"a", "b", "c"} {
				literals = append(literals, a+"."+b+"."+c)
			}
		}
	}

	checked := 0
	for i, p := range perms {
		c := mustCompile(t, p)
		user := fmt.Sprintf("u%d", i)
		conn := dialUser(t, addr, user)
		// Decisions, op by op.
		for k := 0; k < 60; k++ {
			if rng.IntN(2) == 0 {
				subj := randomSubject(rng, rng.IntN(3) == 0)
				want := "+OK"
				if !c.CanPublish([]byte(subj)) {
					want = "-ERR '" + PubViolation([]byte(subj)) + "'"
				}
				if got := conn.op(t, "PUB "+subj+" 0\r\n\r\n"); got != want {
					t.Fatalf("user %d %+v: PUB %s: nats-server %q, Perms %q", i, describe(p), subj, got, want)
				}
			} else {
				subj, queue := randomSubject(rng, true), ""
				if rng.IntN(2) == 0 {
					queue = randomQueue(rng)
				}
				want := "+OK"
				if !c.CanSubscribe([]byte(subj), []byte(queue)) {
					want = "-ERR '" + SubViolation([]byte(subj), []byte(queue)) + "'"
				}
				if got := conn.op(t, fmt.Sprintf("SUB %s %s %d\r\n", subj, queue, k)); got != want {
					t.Fatalf("user %d %+v: SUB %s %q: nats-server %q, Perms %q", i, describe(p), subj, queue, got, want)
				}
			}
			checked++
		}
		conn.Close()
		waitNoClients(t, s) // its queue subscriptions must not share the groups below

		// Deliveries: allowed subscriptions, each queue group used once, then every literal
		// subject published by an unrestricted user.
		conn = dialUser(t, addr, user)
		type sub struct{ subject, queue string }
		subs := map[int]sub{}
		usedQ := map[string]bool{}
		for k := 0; k < 12; k++ {
			subj, queue := randomSubject(rng, true), ""
			if rng.IntN(2) == 0 {
				if queue = randomQueue(rng); usedQ[queue] {
					continue
				}
			}
			if !c.CanSubscribe([]byte(subj), []byte(queue)) {
				continue
			}
			usedQ[queue] = queue != ""
			if got := conn.op(t, fmt.Sprintf("SUB %s %s %d\r\n", subj, queue, k)); got != "+OK" {
				t.Fatalf("user %d: SUB %s %q: %q", i, subj, queue, got)
			}
			subs[k] = sub{subj, queue}
		}
		if got := conn.op(t, "PING\r\n"); got != "PONG" {
			t.Fatalf("PING: %q", got)
		}
		pub := dialUser(t, addr, "pub")
		var b strings.Builder
		for _, l := range literals {
			fmt.Fprintf(&b, "PUB %s 1\r\nx\r\n", l)
		}
		b.WriteString("PING\r\n")
		pub.write(t, b.String())
		for {
			if l := pub.line(t); l == "PONG" {
				break
			}
		}
		pub.Close()
		var want []string
		for sid, s := range subs {
			for _, l := range literals {
				if subjects.Match([]byte(s.subject), []byte(l)) && !c.DeniesDelivery([]byte(l), []byte(s.queue)) {
					want = append(want, fmt.Sprintf("%s %d", l, sid))
				}
			}
		}
		conn.write(t, "PING\r\n")
		var got []string
		for {
			l := conn.line(t)
			if l == "PONG" {
				break
			}
			f := strings.Fields(l)
			if len(f) != 4 || f[0] != "MSG" {
				t.Fatalf("unexpected %q", l)
			}
			conn.line(t) // payload
			got = append(got, f[1]+" "+f[2])
		}
		conn.Close()
		waitNoClients(t, s)
		sort.Strings(want)
		sort.Strings(got)
		if strings.Join(got, ",") != strings.Join(want, ",") {
			t.Fatalf("user %d %+v, subs %v:\nnats-server delivered %v\nPerms predicts      %v", i, describe(p), subs, got, want)
		}
		checked += len(literals) * len(subs)
	}
	t.Logf("%d decisions agree with nats-server", checked)
}

func waitNoClients(t *testing.T, s *server.Server) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for s.NumClients() > 0 {
		if time.Now().After(deadline) {
			t.Fatal("connections not closed")
		}
		time.Sleep(time.Millisecond)
	}
}

type wireConn struct {
	net.Conn
	r *bufio.Reader
}

func dialUser(t *testing.T, addr, user string) *wireConn {
	t.Helper()
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	c := &wireConn{Conn: nc, r: bufio.NewReader(nc)}
	if l := c.line(t); !strings.HasPrefix(l, "INFO ") {
		t.Fatalf("INFO: %q", l)
	}
	c.write(t, fmt.Sprintf(`CONNECT {"verbose":true,"pedantic":false,"echo":false,"user":%q,"pass":"p"}`+"\r\n", user))
	if l := c.line(t); l != "+OK" {
		t.Fatalf("CONNECT: %q", l)
	}
	return c
}

func (c *wireConn) write(t *testing.T, s string) {
	t.Helper()
	if _, err := c.Write([]byte(s)); err != nil {
		t.Fatal(err)
	}
}

func (c *wireConn) line(t *testing.T) string {
	t.Helper()
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	l, err := c.r.ReadString('\n')
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	return strings.TrimRight(l, "\r\n")
}

// op sends one op and returns the one line it gets back.
func (c *wireConn) op(t *testing.T, s string) string {
	t.Helper()
	c.write(t, s)
	return c.line(t)
}

func randomSubject(rng *rand.Rand, wild bool) string {
	n := 1 + rng.IntN(3)
	toks := make([]string, n)
	for i := range toks {
		toks[i] = []string{"a", "b", "c"}[rng.IntN(3)]
		if wild && rng.IntN(4) == 0 {
			toks[i] = "*"
		}
	}
	if wild && rng.IntN(5) == 0 {
		toks[n-1] = ">"
	}
	return strings.Join(toks, ".")
}

func randomQueue(rng *rand.Rand) string {
	return []string{"q1", "q2", "v1.a", "v1.b", "v2.a"}[rng.IntN(5)]
}

func randomQueuePattern(rng *rand.Rand) string {
	return []string{"q1", "q2", "v1.a", "v1.*", "v1.>", "*.a", ">", "*"}[rng.IntN(8)]
}

func randomList(rng *rand.Rand, max int, queues bool) []string {
	n := rng.IntN(max + 1)
	if n == 0 {
		return nil
	}
	out := make([]string, n)
	for i := range out {
		out[i] = randomSubject(rng, true)
		if queues && rng.IntN(3) == 0 {
			out[i] += " " + randomQueuePattern(rng)
		}
	}
	return out
}

func randomPerms(rng *rand.Rand) *Permissions {
	p := &Permissions{}
	if rng.IntN(4) != 0 {
		p.Publish = &SubjectPermission{Allow: randomList(rng, 3, false), Deny: randomList(rng, 2, false)}
	}
	if rng.IntN(4) != 0 {
		p.Subscribe = &SubjectPermission{Allow: randomList(rng, 3, true), Deny: randomList(rng, 2, true)}
	}
	return p
}

func toServerPerms(p *Permissions) *server.Permissions {
	sp := &server.Permissions{}
	if p.Publish != nil {
		sp.Publish = &server.SubjectPermission{Allow: p.Publish.Allow, Deny: p.Publish.Deny}
	}
	if p.Subscribe != nil {
		sp.Subscribe = &server.SubjectPermission{Allow: p.Subscribe.Allow, Deny: p.Subscribe.Deny}
	}
	return sp
}

func describe(p *Permissions) string {
	var b strings.Builder
	if p.Publish != nil {
		fmt.Fprintf(&b, "pub allow %q deny %q; ", p.Publish.Allow, p.Publish.Deny)
	}
	if p.Subscribe != nil {
		fmt.Fprintf(&b, "sub allow %q deny %q", p.Subscribe.Allow, p.Subscribe.Deny)
	}
	return b.String()
}
