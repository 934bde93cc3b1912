package protocol

import (
	"errors"
	"strings"
	"testing"
)

func pub(subj, reply, payload string) rec {
	return rec{Kind: KindPub, Subject: subj, Reply: reply, Size: len(payload), Payload: payload}
}

func hpub(subj, reply string, hdr int, payload string) rec {
	return rec{Kind: KindHPub, Subject: subj, Reply: reply, HdrLen: hdr, Size: len(payload), Payload: payload}
}

func msg(subj, sid, reply, payload string) rec {
	return rec{Kind: KindMsg, Subject: subj, SID: sid, Reply: reply, Size: len(payload), Payload: payload}
}

func hmsg(subj, sid, reply string, hdr int, payload string) rec {
	return rec{Kind: KindHMsg, Subject: subj, SID: sid, Reply: reply, HdrLen: hdr, Size: len(payload), Payload: payload}
}

func sub(subj, queue, sid string) rec {
	return rec{Kind: KindSub, Subject: subj, Queue: queue, SID: sid}
}

func unsub(sid string, max int) rec { return rec{Kind: KindUnsub, SID: sid, Max: max} }

func arg(k Kind, a string) rec { return rec{Kind: k, Arg: a} }

var (
	ping = rec{Kind: KindPing}
	pong = rec{Kind: KindPong}
	ok   = rec{Kind: KindOK}
)

var server = config{ops: ServerOps}

type parseCase struct {
	name string
	cfg  config
	in   string
	want []rec
	err  error
}

