package protocol

import "encoding/json"

// Connect is the CONNECT message, with the fields, JSON names, omitempty
// rules and field order of nats-server's ClientOpts (server/client.go).
type Connect struct {
	Echo         bool   `json:"echo"`
	Verbose      bool   `json:"verbose"`
	Pedantic     bool   `json:"pedantic"`
	TLSRequired  bool   `json:"tls_required"`
	Nkey         string `json:"nkey,omitempty"`
	JWT          string `json:"jwt,omitempty"`
	Sig          string `json:"sig,omitempty"`
	Token        string `json:"auth_token,omitempty"`
	User         string `json:"user,omitempty"`
	Pass         string `json:"pass,omitempty"`
	Name         string `json:"name"`
	Lang         string `json:"lang"`
	Version      string `json:"version"`
	Protocol     int    `json:"protocol"`
	Account      string `json:"account,omitempty"`
	NewAccount   bool   `json:"new_account,omitempty"`
	Headers      bool   `json:"headers,omitempty"`
	NoResponders bool   `json:"no_responders,omitempty"`

	// Routes and leafnodes only.
	Import *SubjectPermission `json:"import,omitempty"`
	Export *SubjectPermission `json:"export,omitempty"`

	// Leafnodes only.
	RemoteAccount string `json:"remote_account,omitempty"`

	// A proxy's signature of the nonce.
	ProxySig string `json:"proxy_sig,omitempty"`
}

// DefaultConnect returns the options a client has before (or without)
// CONNECT: verbose, pedantic and echo on (client.go: defaultOpts).
func DefaultConnect() Connect {
	return Connect{Verbose: true, Pedantic: true, Echo: true}
}

// ParseConnect decodes the JSON of a CONNECT onto c, so fields absent from
// arg keep their prior values (nats-server unmarshals every CONNECT onto the
// client's current options). Any JSON error, including a value of the wrong
// type, returns ErrBadArgs: processConnect returns the json error and
// readLoop closes the connection as a Protocol Violation without -ERR. On
// error c may be partly updated.
func ParseConnect(arg []byte, c *Connect) error {
	if err := json.Unmarshal(arg, c); err != nil {
		return ErrBadArgs
	}
	return nil
}

// AppendConnect appends "CONNECT {json}\r\n".
func AppendConnect(dst []byte, c *Connect) []byte {
	b, err := json.Marshal(c)
	if err != nil {
		// Connect holds only strings, numbers, bools and slices of them.
		panic("protocol: marshal Connect: " + err.Error())
	}
	dst = append(dst, "CONNECT "...)
	dst = append(dst, b...)
	return append(dst, "\r\n"...)
}

// RouteConnect is the CONNECT one server sends another on a route, with the fields and order
// of nats-server's route connectInfo (route.go).
type RouteConnect struct {
	Echo        bool   `json:"echo"`
	Verbose     bool   `json:"verbose"`
	Pedantic    bool   `json:"pedantic"`
	User        string `json:"user,omitempty"`
	Pass        string `json:"pass,omitempty"`
	TLSRequired bool   `json:"tls_required"`
	Headers     bool   `json:"headers"`
	Name        string `json:"name"` // the sender's server_id
	Cluster     string `json:"cluster"`
	Dynamic     bool   `json:"cluster_dynamic,omitempty"`
	LNOC        bool   `json:"lnoc,omitempty"`
	LNOCU       bool   `json:"lnocu,omitempty"`
	LN          bool   `json:"ln,omitempty"`
	Gateway     string `json:"gateway,omitempty"`
}

// AppendRouteConnect appends "CONNECT {json}\r\n" for a route.
func AppendRouteConnect(dst []byte, c *RouteConnect) []byte {
	b, err := json.Marshal(c)
	if err != nil {
		panic("protocol: marshal RouteConnect: " + err.Error())
	}
	dst = append(dst, "CONNECT "...)
	dst = append(dst, b...)
	return append(dst, "\r\n"...)
}
