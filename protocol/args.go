package protocol

// maxArgs is one more than the largest argument count of any op (HMSG: 5),
// so that one extra field is enough to detect "too many".
const maxArgs = 6

// args holds the fields of a control line. Fields past maxArgs are counted
// but not stored.
type args struct {
	n int
	a [maxArgs][]byte
}

// split splits line into fields separated by runs of spaces and tabs, and
// also of '\r' and '\n' when crlf is set. nats-server splits PUB and HPUB
// lines on spaces and tabs only (processPub, processHeaderPub) and SUB and
// UNSUB lines on all four (splitArg); nats.go splits MSG and HMSG on all
// four (processMsgArgs).
func (s *args) split(line []byte, crlf bool) {
	s.n = 0
	start := -1
	for i, b := range line {
		if b == ' ' || b == '\t' || (crlf && (b == '\r' || b == '\n')) {
			if start >= 0 {
				s.add(line[start:i])
				start = -1
			}
		} else if start < 0 {
			start = i
		}
	}
	if start >= 0 {
		s.add(line[start:])
	}
}

func (s *args) add(f []byte) {
	if s.n < maxArgs {
		s.a[s.n] = f
	}
	s.n++
}

// ParseSize parses a non-negative decimal number of at most 9 digits and
// returns -1 for anything else (empty, a sign, a non-digit, or 10+ digits),
// exactly like nats-server's parseSize (util.go).
func ParseSize(b []byte) int {
	if len(b) == 0 || len(b) > 9 {
		return -1
	}
	n := 0
	for i := 0; i < len(b); i++ {
		d := b[i] - '0'
		if d > 9 {
			return -1
		}
		n = n*10 + int(d)
	}
	return n
}

