package config

import (
	"errors"
	"fmt"
	"math"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/nats-io/nats-server/v2/conf"
)

// token is what conf.ParseFileWithChecks wraps every value in: the value and where it stood.
type token interface {
	Value() any
	Line() int
	Position() int
	SourceFile() string
	IsUsedVariable() bool
}

// FieldError is one problem in a configuration file, located as nats-server locates it:
// "<file>:<line>:<col>: <reason>".
type FieldError struct {
	File   string
	Line   int
	Col    int
	Reason string
}

func (e *FieldError) Error() string {
	if e.File == "" && e.Line == 0 {
		return e.Reason
	}
	return fmt.Sprintf("%s:%d:%d: %s", e.File, e.Line, e.Col, e.Reason)
}

// Warning is a non-fatal remark about a configuration file (an obsolete value form, a setting
// Troupe accepts but does not act on yet).
type Warning = FieldError

// LoadFile parses a nats-server configuration file into o. Every error found is returned joined
// (errors.Join), each located by file, line and column; warnings are returned separately.
func (o *Options) LoadFile(path string) (warnings []*Warning, err error) {
	m, digest, err := conf.ParseFileWithChecksDigest(path)
	if err != nil {
		return nil, err
	}
	o.ConfigFile, o.ConfigDigest = path, digest
	p := &fileParser{o: o, file: path}
	for k, v := range m {
		p.field(k, v)
	}
	if len(p.errs) > 0 {
		return p.warns, errors.Join(p.errs...)
	}
	return p.warns, nil
}

type fileParser struct {
	o     *Options
	file  string
	errs  []error
	warns []*Warning
}

func (p *fileParser) fail(tk token, format string, args ...any) {
	p.errs = append(p.errs, p.located(tk, fmt.Sprintf(format, args...)))
}

func (p *fileParser) warn(tk token, format string, args ...any) {
	p.warns = append(p.warns, p.located(tk, fmt.Sprintf(format, args...)))
}

func (p *fileParser) located(tk token, reason string) *FieldError {
	e := &FieldError{File: p.file, Reason: reason}
	if tk != nil {
		e.File, e.Line, e.Col = tk.SourceFile(), tk.Line(), tk.Position()
	}
	return e
}

func unwrap(v any) (token, any) {
	if tk, ok := v.(token); ok {
		return tk, tk.Value()
	}
	return nil, v
}

// field applies one top-level key. Keys and aliases are nats-server's (server/opts.go).
func (p *fileParser) field(key string, raw any) {
	tk, v := unwrap(raw)
	o := p.o
	if parseAuthKey(p, key, tk, v, &o.Auth) {
		return
	}
	switch strings.ToLower(key) {
	case "listen":
		host, port, err := parseListen(v)
		if err != nil {
			p.fail(tk, "%v", err)
			return
		}
		o.Host, o.Port = host, port
	case "port":
		p.intInto(tk, key, v, func(n int64) { o.Port = int(n) })
	case "host", "net":
		p.stringInto(tk, key, v, func(s string) { o.Host = s })
	case "server_name":
		p.stringInto(tk, key, v, func(s string) {
			if strings.Contains(s, " ") {
				p.fail(tk, "server name cannot contain spaces")
				return
			}
			o.ServerName = s
		})
	case "debug":
		p.boolInto(tk, key, v, func(b bool) { o.Debug = b })
	case "trace":
		p.boolInto(tk, key, v, func(b bool) { o.Trace = b })
	case "logtime":
		p.boolInto(tk, key, v, func(b bool) { o.Logtime = b })
	case "logfile", "log_file":
		p.stringInto(tk, key, v, func(s string) { o.LogFile = s })
	case "pidfile", "pid_file":
		p.stringInto(tk, key, v, func(s string) { o.PidFile = s })
	case "ports_file_dir":
		p.stringInto(tk, key, v, func(s string) { o.PortsFileDir = s })
	case "http":
		host, port, err := parseListen(v)
		if err != nil {
			p.fail(tk, "%v", err)
			return
		}
		o.HTTPHost, o.HTTPPort = host, port
	case "http_port", "monitor_port":
		p.intInto(tk, key, v, func(n int64) { o.HTTPPort = int(n) })
	case "http_base_path":
		p.stringInto(tk, key, v, func(s string) { o.HTTPBasePath = s })
	case "prof_port":
		p.intInto(tk, key, v, func(n int64) { o.ProfPort = int(n) })
	case "prof_block_rate":
		p.intInto(tk, key, v, func(n int64) { o.ProfBlockRate = int(n) })
	case "max_control_line":
		p.int32Into(tk, key, v, func(n int32) { o.MaxControlLine = n })
	case "max_payload":
		p.int32Into(tk, key, v, func(n int32) { o.MaxPayload = n })
	case "max_pending":
		p.intInto(tk, key, v, func(n int64) { o.MaxPending = n })
	case "max_connections", "max_conn":
		p.intInto(tk, key, v, func(n int64) {
			// nats-server: an explicit 0 means no connection is accepted.
			if o.MaxConnections = int(n); n == 0 {
				o.MaxConnections = -1
			}
		})
	case "max_subscriptions", "max_subs":
		p.intInto(tk, key, v, func(n int64) { o.MaxSubscriptions = int(n) })
	case "max_closed_clients":
		p.intInto(tk, key, v, func(n int64) { o.MaxClosedClients = int(n) })
	case "ping_interval":
		p.durationInto(tk, key, v, func(d time.Duration) { o.PingInterval = d })
	case "ping_max":
		p.intInto(tk, key, v, func(n int64) { o.MaxPingsOut = int(n) })
	case "write_deadline":
		p.durationInto(tk, key, v, func(d time.Duration) { o.WriteDeadline = d })
	case "disable_short_first_ping":
		p.boolInto(tk, key, v, func(b bool) { o.DisableShortFirstPing = b })
	case "no_fast_producer_stall":
		p.boolInto(tk, key, v, func(b bool) { o.NoFastProducerStall = b })
	case "no_header_support":
		p.boolInto(tk, key, v, func(b bool) { o.NoHeaderSupport = b })
	case "lame_duck_duration":
		p.stringInto(tk, key, v, func(s string) {
			d, err := time.ParseDuration(s)
			switch {
			case err != nil:
				p.fail(tk, "error parsing lame_duck_duration: %v", err)
			case d < MinLameDuckDuration:
				p.fail(tk, "invalid lame_duck_duration of %v, minimum is 30 seconds", d)
			default:
				o.LameDuckDuration = d
			}
		})
	case "lame_duck_grace_period":
		p.stringInto(tk, key, v, func(s string) {
			d, err := time.ParseDuration(s)
			switch {
			case err != nil:
				p.fail(tk, "error parsing lame_duck_grace_period: %v", err)
			case d < 0:
				p.fail(tk, "invalid lame_duck_grace_period, needs to be positive")
			default:
				o.LameDuckGracePeriod = d
			}
		})
	case "cluster":
		p.cluster(tk, v)
	default:
		if tk != nil && tk.IsUsedVariable() {
			return // a variable definition, used elsewhere in the file
		}
		if knownButUnsupported[strings.ToLower(key)] {
			p.fail(tk, "field %q is not supported by Troupe yet", key)
			return
		}
		p.fail(tk, "unknown field %q", key)
	}
}

