package accounts

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/jwt/v2"
	"github.com/nats-io/nkeys"
	"github.com/troupe/troupe/protocol"
)

// opEnv is an operator with one signing key, in JWTs made by the tests.
type opEnv struct {
	t       *testing.T
	op, sk  nkeys.KeyPair
	opPub   string
	skPub   string
	claims  *jwt.OperatorClaims
	jwt     string
	preload map[string]string
}

func newOperator(t *testing.T, edit func(*jwt.OperatorClaims)) *opEnv {
	t.Helper()
	op, _ := nkeys.CreateOperator()
	sk, _ := nkeys.CreateOperator()
	e := &opEnv{t: t, op: op, sk: sk, preload: map[string]string{}}
	e.opPub, _ = op.PublicKey()
	e.skPub, _ = sk.PublicKey()
	e.claims = jwt.NewOperatorClaims(e.opPub)
	e.claims.SigningKeys.Add(e.skPub)
	if edit != nil {
		edit(e.claims)
	}
	var err error
	if e.jwt, err = e.claims.Encode(op); err != nil {
		t.Fatal(err)
	}
	return e
}

// account makes an account signed by signer (the operator key when nil) and preloads it.
type accEnv struct {
	kp     nkeys.KeyPair
	pub    string
	claims *jwt.AccountClaims
	jwt    string
}

func (e *opEnv) account(signer nkeys.KeyPair, edit func(*jwt.AccountClaims)) *accEnv {
	e.t.Helper()
	kp, _ := nkeys.CreateAccount()
	return e.accountFor(kp, signer, edit)
}

func (e *opEnv) accountFor(kp, signer nkeys.KeyPair, edit func(*jwt.AccountClaims)) *accEnv {
	e.t.Helper()
	a := &accEnv{kp: kp}
	a.pub, _ = kp.PublicKey()
	a.claims = jwt.NewAccountClaims(a.pub)
	if edit != nil {
		edit(a.claims)
	}
	if signer == nil {
		signer = e.op
	}
	var err error
	if a.jwt, err = a.claims.Encode(signer); err != nil {
		e.t.Fatal(err)
	}
	e.preload[a.pub] = a.jwt
	return a
}

// user makes a user JWT issued by signer (the account key when nil, else a signing key with
// issuer_account set) and returns its creds file text.
func (a *accEnv) user(t *testing.T, signer nkeys.KeyPair, edit func(*jwt.UserClaims)) (creds []byte, pub string) {
	t.Helper()
	kp, _ := nkeys.CreateUser()
	pub, _ = kp.PublicKey()
	seed, _ := kp.Seed()
	uc := jwt.NewUserClaims(pub)
	if signer == nil {
		signer = a.kp
	} else {
		uc.IssuerAccount = a.pub
	}
	if edit != nil {
		edit(uc)
	}
	s, err := uc.Encode(signer)
	if err != nil {
		t.Fatal(err)
	}
	creds, err = jwt.FormatUserConfig(s, seed)
	if err != nil {
		t.Fatal(err)
	}
	return creds, pub
}

func (e *opEnv) authenticator(edit func(*Config)) *Authenticator {
	e.t.Helper()
	cfg := &Config{Operators: []string{e.jwt}, Resolver: NewMemoryResolver(nil), ResolverPreload: e.preload}
	if edit != nil {
		edit(cfg)
	}
	return mustNew(e.t, cfg)
}

// connectWith builds the CONNECT a client sends with a creds file for nonce.
func connectWith(t *testing.T, creds []byte, nonce []byte) *protocol.Connect {
	t.Helper()
	j, seed, err := ParseCreds(creds)
	if err != nil {
		t.Fatal(err)
	}
	sig, err := SignNonce(seed, nonce)
	if err != nil {
		t.Fatal(err)
	}
	return &protocol.Connect{JWT: j, Sig: sig}
}

