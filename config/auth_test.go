package config

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/jwt/v2"
	"github.com/nats-io/nats-server/v2/conf"
	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nkeys"
	"github.com/troupe/troupe/accounts"
	"github.com/troupe/troupe/protocol"
)

// parseAuthText runs parseAuthKey over every key of a configuration text, as file.go does.
func parseAuthText(t *testing.T, text string) (*accounts.Config, *fileParser) {
	t.Helper()
	m, err := conf.ParseWithChecks(text)
	if err != nil {
		t.Fatalf("conf %q: %v", text, err)
	}
	p := &fileParser{o: Default(), file: "auth.conf"}
	cfg := &accounts.Config{}
	for k, raw := range m {
		tk, v := unwrap(raw)
		if !parseAuthKey(p, k, tk, v, cfg) {
			t.Fatalf("key %q not handled", k)
		}
	}
	return cfg, p
}

func mustParseAuth(t *testing.T, text string) *accounts.Config {
	t.Helper()
	cfg, p := parseAuthText(t, text)
	if len(p.errs) > 0 {
		t.Fatalf("errors: %v", errors.Join(p.errs...))
	}
	return cfg
}

func reasons(errs []error) []string {
	var out []string
	for _, e := range errs {
		var fe *FieldError
		if errors.As(e, &fe) {
			out = append(out, fe.Reason)
		} else {
			out = append(out, e.Error())
		}
	}
	return out
}

func TestParseAuthorizationSingleUser(t *testing.T) {
	cfg := mustParseAuth(t, `authorization { user: derek, password: "s3cr3t", timeout: 1.5 }`)
	if !cfg.SingleUser || len(cfg.Users) != 1 || cfg.Users[0].Username != "derek" || cfg.Users[0].Password != "s3cr3t" ||
		cfg.Timeout != 1500*time.Millisecond || !cfg.AuthBlockDefined {
		t.Fatalf("%+v", cfg)
	}
	for text, want := range map[string]time.Duration{
		`authorization { token: t, timeout: 3 }`:    3 * time.Second,
		`authorization { token: t, timeout: "3s" }`: 3 * time.Second,
	} {
		if cfg := mustParseAuth(t, text); cfg.Timeout != want || cfg.Token != "t" {
			t.Errorf("%s: %+v", text, cfg)
		}
	}
	_, p := parseAuthText(t, `authorization { token: t, timeout: 120 }`)
	if len(p.warns) != 1 || !strings.Contains(p.warns[0].Reason, "is high") {
		t.Fatalf("warnings %v", p.warns)
	}
	// A bcrypt password comes through the conf parser untouched.
	const hash = "$2a$11$W2zko751KUvVy59mUTWmpOdWjpEm5qhcCZRd05GjI/sSOT.xtiHyG"
	cfg = mustParseAuth(t, `authorization { user: derek, password: "`+hash+`" }`)
	if cfg.Users[0].Password != hash || !accounts.IsBcrypt(hash) {
		t.Fatal("bcrypt hash changed")
	}
}

func TestParseUsersAndPermissions(t *testing.T) {
	nk, _ := nkeys.CreateUser()
	nkPub, _ := nk.PublicKey()
	cfg := mustParseAuth(t, `
		authorization {
			default_permissions: { publish: "defaults.>" }
			users: [
				{user: alice, password: a, permissions: {publish: "a.>", subscribe: ["_INBOX.>", "a.*"]}}
				{user: bob, password: b, permissions: {
					publish: {allow: ["b.>"], deny: "b.secret"}
					subscribe: {allow: ["jobs.* workers", "jobs.> v1.*"], deny: ["jobs.admin"]}
					allow_responses: true
				}}
				{user: carol, password: c, permissions: {allow_responses: {max: 5, expires: "1m"}}, allowed_connection_types: ["STANDARD", "websocket"]}
				{user: dave, password: d}
				{nkey: `+nkPub+`, permissions: {sub: "n.>"}}
			]
		}`)
	if len(cfg.Users) != 5 || cfg.SingleUser || cfg.DefaultPermissions == nil {
		t.Fatalf("%+v", cfg)
	}
	by := map[string]*accounts.User{}
	for _, u := range cfg.Users {
		by[u.Username+u.Nkey] = u
	}
	if p := by["alice"].Permissions; p.Publish.Allow[0] != "a.>" || len(p.Subscribe.Allow) != 2 {
		t.Errorf("alice %+v", p)
	}
	if p := by["bob"].Permissions; p.Publish.Deny[0] != "b.secret" || p.Subscribe.Allow[1] != "jobs.> v1.*" ||
		p.Response.MaxMsgs != 1 || p.Response.Expires != 2*time.Minute {
		t.Errorf("bob %+v %+v", p.Subscribe, p.Response)
	}
	if c := by["carol"]; c.Permissions.Response.MaxMsgs != 5 || c.Permissions.Response.Expires != time.Minute || len(c.AllowedConnectionTypes) != 2 {
		t.Errorf("carol %+v", c)
	}
	if by["dave"].Permissions != nil || by[nkPub].Permissions.Subscribe.Allow[0] != "n.>" {
		t.Error("dave/nkey")
	}
	// The whole thing compiles and authenticates.
	a, err := accounts.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	r, err := a.Authenticate(context.Background(), &protocol.Connect{User: "dave", Pass: "d"}, nil)
	if err != nil || !r.Perms.CanPublish([]byte("defaults.x")) || r.Perms.CanPublish([]byte("x")) {
		t.Fatalf("dave: default permissions not applied: %v", err)
	}
	r, _ = a.Authenticate(context.Background(), &protocol.Connect{User: "bob", Pass: "b"}, nil)
	if !r.Perms.CanSubscribe([]byte("jobs.x"), []byte("workers")) || r.Perms.CanSubscribe([]byte("jobs.x"), nil) ||
		!r.Perms.CanSubscribe([]byte("jobs.x.y"), []byte("v1.a")) || r.Perms.CanPublish([]byte("b.secret")) {
		t.Fatal("bob's permissions")
	}
}

