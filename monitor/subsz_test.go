package monitor

import (
	"net/http"
	"slices"
	"testing"

	"github.com/nats-io/nats.go"
)

// /subsz counts the subscriptions; subs=1 lists them with their account, and test= keeps those a
// message on that subject would reach, as nats-server does.
func TestSubszMatchesTestSubject(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)
	nc := s.connect(t, "subs")
	var wide *nats.Subscription
	for _, sub := range []struct{ subject, queue string }{
		{"foo.bar", ""}, {"foo.*", "q1"}, {"foo.>", ""}, {"baz", ""}, {"foo.bar.baz", ""},
	} {
		if sb := subscribe(t, nc, sub.subject, sub.queue); sub.subject == "foo.>" {
			wide = sb
		}
	}
	flush(t, nc)
	cid, _ := nc.GetClientID()

	var sz Subsz
	s.getJSON(t, "/subsz", &sz)
	if sz.ID != s.ID() || int(sz.NumSubs) != allSubscriptions(s) || sz.Total != 0 || sz.Subs != nil || sz.Limit != 1024 {
		t.Errorf("/subsz: %+v %+v", sz, sz.SublistStats)
	}
	s.getJSON(t, "/subsz?subs=1&test=foo.bar", &sz)
	want := []SubDetail{
		{Account: "$G", AccountTag: "$G", Subject: "foo.bar", Sid: "1", Cid: cid},
		{Account: "$G", AccountTag: "$G", Subject: "foo.*", Queue: "q1", Sid: "2", Cid: cid},
		{Account: "$G", AccountTag: "$G", Subject: "foo.>", Sid: "3", Cid: cid},
	}
	if !slices.Equal(sz.Subs, want) || sz.Total != 3 {
		t.Errorf("test=foo.bar: total %d, %+v; want %+v", sz.Total, sz.Subs, want)
	}
	s.getJSON(t, "/subsz?subs=1&acc=$G", &sz)
	if sz.Total != 5 || len(sz.Subs) != 5 || sz.NumSubs != 5 {
		t.Errorf("subs=1&acc=$G: total %d, %d listed, num_subscriptions %d; want 5", sz.Total, len(sz.Subs), sz.NumSubs)
	}
	s.getJSON(t, "/subsz?subs=1&acc=$G&offset=1&limit=2", &sz)
	if sz.Total != 5 || len(sz.Subs) != 2 || sz.Subs[0].Subject != "foo.*" {
		t.Errorf("offset=1&limit=2: total %d, %+v", sz.Total, sz.Subs)
	}
	s.getJSON(t, "/subsz?subs=1&test=nothing.here", &sz)
	if sz.Total != 0 || sz.Subs != nil {
		t.Errorf("test=nothing.here: %+v", sz.Subs)
	}
	s.getJSON(t, "/subscriptionsz?subs=1&test=baz", &sz)
	if sz.Total != 1 || sz.Subs[0].Subject != "baz" {
		t.Errorf("the /subscriptionsz alias: %+v", sz.Subs)
	}
	s.expectError(t, "/subsz?test=foo.*", http.StatusBadRequest, "invalid test subject, must be valid publish subject: foo.*")
	s.expectError(t, "/subsz?subs=lots", http.StatusBadRequest, "Error decoding boolean for 'subs'")

	// An unsubscription shows as soon as the server has taken it: /subsz reads the index
	// snapshot publishers match against.
	if err := wide.Unsubscribe(); err != nil {
		t.Fatal(err)
	}
	flush(t, nc)
	s.getJSON(t, "/subsz?subs=1&test=foo.bar", &sz)
	if sz.Total != 2 || accountSubscriptions(s, "$G") != 4 {
		t.Errorf("after UNSUB foo.>: total %d, num_subscriptions %d; want 2 and 4", sz.Total, sz.NumSubs)
	}
}