// knownButUnsupported are nats-server keys Troupe does not implement yet. Loading them would
// silently change what the file means, so they are errors, not unknown-field noise.
var knownButUnsupported = map[string]bool{
	"no_system_account": true, "tls": true, "allow_non_tls": true, "jetstream": true, "store_dir": true,
	"leafnodes": true, "leaf": true, "gateway": true, "websocket": true, "ws": true,
	"mqtt": true, "https": true, "https_port": true, "mappings": true, "maps": true,
	"syslog": true, "remote_syslog": true, "max_sub_tokens": true, "write_timeout": true,
	"client_advertise": true, "proxies": true,
}

func (p *fileParser) stringInto(tk token, key string, v any, set func(string)) {
	s, ok := v.(string)
	if !ok {
		p.fail(tk, "%s: expected a string, got %T", key, v)
		return
	}
	set(s)
}

func (p *fileParser) boolInto(tk token, key string, v any, set func(bool)) {
	b, ok := v.(bool)
	if !ok {
		p.fail(tk, "%s: expected a boolean, got %T", key, v)
		return
	}
	set(b)
}

func (p *fileParser) intInto(tk token, key string, v any, set func(int64)) {
	n, ok := v.(int64)
	if !ok {
		p.fail(tk, "%s: expected an integer, got %T", key, v)
		return
	}
	set(n)
}

func (p *fileParser) int32Into(tk token, key string, v any, set func(int32)) {
	p.intInto(tk, key, v, func(n int64) {
		if n > math.MaxInt32 {
			p.fail(tk, "%s value is too big", key)
			return
		}
		set(int32(n))
	})
}

// durationInto accepts a Go duration string, or (as nats-server does, with a warning) a number
// of seconds.
func (p *fileParser) durationInto(tk token, key string, v any, set func(time.Duration)) {
	switch x := v.(type) {
	case string:
		d, err := time.ParseDuration(x)
		if err != nil {
			p.fail(tk, "error parsing %s: %v", key, err)
			return
		}
		set(d)
	case int64:
		p.warn(tk, "invalid use of field %q: %s should be converted to a duration", key, key)
		set(time.Duration(x) * time.Second)
	default:
		p.fail(tk, "%s: expected a duration, got %T", key, v)
	}
}

// parseListen takes a port or "host:port".
func parseListen(v any) (string, int, error) {
	switch x := v.(type) {
	case int64:
		return "", int(x), nil
	case string:
		host, port, err := net.SplitHostPort(x)
		if err != nil {
			return "", 0, fmt.Errorf("could not parse address string %q", x)
		}
		n, err := strconv.Atoi(port)
		if err != nil {
			return "", 0, fmt.Errorf("could not parse port %q", port)
		}
		return host, n, nil
	default:
		return "", 0, fmt.Errorf("expected port or host:port, got %T", v)
	}
}
