package protocol

import "strconv"

// AppendInt appends the decimal form of n.
func AppendInt(dst []byte, n int) []byte {
	return strconv.AppendInt(dst, int64(n), 10)
}

// AppendMsg appends the control line "MSG <subject> <sid> [reply] <size>\r\n".
// The caller appends the payload and "\r\n".
func AppendMsg(dst, subject, sid, reply []byte, size int) []byte {
	dst = append(dst, "MSG "...)
	dst = append(dst, subject...)
	dst = append(dst, ' ')
	dst = append(dst, sid...)
	if len(reply) > 0 {
		dst = append(dst, ' ')
		dst = append(dst, reply...)
	}
	dst = append(dst, ' ')
	dst = AppendInt(dst, size)
	return append(dst, "\r\n"...)
}

// AppendHMsg appends the control line
// "HMSG <subject> <sid> [reply] <hdrLen> <size>\r\n", size being the total
// of headers and body. The caller appends headers, body and "\r\n".
func AppendHMsg(dst, subject, sid, reply []byte, hdrLen, size int) []byte {
	dst = append(dst, "HMSG "...)
	dst = append(dst, subject...)
	dst = append(dst, ' ')
	dst = append(dst, sid...)
	if len(reply) > 0 {
		dst = append(dst, ' ')
		dst = append(dst, reply...)
	}
	dst = append(dst, ' ')
	dst = AppendInt(dst, hdrLen)
	dst = append(dst, ' ')
	dst = AppendInt(dst, size)
	return append(dst, "\r\n"...)
}

// AppendPub appends the control line "PUB <subject> [reply] <size>\r\n".
func AppendPub(dst, subject, reply []byte, size int) []byte {
	dst = append(dst, "PUB "...)
	dst = append(dst, subject...)
	if len(reply) > 0 {
		dst = append(dst, ' ')
		dst = append(dst, reply...)
	}
	dst = append(dst, ' ')
	dst = AppendInt(dst, size)
	return append(dst, "\r\n"...)
}

// AppendHPub appends the control line
// "HPUB <subject> [reply] <hdrLen> <size>\r\n".
func AppendHPub(dst, subject, reply []byte, hdrLen, size int) []byte {
	dst = append(dst, "HPUB "...)
	dst = append(dst, subject...)
	if len(reply) > 0 {
		dst = append(dst, ' ')
		dst = append(dst, reply...)
	}
	dst = append(dst, ' ')
	dst = AppendInt(dst, hdrLen)
	dst = append(dst, ' ')
	dst = AppendInt(dst, size)
	return append(dst, "\r\n"...)
}

// AppendSub appends "SUB <subject> [queue] <sid>\r\n".
func AppendSub(dst, subject, queue, sid []byte) []byte {
	dst = append(dst, "SUB "...)
	dst = append(dst, subject...)
	if len(queue) > 0 {
		dst = append(dst, ' ')
		dst = append(dst, queue...)
	}
	dst = append(dst, ' ')
	dst = append(dst, sid...)
	return append(dst, "\r\n"...)
}

// AppendUnsub appends "UNSUB <sid> [max]\r\n"; max <= 0 omits the max.
func AppendUnsub(dst, sid []byte, max int) []byte {
	dst = append(dst, "UNSUB "...)
	dst = append(dst, sid...)
	if max > 0 {
		dst = append(dst, ' ')
		dst = AppendInt(dst, max)
	}
	return append(dst, "\r\n"...)
}

// AppendPing appends "PING\r\n".
func AppendPing(dst []byte) []byte { return append(dst, "PING\r\n"...) }

// AppendPong appends "PONG\r\n".
func AppendPong(dst []byte) []byte { return append(dst, "PONG\r\n"...) }

// AppendOK appends "+OK\r\n".
func AppendOK(dst []byte) []byte { return append(dst, "+OK\r\n"...) }

// AppendErr appends "-ERR '<text>'\r\n" (client.go: errProto).
func AppendErr(dst []byte, text string) []byte {
	dst = append(dst, "-ERR '"...)
	dst = append(dst, text...)
	return append(dst, "'\r\n"...)
}
