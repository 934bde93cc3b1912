package accounts

import (
	"context"
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nkeys"
	"github.com/troupe/troupe/protocol"
	"golang.org/x/crypto/bcrypt"
)

func mustNew(t *testing.T, cfg *Config) *Authenticator {
	t.Helper()
	a, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return a
}

func bcryptOf(t *testing.T, s string) string {
	t.Helper()
	h, err := bcrypt.GenerateFromPassword([]byte(s), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	return string(h)
}

type nkeyUser struct {
	kp   nkeys.KeyPair
	pub  string
	seed []byte
}

func newNkeyUser(t *testing.T) nkeyUser {
	t.Helper()
	kp, err := nkeys.CreateUser()
	if err != nil {
		t.Fatal(err)
	}
	pub, _ := kp.PublicKey()
	seed, _ := kp.Seed()
	return nkeyUser{kp, pub, seed}
}

func (u nkeyUser) sign(t *testing.T, nonce []byte) string {
	t.Helper()
	sig, err := SignNonce(u.seed, nonce)
	if err != nil {
		t.Fatal(err)
	}
	return sig
}

// authCase is one CONNECT against one configuration.
type authCase struct {
	name    string
	connect protocol.Connect
	ok      bool
	account string // when ok
	user    string // when ok
}

func runAuthCases(t *testing.T, a *Authenticator, nonce []byte, cases []authCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r, err := a.Authenticate(context.Background(), &c.connect, nonce)
			if !c.ok {
				if err != ErrAuthorization || r != nil {
					t.Fatalf("accepted (%+v, %v)", r, err)
				}
				return
			}
			if err != nil {
				t.Fatalf("refused: %v", err)
			}
			if r.Account != c.account || r.User != c.user {
				t.Fatalf("bound to %q as %q, want %q as %q", r.Account, r.User, c.account, c.user)
			}
		})
	}
}

func TestNoAuth(t *testing.T) {
	a := mustNew(t, &Config{})
	if a.Required() || a.Enforced() || a.NonceNeeded() || a.OperatorMode() || a.Timeout() != 2*time.Second {
		t.Fatal("no-auth server requires something")
	}
	runAuthCases(t, a, nil, []authCase{
		{"nothing", protocol.Connect{}, true, "$G", ""},
		{"credentials ignored", protocol.Connect{User: "x", Pass: "y"}, true, "$G", ""},
		{"account in CONNECT", protocol.Connect{Account: "A"}, false, "", ""},
		{"new_account in CONNECT", protocol.Connect{NewAccount: true}, false, "", ""},
	})
}

func TestSingleUserAndToken(t *testing.T) {
	for _, pass := range []string{"s3cret", bcryptOf(t, "s3cret")} {
		a := mustNew(t, &Config{Users: []*User{{Username: "derek", Password: pass}}, SingleUser: true, Timeout: time.Second})
		if !a.Required() || !a.Enforced() || a.Timeout() != time.Second {
			t.Fatal("auth not required")
		}
		runAuthCases(t, a, nil, []authCase{
			{"right", protocol.Connect{User: "derek", Pass: "s3cret"}, true, "$G", "derek"},
			{"wrong password", protocol.Connect{User: "derek", Pass: "s3cre"}, false, "", ""},
			{"wrong user", protocol.Connect{User: "derec", Pass: "s3cret"}, false, "", ""},
			{"no password", protocol.Connect{User: "derek"}, false, "", ""},
			{"nothing", protocol.Connect{}, false, "", ""},
			{"token instead", protocol.Connect{Token: "s3cret"}, false, "", ""},
			{"hash as password", protocol.Connect{User: "derek", Pass: pass + "x"}, false, "", ""},
		})
	}
	for _, tok := range []string{"T0K3N", bcryptOf(t, "T0K3N")} {
		a := mustNew(t, &Config{Token: tok})
		runAuthCases(t, a, nil, []authCase{
			{"right", protocol.Connect{Token: "T0K3N"}, true, "$G", ""},
			{"wrong", protocol.Connect{Token: "T0K3"}, false, "", ""},
			{"nothing", protocol.Connect{}, false, "", ""},
			{"as password", protocol.Connect{User: "x", Pass: "T0K3N"}, false, "", ""},
		})
	}
}

