package monitor

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
)

// Compatibility with nats-server's monitoring JSON, checked against nats-server's own types (the
// package, not the binary): every field Troupe emits exists there under the same name, in the
// same order, and every field nats-server always emits (no omitempty) is there too, at every
// level of nesting.

// TestEndpointsHaveNatsServerShapes reads each endpoint in a situation with open, closed and
// subscribed connections and checks its JSON against nats-server's type, and its headers and
// two-space indentation against nats-server's response.
func TestEndpointsHaveNatsServerShapes(t *testing.T) {
	t.Parallel()
	s := startServer(t, nil)
	alpha := s.connect(t, "alpha")
	subscribe(t, alpha, "foo.bar", "")
	subscribe(t, alpha, "foo.*", "q1")
	flush(t, alpha)
	if err := alpha.Publish("foo.bar", []byte("hello")); err != nil {
		t.Fatal(err)
	}
	flush(t, alpha)
	gone := s.connect(t, "gone")
	flush(t, gone)
	gone.Close()
	waitFor(t, ioTimeout, "the closed connection in the ring", func() bool {
		var c Connz
		s.getJSON(t, "/connz?state=closed", &c)
		return c.NumConns == 1
	})

	for _, tc := range []struct {
		path string
		ref  any
	}{
		{"/varz", server.Varz{}},
		{"/connz", server.Connz{}},
		{"/connz?subs=1", server.Connz{}},
		{"/connz?subs=detail&auth=1&state=any", server.Connz{}},
		{"/connz?state=closed&auth=1&subs=1", server.Connz{}},
		{"/subsz", server.Subsz{}},
		{"/subsz?subs=1&test=foo.bar", server.Subsz{}},
		{"/routez", server.Routez{}},
		{"/accountz", server.Accountz{}},
		{"/accountz?acc=$G", server.Accountz{}},
		{"/accstatz", server.AccountStatz{}},
		{"/accstatz?unused=1", server.AccountStatz{}},
		{"/leafz", server.Leafz{}},
		{"/gatewayz", server.Gatewayz{}},
		{"/jsz", server.JSInfo{}},
		{"/healthz", server.HealthStatus{}},
	} {
		r := s.get(t, tc.path)
		if r.code != http.StatusOK {
			t.Errorf("%s: %d %s", tc.path, r.code, r.body)
			continue
		}
		if ct, cors := r.header.Get("Content-Type"), r.header.Get("Access-Control-Allow-Origin"); ct != "application/json" || cors != "*" {
			t.Errorf("%s: Content-Type %q, Access-Control-Allow-Origin %q; want application/json and *", tc.path, ct, cors)
		}
		if tc.path != "/healthz" && !bytes.HasPrefix(r.body, []byte("{\n  \"")) {
			t.Errorf("%s: not indented by two spaces as nats-server's:\n%.80s", tc.path, r.body)
		}
		for _, err := range shapeErrors(r.body, reflect.TypeOf(tc.ref)) {
			t.Errorf("%s: %v", tc.path, err)
		}
	}
	// The health probe is compact, as nats-server's.
	if r := s.get(t, "/healthz"); string(r.body) != `{"status":"ok"}` {
		t.Errorf("/healthz: %s, want {\"status\":\"ok\"}", r.body)
	}
}

// TestShapeCheckerCatchesDifferences makes sure the checker itself fails on what it must catch.
func TestShapeCheckerCatchesDifferences(t *testing.T) {
	t.Parallel()
	ref := reflect.TypeOf(server.Routez{})
	for _, tc := range []struct{ doc, want string }{
		{`{"server_id":"x","server_name":"y","now":"2024-01-01T00:00:00Z","num_routes":0,"routes":[]}`, ""},
		{`{"server_id":"x","server_name":"y","now":"2024-01-01T00:00:00Z","num_routes":0,"routes":[],"extra":1}`, `unknown field "extra"`},
		{`{"server_name":"y","server_id":"x","now":"2024-01-01T00:00:00Z","num_routes":0,"routes":[]}`, `"server_id" after "server_name"`},
		{`{"server_id":"x","server_name":"y","now":"2024-01-01T00:00:00Z","routes":[]}`, `missing "num_routes"`},
		{`{"server_id":"x","server_name":"y","now":"2024-01-01T00:00:00Z","num_routes":"0","routes":[]}`, `num_routes: a string`},
		{`{"server_id":"x","server_name":"y","now":"2024-01-01T00:00:00Z","num_routes":1,"routes":[{"rid":1,"bad":2}]}`, `routes[0]: unknown field "bad"`},
	} {
		errs := fmt.Sprint(shapeErrors([]byte(tc.doc), ref))
		if tc.want == "" && errs != "[]" || !strings.Contains(errs, tc.want) {
			t.Errorf("%s: %s, want %q", tc.doc, errs, tc.want)
		}
	}
}

