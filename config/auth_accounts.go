package config

// The accounts and operator-mode keys: operators, trusted keys, the resolver and its preload,
// and accounts with their users, limits, exports and imports. parseAuthKey (auth.go) routes
// them here.

import (
	"iter"
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

// authItems yields the entries of an exports or imports array (what is "Export" or "Import"),
// each a map, with its token; it reports what is not, in nats-server's words.
func (p *fileParser) authItems(tk token, v any, what string) iter.Seq2[token, map[string]any] {
	return func(yield func(token, map[string]any) bool) {
		list, ok := v.([]any)
		if !ok {
			p.fail(tk, "%ss should be an array, got %T", what, v)
			return
		}
		for _, raw := range list {
			etk, ev := unwrap(raw)
			m, ok := ev.(map[string]any)
			if !ok {
				p.fail(etk, "%s Items should be a map with type entry, got %T", what, ev)
				continue
			}
			if !yield(etk, m) {
				return
			}
		}
	}
}

// kindOf is the kind an export or import entry's key ("stream" or "service") names.
func kindOf(key string) accounts.ExportKind {
	if strings.EqualFold(key, "service") {
		return accounts.Service
	}
	return accounts.Stream
}

// authExports is parseAccountExports with parseExportStreamOrService for each entry.
func (p *fileParser) authExports(tk token, v any) []accounts.Export {
	var out []accounts.Export
	for etk, m := range p.authItems(tk, v, "Export") {
		var e accounts.Export
		var rtTk, thTk token
		for k, fraw := range m {
			ftk, fv := unwrap(fraw)
			switch strings.ToLower(k) {
			case "stream", "service":
				kind := kindOf(k)
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
	var out []accounts.Import
	for _, m := range p.authItems(tk, v, "Import") {
		var im accounts.Import
		var preTk, toTk token
		for k, fraw := range m {
			ftk, fv := unwrap(fraw)
			switch strings.ToLower(k) {
			case "stream", "service":
				kind := kindOf(k)
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
