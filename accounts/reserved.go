package accounts

import "bytes"

// Prefixes nats-server keeps from clients whatever their permissions (client.go
// processInboundClientMsg, isReservedReply; gateway.go hasGWRoutedReplyPrefix).
var (
	serviceReplyPrefix = []byte("_R_.")     // service import replies
	jsAckPrefix        = []byte("$JS.ACK.") // JetStream acks
	gwReplyPrefix      = []byte("_GR_.")    // gateway-routed replies
	oldGWReplyPrefix   = []byte("$GR.")
	nrgPrefix          = []byte("$NRG.") // RAFT groups
)

// ReservedPublish reports whether a client may not publish to subject whatever its
// permissions: a gateway-routed reply subject ("_GR_.", "$GR."), or "$NRG." outside the system
// account. The runtime answers PubViolation(subject), as for a permission violation.
func ReservedPublish(subject []byte, systemAccount bool) bool {
	return gwRouted(subject) || (!systemAccount && bytes.HasPrefix(subject, nrgPrefix))
}

// ReservedReply reports whether a client may not use reply as the reply subject of a PUB: a
// service import reply ("_R_."), a JetStream ack ("$JS.ACK.") or a gateway-routed reply. The
// runtime answers ReplyViolation(reply) and drops the message.
func ReservedReply(reply []byte) bool {
	return (len(reply) >= len(serviceReplyPrefix) && bytes.HasPrefix(reply, serviceReplyPrefix)) ||
		(len(reply) > len(jsAckPrefix) && bytes.HasPrefix(reply, jsAckPrefix)) ||
		gwRouted(reply)
}

func gwRouted(s []byte) bool {
	return (len(s) > len(gwReplyPrefix) && bytes.HasPrefix(s, gwReplyPrefix)) ||
		(len(s) > len(oldGWReplyPrefix) && bytes.HasPrefix(s, oldGWReplyPrefix))
}
