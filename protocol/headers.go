package protocol

import (
	"bytes"
	"strings"
)

// The no-responders status header, before and after the subject.
const (
	noRespHdrPrefix = "NATS/1.0 503\r\nNats-Subject: "
	noRespHdrSuffix = "\r\n\r\n"
)

// NoRespondersHdrLen returns the header length of the 503 no-responders
// message for a request published on subject: 32 + len(subject), as in
// client.go processInboundClientMsg.
func NoRespondersHdrLen(subject []byte) int {
	return len(noRespHdrPrefix) + len(subject) + len(noRespHdrSuffix)
}

// AppendNoRespondersHMsg appends the complete 503 no-responders message that
// nats-server (client.go processInboundClientMsg, 2.12+) sends to the
// requestor's own subscription on the reply subject:
//
//	HMSG <reply> <sid> <hlen> <hlen>\r\nNATS/1.0 503\r\nNats-Subject: <subject>\r\n\r\n\r\n
//
// where hlen = NoRespondersHdrLen(subject); the body is empty.
func AppendNoRespondersHMsg(dst, reply, sid, subject []byte) []byte {
	hlen := NoRespondersHdrLen(subject)
	dst = AppendHMsg(dst, reply, sid, nil, hlen, hlen)
	dst = append(dst, noRespHdrPrefix...)
	dst = append(dst, subject...)
	dst = append(dst, noRespHdrSuffix...)
	return append(dst, "\r\n"...)
}

// hdrLine opens every header block.
const hdrLine = "NATS/1.0\r\n"

// AppendHeaderWith appends to dst the header block hdr ("NATS/1.0...\r\n\r\n", or empty for a
// message without one) with every line for key (in any case) removed and "key: value" added as
// its last line, as nats-server sets a header on a message it forwards (client.go setHeader).
func AppendHeaderWith(dst, hdr []byte, key, value string) []byte {
	if len(hdr) < len(hdrLine) {
		dst = append(dst, hdrLine...)
	} else {
		rest := hdr
		first := true
		for len(rest) > 0 {
			line := rest
			if i := indexCRLF(rest); i >= 0 {
				line, rest = rest[:i+2], rest[i+2:]
			} else {
				rest = nil
			}
			if len(line) <= 2 && !first {
				break // the empty line that ends the block
			}
			if first || !isHeaderKey(line, key) {
				dst = append(dst, line...)
			}
			first = false
		}
	}
	dst = append(dst, key...)
	dst = append(dst, ": "...)
	dst = append(dst, value...)
	return append(dst, "\r\n\r\n"...)
}

func indexCRLF(b []byte) int { return bytes.Index(b, crlf) }

var crlf = []byte("\r\n")

// isHeaderKey reports whether line is a header line for key, compared without case.
func isHeaderKey(line []byte, key string) bool {
	if len(line) <= len(key) || line[len(key)] != ':' {
		return false
	}
	return strings.EqualFold(string(line[:len(key)]), key)
}
