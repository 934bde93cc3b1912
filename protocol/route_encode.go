package protocol

// Encoders of the route protocol. Like the client ones they append, allocate nothing when dst
// has room, and leave payloads to the caller.

// AppendRSub appends "RS+ <acc> <subject>\r\n", or with a queue group
// "RS+ <acc> <subject> <queue> <weight>\r\n".
func AppendRSub(dst, acc, subject, queue []byte, weight int) []byte {
	dst = append(dst, "RS+ "...)
	dst = appendAccSubject(dst, acc, subject)
	if len(queue) > 0 {
		dst = append(dst, ' ')
		dst = append(dst, queue...)
		dst = append(dst, ' ')
		dst = AppendInt(dst, weight)
	}
	return append(dst, "\r\n"...)
}

// AppendRUnsub appends "RS- <acc> <subject>[ <queue>]\r\n".
func AppendRUnsub(dst, acc, subject, queue []byte) []byte {
	dst = append(dst, "RS- "...)
	dst = appendAccSubject(dst, acc, subject)
	if len(queue) > 0 {
		dst = append(dst, ' ')
		dst = append(dst, queue...)
	}
	return append(dst, "\r\n"...)
}

// AppendRMsg appends the control line of a routed message:
// "RMSG <acc> <subject> [reply] <size>\r\n", with queue groups
// "RMSG <acc> <subject> + <reply> <queues> <size>\r\n" or "RMSG <acc> <subject> | <queues> <size>\r\n"
// (queues space separated). With hdrLen >= 0 it is the HMSG form, "HMSG ... <hdrLen> <size>\r\n".
// The caller appends the payload and "\r\n".
func AppendRMsg(dst, acc, subject, reply, queues []byte, hdrLen, size int) []byte {
	if hdrLen >= 0 {
		dst = append(dst, "HMSG "...)
	} else {
		dst = append(dst, "RMSG "...)
	}
	dst = appendAccSubject(dst, acc, subject)
	switch {
	case len(queues) > 0 && len(reply) > 0:
		dst = append(dst, " + "...)
		dst = append(dst, reply...)
		dst = append(dst, ' ')
		dst = append(dst, queues...)
	case len(queues) > 0:
		dst = append(dst, " | "...)
		dst = append(dst, queues...)
	case len(reply) > 0:
		dst = append(dst, ' ')
		dst = append(dst, reply...)
	}
	if hdrLen >= 0 {
		dst = append(dst, ' ')
		dst = AppendInt(dst, hdrLen)
	}
	dst = append(dst, ' ')
	dst = AppendInt(dst, size)
	return append(dst, "\r\n"...)
}

func appendAccSubject(dst, acc, subject []byte) []byte {
	dst = append(dst, acc...)
	dst = append(dst, ' ')
	return append(dst, subject...)
}
