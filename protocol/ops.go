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

	// The route (cluster) protocol.
	KindRSub   // RS+ acc subj [queue weight]
	KindRUnsub // RS- acc subj [queue]
	KindRMsg   // RMSG acc subj [reply | + reply queues.. | \| queues..] size
	KindRHMsg  // HMSG acc subj [reply | + reply queues.. | \| queues..] hdrsize totalsize
	KindLSub   // LS+ origin acc subj [queue weight]
	KindLUnsub // LS- [origin] acc subj [queue]
	KindLMsg   // LMSG origin acc subj [reply | + reply queues.. | \| queues..] hdrsize totalsize
	KindASub   // A+ acc (gateways; ignored on routes)
	KindAUnsub // A- acc
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
	KindRSub:    "RS+",
	KindRUnsub:  "RS-",
	KindRMsg:    "RMSG",
	KindRHMsg:   "HMSG",
	KindLSub:    "LS+",
	KindLUnsub:  "LS-",
	KindLMsg:    "LMSG",
	KindASub:    "A+",
	KindAUnsub:  "A-",
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
	// Routes: the account (RS+, RS-, RMSG, HMSG, LS+, LS-, LMSG, A+, A-), the origin cluster
	// (LS+, LS-, LMSG), a queue group's weight (RS+, LS+; 1 when missing or malformed), and the
	// queue groups a routed message is for, as on the wire (space separated).
	Account []byte
	Origin  []byte
	Weight  int
	Queues  []byte
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

	// RouteOps is what a server accepts from another server on a route: HMSG is the routed
	// form (KindRHMsg). LS+/LS-/LMSG and A+/A- are parsed so that a peer with leafnodes or
	// gateways does not break the route; what to do with them is the caller's business.
	RouteOps = opSet(KindConnect, KindInfo, KindRSub, KindRUnsub, KindRMsg, KindRHMsg,
		KindLSub, KindLUnsub, KindLMsg, KindASub, KindAUnsub, KindPing, KindPong, KindOK, KindErr)

	// serverOnly are the ops that start with R, L or A: only servers send them.
	serverOnly = opSet(KindRSub, KindRUnsub, KindRMsg, KindLSub, KindLUnsub, KindLMsg, KindASub, KindAUnsub)
)
