package config

import (
	"maps"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/nats-io/jwt/v2"
	"github.com/nats-io/nkeys"
	"github.com/troupe/troupe/accounts"
	"github.com/troupe/troupe/subjects"
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

// authOperators reads operator JWTs: files, or inline JWTs.
func (p *fileParser) authOperators(tk token, v any, cfg *accounts.Config) {
	names, ok := p.authStrings(tk, "operators", v)
	if !ok {
		return
	}
	for _, n := range names {
		s, err := accounts.ReadOperatorJWT(n)
		if err != nil {
			p.fail(tk, "error parsing operator JWT: %v", err)
			continue
		}
		cfg.Operators = append(cfg.Operators, s)
	}
}

func (p *fileParser) authTrusted(tk token, v any, cfg *accounts.Config) {
	keys, ok := p.authStrings(tk, "trusted", v)
	if !ok {
		return
	}
	for _, k := range keys {
		if !nkeys.IsValidPublicOperatorKey(k) {
			p.fail(tk, "trust key %q required to be a valid public operator nkey", k)
		}
	}
	cfg.TrustedKeys = keys
}

var (
	memResolver = regexp.MustCompile(`(?i)^\s*(MEM|MEMORY)\s*$`)
	urlResolver = regexp.MustCompile(`(?i)^\s*URL\(\s*"?([^\s"]*)"?\s*\)\s*$`)
)

// authResolver reads resolver: MEMORY, URL("..."), or {type: MEMORY}.
func (p *fileParser) authResolver(tk token, v any, cfg *accounts.Config) {
	switch x := v.(type) {
	case string:
		if memResolver.MatchString(x) {
			cfg.Resolver = accounts.NewMemoryResolver(nil)
			break
		}
		if m := urlResolver.FindStringSubmatch(x); m != nil {
			u := strings.TrimSpace(m[1])
			if _, err := url.Parse(u); err != nil || u == "" {
				p.fail(tk, "error parsing account resolver url [%q]", u)
				return
			}
			cfg.Resolver = accounts.NewURLResolver(u)
			break
		}
		p.fail(tk, "error parsing account resolver, should be MEM or  URL(\"url\") or a map containing dir and type state=[FULL|CACHE])")
		return
	case map[string]any:
		typ := ""
		if raw, ok := x["type"]; ok {
			_, tv := unwrap(raw)
			typ, _ = tv.(string)
		}
		switch strings.ToUpper(typ) {
		case "MEM", "MEMORY":
			cfg.Resolver = accounts.NewMemoryResolver(nil)
		default:
			p.fail(tk, "resolver of type %q is not supported by Troupe yet", typ)
			return
		}
	default:
		p.fail(tk, "error parsing operator resolver, wrong type %T", v)
		return
	}
	if _, mem := cfg.Resolver.(*accounts.MemoryResolver); !mem && len(cfg.ResolverPreload) > 0 {
		p.warn(tk, "resolver preloads only available for writeable resolver types MEM/DIR/CACHE_DIR")
	}
}

func (p *fileParser) authPreload(tk token, v any, cfg *accounts.Config) {
	m, ok := v.(map[string]any)
	if !ok {
		p.fail(tk, "preload should be a map of account_public_key:account_jwt")
		return
	}
	if cfg.ResolverPreload == nil {
		cfg.ResolverPreload = make(map[string]string, len(m))
	}
	for k, raw := range m {
		etk, ev := unwrap(raw)
		s, ok := ev.(string)
		if !ok {
			p.fail(etk, "preload map value should be a string JWT")
			continue
		}
		if _, err := jwt.DecodeAccountClaims(s); err != nil {
			p.fail(etk, "invalid account JWT")
			continue
		}
		cfg.ResolverPreload[k] = s
	}
	if _, mem := cfg.Resolver.(*accounts.MemoryResolver); cfg.Resolver != nil && !mem {
		p.warn(tk, "resolver preloads only available for writeable resolver types MEM/DIR/CACHE_DIR")
	}
}

// authAccounts is parseAccounts: a list of names, or a map of account blocks; then the
// checks across them (accounts.CheckAccounts), reported at the accounts key.
func (p *fileParser) authAccounts(tk token, v any, cfg *accounts.Config) {
	var accs []*accounts.Account
	switch x := v.(type) {
	case []any:
		for _, raw := range x {
			ntk, nv := unwrap(raw)
			name, ok := nv.(string)
			if !ok {
				p.fail(ntk, "account name: expected a string, got %T", nv)
				continue
			}
			accs = append(accs, &accounts.Account{Name: name, Limits: accounts.Unlimited()})
		}
	case map[string]any:
		taken := authNames(cfg.Users)
		for _, name := range slices.Sorted(maps.Keys(x)) { // deterministic, unlike nats-server
			atk, av := unwrap(x[name])
			if atk != nil && atk.IsUsedVariable() {
				continue
			}
			m, ok := av.(map[string]any)
			if !ok {
				p.fail(atk, "Expected map entries for accounts")
				continue
			}
			if name == accounts.GlobalAccount {
				p.fail(atk, "%q is a Reserved Account", name)
				continue
			}
			if acc := p.authAccount(name, m, cfg, taken); acc != nil {
				accs = append(accs, acc)
			}
		}
	default:
		p.fail(tk, "Expected accounts to be a list or a map, got %T", v)
		return
	}
	if len(p.errs) > 0 {
		return // nats-server bails out before exports and imports once anything failed
	}
	all := append(append([]*accounts.Account(nil), cfg.Accounts...), accs...)
	if errs := accounts.CheckAccounts(all); len(errs) > 0 {
		for _, err := range errs {
			p.fail(tk, "%v", err)
		}
		return
	}
	cfg.Accounts = all
}

// authAccount reads one account block; users go to cfg.Users, bound to the account.
func (p *fileParser) authAccount(name string, m map[string]any, cfg *accounts.Config, taken map[string]bool) *accounts.Account {
	acc := &accounts.Account{Name: name, Limits: accounts.Unlimited()}
	var users []*accounts.User
	var usersTk token
	for k, raw := range m {
		ktk, kv := unwrap(raw)
		switch strings.ToLower(k) {
		case "nkey":
			nk, ok := kv.(string)
			if !ok || !nkeys.IsValidPublicAccountKey(nk) {
				p.fail(ktk, "Not a valid public nkey for an account: %q", kv)
				continue
			}
			acc.Nkey = nk
		case "users":
			usersTk = ktk
			users, _ = p.authUsers(ktk, kv)
		case "exports":
			acc.Exports = p.authExports(ktk, kv)
		case "imports":
			acc.Imports = p.authImports(ktk, kv)
		case "default_permissions":
			acc.DefaultPermissions = p.authPerms(ktk, kv)
		case "limits":
			p.authLimits(ktk, kv, &acc.Limits)
		case "jetstream", "mappings", "maps", "msg_trace", "trace_dest":
			p.fail(ktk, "field %q in accounts is not supported by Troupe yet", k)
		default:
			p.unknown(ktk, k)
		}
	}
	if len(users) > 0 {
		if cfg.SingleUser {
			p.fail(usersTk, "Can not have a single user/pass and accounts")
			return acc
		}
		if cfg.Token != "" {
			p.fail(usersTk, "Can not have a token and accounts")
			return acc
		}
	}
	for _, u := range users {
		key, what := u.Username, "user"
		if u.Nkey != "" {
			key, what = u.Nkey, "nkey"
		}
		if taken[key] {
			p.fail(usersTk, "Duplicate %s %q detected", what, key)
			continue
		}
		taken[key] = true
		u.Account = name
		cfg.Users = append(cfg.Users, u)
	}
	return acc
}

// authLimits is parseAccountLimits.
func (p *fileParser) authLimits(tk token, v any, l *accounts.Limits) {
	m, ok := v.(map[string]any)
	if !ok {
		p.fail(tk, "Expected account limits to be a map/struct, got %+v", v)
		return
	}
	for k, raw := range m {
		ktk, kv := unwrap(raw)
		switch strings.ToLower(k) {
		case "max_connections", "max_conn":
			p.intInto(ktk, k, kv, func(n int64) { l.MaxConnections = int(n) })
		case "max_subscriptions", "max_subs":
			p.intInto(ktk, k, kv, func(n int64) { l.MaxSubscriptions = int(n) })
		case "max_payload", "max_pay":
			p.int32Into(ktk, k, kv, func(n int32) { l.MaxPayload = n })
		case "max_leafnodes", "max_leafs":
			p.intInto(ktk, k, kv, func(n int64) { l.MaxLeafNodes = int(n) })
		default:
			if ktk == nil || !ktk.IsUsedVariable() {
				p.fail(ktk, "Unknown field %q parsing account limits", k)
			}
		}
	}
}

// authExports is parseAccountExports with parseExportStreamOrService for each entry.
func (p *fileParser) authExports(tk token, v any) []accounts.Export {
	list, ok := v.([]any)
	if !ok {
		p.fail(tk, "Exports should be an array, got %T", v)
		return nil
	}
	var out []accounts.Export
	for _, raw := range list {
		etk, ev := unwrap(raw)
		m, ok := ev.(map[string]any)
		if !ok {
			p.fail(etk, "Export Items should be a map with type entry, got %T", ev)
			continue
		}
		var e accounts.Export
		var rtTk, thTk token
		for k, fraw := range m {
			ftk, fv := unwrap(fraw)
			switch strings.ToLower(k) {
			case "stream", "service":
				kind := accounts.Stream
				if strings.EqualFold(k, "service") {
					kind = accounts.Service
				}
				if e.Kind != 0 {
					p.fail(ftk, "Detected %s %q but already saw a %s", kind, fv, e.Kind)
					continue
				}
				s, ok := fv.(string)
				if !ok {
					p.fail(ftk, "Expected %s name to be string, got %T", kind, fv)
					continue
				}
				e.Kind, e.Subject = kind, s
			case "response", "response_type":
				if rtTk != nil {
					p.fail(ftk, "Duplicate response type definition")
					continue
				}
				rtTk = ftk
				s, ok := fv.(string)
				if !ok {
					p.fail(ftk, "Expected response type to be string, got %T", fv)
					continue
				}
				switch strings.ToLower(s) {
				case "single", "singleton":
					e.ResponseType = accounts.ResponseSingleton
				case "stream":
					e.ResponseType = accounts.ResponseStream
				case "chunk", "chunked":
					e.ResponseType = accounts.ResponseChunked
				default:
					p.fail(ftk, "Unknown response type: %q", s)
				}
			case "threshold", "response_threshold", "response_max_time", "response_time":
				if thTk != nil {
					p.fail(ftk, "Duplicate response threshold detected")
					continue
				}
				thTk = ftk
				s, ok := fv.(string)
				if !ok {
					p.fail(ftk, "Expected response threshold to be a parseable time duration, got %T", fv)
					continue
				}
				d, err := time.ParseDuration(s)
				if err != nil {
					p.fail(ftk, "Expected response threshold to be a parseable time duration, got %q", s)
					continue
				}
				e.ResponseThreshold = d
			case "accounts":
				names, ok := p.authStrings(ftk, "accounts", fv)
				if ok {
					e.Accounts = names
				}
			case "account_token_position":
				p.intInto(ftk, k, fv, func(n int64) { e.AccountTokenPosition = uint(n) })
			case "latency", "allow_trace":
				p.fail(ftk, "field %q in exports is not supported by Troupe yet", k)
			default:
				p.unknown(ftk, k)
			}
		}
		if e.Kind == accounts.Stream && (rtTk != nil || thTk != nil) {
			p.fail(firstToken(rtTk, thTk), "Detected response directive on non-service")
			continue
		}
		if e.Kind != 0 && !subjects.Valid([]byte(e.Subject)) {
			// nats-server accepts it, and no import can ever match it.
			p.warn(etk, "%s export %q is not a valid subject and is ignored", e.Kind, e.Subject)
			continue
		}
		if e.Kind == accounts.Service && e.ResponseType == "" {
			e.ResponseType = accounts.ResponseSingleton
		}
		if e.Kind != 0 { // an entry with neither stream nor service is ignored, as in nats-server
			out = append(out, e)
		}
	}
	return out
}

func firstToken(tks ...token) token {
	for _, t := range tks {
		if t != nil {
			return t
		}
	}
	return nil
}

// authImports is parseAccountImports with parseImportStreamOrService for each entry.
func (p *fileParser) authImports(tk token, v any) []accounts.Import {
	list, ok := v.([]any)
	if !ok {
		p.fail(tk, "Imports should be an array, got %T", v)
		return nil
	}
	var out []accounts.Import
	for _, raw := range list {
		etk, ev := unwrap(raw)
		m, ok := ev.(map[string]any)
		if !ok {
			p.fail(etk, "Import Items should be a map with type entry, got %T", ev)
			continue
		}
		var im accounts.Import
		var preTk, toTk token
		for k, fraw := range m {
			ftk, fv := unwrap(fraw)
			switch strings.ToLower(k) {
			case "stream", "service":
				kind := accounts.Stream
				if strings.EqualFold(k, "service") {
					kind = accounts.Service
				}
				if im.Kind != 0 {
					p.fail(ftk, "Detected %s but already saw a %s", kind, im.Kind)
					continue
				}
				am, ok := fv.(map[string]any)
				if !ok {
					p.fail(ftk, "%s entry should be an account map, got %T", strings.ToUpper(kind.String()[:1])+kind.String()[1:], fv)
					continue
				}
				for ak, araw := range am {
					atk, av := unwrap(araw)
					switch strings.ToLower(ak) {
					case "account":
						p.stringInto(atk, ak, av, func(s string) { im.Account = s })
					case "subject":
						p.stringInto(atk, ak, av, func(s string) { im.Subject = s })
					default:
						p.unknown(atk, ak)
					}
				}
				if im.Account == "" || im.Subject == "" {
					p.fail(ftk, "Expect an account name and a subject")
					continue
				}
				im.Kind = kind
			case "prefix":
				preTk = ftk
				p.stringInto(ftk, k, fv, func(s string) { im.Prefix = s })
			case "to":
				toTk = ftk
				p.stringInto(ftk, k, fv, func(s string) { im.To = s })
			case "share":
				p.boolInto(ftk, k, fv, func(b bool) { im.Share = b })
			case "allow_trace":
				p.fail(ftk, "field %q in imports is not supported by Troupe yet", k)
			default:
				p.unknown(ftk, k)
			}
		}
		switch {
		case im.Kind == accounts.Stream && im.Prefix != "" && im.To != "":
			p.fail(toTk, "Stream import can not have a 'prefix' and a 'to' property")
			continue
		case im.Kind == accounts.Service && preTk != nil:
			im.Prefix = "" // nats-server ignores a service's prefix
		}
		if im.To == im.Subject {
			im.To = ""
		}
		if im.Kind != 0 {
			out = append(out, im)
		}
	}
	return out
}
