package accounts

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net"
	"os"
	"strings"
	"time"

	"github.com/nats-io/jwt/v2"
	"github.com/nats-io/nkeys"
	"github.com/troupe/troupe/protocol"
)

// Errors of operator mode (nats-server's texts where it has them).
var (
	ErrAccountValidation = errors.New("account validation failed")
	ErrAccountExpired    = errors.New("account expired")
	ErrNoResolver        = errors.New("no account resolver configured")
)

// trust is operator mode's root of trust: the keys that may sign account JWTs.
type trust struct {
	operators []*jwt.OperatorClaims
	keys      map[string]bool // operator keys and operator signing keys
	strict    map[string]bool // signing keys of operators with strict signing key usage
}

// newTrust decodes the operator JWTs and collects the trusted keys, with nats-server's checks
// (jwt.go validateTrustedOperators, server.go processTrustedKeys).
func newTrust(cfg *Config) (*trust, error) {
	t := &trust{keys: map[string]bool{}, strict: map[string]bool{}}
	for _, s := range cfg.Operators {
		oc, err := jwt.DecodeOperatorClaims(s)
		if err != nil {
			return nil, fmt.Errorf("error parsing operator JWT: %v", err)
		}
		t.operators = append(t.operators, oc)
	}
	if len(t.operators) > 0 && len(cfg.TrustedKeys) > 0 {
		return nil, errors.New("conflicting options for 'TrustedKeys' and 'TrustedOperators'")
	}
	for _, k := range cfg.TrustedKeys {
		if !nkeys.IsValidPublicOperatorKey(k) {
			return nil, fmt.Errorf("trusted Keys %q are required to be a valid public operator nkey", k)
		}
		t.keys[k] = true
	}
	for _, oc := range t.operators {
		if !oc.StrictSigningKeyUsage {
			t.keys[oc.Subject] = true
		}
		for _, k := range oc.SigningKeys {
			if !nkeys.IsValidPublicOperatorKey(k) {
				return nil, fmt.Errorf("trusted Keys %q are required to be a valid public operator nkey", k)
			}
			t.keys[k] = true
			if oc.StrictSigningKeyUsage {
				t.strict[k] = true
			}
		}
	}
	return t, nil
}

// ReadOperatorJWT reads an operator JWT as nats-server's "operator" option takes it: the
// contents of the file at path (decorated or not), or, if no such file can be read, path
// itself when it is an inline JWT. It returns the JWT after checking it decodes as operator
// claims.
func ReadOperatorJWT(path string) (string, error) {
	contents, err := os.ReadFile(path)
	if err != nil {
		if !strings.HasPrefix(path, "eyJ") {
			return "", err
		}
		contents = []byte(path)
	}
	s, err := jwt.ParseDecoratedJWT(contents)
	if err != nil {
		return "", err
	}
	if _, err := jwt.DecodeOperatorClaims(s); err != nil {
		return "", err
	}
	return s, nil
}

// verifyAccountJWT decodes and checks an account JWT: signed by a trusted key, valid
// (not expired, not yet valid, no blocking issue). server.go verifyAccountClaims.
func (a *Authenticator) verifyAccountJWT(raw string) (*Account, error) {
	ac, err := jwt.DecodeAccountClaims(raw)
	if err != nil {
		return nil, err
	}
	if !a.trust.keys[ac.Issuer] {
		return nil, ErrAccountValidation
	}
	vr := jwt.CreateValidationResults()
	ac.Validate(vr)
	if vr.IsBlocking(true) {
		return nil, ErrAccountValidation
	}
	return accountFromClaims(ac, raw, a.trust.strict[ac.Issuer]), nil
}