func TestOperatorMode(t *testing.T) {
	env := newOperator(t, nil)
	skAcc, _ := nkeys.CreateAccount() // an account signing key
	skAccPub, _ := skAcc.PublicKey()
	acc := env.account(nil, func(ac *jwt.AccountClaims) {
		ac.SigningKeys.Add(skAccPub)
		ac.Limits.Conn, ac.Limits.Subs, ac.Limits.Payload = 3, 100, 2048
	})
	bySK := env.account(env.sk, nil) // account signed by the operator's signing key
	expiredAcc := env.account(nil, func(ac *jwt.AccountClaims) { ac.Expires = time.Now().Add(-time.Minute).Unix() })
	noBearer := env.account(nil, func(ac *jwt.AccountClaims) { ac.Limits.DisallowBearer = true })
	other := newOperator(t, nil)
	untrusted := other.account(nil, nil)
	revokedAcc := env.account(nil, nil)
	unknown, _ := nkeys.CreateAccount()
	unknownAcc := &accEnv{kp: unknown}
	unknownAcc.pub, _ = unknown.PublicKey()

	a := env.authenticator(nil)
	if !a.OperatorMode() || !a.Required() || !a.NonceNeeded() {
		t.Fatal("operator mode flags")
	}
	nonce := NewNonce()
	ctx := context.Background()

	valid, validPub := acc.user(t, nil, func(uc *jwt.UserClaims) {
		uc.Pub.Allow.Add("foo.>")
		uc.Sub.Deny.Add("secret")
		uc.Limits.Subs = 10
		uc.Expires = time.Now().Add(time.Hour).Unix()
	})
	r, err := a.Authenticate(ctx, connectWith(t, valid, nonce), nonce)
	if err != nil {
		t.Fatalf("valid user refused: %v", err)
	}
	if r.Account != acc.pub || r.User != validPub || r.AccountDef == nil || r.AccountDef.Limits.MaxConnections != 3 {
		t.Fatalf("result %+v", r)
	}
	if !r.Perms.CanPublish([]byte("foo.x")) || r.Perms.CanPublish([]byte("bar")) || r.Perms.CanSubscribe([]byte("secret"), nil) {
		t.Fatal("JWT permissions not applied")
	}
	if r.Limits != (ConnLimits{MaxSubscriptions: 10, MaxPayload: 2048}) {
		t.Fatalf("limits %+v", r.Limits)
	}
	if d := time.Until(r.Expires); d < 59*time.Minute || d > time.Hour {
		t.Fatalf("expires in %v", d)
	}

	fail := func(name string, c *protocol.Connect) {
		t.Helper()
		if r, err := a.Authenticate(ctx, c, nonce); err != ErrAuthorization || r != nil {
			t.Errorf("%s: accepted (%+v, %v)", name, r, err)
		}
	}
	pass := func(name string, c *protocol.Connect) *Result {
		t.Helper()
		r, err := a.Authenticate(ctx, c, nonce)
		if err != nil {
			t.Errorf("%s: refused", name)
		}
		return r
	}

	expired, _ := acc.user(t, nil, func(uc *jwt.UserClaims) { uc.Expires = time.Now().Add(-time.Second).Unix() })
	fail("expired user", connectWith(t, expired, nonce))
	notYet, _ := acc.user(t, nil, func(uc *jwt.UserClaims) { uc.NotBefore = time.Now().Add(time.Hour).Unix() })
	fail("not yet valid user", connectWith(t, notYet, nonce))
	u, _ := untrusted.user(t, nil, nil)
	fail("untrusted operator", connectWith(t, u, nonce))
	u, _ = bySK.user(t, nil, nil)
	pass("account signed by an operator signing key", connectWith(t, u, nonce))
	u, _ = acc.user(t, skAcc, nil)
	if r := pass("user signed by an account signing key", connectWith(t, u, nonce)); r != nil && r.Account != acc.pub {
		t.Errorf("bound to %s", r.Account)
	}
	strangeSK, _ := nkeys.CreateAccount()
	u, _ = acc.user(t, strangeSK, nil)
	fail("user signed by an unknown signing key", connectWith(t, u, nonce))
	u, _ = expiredAcc.user(t, nil, nil)
	fail("expired account", connectWith(t, u, nonce))
	u, _ = unknownAcc.user(t, nil, nil)
	fail("account the resolver does not have", connectWith(t, u, nonce))

	// Bearer tokens need no signature, unless the account refuses them.
	bearer, _ := acc.user(t, nil, func(uc *jwt.UserClaims) { uc.BearerToken = true })
	j, _, _ := ParseCreds(bearer)
	pass("bearer token without sig", &protocol.Connect{JWT: j})
	u, _ = noBearer.user(t, nil, func(uc *jwt.UserClaims) { uc.BearerToken = true })
	j, _, _ = ParseCreds(u)
	fail("bearer token, account disallows", &protocol.Connect{JWT: j})
	j, _, _ = ParseCreds(valid)
	fail("no sig", &protocol.Connect{JWT: j})
	fail("sig of another nonce", connectWith(t, valid, NewNonce()))
	other2, _ := acc.user(t, nil, nil)
	c := connectWith(t, other2, nonce)
	c.JWT = j
	fail("sig by another user", c)
	fail("no JWT", &protocol.Connect{User: "x", Pass: "y"})
	fail("garbage JWT", &protocol.Connect{JWT: "eyJhbGciOi.garbage.x", Sig: "x"})
	ws, _ := acc.user(t, nil, func(uc *jwt.UserClaims) { uc.AllowedConnectionTypes.Add(jwt.ConnectionTypeWebsocket) })
	fail("websocket-only user", connectWith(t, ws, nonce))
	std, _ := acc.user(t, nil, func(uc *jwt.UserClaims) { uc.AllowedConnectionTypes.Add(jwt.ConnectionTypeStandard) })
	pass("standard user", connectWith(t, std, nonce))
	proxy, _ := acc.user(t, nil, func(uc *jwt.UserClaims) { uc.ProxyRequired = true })
	fail("proxy required", connectWith(t, proxy, nonce))

	// Revocations: of the user at or after its issue time, of all users.
	rv, rvPub := revokedAcc.user(t, nil, nil)
	pass("before revocation", connectWith(t, rv, nonce))
	revokedAcc.claims.RevokeAt(rvPub, time.Now())
	updated, err := revokedAcc.claims.Encode(env.op)
	if err != nil {
		t.Fatal(err)
	}
	newAcc, err := a.UpdateAccount(updated)
	if err != nil {
		t.Fatal(err)
	}
	ujwt, _ := jwt.DecodeUserClaims(mustJWT(t, rv))
	if !newAcc.IsRevoked(rvPub, ujwt.IssuedAt) || newAcc.IsRevoked("UOTHER", ujwt.IssuedAt) {
		t.Fatal("IsRevoked")
	}
	fail("revoked user", connectWith(t, rv, nonce))
	all := env.account(nil, func(ac *jwt.AccountClaims) { ac.RevokeAt(jwt.All, time.Now().Add(time.Minute)) })
	a2 := env.authenticator(nil)
	u, _ = all.user(t, nil, nil)
	if _, err := a2.Authenticate(ctx, connectWith(t, u, nonce), nonce); err == nil {
		t.Error("user revoked through * accepted")
	}
}

