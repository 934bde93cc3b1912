package main

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/jwt/v2"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nkeys"
	"golang.org/x/crypto/bcrypt"
)

// Authentication and accounts through the binary: a configuration file with users, accounts
// and an import, and the --user/--pass/--auth flags, as nats-server takes them.

// isAuthViolation reports whether a nats.go connect error is the server's
// "Authorization Violation".
func isAuthViolation(err error) bool {
	return err != nil && (errors.Is(err, nats.ErrAuthorization) ||
		strings.Contains(strings.ToLower(err.Error()), "authorization violation"))
}

// refused connects to url with opts and fails the test unless the server says
// "Authorization Violation".
func refused(t *testing.T, url string, opts ...nats.Option) {
	t.Helper()
	nc, err := nats.Connect(url, append([]nats.Option{nats.NoReconnect(), nats.Timeout(ioTimeout)}, opts...)...)
	if err == nil {
		nc.Close()
		t.Fatalf("connected with %d options; want Authorization Violation", len(opts))
	}
	if !isAuthViolation(err) {
		t.Fatalf("connect: %v; want Authorization Violation", err)
	}
}

// A file with a bcrypt user and two accounts linked by a service import: logins work only with
// the right password, permissions hold, and a request crosses accounts only through the import.
func TestConfigFileAccounts(t *testing.T) {
	t.Parallel()
	hash, err := bcrypt.GenerateFromPassword([]byte("s3cret"), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	conf := writeFile(t, dir, "accounts.conf", fmt.Sprintf(`
accounts {
  SVC {
    users: [ {user: svc, password: %q} ]
    exports: [ {service: "time.now"} ]
  }
  APP {
    users: [
      {user: app, password: app, permissions: {publish: {deny: "secret.>"}}}
    ]
    imports: [ {service: {account: SVC, subject: "time.now"}, to: "clock"} ]
  }
}
authorization { timeout: 1 }
`, hash))
	_, url := startServer(t, "-c", conf)

	refused(t, url)
	refused(t, url, nats.UserInfo("svc", "wrong"))
	refused(t, url, nats.UserInfo("nobody", "s3cret"))

	svc := connect(t, url, nats.UserInfo("svc", "s3cret"))
	if _, err := svc.Subscribe("time.now", func(m *nats.Msg) { _ = m.Respond([]byte("noon")) }); err != nil {
		t.Fatal(err)
	}
	if err := svc.Flush(); err != nil {
		t.Fatal(err)
	}
	errs := make(chan error, 4)
	app := connect(t, url, nats.UserInfo("app", "app"),
		nats.ErrorHandler(func(_ *nats.Conn, _ *nats.Subscription, err error) { errs <- err }))
	reply, err := app.Request("clock", nil, ioTimeout)
	if err != nil || string(reply.Data) != "noon" {
		t.Fatalf("request through the import: %v %v; want noon", reply, err)
	}
	// The service's own subject is not visible to APP: only the import's name is.
	if _, err := app.Request("time.now", nil, 200*time.Millisecond); err == nil {
		t.Fatal("APP reached SVC's subject directly; accounts are not isolated")
	}
	if err := app.Publish("secret.plans", nil); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-errs:
		if !strings.Contains(err.Error(), `Permissions Violation for Publish to "secret.plans"`) {
			t.Fatalf("async error %v; want the publish permissions violation", err)
		}
	case <-time.After(ioTimeout):
		t.Fatal("no permissions violation for a denied publish")
	}
	if !app.IsConnected() {
		t.Fatal("a permissions violation closed the connection")
	}
}

// --user/--pass and --auth require credentials as nats-server's flags do, and override the
// file's authorization block.
func TestAuthFlags(t *testing.T) {
	t.Parallel()
	t.Run("user and pass", func(t *testing.T) {
		t.Parallel()
		_, url := startServer(t, "--user", "alice", "--pass", "pw")
		refused(t, url)
		refused(t, url, nats.UserInfo("alice", "nope"))
		connect(t, url, nats.UserInfo("alice", "pw"))
	})
	t.Run("token", func(t *testing.T) {
		t.Parallel()
		_, url := startServer(t, "--auth", "tok")
		refused(t, url, nats.Token("other"))
		connect(t, url, nats.Token("tok"))
	})
	t.Run("flags win over the file", func(t *testing.T) {
		t.Parallel()
		conf := writeFile(t, t.TempDir(), "auth.conf", "authorization { user: alice, password: file }\n")
		_, url := startServer(t, "-c", conf, "--pass", "flag")
		refused(t, url, nats.UserInfo("alice", "file"))
		connect(t, url, nats.UserInfo("alice", "flag"))
	})
}

