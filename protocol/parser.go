package protocol

import (
	"bytes"
	"encoding/binary"
)

// Defaults applied when the corresponding Parser field is 0 (nats-server's
// MAX_CONTROL_LINE_SIZE and MAX_PAYLOAD_SIZE).
const (
	DefaultMaxControlLine = 4096
	DefaultMaxPayload     = 1 << 20
)

// maxRetainedScratch bounds the payload scratch buffer a parser keeps
// between split messages; a larger one is dropped after its message, like
// nats-server allocates (and does not keep) split payloads that overflow
// its scratch.
const maxRetainedScratch = 64 << 10

// pstate is the parser's position in the grammar.
type pstate uint8

const (
	stStart     pstate = iota // at the first byte of an op
	stPick                    // after 'P', 'H', 'R', 'L' or 'A': the second byte picks the op
	stSign                    // after "RS" or "LS": '+' or '-' picks the op
	stName                    // matching the rest of kindNames[kind]
	stNeedBlank               // after PUB/HPUB/SUB/UNSUB/MSG/HMSG/-ERR: one blank is required
	stSkipBlank               // skipping blanks; the next byte starts the arguments
	stArg                     // inside the argument line, waiting for '\n'
	stSkipLine                // PING/PONG/+OK: everything up to '\n' is ignored
	stPayload                 // collecting a split payload into msgBuf
	stEndR                    // expecting the '\r' after a split payload
	stEndN                    // expecting the '\n' after a split payload
)

// Parser is an incremental parser of the NATS text protocol. It is not safe
// for concurrent use. A zero Parser accepts no op: use NewParser, or set
// Ops.
type Parser struct {
	// Ops is the set of accepted operations; any other is ErrUnknownOp.
	Ops OpSet
	// MaxControlLine limits the length of an argument line (the bytes after
	// the op name and its blanks, without the line end), both when complete
	// and while buffered across reads. 0 means DefaultMaxControlLine, a
	// negative value means no limit.
	MaxControlLine int
	// MaxPayload limits the size of PUB and HPUB (checked at the control
	// line, before the payload is read). 0 means DefaultMaxPayload, a
	// negative value means no limit.
	MaxPayload int
	// NoHeaders rejects HPUB with ErrNoHeaders as soon as its control line
	// is complete, as processHeaderPub does while the client has not sent
	// CONNECT with "headers":true (or the server has headers off). To
	// mirror nats-server a session sets it on accept and recomputes it in
	// each CONNECT callback.
	NoHeaders bool
	// RequireConnect, while set, rejects any op that does not start with
	// 'C' or 'c' with ErrAuthViolation at its first byte, as parser.go
	// OP_START does while a client must authenticate. The caller sets it on
	// accept when auth is required and clears it in the CONNECT callback
	// once authentication succeeds; the next op already sees the change.
	RequireConnect bool

	state    pstate
	first    byte // first byte of the op, for stPick
	kind     Kind
	npos     int    // bytes of kindNames[kind] matched so far
	argStart int    // index of the first argument byte in the current buf (when !split)
	split    bool   // the argument line so far is in lineBuf
	lineCR   bool   // lineBuf[1:] holds a '\r' (see trimLineEnd)
	inLine   bool   // the current control line (and p.op's arguments) live in lineBuf
	lineEnd  int    // when !inLine: the line is buf[argStart:lineEnd] of the current buf
	lineBuf  []byte // scratch for split argument lines
	msgBuf   []byte // scratch for split payloads
	op       Op
}

// NewParser returns a parser accepting ops, with default limits.
func NewParser(ops OpSet) *Parser {
	return &Parser{Ops: ops}
}

// Reset returns the parser to its initial state. Scratch buffers are kept.
func (p *Parser) Reset() {
	p.state, p.first, p.kind, p.npos = stStart, 0, 0, 0
	p.argStart, p.lineEnd, p.split, p.lineCR, p.inLine = 0, 0, false, false, false
	p.lineBuf, p.msgBuf = p.lineBuf[:0], p.msgBuf[:0]
	p.clearOp(0)
}

