package actors

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"reflect"
	"sync/atomic"
	"testing"
	"unsafe"

	"github.com/nats-io/nats-server/v2/server"
)

// BenchmarkConcurrentSubscribe: many connections subscribing at once, each one SUB at a time
// and waiting for it to take effect (as a reader does before its next op), into an index that
// already holds 100k subscriptions. troupe sends each SUB to the account actor, which publishes
// one snapshot per burst; sublist is nats-server's index, each SUB a locked Insert. Run with
// -cpu to vary GOMAXPROCS; the number of subscribers is fixed by SetParallelism.
func BenchmarkConcurrentSubscribe(b *testing.B) {
	const preload = 100_000
	subject := func(prefix string, i int64) []byte { return fmt.Appendf(nil, "%s.%d.x.%d", prefix, i%1000, i) }
	b.Run("troupe", func(b *testing.B) {
		s := startServer(b, nil)
		acc := s.srv.global
		pid := acc.pid.Load()
		pre := &interest{done: make(chan error, 1)}
		for i := range int64(preload) {
			pre.ops = append(pre.ops, interestOp{sub: newSubscription(nil, acc, subject("pre", i), nil, []byte("1")), add: true})
		}
		s.system.Root.Send(pid, pre)
		if err := <-pre.done; err != nil {
			b.Fatal(err)
		}
		var n atomic.Int64
		b.SetParallelism(32)
		b.ReportAllocs()
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			done := make(chan error, 1)
			for pb.Next() {
				sub := newSubscription(nil, acc, subject("new", n.Add(1)), nil, []byte("1"))
				s.system.Root.Send(pid, &interest{ops: []interestOp{{sub: sub, add: true}}, done: done})
				if err := <-done; err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
	b.Run("sublist", func(b *testing.B) {
		sl := server.NewSublistWithCache()
		insert := sublistInsert((*server.Sublist).Insert)
		for i := range int64(preload) {
			if err := insert(sl, subject("pre", i)); err != nil {
				b.Fatal(err)
			}
		}
		var n atomic.Int64
		b.SetParallelism(32)
		b.ReportAllocs()
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if err := insert(sl, subject("new", n.Add(1))); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
}

// sublistInsert inserts a plain subscription to subject into a nats-server Sublist, whose
// subscription type is unexported (T is inferred from the method expression).
func sublistInsert[T any](insert func(*server.Sublist, T) error) func(*server.Sublist, []byte) error {
	typ := reflect.TypeFor[T]().Elem()
	return func(sl *server.Sublist, subject []byte) error {
		v := reflect.New(typ)
		f := v.Elem().FieldByName("subject")
		reflect.NewAt(f.Type(), unsafe.Pointer(f.UnsafeAddr())).Elem().SetBytes(subject)
		return insert(sl, v.Interface().(T))
	}
}

// BenchmarkSubscribeFlood: one connection sends 100k SUBs and a PING in one go, as a client
// restoring its interest after a reconnect does; the time is until the PONG, when all are in
// effect. Each iteration gets a fresh server. nats-server is the module, in this process.
func BenchmarkSubscribeFlood(b *testing.B) {
	var buf bytes.Buffer
	buf.WriteString("CONNECT {\"verbose\":false}\r\n")
	for i := range 100_000 {
		fmt.Fprintf(&buf, "SUB m.%d %d\r\n", i, i)
	}
	buf.WriteString("PING\r\n")
	flood := buf.Bytes()
	for _, impl := range []string{"troupe", "nats-server"} {
		b.Run(impl, func(b *testing.B) {
			for b.Loop() {
				b.StopTimer()
				var addr string
				var stop func()
				if impl == "troupe" {
					s := startServer(b, nil)
					addr, stop = s.Addr().String(), func() { s.Shutdown(); <-s.Done() }
				} else {
					addr, stop = startReferenceServer(b)
				}
				conn, err := net.Dial("tcp", addr)
				if err != nil {
					b.Fatal(err)
				}
				r := bufio.NewReader(conn)
				if _, err := r.ReadString('\n'); err != nil { // INFO
					b.Fatal(err)
				}
				b.StartTimer()
				if _, err := conn.Write(flood); err != nil {
					b.Fatal(err)
				}
				if line, err := r.ReadString('\n'); err != nil || line != "PONG\r\n" {
					b.Fatalf("got %q (%v), want PONG", line, err)
				}
				b.StopTimer()
				conn.Close()
				stop()
				b.StartTimer()
			}
		})
	}
}

// BenchmarkPingFlood: one connection sends a million PINGs in one go and reads every PONG; the
// time is until the last one. nats-server is the module, in this process.
func BenchmarkPingFlood(b *testing.B) {
	const n = 1_000_000
	flood := append([]byte("CONNECT {\"verbose\":false}\r\n"), bytes.Repeat([]byte("PING\r\n"), n)...)
	for _, impl := range []string{"troupe", "nats-server"} {
		b.Run(impl, func(b *testing.B) {
			var addr string
			if impl == "troupe" {
				addr = startServer(b, nil).Addr().String()
			} else {
				var stop func()
				addr, stop = startReferenceServer(b)
				b.Cleanup(stop)
			}
			b.ReportAllocs()
			for b.Loop() {
				conn, err := net.Dial("tcp", addr)
				if err != nil {
					b.Fatal(err)
				}
				r := bufio.NewReaderSize(conn, 64<<10)
				if _, err := r.ReadString('\n'); err != nil { // INFO
					b.Fatal(err)
				}
				go conn.Write(flood)
				want := int64(n * len("PONG\r\n"))
				if got, err := io.CopyN(io.Discard, r, want); err != nil {
					b.Fatalf("read %d of %d bytes of PONGs: %v", got, want, err)
				}
				conn.Close()
			}
		})
	}
}
