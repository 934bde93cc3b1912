package accounts

import (
	"context"
	"time"

	"github.com/troupe/troupe/protocol"
)

// Authenticator decides who a connection is. It is built once by New; its configuration never
// changes, and it is safe for concurrent use (in operator mode it caches fetched accounts
// behind its own lock, never held during a fetch).
type Authenticator struct {
	required   bool // auth is checked: the runtime arms the auth timer and wants CONNECT first
	anonymous  bool // clients without credentials bind to $G (the system-account-only rule)
	operator   bool
	timeout    time.Duration
	noAuthUser string
	token      string
	users      map[string]*authUser // by username
	nkeys      map[string]*authUser // by public nkey
	accounts   map[string]*Account
	list       []*Account
	system     string

	trust    *trust
	resolver Resolver
	cache    accountCache
	now      func() time.Time
}

// authUser is a configured user, compiled.
type authUser struct {
	user    User
	account string
	perms   *Perms
	limits  ConnLimits
}

// ConnLimits are one connection's limits from its user JWT and its account, combined as
// nats-server's applyAccountLimits combines them: the smaller wins, NoLimit (-1) is unlimited.
// The runtime combines them the same way with the server's max_subscriptions and max_payload
// (where 0 means unlimited or the default).
type ConnLimits struct {
	MaxSubscriptions int
	MaxPayload       int32
}

func (l *ConnLimits) combine(acc Limits) {
	if acc.MaxSubscriptions != NoLimit && (l.MaxSubscriptions == NoLimit || acc.MaxSubscriptions < l.MaxSubscriptions) {
		l.MaxSubscriptions = acc.MaxSubscriptions
	}
	if acc.MaxPayload != NoLimit && (l.MaxPayload == NoLimit || acc.MaxPayload < l.MaxPayload) {
		l.MaxPayload = acc.MaxPayload
	}
}

// Result is who an authenticated connection is and what it may do.
type Result struct {
	User       string   // username, user nkey or user JWT subject: for logs and monitoring, never a secret
	Account    string   // the account to bind to ($G when none)
	AccountDef *Account // operator mode: the account from its JWT; nil otherwise
	Perms      *Perms   // nil: everything allowed
	Limits     ConnLimits
	// Expires is when the user JWT (or its connect-time window) runs out: the runtime closes
	// the connection then with TextUserAuthenticationExpired. Zero: never.
	Expires time.Time
	// IssuedAt is the user JWT's iat (unix seconds), for Account.IsRevoked on account updates.
	IssuedAt int64
	Name     string   // the user JWT's name
	Tags     []string // the user JWT's tags
}

// Required reports auth_required for INFO: authentication is configured (users, a token, an
// operator), except that a no_auth_user clears it (server.go: INFO says no credentials are
// needed, though a client that sends some must send good ones).
func (a *Authenticator) Required() bool {
	return a.required && a.noAuthUser == ""
}

// Enforced reports whether authentication is checked at all. When true the runtime arms the
// auth timer (Timeout) at accept, answers any op before CONNECT with "Authorization Violation"
// and closes, and, when no CONNECT came in time, sends "Authentication Timeout" and closes.
// It differs from Required only with a no_auth_user.
func (a *Authenticator) Enforced() bool { return a.required }

// NonceNeeded reports whether INFO carries a nonce (NewNonce): with nkey users or in operator
// mode (nkey.go nonceRequired).
func (a *Authenticator) NonceNeeded() bool { return len(a.nkeys) > 0 || a.operator }

// Timeout is how long a client has to authenticate: authorization { timeout } or
// DefaultAuthTimeout.
func (a *Authenticator) Timeout() time.Duration { return a.timeout }

// OperatorMode reports whether accounts and users come from JWTs.
func (a *Authenticator) OperatorMode() bool { return a.operator }

// Accounts returns the configured accounts, in configuration order, without $G. In operator
// mode there are none: accounts arrive with their users (Result.AccountDef) and through
// LookupAccount. The values must not be changed.
func (a *Authenticator) Accounts() []*Account { return append([]*Account(nil), a.list...) }

