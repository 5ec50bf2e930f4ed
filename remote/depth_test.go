package remote

import (
	"bytes"
	"runtime"
	"strings"
	"testing"
)

// hostDecoders are the readers of host answers: each gets the answer's body and reports an
// error. Every one must stop at the element depth bound.
var hostDecoders = map[string]func([]byte) error{
	"decodeReceive": func(b []byte) error {
		var o, e bytes.Buffer
		_, _, err := decodeReceive(b, &o, &e, maxOutputBytes)
		return err
	},
	"decodeShellID":   func(b []byte) error { _, err := decodeShellID(b); return err },
	"decodeCommandID": func(b []byte) error { _, err := decodeCommandID(b); return err },
	"parseEnvelope":   func(b []byte) error { _, err := parseEnvelope(b); return err },
	"expectAction": func(b []byte) error {
		return expectAction(b, actionReceiveResponse)
	},
}

// nested puts a chain of elements into the s:Body of a real answer, so that the deepest
// element is at depth (the envelope is 1, its body 2).
func nested(t *testing.T, depth int) []byte {
	t.Helper()
	body := string(receiveResponse(t))
	n := depth - 2
	chain := strings.Repeat("<x:d>", n) + strings.Repeat("</x:d>", n)
	out := strings.Replace(body, "<s:Body>", `<s:Body><x:deep xmlns:x="urn:x">`+chain+`</x:deep>`, 1)
	if n <= 0 || out == body {
		t.Fatalf("cannot nest to depth %d", depth)
	}
	// <x:deep> adds a level: one element fewer in the chain.
	return []byte(strings.Replace(out, "<x:d></x:d>", "", 1))
}

// A real answer with elements 64 deep is read as without them; at 65 every decoder fails with
// the cause.
func TestDecodersBoundElementDepth(t *testing.T) {
	for name, decode := range hostDecoders {
		t.Run(name, func(t *testing.T) {
			if err := decode(nested(t, 64)); err != nil {
				t.Errorf("depth 64: %v, want it read", err)
			}
			err := decode(nested(t, 65))
			if err == nil || !strings.Contains(err.Error(), "element depth over 64") {
				t.Errorf("depth 65: err = %v, want the element depth named", err)
			}
			if err != nil && CategoryOf(err) != CategoryWinRM {
				t.Errorf("depth 65: category %s, want winrm", CategoryOf(err))
			}
		})
	}
}

// A 4 MB answer of unclosed elements (an old client's size cap; about 1.4 million elements)
// costs encoding/xml hundreds of megabytes; each decoder stops at the bound instead.
func TestDeepAnswerAllocatesLittle(t *testing.T) {
	const size = 4 << 20
	head := `<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope"><s:Body>`
	body := []byte(head + strings.Repeat("<a>", (size-len(head))/3))
	for name, decode := range hostDecoders {
		t.Run(name, func(t *testing.T) {
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			err := decode(body)
			runtime.ReadMemStats(&after)
			if err == nil || !strings.Contains(err.Error(), "element depth") {
				t.Errorf("err = %v, want the element depth named", err)
			}
			if n := after.TotalAlloc - before.TotalAlloc; n > 16<<20 {
				t.Errorf("decoding a 4 MB deep answer allocated %d MB, want under 16 MB", n>>20)
			}
		})
	}
}
