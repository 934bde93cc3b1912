package actors

import (
	"time"

	"github.com/troupe/troupe/config"
)

// The admin side of a Server: what monitoring reads. Counters come from atomics; lists come
// from supervisors through RequestFuture, or from immutable index snapshots. None of it is on
// the data path.

// SubInfo is one subscription as monitoring shows it.
type SubInfo struct {
	Account string
	Subject string
	Queue   string
	SID     string
	CID     uint64
	Msgs    int64 // delivered so far
	Max     int64 // auto-unsubscribe max, 0 if none
}

// Stats are the server-wide counters.
type Stats struct {
	Start            time.Time
	InMsgs, InBytes  int64
	OutMsgs          int64
	OutBytes         int64
	SlowConsumers    int64
	StaleConnections int64
	TotalConnections int64
	// Restarts counts actor restarts by supervisor kind ("accounts", "listeners").
	Restarts map[string]int64
}

// AccountInfo describes one account.
type AccountInfo struct {
	Name          string
	Subscriptions int
	Generation    uint64
}

// Name is the server's name (its id unless configured).
func (s *Server) Name() string { return s.srv.info.Name }

// SystemAccount is the name of the system account, or "" if there is none.
func (s *Server) SystemAccount() string {
	if s.srv.sysAcc == nil {
		return ""
	}
	return s.srv.sysAcc.Name
}

// AuthRequired reports whether clients must authenticate, as INFO's auth_required says.
func (s *Server) AuthRequired() bool { return s.srv.auth.Required() }

// AuthTimeout is how long a client has to authenticate after it connects.
func (s *Server) AuthTimeout() time.Duration { return s.srv.auth.Timeout() }

// Options returns the options the server runs with (read-only).
func (s *Server) Options() *config.Options { return s.srv.opts }

// Stats reads the server-wide counters.
func (s *Server) Stats() Stats {
	st := &s.srv.stats
	return Stats{
		Start:            s.srv.start,
		InMsgs:           st.inMsgs.Load(),
		InBytes:          st.inBytes.Load(),
		OutMsgs:          st.outMsgs.Load(),
		OutBytes:         st.outBytes.Load(),
		SlowConsumers:    st.slowConsumers.Load(),
		StaleConnections: st.staleConnections.Load(),
		TotalConnections: st.totalConnections.Load(),
		Restarts: map[string]int64{
			"accounts":  st.accountRestarts.Load(),
			"listeners": st.listenerRestarts.Load(),
		},
	}
}

// Healthy reports whether the server accepts connections and is not shutting down.
func (s *Server) Healthy() bool { return s.srv.ready.Load() && !s.srv.shuttingDown.Load() }

// Connections lists the open connections, with their subscriptions when withSubs is set.
func (s *Server) Connections(withSubs bool, timeout time.Duration) ([]*ConnInfo, error) {
	pid := s.srv.clients.Load()
	if pid == nil {
		return nil, nil
	}
	res, err := s.system.Root.RequestFuture(pid, &listOpen{}, timeout).Result()
	if err != nil {
		return nil, err
	}
	list, _ := res.([]*ConnInfo)
	if withSubs {
		byCID := make(map[uint64]*ConnInfo, len(list))
		for _, ci := range list {
			byCID[ci.CID] = ci
		}
		for _, sub := range s.Subscriptions() {
			if ci := byCID[sub.CID]; ci != nil {
				ci.Subs = append(ci.Subs, sub)
			}
		}
	}
	return list, nil
}

// NumConnections is the number of open client connections, as the clients supervisor last
// counted its children.
func (s *Server) NumConnections() int { return int(s.srv.stats.openConnections.Load()) }

// AccountStat is one account's connections, subscriptions and traffic since the server started.
type AccountStat struct {
	Name          string
	Conns         int   // open client connections
	Subscriptions int   // in its index now
	InMsgs        int64 // received from its clients
	InBytes       int64
	OutMsgs       int64 // delivered to its clients
	OutBytes      int64
	SlowConsumers int64
}

// AccountStats describes every account: its open connections, its subscriptions, and its
// traffic (an admin call: it lists the open connections and the ring of closed ones).
//
// The counters live per connection, so an account's totals are those of its open connections
// plus those of its closed ones still in the ring of closed connections (max_closed_clients):
// exact until the ring overflows, lower bounds afterwards. The server-wide totals (Stats) are
// always exact.
func (s *Server) AccountStats(timeout time.Duration) ([]AccountStat, error) {
	open, err := s.Connections(false, timeout)
	if err != nil {
		return nil, err
	}
	closed, err := s.ClosedConnections(timeout)
	if err != nil {
		return nil, err
	}
	accs := s.srv.accountList()
	out := make([]AccountStat, len(accs))
	byName := make(map[string]*AccountStat, len(accs))
	for i, acc := range accs {
		out[i] = AccountStat{Name: acc.Name, Subscriptions: acc.snapshot().Count()}
		byName[acc.Name] = &out[i]
	}
	add := func(ci *ConnInfo) *AccountStat {
		a := byName[ci.Account]
		if a != nil {
			a.InMsgs += ci.InMsgs
			a.InBytes += ci.InBytes
			a.OutMsgs += ci.OutMsgs
			a.OutBytes += ci.OutBytes
		}
		return a
	}
	for _, ci := range open {
		if a := add(ci); a != nil {
			a.Conns++
		}
	}
	for _, ci := range closed {
		if a := add(ci); a != nil && (ci.Reason == SlowConsumerPendingBytes || ci.Reason == SlowConsumerWriteDeadline) {
			a.SlowConsumers++
		}
	}
	return out, nil
}

// Subscriptions lists every subscription of every account, from the current snapshots.
func (s *Server) Subscriptions() []SubInfo {
	var out []SubInfo
	for _, acc := range s.srv.accountList() {
		acc.snapshot().Range(func(_, _ string, sub *subscription) bool {
			if !sub.gone.Load() && sub.peer != nil {
				out = append(out, SubInfo{
					Account: acc.Name, Subject: string(sub.subject), Queue: string(sub.queue),
					SID: string(sub.sid), CID: sub.peer.CID,
					Msgs: sub.delivered.Load(), Max: sub.max.Load(),
				})
			}
			return true
		})
	}
	return out
}

// Accounts describes every account.
func (s *Server) Accounts() []AccountInfo {
	var out []AccountInfo
	for _, acc := range s.srv.accountList() {
		snap := acc.snapshot()
		out = append(out, AccountInfo{Name: acc.Name, Subscriptions: snap.Count(), Generation: snap.Gen()})
	}
	return out
}

// MatchCount returns how many subscriptions of an account a subject reaches (plain ones, and one
// per queue group), or -1 if the account does not exist.
func (s *Server) MatchCount(account, subject string) (plain, queues int) {
	for _, acc := range s.srv.accountList() {
		if acc.Name == account {
			r := acc.snapshot().Match([]byte(subject))
			return len(r.Plain), len(r.Queues)
		}
	}
	return -1, -1
}
