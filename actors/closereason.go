package actors

// CloseReason says why a connection was closed. The names and strings are nats-server's
// (ClosedState in server/monitor.go), so monitoring output stays compatible.
type CloseReason uint8

const (
	ClientClosed CloseReason = iota + 1
	AuthenticationTimeout
	AuthenticationViolation
	TLSHandshakeError
	SlowConsumerPendingBytes
	SlowConsumerWriteDeadline
	WriteError
	ReadError
	ParseError
	StaleConnection
	ProtocolViolation
	BadClientProtocolVersion
	WrongPort
	MaxAccountConnectionsExceeded
	MaxConnectionsExceeded
	MaxPayloadExceeded
	MaxControlLineExceeded
	MaxSubscriptionsExceeded
	DuplicateRoute
	RouteRemoved
	ServerShutdown
	AuthenticationExpired
	WrongGateway
	MissingAccount
	Revocation
	InternalClient
	MsgHeaderViolation
	NoRespondersRequiresHeaders
	ClusterNameConflict
	DuplicateServerName
)

var closeReasonText = [...]string{
	ClientClosed:                  "Client Closed",
	AuthenticationTimeout:         "Authentication Timeout",
	AuthenticationViolation:       "Authentication Failure",
	TLSHandshakeError:             "TLS Handshake Failure",
	SlowConsumerPendingBytes:      "Slow Consumer (Pending Bytes)",
	SlowConsumerWriteDeadline:     "Slow Consumer (Write Deadline)",
	WriteError:                    "Write Error",
	ReadError:                     "Read Error",
	ParseError:                    "Parse Error",
	StaleConnection:               "Stale Connection",
	ProtocolViolation:             "Protocol Violation",
	BadClientProtocolVersion:      "Bad Client Protocol Version",
	WrongPort:                     "Incorrect Port",
	MaxAccountConnectionsExceeded: "Maximum Account Connections Exceeded",
	MaxConnectionsExceeded:        "Maximum Connections Exceeded",
	MaxPayloadExceeded:            "Maximum Message Payload Exceeded",
	MaxControlLineExceeded:        "Maximum Control Line Exceeded",
	MaxSubscriptionsExceeded:      "Maximum Subscriptions Exceeded",
	DuplicateRoute:                "Duplicate Route",
	RouteRemoved:                  "Route Removed",
	ServerShutdown:                "Server Shutdown",
	AuthenticationExpired:         "Authentication Expired",
	WrongGateway:                  "Wrong Gateway",
	MissingAccount:                "Missing Account",
	Revocation:                    "Credentials Revoked",
	InternalClient:                "Internal Client",
	MsgHeaderViolation:            "Message Header Violation",
	NoRespondersRequiresHeaders:   "No Responders Requires Headers",
	ClusterNameConflict:           "Cluster Name Conflict",
	DuplicateServerName:           "Duplicate Server Name",
}

func (r CloseReason) String() string {
	if int(r) < len(closeReasonText) && closeReasonText[r] != "" {
		return closeReasonText[r]
	}
	return "Unknown State"
}