func TestParseAccounts(t *testing.T) {
	cfg := mustParseAuth(t, `
		system_account: SYS
		no_auth_user: guest
		accounts {
			SYS { users: [{user: admin, password: s}] }
			A {
				users: [{user: a, password: a}, {user: guest, password: g}]
				exports: [
					{stream: "a.events.>"}
					{stream: "a.private.>", accounts: [B]}
					{service: "a.svc", response_type: stream, response_threshold: "5s"}
					{service: "a.req.*", accounts: [B], response: chunked}
				]
				limits: {max_connections: 10, max_subs: 100, max_payload: 1024}
				default_permissions: {subscribe: "x.>"}
			}
			B {
				users: [{user: b, password: b}]
				imports: [
					{stream: {account: A, subject: "a.events.>"}, prefix: "from_a"}
					{stream: {account: A, subject: "a.private.>"}, to: "priv.>"}
					{service: {account: A, subject: "a.svc"}}
					{service: {account: A, subject: "a.req.x"}, to: "req"}
				]
			}
		}`)
	if cfg.SystemAccount != "SYS" || cfg.NoAuthUser != "guest" || len(cfg.Accounts) != 3 || len(cfg.Users) != 4 {
		t.Fatalf("%+v", cfg)
	}
	var a, b *accounts.Account
	for _, acc := range cfg.Accounts {
		switch acc.Name {
		case "A":
			a = acc
		case "B":
			b = acc
		}
	}
	if len(a.Exports) != 4 || a.Limits != (accounts.Limits{MaxConnections: 10, MaxSubscriptions: 100, MaxPayload: 1024, MaxLeafNodes: -1}) || a.DefaultPermissions == nil {
		t.Fatalf("A %+v", a)
	}
	for _, e := range a.Exports {
		switch e.Subject {
		case "a.svc":
			if e.Kind != accounts.Service || e.ResponseType != accounts.ResponseStream || e.ResponseThreshold != 5*time.Second {
				t.Errorf("%+v", e)
			}
		case "a.req.*":
			if e.ResponseType != accounts.ResponseChunked || e.Accounts[0] != "B" {
				t.Errorf("%+v", e)
			}
		}
	}
	locals := map[string]bool{}
	for _, im := range b.Imports {
		locals[im.LocalSubject()] = true
	}
	for _, l := range []string{"from_a.a.events.>", "priv.>", "a.svc", "req"} {
		if !locals[l] {
			t.Errorf("no import to %q in %v", l, locals)
		}
	}
	auth, err := accounts.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ user, pass, account string }{{"admin", "s", "SYS"}, {"a", "a", "A"}, {"b", "b", "B"}, {"", "", "A"}} {
		r, err := auth.Authenticate(context.Background(), &protocol.Connect{User: c.user, Pass: c.pass}, nil)
		if err != nil || r.Account != c.account {
			t.Errorf("%s: %+v %v", c.user, r, err)
		}
	}
	// The list form.
	cfg = mustParseAuth(t, `accounts: [A, B]`)
	if len(cfg.Accounts) != 2 || cfg.Accounts[1].Name != "B" || cfg.Accounts[0].Limits.MaxConnections != accounts.NoLimit {
		t.Fatalf("%+v", cfg.Accounts)
	}
}

// operatorFiles writes an operator JWT (decorated) and an account JWT for the tests.
func operatorFiles(t *testing.T) (opPath, opJWT, accPub, accJWT string) {
	t.Helper()
	op, _ := nkeys.CreateOperator()
	opPub, _ := op.PublicKey()
	oc := jwt.NewOperatorClaims(opPub)
	opJWT, err := oc.Encode(op)
	if err != nil {
		t.Fatal(err)
	}
	acc, _ := nkeys.CreateAccount()
	accPub, _ = acc.PublicKey()
	accJWT, err = jwt.NewAccountClaims(accPub).Encode(op)
	if err != nil {
		t.Fatal(err)
	}
	decorated, _ := jwt.DecorateJWT(opJWT)
	opPath = filepath.Join(t.TempDir(), "op.jwt")
	if err := os.WriteFile(opPath, decorated, 0o600); err != nil {
		t.Fatal(err)
	}
	return opPath, opJWT, accPub, accJWT
}

