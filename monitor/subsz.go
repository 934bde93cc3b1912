package monitor

import (
	"fmt"
	"net/http"
	"time"

	"github.com/troupe/troupe/actors"
	"github.com/troupe/troupe/subjects"
)

// Subsz is /subsz (monitor.go Subsz): the subscription index's statistics, and with subs=1 the
// subscriptions themselves, those a test subject would reach when test= is given.
type Subsz struct {
	ID  string    `json:"server_id"`
	Now time.Time `json:"now"`
	*SublistStats
	Total  int         `json:"total"`
	Offset int         `json:"offset"`
	Limit  int         `json:"limit"`
	Subs   []SubDetail `json:"subscriptions_list,omitempty"`
}

// SublistStats are nats-server's subscription-list statistics (sublist.go SublistStats).
// Troupe's index is a persistent trie that each publisher matches against with its own cache;
// it counts its subscriptions but keeps no shared cache, insert, remove or match counters, so
// those stay zero.
type SublistStats struct {
	NumSubs      uint32  `json:"num_subscriptions"`
	NumCache     uint32  `json:"num_cache"`
	NumInserts   uint64  `json:"num_inserts"`
	NumRemoves   uint64  `json:"num_removes"`
	NumMatches   uint64  `json:"num_matches"`
	CacheHitRate float64 `json:"cache_hit_rate"`
	MaxFanout    uint32  `json:"max_fanout"`
	AvgFanout    float64 `json:"avg_fanout"`
}

func (m *monitor) handleSubsz(w http.ResponseWriter, r *http.Request) {
	q := &query{r: r}
	detail := q.boolean("subs")
	offset := max(q.integer("offset"), 0)
	limit := q.integer("limit")
	if limit <= 0 {
		limit = defaultListSize
	}
	test, account := q.get("test"), q.get("acc")
	if q.bad(w) {
		return
	}
	if t := []byte(test); test != "" && !(subjects.Valid(t) && subjects.IsLiteral(t)) {
		writeError(w, http.StatusBadRequest, fmt.Errorf("invalid test subject, must be valid publish subject: %s", test))
		return
	}
	sz := &Subsz{ID: m.s.ID(), Now: time.Now().UTC(), SublistStats: &SublistStats{}, Offset: offset, Limit: limit}
	for _, a := range m.s.Accounts() {
		if account == "" || a.Name == account {
			sz.NumSubs += uint32(a.Subscriptions)
		}
	}
	if detail {
		var list []SubDetail
		subs := m.s.Subscriptions()
		sortSubs(subs)
		for _, s := range subs {
			if account != "" && s.Account != account {
				continue
			}
			if test != "" && !subjects.Match([]byte(s.Subject), []byte(test)) {
				continue
			}
			list = append(list, subDetail(s))
		}
		lo := min(offset, len(list))
		hi := lo + min(limit, len(list)-lo)
		sz.Subs = list[lo:hi]
		sz.Total = len(list)
	}
	writeJSON(w, http.StatusOK, sz)
}

// subDetail is a subscription with its account, as /subsz lists it (the account's name tag is
// its name).
func subDetail(s actors.SubInfo) SubDetail {
	return SubDetail{Account: s.Account, AccountTag: s.Account, Subject: s.Subject, Queue: s.Queue,
		Sid: s.SID, Msgs: s.Msgs, Max: s.Max, Cid: s.CID}
}
