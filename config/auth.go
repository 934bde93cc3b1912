package config

import (
	"strings"
	"time"

	"github.com/nats-io/nkeys"
	"github.com/troupe/troupe/accounts"
)

// parseAuthKey reads the auth-related top-level keys of a nats-server configuration into cfg:
// authorization, accounts, no_auth_user, system_account/system,
// operator/operators/roots/root/root_operators/root_operator, trusted/trusted_keys,
// resolver/account_resolver/accounts_resolver and resolver_preload. It reports whether key was
// one of them. Syntax, checks and reasons are nats-server's (opts.go parseAuthorization,
// parseUsers, parseUserPermissions, parseAccounts, parseExportStreamOrService,
// parseImportStreamOrService, processConfigFileLine). Checks that span keys are made, as in
// nats-server, by whichever key comes second; checks nats-server makes at startup rather than
// when parsing (no_auth_user naming a user, operators without a resolver, ...) are
// accounts.New's.
func parseAuthKey(p *fileParser, key string, tk token, v any, cfg *accounts.Config) (handled bool) {
	switch strings.ToLower(key) {
	case "authorization":
		p.authBlock(tk, v, cfg)
	case "accounts":
		p.authAccounts(tk, v, cfg)
	case "no_auth_user":
		p.stringInto(tk, key, v, func(s string) { cfg.NoAuthUser = s })
	case "system_account", "system":
		s, ok := v.(string)
		if !ok {
			p.fail(tk, "system account name must be a string")
			return true
		}
		cfg.SystemAccount = s
	case "operator", "operators", "roots", "root", "root_operators", "root_operator":
		p.authOperators(tk, v, cfg)
	case "trusted", "trusted_keys":
		p.authTrusted(tk, v, cfg)
	case "resolver", "account_resolver", "accounts_resolver":
		p.authResolver(tk, v, cfg)
	case "resolver_preload":
		p.authPreload(tk, v, cfg)
	default:
		return false
	}
	return true
}

// authBlock is parseAuthorization plus the checks processConfigFileLine makes after it.
func (p *fileParser) authBlock(tk token, v any, cfg *accounts.Config) {
	m, ok := v.(map[string]any)
	if !ok {
		p.fail(tk, "Expected authorization to be a map/struct, got %T", v)
		return
	}
	var (
		user, pass, tok string
		users           []*accounts.User
		usersSet        bool
		defaults        *accounts.Permissions
		timeout         time.Duration
	)
	for k, raw := range m {
		ktk, kv := unwrap(raw)
		switch strings.ToLower(k) {
		case "user", "username":
			p.stringInto(ktk, k, kv, func(s string) { user = s })
		case "pass", "password":
			p.stringInto(ktk, k, kv, func(s string) { pass = s })
		case "token":
			p.stringInto(ktk, k, kv, func(s string) { tok = s })
		case "timeout":
			timeout = p.authTimeout(ktk, k, kv)
		case "users":
			var ok bool
			if users, ok = p.authUsers(ktk, kv); ok {
				usersSet = true
			}
		case "default_permission", "default_permissions", "permissions":
			defaults = p.authPerms(ktk, kv)
		case "auth_callout", "auth_hook", "proxy_required":
			p.fail(ktk, "field %q in authorization is not supported by Troupe yet", k)
		default:
			p.unknown(ktk, k)
		}
	}
	if (user != "" || pass != "") && tok != "" {
		p.fail(tk, "Cannot have a user/pass and token")
		return
	}
	// Users of accounts parsed before this block.
	taken := authNames(cfg.Users)
	if usersSet || len(taken) > 0 {
		if user != "" {
			p.fail(tk, "Can not have a single user/pass and a users array")
			return
		}
		if tok != "" {
			p.fail(tk, "Can not have a token and a users array")
			return
		}
		for _, u := range users {
			name, what := u.Username, "user"
			if u.Nkey != "" {
				name, what = u.Nkey, "nkey"
			}
			if taken[name] {
				p.fail(tk, "Duplicate %s %q detected", what, name)
				return
			}
			taken[name] = true
		}
	}
	cfg.AuthBlockDefined = true
	cfg.Token, cfg.Timeout, cfg.DefaultPermissions = tok, timeout, defaults
	if user != "" {
		cfg.SingleUser = true
		cfg.Users = append([]*accounts.User{{Username: user, Password: pass}}, cfg.Users...)
	}
	if usersSet {
		cfg.Users = append(cfg.Users, users...)
	}
}

