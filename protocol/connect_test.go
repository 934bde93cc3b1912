package protocol

import "testing"

func TestDefaultConnect(t *testing.T) {
	if c := DefaultConnect(); c != (Connect{Verbose: true, Pedantic: true, Echo: true}) {
		t.Fatalf("DefaultConnect() = %+v", c)
	}
}

func TestParseConnect(t *testing.T) {
	c := DefaultConnect()
	in := `{"verbose":false,"name":"n","lang":"go","version":"1.55.0","protocol":1,"headers":true,` +
		`"no_responders":true,"user":"u","pass":"p","auth_token":"t","jwt":"j","nkey":"k","sig":"s",` +
		`"tls_required":true,"account":"a","new_account":true,"unknown_field":[1,2]}`
	if err := ParseConnect([]byte(in), &c); err != nil {
		t.Fatal(err)
	}
	want := Connect{
		Echo: true, Verbose: false, Pedantic: true, TLSRequired: true, Nkey: "k", JWT: "j", Sig: "s",
		Token: "t", User: "u", Pass: "p", Name: "n", Lang: "go", Version: "1.55.0", Protocol: 1,
		Account: "a", NewAccount: true, Headers: true, NoResponders: true,
	}
	if c != want {
		t.Fatalf("got  %+v\nwant %+v", c, want)
	}
	// A second CONNECT only changes the fields it names.
	if err := ParseConnect([]byte(`{"echo":false}`), &c); err != nil {
		t.Fatal(err)
	}
	want.Echo = false
	if c != want {
		t.Fatalf("second CONNECT: got %+v", c)
	}
}

func TestParseConnectErrors(t *testing.T) {
	for _, in := range []string{``, `{`, `{"verbose":"yes"}`, `[]`, `{"protocol":"1"}`, `nul`, `{} x`} {
		c := DefaultConnect()
		if err := ParseConnect([]byte(in), &c); err != ErrBadArgs {
			t.Errorf("ParseConnect(%q) = %v, want ErrBadArgs", in, err)
		}
	}
}

func TestConnectJSONNames(t *testing.T) {
	c := Connect{Echo: true, Nkey: "k", JWT: "j", Sig: "s", Token: "t", User: "u", Pass: "p",
		Account: "a", NewAccount: true, Headers: true, NoResponders: true,
		Import: &SubjectPermission{Allow: []string{"x"}}, RemoteAccount: "r", ProxySig: "ps"}
	want := `CONNECT {"echo":true,"verbose":false,"pedantic":false,"tls_required":false,"nkey":"k","jwt":"j",` +
		`"sig":"s","auth_token":"t","user":"u","pass":"p","name":"","lang":"","version":"","protocol":0,` +
		`"account":"a","new_account":true,"headers":true,"no_responders":true,"import":{"allow":["x"]},` +
		`"remote_account":"r","proxy_sig":"ps"}` + "\r\n"
	if got := string(AppendConnect(nil, &c)); got != want {
		t.Fatalf("got  %s\nwant %s", got, want)
	}
}
