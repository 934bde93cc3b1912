package actors

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	natsserver "github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
)

// A request that crosses a service import, on Troupe and on nats-server with the same
// configuration: the exporter sees an opaque reply subject and a Nats-Request-Info header
// naming the requesting account (with share, the requesting client), and the response comes
// back.
func TestServiceImportRequestMatchesNatsServer(t *testing.T) {
	const conf = `
accounts {
  A { users: [ {user: a, password: p} ], exports: [ {service: svc.echo} ] }
  B { users: [ {user: b, password: p} ], imports: [ {service: {account: A, subject: svc.echo}, to: echo} ] }
  C { users: [ {user: c, password: p} ], imports: [ {service: {account: A, subject: svc.echo}, to: echo, share: true} ] }
}
`
	file := filepath.Join(t.TempDir(), "svc.conf")
	if err := os.WriteFile(file, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	o := testOptions()
	o.ServerName = "troupe-1"
	if _, err := o.LoadFile(file); err != nil {
		t.Fatal(err)
	}
	troupe := startServer(t, o)
	ref := startConfiguredReference(t, conf, "nats-1")

	type seen struct {
		reply string
		info  map[string]any
	}
	request := func(url, user string) seen {
		svc, err := nats.Connect(url, nats.UserInfo("a", "p"), nats.NoReconnect())
		if err != nil {
			t.Fatal(err)
		}
		defer svc.Close()
		got := make(chan seen, 1)
		if _, err := svc.Subscribe("svc.echo", func(m *nats.Msg) {
			var info map[string]any
			if err := json.Unmarshal([]byte(m.Header.Get("Nats-Request-Info")), &info); err != nil {
				t.Errorf("%s: Nats-Request-Info %q: %v", url, m.Header.Get("Nats-Request-Info"), err)
			}
			got <- seen{m.Reply, info}
			_ = m.Respond(append([]byte("re:"), m.Data...))
		}); err != nil {
			t.Fatal(err)
		}
		if err := svc.Flush(); err != nil {
			t.Fatal(err)
		}
		nc, err := nats.Connect(url, nats.UserInfo(user, "p"), nats.Name("req-"+user), nats.NoReconnect())
		if err != nil {
			t.Fatal(err)
		}
		defer nc.Close()
		// A header the requestor sets itself does not survive: the server's replaces it.
		req := nats.NewMsg("echo")
		req.Data = []byte("hi")
		req.Header.Set("Nats-Request-Info", `{"acc":"forged"}`)
		resp, err := nc.RequestMsg(req, 2*time.Second)
		if err != nil || string(resp.Data) != "re:hi" {
			t.Fatalf("%s as %s: response %v %v", url, user, resp, err)
		}
		return <-got
	}
	opaque := regexp.MustCompile(`^_R_\.[0-9A-Za-z]+\.[0-9A-Za-z]+$`)
	for _, user := range []string{"b", "c"} {
		got, want := request(troupe.url(), user), request(ref, user)
		t.Logf("as %s: Troupe %+v; nats-server %+v", user, got, want)
		for _, v := range []seen{got, want} {
			if !opaque.MatchString(v.reply) {
				t.Errorf("as %s: the exporter saw reply %q", user, v.reply)
			}
		}
		keys := func(m map[string]any) []string {
			var k []string
			for key := range m {
				if key != "rtt" { // present once measured: timing, not configuration
					k = append(k, key)
				}
			}
			slices.Sort(k)
			return k
		}
		if g, w := keys(got.info), keys(want.info); !slices.Equal(g, w) {
			t.Errorf("as %s: Nats-Request-Info fields: Troupe %v, nats-server %v", user, g, w)
		}
		for _, k := range []string{"acc", "user", "name", "lang", "host", "kind", "client_type"} {
			if got.info[k] != want.info[k] {
				t.Errorf("as %s: Nats-Request-Info %s: Troupe %v, nats-server %v", user, k, got.info[k], want.info[k])
			}
		}
		if got.info["acc"] != strings.ToUpper(user) {
			t.Errorf("as %s: acc %v", user, got.info["acc"])
		}
		if user == "c" && (got.info["server"] != "troupe-1" || want.info["server"] != "nats-1") {
			t.Errorf("shared request info names server %v (Troupe), %v (nats-server)", got.info["server"], want.info["server"])
		}
	}
}

// startConfiguredReference runs nats-server (the module, in this process) with a configuration
// text, on loopback, and returns its client URL.
func startConfiguredReference(t *testing.T, conf, name string) string {
	t.Helper()
	opts := &natsserver.Options{}
	if err := opts.ProcessConfigString(conf); err != nil {
		t.Fatal(err)
	}
	opts.ServerName, opts.Host, opts.Port, opts.NoLog, opts.NoSigs = name, "127.0.0.1", -1, true, true
	s := runReference(t, opts)
	t.Cleanup(s.Shutdown)
	return s.ClientURL()
}
