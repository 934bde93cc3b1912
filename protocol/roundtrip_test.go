package protocol

import (
	"encoding/json"
	"math/rand/v2"
	"reflect"
	"testing"
	"testing/quick"
)

// Generators of valid wire tokens: subjects, reply subjects, queue names
// and sids never contain blanks or line ends.
const tokenChars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-$"

func genToken(r *rand.Rand, max int) string {
	b := make([]byte, 1+r.IntN(max))
	for i := range b {
		b[i] = tokenChars[r.IntN(len(tokenChars))]
	}
	return string(b)
}

func genSubject(r *rand.Rand) string {
	s := genToken(r, 8)
	for range r.IntN(4) {
		s += "." + genToken(r, 8)
	}
	if r.IntN(5) == 0 {
		s += ".>"
	}
	return s
}

func genOptional(r *rand.Rand, gen func(*rand.Rand) string) string {
	if r.IntN(2) == 0 {
		return ""
	}
	return gen(r)
}

func genSID(r *rand.Rand) string { return genToken(r, 6) }

// genPayload may contain CR, LF and any byte.
func genPayload(r *rand.Rand) string {
	b := make([]byte, r.IntN(64))
	for i := range b {
		switch r.IntN(8) {
		case 0:
			b[i] = '\r'
		case 1:
			b[i] = '\n'
		default:
			b[i] = byte(r.IntN(256))
		}
	}
	return string(b)
}

// genErrText is printable ASCII without leading or trailing blanks.
func genErrText(r *rand.Rand) string {
	b := make([]byte, r.IntN(40))
	for i := range b {
		b[i] = byte('!' + r.IntN('~'-'!'+1))
	}
	return string(b)
}

// genOp returns a random valid op of kind k and its encoding.
func genOp(r *rand.Rand, k Kind) (rec, []byte) {
	var o rec
	var b []byte
	switch k {
	case KindPub:
		o = pub(genSubject(r), genOptional(r, genSubject), genPayload(r))
		b = AppendPub(nil, []byte(o.Subject), []byte(o.Reply), o.Size)
	case KindHPub:
		o = hpub(genSubject(r), genOptional(r, genSubject), 0, genPayload(r))
		o.HdrLen = r.IntN(o.Size + 1)
		b = AppendHPub(nil, []byte(o.Subject), []byte(o.Reply), o.HdrLen, o.Size)
	case KindMsg:
		o = msg(genSubject(r), genSID(r), genOptional(r, genSubject), genPayload(r))
		b = AppendMsg(nil, []byte(o.Subject), []byte(o.SID), []byte(o.Reply), o.Size)
	case KindHMsg:
		o = hmsg(genSubject(r), genSID(r), genOptional(r, genSubject), 0, genPayload(r))
		o.HdrLen = r.IntN(o.Size + 1)
		b = AppendHMsg(nil, []byte(o.Subject), []byte(o.SID), []byte(o.Reply), o.HdrLen, o.Size)
	case KindSub:
		o = sub(genSubject(r), genOptional(r, func(r *rand.Rand) string { return genToken(r, 10) }), genSID(r))
		return o, AppendSub(nil, []byte(o.Subject), []byte(o.Queue), []byte(o.SID))
	case KindUnsub:
		o = unsub(genSID(r), max(0, r.IntN(1000)-500))
		return o, AppendUnsub(nil, []byte(o.SID), o.Max)
	case KindPing:
		return ping, AppendPing(nil)
	case KindPong:
		return pong, AppendPong(nil)
	case KindOK:
		return ok, AppendOK(nil)
	case KindErr:
		o = arg(KindErr, genErrText(r))
		return o, AppendErr(nil, o.Arg)
	case KindConnect:
		c := genConnect(r)
		b = AppendConnect(nil, &c)
		js, _ := json.Marshal(&c)
		return arg(KindConnect, string(js)), b
	case KindInfo:
		info := genInfo(r)
		b = AppendInfo(nil, &info)
		js, _ := json.Marshal(&info)
		return arg(KindInfo, string(js)), b
	}
	b = append(b, o.Payload...)
	return o, append(b, "\r\n"...)
}

