package config

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/conf"
	"github.com/nats-io/nats-server/v2/server"
)

// parseText parses configuration text as a file would be.
func parseText(t *testing.T, text string) (*Options, error) {
	t.Helper()
	m, err := conf.ParseWithChecks(text)
	if err != nil {
		t.Fatalf("conf %q: %v", text, err)
	}
	p := &fileParser{o: Default(), file: "cluster.conf"}
	for k, raw := range m {
		p.field(k, raw)
	}
	return p.o, errors.Join(p.errs...)
}

func TestClusterBlock(t *testing.T) {
	o, err := parseText(t, `cluster {
  name: blue
  listen: "127.0.0.1:6222"
  advertise: "10.0.0.1:6222"
  no_advertise: true
  connect_retries: 5
  routes: ["nats-route://a:6222", "nats-route://u:p@b:6222"]
  authorization { user: ruser, password: rpass, timeout: 0.5 }
  pool_size: 3
  compression: accept
  ping_interval: "5s"
  ping_max: 3
}`)
	if err != nil {
		t.Fatal(err)
	}
	c := o.Cluster
	if c.Name != "blue" || c.Host != "127.0.0.1" || c.Port != 6222 || c.Advertise != "10.0.0.1:6222" ||
		!c.NoAdvertise || c.ConnectRetries != 5 || len(c.Routes) != 2 || c.Routes[1].User.Username() != "u" ||
		c.Username != "ruser" || c.Password != "rpass" || c.AuthTimeout != 500*time.Millisecond ||
		c.PoolSize != 3 || c.Compression != "accept" || c.PingInterval != 5*time.Second || c.MaxPingsOut != 3 {
		t.Fatalf("parsed %+v", c)
	}
}

// The same cluster blocks are accepted or refused as by nats-server, with its texts.
func TestClusterBlockAgainstNatsServer(t *testing.T) {
	for _, c := range []struct {
		text     string
		sameText bool
	}{
		{text: `cluster { name: "a b", listen: "127.0.0.1:-1" }`, sameText: true},
		{text: `cluster { name: "_", listen: "127.0.0.1:-1" }`, sameText: true},
		{text: `cluster { listen: "127.0.0.1:-1", authorization { users: [{user: a, password: b}] } }`, sameText: true},
		{text: `cluster { listen: "127.0.0.1:-1", authorization { token: x } }`, sameText: true},
		{text: `cluster { listen: "127.0.0.1:-1", bogus: 1 }`},
		{text: `cluster { name: ok, listen: "127.0.0.1:-1", no_advertise: true, connect_retries: 2 }`},
	} {
		opts := &server.Options{}
		nerr := opts.ProcessConfigString(c.text)
		_, terr := parseText(t, c.text)
		if (nerr == nil) != (terr == nil) {
			t.Errorf("%s:\n nats-server: %v\n Troupe:      %v", c.text, nerr, terr)
			continue
		}
		if c.sameText && nerr != nil {
			reason := terr.Error()
			var fe *FieldError
			if errors.As(terr, &fe) {
				reason = fe.Reason
			}
			if !strings.Contains(nerr.Error(), reason) {
				t.Errorf("%s:\n nats-server: %v\n Troupe:      %q", c.text, nerr, reason)
			}
		}
	}
}
