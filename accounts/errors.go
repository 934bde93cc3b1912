package accounts

import (
	"errors"
	"strconv"
)

// GlobalAccount is the account of every connection that names no other ($G); SystemAccount is
// nats-server's default system account name ($SYS).
const (
	GlobalAccount = "$G"
	SystemAccount = "$SYS"
)

// ErrAuthorization is the one error Authenticate returns, whatever was wrong: a missing or
// wrong credential, an unknown user, a bad signature, an expired or revoked JWT, an account the
// resolver could not fetch. The runtime sends "-ERR 'Authorization Violation'" and closes the
// connection (nats-server client.go authViolation). Which part failed is never told, to the
// client or in the error.
var ErrAuthorization = errors.New(TextAuthorizationViolation)

// The -ERR texts of authentication and authorization, exactly as nats-server v2.15.2 sends
// them (client.go authViolation, authTimeout, authExpired, accountAuthExpired,
// maxAccountConnExceeded; accounts.go updateAccountClaimsWithRefresh for revocations).
const (
	// TextAuthorizationViolation: bad credentials; close (AuthenticationViolation).
	TextAuthorizationViolation = "Authorization Violation"
	// TextAuthenticationTimeout: no CONNECT within Authenticator.Timeout(); close
	// (AuthenticationTimeout).
	TextAuthenticationTimeout = "Authentication Timeout"
	// TextUserAuthenticationExpired: Result.Expires reached; close (AuthenticationExpired).
	TextUserAuthenticationExpired = "User Authentication Expired"
	// TextAccountAuthenticationExpired: the account JWT's Account.Expires reached; close
	// (AuthenticationExpired).
	TextAccountAuthenticationExpired = "Account Authentication Expired"
	// TextUserAuthenticationRevoked: an account update revoked the user (Account.IsRevoked);
	// close (Revocation).
	TextUserAuthenticationRevoked = "User Authentication Revoked"
	// TextMaxAccountConnections: the account's Limits.MaxConnections reached when a connection
	// binds to it; close (MaxAccountConnectionsExceeded). nats-server's
	// ErrTooManyAccountConnections.
	TextMaxAccountConnections = "maximum account active connections exceeded"
)

// PubViolation returns the -ERR text for a PUB the permissions refuse:
// Permissions Violation for Publish to "<subject>" (client.go pubPermissionViolation). The
// connection stays open.
func PubViolation(subject []byte) string {
	return string(AppendPubViolation(nil, subject))
}

// AppendPubViolation appends PubViolation's text to dst.
func AppendPubViolation(dst, subject []byte) []byte {
	dst = append(dst, "Permissions Violation for Publish to "...)
	return strconv.AppendQuote(dst, string(subject))
}

// SubViolation returns the -ERR text for a SUB the permissions refuse (client.go
// subPermissionViolation): Permissions Violation for Subscription to "<subject>", followed by
// ` using queue "<queue>"` when the SUB has a queue group. The connection stays open.
func SubViolation(subject, queue []byte) string {
	return string(AppendSubViolation(nil, subject, queue))
}

// AppendSubViolation appends SubViolation's text to dst.
func AppendSubViolation(dst, subject, queue []byte) []byte {
	dst = append(dst, "Permissions Violation for Subscription to "...)
	dst = strconv.AppendQuote(dst, string(subject))
	if len(queue) > 0 {
		dst = append(dst, " using queue "...)
		dst = strconv.AppendQuote(dst, string(queue))
	}
	return dst
}

// ReplyViolation returns the -ERR text nats-server sends for a PUB whose reply subject is
// reserved (a "_R_." service reply, client.go replySubjectViolation):
// Permissions Violation for Publish with Reply of "<reply>".
func ReplyViolation(reply []byte) string {
	dst := append([]byte(nil), "Permissions Violation for Publish with Reply of "...)
	return string(strconv.AppendQuote(dst, string(reply)))
}
