package actors

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/jwt/v2"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nkeys"
	"github.com/troupe/troupe/accounts"
)

// Operator mode through the real nats.go client: the operator, accounts and users are keys and
// JWTs made here with jwt/v2 and nkeys.

type operatorEnv struct {
	t     *testing.T
	op    nkeys.KeyPair
	opJWT string
	jwts  map[string]string // account public key -> JWT
}

func newOperatorEnv(t *testing.T) *operatorEnv {
	op, _ := nkeys.CreateOperator()
	pub, _ := op.PublicKey()
	claims := jwt.NewOperatorClaims(pub)
	opJWT, err := claims.Encode(op)
	if err != nil {
		t.Fatal(err)
	}
	return &operatorEnv{t: t, op: op, opJWT: opJWT, jwts: map[string]string{}}
}

// account makes an account JWT signed by the operator.
func (e *operatorEnv) account(edit func(*jwt.AccountClaims)) (nkeys.KeyPair, string) {
	kp, _ := nkeys.CreateAccount()
	pub, _ := kp.PublicKey()
	ac := jwt.NewAccountClaims(pub)
	if edit != nil {
		edit(ac)
	}
	tok, err := ac.Encode(e.op)
	if err != nil {
		e.t.Fatal(err)
	}
	e.jwts[pub] = tok
	return kp, pub
}

// user makes a user JWT signed by the account and returns the nats.go option that logs in
// with it, as a creds file would.
func (e *operatorEnv) user(acc nkeys.KeyPair, edit func(*jwt.UserClaims)) (nats.Option, string) {
	kp, _ := nkeys.CreateUser()
	pub, _ := kp.PublicKey()
	uc := jwt.NewUserClaims(pub)
	if edit != nil {
		edit(uc)
	}
	tok, err := uc.Encode(acc)
	if err != nil {
		e.t.Fatal(err)
	}
	seed, _ := kp.Seed()
	return nats.UserJWTAndSeed(tok, string(seed)), pub
}

func (e *operatorEnv) server(resolver accounts.Resolver) *Server {
	if resolver == nil {
		resolver = accounts.NewMemoryResolver(e.jwts)
	}
	return authServer(e.t, accounts.Config{Operators: []string{e.opJWT}, Resolver: resolver})
}

func TestOperatorModeLogins(t *testing.T) {
	e := newOperatorEnv(t)
	accKP, _ := e.account(nil)
	good, _ := e.user(accKP, nil)
	expired, _ := e.user(accKP, func(uc *jwt.UserClaims) { uc.Expires = time.Now().Add(-time.Minute).Unix() })
	var revokedPub string
	revokedOpt, revokedPub := e.user(accKP, nil)
	// Revoke that user in the account JWT (issued now, so the user's earlier iat is revoked).
	accPub, _ := accKP.PublicKey()
	ac, _ := jwt.DecodeAccountClaims(e.jwts[accPub])
	ac.Revoke(revokedPub)
	e.jwts[accPub], _ = ac.Encode(e.op)

	untrusted := newOperatorEnv(t)
	strangerAcc, _ := untrusted.account(nil)
	stranger, _ := untrusted.user(strangerAcc, nil)

	s := e.server(nil)
	if err := connectErr(s, good); err != nil {
		t.Fatalf("a valid user: %v", err)
	}
	for name, opt := range map[string]nats.Option{"expired": expired, "revoked": revokedOpt, "untrusted operator": stranger} {
		if err := connectErr(s, opt); !isAuthViolation(err) {
			t.Errorf("%s user: got %v, want Authorization Violation", name, err)
		}
	}
	// INFO carries a nonce in operator mode.
	if info := rawInfo(t, s); !strings.Contains(info, `"nonce":"`) {
		t.Fatalf("INFO without nonce: %s", info)
	}
}

func TestOperatorModeAccountsAreIsolatedAndPermissionsApply(t *testing.T) {
	e := newOperatorEnv(t)
	accA, _ := e.account(nil)
	accB, _ := e.account(nil)
	userA, _ := e.user(accA, nil)
	userB, _ := e.user(accB, func(uc *jwt.UserClaims) { uc.Pub.Deny.Add("forbidden") })
	s := e.server(nil)
	a := natsConn(t, s, userA)
	b := natsConn(t, s, userB)
	inA, _ := a.SubscribeSync(">")
	inB, _ := b.SubscribeSync("x")
	a.Flush()
	b.Flush()
	b.Publish("x", []byte("1"))
	b.Flush()
	if _, err := inB.NextMsg(2 * time.Second); err != nil {
		t.Fatal(err)
	}
	if m, err := inA.NextMsg(100 * time.Millisecond); err == nil {
		t.Fatalf("account A saw %q from account B", m.Subject)
	}
	errs := make(chan error, 1)
	b.SetErrorHandler(func(_ *nats.Conn, _ *nats.Subscription, err error) { errs <- err })
	b.Publish("forbidden", nil)
	b.Flush()
	select {
	case err := <-errs:
		if !strings.Contains(err.Error(), `Permissions Violation for Publish to "forbidden"`) {
			t.Fatalf("got %v", err)
		}
	case <-time.After(2 * time.Second):
		t.Fatal("no permissions violation reported")
	}
}

func TestOperatorModeUserExpiryClosesConnection(t *testing.T) {
	e := newOperatorEnv(t)
	acc, _ := e.account(nil)
	soon, _ := e.user(acc, func(uc *jwt.UserClaims) { uc.Expires = time.Now().Add(1500 * time.Millisecond).Unix() })
	s := e.server(nil)
	closed := make(chan error, 1)
	nc := natsConn(t, s, soon, nats.NoReconnect(),
		nats.ErrorHandler(func(_ *nats.Conn, _ *nats.Subscription, err error) {
			select {
			case closed <- err:
			default:
			}
		}))
	nc.Flush()
	select {
	case err := <-closed:
		if !strings.Contains(strings.ToLower(err.Error()), "expired") {
			t.Fatalf("closed with %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the connection outlived its user JWT")
	}
}

func TestOperatorModeURLResolverAndAccountLimits(t *testing.T) {
	e := newOperatorEnv(t)
	acc, pub := e.account(func(ac *jwt.AccountClaims) { ac.Limits.Conn = 1 })
	user, _ := e.user(acc, nil)
	var fetches atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fetches.Add(1)
		if tok, ok := e.jwts[strings.TrimPrefix(r.URL.Path, "/jwt/v1/accounts/")]; ok {
			w.Write([]byte(tok))
			return
		}
		http.NotFound(w, r)
	}))
	t.Cleanup(srv.Close)
	s := e.server(accounts.NewURLResolver(srv.URL + "/jwt/v1/accounts/"))
	first := natsConn(t, s, user)
	first.Flush()
	if fetches.Load() == 0 {
		t.Fatal("the account JWT was not fetched from the resolver")
	}
	if err := connectErr(s, user); err == nil || !strings.Contains(err.Error(), "maximum account active connections exceeded") {
		t.Fatalf("second connection of a one-connection account (%s): %v", pub, err)
	}
}