// parseCases is the behaviour table. Where a rule is surprising, the
// comment names the nats-server v2.15.2 function it mirrors.
var parseCases = []parseCase{
	// PUB (parser.go OP_PUB*, client.go processPub).
	{name: "pub", in: "PUB foo 5\r\nhello\r\n", want: []rec{pub("foo", "", "hello")}},
	{name: "pub reply", in: "PUB foo bar 5\r\nhello\r\n", want: []rec{pub("foo", "bar", "hello")}},
	{name: "pub empty payload", in: "PUB foo 0\r\n\r\n", want: []rec{pub("foo", "", "")}},
	{name: "pub lower case", in: "pub foo 2\r\nhi\r\n", want: []rec{pub("foo", "", "hi")}},
	{name: "pub mixed case", in: "pUb foo 2\r\nhi\r\n", want: []rec{pub("foo", "", "hi")}},
	{name: "pub tabs", in: "PUB\tfoo\t\tbar\t2\r\nhi\r\n", want: []rec{pub("foo", "bar", "hi")}},
	{name: "pub extra blanks", in: "PUB  foo   1 \r\nx\r\n", want: []rec{pub("foo", "", "x")}},
	{name: "pub trailing tab", in: "PUB foo 1\t\r\nx\r\n", want: []rec{pub("foo", "", "x")}},
	{name: "pub bare LF", in: "PUB foo 1\nx\r\n", want: []rec{pub("foo", "", "x")}},
	{name: "pub leading zero", in: "PUB foo 007\r\n1234567\r\n", want: []rec{pub("foo", "", "1234567")}},
	{name: "pub payload has CRLF", in: "PUB foo 4\r\n\r\n\r\n\r\n", want: []rec{pub("foo", "", "\r\n\r\n")}},
	{name: "pub at max payload", cfg: config{mp: 3}, in: "PUB foo 3\r\nabc\r\n", want: []rec{pub("foo", "", "abc")}},
	{name: "pub no payload limit", cfg: config{mp: -1}, in: "PUB foo 2000000\r\n"},
	// The first byte after the blanks starts the args even if it is a line
	// end (parser.go OP_PUB_SPC), so a bare LF there is part of the subject.
	{name: "pub LF swallowed after blank", in: "PUB \nfoo 1\r\nx\r\n", want: []rec{pub("\nfoo", "", "x")}},
	// processPub splits on spaces and tabs only, so a CR inside stays.
	{name: "pub CR in subject", in: "PUB f\ro 1\r\nx\r\n", want: []rec{pub("f\ro", "", "x")}},
	{name: "pub two ops", in: "PUB a 1\r\nx\r\nPUB b 2\r\nyz\r\n", want: []rec{pub("a", "", "x"), pub("b", "", "yz")}},
	{name: "pub incomplete", in: "PUB foo 5\r\nhel"},
	{name: "pub missing size", in: "PUB foo\r\n", err: ErrBadArgs},
	{name: "pub too many args", in: "PUB foo bar baz 1\r\nx\r\n", err: ErrBadArgs},
	{name: "pub negative size", in: "PUB foo -1\r\n", err: ErrBadArgs},
	{name: "pub plus size", in: "PUB foo +1\r\n", err: ErrBadArgs},
	{name: "pub hex size", in: "PUB foo 0x1\r\n", err: ErrBadArgs},
	{name: "pub word size", in: "PUB foo abc\r\n", err: ErrBadArgs},
	// util.go parseSize: more than 9 digits is an error, not a big number.
	{name: "pub ten digit size", cfg: config{mp: -1}, in: "PUB foo 0000000001\r\n", err: ErrBadArgs},
	{name: "pub nine digit size", cfg: config{mp: -1}, in: "PUB foo 000000001\r\nx\r\n", want: []rec{pub("foo", "", "x")}},
	{name: "pub only blanks", in: "PUB  \t \r\n", err: ErrBadArgs},
	{name: "pub over max payload", in: "PUB foo 1048577\r\n", err: ErrMaxPayload},
	{name: "pub at default max payload", in: "PUB foo 1048576\r\n"},
	{name: "pub over custom max payload", cfg: config{mp: 2}, in: "PUB foo 3\r\nabc\r\n", err: ErrMaxPayload},
	// Max payload is checked at the control line, before the payload.
	{name: "pub max payload before payload", cfg: config{mp: 2}, in: "PUB foo 3\r\n", err: ErrMaxPayload},
	// OP_PUB requires a space or tab after the name.
	{name: "pub no blank", in: "PUB\r\n", err: ErrUnknownOp},
	{name: "pubx", in: "PUBX foo 1\r\nx\r\n", err: ErrUnknownOp},
	{name: "pub payload too long", in: "PUB foo 1\r\nxy\r\n", err: ErrUnknownOp},
	{name: "pub payload LF only", in: "PUB foo 1\r\nx\n", err: ErrUnknownOp},
	{name: "pub payload CR then junk", in: "PUB foo 1\r\nx\rx", err: ErrUnknownOp},
	{name: "pub ok then error", in: "PUB a 1\r\nx\r\nPUB b\r\n", want: []rec{pub("a", "", "x")}, err: ErrBadArgs},

	// HPUB (processHeaderPub).
	{name: "hpub", in: "HPUB foo 12 14\r\nNATS/1.0\r\n\r\nhi\r\n", want: []rec{hpub("foo", "", 12, "NATS/1.0\r\n\r\nhi")}},
	{name: "hpub reply", in: "hpub foo bar 2 3\r\nabc\r\n", want: []rec{hpub("foo", "bar", 2, "abc")}},
	{name: "hpub hdr equals total", in: "HPUB foo 3 3\r\nabc\r\n", want: []rec{hpub("foo", "", 3, "abc")}},
	{name: "hpub zero", in: "HPUB foo 0 0\r\n\r\n", want: []rec{hpub("foo", "", 0, "")}},
	{name: "hpub hdr over total", in: "HPUB foo 4 3\r\nabc\r\n", err: ErrBadArgs},
	{name: "hpub two args", in: "HPUB foo 3\r\nabc\r\n", err: ErrBadArgs},
	{name: "hpub five args", in: "HPUB foo a b 1 3\r\nabc\r\n", err: ErrBadArgs},
	{name: "hpub bad hdr", in: "HPUB foo x 3\r\nabc\r\n", err: ErrBadArgs},
	{name: "hpub bad total", in: "HPUB foo 1 x\r\nabc\r\n", err: ErrBadArgs},
	{name: "hpub over max payload", in: "HPUB foo 1 1048577\r\n", err: ErrMaxPayload},
	// processHeaderPub checks hdr > total before the max payload.
	{name: "hpub hdr over total beats max", in: "HPUB foo 2000000 1048577\r\n", err: ErrBadArgs},
	{name: "hpub no blank", in: "HPUB\r\n", err: ErrUnknownOp},

	// SUB (parseSub, which uses splitArg: CR and LF separate too).
	{name: "sub", in: "SUB foo 1\r\n", want: []rec{sub("foo", "", "1")}},
	{name: "sub queue", in: "SUB foo bar 1\r\n", want: []rec{sub("foo", "bar", "1")}},
	{name: "sub case and blanks", in: "sUb\t foo\t\tq \t 22 \r\n", want: []rec{sub("foo", "q", "22")}},
	{name: "sub bare LF", in: "SUB foo 1\n", want: []rec{sub("foo", "", "1")}},
	{name: "sub CR separates", in: "SUB foo\r1\r\n", want: []rec{sub("foo", "", "1")}},
	// parser.go SUB_ARG: a '\r' anywhere sets drop, and the byte before the
	// '\n' is cut (trimLineEnd). Checked against a live nats-server.
	{name: "sub CR then bare LF", in: "SUB foo\r1\n", err: ErrBadArgs},
	{name: "sub CR junk bare LF", in: "SUB foo 1\rx\n", want: []rec{sub("foo", "", "1")}},
	{name: "pub CR junk bare LF", in: "PUB foo 1\rx\nx\r\n", err: ErrBadArgs},
	{name: "sub CR first byte", in: "SUB \r\n", err: ErrBadArgs},
	{name: "mcl counts after CR drop", cfg: config{mcl: 8}, in: "SUB foo 12\r4\n", want: []rec{sub("foo", "", "12")}},
	{name: "mcl partial after CR", cfg: config{mcl: 8}, in: "SUB foo 12\r456", err: ErrMaxControlLine},
	{name: "mcl partial after CR at limit", cfg: config{mcl: 8}, in: "SUB foo 12\r45"},
	{name: "sub wildcard", in: "SUB foo.*.> 1\r\n", want: []rec{sub("foo.*.>", "", "1")}},
	// Subject and sid validity is left to the caller (processSub).
	{name: "sub bad subject", in: "SUB foo..bar 1\r\n", want: []rec{sub("foo..bar", "", "1")}},
	{name: "sub one arg", in: "SUB foo\r\n", err: ErrBadArgs},
	{name: "sub four args", in: "SUB a b c d\r\n", err: ErrBadArgs},
	{name: "sub no blank", in: "SUB\r\n", err: ErrUnknownOp},

	// UNSUB (processUnsub).
	{name: "unsub", in: "UNSUB 1\r\n", want: []rec{unsub("1", 0)}},
	{name: "unsub max", in: "unsub 1 5\r\n", want: []rec{unsub("1", 5)}},
	{name: "unsub blanks", in: "UNSUB \t1\t 5 \r\n", want: []rec{unsub("1", 5)}},
	// processUnsub: a max parseSize rejects becomes -1, which is "no max"
	// (removed at once), never an error.
	{name: "unsub bad max", in: "UNSUB 1 abc\r\n", want: []rec{unsub("1", 0)}},
	{name: "unsub negative max", in: "UNSUB 1 -5\r\n", want: []rec{unsub("1", 0)}},
	{name: "unsub zero max", in: "UNSUB 1 0\r\n", want: []rec{unsub("1", 0)}},
	{name: "unsub three args", in: "UNSUB 1 2 3\r\n", err: ErrBadArgs},
	{name: "unsub no args", in: "UNSUB \r\n", err: ErrBadArgs},
	{name: "unsub no blank", in: "UNSUB\r\n", err: ErrUnknownOp},
	{name: "unsbu", in: "UNSBU 1\r\n", err: ErrUnknownOp},

	// PING, PONG, +OK: parser.go OP_PING/OP_PONG/OP_PLUS_OK ignore every
	// byte up to the '\n'.
	{name: "ping", in: "PING\r\n", want: []rec{ping}},
	{name: "ping case", in: "ping\r\nPiNg\r\n", want: []rec{ping, ping}},
	{name: "ping bare LF", in: "PING\n", want: []rec{ping}},
	{name: "ping trailing blanks", in: "PING  \t\r\n", want: []rec{ping}},
	{name: "ping trailing junk", in: "PINGPONG\r\n", want: []rec{ping}},
	{name: "ping incomplete", in: "PING\r"},
	{name: "pong", in: "PONG\r\npong\r\n", want: []rec{pong, pong}},
	{name: "pin", in: "PIN\r\n", err: ErrUnknownOp},
	{name: "pinh", in: "PINH\r\n", err: ErrUnknownOp},
	{name: "pong ping", in: "PONG\r\nPING\r\nPUB a 0\r\n\r\n", want: []rec{pong, ping, pub("a", "", "")}},
	{name: "ok", in: "+OK\r\n+ok\r\n", want: []rec{ok, ok}},
	{name: "ok junk", in: "+OK then more\r\n", want: []rec{ok}},
	{name: "plus o", in: "+O\r\n", err: ErrUnknownOp},

	// -ERR (OP_MINUS_ERR requires a blank; processErr).
	{name: "err", in: "-ERR 'Unknown Protocol Operation'\r\n", want: []rec{arg(KindErr, "Unknown Protocol Operation")}},
	{name: "err case blanks", in: "-err\t 'x y' \r\n", want: []rec{arg(KindErr, "x y")}},
	{name: "err unquoted", in: "-ERR boom\r\n", want: []rec{arg(KindErr, "boom")}},
	{name: "err empty quotes", in: "-ERR ''\r\n", want: []rec{arg(KindErr, "")}},
	{name: "err no blank", in: "-ERR\r\n", err: ErrUnknownOp},
	{name: "err typo", in: "-ERX 'x'\r\n", err: ErrUnknownOp},

	// CONNECT and INFO (OP_CONNECT/OP_INFO: blanks optional).
	{name: "connect", in: "CONNECT {\"verbose\":false}\r\n", want: []rec{arg(KindConnect, `{"verbose":false}`)}},
	{name: "connect case", in: "connect {}\r\n", want: []rec{arg(KindConnect, `{}`)}},
	{name: "connect no blank", in: "CONNECT{}\r\n", want: []rec{arg(KindConnect, `{}`)}},
	{name: "connect spaces", in: "CONNECT \t {\"name\":\"a b\"} \t\r\n", want: []rec{arg(KindConnect, `{"name":"a b"}`)}},
	{name: "connect bare LF", in: "CONNECT {}\n", want: []rec{arg(KindConnect, `{}`)}},
	{name: "connect empty", in: "CONNECT \r\n", want: []rec{arg(KindConnect, ``)}},
	{name: "connectx", in: "CONNECX {}\r\n", err: ErrUnknownOp},
	{name: "info", in: "INFO {\"server_id\":\"x\"} \r\n", want: []rec{arg(KindInfo, `{"server_id":"x"}`)}},
	{name: "info from client", in: "info {}\r\nPING\r\n", want: []rec{arg(KindInfo, `{}`), ping}},

	// Unknown ops (parser.go parseErr). OP_START skips nothing.
	{name: "unknown", in: "FOO bar\r\n", err: ErrUnknownOp},
	{name: "empty line", in: "\r\n", err: ErrUnknownOp},
	{name: "leading blank", in: " PING\r\n", err: ErrUnknownOp},
	{name: "route op", in: "RS+ $G foo\r\n", err: ErrUnknownOp},
	{name: "leaf op", in: "LS+ foo\r\n", err: ErrUnknownOp},
	{name: "account op", in: "A+ foo\r\n", err: ErrUnknownOp},
	{name: "h then junk", in: "HX\r\n", err: ErrUnknownOp},
	{name: "p then junk", in: "PX\r\n", err: ErrUnknownOp},
	// A client may not send MSG (no 'M' in OP_START for clients) nor HMSG.
	{name: "msg from client", in: "MSG foo 1 1\r\nx\r\n", err: ErrUnknownOp},
	{name: "hmsg from client", in: "HMSG foo 1 0 1\r\nx\r\n", err: ErrUnknownOp},
	{name: "ops before unknown", in: "PING\r\nSUB a 1\r\nXYZ\r\n", want: []rec{ping, sub("a", "", "1")}, err: ErrUnknownOp},

	// Control line limit (parser.go overMaxControlLineLimit): on the args
	// (after the op name and its blanks, without the line end).
	{name: "mcl at limit", cfg: config{mcl: 10}, in: "SUB  foo 123456\r\n", want: []rec{sub("foo", "", "123456")}},
	{name: "mcl over", cfg: config{mcl: 10}, in: "SUB  foo 1234567\r\n", err: ErrMaxControlLine},
	{name: "mcl counts trailing blanks", cfg: config{mcl: 10}, in: "SUB foo 123456 \r\n", err: ErrMaxControlLine},
	{name: "mcl bare LF at limit", cfg: config{mcl: 10}, in: "SUB foo 123456\n", want: []rec{sub("foo", "", "123456")}},
	{name: "mcl pub over", cfg: config{mcl: 8}, in: "PUB foo 12345\r\n", err: ErrMaxControlLine},
	{name: "mcl before bad args", cfg: config{mcl: 8}, in: "PUB foo bar baz\r\n", err: ErrMaxControlLine},
	{name: "mcl partial line", cfg: config{mcl: 8}, in: "SUB foo 1234"},
	{name: "mcl partial line over", cfg: config{mcl: 8}, in: "SUB foo 12345", err: ErrMaxControlLine},
	{name: "mcl partial line way over", cfg: config{mcl: 8}, in: "SUB foo 123456789", err: ErrMaxControlLine},
	{name: "mcl partial ending CR", cfg: config{mcl: 8}, in: "SUB foo 1234\r"},
	{name: "mcl connect", cfg: config{mcl: 8}, in: "CONNECT {\"a\":111}\r\n", err: ErrMaxControlLine},
	{name: "mcl err", cfg: config{mcl: 8}, in: "-ERR 'long text'\r\n", err: ErrMaxControlLine},
	{name: "mcl ignores ping junk", cfg: config{mcl: 4}, in: "PING 123456789\r\n", want: []rec{ping}},
	{name: "mcl disabled", cfg: config{mcl: -1}, in: "SUB foo " + strings.Repeat("9", 10000) + "\r\n",
		want: []rec{sub("foo", "", strings.Repeat("9", 10000))}},
	{name: "mcl default", in: "SUB foo " + strings.Repeat("9", 4093) + "\r\n", err: ErrMaxControlLine},
	{name: "mcl default at limit", in: "SUB foo " + strings.Repeat("9", 4092) + "\r\n",
		want: []rec{sub("foo", "", strings.Repeat("9", 4092))}},

	// Headers off (processHeaderPub: ErrMsgHeadersNotSupported, checked
	// once the control line is complete, before its arguments).
	{name: "no headers hpub", cfg: config{noHeaders: true}, in: "PUB a 0\r\n\r\nHPUB foo 0 1\r\n",
		want: []rec{pub("a", "", "")}, err: ErrNoHeaders},
	{name: "no headers bad hpub", cfg: config{noHeaders: true}, in: "HPUB foo\r\n", err: ErrNoHeaders},
	{name: "no headers huge hpub", cfg: config{noHeaders: true}, in: "HPUB foo 0 2000000\r\n", err: ErrNoHeaders},
	{name: "no headers incomplete", cfg: config{noHeaders: true}, in: "HPUB foo 0 1"},
	{name: "no headers mcl first", cfg: config{noHeaders: true, mcl: 4}, in: "HPUB foo 0 1\r\n", err: ErrMaxControlLine},

	// Auth required (parser.go OP_START authSet: first byte not 'C').
	{name: "auth connect first", cfg: config{requireConnect: true}, in: "CONNECT {}\r\nPING\r\n",
		want: []rec{arg(KindConnect, "{}"), ping}},
	{name: "auth lower connect", cfg: config{requireConnect: true}, in: "connect {}\r\nPUB a 0\r\n\r\n",
		want: []rec{arg(KindConnect, "{}"), pub("a", "", "")}},
	{name: "auth ping first", cfg: config{requireConnect: true}, in: "PING\r\n", err: ErrAuthViolation},
	{name: "auth pub first", cfg: config{requireConnect: true}, in: "PUB foo 1\r\nx\r\n", err: ErrAuthViolation},
	{name: "auth garbage first", cfg: config{requireConnect: true}, in: "XYZ\r\n", err: ErrAuthViolation},
	{name: "auth c then garbage", cfg: config{requireConnect: true}, in: "CXYZ\r\n", err: ErrUnknownOp},

	// Server ops: MSG and HMSG (nats.go processMsgArgs/processHeaderMsgArgs).
	{name: "msg", cfg: server, in: "MSG foo 1 5\r\nhello\r\n", want: []rec{msg("foo", "1", "", "hello")}},
	{name: "msg reply", cfg: server, in: "msg foo 1 bar 5\r\nhello\r\n", want: []rec{msg("foo", "1", "bar", "hello")}},
	{name: "msg blanks", cfg: server, in: "MSG\t foo  1\t5 \r\nhello\r\n", want: []rec{msg("foo", "1", "", "hello")}},
	{name: "msg big no limit", cfg: config{ops: ServerOps, mp: 1}, in: "MSG foo 1 5\r\nhello\r\n", want: []rec{msg("foo", "1", "", "hello")}},
	{name: "msg two args", cfg: server, in: "MSG foo 5\r\nhello\r\n", err: ErrBadArgs},
	{name: "msg five args", cfg: server, in: "MSG foo 1 a b 5\r\nhello\r\n", err: ErrBadArgs},
	{name: "msg bad size", cfg: server, in: "MSG foo 1 -5\r\n", err: ErrBadArgs},
	{name: "msg bad end", cfg: server, in: "MSG foo 1 1\r\nxx", err: ErrUnknownOp},
	{name: "hmsg", cfg: server, in: "HMSG foo 1 12 14\r\nNATS/1.0\r\n\r\nhi\r\n", want: []rec{hmsg("foo", "1", "", 12, "NATS/1.0\r\n\r\nhi")}},
	{name: "hmsg reply", cfg: server, in: "HMSG foo 1 bar 1 2\r\nab\r\n", want: []rec{hmsg("foo", "1", "bar", 1, "ab")}},
	{name: "hmsg three args", cfg: server, in: "HMSG foo 1 2\r\nab\r\n", err: ErrBadArgs},
	{name: "hmsg six args", cfg: server, in: "HMSG foo 1 a b 1 2\r\nab\r\n", err: ErrBadArgs},
	{name: "hmsg hdr over total", cfg: server, in: "HMSG foo 1 3 2\r\nab\r\n", err: ErrBadArgs},
	{name: "server info", cfg: server, in: "INFO {\"proto\":1} \r\nPING\r\n+OK\r\n-ERR 'x'\r\n",
		want: []rec{arg(KindInfo, `{"proto":1}`), ping, ok, arg(KindErr, "x")}},
	{name: "pub from server", cfg: server, in: "PUB foo 1\r\nx\r\n", err: ErrUnknownOp},
	{name: "sub from server", cfg: server, in: "SUB foo 1\r\n", err: ErrUnknownOp},
	{name: "connect from server", cfg: server, in: "CONNECT {}\r\n", err: ErrUnknownOp},
	{name: "hpub from server", cfg: server, in: "HPUB foo 0 1\r\nx\r\n", err: ErrUnknownOp},
}

