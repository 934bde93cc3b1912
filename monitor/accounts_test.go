package monitor

import (
	"net/http"
	"slices"
	"testing"
)

// /accountz lists the accounts and details one; /accstatz gives each account's connections,
// subscriptions and traffic, leaving out accounts without connections unless unused=1.
func TestAccountzAndAccstatz(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)
	var st AccountStatz
	s.getJSON(t, "/accstatz", &st)
	if st.ID != s.ID() || st.Accounts == nil || len(st.Accounts) != 0 {
		t.Errorf("/accstatz without connections: %+v, want an empty list", st)
	}
	s.getJSON(t, "/accstatz?unused=1", &st)
	if !hasAccount(st, "$G") {
		t.Errorf("/accstatz?unused=1 lacks $G: %+v", st.Accounts)
	}

	sub := s.connect(t, "sub")
	received := subscribe(t, sub, "acc.test", "")
	flush(t, sub)
	pub := s.connect(t, "pub")
	for range 4 {
		if err := pub.Publish("acc.test", []byte("abc")); err != nil {
			t.Fatal(err)
		}
	}
	flush(t, pub)
	for range 4 {
		if _, err := received.NextMsg(ioTimeout); err != nil {
			t.Fatal(err)
		}
	}

	var a Accountz
	s.getJSON(t, "/accountz", &a)
	if !slices.Contains(a.Accounts, "$G") || a.Account != nil || a.SystemAccount != s.SystemAccount() {
		t.Errorf("/accountz: %+v", a)
	}
	if sys := s.SystemAccount(); sys != "" {
		s.getJSON(t, "/accountz?acc="+sys, &a)
		if a.Account == nil || !a.Account.IsSystem || a.Account.ClientCnt != 0 {
			t.Errorf("/accountz?acc=%s: %+v", sys, a.Account)
		}
	}
	s.getJSON(t, "/accountz?acc=$G", &a)
	d := a.Account
	if d == nil || d.AccountName != "$G" || d.ClientCnt != 2 || d.SubCnt < 1 || !d.Complete || d.Expired ||
		d.NameTag != "$G" || d.Sublist == nil || d.Sublist.NumSubs != d.SubCnt || a.Accounts != nil {
		t.Errorf("/accountz?acc=$G: %+v %+v", a, d)
	}
	s.expectError(t, "/accountz?acc=nope", http.StatusBadRequest, "Account nope does not exist")

	var g *AccountStat
	waitFor(t, ioTimeout, "the account's traffic", func() bool {
		s.getJSON(t, "/accstatz", &st)
		g = findAccount(st, "$G")
		return g != nil && g.Sent.Msgs == 4
	})
	if g.Conns != 2 || g.TotalConns != 2 || g.Received.Msgs != 4 || g.Received.Bytes != 12 ||
		g.Sent.Bytes != 12 || g.Name != "$G" || g.SlowConsumers != 0 {
		t.Errorf("$G: %+v", g)
	}
	if g.Sent.Routes == nil || g.Sent.Gateways == nil || g.Received.Leafs == nil {
		t.Errorf("$G: no routes, gateways and leafs objects as nats-server has: %+v", g)
	}

	// Closed connections keep their traffic in the account's totals.
	pub.Close()
	waitFor(t, ioTimeout, "the publisher to leave", func() bool {
		s.getJSON(t, "/accstatz", &st)
		g = findAccount(st, "$G")
		return g != nil && g.Conns == 1
	})
	if g.Received.Msgs != 4 || g.Sent.Msgs != 4 {
		t.Errorf("after the publisher left: %+v", g)
	}
	s.expectError(t, "/accstatz?unused=perhaps", http.StatusBadRequest, "Error decoding boolean for 'unused'")
}

func findAccount(st AccountStatz, name string) *AccountStat {
	for _, a := range st.Accounts {
		if a.Account == name {
			return a
		}
	}
	return nil
}

func hasAccount(st AccountStatz, name string) bool { return findAccount(st, name) != nil }
