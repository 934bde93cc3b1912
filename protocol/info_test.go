package protocol

import (
	"encoding/json"
	"testing"
)

// TestInfoJSON compares with the INFO a default nats-server v2.15.2 sends
// (nats-reference.md §1.3, observed on a live server): same fields, same
// order, same omissions.
func TestInfoJSON(t *testing.T) {
	info := Info{
		ID: "NAAM7", Name: "NAAM7", Version: "2.15.2", Proto: 1, GoVersion: "go1.26.8",
		Host: "127.0.0.1", Port: 24222, Headers: true, MaxPayload: 1048576,
		CID: 5, ClientIP: "127.0.0.1", JSApiLevel: 5, XKey: "XDYC",
	}
	want := `INFO {"server_id":"NAAM7","server_name":"NAAM7","version":"2.15.2","proto":1,"go":"go1.26.8",` +
		`"host":"127.0.0.1","port":24222,"headers":true,"max_payload":1048576,"client_id":5,` +
		`"client_ip":"127.0.0.1","api_lvl":5,"xkey":"XDYC"} ` + "\r\n"
	if got := string(AppendInfo(nil, &info)); got != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
}

// TestInfoFieldOrder checks the relative order of the optional client
// fields, which json.Marshal takes from the struct.
func TestInfoFieldOrder(t *testing.T) {
	info := Info{
		GitCommit: "g", AuthRequired: true, TLSRequired: true, TLSVerify: true, TLSAvailable: true,
		JetStream: true, IP: "i", CID: 1, ClientIP: "c", Nonce: "n", Cluster: "cl", Dynamic: true,
		Domain: "d", ClientConnectURLs: []string{"u"}, WSConnectURLs: []string{"w"}, LameDuckMode: true,
		Compression: "s2", ConnectInfo: true, RemoteAccount: "ra", IsSystemAccount: true, JSApiLevel: 5,
		XKey: "x",
	}
	want := `{"server_id":"","server_name":"","version":"","proto":0,"git_commit":"g","go":"","host":"",` +
		`"port":0,"headers":false,"auth_required":true,"tls_required":true,"tls_verify":true,` +
		`"tls_available":true,"max_payload":0,"jetstream":true,"ip":"i","client_id":1,"client_ip":"c",` +
		`"nonce":"n","cluster":"cl","cluster_dynamic":true,"domain":"d","connect_urls":["u"],` +
		`"ws_connect_urls":["w"],"ldm":true,"compression":"s2","connect_info":true,"remote_account":"ra",` +
		`"acc_is_sys":true,"api_lvl":5,"xkey":"x"}`
	got, err := json.Marshal(&info)
	if err != nil || string(got) != want {
		t.Fatalf("got  %s, %v\nwant %s", got, err, want)
	}
}
