package actors

import (
	"encoding/json"
	"time"

	"github.com/troupe/troupe/protocol"
)

// requestInfoHdr is the header a message gets as it crosses a service import.
const requestInfoHdr = "Nats-Request-Info"

// requestInfo is what that header says: nats-server's ClientInfo, with its field names, order
// and omissions. Without share it names only the requesting account (and its RTT); with share,
// the client and the server too. (The user JWT, its name tag, tags and issuer key are not
// included yet.)
type requestInfo struct {
	Start      *time.Time `json:"start,omitempty"`
	Host       string     `json:"host,omitempty"`
	ID         uint64     `json:"id,omitempty"`
	Account    string     `json:"acc,omitempty"`
	Service    string     `json:"svc,omitempty"`
	User       string     `json:"user,omitempty"`
	Name       string     `json:"name,omitempty"`
	Lang       string     `json:"lang,omitempty"`
	Version    string     `json:"ver,omitempty"`
	RTT        int64      `json:"rtt,omitempty"` // nanoseconds, as a time.Duration marshals
	Server     string     `json:"server,omitempty"`
	Cluster    string     `json:"cluster,omitempty"`
	Kind       string     `json:"kind,omitempty"`
	ClientType string     `json:"client_type,omitempty"`
}

// withRequestInfo returns op as it leaves account from through service import rt, with its
// Nats-Request-Info header set (any the client sent is replaced), as nats-server's
// processServiceImport does: the first service import a message crosses says who sent it; a
// later one keeps that and adds the account the message is leaving (svc).
func (r *router) withRequestInfo(op *protocol.Op, from *Account, rt *crossing, depth int) *protocol.Op {
	chained := false
	for d := range depth {
		chained = chained || op == &r.infoOp[d]
	}
	sys := rt.target == r.srv.sysAcc
	if chained {
		r.info.Service = from.Name
		if (rt.share || sys) && r.info.Server == "" {
			r.info.Server = r.srv.info.Name
		}
	} else {
		r.info = requestInfo{}
		r.info.Account = from.Name
		if c := r.client; c != nil {
			r.info.RTT = c.rtt.Load()
			if rt.share {
				start := c.start
				r.info.Start, r.info.Host, r.info.ID = &start, c.ip, c.CID
				if u := c.user.Load(); u != nil {
					r.info.User = *u
				}
				if o := c.connect.Load(); o != nil {
					r.info.Name, r.info.Lang, r.info.Version = o.Name, o.Lang, o.Version
				}
				r.info.Kind, r.info.ClientType = "Client", "nats"
			}
		}
		if rt.share || sys {
			r.info.Server = r.srv.info.Name
		}
	}
	value, err := json.Marshal(&r.info)
	if err != nil {
		return op
	}
	var hdr []byte
	body := op.Payload
	if op.Kind == protocol.KindHPub && op.HdrLen > 0 {
		hdr, body = op.Payload[:op.HdrLen], op.Payload[op.HdrLen:]
	}
	b := protocol.AppendHeaderWith(r.infoBuf[depth][:0], hdr, requestInfoHdr, string(value))
	hdrLen := len(b)
	b = append(b, body...)
	r.infoBuf[depth] = b
	m := &r.infoOp[depth]
	*m = *op
	m.Kind, m.HdrLen, m.Size, m.Payload = protocol.KindHPub, hdrLen, len(b), b
	return m
}