func TestParseOperatorMode(t *testing.T) {
	opPath, opJWT, accPub, accJWT := operatorFiles(t)
	for _, op := range []string{fmt.Sprintf("%q", opPath), opJWT, fmt.Sprintf("[%q]", opPath)} {
		cfg := mustParseAuth(t, `
			operator: `+op+`
			resolver: MEMORY
			resolver_preload: { `+accPub+`: "`+accJWT+`" }`)
		if len(cfg.Operators) != 1 || cfg.Operators[0] != opJWT || cfg.ResolverPreload[accPub] != accJWT {
			t.Fatalf("%+v", cfg)
		}
		if _, ok := cfg.Resolver.(*accounts.MemoryResolver); !ok {
			t.Fatalf("resolver %T", cfg.Resolver)
		}
		a, err := accounts.New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		if acc, err := a.LookupAccount(context.Background(), accPub); err != nil || acc.Name != accPub {
			t.Fatalf("preloaded account: %v", err)
		}
	}
	cfg := mustParseAuth(t, `resolver: URL("http://127.0.0.1:9090/jwt/v1/accounts/")`)
	if r, ok := cfg.Resolver.(*accounts.URLResolver); !ok || r.URL() != "http://127.0.0.1:9090/jwt/v1/accounts/" {
		t.Fatalf("resolver %#v", cfg.Resolver)
	}
	cfg = mustParseAuth(t, `resolver: { type: mem }`)
	if _, ok := cfg.Resolver.(*accounts.MemoryResolver); !ok {
		t.Fatal("resolver map form")
	}
	op, _ := nkeys.CreateOperator()
	opPub, _ := op.PublicKey()
	if cfg := mustParseAuth(t, `trusted_keys: "`+opPub+`"`); len(cfg.TrustedKeys) != 1 {
		t.Fatal("trusted_keys string")
	}
	if cfg := mustParseAuth(t, `trusted: ["`+opPub+`", "`+opPub+`"]`); len(cfg.TrustedKeys) != 2 {
		t.Fatal("trusted list")
	}
}

