package actors

import (
	"strings"
	"testing"
)

// Raw protocol conversations, each checked against what nats-server v2.15.2 answers
// (../shared/nats-reference.md, Appendix A).

func TestWireDefaultsAreVerbosePedantic(t *testing.T) {
	s := startServer(t, nil)
	w := dial(t, s)
	w.send("CONNECT {}\r\nPING\r\n")
	w.expect(`^\+OK\r\nPONG\r\n`)
	// Pedantic: a wildcard publish subject is an error, but the message still goes out.
	w.send("SUB foo.* 1\r\nPUB foo.* 0\r\n\r\n")
	w.expect(`^\+OK\r\n-ERR 'Invalid Publish Subject'\r\n\+OK\r\n`)
}

func TestWirePubSubAndEcho(t *testing.T) {
	s := startServer(t, nil)
	w := dial(t, s)
	w.send("CONNECT {\"verbose\":false}\r\nSUB foo 1\r\nPUB foo 5\r\nhello\r\nPING\r\n")
	w.expect(`^MSG foo 1 5\r\nhello\r\nPONG\r\n`)

	noEcho := dial(t, s)
	noEcho.send("CONNECT {\"verbose\":false,\"echo\":false}\r\nSUB foo 1\r\nPUB foo 2\r\nhi\r\nPING\r\n")
	noEcho.expect(`^PONG\r\n`)
	// The first connection, which has echo, still gets it.
	w.expect(`^MSG foo 1 2\r\nhi\r\n`)
}

func TestWireOpsBeforeConnect(t *testing.T) {
	s := startServer(t, nil)
	w := dial(t, s)
	w.send("SUB foo 1\r\nPUB foo 1\r\nx\r\nPING\r\n")
	w.expect(`^\+OK\r\n\+OK\r\nMSG foo 1 1\r\nx\r\nPONG\r\n`)
}

func TestWireCaseAndWhitespace(t *testing.T) {
	s := startServer(t, nil)
	w := dial(t, s)
	w.send("connect {\"verbose\":false}\r\nsub\tfoo   7\r\npUb  foo   3 \r\nabc\r\nping\r\n")
	w.expect(`^MSG foo 7 3\r\nabc\r\nPONG\r\n`)
}

func TestWireReplyAndQueue(t *testing.T) {
	s := startServer(t, nil)
	w := dial(t, s)
	w.send("CONNECT {\"verbose\":false}\r\nSUB q g 1\r\nSUB q g 2\r\nPUB q r.1 1\r\na\r\nPING\r\n")
	w.expect(`^MSG q [12] r\.1 1\r\na\r\nPONG\r\n`)
}

func TestWireAutoUnsubscribe(t *testing.T) {
	s := startServer(t, nil)
	w := dial(t, s)
	w.send("CONNECT {\"verbose\":false}\r\nSUB foo 1\r\nUNSUB 1 2\r\nPUB foo 1\r\na\r\nPUB foo 1\r\nb\r\nPUB foo 1\r\nc\r\nPING\r\n")
	w.expect(`^MSG foo 1 1\r\na\r\nMSG foo 1 1\r\nb\r\nPONG\r\n`)
}

func TestWireHeaderStripping(t *testing.T) {
	s := startServer(t, nil)
	plain := dial(t, s)
	plain.send("CONNECT {\"verbose\":false}\r\nSUB foo 1\r\nPING\r\n")
	plain.expect(`^PONG\r\n`)
	hdr := dial(t, s)
	hdr.send("CONNECT {\"verbose\":false,\"headers\":true}\r\nSUB foo 9\r\nHPUB foo 18 20\r\nNATS/1.0\r\nX: y\r\n\r\nhi\r\nPING\r\n")
	hdr.expect(`^HMSG foo 9 18 20\r\nNATS/1.0\r\nX: y\r\n\r\nhi\r\nPONG\r\n`)
	plain.expect(`^MSG foo 1 2\r\nhi\r\n`)
}