func mustJWT(t *testing.T, creds []byte) string {
	t.Helper()
	j, _, err := ParseCreds(creds)
	if err != nil {
		t.Fatal(err)
	}
	return j
}

func TestStrictSigningKeyUsage(t *testing.T) {
	env := newOperator(t, func(oc *jwt.OperatorClaims) { oc.StrictSigningKeyUsage = true })
	byOp := env.account(nil, nil)
	bySK := env.account(env.sk, nil)
	a := env.authenticator(nil)
	nonce := NewNonce()
	u, _ := byOp.user(t, nil, nil)
	if _, err := a.Authenticate(context.Background(), connectWith(t, u, nonce), nonce); err == nil {
		t.Error("strict operator: account signed by the operator key accepted")
	}
	u, _ = bySK.user(t, nil, nil)
	if _, err := a.Authenticate(context.Background(), connectWith(t, u, nonce), nonce); err == nil {
		t.Error("strict operator: user signed by the account key itself accepted")
	}
	sk, _ := nkeys.CreateAccount()
	skPub, _ := sk.PublicKey()
	bySK2 := env.account(env.sk, func(ac *jwt.AccountClaims) { ac.SigningKeys.Add(skPub) })
	a = env.authenticator(nil)
	u, _ = bySK2.user(t, sk, nil)
	if _, err := a.Authenticate(context.Background(), connectWith(t, u, nonce), nonce); err != nil {
		t.Errorf("strict operator, signing keys all the way: %v", err)
	}
}

