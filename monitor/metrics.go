package monitor

import (
	"net/http"
	"sort"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/troupe/troupe/actors"
)

// /metrics: Prometheus' text format. Every troupe_ metric is read from the server at scrape time
// (the same atomics, supervisor lists and live tree the JSON endpoints read), so the data path
// keeps no counter for Prometheus. Each handler has its own registry, with the Go runtime and
// process collectors beside Troupe's.
//
// Traffic counters are server-wide: per account, the server knows its open connections'
// counters but not yet the totals of its closed ones, and a Prometheus counter must never go
// down; so accounts get gauges (connections, subscriptions) only.

// newMetricsHandler serves s's metrics.
func newMetricsHandler(s *actors.Server) http.HandlerFunc {
	reg := prometheus.NewRegistry()
	reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		newCollector(s),
	)
	h := promhttp.HandlerFor(reg, promhttp.HandlerOpts{ErrorHandling: promhttp.ContinueOnError})
	return h.ServeHTTP
}

// collector reads a server's state at scrape time.
type collector struct {
	s *actors.Server

	info, start                            *prometheus.Desc
	conns, connsTotal, subs                *prometheus.Desc
	inMsgs, inBytes, outMsgs, outBytes     *prometheus.Desc
	slow, stale                            *prometheus.Desc
	accConns, accSubs                      *prometheus.Desc
	accIn, accInBytes, accOut, accOutB     *prometheus.Desc
	accSlow                                *prometheus.Desc
	supRestarts                            *prometheus.Desc
	actorsN, mailbox, mailboxMax, restarts *prometheus.Desc
}

func newCollector(s *actors.Server) *collector {
	d := func(name, help string, labels ...string) *prometheus.Desc {
		return prometheus.NewDesc("troupe_"+name, help, labels, nil)
	}
	return &collector{
		s:           s,
		info:        d("info", "The server: its id, name and version (always 1).", "server_id", "server_name", "version"),
		start:       d("start_time_seconds", "When the server started, in seconds since the Unix epoch."),
		conns:       d("connections", "Open connections, by connection kind.", "kind"),
		connsTotal:  d("connections_total", "Connections accepted since the server started, by kind.", "kind"),
		subs:        d("subscriptions", "Subscriptions, in all accounts."),
		inMsgs:      d("in_msgs_total", "Messages received from clients."),
		inBytes:     d("in_bytes_total", "Payload bytes received from clients."),
		outMsgs:     d("out_msgs_total", "Messages delivered to clients."),
		outBytes:    d("out_bytes_total", "Payload bytes delivered to clients."),
		slow:        d("slow_consumers_total", "Connections found to be slow consumers, by kind.", "kind"),
		stale:       d("stale_connections_total", "Connections closed as stale (unanswered PINGs), by kind.", "kind"),
		accConns:    d("account_connections", "Open client connections, by account.", "account"),
		accSubs:     d("account_subscriptions", "Subscriptions, by account.", "account"),
		supRestarts: d("supervisor_restarts_total", "Restarts a supervisor made of its failed children, by supervisor.", "supervisor"),
		actorsN:     d("actors", "Live actors of the supervision tree, by kind and state.", "kind", "state"),
		mailbox:     d("actor_mailbox_messages", "Messages waiting in the mailboxes of the actors of a kind, summed.", "kind"),
		mailboxMax:  d("actor_mailbox_max_messages", "The deepest mailbox among the actors of a kind.", "kind"),
		restarts:    d("actor_restarts", "Restarts of the live actors of a kind, as their supervisors count them.", "kind"),
	}
}

func (c *collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.info, c.start, c.conns, c.connsTotal, c.subs, c.inMsgs,
		c.inBytes, c.outMsgs, c.outBytes, c.slow, c.stale, c.accConns, c.accSubs, c.supRestarts, c.actorsN, c.mailbox,
		c.mailboxMax, c.restarts} {
		ch <- d
	}
}

func (c *collector) Collect(ch chan<- prometheus.Metric) {
	gauge := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
	}
	counter := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, v, labels...)
	}
	s := c.s
	st := s.Stats()
	gauge(c.info, 1, s.ID(), s.Name(), actors.Version)
	gauge(c.start, float64(st.Start.UnixNano())/1e9)
	counter(c.connsTotal, float64(st.TotalConnections), "client")
	counter(c.inMsgs, float64(st.InMsgs))
	counter(c.inBytes, float64(st.InBytes))
	counter(c.outMsgs, float64(st.OutMsgs))
	counter(c.outBytes, float64(st.OutBytes))
	counter(c.slow, float64(st.SlowConsumers), "client")
	counter(c.stale, float64(st.StaleConnections), "client")
	for _, sup := range sortedKeys(st.Restarts) {
		counter(c.supRestarts, float64(st.Restarts[sup]), sup)
	}

	if accs, err := s.AccountStats(adminTimeout); err != nil {
		ch <- prometheus.NewInvalidMetric(c.accConns, err)
	} else {
		var conns, subs int
		for _, a := range accs {
			conns += a.Conns
			subs += a.Subscriptions
			gauge(c.accConns, float64(a.Conns), a.Name)
			gauge(c.accSubs, float64(a.Subscriptions), a.Name)
		}
		gauge(c.conns, float64(conns), "client")
		gauge(c.subs, float64(subs))
	}

	tree, err := s.Tree(adminTimeout)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(c.actorsN, err)
		return
	}
	type kindStats struct{ mailbox, max, restarts int }
	byKind := map[string]*kindStats{}
	byState := map[[2]string]int{}
	var walk func(n *actors.Node)
	walk = func(n *actors.Node) {
		k := byKind[n.Kind]
		if k == nil {
			k = &kindStats{}
			byKind[n.Kind] = k
		}
		k.mailbox += n.Mailbox
		k.max = max(k.max, n.Mailbox)
		k.restarts += n.Restarts
		byState[[2]string{n.Kind, n.State}]++
		for _, child := range n.Children {
			walk(child)
		}
	}
	walk(tree)
	for _, kind := range sortedKeys(byKind) {
		k := byKind[kind]
		gauge(c.mailbox, float64(k.mailbox), kind)
		gauge(c.mailboxMax, float64(k.max), kind)
		gauge(c.restarts, float64(k.restarts), kind)
	}
	for ks, n := range byState {
		gauge(c.actorsN, float64(n), ks[0], ks[1])
	}
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

var _ prometheus.Collector = (*collector)(nil)
