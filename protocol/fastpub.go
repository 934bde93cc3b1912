package protocol

// fastPub is the hot path for PUB. Parse calls it at stStart when buf[i-4:i]
// is "PUB" and a blank. When the control line, the payload and its CRLF are
// all in buf, it fills p.op, leaves the state at stStart and returns the
// index after the CRLF and emit=true, without copying anything. Otherwise
// it leaves the parser in the state the general path would have reached
// (stSkipBlank, stArg or stPayload) and returns where to continue.
func (p *Parser) fastPub(buf []byte, i int) (next int, emit bool, err error) {
	p.kind = KindPub
	for i < len(buf) && (buf[i] == ' ' || buf[i] == '\t') {
		i++
	}
	if i == len(buf) {
		p.state = stSkipBlank
		return i, false, nil
	}
	next, err = p.pubLine(buf, i)
	if err != nil {
		return 0, false, err
	}
	if next < 0 {
		// A partial or unusual line: let stArg handle it. Like stSkipBlank,
		// the first argument byte is consumed without being examined.
		p.argStart, p.split, p.state = i, false, stArg
		return i + 1, false, nil
	}
	size := p.op.Size
	if len(buf)-next < size+2 {
		p.startSplitPayload(size)
		return next, false, nil
	}
	// parser.go MSG_END_R/MSG_END_N: anything but CRLF is parseErr.
	if buf[next+size] != '\r' || buf[next+size+1] != '\n' {
		return 0, false, ErrUnknownOp
	}
	p.op.Payload = buf[next : next+size : next+size]
	p.state = stStart
	return next + size + 2, true, nil
}

// pubLine parses a PUB control line whose first argument byte is buf[i]
// (already known not to be a blank). It finds the line end and the fields
// in one pass and fills p.op with the same result as trimLineEnd and
// parseLine give for the same line: the line ends at the first '\n' after
// i, a '\r' right before it is dropped (unless it is the first argument
// byte), and fields are separated by spaces and tabs only (processPub). It
// returns the index after the '\n', or -1 when buf holds no '\n' or the
// line has a '\r' elsewhere; the caller then takes the general path.
func (p *Parser) pubLine(buf []byte, i int) (int, error) {
	var fs, fe [3]int // starts and ends of the first three fields
	n := 0            // number of fields (may exceed 3)
	start := i        // start of the current field, -1 between fields
	for j := i + 1; j < len(buf); j++ {
		c := buf[j]
		if c > ' ' {
			if start < 0 {
				start = j
			}
			continue
		}
		end := -1
		switch c {
		case ' ', '\t':
			if start >= 0 {
				if n < 3 {
					fs[n], fe[n] = start, j
				}
				n++
				start = -1
			}
			continue
		case '\n':
			end = j
		case '\r':
			if j+1 == len(buf) || buf[j+1] != '\n' {
				return -1, nil
			}
			end = j
		default:
			// Any other control byte is part of a field.
			if start < 0 {
				start = j
			}
			continue
		}
		if start >= 0 {
			if n < 3 {
				fs[n], fe[n] = start, end
			}
			n++
		}
		if mcl := p.maxControlLine(); mcl >= 0 && end-i > mcl {
			return 0, ErrMaxControlLine
		}
		next := end + 1
		if c == '\r' {
			next++
		}
		var subj, reply, szb []byte
		switch n {
		case 2:
			subj, szb = buf[fs[0]:fe[0]], buf[fs[1]:fe[1]]
		case 3:
			subj, reply, szb = buf[fs[0]:fe[0]], buf[fs[1]:fe[1]], buf[fs[2]:fe[2]]
		default:
			return 0, ErrBadArgs
		}
		size := ParseSize(szb)
		if size < 0 {
			return 0, ErrBadArgs
		}
		if err := p.checkPayload(size); err != nil {
			return 0, err
		}
		p.clearOp(KindPub)
		p.op.Subject, p.op.Reply, p.op.Size = subj, reply, size
		p.argStart, p.lineEnd, p.inLine = i, end, false
		return next, nil
	}
	return -1, nil
}