// isBlank reports whether c separates fields: a space, a tab, '\r' or '\n'
// (also exactly JSON's insignificant whitespace).
func isBlank(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

// trimBlanks trims blanks from both ends of b. On a CONNECT or INFO argument
// json.Unmarshal ignores them, so the result decodes exactly like the
// untrimmed argument nats-server hands to processConnect/processInfo.
func trimBlanks(b []byte) []byte {
	for len(b) > 0 && isBlank(b[0]) {
		b = b[1:]
	}
	for len(b) > 0 && isBlank(b[len(b)-1]) {
		b = b[:len(b)-1]
	}
	return b
}

// errText returns the text of a -ERR argument: trimmed, with one leading
// and one trailing single quote removed when present.
func errText(b []byte) []byte {
	b = trimBlanks(b)
	if len(b) > 0 && b[0] == '\'' {
		b = b[1:]
	}
	if len(b) > 0 && b[len(b)-1] == '\'' {
		b = b[:len(b)-1]
	}
	return b
}

// parseLine fills p.op from the control line of the current op. It returns
// ErrBadArgs for malformed arguments and ErrMaxPayload for a PUB/HPUB size
// above the limit, in nats-server's order of checks.
func (p *Parser) parseLine(line []byte) error {
	p.clearOp(p.kind)
	op := &p.op
	var s args
	switch p.kind {
	case KindPub:
		// processPub: 2 or 3 args; size via parseSize; then max payload.
		s.split(line, false)
		var szb []byte
		switch s.n {
		case 2:
			op.Subject, szb = s.a[0], s.a[1]
		case 3:
			op.Subject, op.Reply, szb = s.a[0], s.a[1], s.a[2]
		default:
			return ErrBadArgs
		}
		if op.Size = ParseSize(szb); op.Size < 0 {
			return ErrBadArgs
		}
		return p.checkPayload(op.Size)
	case KindHPub:
		// processHeaderPub: headers must be on; 3 or 4 args; hdr < 0,
		// size < 0 and hdr > size are protocol violations, checked before
		// max payload.
		if p.NoHeaders {
			return ErrNoHeaders
		}
		s.split(line, false)
		var hdb, szb []byte
		switch s.n {
		case 3:
			op.Subject, hdb, szb = s.a[0], s.a[1], s.a[2]
		case 4:
			op.Subject, op.Reply, hdb, szb = s.a[0], s.a[1], s.a[2], s.a[3]
		default:
			return ErrBadArgs
		}
		op.HdrLen, op.Size = ParseSize(hdb), ParseSize(szb)
		if op.HdrLen < 0 || op.Size < 0 || op.HdrLen > op.Size {
			return ErrBadArgs
		}
		return p.checkPayload(op.Size)
	case KindSub:
		// parseSub: 2 or 3 args. Subject and sid validity is the caller's
		// business (processSub answers -ERR 'Invalid Subject' and stays open).
		s.split(line, true)
		switch s.n {
		case 2:
			op.Subject, op.SID = s.a[0], s.a[1]
		case 3:
			op.Subject, op.Queue, op.SID = s.a[0], s.a[1], s.a[2]
		default:
			return ErrBadArgs
		}
	case KindUnsub:
		// processUnsub: 1 or 2 args. A max that parseSize rejects is NOT an
		// error there: it becomes -1, and "max > 0" fails, so the sub is
		// removed at once, exactly as without a max. Mirror that with 0.
		s.split(line, true)
		switch s.n {
		case 1:
			op.SID = s.a[0]
		case 2:
			op.SID = s.a[0]
			op.Max = max(ParseSize(s.a[1]), 0)
		default:
			return ErrBadArgs
		}
	case KindMsg:
		// nats.go processMsgArgs: 3 or 4 args, size >= 0.
		s.split(line, true)
		var szb []byte
		switch s.n {
		case 3:
			op.Subject, op.SID, szb = s.a[0], s.a[1], s.a[2]
		case 4:
			op.Subject, op.SID, op.Reply, szb = s.a[0], s.a[1], s.a[2], s.a[3]
		default:
			return ErrBadArgs
		}
		if op.Size = ParseSize(szb); op.Size < 0 {
			return ErrBadArgs
		}
	case KindHMsg:
		// nats.go processHeaderMsgArgs: 4 or 5 args, 0 <= hdr <= size.
		s.split(line, true)
		var hdb, szb []byte
		switch s.n {
		case 4:
			op.Subject, op.SID, hdb, szb = s.a[0], s.a[1], s.a[2], s.a[3]
		case 5:
			op.Subject, op.SID, op.Reply, hdb, szb = s.a[0], s.a[1], s.a[2], s.a[3], s.a[4]
		default:
			return ErrBadArgs
		}
		op.HdrLen, op.Size = ParseSize(hdb), ParseSize(szb)
		if op.HdrLen < 0 || op.Size < 0 || op.HdrLen > op.Size {
			return ErrBadArgs
		}
	case KindRSub, KindLSub:
		// processRemoteSub: [origin] acc subject, or [origin] acc subject queue weight; a
		// missing or malformed weight is one member.
		s.split(line, true)
		f := s.a[:min(s.n, maxArgs)]
		if p.kind == KindLSub {
			if len(f) == 0 {
				return ErrBadArgs
			}
			op.Origin, f = f[0], f[1:]
		}
		switch len(f) {
		case 2:
			op.Account, op.Subject = f[0], f[1]
		case 4:
			op.Account, op.Subject, op.Queue = f[0], f[1], f[2]
			op.Weight = max(ParseSize(f[3]), 1)
		default:
			return ErrBadArgs
		}
	case KindRUnsub, KindLUnsub:
		// processRemoteUnsub: acc subject [queue], after an origin on LS- (a peer that
		// understands origins sends one; this parser takes the origin when there are four).
		s.split(line, true)
		f := s.a[:min(s.n, maxArgs)]
		if p.kind == KindLUnsub && len(f) == 4 {
			op.Origin, f = f[0], f[1:]
		}
		switch len(f) {
		case 2:
			op.Account, op.Subject = f[0], f[1]
		case 3:
			op.Account, op.Subject, op.Queue = f[0], f[1], f[2]
		default:
			return ErrBadArgs
		}
	case KindASub, KindAUnsub:
		s.split(line, true)
		if s.n != 1 {
			return ErrBadArgs
		}
		op.Account = s.a[0]
	case KindRMsg:
		return p.parseRouted(line, false, false)
	case KindRHMsg:
		return p.parseRouted(line, false, true)
	case KindLMsg:
		return p.parseRouted(line, true, true)
	case KindConnect, KindInfo:
		op.Arg = trimBlanks(line)
	case KindErr:
		op.Arg = errText(line)
	}
	return nil
}

// checkPayload applies MaxPayload to a PUB/HPUB size.
func (p *Parser) checkPayload(size int) error {
	limit := p.MaxPayload
	if limit == 0 {
		limit = DefaultMaxPayload
	}
	if limit > 0 && size > limit {
		return ErrMaxPayload
	}
	return nil
}

// parseRouted parses the arguments of a routed message (processRoutedMsgArgs,
// processRoutedHeaderMsgArgs, processLeafMsgArgs):
//
//	[origin] acc subject [reply | + reply queue... | "|" queue...] [hdrsize] size
//
// The queue groups stay as they are on the wire, in Queues.
func (p *Parser) parseRouted(line []byte, origin, hdr bool) error {
	op := &p.op
	rest := line
	if origin {
		op.Origin, rest = field(rest)
	}
	op.Account, rest = field(rest)
	op.Subject, rest = field(rest)
	var szb, hdb []byte
	szb, rest = lastField(rest)
	if hdr {
		hdb, rest = lastField(rest)
	}
	if len(op.Account) == 0 || len(op.Subject) == 0 || len(szb) == 0 || (hdr && len(hdb) == 0) {
		return ErrBadArgs
	}
	if len(rest) > 0 {
		switch first, after := field(rest); {
		case len(first) == 1 && first[0] == '+':
			op.Reply, op.Queues = field(after)
			if len(op.Reply) == 0 {
				return ErrBadArgs
			}
		case len(first) == 1 && first[0] == '|':
			op.Queues = after
		case len(after) == 0:
			op.Reply = first
		default:
			return ErrBadArgs
		}
	}
	if op.Size = ParseSize(szb); op.Size < 0 {
		return ErrBadArgs
	}
	if hdr {
		if op.HdrLen = ParseSize(hdb); op.HdrLen < 0 || op.HdrLen > op.Size {
			return ErrBadArgs
		}
	}
	return nil
}

// field returns the first field of b and what follows it, each without surrounding blanks.
func field(b []byte) (f, rest []byte) {
	i := 0
	for i < len(b) && isBlank(b[i]) {
		i++
	}
	j := i
	for j < len(b) && !isBlank(b[j]) {
		j++
	}
	return b[i:j], trimBlanks(b[j:])
}

// lastField returns the last field of b and what comes before it, each without surrounding
// blanks.
func lastField(b []byte) (f, rest []byte) {
	b = trimBlanks(b)
	i := len(b)
	for i > 0 && !isBlank(b[i-1]) {
		i--
	}
	return b[i:], trimBlanks(b[:i])
}