func TestScopedSigningKey(t *testing.T) {
	env := newOperator(t, nil)
	sk, _ := nkeys.CreateAccount()
	skPub, _ := sk.PublicKey()
	acc := env.account(nil, func(ac *jwt.AccountClaims) {
		scope := jwt.NewUserScope()
		scope.Key = skPub
		scope.Template.Pub.Allow.Add("user.{{name()}}.>", "tag.{{tag(team)}}")
		scope.Template.Sub.Allow.Add("_INBOX.>")
		scope.Template.Limits.Subs = 5
		ac.SigningKeys.AddScopedSigner(scope)
	})
	a := env.authenticator(nil)
	nonce := NewNonce()
	u, _ := acc.user(t, sk, func(uc *jwt.UserClaims) {
		uc.SetScoped(true)
		uc.Name = "bob"
		uc.Tags.Add("team:red", "team:blue")
	})
	r, err := a.Authenticate(context.Background(), connectWith(t, u, nonce), nonce)
	if err != nil {
		t.Fatalf("scoped user refused: %v", err)
	}
	for subj, want := range map[string]bool{"user.bob.x": true, "user.alice.x": false, "tag.red": true, "tag.blue": true, "tag.green": false} {
		if r.Perms.CanPublish([]byte(subj)) != want {
			t.Errorf("CanPublish(%q) != %v", subj, want)
		}
	}
	if r.Limits.MaxSubscriptions != 5 {
		t.Errorf("scope limits: %+v", r.Limits)
	}
	// A user of a scoped key may not carry permissions of its own.
	u, _ = acc.user(t, sk, func(uc *jwt.UserClaims) { uc.Pub.Allow.Add(">") })
	if _, err := a.Authenticate(context.Background(), connectWith(t, u, nonce), nonce); err == nil {
		t.Error("scoped user with own permissions accepted")
	}
}

func TestUserSourceAndTimes(t *testing.T) {
	env := newOperator(t, nil)
	acc := env.account(nil, nil)
	a := env.authenticator(nil)
	nonce := NewNonce()
	u, _ := acc.user(t, nil, func(uc *jwt.UserClaims) { uc.Src.Set("10.0.0.0/8") })
	ctx := context.Background()
	if _, err := a.AuthenticateFrom(ctx, connectWith(t, u, nonce), nonce, "10.1.2.3"); err != nil {
		t.Errorf("inside src: %v", err)
	}
	if _, err := a.AuthenticateFrom(ctx, connectWith(t, u, nonce), nonce, "192.168.1.1"); err == nil {
		t.Error("outside src accepted")
	}
	if _, err := a.Authenticate(ctx, connectWith(t, u, nonce), nonce); err == nil {
		t.Error("src without a host accepted")
	}
	now := time.Now()
	u, _ = acc.user(t, nil, func(uc *jwt.UserClaims) {
		uc.Times = []jwt.TimeRange{{Start: now.Add(-time.Hour).Format("15:04:05"), End: now.Add(time.Hour).Format("15:04:05")}}
	})
	r, err := a.Authenticate(ctx, connectWith(t, u, nonce), nonce)
	if err != nil || r.Expires.IsZero() || time.Until(r.Expires) > time.Hour {
		t.Errorf("inside connect times: %+v, %v", r, err)
	}
	u, _ = acc.user(t, nil, func(uc *jwt.UserClaims) {
		uc.Times = []jwt.TimeRange{{Start: now.Add(time.Hour).Format("15:04:05"), End: now.Add(2 * time.Hour).Format("15:04:05")}}
	})
	if _, err := a.Authenticate(ctx, connectWith(t, u, nonce), nonce); err == nil && now.Hour() < 22 {
		t.Error("outside connect times accepted")
	}
}

