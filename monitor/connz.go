package monitor

import (
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/troupe/troupe/actors"
)

// Connz is /connz (monitor.go Connz).
type Connz struct {
	ID       string      `json:"server_id"`
	Now      time.Time   `json:"now"`
	NumConns int         `json:"num_connections"`
	Total    int         `json:"total"`
	Offset   int         `json:"offset"`
	Limit    int         `json:"limit"`
	Conns    []*ConnInfo `json:"connections"`
}

// ConnInfo is one connection of /connz (monitor.go ConnInfo). The TLS, JWT, tag, MQTT and proxy
// fields of nats-server are always empty here, and so omitted.
type ConnInfo struct {
	Cid            uint64      `json:"cid"`
	Kind           string      `json:"kind,omitempty"`
	Type           string      `json:"type,omitempty"`
	IP             string      `json:"ip"`
	Port           int         `json:"port"`
	Start          time.Time   `json:"start"`
	LastActivity   time.Time   `json:"last_activity"`
	Stop           *time.Time  `json:"stop,omitempty"`
	Reason         string      `json:"reason,omitempty"`
	RTT            string      `json:"rtt,omitempty"`
	Uptime         string      `json:"uptime"`
	Idle           string      `json:"idle"`
	Pending        int         `json:"pending_bytes"`
	InMsgs         int64       `json:"in_msgs"`
	OutMsgs        int64       `json:"out_msgs"`
	InBytes        int64       `json:"in_bytes"`
	OutBytes       int64       `json:"out_bytes"`
	Stalls         int64       `json:"stalls,omitempty"`
	NumSubs        uint32      `json:"subscriptions"`
	Name           string      `json:"name,omitempty"`
	Lang           string      `json:"lang,omitempty"`
	Version        string      `json:"version,omitempty"`
	AuthorizedUser string      `json:"authorized_user,omitempty"`
	Account        string      `json:"account,omitempty"`
	Subs           []string    `json:"subscriptions_list,omitempty"`
	SubsDetail     []SubDetail `json:"subscriptions_list_detail,omitempty"`
	NameTag        string      `json:"name_tag,omitempty"`
}

// SubDetail is one subscription in /connz?subs=detail and /subsz?subs=1 (monitor.go SubDetail).
type SubDetail struct {
	Account    string `json:"account,omitempty"`
	AccountTag string `json:"account_tag,omitempty"`
	Subject    string `json:"subject"`
	Queue      string `json:"qgroup,omitempty"`
	Sid        string `json:"sid"`
	Msgs       int64  `json:"msgs"`
	Max        int64  `json:"max,omitempty"`
	Cid        uint64 `json:"cid"`
}

// connState is connz's state filter.
type connState int

const (
	stateOpen connState = iota
	stateClosed
	stateAny
)

// connzOptions are /connz's query parameters (nats-server's ConnzOptions).
type connzOptions struct {
	sort          sortOpt
	auth          bool
	subs, detail  bool
	offset, limit int
	cid           uint64
	state         connState
	user, account string
	mqttClient    string
}

// defaultListSize is nats-server's default limit for /connz and /subsz.
const defaultListSize = 1024

// globalAccount is the account of clients that name none.
const globalAccount = "$G"

func (m *monitor) handleConnz(w http.ResponseWriter, r *http.Request) {
	q := &query{r: r}
	o := connzOptions{sort: sortOpt(q.get("sort"))}
	o.auth = q.boolean("auth")
	o.subs, o.detail = q.subs()
	o.offset = q.integer("offset")
	o.limit = q.integer("limit")
	o.cid = q.uint64("cid")
	switch st := q.get("state"); strings.ToLower(st) {
	case "", "open":
		o.state = stateOpen
	case "closed":
		o.state = stateClosed
	case "any", "all":
		o.state = stateAny
	default:
		q.fail(fmt.Errorf("Error decoding state for %s", st))
	}
	o.user, o.account, o.mqttClient = q.get("user"), q.get("acc"), q.get("mqtt_client")
	if q.bad(w) {
		return
	}
	if err := o.check(); err != nil {
		writeError(w, http.StatusBadRequest, err)
		return
	}
	c, err := m.connz(&o)
	if err != nil {
		adminError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, c)
}

// check applies nats-server's defaults and refusals.
func (o *connzOptions) check() error {
	if o.sort == "" {
		o.sort = byCid
	}
	if !o.sort.valid() {
		return fmt.Errorf("invalid sorting option: %s", o.sort)
	}
	if o.offset < 0 {
		o.offset = 0
	}
	if o.limit <= 0 {
		o.limit = defaultListSize
	}
	if o.sort == byStop && o.state != stateClosed {
		return errors.New("sort by stop only valid on closed connections")
	}
	if o.sort == byReason && o.state != stateClosed {
		return errors.New("sort by reason only valid on closed connections")
	}
	if o.cid > 0 {
		o.limit = 1
	}
	return nil
}

