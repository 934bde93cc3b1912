package protocol

import (
	"bytes"
	"testing"
)

// pub16 is the hot-path op of the benchmarks and allocation budgets.
const pub16 = "PUB foo 16\r\n0123456789abcdef\r\n"

// pubBuffer returns about size bytes of whole pub16 ops and their count.
func pubBuffer(size int) ([]byte, int) {
	n := size / len(pub16)
	return bytes.Repeat([]byte(pub16), n), n
}

func countOps(n *int) func(*Op) error {
	return func(*Op) error { *n++; return nil }
}

// BenchmarkParsePub16 parses a 64 KiB read full of 16-byte PUBs. b.SetBytes
// is the buffer size, so MB/s is the parse throughput; ops/s is reported
// as a custom metric.
func BenchmarkParsePub16(b *testing.B) {
	buf, per := pubBuffer(64 << 10)
	p := NewParser(ClientOps)
	n := 0
	fn := countOps(&n)
	b.SetBytes(int64(len(buf)))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if err := p.Parse(buf, fn); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	if n != per*b.N {
		b.Fatalf("parsed %d ops, want %d", n, per*b.N)
	}
	b.ReportMetric(float64(n)/b.Elapsed().Seconds(), "ops/s")
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(n), "ns/pub")
}

// BenchmarkParsePub16Split parses the same stream in 4093-byte reads, so
// ops regularly straddle reads and go through the scratch buffers.
func BenchmarkParsePub16Split(b *testing.B) {
	buf, per := pubBuffer(64 << 10)
	p := NewParser(ClientOps)
	n := 0
	fn := countOps(&n)
	b.SetBytes(int64(len(buf)))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		for off := 0; off < len(buf); off += 4093 {
			if err := p.Parse(buf[off:min(off+4093, len(buf))], fn); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.StopTimer()
	if n != per*b.N {
		b.Fatalf("parsed %d ops, want %d", n, per*b.N)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(n), "ns/pub")
}

func BenchmarkAppendMsg(b *testing.B) {
	dst := make([]byte, 0, 256)
	subject, sid, reply := []byte("foo.bar.baz"), []byte("12345"), []byte("_INBOX.abcdefgh")
	b.ReportAllocs()
	for b.Loop() {
		dst = AppendMsg(dst[:0], subject, sid, reply, 1024)
	}
}

func BenchmarkAppendHMsg(b *testing.B) {
	dst := make([]byte, 0, 256)
	subject, sid, reply := []byte("foo.bar.baz"), []byte("12345"), []byte("_INBOX.abcdefgh")
	b.ReportAllocs()
	for b.Loop() {
		dst = AppendHMsg(dst[:0], subject, sid, reply, 64, 1024)
	}
}
