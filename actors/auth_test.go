package actors

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nkeys"
	"github.com/troupe/troupe/accounts"
	"golang.org/x/crypto/bcrypt"
)

// Authentication and authorization through the real nats.go client and the raw protocol.

func authServer(t *testing.T, cfg accounts.Config) *Server {
	t.Helper()
	o := testOptions()
	o.Auth = cfg
	return startServer(t, o)
}

func connectErr(s *Server, opts ...nats.Option) error {
	nc, err := nats.Connect(s.url(), append([]nats.Option{nats.NoReconnect(), nats.Timeout(2 * time.Second)}, opts...)...)
	if err == nil {
		nc.Close()
	}
	return err
}

func isAuthViolation(err error) bool {
	return err != nil && (errors.Is(err, nats.ErrAuthorization) ||
		strings.Contains(strings.ToLower(err.Error()), "authorization violation"))
}

func TestAuthUserPassword(t *testing.T) {
	hash, err := bcrypt.GenerateFromPassword([]byte("s3cret"), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	s := authServer(t, accounts.Config{Users: []*accounts.User{
		{Username: "alice", Password: "plain"},
		{Username: "bob", Password: string(hash)},
	}})
	if err := connectErr(s, nats.UserInfo("alice", "plain")); err != nil {
		t.Fatalf("alice with the right password: %v", err)
	}
	if err := connectErr(s, nats.UserInfo("bob", "s3cret")); err != nil {
		t.Fatalf("bob with the right bcrypt password: %v", err)
	}
	for name, opt := range map[string]nats.Option{
		"wrong password":          nats.UserInfo("alice", "nope"),
		"unknown user":            nats.UserInfo("carol", "plain"),
		"bcrypt hash as password": nats.UserInfo("bob", string(hash)),
		"no credentials":          nats.Name("anonymous"),
	} {
		if err := connectErr(s, opt); !isAuthViolation(err) {
			t.Errorf("%s: got %v, want Authorization Violation", name, err)
		}
	}
}

func TestAuthToken(t *testing.T) {
	s := authServer(t, accounts.Config{Token: "t0ken"})
	if err := connectErr(s, nats.Token("t0ken")); err != nil {
		t.Fatal(err)
	}
	if err := connectErr(s, nats.Token("wrong")); !isAuthViolation(err) {
		t.Fatalf("wrong token: %v", err)
	}
}

func TestAuthNkey(t *testing.T) {
	kp, _ := nkeys.CreateUser()
	pub, _ := kp.PublicKey()
	other, _ := nkeys.CreateUser()
	s := authServer(t, accounts.Config{Users: []*accounts.User{{Nkey: pub}}})
	sign := func(k nkeys.KeyPair) nats.Option {
		return nats.Nkey(pub, func(nonce []byte) ([]byte, error) { return k.Sign(nonce) })
	}
	if err := connectErr(s, sign(kp)); err != nil {
		t.Fatalf("signed with the user's seed: %v", err)
	}
	if err := connectErr(s, sign(other)); !isAuthViolation(err) {
		t.Fatalf("signed with another seed: %v", err)
	}
	// INFO carries the nonce to sign.
	raw := rawInfo(t, s)
	if !strings.Contains(raw, `"nonce":"`) || !strings.Contains(raw, `"auth_required":true`) {
		t.Fatalf("INFO %s lacks nonce or auth_required", raw)
	}
}

func TestAuthWireBehaviour(t *testing.T) {
	s := authServer(t, accounts.Config{Users: []*accounts.User{{Username: "u", Password: "p"}},
		Timeout: 300 * time.Millisecond})
	// The first op must be CONNECT.
	w := dial(t, s)
	w.send("PING\r\n")
	if got := w.readUntilClosed(); got != "-ERR 'Authorization Violation'\r\n" {
		t.Fatalf("PING before CONNECT: %q", got)
	}
	// No CONNECT in time.
	w = dial(t, s)
	if got := w.readUntilClosed(); got != "-ERR 'Authentication Timeout'\r\n" {
		t.Fatalf("silent client: %q", got)
	}
	if r := closedReason(t, s, w.conn.LocalAddr()); r != AuthenticationTimeout {
		t.Fatalf("close reason %v", r)
	}
	// A good CONNECT is served past the timeout: a silent client dialled after it is closed by
	// then.
	w = dial(t, s)
	w.send("CONNECT {\"verbose\":false,\"user\":\"u\",\"pass\":\"p\"}\r\nPING\r\n")
	w.expect(`^PONG\r\n`)
	if got := dial(t, s).readUntilClosed(); got != "-ERR 'Authentication Timeout'\r\n" {
		t.Fatalf("silent client: %q", got)
	}
	w.expectQuiet()
}

func TestAuthNoAuthUser(t *testing.T) {
	s := authServer(t, accounts.Config{
		Users:      []*accounts.User{{Username: "guest", Password: "x"}, {Username: "admin", Password: "y"}},
		NoAuthUser: "guest",
	})
	// No credentials: bound to guest, and ops before CONNECT are served.
	w := dial(t, s)
	w.send("SUB foo 1\r\nPUB foo 1\r\na\r\nPING\r\n")
	w.expect(`^\+OK\r\n\+OK\r\nMSG foo 1 1\r\na\r\nPONG\r\n`)
	if err := connectErr(s, nats.UserInfo("admin", "y")); err != nil {
		t.Fatal(err)
	}
	if err := connectErr(s, nats.UserInfo("admin", "wrong")); !isAuthViolation(err) {
		t.Fatalf("wrong password with no_auth_user: %v", err)
	}
}

func TestPermissionsPublishSubscribe(t *testing.T) {
	s := authServer(t, accounts.Config{Users: []*accounts.User{
		{Username: "limited", Password: "p", Permissions: &accounts.Permissions{
			Publish:   &accounts.SubjectPermission{Allow: []string{"pub.>"}, Deny: []string{"pub.secret"}},
			Subscribe: &accounts.SubjectPermission{Allow: []string{"sub.>", "q.* workers"}, Deny: []string{"sub.secret"}},
		}},
		{Username: "free", Password: "p"},
	}})
	w := dial(t, s)
	w.send("CONNECT {\"verbose\":false,\"user\":\"limited\",\"pass\":\"p\"}\r\n")
	w.send("PUB pub.secret 1\r\nx\r\n")
	w.expect(`^-ERR 'Permissions Violation for Publish to "pub.secret"'\r\n`)
	w.send("PUB other 1\r\nx\r\n")
	w.expect(`^-ERR 'Permissions Violation for Publish to "other"'\r\n`)
	w.send("SUB nope 1\r\n")
	w.expect(`^-ERR 'Permissions Violation for Subscription to "nope"'\r\n`)
	w.send("SUB q.x other 2\r\n")
	w.expect(`^-ERR 'Permissions Violation for Subscription to "q.x" using queue "other"'\r\n`)
	// Allowed ops work, and the connection stayed open through the violations.
	w.send("SUB sub.> 3\r\nSUB q.x workers 4\r\nPING\r\n")
	w.expect(`^PONG\r\n`)

	free := natsConn(t, s, nats.UserInfo("free", "p"))
	secret, _ := free.SubscribeSync("pub.secret")
	free.Flush()
	free.Publish("sub.open", []byte("1"))
	free.Publish("sub.secret", []byte("2")) // denied at delivery for the wide sub.>
	free.Publish("q.x", []byte("3"))
	free.Flush()
	w.expect(`^MSG sub.open 3 1\r\n1\r\nMSG q.x 4 1\r\n3\r\n`)
	w.expectQuiet()
	if _, err := secret.NextMsg(100 * time.Millisecond); err == nil {
		t.Fatal("a denied publish was delivered")
	}
}

func TestAllowResponses(t *testing.T) {
	s := authServer(t, accounts.Config{Users: []*accounts.User{
		{Username: "svc", Password: "p", Permissions: &accounts.Permissions{
			Publish:   &accounts.SubjectPermission{Allow: []string{}},
			Subscribe: &accounts.SubjectPermission{Allow: []string{"svc.>"}},
			Response:  &accounts.ResponsePermission{MaxMsgs: 1, Expires: time.Minute},
		}},
		{Username: "client", Password: "p"},
	}})
	svc := dial(t, s)
	svc.send("CONNECT {\"verbose\":false,\"user\":\"svc\",\"pass\":\"p\"}\r\nSUB svc.echo 1\r\nPING\r\n")
	svc.expect(`^PONG\r\n`)
	cli := natsConn(t, s, nats.UserInfo("client", "p"))
	inbox, _ := cli.SubscribeSync("reply.here")
	cli.PublishRequest("svc.echo", "reply.here", []byte("hi"))
	cli.Flush()
	svc.expect(`^MSG svc.echo 1 reply.here 2\r\nhi\r\n`)
	svc.send("PUB reply.here 2\r\nok\r\nPUB reply.here 5\r\nagain\r\n")
	svc.expect(`^-ERR 'Permissions Violation for Publish to "reply.here"'\r\n`)
	if m, err := inbox.NextMsg(2 * time.Second); err != nil || string(m.Data) != "ok" {
		t.Fatalf("first response: %v %v", m, err)
	}
	if _, err := inbox.NextMsg(100 * time.Millisecond); err == nil {
		t.Fatal("a second response got through")
	}
}

func TestAccountConnectionLimit(t *testing.T) {
	lim := accounts.Unlimited()
	lim.MaxConnections = 1
	s := authServer(t, accounts.Config{
		Accounts: []*accounts.Account{{Name: "A", Limits: lim}},
		Users:    []*accounts.User{{Username: "a", Password: "p", Account: "A"}},
	})
	first := natsConn(t, s, nats.UserInfo("a", "p"))
	first.Flush()
	w := dial(t, s)
	w.send("CONNECT {\"user\":\"a\",\"pass\":\"p\"}\r\n")
	if got := w.readUntilClosed(); got != "-ERR 'maximum account active connections exceeded'\r\n" {
		t.Fatalf("second connection: %q", got)
	}
	first.Close()
	waitFor(t, 2*time.Second, "the slot to free", func() bool {
		return connectErr(s, nats.UserInfo("a", "p")) == nil
	})
}