func (m *monitor) connz(o *connzOptions) (*Connz, error) {
	var open, closed []*actors.ConnInfo
	var err error
	if o.state != stateClosed {
		if open, err = m.s.Connections(o.subs || o.detail, adminTimeout); err != nil {
			return nil, err
		}
	}
	if o.state != stateOpen {
		if closed, err = m.s.ClosedConnections(adminTimeout); err != nil {
			return nil, err
		}
	}
	now := time.Now().UTC()
	c := &Connz{ID: m.s.ID(), Now: now, Offset: o.offset, Limit: o.limit, Conns: []*ConnInfo{}}
	// As in nats-server, the total counts the connections of the account asked for (or all),
	// before the cid, user and MQTT client filters.
	keep := func(list []*actors.ConnInfo) []*actors.ConnInfo {
		if o.account == "" {
			return list
		}
		var out []*actors.ConnInfo
		for _, ci := range list {
			if ci.Account == o.account {
				out = append(out, ci)
			}
		}
		return out
	}
	open, closed = keep(open), keep(closed)
	c.Total = len(open) + len(closed)

	// Filter, sort and page the server's records; only the page is turned into JSON records.
	var list []*actors.ConnInfo
	add := func(ci *actors.ConnInfo) {
		if o.cid > 0 && ci.CID != o.cid {
			return
		}
		// Troupe has no MQTT: every connection's client id is empty.
		if (o.user != "" && ci.User != o.user) || o.mqttClient != "" {
			return
		}
		list = append(list, ci)
	}
	for _, ci := range open {
		add(ci)
	}
	if !(o.cid > 0 && len(list) > 0) { // a cid found open is not looked for among the closed
		for _, ci := range closed {
			add(ci)
		}
	}
	sortConns(list, o.sort, now)
	lo := min(o.offset, len(list))
	hi := lo + min(o.limit, len(list)-lo)
	for _, ci := range list[lo:hi] {
		c.Conns = append(c.Conns, newConnInfo(ci, ci.Stop.IsZero(), now, o))
	}
	c.NumConns = len(c.Conns)
	return c, nil
}

// newConnInfo is one connection as nats-server shows it: open ones with their uptime and idle
// time as of now, closed ones as of their close.
func newConnInfo(ci *actors.ConnInfo, open bool, now time.Time, o *connzOptions) *ConnInfo {
	c := &ConnInfo{
		Cid:          ci.CID,
		Kind:         "Client",
		Type:         "nats",
		IP:           ci.IP,
		Port:         ci.Port,
		Start:        ci.Start,
		LastActivity: ci.LastActivity,
		RTT:          rtt(ci.RTT),
		Pending:      int(ci.PendingBytes),
		InMsgs:       ci.InMsgs,
		OutMsgs:      ci.OutMsgs,
		InBytes:      ci.InBytes,
		OutBytes:     ci.OutBytes,
		NumSubs:      uint32(ci.NumSubs),
		Name:         ci.Name,
		Lang:         ci.Lang,
		Version:      ci.Version,
	}
	at := now
	if !open {
		stop := ci.Stop
		c.Stop, at = &stop, stop
		c.Reason = ci.Reason.String()
	}
	c.Uptime = uptime(at.Sub(ci.Start))
	c.Idle = uptime(at.Sub(ci.LastActivity))
	if len(ci.Subs) > 0 {
		subs := append([]actors.SubInfo(nil), ci.Subs...)
		sortSubs(subs)
		for _, s := range subs {
			if o.detail {
				c.SubsDetail = append(c.SubsDetail, SubDetail{Subject: s.Subject, Queue: s.Queue,
					Sid: s.SID, Msgs: s.Msgs, Max: s.Max, Cid: s.CID})
			} else if o.subs {
				c.Subs = append(c.Subs, s.Subject)
			}
		}
	}
	// With auth, nats-server names the user and, unless it is the global account, the
	// account; open connections also carry the account's name tag (its name).
	if o.auth {
		c.AuthorizedUser = ci.User
	}
	if o.auth && ci.Account != "" {
		if ci.Account != globalAccount {
			c.Account = ci.Account
			c.NameTag = ci.Account
		} else if open {
			c.NameTag = ci.Account
		}
	}
	return c
}

// sortSubs orders a connection's subscriptions by sid (numerically when they are numbers, as
// clients make them), so that lists are stable from one request to the next.
func sortSubs(subs []actors.SubInfo) {
	sort.SliceStable(subs, func(i, j int) bool {
		a, b := subs[i], subs[j]
		if a.CID != b.CID {
			return a.CID < b.CID
		}
		if len(a.SID) != len(b.SID) {
			return len(a.SID) < len(b.SID)
		}
		return a.SID < b.SID
	})
}