func TestURLResolver(t *testing.T) {
	env := newOperator(t, nil)
	acc := env.account(nil, nil)
	var fetches atomic.Int32
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fetches.Add(1)
		<-release
		name := strings.TrimPrefix(r.URL.Path, "/jwt/v1/accounts/")
		if j, ok := env.preload[name]; ok {
			w.Write([]byte(j))
			return
		}
		http.NotFound(w, r)
	}))
	defer srv.Close()
	a := mustNew(t, &Config{Operators: []string{env.jwt}, Resolver: NewURLResolver(srv.URL + "/jwt/v1/accounts")})
	nonce := NewNonce()
	u, _ := acc.user(t, nil, nil)
	// Concurrent first connections share one fetch.
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := a.Authenticate(context.Background(), connectWith(t, u, nonce), nonce)
			errs <- err
		}()
	}
	for fetches.Load() == 0 { // the fetch has started; the others wait for it or find it done
		time.Sleep(time.Millisecond)
	}
	close(release)
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatalf("URL resolver: %v", err)
		}
	}
	if n := fetches.Load(); n != 1 {
		t.Fatalf("%d fetches for one account", n)
	}
	// Cached from now on.
	if _, err := a.Authenticate(context.Background(), connectWith(t, u, nonce), nonce); err != nil || fetches.Load() != 1 {
		t.Fatalf("second connection: %v, %d fetches", err, fetches.Load())
	}
	// A 404 is a failure, retried on the next connection.
	kp, _ := nkeys.CreateAccount()
	missing := &accEnv{kp: kp}
	missing.pub, _ = kp.PublicKey()
	u, _ = missing.user(t, nil, nil)
	for range 2 {
		if _, err := a.Authenticate(context.Background(), connectWith(t, u, nonce), nonce); err != ErrAuthorization {
			t.Fatalf("missing account: %v", err)
		}
	}
	if fetches.Load() != 3 {
		t.Fatalf("%d fetches", fetches.Load())
	}
	// A caller that gives up does not wait for the fetch.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	hold := make(chan struct{})
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-hold }))
	defer slow.Close()
	defer close(hold)
	b := mustNew(t, &Config{Operators: []string{env.jwt}, Resolver: NewURLResolver(slow.URL)})
	start := time.Now()
	if _, err := b.Authenticate(ctx, connectWith(t, u, nonce), nonce); err == nil || time.Since(start) > 300*time.Millisecond {
		t.Fatalf("cancelled lookup: %v after %v", err, time.Since(start))
	}
}

