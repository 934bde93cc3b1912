package monitor

import (
	"fmt"
	"net/http"
	"time"
)

// Accountz is /accountz (monitor.go Accountz): the account names, or with acc= one account's
// detail.
type Accountz struct {
	ID            string       `json:"server_id"`
	Now           time.Time    `json:"now"`
	SystemAccount string       `json:"system_account,omitempty"`
	Accounts      []string     `json:"accounts,omitempty"`
	Account       *AccountInfo `json:"account_detail,omitempty"`
}

// AccountInfo is /accountz?acc=NAME (monitor.go AccountInfo). Troupe's accounts have no JWT,
// imports, exports or mappings yet: those fields are omitted, as nats-server omits them when
// empty.
type AccountInfo struct {
	AccountName string        `json:"account_name"`
	LastUpdate  time.Time     `json:"update_time,omitempty"`
	IsSystem    bool          `json:"is_system,omitempty"`
	Expired     bool          `json:"expired"`
	Complete    bool          `json:"complete"`
	JetStream   bool          `json:"jetstream_enabled"`
	LeafCnt     int           `json:"leafnode_connections"`
	ClientCnt   int           `json:"client_connections"`
	SubCnt      uint32        `json:"subscriptions"`
	NameTag     string        `json:"name_tag,omitempty"`
	Sublist     *SublistStats `json:"sublist_stats,omitempty"`
}

// AccountStatz is /accstatz (monitor.go AccountStatz).
type AccountStatz struct {
	ID       string         `json:"server_id"`
	Now      time.Time      `json:"now"`
	Accounts []*AccountStat `json:"account_statz"`
}

// AccountStat is one account of /accstatz (events.go AccountStat).
type AccountStat struct {
	Account       string    `json:"acc"`
	Name          string    `json:"name"`
	Conns         int       `json:"conns"`
	LeafNodes     int       `json:"leafnodes"`
	TotalConns    int       `json:"total_conns"`
	NumSubs       uint32    `json:"num_subscriptions"`
	Sent          DataStats `json:"sent"`
	Received      DataStats `json:"received"`
	SlowConsumers int64     `json:"slow_consumers"`
}

// DataStats are messages and bytes, in all and by the kind of connection they crossed (events.go
// DataStats); only clients carry traffic in Troupe.
type DataStats struct {
	MsgBytes
	Gateways *MsgBytes `json:"gateways,omitempty"`
	Routes   *MsgBytes `json:"routes,omitempty"`
	Leafs    *MsgBytes `json:"leafs,omitempty"`
}

// MsgBytes is a count of messages and their bytes.
type MsgBytes struct {
	Msgs  int64 `json:"msgs"`
	Bytes int64 `json:"bytes"`
}

func (m *monitor) handleAccountz(w http.ResponseWriter, r *http.Request) {
	name := r.URL.Query().Get("acc")
	a := &Accountz{ID: m.s.ID(), Now: time.Now().UTC(), SystemAccount: m.s.SystemAccount()}
	if name == "" {
		a.Accounts = []string{}
		for _, acc := range m.s.Accounts() {
			a.Accounts = append(a.Accounts, acc.Name)
		}
		writeJSON(w, http.StatusOK, a)
		return
	}
	stats, err := m.s.AccountStats(adminTimeout)
	if err != nil {
		adminError(w, err)
		return
	}
	for _, st := range stats {
		if st.Name == name {
			a.Account = &AccountInfo{
				AccountName: st.Name,
				LastUpdate:  m.s.Stats().Start.UTC(), // accounts are made at start, never updated
				IsSystem:    st.Name == a.SystemAccount,
				Complete:    true,
				ClientCnt:   st.Conns,
				SubCnt:      uint32(st.Subscriptions),
				NameTag:     st.Name,
				Sublist:     &SublistStats{NumSubs: uint32(st.Subscriptions)},
			}
			writeJSON(w, http.StatusOK, a)
			return
		}
	}
	writeError(w, http.StatusBadRequest, fmt.Errorf("Account %s does not exist", name))
}

func (m *monitor) handleAccstatz(w http.ResponseWriter, r *http.Request) {
	q := &query{r: r}
	unused := q.boolean("unused")
	if q.bad(w) {
		return
	}
	stats, err := m.s.AccountStats(adminTimeout)
	if err != nil {
		adminError(w, err)
		return
	}
	z := &AccountStatz{ID: m.s.ID(), Now: time.Now().UTC(), Accounts: []*AccountStat{}}
	for _, st := range stats {
		// As nats-server: accounts without connections only with unused=1.
		if st.Conns == 0 && !unused {
			continue
		}
		z.Accounts = append(z.Accounts, &AccountStat{
			Account:       st.Name,
			Name:          st.Name,
			Conns:         st.Conns,
			TotalConns:    st.Conns,
			NumSubs:       uint32(st.Subscriptions),
			Sent:          dataStats(st.OutMsgs, st.OutBytes),
			Received:      dataStats(st.InMsgs, st.InBytes),
			SlowConsumers: st.SlowConsumers,
		})
	}
	writeJSON(w, http.StatusOK, z)
}

func dataStats(msgs, bytes int64) DataStats {
	return DataStats{MsgBytes: MsgBytes{Msgs: msgs, Bytes: bytes},
		Gateways: &MsgBytes{}, Routes: &MsgBytes{}, Leafs: &MsgBytes{}}
}
