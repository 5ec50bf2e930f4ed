package safejson

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"
)

func TestEscapeRoundTrips(t *testing.T) {
	type doc struct {
		S []string          `json:"s"`
		M map[string]string `json:"m"`
	}
	in := doc{
		S: []string{"\x1b[2J\x1b]52;c;cHduZWQ=\x07", "\u009b6n", "\u202eevil\u202c", "\u2028\u2029", "\u200e\u200f\u2066\u2069", "\x7f", "日本語 ok", "\xff bad utf8"},
		M: map[string]string{"\u0085key": "\u009dvalue"},
	}
	for _, indent := range []string{"", "  "} {
		var buf bytes.Buffer
		if err := Encode(&buf, in, indent); err != nil {
			t.Fatal(err)
		}
		for _, r := range buf.String() {
			if r < 0x20 && r != '\n' && r != ' ' || r >= 0x7f && r <= 0x9f || r == 0x202e || r == 0x200e || r == 0x2066 || r == 0x2028 {
				t.Errorf("indent %q: raw U+%04X in %s", indent, r, buf.String())
			}
		}
		var out, plain doc
		if err := json.Unmarshal(buf.Bytes(), &out); err != nil {
			t.Fatal(err)
		}
		b, _ := json.Marshal(in)
		_ = json.Unmarshal(b, &plain) // encoding/json's own round trip (invalid UTF-8 becomes U+FFFD)
		if !reflect.DeepEqual(out, plain) {
			t.Errorf("indent %q: decodes to %q, want %q", indent, out, plain)
		}
	}
	if b := []byte(`{"a":"plain"}`); &Escape(b)[0] != &b[0] {
		t.Error("plain ASCII should be returned as is")
	}
}