// authTimeout reads authorization { timeout }: seconds (integer or float) or a duration
// string, with nats-server's warning above a minute.
func (p *fileParser) authTimeout(tk token, key string, v any) time.Duration {
	var secs float64
	switch x := v.(type) {
	case int64:
		secs = float64(x)
	case float64:
		secs = x
	case string:
		d, err := time.ParseDuration(x)
		if err != nil {
			p.fail(tk, "error parsing authorization config, 'timeout' %s", err)
			return 0
		}
		secs = d.Seconds()
	default:
		p.fail(tk, "error parsing authorization config, 'timeout' wrong type")
		return 0
	}
	if secs > 60 {
		p.warn(tk, "timeout of %v (%f seconds) is high, consider keeping it under 60 seconds. possibly caused by unquoted duration; use '1m' instead of 1m, for example", v, secs)
	}
	return time.Duration(secs * float64(time.Second))
}

func authNames(users []*accounts.User) map[string]bool {
	m := make(map[string]bool, len(users))
	for _, u := range users {
		if u.Nkey != "" {
			m[u.Nkey] = true
		} else {
			m[u.Username] = true
		}
	}
	return m
}

// authUsers is parseUsers. ok is false when the list as a whole is refused.
func (p *fileParser) authUsers(tk token, v any) (users []*accounts.User, ok bool) {
	list, isList := v.([]any)
	if !isList {
		p.fail(tk, "Expected users field to be an array, got %v", v)
		return nil, false
	}
	for _, raw := range list {
		etk, ev := unwrap(raw)
		m, isMap := ev.(map[string]any)
		if !isMap {
			p.fail(etk, "Expected user entry to be a map/struct, got %v", ev)
			continue
		}
		u := &accounts.User{}
		for k, fraw := range m {
			ftk, fv := unwrap(fraw)
			switch strings.ToLower(k) {
			case "nkey":
				p.stringInto(ftk, k, fv, func(s string) { u.Nkey = s })
			case "user", "username":
				p.stringInto(ftk, k, fv, func(s string) { u.Username = s })
			case "pass", "password":
				p.stringInto(ftk, k, fv, func(s string) { u.Password = s })
			case "permission", "permissions", "authorization":
				u.Permissions = p.authPerms(ftk, fv)
			case "allowed_connection_types", "connection_types", "clients":
				types, ok := p.authStrings(ftk, "allowed connection types", fv)
				if !ok {
					continue
				}
				if err := accounts.CheckConnectionTypes(types); err != nil {
					p.fail(ftk, "%v", err)
					continue
				}
				u.AllowedConnectionTypes = types
			case "proxy_required":
				p.boolInto(ftk, k, fv, func(b bool) { u.ProxyRequired = b })
			default:
				p.unknown(ftk, k)
			}
		}
		switch {
		case u.Nkey == "" && u.Username == "":
			p.fail(etk, "User entry requires a user")
			return nil, false
		case u.Nkey != "" && !nkeys.IsValidPublicUserKey(u.Nkey):
			p.fail(etk, "Not a valid public nkey for a user")
			return nil, false
		case u.Nkey != "" && (u.Username != "" || u.Password != ""):
			p.fail(etk, "Nkey users do not take usernames or passwords")
			return nil, false
		}
		users = append(users, u)
	}
	if users == nil {
		users = []*accounts.User{}
	}
	return users, true
}

// authPerms is parseUserPermissions; nil on error (reported).
func (p *fileParser) authPerms(tk token, v any) *accounts.Permissions {
	m, ok := v.(map[string]any)
	if !ok {
		p.fail(tk, "Expected permissions to be a map/struct, got %+v", v)
		return nil
	}
	perms := &accounts.Permissions{}
	for k, raw := range m {
		ktk, kv := unwrap(raw)
		switch strings.ToLower(k) {
		case "pub", "publish", "import":
			perms.Publish = p.authSubjectPerm(ktk, kv, false)
		case "sub", "subscribe", "export":
			perms.Subscribe = p.authSubjectPerm(ktk, kv, true)
		case "publish_allow_responses", "allow_responses":
			perms.Response = p.authResponses(ktk, kv)
		default:
			if ktk == nil || !ktk.IsUsedVariable() {
				p.fail(ktk, "Unknown field %q parsing permissions", k)
			}
		}
	}
	return perms
}