func TestParse(t *testing.T) {
	for _, tc := range parseCases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := parseWhole(tc.cfg, []byte(tc.in))
			if err != tc.err {
				t.Fatalf("error = %v, want %v", err, tc.err)
			}
			if !sameRecs(got, tc.want) {
				t.Fatalf("ops:\n got  %v\n want %v", got, tc.want)
			}
		})
	}
}

// TestParseCasesSplit checks every table input in every 2-way split, byte
// by byte, and in random k-way splits.
func TestParseCasesSplit(t *testing.T) {
	rnd := newRand(t)
	for _, tc := range parseCases {
		if len(tc.in) > 200 {
			// Long inputs: every 2-way split is quadratic; random only.
			want, wantErr := parseWhole(tc.cfg, []byte(tc.in))
			for range 50 {
				at := randomCuts(rnd, len(tc.in), 1+rnd.IntN(6))
				got, err := parseChunksClobber(tc.cfg, cut([]byte(tc.in), at...))
				if err != wantErr || !sameRecs(got, want) {
					t.Fatalf("%s split at %v: got %v, %v", tc.name, at, got, err)
				}
			}
			continue
		}
		t.Run(tc.name, func(t *testing.T) {
			checkSplits(t, tc.cfg, []byte(tc.in), rnd)
		})
	}
}