func TestOperatorConfigErrors(t *testing.T) {
	env := newOperator(t, func(oc *jwt.OperatorClaims) { oc.SystemAccount = "" })
	withSys := newOperator(t, func(oc *jwt.OperatorClaims) {
		kp, _ := nkeys.CreateAccount()
		oc.SystemAccount, _ = kp.PublicKey()
	})
	for _, c := range []struct {
		cfg  *Config
		want string
	}{
		{&Config{Operators: []string{env.jwt}}, "operators require an account resolver to be configured"},
		{&Config{Operators: []string{env.jwt}, Resolver: NewMemoryResolver(nil), Users: []*User{{Username: "a"}}}, "operators do not allow users to be configured directly"},
		{&Config{Operators: []string{env.jwt}, Resolver: NewMemoryResolver(nil), Accounts: []*Account{{Name: "A"}}}, "operators do not allow Accounts to be configured directly"},
		{&Config{Operators: []string{env.jwt}, TrustedKeys: []string{env.opPub}, Resolver: NewMemoryResolver(nil)}, "conflicting options for 'TrustedKeys' and 'TrustedOperators'"},
		{&Config{TrustedKeys: []string{"OBAD"}}, `trusted Keys "OBAD" are required to be a valid public operator nkey`},
		{&Config{Operators: []string{env.jwt}, Resolver: NewMemoryResolver(nil), NoAuthUser: "x"}, "no_auth_user not compatible with Trusted Operator"},
		{&Config{Operators: []string{withSys.jwt}, Resolver: NewMemoryResolver(nil), SystemAccount: "AOTHER"}, "system_account in config and operator JWT must be identical"},
		{&Config{Operators: []string{"eyJnotajwt"}, Resolver: NewMemoryResolver(nil)}, "error parsing operator JWT: "},
	} {
		_, err := New(c.cfg)
		if err == nil || !strings.HasPrefix(err.Error(), c.want) {
			t.Errorf("New: %v, want %q", err, c.want)
		}
	}
	a := mustNew(t, &Config{Operators: []string{withSys.jwt}, Resolver: NewMemoryResolver(nil)})
	if a.SystemAccountName() != withSys.claims.SystemAccount {
		t.Errorf("system account %q", a.SystemAccountName())
	}
	// An operator with an account server URL needs no resolver.
	srvURL := newOperator(t, func(oc *jwt.OperatorClaims) { oc.AccountServerURL = "http://127.0.0.1:1/jwt/v1" })
	a = mustNew(t, &Config{Operators: []string{srvURL.jwt}})
	if r, ok := a.resolver.(*URLResolver); !ok || r.URL() != "http://127.0.0.1:1/jwt/v1/accounts/" {
		t.Errorf("resolver %#v", a.resolver)
	}
}

func TestReadOperatorJWT(t *testing.T) {
	env := newOperator(t, nil)
	dir := t.TempDir()
	decorated, err := jwt.DecorateJWT(env.jwt)
	if err != nil {
		t.Fatal(err)
	}
	for name, content := range map[string][]byte{"plain.jwt": []byte(env.jwt), "decorated.jwt": decorated} {
		p := filepath.Join(dir, name)
		os.WriteFile(p, content, 0o600)
		if got, err := ReadOperatorJWT(p); err != nil || got != env.jwt {
			t.Errorf("%s: %v", name, err)
		}
	}
	if got, err := ReadOperatorJWT(env.jwt); err != nil || got != env.jwt {
		t.Errorf("inline: %v", err)
	}
	if _, err := ReadOperatorJWT(filepath.Join(dir, "missing.jwt")); err == nil {
		t.Error("missing file accepted")
	}
	acc := env.account(nil, nil)
	if _, err := ReadOperatorJWT(acc.jwt); err == nil {
		t.Error("account JWT accepted as operator")
	}
}

func TestCreds(t *testing.T) {
	env := newOperator(t, nil)
	acc := env.account(nil, nil)
	creds, pub := acc.user(t, nil, nil)
	j, seed, err := ParseCreds(creds)
	if err != nil {
		t.Fatal(err)
	}
	uc, err := jwt.DecodeUserClaims(j)
	if err != nil || uc.Subject != pub {
		t.Fatalf("JWT: %v", err)
	}
	kp, err := nkeys.FromSeed(seed)
	if err != nil {
		t.Fatal(err)
	}
	if p, _ := kp.PublicKey(); p != pub {
		t.Fatal("seed does not match")
	}
	// Windows line ends, and a creds file where the seed is a bare line.
	if j2, _, err := ParseCreds([]byte(strings.ReplaceAll(string(creds), "\n", "\r\n"))); err != nil || j2 != j {
		t.Fatalf("CRLF creds: %v", err)
	}
	bare := "-----BEGIN NATS USER JWT-----\n" + j + "\n------END NATS USER JWT------\n\n" + string(seed) + "\n"
	if _, s2, err := ParseCreds([]byte(bare)); err != nil || string(s2) != string(seed) {
		t.Fatalf("bare seed: %v", err)
	}
	if _, _, err := ParseCreds([]byte(j)); err != ErrNoCredsJWT {
		t.Fatalf("undecorated: %v", err)
	}
	if _, _, err := ParseCreds([]byte("-----BEGIN NATS USER JWT-----\n" + j + "\n------END NATS USER JWT------\n")); err != ErrNoCredsSeed {
		t.Fatalf("no seed: %v", err)
	}
	if _, _, err := ParseCreds([]byte(strings.Replace(string(creds), string(seed), "SUNOTASEED", 1))); err == nil {
		t.Fatal("bad seed accepted")
	}
}

