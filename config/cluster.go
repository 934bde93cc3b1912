package config

import (
	"net/url"
	"strings"
	"time"
)

// unsupportedClusterKeys are the nats-server cluster keys Troupe does not implement yet.
var unsupportedClusterKeys = map[string]bool{
	"tls": true, "permissions": true, "accounts": true, "write_timeout": true,
}

// cluster parses the cluster block, as nats-server's parseCluster does.
func (p *fileParser) cluster(tk token, v any) {
	m, ok := v.(map[string]any)
	if !ok {
		p.fail(tk, "Expected map to define cluster, got %T", v)
		return
	}
	c := &p.o.Cluster
	for k, raw := range m {
		ctk, cv := unwrap(raw)
		switch strings.ToLower(k) {
		case "name":
			p.stringInto(ctk, k, cv, func(s string) {
				switch {
				case strings.Contains(s, " "):
					p.fail(ctk, "cluster name cannot contain spaces")
				case s == "_":
					p.fail(ctk, "cluster name is reserved")
				default:
					c.Name = s
				}
			})
		case "listen":
			host, port, err := parseListen(cv)
			if err != nil {
				p.fail(ctk, "%v", err)
				continue
			}
			c.Host, c.Port = host, port
		case "host", "net":
			p.stringInto(ctk, k, cv, func(s string) { c.Host = s })
		case "port":
			p.intInto(ctk, k, cv, func(n int64) { c.Port = int(n) })
		case "routes":
			p.routes(ctk, cv, c)
		case "cluster_advertise", "advertise":
			p.stringInto(ctk, k, cv, func(s string) { c.Advertise = s })
		case "no_advertise":
			p.boolInto(ctk, k, cv, func(b bool) { c.NoAdvertise = b })
		case "connect_retries":
			p.intInto(ctk, k, cv, func(n int64) { c.ConnectRetries = int(n) })
		case "connect_backoff":
			p.boolInto(ctk, k, cv, func(bool) {}) // Troupe always backs off
		case "authorization":
			p.clusterAuth(ctk, cv, c)
		case "pool_size":
			p.intInto(ctk, k, cv, func(n int64) { c.PoolSize = int(n) })
		case "compression":
			switch x := cv.(type) {
			case bool:
				c.Compression = map[bool]string{true: "s2_fast", false: "off"}[x]
			case string:
				c.Compression = x
			case map[string]any:
				if mode, ok := x["mode"]; ok {
					_, mv := unwrap(mode)
					c.Compression, _ = mv.(string)
				}
			default:
				p.fail(ctk, "field %q should be a boolean, a string or a map, got %T", k, cv)
			}
		case "ping_interval":
			p.durationInto(ctk, k, cv, func(d time.Duration) {
				if d > maxRoutePingInterval {
					p.warn(ctk, "Cluster 'ping_interval' will reset to %v which is the max for routes", maxRoutePingInterval)
				}
				c.PingInterval = d
			})
		case "ping_max":
			p.intInto(ctk, k, cv, func(n int64) { c.MaxPingsOut = int(n) })
		case "write_deadline":
			p.durationInto(ctk, k, cv, func(time.Duration) {}) // routes use the server's
		default:
			if ctk != nil && ctk.IsUsedVariable() {
				continue
			}
			if unsupportedClusterKeys[strings.ToLower(k)] {
				p.fail(ctk, "field %q in cluster is not supported by Troupe yet", k)
			} else {
				p.fail(ctk, "unknown field %q", k)
			}
		}
	}
}

// maxRoutePingInterval is the longest ping interval a route uses (nats-server's
// routeMaxPingInterval).
const maxRoutePingInterval = 30 * time.Second

func (p *fileParser) routes(tk token, v any, c *ClusterOptions) {
	list, ok := v.([]any)
	if !ok {
		p.fail(tk, "routes must be a list, got %T", v)
		return
	}
	for _, r := range list {
		rtk, rv := unwrap(r)
		s, ok := rv.(string)
		if !ok {
			p.fail(rtk, "route must be a URL string, got %T", rv)
			continue
		}
		u, err := url.Parse(s)
		if err != nil {
			p.fail(rtk, "error parsing route url [%q]", s)
			continue
		}
		c.Routes = append(c.Routes, u)
	}
}

// clusterAuth parses cluster { authorization { user, password, timeout } }: one user, no
// tokens, as nats-server allows.
func (p *fileParser) clusterAuth(tk token, v any, c *ClusterOptions) {
	m, ok := v.(map[string]any)
	if !ok {
		p.fail(tk, "Expected map to define cluster authorization, got %T", v)
		return
	}
	for k, raw := range m {
		atk, av := unwrap(raw)
		switch strings.ToLower(k) {
		case "user", "username":
			p.stringInto(atk, k, av, func(s string) { c.Username = s })
		case "pass", "password":
			p.stringInto(atk, k, av, func(s string) { c.Password = s })
		case "timeout":
			c.AuthTimeout = p.authTimeout(atk, k, av)
		case "users":
			p.fail(atk, "Cluster authorization does not allow multiple users")
		case "token":
			p.fail(atk, "Cluster authorization does not support tokens")
		default:
			if atk != nil && atk.IsUsedVariable() {
				continue
			}
			p.unknown(atk, k)
		}
	}
}
