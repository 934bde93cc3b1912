package accounts

import (
	"strings"
	"time"

	"github.com/nats-io/jwt/v2"
)

// ExportKind says whether an export or import is a stream or a service.
type ExportKind int

const (
	Stream ExportKind = iota + 1
	Service
)

func (k ExportKind) String() string {
	switch k {
	case Stream:
		return "stream"
	case Service:
		return "service"
	}
	return "unknown"
}

// Service response types (response_type), nats-server's names.
const (
	ResponseSingleton = "Singleton" // one response per request (the default)
	ResponseStream    = "Stream"    // any number of responses
	ResponseChunked   = "Chunked"   // any number of responses, in chunks
)

// DefaultResponseThreshold is how long a service export's responses may take by default
// (nats-server DEFAULT_SERVICE_EXPORT_RESPONSE_THRESHOLD).
const DefaultResponseThreshold = 2 * time.Minute

// Export is a subject an account offers to others.
type Export struct {
	Kind    ExportKind
	Subject string // may hold wildcards
	// Accounts may import it; empty (and TokenRequired false) means anyone may.
	Accounts []string
	// TokenRequired: a private export (JWT token_req); importers need an activation token
	// signed by this account.
	TokenRequired bool
	// AccountTokenPosition (JWT account_token_position, 1-based): the subject's token at this
	// position, a '*', must be the importing account's name.
	AccountTokenPosition uint
	// Revocations of activation tokens (JWT): importing account key -> unix seconds; tokens
	// issued at or before are revoked.
	Revocations map[string]int64
	// Services only.
	ResponseType      string        // ResponseSingleton when empty
	ResponseThreshold time.Duration // DefaultResponseThreshold when 0
}

// Import brings another account's export into this account.
//
// A stream import delivers messages published in Account on Subject (or a subset of it) to
// this account's subscribers, on the same subject, or with Prefix + "." in front, or remapped
// to To. A service import lets this account's clients publish requests to To (Subject when
// empty); they reach Account's subscribers on Subject, their reply rewritten to "_R_...", and
// the responder may publish the reply once (or more for Stream/Chunked response types).
type Import struct {
	Kind    ExportKind
	Account string // the exporting account
	Subject string // the subject in the exporting account (the exported subject or a subset)
	To      string // the local subject (service "to"; stream "to" remaps)
	Prefix  string // streams: a literal prefix for the local subject
	Token   string // activation JWT for a private (token-required) export
	Share   bool   // services: the request info names the requesting client, not only its account
}

// LocalSubject is the subject of the import in the importing account: for a service, where
// clients publish requests; for a stream, where subscribers receive (wildcards of a "to"
// remapping or of the subject itself included).
func (im *Import) LocalSubject() string {
	switch {
	case im.To != "":
		return im.To
	case im.Kind == Stream && im.Prefix != "":
		if strings.HasSuffix(im.Prefix, ".") {
			return im.Prefix + im.Subject
		}
		return im.Prefix + "." + im.Subject
	}
	return im.Subject
}

// NoLimit is the "unlimited" value of Limits and ConnLimits fields, as in nats-server's
// accounts and the JWT library (jwt.NoLimit).
const NoLimit = -1

// Limits are an account's limits: from the config (accounts { A { limits { max_connections,
// max_subscriptions, max_payload } } }) or the account JWT. As in nats-server, NoLimit (-1)
// is unlimited and 0 is a limit of zero (a JWT without limits allows no connections); use
// Unlimited() for an account without limits. (Server options differ: there 0 means the
// default or unlimited.)
type Limits struct {
	MaxConnections   int   // connections bound to the account (server-wide)
	MaxSubscriptions int   // per connection
	MaxPayload       int32 // per message
	MaxLeafNodes     int   // accepted, unused
}

// Unlimited returns Limits without any limit.
func Unlimited() Limits {
	return Limits{MaxConnections: NoLimit, MaxSubscriptions: NoLimit, MaxPayload: NoLimit, MaxLeafNodes: NoLimit}
}

// Account is an account definition: a configured account, or one decoded from an account JWT
// in operator mode (then Name is its public key and the fields below Limits are filled). It is
// not changed once built; an updated JWT makes a new Account.
type Account struct {
	Name    string
	Exports []Export
	Imports []Import
	Limits  Limits
	// DefaultPermissions apply to the account's users without permissions of their own.
	DefaultPermissions *Permissions
	Nkey               string // config: the account's public nkey (informational)

	// Operator mode (JWT) only.
	JWT            string           // the account JWT
	Issuer         string           // operator key or operator signing key that signed it
	NameTag        string           // the JWT's name
	Tags           []string         // the JWT's tags
	SigningKeys    []string         // keys that may sign its users: its own (unless the operator is strict) and its signing keys
	Revocations    map[string]int64 // user key (or "*" for all) -> unix seconds: user JWTs issued at or before are revoked
	Expires        time.Time        // zero: never; then connections close with "Account Authentication Expired"
	DisallowBearer bool             // bearer user JWTs are refused

	scopes map[string]*jwt.UserScope // scoped signing keys
}

// IsRevoked reports whether a user JWT with subject userKey issued at issuedAt (unix seconds)
// is revoked by the account (accounts.go isRevoked): a revocation for the key, or for all keys
// ("*"), at or after issuedAt. The runtime calls it for each connection of the account when an
// updated account arrives (Authenticator.UpdateAccount) and closes those revoked with
// TextUserAuthenticationRevoked.
func (a *Account) IsRevoked(userKey string, issuedAt int64) bool {
	if a == nil || len(a.Revocations) == 0 {
		return false
	}
	if t, ok := a.Revocations[userKey]; ok && t >= issuedAt {
		return true
	}
	if t, ok := a.Revocations[jwt.All]; ok && t >= issuedAt {
		return true
	}
	return false
}

// IsExpired reports whether the account JWT has expired at now.
func (a *Account) IsExpired(now time.Time) bool {
	return a != nil && !a.Expires.IsZero() && !now.Before(a.Expires)
}

// hasSigner reports whether key may sign the account's users, and its scope if it is a scoped
// signing key.
func (a *Account) hasSigner(key string) (*jwt.UserScope, bool) {
	for _, k := range a.SigningKeys {
		if k == key {
			return a.scopes[key], true
		}
	}
	return nil, false
}

func (a *Account) export(kind ExportKind, subject string) *Export {
	for i := range a.Exports {
		if e := &a.Exports[i]; e.Kind == kind && e.Subject == subject {
			return e
		}
	}
	return nil
}