func TestUsersAndAccounts(t *testing.T) {
	deny := &Permissions{Publish: &SubjectPermission{Deny: []string{"secret"}}}
	accDefault := &Permissions{Subscribe: &SubjectPermission{Allow: []string{"a.>"}}}
	a := mustNew(t, &Config{
		Users: []*User{
			{Username: "alice", Password: "a"},
			{Username: "bob", Password: bcryptOf(t, "b"), Permissions: &Permissions{Publish: &SubjectPermission{Allow: []string{"bob.>"}}}},
			{Username: "carol", Password: "c", Account: "A"},
			{Username: "dave", Password: "d", Account: "B"},
			{Username: "erin", Password: "e", AllowedConnectionTypes: []string{"websocket"}},
			{Username: "frank", Password: "f", AllowedConnectionTypes: []string{"standard", "mqtt"}},
			{Username: "nopass"},
		},
		DefaultPermissions: deny,
		Accounts: []*Account{
			{Name: "A", DefaultPermissions: accDefault, Limits: Limits{MaxConnections: 5, MaxSubscriptions: 10, MaxPayload: 100, MaxLeafNodes: NoLimit}},
			{Name: "B", Limits: Unlimited()},
		},
	})
	runAuthCases(t, a, nil, []authCase{
		{"alice", protocol.Connect{User: "alice", Pass: "a"}, true, "$G", "alice"},
		{"bob bcrypt", protocol.Connect{User: "bob", Pass: "b"}, true, "$G", "bob"},
		{"carol in A", protocol.Connect{User: "carol", Pass: "c"}, true, "A", "carol"},
		{"dave in B", protocol.Connect{User: "dave", Pass: "d"}, true, "B", "dave"},
		{"erin websocket only", protocol.Connect{User: "erin", Pass: "e"}, false, "", ""},
		{"frank standard", protocol.Connect{User: "frank", Pass: "f"}, true, "$G", "frank"},
		{"no password configured", protocol.Connect{User: "nopass"}, true, "$G", "nopass"},
		{"no password configured, one sent", protocol.Connect{User: "nopass", Pass: "x"}, false, "", ""},
		{"alice wrong", protocol.Connect{User: "alice", Pass: "b"}, false, "", ""},
		{"unknown", protocol.Connect{User: "zed", Pass: "a"}, false, "", ""},
		{"nothing", protocol.Connect{}, false, "", ""},
	})
	ctx := context.Background()
	perms := func(user, pass string) *Result {
		r, err := a.Authenticate(ctx, &protocol.Connect{User: user, Pass: pass}, nil)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	// Default permissions: $G users without their own get authorization's defaults, account
	// users their account's, users of an account without defaults none.
	if r := perms("alice", "a"); r.Perms.CanPublish([]byte("secret")) || !r.Perms.CanPublish([]byte("x")) {
		t.Fatal("alice: default permissions not applied")
	}
	if r := perms("bob", "b"); !r.Perms.CanPublish([]byte("bob.x")) || r.Perms.CanPublish([]byte("x")) {
		t.Fatal("bob: own permissions not used")
	}
	if r := perms("carol", "c"); r.Perms.CanSubscribe([]byte("b"), nil) || !r.Perms.CanSubscribe([]byte("a.b"), nil) || !r.Perms.CanPublish([]byte("secret")) {
		t.Fatal("carol: account default permissions not applied")
	}
	if r := perms("carol", "c"); r.Limits != (ConnLimits{MaxSubscriptions: 10, MaxPayload: 100}) {
		t.Fatalf("carol: limits %+v", r.Limits)
	}
	if r := perms("dave", "d"); r.Perms != nil || r.Limits != (ConnLimits{NoLimit, NoLimit}) {
		t.Fatal("dave: permissions or limits from elsewhere")
	}
	if got := a.Accounts(); len(got) != 2 || got[0].Name != "A" || a.SystemAccountName() != "$SYS" {
		t.Fatalf("Accounts() = %v", got)
	}
}

func TestSingleUserGetsNoDefaultPermissions(t *testing.T) {
	a := mustNew(t, &Config{Users: []*User{{Username: "u", Password: "p"}}, SingleUser: true,
		DefaultPermissions: &Permissions{Publish: &SubjectPermission{Deny: []string{">"}}}})
	r, err := a.Authenticate(context.Background(), &protocol.Connect{User: "u", Pass: "p"}, nil)
	if err != nil || r.Perms != nil {
		t.Fatalf("single user: %+v, %v", r, err)
	}
}

func TestNkeyUsers(t *testing.T) {
	u1, u2, stranger := newNkeyUser(t), newNkeyUser(t), newNkeyUser(t)
	a := mustNew(t, &Config{
		Users:    []*User{{Nkey: u1.pub}, {Nkey: u2.pub, Account: "A"}, {Username: "pw", Password: "x"}},
		Accounts: []*Account{{Name: "A", Limits: Unlimited()}},
	})
	if !a.NonceNeeded() {
		t.Fatal("nkey users need a nonce")
	}
	nonce := NewNonce()
	if len(nonce) != NonceLen {
		t.Fatalf("nonce %q", nonce)
	}
	raw, _ := u1.kp.Sign(nonce)
	runAuthCases(t, a, nonce, []authCase{
		{"u1", protocol.Connect{Nkey: u1.pub, Sig: u1.sign(t, nonce)}, true, "$G", u1.pub},
		{"u1 std base64 sig", protocol.Connect{Nkey: u1.pub, Sig: base64.StdEncoding.EncodeToString(raw)}, true, "$G", u1.pub},
		{"u2 in A", protocol.Connect{Nkey: u2.pub, Sig: u2.sign(t, nonce)}, true, "A", u2.pub},
		{"no sig", protocol.Connect{Nkey: u1.pub}, false, "", ""},
		{"bad base64", protocol.Connect{Nkey: u1.pub, Sig: "!!!"}, false, "", ""},
		{"sig by other key", protocol.Connect{Nkey: u1.pub, Sig: u2.sign(t, nonce)}, false, "", ""},
		{"sig of other nonce", protocol.Connect{Nkey: u1.pub, Sig: u1.sign(t, NewNonce())}, false, "", ""},
		{"unknown nkey", protocol.Connect{Nkey: stranger.pub, Sig: stranger.sign(t, nonce)}, false, "", ""},
		{"unknown nkey with good password", protocol.Connect{Nkey: stranger.pub, User: "pw", Pass: "x"}, false, "", ""},
		{"password user", protocol.Connect{User: "pw", Pass: "x"}, true, "$G", "pw"},
	})
	// Without the nonce sent in INFO nothing verifies.
	if _, err := a.Authenticate(context.Background(), &protocol.Connect{Nkey: u1.pub, Sig: u1.sign(t, nil)}, nil); err == nil {
		t.Fatal("empty nonce accepted")
	}
}

func TestNoAuthUser(t *testing.T) {
	nk := newNkeyUser(t)
	a := mustNew(t, &Config{
		Users:      []*User{{Username: "anon", Password: bcryptOf(t, "pw"), Account: "A"}, {Username: "other", Password: "o"}},
		NoAuthUser: "anon",
		Accounts:   []*Account{{Name: "A", Limits: Unlimited()}},
	})
	if a.Required() || !a.Enforced() {
		t.Fatal("no_auth_user: INFO must not say auth_required, but auth stays enforced")
	}
	runAuthCases(t, a, nil, []authCase{
		{"nothing", protocol.Connect{}, true, "A", "anon"},
		{"other", protocol.Connect{User: "other", Pass: "o"}, true, "$G", "other"},
		{"wrong credentials", protocol.Connect{User: "other", Pass: "x"}, false, "", ""},
		{"password only", protocol.Connect{Pass: "o"}, false, "", ""},
		{"token only", protocol.Connect{Token: "o"}, false, "", ""},
	})
	if r, ok := a.NoAuthUser(); !ok || r.Account != "A" || r.User != "anon" {
		t.Fatalf("NoAuthUser() = %+v, %v", r, ok)
	}
	// An nkey as no_auth_user needs no signature.
	b := mustNew(t, &Config{Users: []*User{{Nkey: nk.pub}}, NoAuthUser: nk.pub})
	runAuthCases(t, b, NewNonce(), []authCase{
		{"nothing", protocol.Connect{}, true, "$G", nk.pub},
	})
	if _, ok := mustNew(t, &Config{}).NoAuthUser(); ok {
		t.Fatal("NoAuthUser without one")
	}
}

func TestSystemAccountOnlyLetsAnonymousIntoG(t *testing.T) {
	a := mustNew(t, &Config{
		Users:         []*User{{Username: "admin", Password: "s", Account: "SYS"}},
		Accounts:      []*Account{{Name: "SYS", Limits: Unlimited()}},
		SystemAccount: "SYS",
	})
	if !a.Required() || a.SystemAccountName() != "SYS" {
		t.Fatal("auth_required must stay set")
	}
	runAuthCases(t, a, nil, []authCase{
		{"admin", protocol.Connect{User: "admin", Pass: "s"}, true, "SYS", "admin"},
		{"anonymous", protocol.Connect{}, true, "$G", ""},
		{"bad admin", protocol.Connect{User: "admin", Pass: "x"}, false, "", ""},
	})
	// Not with an authorization block.
	b := mustNew(t, &Config{
		Users:            []*User{{Username: "admin", Password: "s", Account: "$SYS"}},
		Accounts:         []*Account{{Name: "$SYS", Limits: Unlimited()}},
		AuthBlockDefined: true,
	})
	runAuthCases(t, b, nil, []authCase{{"anonymous", protocol.Connect{}, false, "", ""}})
}

// TestEmptyUsersList: "users: []" configures no authentication in nats-server (appending no
// users leaves its user list nil).
func TestEmptyUsersList(t *testing.T) {
	a := mustNew(t, &Config{Users: []*User{}})
	if a.Required() || a.Enforced() {
		t.Fatal("users: [] requires auth")
	}
	runAuthCases(t, a, nil, []authCase{{"nothing", protocol.Connect{}, true, "$G", ""}})
}

func TestNewErrors(t *testing.T) {
	nk := newNkeyUser(t)
	for _, c := range []struct {
		cfg  *Config
		want string
	}{
		{&Config{Users: []*User{{Username: "a"}, {Username: "a"}}}, `Duplicate user "a" detected`},
		{&Config{Users: []*User{{Nkey: nk.pub}, {Nkey: nk.pub}}}, `Duplicate nkey "` + nk.pub + `" detected`},
		{&Config{Users: []*User{{Username: "a"}}, Token: "t"}, "Can not have a token and a users array"},
		{&Config{Users: []*User{{Username: "a"}}, SingleUser: true, Token: "t"}, "Cannot have a user/pass and token"},
		{&Config{NoAuthUser: "x"}, `no_auth_user: "x" present, but users/nkeys are not defined`},
		{&Config{NoAuthUser: "x", Users: []*User{{Username: "a"}}}, `no_auth_user: "x" not present as user or nkey in authorization block or account configuration`},
		{&Config{Users: []*User{{Username: "a", Account: "Z"}}}, `user "a": account "Z" is not defined`},
		{&Config{Users: []*User{{Username: "a", Permissions: &Permissions{Publish: &SubjectPermission{Allow: []string{"a b"}}}}}}, `invalid permissions for user "a": publish allow: subject "a b" is not a valid subject`},
		{&Config{Users: []*User{{Nkey: "UBAD"}}}, "Not a valid public nkey for a user"},
		{&Config{Users: []*User{{Nkey: nk.pub, Password: "x"}}}, "Nkey users do not take usernames or passwords"},
		{&Config{Users: []*User{{Password: "x"}}}, "User entry requires a user"},
		{&Config{Users: []*User{{Username: "a", AllowedConnectionTypes: []string{"carrier-pigeon"}}}}, `unknown connection type "CARRIER-PIGEON"`},
		{&Config{SystemAccount: "SYS"}, "error resolving system account: account missing"},
		{&Config{Accounts: []*Account{{Name: "$G"}}}, `"$G" is a Reserved Account`},
		{&Config{Users: []*User{{Username: "a"}, {Username: "b"}}, SingleUser: true}, "Can not have a single user/pass and a users array"},
	} {
		_, err := New(c.cfg)
		if err == nil || err.Error() != c.want {
			t.Errorf("New: %v, want %q", err, c.want)
		}
	}
}

// TestSecretsStayOut checks that no error carries a password or token, and that a failure does
// not say which credential was wrong.
func TestSecretsStayOut(t *testing.T) {
	const secret = "hunter2-very-secret"
	_, err := New(&Config{Users: []*User{{Username: "a", Password: secret}, {Username: "a", Password: secret}}})
	if err == nil || strings.Contains(err.Error(), secret) {
		t.Fatalf("error %v", err)
	}
	_, err = New(&Config{Users: []*User{{Username: "a", Password: secret}}, Token: secret})
	if err == nil || strings.Contains(err.Error(), secret) {
		t.Fatalf("error %v", err)
	}
	a := mustNew(t, &Config{Users: []*User{{Username: "a", Password: secret}}})
	_, e1 := a.Authenticate(context.Background(), &protocol.Connect{User: "a", Pass: "wrong"}, nil)
	_, e2 := a.Authenticate(context.Background(), &protocol.Connect{User: "b", Pass: secret}, nil)
	if !errors.Is(e1, ErrAuthorization) || e1 != e2 {
		t.Fatalf("failures differ: %v / %v", e1, e2)
	}
}

func TestIsBcrypt(t *testing.T) {
	for s, want := range map[string]bool{
		"$2a$10$abc": true, "$2b$11$x": true, "$2y$04$x": true, "$2x$04$": true,
		"$2c$10$x": false, "$2a$1$x": false, "2a$10$x": false, "$VAR": false, "": false,
	} {
		if IsBcrypt(s) != want {
			t.Errorf("IsBcrypt(%q) != %v", s, want)
		}
	}
}
