package protocol

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