// clearOp resets p.op to an empty op of kind k. It writes field by field:
// "p.op = Op{Kind: k}" builds the literal on the stack and copies it, and
// that copy stalls on store-to-load forwarding (measured: ~1/3 of the PUB
// parse time).
func (p *Parser) clearOp(k Kind) {
	op := &p.op
	op.Kind = k
	op.Subject, op.Reply, op.Queue, op.SID, op.Payload, op.Arg = nil, nil, nil, nil, nil, nil
	op.Max, op.HdrLen, op.Size = 0, 0, 0
	if op.Account != nil || op.Origin != nil || op.Queues != nil || op.Weight != 0 {
		op.Account, op.Origin, op.Queues, op.Weight = nil, nil, nil, 0
	}
}

// Parse consumes buf completely. Ops may straddle calls in any way. For
// each complete op it calls fn with an Op that is valid only during the
// call. If fn returns an error, Parse stops and returns it. A parse error
// is one of ErrUnknownOp, ErrMaxControlLine, ErrMaxPayload, ErrBadArgs,
// ErrNoHeaders or ErrAuthViolation. fn may change NoHeaders,
// RequireConnect and the limits; the change applies from the next op.
// After any error the parser state is undefined; call Reset to reuse it.
func (p *Parser) Parse(buf []byte, fn func(*Op) error) error {
	i := 0
	for i < len(buf) {
		switch p.state {
		case stStart:
			if p.RequireConnect && buf[i]|0x20 != 'c' {
				return ErrAuthViolation
			}
			// Fast path for the hot op: "PUB" and a blank, any case.
			if len(buf)-i >= 4 && binary.LittleEndian.Uint32(buf[i:])&0x00dfdfdf == 'P'|'U'<<8|'B'<<16 &&
				(buf[i+3] == ' ' || buf[i+3] == '\t') && p.Ops.Has(KindPub) {
				next, emit, err := p.fastPub(buf, i+4)
				if err != nil {
					return err
				}
				i = next
				if emit {
					if err := fn(&p.op); err != nil {
						return err
					}
				}
				continue
			}
			// parser.go OP_START: no blank or line end is skipped here.
			p.first = buf[i]
			i++
			p.npos = 1
			switch p.first {
			case 'P', 'p', 'H', 'h':
				p.state = stPick
				continue
			case 'R', 'r', 'L', 'l', 'A', 'a':
				if p.Ops&serverOnly == 0 {
					return ErrUnknownOp // a client's parser knows none of them (parser.go OP_START)
				}
				p.state = stPick
				continue
			case 'C', 'c':
				p.kind = KindConnect
			case 'I', 'i':
				p.kind = KindInfo
			case 'S', 's':
				p.kind = KindSub
			case 'U', 'u':
				p.kind = KindUnsub
			case 'M', 'm':
				p.kind = KindMsg
			case '+':
				p.kind = KindOK
			case '-':
				p.kind = KindErr
			default:
				return ErrUnknownOp
			}
			p.state = stName
		case stPick:
			first, second := p.first|0x20, buf[i]
			i++
			if (first == 'r' || first == 'l') && second&^0x20 == 'S' {
				p.state = stSign // RS+, RS-, LS+, LS-
				continue
			}
			if p.kind = pick(first, second); p.kind == 0 {
				return ErrUnknownOp
			}
			if p.kind == KindHMsg && p.Ops.Has(KindRHMsg) {
				p.kind = KindRHMsg // on a route, HMSG is the routed form
			}
			p.npos = 2
			p.state = stName
		case stSign:
			route := p.first|0x20 == 'r'
			switch c := buf[i]; {
			case c == '+' && route:
				p.kind = KindRSub
			case c == '-' && route:
				p.kind = KindRUnsub
			case c == '+':
				p.kind = KindLSub
			case c == '-':
				p.kind = KindLUnsub
			default:
				return ErrUnknownOp
			}
			i++
			p.npos = 3
			p.state = stName
		case stName:
			name := kindNames[p.kind]
			for p.npos < len(name) && i < len(buf) {
				// Every byte after the first is a letter, so clearing bit
				// 5 folds exactly the lower-case letter onto the upper.
				if buf[i]&^0x20 != name[p.npos] {
					return ErrUnknownOp
				}
				p.npos++
				i++
			}
			if p.npos < len(name) {
				continue
			}
			if !p.Ops.Has(p.kind) {
				return ErrUnknownOp
			}
			switch p.kind {
			case KindPing, KindPong, KindOK:
				// OP_PING, OP_PONG, OP_PLUS_OK ignore every byte up to '\n'.
				p.state = stSkipLine
			case KindConnect, KindInfo:
				// OP_CONNECT, OP_INFO: blanks are optional ("CONNECT{}" works).
				p.state = stSkipBlank
			default:
				// OP_PUB, OP_SUB, ..., OP_MINUS_ERR require a space or tab.
				p.state = stNeedBlank
			}
		case stNeedBlank:
			if b := buf[i]; b != ' ' && b != '\t' {
				return ErrUnknownOp
			}
			i++
			p.state = stSkipBlank
		case stSkipBlank:
			for i < len(buf) && (buf[i] == ' ' || buf[i] == '\t') {
				i++
			}
			if i < len(buf) {
				// Like nats-server's *_SPC states, the first non-blank byte
				// starts the arguments and is never taken as a line end.
				p.argStart = i
				p.split = false
				p.state = stArg
				i++
			}
		case stArg:
			j := bytes.IndexByte(buf[i:], '\n')
			if j < 0 {
				if err := p.bufferLine(buf, i); err != nil {
					return err
				}
				i = len(buf)
				continue
			}
			j += i
			var line []byte
			if p.split {
				p.lineBuf = append(p.lineBuf, buf[i:j]...)
				line = p.lineBuf
			} else {
				line = buf[p.argStart:j]
			}
			i = j + 1
			line = trimLineEnd(line)
			if mcl := p.maxControlLine(); mcl >= 0 && len(line) > mcl {
				return ErrMaxControlLine
			}
			p.lineEnd, p.inLine, p.split = p.argStart+len(line), p.split, false
			if err := p.parseLine(line); err != nil {
				return err
			}
			p.state = stStart
			switch p.kind {
			case KindPub, KindHPub, KindMsg, KindHMsg, KindRMsg, KindRHMsg, KindLMsg:
				var err error
				if i, err = p.payload(buf, i); err != nil {
					return err
				}
				if p.state != stStart {
					continue
				}
			}
			if err := fn(&p.op); err != nil {
				return err
			}
		case stSkipLine:
			j := bytes.IndexByte(buf[i:], '\n')
			if j < 0 {
				i = len(buf)
				continue
			}
			i += j + 1
			p.clearOp(p.kind)
			p.state = stStart
			if err := fn(&p.op); err != nil {
				return err
			}
		case stPayload:
			n := min(p.op.Size-len(p.msgBuf), len(buf)-i)
			p.msgBuf = append(p.msgBuf, buf[i:i+n]...)
			i += n
			if len(p.msgBuf) == p.op.Size {
				p.state = stEndR
			}
		case stEndR:
			// parser.go MSG_END_R: anything but '\r' is parseErr.
			if buf[i] != '\r' {
				return ErrUnknownOp
			}
			i++
			p.state = stEndN
		case stEndN:
			if buf[i] != '\n' {
				return ErrUnknownOp
			}
			i++
			n := len(p.msgBuf)
			p.op.Payload = p.msgBuf[:n:n]
			p.state = stStart
			err := fn(&p.op)
			if cap(p.msgBuf) > maxRetainedScratch {
				p.msgBuf = nil
			}
			if err != nil {
				return err
			}
		}
	}
	switch p.state {
	case stArg:
		// The first argument byte was the last byte of buf.
		if !p.split {
			return p.bufferLine(buf, len(buf))
		}
	case stPayload, stEndR, stEndN:
		// The op's arguments must survive until the payload completes.
		if !p.inLine {
			p.lineBuf = append(p.lineBuf[:0], buf[p.argStart:p.lineEnd]...)
			p.inLine = true
			_ = p.parseLine(p.lineBuf) // cannot fail: it parsed before
		}
	}
	return nil
}

