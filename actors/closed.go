package actors

import "time"

// ConnInfo describes a closed connection, as the clients supervisor keeps it.
type ConnInfo struct {
	CID      uint64
	Addr     string
	Name     string
	Lang     string
	Version  string
	Account  string
	Start    time.Time
	Stop     time.Time
	Reason   CloseReason
	InMsgs   int64
	InBytes  int64
	OutMsgs  int64
	OutBytes int64
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
