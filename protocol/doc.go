// Package protocol is the NATS client wire protocol of Troupe: a byte-level
// state machine parser for the text protocol (INFO, CONNECT, PUB, HPUB, SUB,
// UNSUB, MSG, HMSG, PING, PONG, +OK, -ERR) and append-style encoders for the
// same operations.
//
// The package is pure. It does no I/O, takes no locks, starts no goroutines,
// knows nothing of servers, connections or accounts, and imports only the Go
// standard library. A [Parser] is fed the bytes of each read with
// [Parser.Parse] and hands every complete operation to a callback as an [Op]
// whose byte slices alias the read buffer (or the parser's scratch buffer for
// operations split across reads); they are valid only during the callback.
//
// The behaviour mirrors nats-server v2.15.2 (server/parser.go and the
// processPub, processHeaderPub, parseSub, processUnsub and processConnect
// functions of server/client.go): op names are case-insensitive, arguments
// are separated by runs of spaces or tabs, control lines may end in "\r\n" or
// a bare "\n", payloads must be followed by exactly "\r\n", the control line
// and payload limits are enforced where nats-server enforces them, and each
// failure is reported as an [*Error] that carries the exact -ERR text and
// whether the connection must be closed.
//
// Encoders ([AppendMsg], [AppendHMsg], [AppendPub], ...) append to a caller
// slice and do not allocate when it has room.
package protocol