// pick is the op whose name starts with first (lower case) and second.
func pick(first, second byte) Kind {
	up := second &^ 0x20
	switch {
	case first == 'p' && up == 'U':
		return KindPub
	case first == 'p' && up == 'I':
		return KindPing
	case first == 'p' && up == 'O':
		return KindPong
	case first == 'h' && up == 'P':
		return KindHPub
	case first == 'h' && up == 'M':
		return KindHMsg
	case first == 'r' && up == 'M':
		return KindRMsg
	case first == 'l' && up == 'M':
		return KindLMsg
	case first == 'a' && second == '+':
		return KindASub
	case first == 'a' && second == '-':
		return KindAUnsub
	}
	return 0
}

// payload handles the payload of the op in p.op, which starts at buf[i].
// When the payload and its CRLF are all in buf it fast-forwards over them:
// it sets Payload, leaves the state at stStart and returns the index after
// the CRLF. Otherwise it starts collecting a split payload (state
// stPayload) and returns i.
func (p *Parser) payload(buf []byte, i int) (int, error) {
	size := p.op.Size
	if len(buf)-i < size+2 {
		p.startSplitPayload(size)
		return i, nil
	}
	// parser.go MSG_END_R/MSG_END_N: anything but CRLF is parseErr.
	if buf[i+size] != '\r' || buf[i+size+1] != '\n' {
		return 0, ErrUnknownOp
	}
	p.op.Payload = buf[i : i+size : i+size]
	p.state = stStart
	return i + size + 2, nil
}

