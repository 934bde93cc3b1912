package actors

import (
	"bufio"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	natsserver "github.com/nats-io/nats-server/v2/server"
)

// Golden conversations: testdata/conversations/*.txt hold a client's bytes and the exact bytes
// the server answers after its INFO. Each is replayed against Troupe AND against nats-server
// v2.15.2 (embedded from its module), so the files are proven to be nats-server's behaviour, not
// only Troupe's.
//
// File format: lines starting with ">> " are sent (with "\r\n" appended), "<< " are expected
// (with "\r\n" appended), "<<EOF" means the server then closes the connection, "--" waits for
// everything expected so far before sending more. A line starting with "#" is a comment.

type conversation struct {
	name  string
	steps []step
}

type step struct {
	send, expect string
	closes       bool
}

func loadConversations(t *testing.T) []conversation {
	t.Helper()
	files, err := filepath.Glob("testdata/conversations/*.txt")
	if err != nil || len(files) == 0 {
		t.Fatalf("no conversations: %v", err)
	}
	var out []conversation
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		c := conversation{name: strings.TrimSuffix(filepath.Base(f), ".txt")}
		cur := step{}
		for _, line := range strings.Split(string(b), "\n") {
			switch {
			case strings.HasPrefix(line, ">> "):
				if cur.expect != "" || cur.closes {
					c.steps = append(c.steps, cur)
					cur = step{}
				}
				cur.send += unescape(line[3:]) + "\r\n"
			case strings.HasPrefix(line, ">>| "): // sent without a line end
				cur.send += unescape(line[4:])
			case strings.HasPrefix(line, "<< "):
				cur.expect += unescape(line[3:]) + "\r\n"
			case line == "<<EOF":
				cur.closes = true
			case line == "--":
				c.steps = append(c.steps, cur)
				cur = step{}
			}
		}
		c.steps = append(c.steps, cur)
		out = append(out, c)
	}
	return out
}

// unescape turns \t, \r, \n and \\ in a conversation line into bytes.
func unescape(s string) string {
	return strings.NewReplacer(`\t`, "\t", `\r`, "\r", `\n`, "\n", `\\`, `\`).Replace(s)
}

// replay runs c against addr and reports the first difference.
func replay(t *testing.T, addr string, c conversation) {
	t.Helper()
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	r := bufio.NewReader(conn)
	_ = conn.SetReadDeadline(time.Now().Add(3 * time.Second))
	info, err := r.ReadString('\n')
	if err != nil || !strings.HasPrefix(info, "INFO {") || !strings.HasSuffix(info, "} \r\n") {
		t.Fatalf("first line %q (%v)", info, err)
	}
	for i, st := range c.steps {
		if st.send != "" {
			if _, err := conn.Write([]byte(st.send)); err != nil {
				t.Fatalf("step %d: send: %v", i, err)
			}
		}
		got := make([]byte, len(st.expect))
		_ = conn.SetReadDeadline(time.Now().Add(3 * time.Second))
		if _, err := io.ReadFull(r, got); err != nil || string(got) != st.expect {
			t.Fatalf("step %d: got %q (%v), want %q", i, got, err, st.expect)
		}
		if st.closes {
			rest, err := io.ReadAll(r)
			if len(rest) > 0 || (err != nil && !isReset(err)) {
				t.Fatalf("step %d: expected close, got %q (%v)", i, rest, err)
			}
		}
	}
	if last := c.steps[len(c.steps)-1]; !last.closes {
		// Nothing unexpected may be pending: a PING must come straight back as PONG.
		conn.Write([]byte("PING\r\n"))
		line, err := r.ReadString('\n')
		if err != nil || line != "PONG\r\n" {
			t.Fatalf("after the conversation: got %q (%v), want PONG", line, err)
		}
	}
}

func isReset(err error) bool { return strings.Contains(err.Error(), "reset by peer") }

func startReference(t testing.TB) string {
	addr, stop := startReferenceServer(t)
	t.Cleanup(stop)
	return addr
}

// startReferenceServer runs nats-server (the module) in this process on a random loopback
// port and returns its address and how to stop it.
func startReferenceServer(t testing.TB) (addr string, stop func()) {
	t.Helper()
	s := runReference(t, &natsserver.Options{Host: "127.0.0.1", Port: -1, NoLog: true, NoSigs: true,
		MaxControlLine: 4096})
	return s.Addr().String(), s.Shutdown
}

// runReference starts nats-server (the module, in this process) with opts and waits until it
// accepts connections.
func runReference(t testing.TB, opts *natsserver.Options) *natsserver.Server {
	t.Helper()
	s, err := natsserver.NewServer(opts)
	if err != nil {
		t.Fatal(err)
	}
	go s.Start()
	if !s.ReadyForConnections(5 * time.Second) {
		t.Fatal("nats-server did not start")
	}
	return s
}

func TestGoldenConversations(t *testing.T) {
	convs := loadConversations(t)
	servers := map[string]string{
		"troupe":      startServer(t, nil).Addr().String(),
		"nats-server": startReference(t),
	}
	for _, c := range convs {
		for name, addr := range servers {
			t.Run(c.name+"/"+name, func(t *testing.T) { replay(t, addr, c) })
		}
	}
}