// accountFromClaims builds an Account from verified account claims (accounts.go
// updateAccountClaimsWithRefresh, for what Troupe uses).
func accountFromClaims(ac *jwt.AccountClaims, raw string, strict bool) *Account {
	acc := &Account{
		Name: ac.Subject, JWT: raw, Issuer: ac.Issuer, NameTag: ac.Name,
		Tags: append([]string(nil), ac.Tags...),
		Limits: Limits{
			MaxConnections:   int(clamp32(ac.Limits.Conn)),
			MaxSubscriptions: int(clamp32(ac.Limits.Subs)),
			MaxPayload:       clamp32(ac.Limits.Payload),
			MaxLeafNodes:     int(clamp32(ac.Limits.LeafNodeConn)),
		},
		DisallowBearer:     ac.Limits.DisallowBearer,
		DefaultPermissions: permissionsFromJWT(&ac.DefaultPermissions),
		scopes:             map[string]*jwt.UserScope{},
	}
	if ac.Expires != 0 {
		acc.Expires = time.Unix(ac.Expires, 0)
	}
	if len(ac.Revocations) > 0 {
		acc.Revocations = make(map[string]int64, len(ac.Revocations))
		for k, v := range ac.Revocations {
			acc.Revocations[k] = v
		}
	}
	if !strict {
		acc.SigningKeys = append(acc.SigningKeys, ac.Subject)
	}
	for k, scope := range ac.SigningKeys {
		acc.SigningKeys = append(acc.SigningKeys, k)
		if us, ok := scope.(*jwt.UserScope); ok {
			acc.scopes[k] = us
		}
	}
	for _, e := range ac.Exports {
		x := Export{
			Subject: string(e.Subject), TokenRequired: e.TokenReq,
			AccountTokenPosition: e.AccountTokenPosition, ResponseThreshold: e.ResponseThreshold,
			Revocations: e.Revocations,
		}
		if e.IsService() {
			x.Kind, x.ResponseType = Service, ResponseSingleton
			switch e.ResponseType {
			case jwt.ResponseTypeStream:
				x.ResponseType = ResponseStream
			case jwt.ResponseTypeChunked:
				x.ResponseType = ResponseChunked
			}
		} else {
			x.Kind = Stream
		}
		acc.Exports = append(acc.Exports, x)
	}
	for _, i := range ac.Imports {
		im := Import{Account: i.Account, Token: i.Token, Share: i.Share}
		if i.IsService() {
			// The JWT's subject is the importer's (local) subject; "to" or local_subject
			// rename it (accounts.go updateAccountClaimsWithRefresh).
			im.Kind, im.Subject, im.To = Service, string(i.Subject), string(i.Subject)
			if i.LocalSubject != "" {
				im.To = string(i.LocalSubject)
			} else if i.GetTo() != "" {
				im.Subject = i.GetTo()
			}
		} else {
			im.Kind, im.Subject = Stream, string(i.Subject)
			if i.LocalSubject != "" {
				im.To = string(i.LocalSubject)
			} else {
				im.Prefix = i.GetTo() // the deprecated "to" of a stream is a prefix
			}
		}
		if im.To == im.Subject {
			im.To = ""
		}
		acc.Imports = append(acc.Imports, im)
	}
	return acc
}

// permissionsFromJWT is accounts.go buildPermissionsFromJwt: nil when the JWT sets none.
func permissionsFromJWT(jp *jwt.Permissions) *Permissions {
	var p *Permissions
	if len(jp.Pub.Allow) > 0 || len(jp.Pub.Deny) > 0 {
		p = &Permissions{Publish: &SubjectPermission{Allow: jp.Pub.Allow, Deny: jp.Pub.Deny}}
	}
	if len(jp.Sub.Allow) > 0 || len(jp.Sub.Deny) > 0 {
		if p == nil {
			p = &Permissions{}
		}
		p.Subscribe = &SubjectPermission{Allow: jp.Sub.Allow, Deny: jp.Sub.Deny}
	}
	if jp.Resp != nil {
		if p == nil {
			p = &Permissions{}
		}
		p.Response = &ResponsePermission{MaxMsgs: jp.Resp.MaxMsgs, Expires: jp.Resp.Expires}
	}
	return p
}

func clamp32(v int64) int32 {
	return int32(max(math.MinInt32, min(math.MaxInt32, v)))
}

