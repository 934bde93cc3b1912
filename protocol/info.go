package protocol

import "encoding/json"

// Info is the INFO message, with the fields, JSON names, omitempty rules and
// field order of nats-server's server.Info (server/server.go), so the JSON
// is byte-for-byte the same for the same values.
type Info struct {
	ID                string   `json:"server_id"`
	Name              string   `json:"server_name"`
	Version           string   `json:"version"`
	Proto             int      `json:"proto"`
	GitCommit         string   `json:"git_commit,omitempty"`
	GoVersion         string   `json:"go"`
	Host              string   `json:"host"`
	Port              int      `json:"port"`
	Headers           bool     `json:"headers"`
	AuthRequired      bool     `json:"auth_required,omitempty"`
	TLSRequired       bool     `json:"tls_required,omitempty"`
	TLSVerify         bool     `json:"tls_verify,omitempty"`
	TLSAvailable      bool     `json:"tls_available,omitempty"`
	MaxPayload        int32    `json:"max_payload"`
	JetStream         bool     `json:"jetstream,omitempty"`
	IP                string   `json:"ip,omitempty"`
	CID               uint64   `json:"client_id,omitempty"`
	ClientIP          string   `json:"client_ip,omitempty"`
	Nonce             string   `json:"nonce,omitempty"`
	Cluster           string   `json:"cluster,omitempty"`
	Dynamic           bool     `json:"cluster_dynamic,omitempty"`
	Domain            string   `json:"domain,omitempty"`
	ClientConnectURLs []string `json:"connect_urls,omitempty"`
	WSConnectURLs     []string `json:"ws_connect_urls,omitempty"`
	LameDuckMode      bool     `json:"ldm,omitempty"`
	Compression       string   `json:"compression,omitempty"`
	ConnectInfo       bool     `json:"connect_info,omitempty"`
	RemoteAccount     string   `json:"remote_account,omitempty"`
	IsSystemAccount   bool     `json:"acc_is_sys,omitempty"`
	JSApiLevel        int      `json:"api_lvl,omitempty"`

	// Route specific.
	Import        *SubjectPermission `json:"import,omitempty"`
	Export        *SubjectPermission `json:"export,omitempty"`
	LNOC          bool               `json:"lnoc,omitempty"`
	LNOCU         bool               `json:"lnocu,omitempty"`
	LN            bool               `json:"ln,omitempty"`
	InfoOnConnect bool               `json:"info_on_connect,omitempty"`
	RoutePoolSize int                `json:"route_pool_size,omitempty"`
	RoutePoolIdx  int                `json:"route_pool_idx,omitempty"`
	RouteAccount  string             `json:"route_account,omitempty"`
	RouteAccReqID string             `json:"route_acc_add_reqid,omitempty"`
	GossipMode    byte               `json:"gossip_mode,omitempty"`

	// Gateway specific.
	Gateway           string   `json:"gateway,omitempty"`
	GatewayURLs       []string `json:"gateway_urls,omitempty"`
	GatewayURL        string   `json:"gateway_url,omitempty"`
	GatewayCmd        byte     `json:"gateway_cmd,omitempty"`
	GatewayCmdPayload []byte   `json:"gateway_cmd_payload,omitempty"`
	GatewayNRP        bool     `json:"gateway_nrp,omitempty"`
	GatewayIOM        bool     `json:"gateway_iom,omitempty"`

	// Leafnode specific.
	LeafNodeURLs []string `json:"leafnode_urls,omitempty"`

	XKey string `json:"xkey,omitempty"`
}

// SubjectPermission is an allow/deny subject list (server/auth.go).
type SubjectPermission struct {
	Allow []string `json:"allow,omitempty"`
	Deny  []string `json:"deny,omitempty"`
}

// AppendInfo appends "INFO {json} \r\n". Like nats-server's generateInfoJSON
// (util.go), there is a space before the CRLF.
func AppendInfo(dst []byte, info *Info) []byte {
	b, err := json.Marshal(info)
	if err != nil {
		// Info holds only strings, numbers, bools and slices of them.
		panic("protocol: marshal Info: " + err.Error())
	}
	dst = append(dst, "INFO "...)
	dst = append(dst, b...)
	return append(dst, " \r\n"...)
}
