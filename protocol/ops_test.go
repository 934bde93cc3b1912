package protocol

import "testing"

func TestKindString(t *testing.T) {
	want := map[Kind]string{
		KindConnect: "CONNECT", KindInfo: "INFO", KindPub: "PUB", KindHPub: "HPUB", KindSub: "SUB",
		KindUnsub: "UNSUB", KindMsg: "MSG", KindHMsg: "HMSG", KindPing: "PING", KindPong: "PONG",
		KindOK: "+OK", KindErr: "-ERR", 0: "Kind(0)", 200: "Kind(200)",
	}
	for k, s := range want {
		if k.String() != s {
			t.Errorf("Kind(%d).String() = %q, want %q", k, k.String(), s)
		}
	}
}

func TestOpSets(t *testing.T) {
	client := map[Kind]bool{KindConnect: true, KindInfo: true, KindPub: true, KindHPub: true, KindSub: true,
		KindUnsub: true, KindPing: true, KindPong: true, KindOK: true, KindErr: true}
	srv := map[Kind]bool{KindInfo: true, KindMsg: true, KindHMsg: true, KindPing: true, KindPong: true,
		KindOK: true, KindErr: true}
	for k := Kind(0); k <= kindEnd; k++ {
		if ClientOps.Has(k) != client[k] {
			t.Errorf("ClientOps.Has(%v) = %v", k, ClientOps.Has(k))
		}
		if ServerOps.Has(k) != srv[k] {
			t.Errorf("ServerOps.Has(%v) = %v", k, ServerOps.Has(k))
		}
	}
}

func TestErrors(t *testing.T) {
	for _, tc := range []struct {
		err  *Error
		text string
	}{
		{ErrUnknownOp, "Unknown Protocol Operation"},
		{ErrMaxControlLine, "maximum control line exceeded"},
		{ErrMaxPayload, "Maximum Payload Violation"},
		{ErrBadArgs, ""},
		{ErrNoHeaders, ""},
		{ErrAuthViolation, "Authorization Violation"},
	} {
		if tc.err.Text != tc.text || !tc.err.Close || tc.err.Error() == "" {
			t.Errorf("%#v: want Text %q, Close, and a non-empty Error()", tc.err, tc.text)
		}
	}
}

func TestParseSize(t *testing.T) {
	for in, want := range map[string]int{
		"0": 0, "7": 7, "16": 16, "007": 7, "999999999": 999999999, "1048576": 1048576,
		"": -1, "-1": -1, "+1": -1, "1a": -1, " 1": -1, "1000000000": -1, "0000000000": -1,
	} {
		if got := ParseSize([]byte(in)); got != want {
			t.Errorf("ParseSize(%q) = %d, want %d", in, got, want)
		}
	}
}
