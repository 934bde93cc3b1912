package actors

import (
	"strings"
	"testing"
)

// Raw protocol conversations that need more than one connection or server options; the
// single-connection ones are golden conversations (compat_test.go), replayed against
// nats-server too.

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

func TestWireReplyAndQueue(t *testing.T) {
	s := startServer(t, nil)
	w := dial(t, s)
	w.send("CONNECT {\"verbose\":false}\r\nSUB q g 1\r\nSUB q g 2\r\nPUB q r.1 1\r\na\r\nPING\r\n")
	w.expect(`^MSG q [12] r\.1 1\r\na\r\nPONG\r\n`)
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
