package monitor

import (
	"cmp"
	"slices"
	"time"

	"github.com/troupe/troupe/actors"
)

// sortOpt is a /connz sort option: nats-server's names (monitor_sort_opts.go).
type sortOpt string

const (
	byCid      sortOpt = "cid"        // ascending
	byStart    sortOpt = "start"      // the same as cid
	bySubs     sortOpt = "subs"       // most subscriptions first
	byPending  sortOpt = "pending"    // most bytes waiting to be written first
	byOutMsgs  sortOpt = "msgs_to"    // most messages sent to the client first
	byInMsgs   sortOpt = "msgs_from"  // most messages received from the client first
	byOutBytes sortOpt = "bytes_to"   // most bytes sent first
	byInBytes  sortOpt = "bytes_from" // most bytes received first
	byLast     sortOpt = "last"       // most recent activity first
	byIdle     sortOpt = "idle"       // longest idle first
	byUptime   sortOpt = "uptime"     // shortest uptime first (nats-server sorts this one ascending)
	byStop     sortOpt = "stop"       // closed connections only: most recently closed first
	byReason   sortOpt = "reason"     // closed connections only: by reason text, ascending
	byRTT      sortOpt = "rtt"        // longest round trip first
)

func (s sortOpt) valid() bool {
	switch s {
	case "", byCid, byStart, bySubs, byPending, byOutMsgs, byInMsgs, byOutBytes, byInBytes,
		byLast, byIdle, byUptime, byStop, byReason, byRTT:
		return true
	}
	return false
}

// sortConns orders the server's connection records as nats-server orders /connz for opt. Ties
// keep cid order.
func sortConns(list []*actors.ConnInfo, opt sortOpt, now time.Time) {
	slices.SortFunc(list, func(a, b *actors.ConnInfo) int { return cmp.Compare(a.CID, b.CID) })
	desc := func(key func(*actors.ConnInfo) int64) {
		slices.SortStableFunc(list, func(a, b *actors.ConnInfo) int { return cmp.Compare(key(b), key(a)) })
	}
	switch opt {
	case bySubs:
		desc(func(c *actors.ConnInfo) int64 { return int64(c.NumSubs) })
	case byPending:
		desc(func(c *actors.ConnInfo) int64 { return c.PendingBytes })
	case byOutMsgs:
		desc(func(c *actors.ConnInfo) int64 { return c.OutMsgs })
	case byInMsgs:
		desc(func(c *actors.ConnInfo) int64 { return c.InMsgs })
	case byOutBytes:
		desc(func(c *actors.ConnInfo) int64 { return c.OutBytes })
	case byInBytes:
		desc(func(c *actors.ConnInfo) int64 { return c.InBytes })
	case byLast:
		desc(func(c *actors.ConnInfo) int64 { return c.LastActivity.UnixNano() })
	case byIdle:
		desc(func(c *actors.ConnInfo) int64 { return int64(now.Sub(c.LastActivity)) })
	case byStop:
		desc(func(c *actors.ConnInfo) int64 { return c.Stop.UnixNano() })
	case byRTT:
		desc(func(c *actors.ConnInfo) int64 { return int64(c.RTT) })
	case byUptime:
		up := func(c *actors.ConnInfo) time.Duration {
			if !c.Stop.IsZero() {
				return c.Stop.Sub(c.Start)
			}
			return now.Sub(c.Start)
		}
		slices.SortStableFunc(list, func(a, b *actors.ConnInfo) int { return cmp.Compare(up(a), up(b)) })
	case byReason:
		slices.SortStableFunc(list, func(a, b *actors.ConnInfo) int {
			return cmp.Compare(a.Reason.String(), b.Reason.String())
		})
	}
}