// jsonNode is a decoded JSON value that keeps the order of object keys.
type jsonNode struct {
	kind string // "object", "array", "string", "number", "bool", "null"
	keys []string
	vals []*jsonNode
}

func decodeOrdered(dec *json.Decoder) (*jsonNode, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch v := tok.(type) {
	case json.Delim:
		n := &jsonNode{kind: "array"}
		if v == '{' {
			n.kind = "object"
		}
		for dec.More() {
			if n.kind == "object" {
				k, err := dec.Token()
				if err != nil {
					return nil, err
				}
				n.keys = append(n.keys, k.(string))
			}
			c, err := decodeOrdered(dec)
			if err != nil {
				return nil, err
			}
			n.vals = append(n.vals, c)
		}
		_, err := dec.Token() // the closing delimiter
		return n, err
	case string:
		return &jsonNode{kind: "string"}, nil
	case json.Number, float64:
		return &jsonNode{kind: "number"}, nil
	case bool:
		return &jsonNode{kind: "bool"}, nil
	default:
		return &jsonNode{kind: "null"}, nil
	}
}

// refField is one JSON field of a reference type, in encoding order.
type refField struct {
	name     string
	optional bool // omitempty (on a kind encoding/json can omit) or omitzero
	typ      reflect.Type
}

// refFields lists the JSON fields of struct type t as encoding/json emits them: embedded structs
// without a tag inlined where they stand.
func refFields(t reflect.Type) []refField {
	var out []refField
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		ft := f.Type
		if f.Anonymous && name == "" {
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				out = append(out, refFields(ft)...)
				continue
			}
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		optional := strings.Contains(opts, "omitzero")
		if strings.Contains(opts, "omitempty") && ft.Kind() != reflect.Struct {
			optional = true
		}
		out = append(out, refField{name: name, optional: optional, typ: ft})
	}
	return out
}

var (
	marshalerType = reflect.TypeOf((*json.Marshaler)(nil)).Elem()
	timeType      = reflect.TypeOf(time.Time{})
)

// shapeErrors compares the JSON document doc with reference type ref.
func shapeErrors(doc []byte, ref reflect.Type) []error {
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber()
	n, err := decodeOrdered(dec)
	if err != nil {
		return []error{err}
	}
	var errs []error
	compareShape(n, ref, "", &errs)
	return errs
}

func compareShape(n *jsonNode, t reflect.Type, at string, errs *[]error) {
	fail := func(format string, args ...any) {
		*errs = append(*errs, fmt.Errorf("%s: %s", strings.TrimPrefix(at, "."), fmt.Sprintf(format, args...)))
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if n.kind == "null" {
		return
	}
	if t == timeType || t.Implements(marshalerType) || reflect.PointerTo(t).Implements(marshalerType) {
		if t == timeType && n.kind != "string" {
			fail("a %s, want a time string", n.kind)
		}
		return
	}
	switch t.Kind() {
	case reflect.Struct:
		if n.kind != "object" {
			fail("a %s, want an object", n.kind)
			return
		}
		fields := refFields(t)
		index := map[string]int{}
		for i, f := range fields {
			index[f.name] = i
		}
		last, lastKey := -1, ""
		seen := map[string]bool{}
		for i, k := range n.keys {
			fi, ok := index[k]
			if !ok {
				fail("unknown field %q", k)
				continue
			}
			if fi < last {
				fail("%q after %q: nats-server has it before", k, lastKey)
			}
			last, lastKey = fi, k
			seen[k] = true
			compareShape(n.vals[i], fields[fi].typ, at+"."+k, errs)
		}
		for _, f := range fields {
			if !f.optional && !seen[f.name] {
				fail("missing %q, which nats-server always has", f.name)
			}
		}
	case reflect.Slice, reflect.Array:
		if n.kind != "array" {
			fail("a %s, want an array", n.kind)
			return
		}
		for i, v := range n.vals {
			compareShape(v, t.Elem(), fmt.Sprintf("%s[%d]", at, i), errs)
		}
	case reflect.Map:
		if n.kind != "object" {
			fail("a %s, want an object", n.kind)
			return
		}
		for i, v := range n.vals {
			compareShape(v, t.Elem(), at+"."+n.keys[i], errs)
		}
	case reflect.String:
		if n.kind != "string" {
			fail("a %s, want a string", n.kind)
		}
	case reflect.Bool:
		if n.kind != "bool" {
			fail("a %s, want a bool", n.kind)
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64, reflect.Uint,
		reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Float32, reflect.Float64:
		if n.kind != "number" {
			fail("a %s, want a number", n.kind)
		}
	}
}