// authenticateJWT is the operator-mode half of processClientOrLeafAuthentication (auth.go),
// its checks in nats-server's order.
func (a *Authenticator) authenticateJWT(ctx context.Context, c *protocol.Connect, nonce []byte, host string) (*Result, error) {
	if c.JWT == "" {
		return nil, ErrAuthorization
	}
	juc, err := jwt.DecodeUserClaims(c.JWT)
	if err != nil || juc.ProxyRequired {
		return nil, ErrAuthorization
	}
	vr := jwt.CreateValidationResults()
	juc.Validate(vr)
	if vr.IsBlocking(true) {
		return nil, ErrAuthorization
	}
	issuer := juc.Issuer
	if juc.IssuerAccount != "" {
		issuer = juc.IssuerAccount
	}
	acc, err := a.LookupAccount(ctx, issuer)
	if err != nil {
		return nil, ErrAuthorization
	}
	scope, ok := acc.hasSigner(juc.Issuer)
	if !ok {
		return nil, ErrAuthorization
	}
	lim := juc.UserPermissionLimits
	if scope != nil {
		if scope.ValidateScopedSigner(juc) != nil {
			return nil, ErrAuthorization
		}
		if lim, err = applyTemplate(scope.Template, juc, acc); err != nil || lim.ProxyRequired {
			return nil, ErrAuthorization
		}
	}
	now := a.now()
	if acc.IsExpired(now) || (lim.BearerToken && acc.DisallowBearer) {
		return nil, ErrAuthorization
	}
	if !standardAllowed(lim.AllowedConnectionTypes) {
		return nil, ErrAuthorization
	}
	if !lim.BearerToken && !verifyNonce(juc.Subject, c.Sig, nonce) {
		return nil, ErrAuthorization
	}
	if acc.IsRevoked(juc.Subject, juc.IssuedAt) || !validSrc(lim.Src, host) {
		return nil, ErrAuthorization
	}
	allowNow, validFor := validTimes(&lim.UserLimits, now)
	if !allowNow {
		return nil, ErrAuthorization
	}
	p := permissionsFromJWT(&lim.Permissions)
	if p == nil {
		p = acc.DefaultPermissions
	}
	perms, err := Compile(p)
	if err != nil {
		return nil, ErrAuthorization
	}
	r := &Result{
		User: juc.Subject, Account: acc.Name, AccountDef: acc, Perms: perms,
		IssuedAt: juc.IssuedAt, Name: juc.Name, Tags: append([]string(nil), juc.Tags...),
		Limits: ConnLimits{MaxSubscriptions: int(clamp32(lim.Subs)), MaxPayload: clamp32(lim.Payload)},
	}
	r.Limits.combine(acc.Limits)
	r.Expires = expiry(juc.Expires, validFor, now)
	return r, nil
}

// expiry is client.go setExpiration: the user JWT's expiry, or the end of its connect-time
// window if sooner.
func expiry(exp int64, validFor time.Duration, now time.Time) time.Time {
	if exp == 0 {
		if validFor != 0 {
			return now.Add(validFor)
		}
		return time.Time{}
	}
	left := time.Duration(0)
	if tn := now.Unix(); exp > tn {
		left = time.Duration(exp-tn) * time.Second
	}
	if validFor != 0 && validFor < left {
		left = validFor
	}
	return now.Add(left)
}

// validSrc is jwt.go validateSrc: with CIDRs set, the client's host must fall in one.
func validSrc(src jwt.CIDRList, host string) bool {
	if len(src) == 0 {
		return true
	}
	ip := net.ParseIP(host)
	if ip == nil {
		return false
	}
	for _, cidr := range src {
		_, n, err := net.ParseCIDR(cidr)
		if err != nil {
			return false
		}
		if n.Contains(ip) {
			return true
		}
	}
	return false
}

// validTimes is jwt.go validateTimesAt: with connect-time ranges set, now must fall in one;
// validFor is how long until the latest-ending one closes.
func validTimes(l *jwt.UserLimits, now time.Time) (bool, time.Duration) {
	if len(l.Times) == 0 {
		return true, 0
	}
	loc := time.Local
	if l.Locale != "" {
		var err error
		if loc, err = time.LoadLocation(l.Locale); err != nil {
			return false, 0
		}
		now = now.In(loc)
	}
	ok, validFor := false, time.Duration(0)
	for _, tr := range l.Times {
		start, err := time.ParseInLocation("15:04:05", tr.Start, loc)
		if err != nil {
			return false, 0
		}
		end, err := time.ParseInLocation("15:04:05", tr.End, loc)
		if err != nil {
			return false, 0
		}
		y, m, d := now.Date()
		start = time.Date(y, m, d, start.Hour(), start.Minute(), start.Second(), 0, loc)
		end = time.Date(y, m, d, end.Hour(), end.Minute(), end.Second(), 0, loc)
		if in, left := inRange(start, end, now); in && (!ok || left > validFor) {
			ok, validFor = true, left
		}
	}
	return ok, validFor
}

func inRange(start, end, now time.Time) (bool, time.Duration) {
	if start.Before(now) && end.After(now) {
		return true, end.Sub(now)
	}
	if start.After(end) { // the range crosses midnight
		if end.After(now) {
			return true, end.Sub(now)
		}
		end = end.AddDate(0, 0, 1)
		if start.Before(now) && end.After(now) {
			return true, end.Sub(now)
		}
	}
	return false, 0
}