// Authentication settings the server would refuse fail the start and -t alike, with
// nats-server's message.
func TestAuthConfigErrors(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	for _, tc := range []struct {
		name, content string
		flags         []string
		want          string
	}{
		{"token and users", "authorization { token: t, users: [{user: a, password: b}] }\n", nil,
			`Can not have a token and a users array`},
		{"unknown no_auth_user", "authorization { users: [{user: a, password: b}] }\nno_auth_user: ghost\n", nil,
			`no_auth_user: "ghost" not present as user or nkey in authorization block or account configuration`},
		{"flag user beside a users list", "authorization { users: [{user: a, password: b}] }\n", []string{"--user", "x"},
			`Can not have a single user/pass and a users array`},
	} {
		file := writeFile(t, dir, strings.ReplaceAll(tc.name, " ", "_")+".conf", tc.content)
		for _, args := range [][]string{
			append([]string{"-p", "-1", "-a", "127.0.0.1", "-c", file}, tc.flags...),
			append([]string{"-t", "-c", file}, tc.flags...),
		} {
			_, stderr, code := runCmd(t, args...)
			if code != 1 || !regexp.MustCompile(`^troupe: .*`+regexp.QuoteMeta(tc.want)).MatchString(stderr) {
				t.Errorf("%s %q: exit %d, stderr %q; want 1 and %q", tc.name, args, code, stderr, tc.want)
			}
		}
	}
}

// Operator mode from a configuration file: the operator JWT in a file, a MEMORY resolver with
// the account preloaded, and a user logging in with a creds file, as nats.go and the nats CLI
// do. An untrusted user (signed by another account) is refused.
func TestConfigFileOperatorMode(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	opKP, _ := nkeys.CreateOperator()
	opPub, _ := opKP.PublicKey()
	opJWT, err := jwt.NewOperatorClaims(opPub).Encode(opKP)
	if err != nil {
		t.Fatal(err)
	}
	account := func() (nkeys.KeyPair, string, string) {
		kp, _ := nkeys.CreateAccount()
		pub, _ := kp.PublicKey()
		tok, err := jwt.NewAccountClaims(pub).Encode(opKP)
		if err != nil {
			t.Fatal(err)
		}
		return kp, pub, tok
	}
	accKP, accPub, accJWT := account()
	otherKP, _, _ := account() // signed by the operator, but not known to the resolver
	creds := func(name string, signer nkeys.KeyPair) string {
		kp, _ := nkeys.CreateUser()
		pub, _ := kp.PublicKey()
		tok, err := jwt.NewUserClaims(pub).Encode(signer)
		if err != nil {
			t.Fatal(err)
		}
		seed, _ := kp.Seed()
		b, err := jwt.FormatUserConfig(tok, seed)
		if err != nil {
			t.Fatal(err)
		}
		return writeFile(t, dir, name+".creds", string(b))
	}
	opFile := writeFile(t, dir, "op.jwt", opJWT)
	conf := writeFile(t, dir, "operator.conf", fmt.Sprintf(
		"operator: %q\nresolver: MEMORY\nresolver_preload: { %s: %q }\n", opFile, accPub, accJWT))
	_, url := startServer(t, "-c", conf)

	nc := connect(t, url, nats.UserCredentials(creds("good", accKP)))
	sub, err := nc.SubscribeSync("hello")
	if err != nil {
		t.Fatal(err)
	}
	if err := nc.Publish("hello", []byte("world")); err != nil {
		t.Fatal(err)
	}
	if m, err := sub.NextMsg(ioTimeout); err != nil || string(m.Data) != "world" {
		t.Fatalf("message through the operator-mode account: %v %v", m, err)
	}
	refused(t, url, nats.UserCredentials(creds("unknown-account", otherKP)))
	refused(t, url)
}