func TestJWTImportsAndActivation(t *testing.T) {
	env := newOperator(t, nil)
	importerKP, _ := nkeys.CreateAccount()
	importerPub, _ := importerKP.PublicKey()
	exporter := env.account(nil, func(ac *jwt.AccountClaims) {
		ac.Exports.Add(&jwt.Export{Subject: "public.>", Type: jwt.Stream},
			&jwt.Export{Subject: "private.>", Type: jwt.Service, TokenReq: true, ResponseType: jwt.ResponseTypeStream})
	})
	act := jwt.NewActivationClaims(importerPub)
	act.ImportSubject, act.ImportType = "private.>", jwt.Service
	token, err := act.Encode(exporter.kp)
	if err != nil {
		t.Fatal(err)
	}
	importer := env.accountFor(importerKP, nil, func(ac *jwt.AccountClaims) {
		ac.Imports.Add(&jwt.Import{Subject: "public.>", Account: exporter.pub, Type: jwt.Stream, LocalSubject: "ext.>"},
			&jwt.Import{Subject: "private.svc", Account: exporter.pub, Type: jwt.Service, Token: token})
	})
	a := env.authenticator(nil)
	ctx := context.Background()
	imp, err := a.LookupAccount(ctx, importer.pub)
	if err != nil {
		t.Fatal(err)
	}
	exp, err := a.LookupAccount(ctx, exporter.pub)
	if err != nil {
		t.Fatal(err)
	}
	if len(imp.Imports) != 2 || len(exp.Exports) != 2 {
		t.Fatalf("imports %+v exports %+v", imp.Imports, exp.Exports)
	}
	for i := range imp.Imports {
		im := &imp.Imports[i]
		if err := exp.CheckImport(imp, im); err != nil {
			t.Errorf("import %+v: %v", im, err)
		}
	}
	// Encoding sorts imports and exports: find them by kind.
	byKind := func(k ExportKind) (*Import, *Export) {
		var im *Import
		var ex *Export
		for i := range imp.Imports {
			if imp.Imports[i].Kind == k {
				im = &imp.Imports[i]
			}
		}
		for i := range exp.Exports {
			if exp.Exports[i].Kind == k {
				ex = &exp.Exports[i]
			}
		}
		return im, ex
	}
	if s, _ := byKind(Stream); s.LocalSubject() != "ext.>" {
		t.Errorf("stream import %+v", s)
	}
	svc, e := byKind(Service)
	if e.ResponseType != ResponseStream || !e.TokenRequired || svc.Subject != "private.svc" {
		t.Errorf("service export %+v, import %+v", e, svc)
	}
	// Without the token, or with a token for another account, the private import fails.
	noTok := *svc
	noTok.Token = ""
	if err := exp.CheckImport(imp, &noTok); err != ErrServiceImportAuthorization {
		t.Errorf("no token: %v", err)
	}
	if err := exp.CheckImport(exp, svc); err == nil {
		t.Error("token for another account accepted")
	}
}

