package accounts

import (
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/jwt/v2"
	"github.com/nats-io/nkeys"
)

// DefaultAuthTimeout is how long a client has to send CONNECT when authentication is required
// (nats-server AUTH_TIMEOUT; with TLS nats-server uses tls_timeout+1s instead).
const DefaultAuthTimeout = 2 * time.Second

// Config is everything authentication and accounts take: filled by the configuration parser
// (config/auth.go) and flags, then checked and compiled by New.
type Config struct {
	// Users from authorization { user, password } (then SingleUser is true and it is the only
	// one), authorization { users }, accounts { X { users } }, or --user/--pass. None (as with
	// "users: []") means no user authentication, as in nats-server.
	Users []*User
	// SingleUser: Users[0] is authorization { user, password } (or --user/--pass) rather than
	// an entry of a users list. nats-server gives that user no default permissions and words
	// some errors after it.
	SingleUser bool
	// Token is authorization { token } or --auth; plain or bcrypt.
	Token string
	// Timeout is authorization { timeout }; 0 means DefaultAuthTimeout.
	Timeout time.Duration
	// NoAuthUser binds clients that send no credentials to this user (a username or nkey).
	NoAuthUser string
	// DefaultPermissions (authorization { default_permissions }) apply to users of $G without
	// permissions of their own, except the single user.
	DefaultPermissions *Permissions
	// AuthBlockDefined: the file has an authorization block (nats-server then never lets
	// anonymous clients into $G when only the system account has users).
	AuthBlockDefined bool
	// Accounts configured (accounts { ... }); $G is implicit and may not be among them.
	Accounts []*Account
	// SystemAccount is system_account; empty means $SYS (or the operator JWT's in operator
	// mode).
	SystemAccount string

	// Operator mode.
	Operators       []string          // operator JWTs (the parser reads files; see ReadOperatorJWT)
	TrustedKeys     []string          // operator public keys (trusted_keys)
	Resolver        Resolver          // MEMORY or URL; nil in operator mode means the operator JWT's account server URL; ignored without operators
	ResolverPreload map[string]string // resolver_preload: account public key -> account JWT, stored into a MEMORY resolver
}

// New checks cfg with nats-server's startup rules and texts (opts.go, auth.go validateAuth and
// validateNoAuthUser, jwt.go validateTrustedOperators) and compiles it: user permissions,
// accounts, the operators' trusted keys. The Authenticator keeps no reference to cfg.
func New(cfg *Config) (*Authenticator, error) {
	if cfg == nil {
		cfg = &Config{}
	}
	a := &Authenticator{
		timeout:    cfg.Timeout,
		noAuthUser: cfg.NoAuthUser,
		token:      cfg.Token,
		users:      map[string]*authUser{},
		nkeys:      map[string]*authUser{},
		accounts:   map[string]*Account{},
		now:        time.Now,
		cache:      accountCache{m: map[string]*cacheEntry{}},
	}
	if a.timeout == 0 {
		a.timeout = DefaultAuthTimeout
	}
	a.operator = len(cfg.Operators) > 0 || len(cfg.TrustedKeys) > 0
	if a.operator {
		if err := a.configureOperator(cfg); err != nil {
			return nil, err
		}
		return a, nil
	}
	// A resolver without operators is ignored, as nats-server ignores it.
	if err := a.configureAccounts(cfg); err != nil {
		return nil, err
	}
	if err := a.configureUsers(cfg); err != nil {
		return nil, err
	}
	a.required = len(cfg.Users) > 0 || cfg.Token != "" || a.anonymous
	return a, nil
}

func (a *Authenticator) configureAccounts(cfg *Config) error {
	if errs := CheckAccounts(cfg.Accounts); len(errs) > 0 {
		return errors.Join(errs...)
	}
	sys := cfg.SystemAccount
	for _, acc := range cfg.Accounts {
		// An account named $SYS is the system account unless another is named.
		if acc.Name == SystemAccount && sys == "" {
			sys = SystemAccount
		}
		a.accounts[acc.Name] = acc
		a.list = append(a.list, acc)
	}
	if sys != "" && a.accounts[sys] == nil {
		return fmt.Errorf("error resolving system account: %v", ErrAccountNotFound)
	}
	// nats-server (server.go configureAccounts): when the system account is the only account
	// and there is no authorization block, its users log in to it and clients without
	// credentials still get $G, through a generated no_auth_user.
	a.anonymous = sys != "" && len(a.list) == 1 && cfg.NoAuthUser == "" && !cfg.AuthBlockDefined
	a.system = sys
	if a.system == "" {
		a.system = SystemAccount
	}
	return nil
}