// TestParseAuthErrors checks each refusal and its reason, nats-server's where it has one.
func TestParseAuthErrors(t *testing.T) {
	_, opJWT, _, _ := operatorFiles(t)
	for _, c := range []struct{ text, want string }{
		{`authorization { user: a, password: b, token: c }`, "Cannot have a user/pass and token"},
		{`authorization { user: a, users: [{user: b}] }`, "Can not have a single user/pass and a users array"},
		{`authorization { token: a, users: [] }`, "Can not have a token and a users array"},
		{`authorization { users: [{user: a}, {user: a}] }`, `Duplicate user "a" detected`},
		{`authorization { users: [{password: a}] }`, "User entry requires a user"},
		{`authorization { users: [{nkey: "UBAD"}] }`, "Not a valid public nkey for a user"},
		{`authorization { users: "a" }`, "Expected users field to be an array, got a"},
		{`authorization { users: ["a"] }`, "Expected user entry to be a map/struct, got a"},
		{`authorization { users: [{user: a, foo: 1}] }`, `unknown field "foo"`},
		{`authorization { bogus: 1 }`, `unknown field "bogus"`},
		{`authorization { timeout: "x" }`, `error parsing authorization config, 'timeout' time: invalid duration "x"`},
		{`authorization { timeout: true }`, "error parsing authorization config, 'timeout' wrong type"},
		{`authorization { users: [{user: a, permissions: {publish: "a b"}}] }`, `subject "a b" is not a valid subject`},
		{`authorization { users: [{user: a, permissions: {subscribe: "a b c"}}] }`, `subject "a b c" is not a valid subject`},
		{`authorization { users: [{user: a, permissions: {subscribe: "a b..c"}}] }`, `queue "b..c" is not a valid queue`},
		{`authorization { users: [{user: a, permissions: {publish: {allow: "a", nope: "b"}}}] }`, `Unknown field name "nope" parsing subject permissions, only 'allow' or 'deny' are permitted`},
		{`authorization { users: [{user: a, permissions: {bogus: "a"}}] }`, `Unknown field "bogus" parsing permissions`},
		{`authorization { users: [{user: a, permissions: "a"}] }`, "Expected permissions to be a map/struct, got a"},
		{`authorization { users: [{user: a, permissions: {publish: 1}}] }`, "Expected subject permissions to be a subject, or array of subjects, got int64"},
		{`authorization { users: [{user: a, permissions: {publish: [1 ]}}] }`, "Subject in permissions array cannot be cast to string"},
		{`authorization { users: [{user: a, permissions: {allow_responses: "x"}}] }`, "error parsing response permissions, expected a boolean or a map"},
		{`authorization { users: [{user: a, permissions: {allow_responses: {ttl: 123}}}] }`, "error parsing expires, not a duration string"},
		{`authorization { users: [{user: a, permissions: {allow_responses: {ttl: xyz}}}] }`, `error parsing expires: time: invalid duration "xyz"`},
		{`authorization { users: [{user: a, permissions: {allow_responses: {foo: 1}}}] }`, `Unknown field "foo" parsing permissions`},
		{`authorization { users: [{user: a, allowed_connection_types: ["pigeon"]}] }`, `invalid connection types ["PIGEON"]`},
		{`authorization { auth_callout: {} }`, `field "auth_callout" in authorization is not supported by Troupe yet`},
		{`accounts { $G {} }`, `"$G" is a Reserved Account`},
		{`accounts { A: 1 }`, "Expected map entries for accounts"},
		{`accounts { A { users: [{user: a}] }, B { users: [{user: a}] } }`, `Duplicate user "a" detected`},
		{`accounts { A { nkey: "bad" } }`, `Not a valid public nkey for an account: "bad"`},
		{`accounts { A { foo: 1 } }`, `unknown field "foo"`},
		{`accounts { A { limits: {max_foo: 1} } }`, `Unknown field "max_foo" parsing account limits`},
		{`accounts { A { exports: "x" } }`, "Exports should be an array, got string"},
		{`accounts { A { exports: ["x"] } }`, "Export Items should be a map with type entry, got string"},
		{`accounts { A { exports: [{stream: a, service: b}] } }`, "but already saw a"},
		{`accounts { A { exports: [{stream: a, response: singleton}] } }`, "Detected response directive on non-service"},
		{`accounts { A { exports: [{service: a, response: weird}] } }`, `Unknown response type: "weird"`},
		{`accounts { A { exports: [{service: a, threshold: "x"}] } }`, `Expected response threshold to be a parseable time duration, got "x"`},
		{`accounts { A { exports: [{stream: a, accounts: [C]}] } }`, `"C" account not defined for stream export`},
		{`accounts { A { imports: "x" } }`, "Imports should be an array, got string"},
		{`accounts { A { imports: [{stream: {account: B}}] } }`, "Expect an account name and a subject"},
		{`accounts { A { imports: [{stream: {account: C, subject: x}}] } }`, `"C" account not defined for stream import`},
		{`accounts { A { imports: [{service: {account: C, subject: x}}] } }`, `"C" account not defined for service import`},
		{`accounts { A { imports: [{stream: "x"}] } }`, "Stream entry should be an account map, got string"},
		{`accounts { A { imports: [{stream: {account: B, subject: x}, prefix: p, to: q}] }, B { exports: [{stream: x}] } }`, "Stream import can not have a 'prefix' and a 'to' property"},
		{`accounts { A { imports: [{stream: {account: B, subject: x}}] }, B {} }`, `Error adding stream import "x": stream import not authorized`},
		{`accounts { A { imports: [{stream: {account: B, subject: x}}] }, B { exports: [{stream: x, accounts: [C]}] }, C {} }`, `Error adding stream import "x": stream import not authorized`},
		{`accounts { A { imports: [{service: {account: B, subject: x}}] }, B { exports: [{stream: x}] } }`, `Error adding service import "x": service import not authorized`},
		{`accounts { A { imports: [{stream: {account: B, subject: x}, prefix: "p.*"}] }, B { exports: [{stream: x}] } }`, "stream import prefix can not contain wildcard tokens"},
		{`accounts { A { imports: [{service: {account: B, subject: x}, to: y}, {service: {account: B, subject: z}, to: y}] }, B { exports: [{service: x}, {service: z}] } }`, `Duplicate service import subject "y", previously used in import for account "B", subject "x"`},
		{`accounts { A { imports: [{service: {account: B, subject: x}}], exports: [{service: x}] }, B { imports: [{service: {account: A, subject: x}}], exports: [{service: x}] } }`, "import forms a cycle"},
		{`accounts { A { users: [{user: a}] } }
authorization { user: b, password: c }`, ""}, // order-dependent text; checked below
		{`system_account: 1`, "system account name must be a string"},
		{`operator: "/nonexistent/op.jwt"`, "error parsing operator JWT: open /nonexistent/op.jwt: no such file or directory"},
		{`operator: 1`, "error parsing operators: unsupported type int64"},
		{`trusted_keys: "OBAD"`, `trust key "OBAD" required to be a valid public operator nkey`},
		{`trusted_keys: 1`, "error parsing trusted: unsupported type int64"},
		{`resolver: FOO`, "error parsing account resolver, should be MEM or  URL(\"url\") or a map containing dir and type state=[FULL|CACHE])"},
		{`resolver: 1`, "error parsing operator resolver, wrong type int64"},
		{`resolver: {type: full, dir: "/tmp"}`, `resolver of type "full" is not supported by Troupe yet`},
		{`resolver_preload: 1`, "preload should be a map of account_public_key:account_jwt"},
		{`resolver_preload: { A: 1 }`, "preload map value should be a string JWT"},
		{`resolver_preload: { A: "x" }`, "invalid account JWT"},
		{`resolver_preload: { A: "` + opJWT + `" }`, "invalid account JWT"},
		{`no_auth_user: 1`, "no_auth_user: expected a string, got int64"},
	} {
		_, p := parseAuthText(t, c.text)
		got := reasons(p.errs)
		if c.want == "" {
			if len(got) == 0 || !(strings.Contains(got[0], "single user/pass")) {
				t.Errorf("%s: %q", c.text, got)
			}
			continue
		}
		if len(got) == 0 || !strings.Contains(strings.Join(got, "\n"), c.want) {
			t.Errorf("%s:\n got %q\nwant %q", c.text, got, c.want)
		}
		for _, e := range p.errs {
			var fe *FieldError
			if !errors.As(e, &fe) || fe.Line == 0 {
				t.Errorf("%s: error %v is not located", c.text, e)
			}
		}
	}
}