func TestParseStreamSplit(t *testing.T) {
	var in []byte
	for _, tc := range parseCases {
		if tc.err == nil && tc.cfg == (config{}) && !strings.HasSuffix(tc.name, "incomplete") &&
			!strings.HasPrefix(tc.name, "mcl") && !strings.Contains(tc.name, "max payload") {
			in = append(in, tc.in...)
		}
	}
	rnd := newRand(t)
	want, err := checkSplits(t, config{}, in, rnd)
	if err != nil || len(want) < 50 {
		t.Fatalf("stream: %d ops, %v", len(want), err)
	}
}

func TestParseCallbackError(t *testing.T) {
	stop := errors.New("stop")
	p := NewParser(ClientOps)
	var n int
	err := p.Parse([]byte("PING\r\nPING\r\nPING\r\n"), func(op *Op) error {
		n++
		if n == 2 {
			return stop
		}
		return nil
	})
	if err != stop || n != 2 {
		t.Fatalf("err = %v after %d ops, want stop after 2", err, n)
	}
}

func TestParseReset(t *testing.T) {
	p := NewParser(ClientOps)
	var got []rec
	fn := func(op *Op) error { got = append(got, recOf(op)); return nil }
	if err := p.Parse([]byte("PUB foo 10\r\nabc"), fn); err != nil {
		t.Fatal(err)
	}
	p.Reset()
	if err := p.Parse([]byte("SUB a 1\r\n"), fn); err != nil {
		t.Fatal(err)
	}
	if want := []rec{sub("a", "", "1")}; !sameRecs(got, want) {
		t.Fatalf("after Reset: %v, want %v", got, want)
	}
}

