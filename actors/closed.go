package actors

import "time"

// ConnInfo describes a client connection, open or closed, as monitoring shows it.
type ConnInfo struct {
	CID          uint64
	IP           string // the client's address
	Port         int
	Start        time.Time
	LastActivity time.Time
	Stop         time.Time // zero while open
	Reason       CloseReason
	RTT          time.Duration
	PendingBytes int64
	InMsgs       int64
	InBytes      int64
	OutMsgs      int64
	OutBytes     int64
	NumSubs      int
	Subs         []SubInfo // filled by Server.Connections when asked for
	Name         string
	Lang         string
	Version      string
	Account      string
	User         string // who it authenticated as; "" without authentication
}

// info reads a connection's shared record into a ConnInfo.
func (p *Peer) info() *ConnInfo {
	ci := &ConnInfo{
		CID:          p.CID,
		IP:           p.ip,
		Port:         p.port,
		Start:        p.start,
		LastActivity: p.lastActivity(),
		RTT:          time.Duration(p.rtt.Load()),
		InMsgs:       p.inMsgs.Load(),
		InBytes:      p.inBytes.Load(),
		// The writer takes written bytes off pending before it counts them out, so reading
		// out before pending never shows a message both sent and pending.
		OutMsgs:  p.outMsgs.Load(),
		OutBytes: p.outBytes.Load(),
		NumSubs:  int(max(p.numSubs.Load(), 0)),
	}
	ci.PendingBytes = max(p.pending.Load(), 0)
	if acc := p.acc.Load(); acc != nil {
		ci.Account = acc.Name
	}
	if c := p.connect.Load(); c != nil {
		ci.Name, ci.Lang, ci.Version = c.Name, c.Lang, c.Version
	}
	if u := p.user.Load(); u != nil {
		ci.User = *u
	}
	return ci
}

// closedRing keeps the most recently closed connections (max_closed_clients), oldest first.
// It belongs to the clients supervisor.
type closedRing struct {
	buf  []*ConnInfo
	next int
	full bool
}

func newClosedRing(size int) *closedRing {
	if size < 0 {
		size = 0
	}
	return &closedRing{buf: make([]*ConnInfo, size)}
}

func (r *closedRing) add(ci *ConnInfo) {
	if len(r.buf) == 0 {
		return
	}
	r.buf[r.next] = ci
	if r.next++; r.next == len(r.buf) {
		r.next, r.full = 0, true
	}
}

// list returns the closed connections, oldest first.
func (r *closedRing) list() []*ConnInfo {
	if !r.full {
		return append([]*ConnInfo(nil), r.buf[:r.next]...)
	}
	out := make([]*ConnInfo, 0, len(r.buf))
	out = append(out, r.buf[r.next:]...)
	return append(out, r.buf[:r.next]...)
}
