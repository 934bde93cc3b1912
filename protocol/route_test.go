package protocol

import (
	"math/rand/v2"
	"strings"
	"testing"
)

// The route protocol as nats-server v2.15.2 speaks it (shared/nats-reference.md §2.4; the lines
// below are from its verbatim transcripts), parsed whole and in every split.
func TestRouteOps(t *testing.T) {
	route := config{ops: RouteOps}
	cases := []struct {
		in   string
		want rec
	}{
		{"RS+ $G foo\r\n", rec{Kind: KindRSub, Account: "$G", Subject: "foo"}},
		{"RS+ $G bar q1 2\r\n", rec{Kind: KindRSub, Account: "$G", Subject: "bar", Queue: "q1", Weight: 2}},
		{"rs+ $G bar q1 x\r\n", rec{Kind: KindRSub, Account: "$G", Subject: "bar", Queue: "q1", Weight: 1}},
		{"RS- $G foo\r\n", rec{Kind: KindRUnsub, Account: "$G", Subject: "foo"}},
		{"RS- $G bar q1\r\n", rec{Kind: KindRUnsub, Account: "$G", Subject: "bar", Queue: "q1"}},
		{"RMSG $G foo 5\r\nhello\r\n", rec{Kind: KindRMsg, Account: "$G", Subject: "foo", Size: 5, Payload: "hello"}},
		{"RMSG $G foo reply.x 2\r\nhi\r\n", rec{Kind: KindRMsg, Account: "$G", Subject: "foo", Reply: "reply.x", Size: 2, Payload: "hi"}},
		{"RMSG $G bar | q1 2\r\nhi\r\n", rec{Kind: KindRMsg, Account: "$G", Subject: "bar", Queues: "q1", Size: 2, Payload: "hi"}},
		{"RMSG $G qq + rep grp g2 2\r\nhi\r\n", rec{Kind: KindRMsg, Account: "$G", Subject: "qq", Reply: "rep", Queues: "grp g2", Size: 2, Payload: "hi"}},
		{"HMSG $G foo reply.x 12 14\r\nNATS/1.0\r\n\r\nhi\r\n", rec{Kind: KindRHMsg, Account: "$G", Subject: "foo", Reply: "reply.x", HdrLen: 12, Size: 14, Payload: "NATS/1.0\r\n\r\nhi"}},
		{"HMSG $G baz 12 14\r\nNATS/1.0\r\n\r\nhi\r\n", rec{Kind: KindRHMsg, Account: "$G", Subject: "baz", HdrLen: 12, Size: 14, Payload: "NATS/1.0\r\n\r\nhi"}},
		{"HMSG $G baz | q 12 14\r\nNATS/1.0\r\n\r\nhi\r\n", rec{Kind: KindRHMsg, Account: "$G", Subject: "baz", Queues: "q", HdrLen: 12, Size: 14, Payload: "NATS/1.0\r\n\r\nhi"}},
		{"LS+ c1 $G foo\r\n", rec{Kind: KindLSub, Origin: "c1", Account: "$G", Subject: "foo"}},
		{"LS+ _ $G foo q 3\r\n", rec{Kind: KindLSub, Origin: "_", Account: "$G", Subject: "foo", Queue: "q", Weight: 3}},
		{"LS- $G foo\r\n", rec{Kind: KindLUnsub, Account: "$G", Subject: "foo"}},
		{"LS- c1 $G foo q\r\n", rec{Kind: KindLUnsub, Origin: "c1", Account: "$G", Subject: "foo", Queue: "q"}},
		{"LMSG c1 $G foo 0 2\r\nhi\r\n", rec{Kind: KindLMsg, Origin: "c1", Account: "$G", Subject: "foo", Size: 2, Payload: "hi"}},
		{"A+ $G\r\n", rec{Kind: KindASub, Account: "$G"}},
		{"A- $G\r\n", rec{Kind: KindAUnsub, Account: "$G"}},
		{"PING\r\n", ping},
	}
	r := newRand(t)
	for _, c := range cases {
		got, err := checkSplits(t, route, []byte(c.in), r)
		if err != nil || len(got) != 1 || got[0] != c.want {
			t.Errorf("%q: got %v %v, want %v", c.in, got, err, c.want)
		}
	}
	for _, bad := range []string{
		"RS+ $G\r\n", "RS+ $G foo q\r\n", "RS- $G\r\n", "RS* $G foo\r\n", "RMSG $G foo\r\n",
		"RMSG $G foo + 2\r\nhi\r\n", "RMSG $G foo a b 2\r\nhi\r\n", "HMSG $G foo 3 2\r\nhi\r\n",
		"LMSG c1 $G foo 2\r\nhi\r\n", "A+\r\n", "PUB foo 1\r\nx\r\n", "SUB foo 1\r\n", "RX\r\n",
	} {
		if got, err := parseWhole(route, []byte(bad)); err == nil {
			t.Errorf("%q: accepted as %v", bad, got)
		}
	}
}

// A client's parser refuses every route op at its first byte, as nats-server does.
func TestRouteOpsFromClient(t *testing.T) {
	for _, in := range []string{"R", "RS+ $G foo\r\n", "L", "A+ $G\r\n"} {
		if _, err := parseWhole(config{ops: ClientOps}, []byte(in)); err != ErrUnknownOp {
			t.Errorf("%q: %v, want ErrUnknownOp at once", in, err)
		}
	}
}

func genQueues(r *rand.Rand) string {
	q := make([]string, 1+r.IntN(3))
	for i := range q {
		q[i] = genToken(r, 8)
	}
	return strings.Join(q, " ")
}

// genRouteOp returns a random valid route op of kind k and its encoding.
func genRouteOp(r *rand.Rand, k Kind) (rec, []byte) {
	o := rec{Kind: k, Account: genToken(r, 10), Subject: genSubject(r)}
	var b []byte
	switch k {
	case KindRSub:
		if r.IntN(2) == 0 {
			o.Queue, o.Weight = genToken(r, 8), 1+r.IntN(100)
		}
		return o, AppendRSub(nil, []byte(o.Account), []byte(o.Subject), []byte(o.Queue), o.Weight)
	case KindRUnsub:
		o.Queue = genOptional(r, func(r *rand.Rand) string { return genToken(r, 8) })
		return o, AppendRUnsub(nil, []byte(o.Account), []byte(o.Subject), []byte(o.Queue))
	case KindRMsg, KindRHMsg:
		o.Payload = genPayload(r)
		o.Size = len(o.Payload)
		o.Reply = genOptional(r, genSubject)
		if r.IntN(2) == 0 {
			o.Queues = genQueues(r)
		}
		hdr := -1
		if k == KindRHMsg {
			o.HdrLen = r.IntN(o.Size + 1)
			hdr = o.HdrLen
		}
		b = AppendRMsg(nil, []byte(o.Account), []byte(o.Subject), []byte(o.Reply), []byte(o.Queues), hdr, o.Size)
	}
	b = append(b, o.Payload...)
	return o, append(b, "\r\n"...)
}

// Parse(AppendR...(op)) == op for the route ops Troupe sends.
func TestRouteRoundTrip(t *testing.T) {
	checkRoundTrip(t, config{ops: RouteOps}, []Kind{KindRSub, KindRUnsub, KindRMsg, KindRHMsg}, genRouteOp)
}