func TestTemplateErrors(t *testing.T) {
	env := newOperator(t, nil)
	mk := func(edit func(*jwt.UserScope)) (*accEnv, nkeys.KeyPair) {
		sk, _ := nkeys.CreateAccount()
		skPub, _ := sk.PublicKey()
		acc := env.account(nil, func(ac *jwt.AccountClaims) {
			ac.Tags.Add("region:eu")
			scope := jwt.NewUserScope()
			scope.Key = skPub
			edit(scope)
			ac.SigningKeys.AddScopedSigner(scope)
		})
		return acc, sk
	}
	nonce := NewNonce()
	for _, c := range []struct {
		name string
		edit func(*jwt.UserScope)
		ok   bool
		pub  map[string]bool
	}{
		{"unknown operation", func(s *jwt.UserScope) { s.Template.Pub.Allow.Add("a.{{nope()}}") }, false, nil},
		{"missing tag in deny", func(s *jwt.UserScope) { s.Template.Pub.Deny.Add("a.{{tag(x)}}") }, false, nil},
		{"missing tag in allow turns into deny all", func(s *jwt.UserScope) { s.Template.Pub.Allow.Add("a.{{tag(x)}}") }, true,
			map[string]bool{"a.b": false, "x": false}},
		{"account tag and subject", func(s *jwt.UserScope) {
			s.Template.Pub.Allow.Add("r.{{account-tag(region)}}", "acc.{{account-subject()}}")
		}, true, map[string]bool{"r.eu": true, "r.us": false}},
	} {
		acc, sk := mk(c.edit)
		a := env.authenticator(nil)
		u, _ := acc.user(t, sk, func(uc *jwt.UserClaims) { uc.SetScoped(true) })
		r, err := a.Authenticate(context.Background(), connectWith(t, u, nonce), nonce)
		if (err == nil) != c.ok {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		for s, want := range c.pub {
			if r.Perms.CanPublish([]byte(s)) != want {
				t.Errorf("%s: CanPublish(%q) != %v", c.name, s, want)
			}
		}
		if c.name == "account tag and subject" && !r.Perms.CanPublish([]byte("acc."+acc.pub)) {
			t.Errorf("%s: account-subject()", c.name)
		}
	}
}

func TestAccountUpdatesAndLookups(t *testing.T) {
	env := newOperator(t, nil)
	acc := env.account(nil, nil)
	a := env.authenticator(nil)
	ctx := context.Background()
	first, err := a.LookupAccount(ctx, acc.pub)
	if err != nil {
		t.Fatal(err)
	}
	if again, _ := a.LookupAccount(ctx, acc.pub); again != first {
		t.Fatal("not cached")
	}
	if fresh, err := a.LookupAccountFresh(ctx, acc.pub); err != nil || fresh == first {
		t.Fatalf("fresh lookup: %v", err)
	}
	if _, err := a.LookupAccount(ctx, "not-a-key"); err == nil {
		t.Fatal("invalid key looked up")
	}
	other := newOperator(t, nil).account(nil, nil)
	if _, err := a.UpdateAccount(other.jwt); err != ErrAccountValidation {
		t.Fatalf("untrusted update: %v", err)
	}
	acc.claims.Limits.Conn = 1
	j, _ := acc.claims.Encode(env.op)
	up, err := a.UpdateAccount(j)
	if err != nil || up.Limits.MaxConnections != 1 {
		t.Fatalf("update: %v", err)
	}
	if got, _ := a.LookupAccount(ctx, acc.pub); got != up {
		t.Fatal("update not cached")
	}
	// Config mode: configured accounts only.
	b := mustNew(t, &Config{Accounts: []*Account{{Name: "A", Limits: Unlimited()}}})
	if got, err := b.LookupAccount(ctx, "A"); err != nil || got.Name != "A" {
		t.Fatal("config lookup")
	}
	if _, err := b.LookupAccount(ctx, "B"); err != ErrAccountNotFound {
		t.Fatal("config lookup of unknown account")
	}
	if _, err := b.UpdateAccount(j); err == nil {
		t.Fatal("update in config mode")
	}
}
