package protocol

import "strconv"

// Kind identifies a protocol operation.
type Kind uint8

// The operations of the NATS client protocol.
const (
	KindConnect Kind = iota + 1 // CONNECT {json}
	KindInfo                    // INFO {json}
	KindPub                     // PUB subj [reply] size
	KindHPub                    // HPUB subj [reply] hdrsize totalsize
	KindSub                     // SUB subj [queue] sid
	KindUnsub                   // UNSUB sid [max]
	KindMsg                     // MSG subj sid [reply] size
	KindHMsg                    // HMSG subj sid [reply] hdrsize totalsize
	KindPing                    // PING
	KindPong                    // PONG
	KindOK                      // +OK
	KindErr                     // -ERR 'text'
	kindEnd
)

// kindNames holds the upper-case wire name of each Kind. The parser matches
// op names against it.
var kindNames = [kindEnd]string{
	KindConnect: "CONNECT",
	KindInfo:    "INFO",
	KindPub:     "PUB",
	KindHPub:    "HPUB",
	KindSub:     "SUB",
	KindUnsub:   "UNSUB",
	KindMsg:     "MSG",
	KindHMsg:    "HMSG",
	KindPing:    "PING",
	KindPong:    "PONG",
	KindOK:      "+OK",
	KindErr:     "-ERR",
}

// String returns the wire name of the operation ("PUB", "+OK", ...).
func (k Kind) String() string {
	if k > 0 && k < kindEnd {
		return kindNames[k]
	}
	return "Kind(" + strconv.Itoa(int(k)) + ")"
}

// Op is one parsed operation. All byte slices alias the caller's read buffer
// or the parser's internal scratch buffer and are valid ONLY during the
// callback; copy what must outlive it.
type Op struct {
	Kind    Kind
	Subject []byte
	Reply   []byte // empty when absent
	Queue   []byte // SUB queue group, empty when absent
	SID     []byte // SUB/UNSUB/MSG/HMSG
	Max     int    // UNSUB max msgs; 0 when absent (or not a valid number, see Parser)
	HdrLen  int    // HPUB/HMSG header length; 0 for PUB/MSG
	Size    int    // PUB/HPUB/MSG/HMSG total payload size (headers+body)
	Payload []byte // exactly Size bytes (headers+body), without the trailing CRLF
	Arg     []byte // CONNECT/INFO: the JSON text, trimmed; -ERR: the text inside the single quotes
}

// OpSet selects which ops a parser accepts; any other op is ErrUnknownOp.
type OpSet uint32

// Has reports whether k is in the set.
func (s OpSet) Has(k Kind) bool { return s&(1<<k) != 0 }

// opSet builds an OpSet from kinds.
func opSet(kinds ...Kind) OpSet {
	var s OpSet
	for _, k := range kinds {
		s |= 1 << k
	}
	return s
}

var (
	// ClientOps is what a server accepts from a client.
	//
	// nats-server (parser.go, client kind CLIENT) rejects MSG at its first
	// byte with 'Unknown Protocol Operation' and has no client handling for
	// HMSG, so neither is in the set. It does accept INFO (processInfo only
	// checks that the JSON decodes), +OK (ignored) and -ERR (processErr
	// closes the connection with ClosedState ParseError and sends nothing):
	// those are parsed here and their handling is left to the caller.
	ClientOps = opSet(KindConnect, KindInfo, KindPub, KindHPub, KindSub, KindUnsub,
		KindPing, KindPong, KindOK, KindErr)

	// ServerOps is what a client accepts from a server.
	ServerOps = opSet(KindInfo, KindMsg, KindHMsg, KindPing, KindPong, KindOK, KindErr)
)
