package monitor

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"github.com/troupe/troupe/actors"
)

// indent produces exactly what encoding/json's MarshalIndent does.
func TestIndentMatchesEncodingJSON(t *testing.T) {
	t.Parallel()
	tricky := "quote \" backslash \\ brace { } bracket [ ] comma , colon : <html> & \u2028 \x01 é"
	for _, v := range []any{
		map[string]any{},
		[]any{},
		map[string]any{"a": []any{}, "b": map[string]any{}, "c": nil, "d": []any{1, "x", true, 2.5}},
		map[string]any{tricky: []any{tricky, map[string]any{"k": tricky}}},
		&Actorz{ID: "id", Now: time.Unix(1, 5).UTC(), Actors: 2, Tree: &actors.Node{ID: "server", Kind: "server",
			State: "running", Children: []*actors.Node{{ID: "server/x\"y", Kind: "k", State: "running", Mailbox: 3}}}},
		&Varz{HTTPReqStats: map[string]uint64{"/varz": 1}, SlowConsumersStats: &KindCounts{}},
		&Connz{Conns: []*ConnInfo{{Cid: 1, Subs: []string{"a", "b"}}, {Cid: 2}}},
	} {
		compact, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		want, _ := json.MarshalIndent(v, "", "  ")
		if got := indent(nil, compact); !bytes.Equal(got, want) {
			t.Errorf("indent:\n%s\nencoding/json:\n%s", got, want)
		}
	}
}
