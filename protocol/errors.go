package protocol

// Error is a protocol error. Text is the exact text nats-server puts in
// "-ERR '<Text>'"; an empty Text means the connection is closed WITHOUT
// sending -ERR (nats-server's "Protocol Violation" close for malformed
// arguments). Close reports whether the connection must be closed.
type Error struct {
	Text  string
	Close bool

	msg string // what Error returns when Text is empty
}

// Error implements error.
func (e *Error) Error() string {
	switch {
	case e.Text != "":
		return e.Text
	case e.msg != "":
		return e.msg
	}
	return "protocol violation"
}

// The errors returned by Parser.Parse. They are compared by pointer.
var (
	// ErrUnknownOp is an unknown op, an op outside Parser.Ops, a missing
	// blank after an op name, or a payload not followed by "\r\n"
	// (parser.go: parseErr, which sends the -ERR and closes).
	ErrUnknownOp = &Error{Text: "Unknown Protocol Operation", Close: true}

	// ErrMaxControlLine is a control line longer than Parser.MaxControlLine
	// (parser.go: overMaxControlLineLimit).
	ErrMaxControlLine = &Error{Text: "maximum control line exceeded", Close: true}

	// ErrMaxPayload is a PUB/HPUB size above Parser.MaxPayload
	// (client.go: maxPayloadViolation).
	ErrMaxPayload = &Error{Text: "Maximum Payload Violation", Close: true}

	// ErrBadArgs is malformed arguments of a known op: wrong argument count,
	// bad size, header size above total size, bad CONNECT JSON. nats-server
	// returns a plain error from processPub & co and readLoop closes the
	// connection with ClosedState ProtocolViolation without sending -ERR.
	ErrBadArgs = &Error{Close: true, msg: "protocol violation: malformed arguments"}

	// ErrNoHeaders is an HPUB while Parser.NoHeaders is set: processHeaderPub
	// returns ErrMsgHeadersNotSupported and readLoop closes the connection
	// (Protocol Violation) without -ERR.
	ErrNoHeaders = &Error{Close: true, msg: "protocol violation: message headers not supported"}

	// ErrAuthViolation is an op other than CONNECT while
	// Parser.RequireConnect is set (parser.go authErr, client.go
	// authViolation, which sends this -ERR and closes).
	ErrAuthViolation = &Error{Text: "Authorization Violation", Close: true}
)