func genConnect(r *rand.Rand) Connect {
	return Connect{
		Echo: r.IntN(2) == 0, Verbose: r.IntN(2) == 0, Pedantic: r.IntN(2) == 0,
		Name: genErrText(r), Lang: "go", Version: genToken(r, 5), Protocol: r.IntN(2),
		User: genOptional(r, genSID), Pass: genOptional(r, genErrText),
		Headers: r.IntN(2) == 0, NoResponders: r.IntN(2) == 0,
	}
}

func genInfo(r *rand.Rand) Info {
	return Info{
		ID: genToken(r, 56), Name: genErrText(r), Version: "2.15.2", Proto: 1, GoVersion: "go1.26.8",
		Host: "127.0.0.1", Port: r.IntN(65536), Headers: r.IntN(2) == 0, MaxPayload: int32(r.IntN(1 << 24)),
		CID: r.Uint64N(1 << 40), ClientIP: genOptional(r, genSID), AuthRequired: r.IntN(2) == 0,
		ClientConnectURLs: []string{genSubject(r)}, JSApiLevel: r.IntN(6), XKey: genOptional(r, genSID),
	}
}

var allKinds = []Kind{KindConnect, KindInfo, KindPub, KindHPub, KindSub, KindUnsub, KindMsg, KindHMsg,
	KindPing, KindPong, KindOK, KindErr}

// TestRoundTrip checks Parse(Append(op)) == op for every kind, one op at a
// time, via testing/quick.
func TestRoundTrip(t *testing.T) {
	checkRoundTrip(t, config{ops: ClientOps | ServerOps}, allKinds, genOp)
}

// checkRoundTrip checks, for each kind, that random ops of it come out of a parser with
// configuration c as gen made them.
func checkRoundTrip(t *testing.T, c config, kinds []Kind, gen func(*rand.Rand, Kind) (rec, []byte)) {
	for _, k := range kinds {
		t.Run(k.String(), func(t *testing.T) {
			prop := func(seed uint64) bool {
				r := rand.New(rand.NewPCG(seed, uint64(k)))
				want, in := gen(r, k)
				got, err := parseWhole(c, in)
				if err != nil || len(got) != 1 || got[0] != want {
					t.Logf("%q: got %v, %v, want %v", in, got, err, want)
					return false
				}
				return true
			}
			if err := quick.Check(prop, &quick.Config{MaxCount: 300}); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// TestRoundTripStream encodes a stream of random ops and parses it whole
// and in random splits.
func TestRoundTripStream(t *testing.T) {
	r := newRand(t)
	all := config{ops: ClientOps | ServerOps}
	for range 20 {
		var want []rec
		var in []byte
		for range 50 {
			o, b := genOp(r, allKinds[r.IntN(len(allKinds))])
			want = append(want, o)
			in = append(in, b...)
		}
		for range 20 {
			got, err := parseChunksClobber(all, cut(in, randomCuts(r, len(in), 1+r.IntN(30))...))
			if err != nil || !sameRecs(got, want) {
				t.Fatalf("stream: %v\n got  %v\n want %v", err, got, want)
			}
		}
	}
}

// TestRoundTripJSON checks the CONNECT and INFO values themselves survive
// Append, Parse and decoding.
func TestRoundTripJSON(t *testing.T) {
	r := newRand(t)
	all := config{ops: ClientOps | ServerOps}
	for range 200 {
		c := genConnect(r)
		got, err := parseWhole(all, AppendConnect(nil, &c))
		if err != nil || len(got) != 1 {
			t.Fatalf("connect: %v %v", got, err)
		}
		var back Connect
		if err := ParseConnect([]byte(got[0].Arg), &back); err != nil || back != c {
			t.Fatalf("connect round trip: %+v, %v, want %+v", back, err, c)
		}
		info := genInfo(r)
		got, err = parseWhole(all, AppendInfo(nil, &info))
		if err != nil || len(got) != 1 {
			t.Fatalf("info: %v %v", got, err)
		}
		var iback Info
		if err := json.Unmarshal([]byte(got[0].Arg), &iback); err != nil || !reflect.DeepEqual(iback, info) {
			t.Fatalf("info round trip: %+v, %v, want %+v", iback, err, info)
		}
	}
}
