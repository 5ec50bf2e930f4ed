package remote

import (
	"bytes"
	"encoding/base64"
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

// The output bound holds before the output is written: an answer that would take stdout and
// stderr past it fails, and the buffers' storage never grows past it.
func TestDecodeReceiveOutputBound(t *testing.T) {
	const limit = 1000
	answer := func(stdout, stderr int) []byte {
		b := string(receiveResponse(t))
		i := strings.Index(b, `<rsp:Stream Name="stdout" CommandId="C1">`)
		j := strings.Index(b, `<rsp:Stream Name="stdout" CommandId="C1" End="true">`)
		streams := `<rsp:Stream Name="stdout" CommandId="C1">` + base64.StdEncoding.EncodeToString(bytes.Repeat([]byte("o"), stdout)) + `</rsp:Stream>` +
			`<rsp:Stream Name="stderr" CommandId="C1">` + base64.StdEncoding.EncodeToString(bytes.Repeat([]byte("e"), stderr)) + `</rsp:Stream>`
		return []byte(b[:i] + streams + b[j:])
	}
	for _, tc := range []struct {
		name           string
		before         int // stdout already received
		stdout, stderr int
		ok             bool
	}{
		{"at the bound", 0, 600, 400, true},
		{"one byte over", 0, 600, 401, false},
		{"over with what came before", 500, 300, 201, false},
		{"at the bound with what came before", 500, 300, 200, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var o, e bytes.Buffer
			o.Write(bytes.Repeat([]byte("x"), tc.before))
			_, _, err := decodeReceive(answer(tc.stdout, tc.stderr), &o, &e, limit)
			if (err == nil) != tc.ok {
				t.Fatalf("err = %v, want ok %t", err, tc.ok)
			}
			if !tc.ok && !strings.Contains(err.Error(), "command printed more than 1000 bytes") {
				t.Errorf("err = %v, want the bound named", err)
			}
			if o.Len()+e.Len() > limit || o.Cap() > limit || e.Cap() > limit {
				t.Errorf("stdout %d (storage %d) + stderr %d (storage %d): over the bound %d", o.Len(), o.Cap(), e.Len(), e.Cap(), limit)
			}
		})
	}
}
