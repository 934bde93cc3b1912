package actors

import (
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats.go"
)

// Behaviour through the real nats.go client.

func TestNATSPublishSubscribeInOrder(t *testing.T) {
	s := startServer(t, nil)
	sub := natsConn(t, s)
	pub := natsConn(t, s)
	const n = 20000
	ch := make(chan *nats.Msg, n)
	if _, err := sub.ChanSubscribe("orders.>", ch); err != nil {
		t.Fatal(err)
	}
	if err := sub.Flush(); err != nil {
		t.Fatal(err)
	}
	for i := range n {
		if err := pub.Publish(fmt.Sprintf("orders.%d", i%7), []byte(fmt.Sprint(i))); err != nil {
			t.Fatal(err)
		}
	}
	if err := pub.Flush(); err != nil {
		t.Fatal(err)
	}
	for i := range n {
		select {
		case m := <-ch:
			if string(m.Data) != fmt.Sprint(i) {
				t.Fatalf("message %d: got %q (out of order)", i, m.Data)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("received %d of %d", i, n)
		}
	}
}

func TestNATSRequestReply(t *testing.T) {
	s := startServer(t, nil)
	svc := natsConn(t, s)
	cli := natsConn(t, s)
	if _, err := svc.Subscribe("echo", func(m *nats.Msg) { _ = m.Respond(append([]byte("re:"), m.Data...)) }); err != nil {
		t.Fatal(err)
	}
	if err := svc.Flush(); err != nil {
		t.Fatal(err)
	}
	for i := range 200 {
		m, err := cli.Request("echo", []byte(fmt.Sprint(i)), 2*time.Second)
		if err != nil {
			t.Fatalf("request %d: %v", i, err)
		}
		if want := fmt.Sprintf("re:%d", i); string(m.Data) != want {
			t.Fatalf("got %q want %q", m.Data, want)
		}
	}
}

func TestNATSNoResponders(t *testing.T) {
	s := startServer(t, nil)
	nc := natsConn(t, s)
	_, err := nc.Request("nobody.home", nil, time.Second)
	if !errors.Is(err, nats.ErrNoResponders) {
		t.Fatalf("got %v, want ErrNoResponders", err)
	}
}

func TestNATSQueueGroupDeliversOncePerGroup(t *testing.T) {
	s := startServer(t, nil)
	var groupA, groupB, plain atomic.Int64
	var conns []*nats.Conn
	var subs []*nats.Subscription
	for range 3 {
		nc := natsConn(t, s)
		a, _ := nc.QueueSubscribe("work", "A", func(*nats.Msg) { groupA.Add(1) })
		b, _ := nc.QueueSubscribe("work", "B", func(*nats.Msg) { groupB.Add(1) })
		p, _ := nc.Subscribe("work", func(*nats.Msg) { plain.Add(1) })
		if err := nc.Flush(); err != nil {
			t.Fatal(err)
		}
		conns = append(conns, nc)
		subs = append(subs, a, b, p)
	}
	pub := natsConn(t, s)
	const n = 300
	for range n {
		pub.Publish("work", []byte("x"))
	}
	pub.Flush()
	// A PONG follows every message the server sent before it on that connection; once each
	// subscriber has had its PONG and handled what it holds, nothing more can come.
	for _, nc := range conns {
		if err := nc.Flush(); err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, 5*time.Second, "handlers to finish", func() bool {
		for _, sub := range subs {
			if m, _, _ := sub.Pending(); m != 0 {
				return false
			}
		}
		return true
	})
	if groupA.Load() != n || groupB.Load() != n || plain.Load() != 3*n {
		t.Fatalf("A=%d B=%d plain=%d, want %d %d %d", groupA.Load(), groupB.Load(), plain.Load(), n, n, 3*n)
	}
}

func TestNATSHeaders(t *testing.T) {
	s := startServer(t, nil)
	nc := natsConn(t, s)
	sub, err := nc.SubscribeSync("h")
	if err != nil {
		t.Fatal(err)
	}
	m := nats.NewMsg("h")
	m.Header.Set("Trace-Id", "abc")
	m.Data = []byte("body")
	if err := nc.PublishMsg(m); err != nil {
		t.Fatal(err)
	}
	got, err := sub.NextMsg(2 * time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if got.Header.Get("Trace-Id") != "abc" || string(got.Data) != "body" {
		t.Fatalf("got header %v data %q", got.Header, got.Data)
	}
}

func TestNATSAutoUnsubscribe(t *testing.T) {
	s := startServer(t, nil)
	nc := natsConn(t, s)
	sub, _ := nc.SubscribeSync("limited")
	sub.AutoUnsubscribe(3)
	nc.Flush()
	pub := natsConn(t, s)
	for range 10 {
		pub.Publish("limited", []byte("x"))
	}
	pub.Flush()
	for i := range 3 {
		if _, err := sub.NextMsg(2 * time.Second); err != nil {
			t.Fatalf("message %d: %v", i, err)
		}
	}
	if _, err := sub.NextMsg(100 * time.Millisecond); err == nil {
		t.Fatal("got a fourth message")
	}
}

// Monitoring counters are current when a flush returns: the PUBs before a PING are counted
// before its PONG is written, so a client that flushed and then reads /varz or /connz sees them.
func TestInCountersBeforePong(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)
	nc := natsConn(t, s)
	for i := 1; i <= 300; i++ {
		if err := nc.Publish("nobody", []byte("x")); err != nil {
			t.Fatal(err)
		}
		if err := nc.Flush(); err != nil {
			t.Fatal(err)
		}
		if st := s.Stats(); st.InMsgs != int64(i) || st.InBytes != int64(i) {
			t.Fatalf("after %d flushed PUBs the server counts %d messages, %d bytes", i, st.InMsgs, st.InBytes)
		}
	}
}
