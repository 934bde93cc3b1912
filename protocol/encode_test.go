package protocol

import (
	"fmt"
	"math"
	"strconv"
	"testing"
)

func TestEncoders(t *testing.T) {
	b := func(s string) []byte { return []byte(s) }
	for _, tc := range []struct {
		got  []byte
		want string
	}{
		{AppendMsg(nil, b("foo"), b("1"), nil, 5), "MSG foo 1 5\r\n"},
		{AppendMsg(nil, b("foo"), b("1"), b("bar"), 0), "MSG foo 1 bar 0\r\n"},
		{AppendHMsg(nil, b("foo"), b("1"), nil, 12, 14), "HMSG foo 1 12 14\r\n"},
		{AppendHMsg(nil, b("foo"), b("1"), b("bar"), 12, 14), "HMSG foo 1 bar 12 14\r\n"},
		{AppendPub(nil, b("foo"), nil, 16), "PUB foo 16\r\n"},
		{AppendPub(nil, b("foo"), b("bar"), 16), "PUB foo bar 16\r\n"},
		{AppendHPub(nil, b("foo"), nil, 2, 3), "HPUB foo 2 3\r\n"},
		{AppendHPub(nil, b("foo"), b("bar"), 2, 3), "HPUB foo bar 2 3\r\n"},
		{AppendSub(nil, b("foo"), nil, b("1")), "SUB foo 1\r\n"},
		{AppendSub(nil, b("foo"), b("q"), b("1")), "SUB foo q 1\r\n"},
		{AppendUnsub(nil, b("1"), 0), "UNSUB 1\r\n"},
		{AppendUnsub(nil, b("1"), -3), "UNSUB 1\r\n"},
		{AppendUnsub(nil, b("1"), 10), "UNSUB 1 10\r\n"},
		{AppendPing(nil), "PING\r\n"},
		{AppendPong(nil), "PONG\r\n"},
		{AppendOK(nil), "+OK\r\n"},
		{AppendErr(nil, "Unknown Protocol Operation"), "-ERR 'Unknown Protocol Operation'\r\n"},
		{AppendErr(b("x"), ""), "x-ERR ''\r\n"},
		{AppendInt(nil, 0), "0"},
		{AppendInt(nil, -42), "-42"},
		{AppendInt(b("n="), math.MaxInt64), "n=" + strconv.Itoa(math.MaxInt64)},
		{AppendConnect(nil, &Connect{Verbose: true, Lang: "go", Protocol: 1, Headers: true}),
			`CONNECT {"echo":false,"verbose":true,"pedantic":false,"tls_required":false,"name":"","lang":"go","version":"","protocol":1,"headers":true}` + "\r\n"},
		{AppendInfo(nil, &Info{ID: "N1", Proto: 1}),
			`INFO {"server_id":"N1","server_name":"","version":"","proto":1,"go":"","host":"","port":0,"headers":false,"max_payload":0} ` + "\r\n"},
	} {
		if string(tc.got) != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
}

// TestAppendNoRespondersHMsg compares with the format string of
// client.go processInboundClientMsg (nats-server 2.12+).
func TestAppendNoRespondersHMsg(t *testing.T) {
	for _, subj := range []string{"foo", "svc.echo.request", "a"} {
		reply, sid := "_INBOX.abc.1", "7"
		hdrLen := 32 + len(subj)
		want := fmt.Sprintf("HMSG %s %s %d %d\r\nNATS/1.0 503\r\nNats-Subject: %s\r\n\r\n\r\n", reply, sid, hdrLen, hdrLen, subj)
		got := AppendNoRespondersHMsg(nil, []byte(reply), []byte(sid), []byte(subj))
		if string(got) != want {
			t.Fatalf("got %q, want %q", got, want)
		}
		if NoRespondersHdrLen([]byte(subj)) != hdrLen {
			t.Fatalf("NoRespondersHdrLen(%q) = %d, want %d", subj, NoRespondersHdrLen([]byte(subj)), hdrLen)
		}
		// It parses back as an HMSG whose header is exactly hdrLen bytes
		// ending in the blank line.
		ops, err := parseWhole(server, got)
		if err != nil || len(ops) != 1 || ops[0].Kind != KindHMsg || ops[0].HdrLen != hdrLen ||
			ops[0].Size != hdrLen || ops[0].Payload[hdrLen-4:] != "\r\n\r\n" {
			t.Fatalf("parse back: %v, %v", ops, err)
		}
	}
}

func TestAppendReusesCapacity(t *testing.T) {
	dst := make([]byte, 0, 64)
	out := AppendMsg(dst, []byte("foo"), []byte("1"), nil, 5)
	if &out[0] != &dst[:1][0] {
		t.Fatal("AppendMsg did not write into dst's array")
	}
}

func TestAppendHeaderWith(t *testing.T) {
	const key = "Nats-Request-Info"
	cases := []struct{ hdr, want string }{
		{"", "NATS/1.0\r\nNats-Request-Info: {}\r\n\r\n"},
		{"NATS/1.0\r\n\r\n", "NATS/1.0\r\nNats-Request-Info: {}\r\n\r\n"},
		{"NATS/1.0\r\nA: 1\r\n\r\n", "NATS/1.0\r\nA: 1\r\nNats-Request-Info: {}\r\n\r\n"},
		// A value the client set is replaced, whatever its case, and other lines are kept.
		{"NATS/1.0\r\nnats-request-info: {\"acc\":\"forged\"}\r\nB: 2\r\n\r\n", "NATS/1.0\r\nB: 2\r\nNats-Request-Info: {}\r\n\r\n"},
		{"NATS/1.0 503\r\nNats-Request-Infox: y\r\n\r\n", "NATS/1.0 503\r\nNats-Request-Infox: y\r\nNats-Request-Info: {}\r\n\r\n"},
	}
	for _, c := range cases {
		if got := string(AppendHeaderWith(nil, []byte(c.hdr), key, "{}")); got != c.want {
			t.Errorf("AppendHeaderWith(%q) = %q, want %q", c.hdr, got, c.want)
		}
	}
}