// SystemAccountName is the system account: system_account, the operator JWT's, or $SYS.
func (a *Authenticator) SystemAccountName() string { return a.system }

// NoAuthUser returns the binding of a client that sends no credentials when no_auth_user is
// set (or the system-account-only rule applies), so that the runtime can bind a client that
// never sends CONNECT credentials without calling Authenticate.
func (a *Authenticator) NoAuthUser() (*Result, bool) {
	if a.anonymous {
		return &Result{Account: GlobalAccount, Limits: ConnLimits{NoLimit, NoLimit}}, true
	}
	if a.noAuthUser == "" {
		return nil, false
	}
	u := a.nkeys[a.noAuthUser]
	if u == nil {
		u = a.users[a.noAuthUser]
	}
	if u == nil {
		return nil, false
	}
	return u.result(), true
}

func (u *authUser) result() *Result {
	return &Result{User: u.user.label(), Account: u.account, Perms: u.perms, Limits: u.limits}
}

// Authenticate checks a CONNECT's credentials; nonce is what INFO sent (nil when
// NonceNeeded is false). It is called on the connection's reader goroutine: in operator mode it
// may wait for the resolver (bounded by ctx and URLFetchTimeout). Every failure is
// ErrAuthorization. A CONNECT with "account" or "new_account" fails too (client.go
// processConnect). It is AuthenticateFrom without the client's address, so user JWTs limited to
// source networks are refused.
func (a *Authenticator) Authenticate(ctx context.Context, c *protocol.Connect, nonce []byte) (*Result, error) {
	return a.AuthenticateFrom(ctx, c, nonce, "")
}

// AuthenticateFrom is Authenticate for a client at host (its IP address, for the "src" limits
// of user JWTs).
func (a *Authenticator) AuthenticateFrom(ctx context.Context, c *protocol.Connect, nonce []byte, host string) (*Result, error) {
	if c == nil || c.Account != "" || c.NewAccount {
		return nil, ErrAuthorization
	}
	if !a.required {
		return &Result{Account: GlobalAccount, Limits: ConnLimits{NoLimit, NoLimit}}, nil
	}
	if a.operator {
		return a.authenticateJWT(ctx, c, nonce, host)
	}
	return a.authenticateConfig(c, nonce)
}

// authenticateConfig is the non-JWT half of auth.go processClientOrLeafAuthentication, in its
// order: nkeys, then users (no_auth_user taking the place of missing credentials), then the
// token.
func (a *Authenticator) authenticateConfig(c *protocol.Connect, nonce []byte) (*Result, error) {
	noCreds := c.User == "" && c.Pass == "" && c.Token == ""
	if len(a.nkeys) > 0 {
		key := c.Nkey
		if key == "" && noCreds && a.nkeys[a.noAuthUser] != nil {
			key = a.noAuthUser
		}
		if key != "" {
			u := a.nkeys[key]
			if u == nil || !standardAllowed(u.user.AllowedConnectionTypes) || u.user.ProxyRequired {
				return nil, ErrAuthorization
			}
			// The no_auth_user's nkey needs no signature (nats-server skips it).
			if key != a.noAuthUser && !verifyNonce(key, c.Sig, nonce) {
				return nil, ErrAuthorization
			}
			return u.result(), nil
		}
	}
	if a.anonymous && noCreds {
		r, _ := a.NoAuthUser()
		return r, nil
	}
	if len(a.users) > 0 {
		name := c.User
		byNoAuth := false
		if noCreds && a.users[a.noAuthUser] != nil {
			name, byNoAuth = a.noAuthUser, true
		}
		if name != "" {
			u := a.users[name]
			if u == nil || !standardAllowed(u.user.AllowedConnectionTypes) || u.user.ProxyRequired {
				return nil, ErrAuthorization
			}
			if !byNoAuth && !comparePasswords(u.user.Password, c.Pass) {
				return nil, ErrAuthorization
			}
			return u.result(), nil
		}
	}
	if a.token != "" && comparePasswords(a.token, c.Token) {
		return &Result{Account: GlobalAccount, Limits: ConnLimits{NoLimit, NoLimit}}, nil
	}
	return nil, ErrAuthorization
}