// startSplitPayload prepares msgBuf for a payload of size bytes that is not
// (with its CRLF) entirely in the current buffer.
//
// The buffer is sized for the whole payload only up to DefaultMaxPayload;
// beyond that (MSG has no limit, and nothing is known of the peer) it grows
// as bytes arrive, so a bogus size cannot make the parser allocate it.
func (p *Parser) startSplitPayload(size int) {
	if c := min(size, DefaultMaxPayload); cap(p.msgBuf) < c {
		p.msgBuf = make([]byte, 0, c)
	}
	p.msgBuf = p.msgBuf[:0]
	p.state = stPayload
}

// bufferLine saves the partial argument line (buf[p.argStart:] when the line
// starts in buf, else buf[from:] appended to lineBuf) and enforces the
// control line limit on it, as nats-server does at the end of each parse
// call for a split argument line.
func (p *Parser) bufferLine(buf []byte, from int) error {
	add := buf[from:]
	if !p.split {
		p.lineBuf = p.lineBuf[:0]
		add = buf[p.argStart:]
		p.lineCR = len(add) > 1 && bytes.IndexByte(add[1:], '\r') >= 0
	} else if !p.lineCR {
		p.lineCR = bytes.IndexByte(add, '\r') >= 0
	}
	// Counted like the complete line will be (trimLineEnd), so the count
	// of a partial line never exceeds that of the line: the outcome does
	// not depend on where reads split.
	n := len(p.lineBuf) + len(add)
	if n > 1 && p.lineCR {
		n--
	}
	if mcl := p.maxControlLine(); mcl >= 0 && n > mcl {
		return ErrMaxControlLine
	}
	p.lineBuf = append(p.lineBuf, add...)
	p.split = true
	return nil
}

// trimLineEnd returns the argument line x (the bytes from the first
// argument byte up to the '\n') without its line end, by nats-server's
// rule: in an *_ARG state every '\r' sets drop=1 and the arg is
// buf[as:i-drop], so once a '\r' follows the first argument byte, the byte
// before the '\n' is dropped, whatever it is. For a well-formed line that
// is the '\r' of the CRLF; a bare '\n' line keeps all its bytes; and
// "SUB foo\r1\n" loses its "1" (and is closed for a missing sid, as a live
// nats-server does). The first argument byte is never examined by those
// states, so a '\r' there does not count.
func trimLineEnd(x []byte) []byte {
	n := len(x)
	if n > 1 && (x[n-1] == '\r' || bytes.IndexByte(x[1:n-1], '\r') >= 0) {
		return x[:n-1]
	}
	return x
}

func (p *Parser) maxControlLine() int {
	if p.MaxControlLine == 0 {
		return DefaultMaxControlLine
	}
	return p.MaxControlLine
}