// TestParsePayloadClipped checks that a callback appending to Payload
// cannot overwrite the bytes that follow it in the read buffer.
func TestParsePayloadClipped(t *testing.T) {
	for _, in := range [][][]byte{
		{[]byte("PUB a 2\r\nhi\r\nPING\r\n")},
		{[]byte("PUB a 2\r\nh"), []byte("i\r\nPING\r\n")},
	} {
		p := NewParser(ClientOps)
		var kinds []Kind
		for _, b := range in {
			err := p.Parse(b, func(op *Op) error {
				kinds = append(kinds, op.Kind)
				if op.Kind == KindPub && cap(op.Payload) != len(op.Payload) {
					t.Fatalf("cap(Payload) = %d, len %d", cap(op.Payload), len(op.Payload))
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		if len(kinds) != 2 || kinds[1] != KindPing {
			t.Fatalf("kinds = %v", kinds)
		}
	}
}

// TestParseLargeSplitPayload checks that a large split payload arrives
// intact and that its scratch buffer is not retained.
func TestParseLargeSplitPayload(t *testing.T) {
	payload := strings.Repeat("0123456789", 20000)
	in := []byte("PUB big 200000\r\n" + payload + "\r\nPUB small 1\r\nx\r\n")
	p := NewParser(ClientOps)
	var got []rec
	fn := func(op *Op) error { got = append(got, recOf(op)); return nil }
	for off := 0; off < len(in); off += 4096 {
		if err := p.Parse(in[off:min(off+4096, len(in))], fn); err != nil {
			t.Fatal(err)
		}
	}
	if want := []rec{pub("big", "", payload), pub("small", "", "x")}; !sameRecs(got, want) {
		t.Fatalf("got %d ops", len(got))
	}
	if cap(p.msgBuf) > maxRetainedScratch {
		t.Fatalf("retained %d bytes of payload scratch", cap(p.msgBuf))
	}
}

// TestParseBogusSizeNoHugeAlloc checks that a split MSG announcing a huge
// size (MSG has no payload limit) does not make the parser allocate it up
// front: the scratch grows as bytes arrive.
func TestParseBogusSizeNoHugeAlloc(t *testing.T) {
	p := NewParser(ServerOps)
	if err := p.Parse([]byte("MSG foo 1 999999999\r\nabc"), func(*Op) error { return nil }); err != nil {
		t.Fatal(err)
	}
	if cap(p.msgBuf) > DefaultMaxPayload {
		t.Fatalf("payload scratch of %d bytes for 3 bytes received", cap(p.msgBuf))
	}
}
