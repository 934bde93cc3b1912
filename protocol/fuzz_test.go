package protocol

import (
	"testing"
)

// fuzzConfig derives the parser configuration from the fuzz mode byte, so
// the fuzzer explores both op sets and tiny limits.
func fuzzConfig(mode byte) config {
	c := config{ops: ClientOps}
	if mode&1 != 0 {
		c.ops = ServerOps
	}
	if mode&2 != 0 {
		c.mcl = 16
	}
	if mode&4 != 0 {
		c.mp = 8
	}
	if mode&8 != 0 {
		c.ops = ClientOps | ServerOps
	}
	c.noHeaders = mode&16 != 0
	c.requireConnect = mode&32 != 0
	if mode&64 != 0 {
		c.ops = RouteOps
	}
	return c
}

// fuzzChunks splits in into chunks whose lengths come from cuts, cycled;
// a 0 makes an empty chunk.
func fuzzChunks(in, cuts []byte) [][]byte {
	sum := 0
	for _, c := range cuts {
		sum += int(c)
	}
	if sum == 0 {
		return [][]byte{append([]byte(nil), in...)}
	}
	var out [][]byte
	for off, k := 0, 0; off < len(in); k++ {
		n := min(int(cuts[k%len(cuts)]), len(in)-off)
		out = append(out, append([]byte(nil), in[off:off+n]...))
		off += n
	}
	return out
}

// FuzzParseSplit feeds the input whole, in slices whose lengths are derived
// from the fuzz input, and byte by byte, and requires identical ops and an
// identical error every time. It also checks invariants of every op.
func FuzzParseSplit(f *testing.F) {
	for _, tc := range parseCases {
		if len(tc.in) < 512 {
			f.Add([]byte(tc.in), []byte{3, 1, 0, 7}, byte(0))
		}
	}
	seeds := []string{
		pub16 + pub16 + pub16,
		"PUB foo bar 5\r\nhello\r\nHPUB foo 12 14\r\nNATS/1.0\r\n\r\nhi\r\nSUB foo q 1\r\nUNSUB 1 10\r\n",
		"CONNECT {\"verbose\":false,\"pedantic\":true,\"tls_required\":false}\r\nPING\r\n",
		"INFO {\"server_id\":\"x\"} \r\nMSG foo 1 5\r\nhello\r\nHMSG $foo foo 10 8\r\nXXXhello\r\n+OK\r\n-ERR 'x'\r\n",
		"PUB foo 33333\r\n",
		"HPUB foo INBOX.22 0 5\r\nHELLO\r",
		"PUB \nfoo 1\r\nx\r\n",
		"SUB foo\r1\r\nPUB f\ro 1\r\nx\r\n",
		"CONNECT\r\n",
		"CONNECT\n{}\r\n",
		"-ERR \r\n",
		"PUB foo 1\r\nx\r\rPING\r\n",
		"SUB foo 1234567890123456789\r\n",
		"RS+ $G foo\r\nRS+ $G bar q1 2\r\nRS- $G foo\r\nRMSG $G bar | q1 q2 2\r\nhi\r\nRMSG $G qq + rep grp 2\r\nhi\r\n",
		"HMSG $G foo reply.x 12 14\r\nNATS/1.0\r\n\r\nhi\r\nLS+ c1 $G foo q 3\r\nLS- $G foo\r\nLMSG c1 $G foo 0 2\r\nhi\r\nA+ $G\r\n",
	}
	for i, s := range seeds {
		for mode := range byte(128) {
			f.Add([]byte(s), []byte{byte(i + 1), 2, 0, 5, 11}, mode)
		}
	}
	f.Fuzz(func(t *testing.T, in, cuts []byte, mode byte) {
		c := fuzzConfig(mode)
		want, wantErr := parseWhole(c, in)
		if wantErr != nil {
			if _, isProto := wantErr.(*Error); !isProto {
				t.Fatalf("non-protocol error %T %v", wantErr, wantErr)
			}
		}
		for i, r := range want {
			checkRec(t, c, r)
			if c.noHeaders && r.Kind == KindHPub {
				t.Fatalf("HPUB with NoHeaders: %v", r)
			}
			if c.requireConnect && i == 0 && r.Kind != KindConnect {
				t.Fatalf("first op %v with RequireConnect", r)
			}
		}
		got, err := parseChunksClobber(c, fuzzChunks(in, cuts))
		if err != wantErr || !sameRecs(got, want) {
			t.Fatalf("split %v of %q:\n got  %v, %v\n want %v, %v", cuts, in, got, err, want, wantErr)
		}
		ones := make([]int, 0, len(in))
		for k := 1; k < len(in); k++ {
			ones = append(ones, k)
		}
		got, err = parseChunksClobber(c, cut(in, ones...))
		if err != wantErr || !sameRecs(got, want) {
			t.Fatalf("byte by byte of %q:\n got  %v, %v\n want %v, %v", in, got, err, want, wantErr)
		}
	})
}

// checkRec checks the invariants of a parsed op.
func checkRec(t *testing.T, c config, r rec) {
	t.Helper()
	if !c.ops.Has(r.Kind) {
		t.Fatalf("op %v not in the op set", r)
	}
	switch r.Kind {
	case KindPub, KindHPub, KindMsg, KindHMsg, KindRMsg, KindRHMsg, KindLMsg:
		if len(r.Payload) != r.Size || r.HdrLen < 0 || r.HdrLen > r.Size || r.Subject == "" {
			t.Fatalf("bad payload op %v", r)
		}
		if (r.Kind == KindPub || r.Kind == KindHPub) && c.mp > 0 && r.Size > c.mp {
			t.Fatalf("op over max payload %v", r)
		}
	case KindSub, KindUnsub:
		if r.SID == "" {
			t.Fatalf("no sid %v", r)
		}
	case KindRSub, KindRUnsub, KindLSub, KindLUnsub:
		if r.Account == "" || r.Subject == "" || (r.Queue != "" && r.Kind == KindRSub && r.Weight < 1) {
			t.Fatalf("bad interest op %v", r)
		}
	}
	if r.Max < 0 {
		t.Fatalf("negative max %v", r)
	}
}
