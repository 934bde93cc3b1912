package actors

import "testing"

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
	rt := &route{kind: serviceResponse, id: []byte("abc"), ttl: defaultResponseTTL}
	seq := rt.register([]byte("_INBOX.x.1"))
	reply := responseReply(nil, rt, seq, []byte("_INBOX.x.1"))
	gotSeq, orig, ok := parseResponse(reply, rt)
	if !ok || gotSeq != seq || string(orig) != "_INBOX.x.1" {
		t.Fatalf("parseResponse(%q) = %d %q %v", reply, gotSeq, orig, ok)
	}
	if !rt.claim(seq, orig) {
		t.Fatal("first response refused")
	}
	if rt.claim(seq, orig) {
		t.Fatal("second response accepted")
	}
	// A forged response to another subject of the importing account is refused.
	seq2 := rt.register([]byte("_INBOX.x.2"))
	if rt.claim(seq2, []byte("secret.subject")) {
		t.Fatal("a response with a reply the request did not have was accepted")
	}
	multi := &route{kind: serviceResponse, id: []byte("m"), ttl: defaultResponseTTL, multi: true}
	s := multi.register([]byte("r"))
	if !multi.claim(s, []byte("r")) || !multi.claim(s, []byte("r")) {
		t.Fatal("a streamed export takes several responses")
	}
}
