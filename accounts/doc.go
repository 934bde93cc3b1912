// Package accounts is Troupe's authentication, authorization and accounts, with nats-server
// v2.15.2's rules and texts: who a connection is (Authenticator), what it may publish and
// subscribe to (Perms), and which accounts exist and what they share (Account, Export,
// Import). It does no I/O of its own but the URL resolver's HTTP fetches, owns no goroutine
// but those fetches, and knows nothing of actors: the runtime calls it.
//
// # Building
//
// The configuration parser (config/auth.go) and the flags fill a Config; New checks it as
// nats-server checks its options at startup and compiles it into an Authenticator, which is
// immutable and safe for concurrent use.
//
// # What the runtime calls, and when
//
//   - At accept: Enforced() (arm a Timeout() timer; any op before CONNECT is "Authorization
//     Violation"; the timer firing is "Authentication Timeout"); Required() for INFO's
//     auth_required; NonceNeeded() and NewNonce() for INFO's nonce.
//   - On CONNECT, on the connection's reader goroutine: Authenticate (or AuthenticateFrom with
//     the client's IP). Any error is ErrAuthorization: send its text and close. The Result
//     names the account to bind (check its Limits.MaxConnections:
//     TextMaxAccountConnections), the compiled Perms, the connection's ConnLimits, and an
//     Expires time after which the connection closes with TextUserAuthenticationExpired.
//   - On each PUB, in nats-server's order: ReservedPublish(subject) refuses "_GR_."/"$GR."
//     (and "$NRG." outside the system account) with PubViolation; then, if
//     Perms.RestrictsPublish(), Perms.CanPublish(subject), and if that is false and
//     Perms.Responses() != nil, the connection's ResponseTracker.Allow(subject); still
//     false: send PubViolation(subject) and drop the message (the connection stays open);
//     then ReservedReply(reply) refuses a reserved reply subject with ReplyViolation.
//   - On each SUB: Perms.CanSubscribe(subject, queue), and the queue name "_sys_" is refused
//     too; either way send SubViolation and do not subscribe (the connection stays open).
//   - At each delivery to a connection: if its Perms.RestrictsDelivery(), skip the message
//     when Perms.DeniesDelivery(subject, queue); with a ResponseTracker, call
//     Delivered(reply) for messages that carry a reply.
//   - At startup: Accounts() to create the configured accounts and wire their imports
//     (CheckAccounts already accepted them). In operator mode accounts arrive with their
//     users (Result.AccountDef); LookupAccount resolves the exporters their imports name,
//     and Account.CheckImport says whether each import is authorized (an unauthorized one is
//     skipped, as nats-server skips it). Account.Expires closes the account's connections
//     with TextAccountAuthenticationExpired.
//   - On an account update (UpdateAccount with a pushed JWT): apply the new Limits and close
//     the connections whose user Account.IsRevoked(Result.User, Result.IssuedAt) with
//     TextUserAuthenticationRevoked.
//
// # Permissions
//
// Compile turns Permissions into Perms: immutable tries of the allow and deny entries,
// matched without allocating. Their decisions are nats-server's, including the interplay of
// allow and deny lists, queue-qualified subscribe entries ("foo v1", "foo v1.*") and the
// delivery-time deny check for wildcard subscriptions wider than a deny entry; a differential
// test runs the same permissions through an embedded nats-server.
//
// # Secrets
//
// Passwords and tokens are compared in constant time (or with bcrypt when configured as a
// bcrypt hash). No error, Result or log text of this package carries a secret; failures never
// say which credential was wrong.
package accounts