// TestAuthConfigAgainstNatsServer feeds the same files to nats-server (ProcessConfigString,
// then NewServer for its startup checks) and to parseAuthKey + accounts.New, and checks that
// both accept or both refuse, with nats-server's reason when ours is one of its texts.
func TestAuthConfigAgainstNatsServer(t *testing.T) {
	nk, _ := nkeys.CreateUser()
	nkPub, _ := nk.PublicKey()
	_, opJWT, accPub, accJWT := operatorFiles(t)
	for _, c := range []struct {
		text      string
		sameText  bool   // our reason is nats-server's
		troupeErr bool   // a refusal of ours only (unsupported feature)
		both      string // both reasons contain this (the rest depends on map order)
	}{
		{text: `authorization { user: a, password: b }`},
		{text: `authorization { token: abc, timeout: 5 }`},
		{text: `authorization { users: [{user: a, password: b, permissions: {publish: ["x.>"], subscribe: {deny: "y"}}}] }`},
		{text: `authorization { users: [{nkey: ` + nkPub + `}] }`},
		{text: `authorization { users: [{user: a, permissions: {subscribe: "foo q1"}}], default_permissions: {publish: "p"} }`},
		{text: `authorization { users: [{user: a}] }
no_auth_user: a`},
		{text: `authorization { users: [{user: a}] }
no_auth_user: b`, sameText: true},
		{text: `no_auth_user: b`, sameText: true},
		{text: `authorization { user: a, password: b, token: c }`, sameText: true},
		{text: `authorization { token: a, users: [] }`, sameText: true},
		{text: `authorization { users: [{user: a}, {user: a}] }`, sameText: true},
		{text: `authorization { users: [{user: a, permissions: {publish: "a b"}}] }`, sameText: true},
		{text: `authorization { users: [{user: a, permissions: {allow_responses: {ttl: 123}}}] }`, sameText: true},
		{text: `accounts { A { users: [{user: a}] }, B { users: [{user: b}] } }`},
		{text: `accounts { A { users: [{user: a}] }, B { users: [{user: a}] } }`, sameText: true},
		{text: `accounts { A { exports: [{stream: x}] }, B { imports: [{stream: {account: A, subject: x}, prefix: p}] } }`},
		{text: `accounts { A { exports: [{stream: "x.>"}] }, B { imports: [{stream: {account: A, subject: "x.y"}, to: "z"}] } }`},
		{text: `accounts { A { exports: [{service: "svc.*", accounts: [B]}] }, B { imports: [{service: {account: A, subject: "svc.a"}, to: "s"}] } }`},
		{text: `accounts { A { exports: [{service: x, accounts: [C]}] }, B { imports: [{service: {account: A, subject: x}}] }, C {} }`, sameText: true},
		{text: `accounts { A { imports: [{stream: {account: C, subject: x}}] } }`, sameText: true},
		{text: `accounts { A {}, B { imports: [{stream: {account: A, subject: x}}] } }`, sameText: true},
		{text: `accounts { A { exports: [{stream: x}] }, B { imports: [{stream: {account: A, subject: x}, prefix: "p.*"}] } }`, sameText: true},
		{text: `accounts { A { imports: [{service: {account: B, subject: x}}], exports: [{service: x}] }, B { imports: [{service: {account: A, subject: x}}], exports: [{service: x}] } }`, sameText: true}, // the same text from either side
		{text: `accounts { $G {} }`, sameText: true},
		{text: `accounts { A { limits: {max_connections: 5, max_payload: 100} } }`},
		{text: `accounts { SYS { users: [{user: admin}] } }
system_account: SYS`},
		{text: `system_account: NOPE`},
		{text: `accounts: [A, B]`},
		{text: `operator: "` + opJWT + `"` + "\nresolver: MEMORY\nresolver_preload: {" + accPub + `: "` + accJWT + `"}`},
		{text: `operator: "` + opJWT + `"`}, // nats-server: an empty account server URL, whose fetch fails
		{text: `operator: "` + opJWT + `"` + "\nresolver: MEMORY\nauthorization { users: [{user: a}] }", sameText: true},
		{text: `operator: "` + opJWT + `"` + "\nresolver: MEMORY\nno_auth_user: x", sameText: true},
		{text: `trusted_keys: "OBAD"`, sameText: true},
		{text: `resolver_preload: {A: "x"}`, sameText: true},
		{text: `authorization { auth_callout: {issuer: x} }`, troupeErr: true},
		{text: `resolver: MEMORY`},
		{text: `accounts { A { exports: [{stream: x}], imports: [{stream: {account: B, subject: x}}] }, B { exports: [{stream: x}], imports: [{stream: {account: A, subject: x}}] } }`, both: "import forms a cycle"},
		{text: `accounts { A { exports: [{stream: "x.>"}], imports: [{stream: {account: B, subject: "y.>"}}] }, B { exports: [{stream: "y.>"}], imports: [{stream: {account: A, subject: "x.>"}}] } }`},
		{text: `accounts { A { exports: [{service: "a.>"}], imports: [{service: {account: B, subject: "b.x"}, to: "a.x"}] }, B { exports: [{service: "b.>"}], imports: [{service: {account: A, subject: "a.x"}, to: "b.x"}] } }`, both: "import forms a cycle"},
		{text: `accounts { A { exports: [{service: "a.>"}] }, B { exports: [{service: "b.>"}], imports: [{service: {account: A, subject: "a.x"}, to: "b.y"}] }, C { imports: [{service: {account: B, subject: "b.y"}}] } }`},
		{text: `accounts { A { exports: [{stream: "a..b"}] } }`},
		{text: `accounts { A { exports: [{stream: "a.b", account_token_position: 2}] } }`},
		{text: `accounts { A { exports: [{stream: "a.*", account_token_position: 2}] }, B { imports: [{stream: {account: A, subject: "a.B"}}] } }`},
		{text: `accounts { A { exports: [{stream: "a.*", account_token_position: 2}] }, B { imports: [{stream: {account: A, subject: "a.C"}}] } }`, sameText: true},
		{text: `accounts { A { exports: [{stream: "a.*", account_token_position: 2}] }, B { imports: [{stream: {account: A, subject: "a.*"}}] } }`, sameText: true},
		{text: `accounts { A { exports: [{stream: "a.>"}] }, B { imports: [{stream: {account: A, subject: "a.*"}, to: "b.*.*"}] } }`},
		{text: `accounts { A { exports: [{stream: "a.>"}] }, B { imports: [{stream: {account: A, subject: "a.*"}, to: "b.*"}] } }`},
		{text: `accounts { A { exports: [{service: "a.>"}] }, B { imports: [{service: {account: A, subject: "a.*"}, to: "b.>"}] } }`},
		{text: `accounts { A { exports: [{stream: "x"}] }, B { imports: [{stream: {account: A, subject: "x"}}, {stream: {account: A, subject: "x"}}] } }`, sameText: true},
		{text: `accounts { A { exports: [{stream: "x"}] }, B { imports: [{stream: {account: A, subject: "x"}, prefix: "p."}] } }`},
		{text: "authorization { token: t }\naccounts { A { users: [{user: a}] } }"}, // text depends on map order, in both
		{text: "authorization { users: [{user: a}] }\naccounts { A { users: [{user: b}] } }"},
		{text: "authorization { users: [{user: a}] }\naccounts { A { users: [{user: a}] } }", sameText: true},
		{text: "authorization { user: a, password: b }\naccounts { A { users: [{user: c}] } }"}, // text depends on map order, in both
	} {
		nerr := natsServerCheck(c.text)
		cfg, p := parseAuthText(t, c.text)
		terr := errors.Join(p.errs...)
		if terr == nil {
			_, terr = accounts.New(cfg)
		}
		if c.troupeErr {
			if terr == nil {
				t.Errorf("%s: accepted", c.text)
			}
			continue
		}
		if (nerr == nil) != (terr == nil) {
			t.Errorf("%s:\n nats-server: %v\n Troupe:      %v", c.text, nerr, terr)
			continue
		}
		if c.both != "" && (!strings.Contains(fmt.Sprint(nerr), c.both) || !strings.Contains(fmt.Sprint(terr), c.both)) {
			t.Errorf("%s:\n nats-server: %v\n Troupe:      %v\n both should say %q", c.text, nerr, terr, c.both)
		}
		if c.sameText && nerr != nil {
			reason := terr.Error()
			var fe *FieldError
			if errors.As(terr, &fe) {
				reason = fe.Reason
			}
			if !strings.Contains(nerr.Error(), reason) {
				t.Errorf("%s:\n nats-server: %v\n Troupe:      %q", c.text, nerr, reason)
			}
		}
	}
}