func (a *Authenticator) configureUsers(cfg *Config) error {
	if cfg.SingleUser && len(cfg.Users) > 1 {
		return errors.New("Can not have a single user/pass and a users array")
	}
	if cfg.Token != "" && len(cfg.Users) > 0 {
		if cfg.SingleUser {
			return errors.New("Cannot have a user/pass and token")
		}
		return errors.New("Can not have a token and a users array")
	}
	for i, u := range cfg.Users {
		switch {
		case u == nil:
			return errors.New("User entry requires a user")
		case u.Nkey != "" && (u.Username != "" || u.Password != ""):
			return errors.New("Nkey users do not take usernames or passwords")
		case u.Nkey == "" && u.Username == "":
			return errors.New("User entry requires a user")
		case u.Nkey != "" && !nkeys.IsValidPublicUserKey(u.Nkey):
			return errors.New("Not a valid public nkey for a user")
		}
		if _, unknown := connectionTypes(u.AllowedConnectionTypes); len(unknown) > 0 {
			return fmt.Errorf("unknown connection type %q", unknown[0])
		}
		accName := u.account()
		acc := a.accounts[accName]
		if acc == nil && accName != GlobalAccount {
			return fmt.Errorf("user %q: account %q is not defined", u.label(), accName)
		}
		p := u.Permissions
		switch {
		case p != nil:
		case acc != nil && acc.DefaultPermissions != nil:
			p = acc.DefaultPermissions
		case acc == nil && !(cfg.SingleUser && i == 0):
			p = cfg.DefaultPermissions
		}
		perms, err := Compile(p)
		if err != nil {
			kind, name := "user", u.Username
			if u.Nkey != "" {
				kind, name = "nkey", u.Nkey
			}
			return fmt.Errorf("invalid permissions for %s %q: %w", kind, name, err)
		}
		au := &authUser{user: *u, account: accName, perms: perms, limits: ConnLimits{NoLimit, NoLimit}}
		if acc != nil {
			au.limits.combine(acc.Limits)
		}
		if u.Nkey != "" {
			if a.nkeys[u.Nkey] != nil {
				return fmt.Errorf("Duplicate nkey %q detected", u.Nkey)
			}
			a.nkeys[u.Nkey] = au
		} else {
			if a.users[u.Username] != nil {
				return fmt.Errorf("Duplicate user %q detected", u.Username)
			}
			a.users[u.Username] = au
		}
	}
	if n := cfg.NoAuthUser; n != "" {
		if len(cfg.Users) == 0 || cfg.SingleUser {
			return fmt.Errorf(`no_auth_user: "%s" present, but users/nkeys are not defined`, n)
		}
		if a.users[n] == nil && a.nkeys[n] == nil {
			return fmt.Errorf(`no_auth_user: "%s" not present as user or nkey in authorization block or account configuration`, n)
		}
	}
	return nil
}

func (a *Authenticator) configureOperator(cfg *Config) error {
	if cfg.NoAuthUser != "" {
		return errors.New("no_auth_user not compatible with Trusted Operator")
	}
	t, err := newTrust(cfg)
	if err != nil {
		return err
	}
	a.trust = t
	a.required = true
	a.resolver = cfg.Resolver
	a.system = cfg.SystemAccount
	if len(t.operators) > 0 {
		if a.resolver == nil && len(t.operators) == 1 && t.operators[0].AccountServerURL != "" {
			// nsc push appends "/accounts" to the operator's account server URL.
			a.resolver = NewURLResolver(t.operators[0].AccountServerURL + "/accounts")
		}
		if a.resolver == nil {
			return errors.New("operators require an account resolver to be configured")
		}
		if len(cfg.Accounts) > 0 {
			return errors.New("operators do not allow Accounts to be configured directly")
		}
		if len(cfg.Users) > 0 {
			return errors.New("operators do not allow users to be configured directly")
		}
		if err := checkOperatorSystemAccount(cfg.SystemAccount, t.operators); err != nil {
			return err
		}
		if a.system == "" {
			a.system = t.operators[0].SystemAccount
		}
	}
	if a.system == "" {
		a.system = SystemAccount
	}
	if len(cfg.ResolverPreload) > 0 {
		m, ok := a.resolver.(*MemoryResolver)
		if !ok {
			return errors.New("resolver preloads only available for the MEMORY resolver")
		}
		for k, v := range cfg.ResolverPreload {
			if _, err := jwt.DecodeAccountClaims(v); err != nil {
				return fmt.Errorf("resolver_preload %q: invalid account JWT", k)
			}
			m.Store(k, v)
		}
	}
	return nil
}

func checkOperatorSystemAccount(sys string, ops []*jwt.OperatorClaims) error {
	if sys == "" {
		return nil
	}
	found, nonEmpty := false, false
	for _, op := range ops {
		if op.SystemAccount != "" {
			nonEmpty = true
		}
		if op.SystemAccount == sys {
			found = true
			break
		}
	}
	if nonEmpty && !found {
		return errors.New("system_account in config and operator JWT must be identical")
	}
	return nil
}