func TestWireNoResponders(t *testing.T) {
	s := startServer(t, nil)
	w := dial(t, s)
	w.send("CONNECT {\"verbose\":false,\"pedantic\":false,\"headers\":true,\"no_responders\":true,\"protocol\":1}\r\n")
	w.send("SUB _INBOX.x 2\r\nPUB nobody _INBOX.x 0\r\n\r\n")
	w.expect(`^HMSG _INBOX.x 2 38 38\r\nNATS/1.0 503\r\nNats-Subject: nobody\r\n\r\n\r\n`)
}

func TestWireFirstPongSendsConnectInfo(t *testing.T) {
	s := startServer(t, nil)
	w := dial(t, s)
	w.send("CONNECT {\"protocol\":1,\"verbose\":false}\r\nPING\r\n")
	m := w.expect(`^PONG\r\nINFO (\{.*\}) \r\n`)
	for _, want := range []string{`"connect_info":true`, `"remote_account":"$G"`, `"client_id":`} {
		if !strings.Contains(m[1], want) {
			t.Errorf("async INFO %s lacks %s", m[1], want)
		}
	}
	w.send("PING\r\n")
	w.expect(`^PONG\r\n$`)
}

func TestWireErrorsThatClose(t *testing.T) {
	cases := []struct {
		name, send, want string
	}{
		{"unknown op", "FOO bar\r\n", `-ERR 'Unknown Protocol Operation'\r\n`},
		{"bad payload end", "PUB foo 3\r\nabcd\r\n", `-ERR 'Unknown Protocol Operation'\r\n`},
		{"max payload", "PUB foo 2000000\r\n", `-ERR 'Maximum Payload Violation'\r\n`},
		{"max control line", "SUB " + strings.Repeat("a", 5000) + " 1\r\n", `-ERR 'maximum control line exceeded'\r\n`},
		{"missing size", "PUB foo\r\n", `^$`},
		{"bad protocol", "CONNECT {\"protocol\":2}\r\n", `-ERR 'invalid client protocol'\r\n`},
		{"no responders without headers", "CONNECT {\"no_responders\":true}\r\n", `-ERR 'no responders requires headers support'\r\n`},
		{"headers not negotiated", "CONNECT {\"verbose\":false}\r\nHPUB foo 12 14\r\nNATS/1.0\r\n\r\nhi\r\n", `^$`},
		{"bad connect json", "CONNECT {nope\r\n", `^$`},
		{"client route op", "RS+ $G foo\r\n", `-ERR 'Unknown Protocol Operation'\r\n`},
		{"account in connect", "CONNECT {\"account\":\"A\"}\r\n", `-ERR 'Authorization Violation'\r\n`},
	}
	s := startServer(t, nil)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w := dial(t, s)
			w.send("%s", c.send)
			got := w.expectClosed()
			if !regexpMatch(c.want, got) {
				t.Fatalf("got %q, want match for %q", got, c.want)
			}
		})
	}
	// The server still serves everyone else.
	w := dial(t, s)
	w.expectQuiet()
}

func TestWireErrorsThatKeepOpen(t *testing.T) {
	o := testOptions()
	o.MaxSubscriptions = 1
	s := startServer(t, o)
	w := dial(t, s)
	w.send("CONNECT {\"verbose\":false}\r\nSUB foo..bar 1\r\n")
	w.expect(`^-ERR 'Invalid Subject'\r\n`)
	w.send("SUB foo 1\r\nSUB bar 2\r\n")
	w.expect(`^-ERR 'maximum subscriptions exceeded'\r\n`)
	w.expectQuiet()
}

func TestWireUnsubscribeStopsDelivery(t *testing.T) {
	s := startServer(t, nil)
	sub := dial(t, s)
	sub.send("CONNECT {\"verbose\":false}\r\nSUB foo 1\r\nSUB marker 2\r\nUNSUB 1\r\nPING\r\n")
	sub.expect(`^PONG\r\n`)
	pub := dial(t, s)
	pub.send("CONNECT {\"verbose\":false}\r\nPUB foo 1\r\na\r\nPUB marker 1\r\nb\r\nPING\r\n")
	pub.expect(`^PONG\r\n`)
	// Messages from one publisher arrive in order: had "foo" been delivered, it would come first.
	sub.expect(`^MSG marker 2 1\r\nb\r\n`)
}
