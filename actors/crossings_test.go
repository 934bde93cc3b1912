package actors

import (
	"math/bits"
	"regexp"
	"testing"
)

func TestMapSubject(t *testing.T) {
	cases := []struct{ subject, from, to, want string }{
		{"svc.echo", "svc.echo", "svc.echo", "svc.echo"},
		{"local.echo", "local.echo", "svc.echo", "svc.echo"},
		{"local.a.b", "local.*.b", "svc.*.x", "svc.a.x"},
		{"local.a.b.c", "local.>", "svc.>", "svc.a.b.c"},
		{"in.1.2", "in.*.*", "out.*.mid.*", "out.1.mid.2"},
	}
	for _, c := range cases {
		if got := string(mapSubject(nil, []byte(c.subject), []byte(c.from), []byte(c.to))); got != c.want {
			t.Errorf("mapSubject(%q, %q -> %q) = %q, want %q", c.subject, c.from, c.to, got, c.want)
		}
	}
}

func TestResponseTableOneResponseByDefault(t *testing.T) {
	rt := &crossing{kind: serviceResponse, id: []byte("abc"), ttl: defaultResponseTTL}
	token := rt.register([]byte("_INBOX.x.1"))
	reply := responseReply(nil, rt, token)
	// Opaque: nothing of the requestor's reply subject, two tokens after _R_ as nats-server's.
	if !regexp.MustCompile(`^_R_\.abc\.[0-9a-zA-Z]{11}$`).Match(reply) {
		t.Fatalf("reply %q", reply)
	}
	got, ok := parseResponse(reply, rt)
	if !ok || got != token {
		t.Fatalf("parseResponse(%q) = %d %v, want %d", reply, got, ok, token)
	}
	if orig, ok := rt.claim(token); !ok || string(orig) != "_INBOX.x.1" {
		t.Fatalf("first response: %q %v", orig, ok)
	}
	if _, ok := rt.claim(token); ok {
		t.Fatal("second response accepted")
	}
	// A token no request was given is refused, and so is any other shape of reply.
	live := rt.register([]byte("_INBOX.x.2"))
	if _, ok := rt.claim(live ^ 1); ok {
		t.Fatal("a forged token was accepted")
	}
	for _, bad := range []string{"_R_.abc.zzzzzzzzzzz", "_R_.abc.0", "_R_.abc." + string(reply[8:]) + ".x", "_R_.abd." + string(reply[8:])} {
		if tok, ok := parseResponse([]byte(bad), rt); ok {
			if _, claimed := rt.claim(tok); claimed {
				t.Fatalf("%q was claimed", bad)
			}
		}
	}
	multi := &crossing{kind: serviceResponse, id: []byte("m"), ttl: defaultResponseTTL, multi: true}
	s := multi.register([]byte("r"))
	for range 2 {
		if orig, ok := multi.claim(s); !ok || string(orig) != "r" {
			t.Fatal("a streamed export takes several responses")
		}
	}
}

// Tokens of consecutive requests do not show their order: the permutation is keyed and mixes
// every bit, and it is a permutation (each token names one request).
func TestResponseTokensAreOpaque(t *testing.T) {
	a := &crossing{kind: serviceResponse, id: []byte("a"), ttl: defaultResponseTTL}
	b := &crossing{kind: serviceResponse, id: []byte("b"), ttl: defaultResponseTTL}
	ta, tb := a.register([]byte("x")), b.register([]byte("x"))
	if ta == tb {
		t.Fatal("two imports gave their first request the same token")
	}
	tbl := a.responses()
	prev := ta
	for seq := uint64(2); seq < 1000; seq++ {
		tok := tbl.token(seq)
		if tbl.seq(tok) != seq {
			t.Fatalf("token %d does not map back to %d", tok, seq)
		}
		if d := bits.OnesCount64(tok ^ prev); d < 10 {
			t.Fatalf("tokens of requests %d and %d differ in %d bits only", seq-1, seq, d)
		}
		prev = tok
	}
}
