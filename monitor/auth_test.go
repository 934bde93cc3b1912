package monitor

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nkeys"
	"github.com/troupe/troupe/config"
)

// With authentication, /varz says it is required and /connz?auth=1 names each connection's
// user and account. Checked against nats-server itself: the same configuration, the same
// logins, the same fields.
func TestConnzAuthMatchesNatsServer(t *testing.T) {
	t.Parallel()
	kp, err := nkeys.CreateUser()
	if err != nil {
		t.Fatal(err)
	}
	pub, _ := kp.PublicKey()
	seed, _ := kp.Seed()
	conf := fmt.Sprintf(`
authorization { timeout: 3 }
accounts {
  A { users: [ {user: alice, password: pa} ] }
  B { users: [ {nkey: %q} ] }
}
`, pub)
	file := filepath.Join(t.TempDir(), "auth.conf")
	if err := os.WriteFile(file, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	troupe := startServer(t, func(o *config.Options) {
		if _, err := o.LoadFile(file); err != nil {
			t.Fatal(err)
		}
	})
	natsURL, monURL := startNatsServer(t, conf)

	logins := map[string]nats.Option{
		"alice": nats.UserInfo("alice", "pa"),
		"nkey":  nats.Nkey(pub, func(nonce []byte) ([]byte, error) { kp, _ := nkeys.FromSeed(seed); return kp.Sign(nonce) }),
	}
	type view struct{ User, Account, NameTag string }
	read := func(url, mon string) (varz map[string]any, conns map[string]view) {
		for name, login := range logins {
			nc, err := nats.Connect(url, login, nats.Name(name), nats.NoReconnect(), nats.Timeout(ioTimeout))
			if err != nil {
				t.Fatalf("%s: connect %s: %v", url, name, err)
			}
			t.Cleanup(nc.Close)
			flush(t, nc)
		}
		conns = map[string]view{}
		var c Connz
		fetch(t, mon+"/connz?auth=1", &c)
		for _, ci := range c.Conns {
			conns[ci.Name] = view{ci.AuthorizedUser, ci.Account, ci.NameTag}
		}
		fetch(t, mon+"/varz", &varz)
		return varz, conns
	}
	gotVarz, got := read(troupe.natsURL(), troupe.mon)
	wantVarz, want := read(natsURL, monURL)
	for name := range logins {
		if got[name] != want[name] {
			t.Errorf("/connz?auth=1, %s: Troupe %+v, nats-server %+v", name, got[name], want[name])
		}
	}
	if got["alice"].User != "alice" || got["alice"].Account != "A" {
		t.Errorf("alice shows as %+v, want user alice in account A", got["alice"])
	}
	for _, f := range []string{"auth_required", "auth_timeout"} {
		if gotVarz[f] != wantVarz[f] {
			t.Errorf("/varz %s: Troupe %v, nats-server %v", f, gotVarz[f], wantVarz[f])
		}
	}
	for _, base := range []string{troupe.mon, monURL} {
		var c Connz
		fetch(t, base+"/connz?user=alice", &c)
		if len(c.Conns) != 1 || c.Conns[0].Name != "alice" {
			t.Errorf("%s/connz?user=alice: %d connections, want alice's", base, len(c.Conns))
		}
	}
	if gotVarz["auth_required"] != true {
		t.Errorf("/varz auth_required = %v with users configured", gotVarz["auth_required"])
	}
}

// startNatsServer runs nats-server (the Go module) in this process with conf plus a client
// and a monitoring port on loopback, and returns their URLs.
func startNatsServer(t *testing.T, conf string) (natsURL, monURL string) {
	t.Helper()
	opts := &server.Options{}
	if err := opts.ProcessConfigString(conf); err != nil {
		t.Fatal(err)
	}
	opts.Host, opts.Port, opts.HTTPHost, opts.HTTPPort = "127.0.0.1", -1, "127.0.0.1", -1
	opts.NoLog, opts.NoSigs = true, true
	s, err := server.NewServer(opts)
	if err != nil {
		t.Fatal(err)
	}
	go s.Start()
	if !s.ReadyForConnections(ioTimeout) {
		t.Fatal("nats-server did not start")
	}
	t.Cleanup(s.Shutdown)
	return s.ClientURL(), "http://" + s.MonitorAddr().String()
}

func fetch(t *testing.T, url string, v any) {
	t.Helper()
	c := &http.Client{Timeout: ioTimeout}
	deadline := time.Now().Add(ioTimeout)
	for {
		r, err := c.Get(url)
		if err == nil {
			err = json.NewDecoder(r.Body).Decode(v)
			r.Body.Close()
		}
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("GET %s: %v", url, err)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
