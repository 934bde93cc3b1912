package protocol

import (
	"testing"
)

// Allocation budgets of the hot paths: all zero in steady state.

func TestAllocsParsePubWhole(t *testing.T) {
	buf, per := pubBuffer(64 << 10)
	p := NewParser(ClientOps)
	n := 0
	fn := countOps(&n)
	allocs := testing.AllocsPerRun(50, func() {
		if err := p.Parse(buf, fn); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Fatalf("parsing %d PUBs: %v allocs, want 0", per, allocs)
	}
	if n != per*51 {
		t.Fatalf("parsed %d ops, want %d", n, per*51)
	}
}

// TestAllocsParsePubSplit splits the stream inside a control line and
// inside a payload; after warm-up the scratch buffers are reused.
func TestAllocsParsePubSplit(t *testing.T) {
	buf, per := pubBuffer(64 << 10)
	p := NewParser(ClientOps)
	n := 0
	fn := countOps(&n)
	for _, at := range []int{len(buf)/2 + 5, len(buf)/2 + 15} { // in a line, in a payload
		a, b := buf[:at], buf[at:]
		run := func() {
			if err := p.Parse(a, fn); err != nil {
				t.Fatal(err)
			}
			if err := p.Parse(b, fn); err != nil {
				t.Fatal(err)
			}
		}
		run() // warm-up: grow the scratch buffers
		if allocs := testing.AllocsPerRun(50, run); allocs != 0 {
			t.Fatalf("split at %d: %v allocs, want 0", at, allocs)
		}
	}
	if n != per*2*52 {
		t.Fatalf("parsed %d ops, want %d", n, per*2*52)
	}
}

func TestAllocsParseOthers(t *testing.T) {
	for _, tc := range []struct {
		ops OpSet
		in  string
	}{
		{ClientOps, "SUB foo.bar q 1\r\nUNSUB 1 10\r\nPING\r\nPONG\r\nHPUB a b 2 4\r\nhhbb\r\nCONNECT {}\r\n"},
		{ServerOps, "MSG foo 1 bar 5\r\nhello\r\nHMSG foo 1 2 4\r\nhhbb\r\n+OK\r\n-ERR 'x'\r\nINFO {} \r\n"},
	} {
		p := NewParser(tc.ops)
		in := []byte(tc.in)
		fn := func(*Op) error { return nil }
		allocs := testing.AllocsPerRun(100, func() {
			if err := p.Parse(in, fn); err != nil {
				t.Fatal(err)
			}
		})
		if allocs != 0 {
			t.Fatalf("%q: %v allocs, want 0", tc.in, allocs)
		}
	}
}

func TestAllocsEncode(t *testing.T) {
	dst := make([]byte, 0, 512)
	subject, sid, reply := []byte("foo.bar"), []byte("22"), []byte("_INBOX.x")
	for name, f := range map[string]func(){
		"MSG":       func() { dst = AppendMsg(dst[:0], subject, sid, reply, 1024) },
		"HMSG":      func() { dst = AppendHMsg(dst[:0], subject, sid, reply, 16, 1024) },
		"PUB":       func() { dst = AppendPub(dst[:0], subject, reply, 1024) },
		"HPUB":      func() { dst = AppendHPub(dst[:0], subject, reply, 16, 1024) },
		"SUB":       func() { dst = AppendSub(dst[:0], subject, reply, sid) },
		"UNSUB":     func() { dst = AppendUnsub(dst[:0], sid, 5) },
		"PING":      func() { dst = AppendPong(AppendPing(dst[:0])) },
		"OK":        func() { dst = AppendOK(dst[:0]) },
		"ERR":       func() { dst = AppendErr(dst[:0], "Invalid Subject") },
		"NoRespond": func() { dst = AppendNoRespondersHMsg(dst[:0], reply, sid, subject) },
		"AppendInt": func() { dst = AppendInt(dst[:0], -1234567890) },
	} {
		if allocs := testing.AllocsPerRun(100, f); allocs != 0 {
			t.Errorf("%s: %v allocs, want 0", name, allocs)
		}
	}
}

// Routed messages are the hot path of a route: parsing them allocates nothing either.
func TestAllocsParseRoutedMsgs(t *testing.T) {
	var buf []byte
	per := 0
	for len(buf) < 64<<10 {
		buf = AppendRMsg(buf, []byte("$G"), []byte("foo.bar"), nil, nil, -1, 16)
		buf = append(buf, "0123456789abcdef\r\n"...)
		buf = AppendRMsg(buf, []byte("$G"), []byte("foo.bar"), []byte("_INBOX.x"), []byte("q1 q2"), 4, 16)
		buf = append(buf, "NATS0123456789ab\r\n"...)
		per += 2
	}
	p := NewParser(RouteOps)
	n := 0
	fn := countOps(&n)
	allocs := testing.AllocsPerRun(50, func() {
		if err := p.Parse(buf, fn); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 || n != per*51 {
		t.Fatalf("parsing %d routed messages: %v allocs, %d ops", per, allocs, n)
	}
}