// authSubjectPerm is parseVariablePermissions: {allow, deny}, or a subject or list of
// subjects meaning allow.
func (p *fileParser) authSubjectPerm(tk token, v any, allowQueue bool) *accounts.SubjectPermission {
	m, isMap := v.(map[string]any)
	if !isMap {
		list, ok := p.authPermSubjects(tk, v, allowQueue)
		if !ok {
			return nil
		}
		return &accounts.SubjectPermission{Allow: list}
	}
	if len(m) == 0 {
		return nil
	}
	sp := &accounts.SubjectPermission{}
	for k, raw := range m {
		ktk, kv := unwrap(raw)
		switch strings.ToLower(k) {
		case "allow":
			sp.Allow, _ = p.authPermSubjects(ktk, kv, allowQueue)
		case "deny":
			sp.Deny, _ = p.authPermSubjects(ktk, kv, allowQueue)
		default:
			if ktk == nil || !ktk.IsUsedVariable() {
				p.fail(ktk, "Unknown field name %q parsing subject permissions, only 'allow' or 'deny' are permitted", k)
			}
		}
	}
	return sp
}

// authPermSubjects is parsePermSubjects with checkPermSubjectArray's checks.
func (p *fileParser) authPermSubjects(tk token, v any, allowQueue bool) ([]string, bool) {
	var list []string
	switch x := v.(type) {
	case string:
		list = []string{x}
	case []any:
		for _, raw := range x {
			etk, ev := unwrap(raw)
			s, ok := ev.(string)
			if !ok {
				p.fail(etk, "Subject in permissions array cannot be cast to string")
				return nil, false
			}
			list = append(list, s)
		}
	default:
		p.fail(tk, "Expected subject permissions to be a subject, or array of subjects, got %T", v)
		return nil, false
	}
	probe := &accounts.SubjectPermission{Allow: list}
	perms := &accounts.Permissions{Publish: probe}
	if allowQueue {
		perms = &accounts.Permissions{Subscribe: probe}
	}
	if _, err := accounts.Compile(perms); err != nil {
		_, reason, _ := strings.Cut(err.Error(), ": ") // drop "publish allow: "
		p.fail(tk, "%s", reason)
		return nil, false
	}
	return list, true
}

// authResponses is allow_responses: true, false, or {max, expires}.
func (p *fileParser) authResponses(tk token, v any) *accounts.ResponsePermission {
	rp := &accounts.ResponsePermission{MaxMsgs: accounts.DefaultResponseMaxMsgs, Expires: accounts.DefaultResponseExpires}
	if b, ok := v.(bool); ok {
		if !b {
			return nil
		}
		return rp
	}
	m, ok := v.(map[string]any)
	if !ok {
		p.fail(tk, "error parsing response permissions, expected a boolean or a map")
		return nil
	}
	for k, raw := range m {
		ktk, kv := unwrap(raw)
		switch strings.ToLower(k) {
		case "max", "max_msgs", "max_messages", "max_responses":
			p.intInto(ktk, k, kv, func(n int64) {
				if n != 0 { // 0 keeps the default; negative is unlimited
					rp.MaxMsgs = int(n)
				}
			})
		case "expires", "expiration", "ttl":
			s, ok := kv.(string)
			if !ok {
				p.fail(ktk, "error parsing expires, not a duration string")
				return nil
			}
			d, err := time.ParseDuration(s)
			if err != nil {
				p.fail(ktk, "error parsing expires: %v", err)
				return nil
			}
			if d != 0 {
				rp.Expires = d
			}
		default:
			if ktk == nil || !ktk.IsUsedVariable() {
				p.fail(ktk, "Unknown field %q parsing permissions", k)
			}
		}
	}
	return rp
}

// authStrings reads a string or a list of strings (parseStringArray).
func (p *fileParser) authStrings(tk token, what string, v any) ([]string, bool) {
	switch x := v.(type) {
	case string:
		return []string{x}, true
	case []any:
		out := make([]string, 0, len(x))
		for _, raw := range x {
			etk, ev := unwrap(raw)
			s, ok := ev.(string)
			if !ok {
				p.fail(etk, "error parsing %s: unsupported type in array %T", what, ev)
				return nil, false
			}
			out = append(out, s)
		}
		return out, true
	}
	p.fail(tk, "error parsing %s: unsupported type %T", what, v)
	return nil, false
}

func (p *fileParser) unknown(tk token, key string) {
	if tk == nil || !tk.IsUsedVariable() {
		p.fail(tk, "unknown field %q", key)
	}
}
