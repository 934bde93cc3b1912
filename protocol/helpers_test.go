package protocol

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// rec is a deep copy of an Op, comparable with ==.
type rec struct {
	Kind    Kind
	Subject string
	Reply   string
	Queue   string
	SID     string
	Max     int
	HdrLen  int
	Size    int
	Payload string
	Arg     string
	Account string
	Origin  string
	Weight  int
	Queues  string
}

func recOf(op *Op) rec {
	return rec{
		Kind: op.Kind, Subject: string(op.Subject), Reply: string(op.Reply), Queue: string(op.Queue),
		SID: string(op.SID), Max: op.Max, HdrLen: op.HdrLen, Size: op.Size,
		Payload: string(op.Payload), Arg: string(op.Arg),
		Account: string(op.Account), Origin: string(op.Origin), Weight: op.Weight, Queues: string(op.Queues),
	}
}

func (r rec) String() string {
	return fmt.Sprintf("{%v acc=%q origin=%q subj=%q reply=%q queue=%q w=%d queues=%q sid=%q max=%d hdr=%d size=%d payload=%q arg=%q}",
		r.Kind, r.Account, r.Origin, r.Subject, r.Reply, r.Queue, r.Weight, r.Queues, r.SID, r.Max, r.HdrLen, r.Size, r.Payload, r.Arg)
}

// config builds a parser; the zero value is a client-side parser with
// default limits.
// With requireConnect, the callback clears RequireConnect on CONNECT, as a
// session does once authentication succeeds.
type config struct {
	ops            OpSet
	mcl            int
	mp             int
	noHeaders      bool
	requireConnect bool
}

func (c config) parser() *Parser {
	p := NewParser(c.ops)
	if c.ops == 0 {
		p.Ops = ClientOps
	}
	p.MaxControlLine, p.MaxPayload = c.mcl, c.mp
	p.NoHeaders, p.RequireConnect = c.noHeaders, c.requireConnect
	return p
}

// parseChunks feeds chunks to a fresh parser in order and returns the ops
// (deep-copied) and the first error.
func parseChunks(c config, chunks [][]byte) ([]rec, error) {
	return parseChunksWith(c, chunks, false)
}

// parseWhole parses in as one buffer.
func parseWhole(c config, in []byte) ([]rec, error) {
	return parseChunks(c, [][]byte{in})
}

// cut splits in at the given increasing offsets. Every chunk is copied
// into its own array, and the previous chunk is overwritten after use
// by parseChunksClobber, so aliasing of old reads is caught.
func cut(in []byte, at ...int) [][]byte {
	var out [][]byte
	prev := 0
	for _, a := range at {
		out = append(out, append([]byte(nil), in[prev:a]...))
		prev = a
	}
	return append(out, append([]byte(nil), in[prev:]...))
}

// parseChunksClobber is parseChunks, but each chunk is scribbled over
// once Parse returns, as a reader reusing its buffer would.
func parseChunksClobber(c config, chunks [][]byte) ([]rec, error) {
	return parseChunksWith(c, chunks, true)
}

func parseChunksWith(c config, chunks [][]byte, clobber bool) ([]rec, error) {
	p := c.parser()
	var out []rec
	fn := func(op *Op) error {
		out = append(out, recOf(op))
		if op.Kind == KindConnect {
			p.RequireConnect = false
		}
		return nil
	}
	for _, ch := range chunks {
		err := p.Parse(ch, fn)
		if clobber {
			for i := range ch {
				ch[i] = '#'
			}
		}
		if err != nil {
			return out, err
		}
	}
	return out, nil
}

func sameRecs(a, b []rec) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// checkSplits parses in whole, then in every 2-way split, then byte by
// byte, then in random k-way splits, and fails unless every run yields the
// same ops and the same error. It returns the whole-buffer result.
func checkSplits(t *testing.T, c config, in []byte, rnd *rand.Rand) ([]rec, error) {
	t.Helper()
	want, wantErr := parseWhole(c, in)
	check := func(how string, chunks [][]byte) {
		t.Helper()
		got, err := parseChunksClobber(c, chunks)
		if err != wantErr || !sameRecs(got, want) {
			t.Fatalf("%s of %q:\n got  %v, %v\n want %v, %v", how, in, got, err, want, wantErr)
		}
	}
	for k := 0; k <= len(in); k++ {
		check(fmt.Sprintf("split at %d", k), cut(in, k))
	}
	ones := make([]int, 0, len(in))
	for k := 1; k < len(in); k++ {
		ones = append(ones, k)
	}
	check("byte by byte", cut(in, ones...))
	for range 20 {
		at := randomCuts(rnd, len(in), 1+rnd.IntN(8))
		check(fmt.Sprintf("split at %v", at), cut(in, at...))
	}
	return want, wantErr
}

// randomCuts returns k sorted offsets in [0, n] (duplicates allowed, which
// makes empty chunks).
func randomCuts(rnd *rand.Rand, n, k int) []int {
	at := make([]int, k)
	for i := range at {
		at[i] = rnd.IntN(n + 1)
	}
	for i := 1; i < len(at); i++ {
		for j := i; j > 0 && at[j] < at[j-1]; j-- {
			at[j], at[j-1] = at[j-1], at[j]
		}
	}
	return at
}

func newRand(t testing.TB) *rand.Rand {
	return rand.New(rand.NewPCG(uint64(len(t.Name())), 0x7e57))
}