func natsServerCheck(text string) error {
	opts := &server.Options{}
	if err := opts.ProcessConfigString(text); err != nil {
		return err
	}
	opts.NoLog, opts.NoSigs, opts.Port = true, true, -1
	s, err := server.NewServer(opts)
	if err != nil {
		return err
	}
	s.Shutdown()
	return nil
}

// TestAuthDecisionsAgainstNatsServer starts nats-server with each configuration and sends it
// the same CONNECTs as Authenticate gets: both must accept or refuse, bind to the same
// account (nats-server's connect_info INFO says which), and agree on INFO's auth_required and
// nonce.
func TestAuthDecisionsAgainstNatsServer(t *testing.T) {
	if testing.Short() {
		t.Skip("starts nats-servers")
	}
	nk, _ := nkeys.CreateUser()
	nkPub, _ := nk.PublicKey()
	nkSeed, _ := nk.Seed()
	op, _ := nkeys.CreateOperator()
	opPub, _ := op.PublicKey()
	opJWT, _ := jwt.NewOperatorClaims(opPub).Encode(op)
	acc, _ := nkeys.CreateAccount()
	accPub, _ := acc.PublicKey()
	ac := jwt.NewAccountClaims(accPub)
	usr, _ := nkeys.CreateUser()
	usrPub, _ := usr.PublicKey()
	usrSeed, _ := usr.Seed()
	userJWT := func(edit func(*jwt.UserClaims)) string {
		uc := jwt.NewUserClaims(usrPub)
		if edit != nil {
			edit(uc)
		}
		s, err := uc.Encode(acc)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	okJWT := userJWT(nil)
	expJWT := userJWT(func(uc *jwt.UserClaims) { uc.Expires = time.Now().Add(-time.Minute).Unix() })
	bearerJWT := userJWT(func(uc *jwt.UserClaims) { uc.BearerToken = true })
	revoked, _ := nkeys.CreateUser()
	revokedPub, _ := revoked.PublicKey()
	revokedSeed, _ := revoked.Seed()
	rc := jwt.NewUserClaims(revokedPub)
	revokedJWT, _ := rc.Encode(acc)
	ac.RevokeAt(revokedPub, time.Now().Add(time.Minute))
	accJWT, _ := ac.Encode(op)
	const hash = "$2a$04$pxqYTgJVr5E8a4rK9.MHqeAgGk3I6O3Q4pnX1NP4Y8PbP9lzDxAeq" // "pw", cost 4
	if !accounts.IsBcrypt(hash) {
		t.Fatal("hash")
	}

	type connect struct {
		name string
		c    protocol.Connect
		seed []byte // signs the nonce into c.Sig
	}
	for _, tc := range []struct {
		conf     string
		connects []connect
	}{
		{`authorization { user: a, password: b }`, []connect{
			{"right", protocol.Connect{User: "a", Pass: "b"}, nil},
			{"wrong", protocol.Connect{User: "a", Pass: "c"}, nil},
			{"none", protocol.Connect{}, nil},
		}},
		{`authorization { token: "` + hash + `" }`, []connect{
			{"right", protocol.Connect{Token: "pw"}, nil},
			{"hash itself", protocol.Connect{Token: hash}, nil},
		}},
		{`authorization { users: [{user: a, password: "` + hash + `"}, {user: g, password: x}] }` + "\nno_auth_user: g", []connect{
			{"bcrypt", protocol.Connect{User: "a", Pass: "pw"}, nil},
			{"none", protocol.Connect{}, nil},
			{"wrong", protocol.Connect{User: "a", Pass: "x"}, nil},
			{"password only", protocol.Connect{Pass: "x"}, nil},
		}},
		{`accounts { A { users: [{user: a, password: a}, {user: g, password: g}] }, B { users: [{user: b, password: b}] } }` + "\nno_auth_user: g", []connect{
			{"a", protocol.Connect{User: "a", Pass: "a"}, nil},
			{"b", protocol.Connect{User: "b", Pass: "b"}, nil},
			{"none", protocol.Connect{}, nil},
		}},
		{`authorization { users: [{nkey: ` + nkPub + `}, {user: p, password: p}] }`, []connect{
			{"signed", protocol.Connect{Nkey: nkPub}, nkSeed},
			{"unsigned", protocol.Connect{Nkey: nkPub}, nil},
			{"signed by other", protocol.Connect{Nkey: nkPub}, usrSeed},
			{"password", protocol.Connect{User: "p", Pass: "p"}, nil},
		}},
		{`accounts { SYS { users: [{user: admin, password: s}] } }` + "\nsystem_account: SYS", []connect{
			{"admin", protocol.Connect{User: "admin", Pass: "s"}, nil},
			{"anonymous", protocol.Connect{}, nil},
			{"bad", protocol.Connect{User: "admin", Pass: "x"}, nil},
		}},
		{`accounts { $SYS { users: [{user: admin, password: s}] } }`, []connect{
			{"admin", protocol.Connect{User: "admin", Pass: "s"}, nil},
			{"anonymous", protocol.Connect{}, nil},
		}},
		{`accounts { SYS { users: [{user: admin, password: s}] }, A { users: [{user: a, password: a}] } }` + "\nsystem_account: SYS", []connect{
			{"a", protocol.Connect{User: "a", Pass: "a"}, nil},
			{"anonymous", protocol.Connect{}, nil},
		}},
		{`authorization { users: [] }`, []connect{{"none", protocol.Connect{}, nil}}},
		// Deviation: nats-server compares the no_auth_user's bcrypt hash with itself and refuses
		// (deviation is true); Troupe binds the client to the no_auth_user.
		{`authorization { users: [{user: g, password: "` + hash + `"}] }` + "\nno_auth_user: g", []connect{{"none (deviation)", protocol.Connect{}, nil}}},
		{`authorization { users: [{user: w, password: w, allowed_connection_types: ["WEBSOCKET"]}, {user: s, password: s, allowed_connection_types: ["STANDARD"]}] }`, []connect{
			{"websocket only", protocol.Connect{User: "w", Pass: "w"}, nil},
			{"standard", protocol.Connect{User: "s", Pass: "s"}, nil},
		}},
		{`operator: "` + opJWT + `"` + "\nresolver: MEMORY\nresolver_preload: {" + accPub + `: "` + accJWT + `"}`, []connect{
			{"valid", protocol.Connect{JWT: okJWT}, usrSeed},
			{"unsigned", protocol.Connect{JWT: okJWT}, nil},
			{"expired", protocol.Connect{JWT: expJWT}, usrSeed},
			{"bearer", protocol.Connect{JWT: bearerJWT}, nil},
			{"revoked", protocol.Connect{JWT: revokedJWT}, revokedSeed},
			{"no jwt", protocol.Connect{User: "a", Pass: "b"}, nil},
		}},
	} {
		opts := &server.Options{}
		if err := opts.ProcessConfigString(tc.conf); err != nil {
			t.Fatalf("%s: %v", tc.conf, err)
		}
		opts.Host, opts.Port, opts.NoLog, opts.NoSigs = "127.0.0.1", -1, true, true
		s, err := server.NewServer(opts)
		if err != nil {
			t.Fatalf("%s: %v", tc.conf, err)
		}
		go s.Start()
		if !s.ReadyForConnections(5 * time.Second) {
			t.Fatal("not ready")
		}
		cfg := mustParseAuth(t, tc.conf)
		auth, err := accounts.New(cfg)
		if err != nil {
			t.Fatalf("%s: %v", tc.conf, err)
		}
		for _, c := range tc.connects {
			info, ok, account := natsConnectOnce(t, s.Addr().String(), c.c, c.seed)
			if info.AuthRequired != auth.Required() || (info.Nonce != "") != auth.NonceNeeded() {
				t.Errorf("%s: INFO auth_required %v nonce %q; Troupe %v %v", tc.conf, info.AuthRequired, info.Nonce, auth.Required(), auth.NonceNeeded())
			}
			nonce := []byte(info.Nonce)
			cc := c.c
			if c.seed != nil {
				cc.Sig, _ = accounts.SignNonce(c.seed, nonce)
			}
			r, err := auth.Authenticate(context.Background(), &cc, nonce)
			switch {
			case strings.HasSuffix(c.name, "(deviation)"):
				if ok || err != nil {
					t.Errorf("%s, %s: expected nats-server to refuse and Troupe to accept: %v, %v", tc.conf, c.name, ok, err)
				}
			case ok != (err == nil):
				t.Errorf("%s, %s: nats-server ok=%v, Troupe %v", tc.conf, c.name, ok, err)
			case ok && r.Account != account:
				t.Errorf("%s, %s: nats-server binds to %q, Troupe to %q", tc.conf, c.name, account, r.Account)
			}
		}
		s.Shutdown()
	}
}

// natsConnectOnce connects, sends CONNECT (signing the nonce with seed if given) and PING, and
// reports INFO, whether nats-server accepted, and the account it bound to.
func natsConnectOnce(t *testing.T, addr string, c protocol.Connect, seed []byte) (info server.Info, ok bool, account string) {
	t.Helper()
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	nc.SetDeadline(time.Now().Add(5 * time.Second))
	r := bufio.NewReader(nc)
	line, err := r.ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "INFO ") {
		t.Fatalf("INFO: %q %v", line, err)
	}
	if err := json.Unmarshal([]byte(strings.TrimSpace(line[5:])), &info); err != nil {
		t.Fatal(err)
	}
	if seed != nil {
		c.Sig, _ = accounts.SignNonce(seed, []byte(info.Nonce))
	}
	c.Protocol, c.Verbose, c.Echo = 1, false, true
	nc.Write(append(protocol.AppendConnect(nil, &c), "PING\r\n"...))
	line, err = r.ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "PONG") {
		return info, false, ""
	}
	line, err = r.ReadString('\n') // the connect_info INFO
	if err != nil {
		t.Fatal(err)
	}
	var ci server.Info
	json.Unmarshal([]byte(strings.TrimSpace(strings.TrimPrefix(line, "INFO "))), &ci)
	return info, true, ci.RemoteAccount
}
