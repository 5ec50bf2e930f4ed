package remote

import (
	"bytes"
	"encoding/base64"
	"encoding/xml"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"unicode"

	"github.com/tlsready/tlsready/internal/fuzzcheck"
)

// Bounds on what a decoder of host answers may allocate per byte of the answer. encoding/xml
// allocates a few hundred bytes per element (its name, namespace scope, our path entry), so
// an answer of empty elements ("<a>" is 3 bytes) costs about 100 times its size; deeper
// nesting costs more (see FuzzParseEnvelope).
const (
	xmlAllocPerByte = 256
	xmlAllocFixed   = 64 << 10
)

// addCaptures seeds f with every answer of the recorded Windows exchanges.
func addCaptures(f *testing.F) {
	dir := captureDir(f)
	entries, err := os.ReadDir(dir)
	if err != nil {
		f.Fatal(err)
	}
	for _, e := range entries {
		if filepath.Ext(e.Name()) != ".yml" {
			continue
		}
		for _, m := range loadCapture(f, e.Name()) {
			if m.Response != "" {
				f.Add([]byte(m.Response))
			}
		}
	}
}

func escapeXML(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}

// faultEnvelope renders env as Windows would: the inverse of parseEnvelope.
func faultEnvelope(env envelope) []byte {
	var b strings.Builder
	b.WriteString(`<s:Envelope xmlns:s="` + nsSOAP + `" xmlns:a="` + nsAddressing + `" xmlns:w="` + nsWSMan + `" xmlns:f="` + nsWSManFault + `">`)
	b.WriteString(`<s:Header><a:Action>` + escapeXML(env.action) + `</a:Action></s:Header><s:Body>`)
	if e := env.fault; e != nil {
		b.WriteString(`<s:Fault><s:Code><s:Value>` + escapeXML(e.Code) + `</s:Value><s:Subcode><s:Value>` + escapeXML(e.Subcode) + `</s:Value></s:Subcode></s:Code>`)
		b.WriteString(`<s:Reason><s:Text xml:lang="en-US">` + escapeXML(e.Reason) + `</s:Text></s:Reason><s:Detail>`)
		b.WriteString(`<f:WSManFault Code="` + strconv.FormatUint(uint64(e.WSManCode), 10) + `" Machine="` + escapeXML(e.Machine) + `">`)
		b.WriteString(`<f:Message>` + escapeXML(e.Message) + `</f:Message></f:WSManFault>`)
		b.WriteString(`<w:FaultDetail>` + escapeXML(e.Detail) + `</w:FaultDetail>`)
		if e.WMICode != 0 || e.WMIMessage != "" {
			b.WriteString(`<p:MSFT_WmiError xmlns:p="http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/MSFT_WmiError">` +
				`<p:Message>` + escapeXML(e.WMIMessage) + `</p:Message><p:error_Code>` + strconv.FormatUint(uint64(e.WMICode), 10) +
				`</p:error_Code></p:MSFT_WmiError>`)
		}
		b.WriteString(`</s:Detail></s:Fault>`)
	}
	b.WriteString(`</s:Body></s:Envelope>`)
	return []byte(b.String())
}

// FuzzParseEnvelope: whatever a host answers, parseEnvelope returns within a memory bound; what
// it reads is trimmed text (the fault's reason and message on one line), and rendering it as an
// envelope again reads back the same action and fault.
func FuzzParseEnvelope(f *testing.F) {
	addCaptures(f)
	f.Add([]byte(`<s:Envelope xmlns:s="` + nsSOAP + `"><s:Body><s:Fault><s:Code><s:Value>x:y</s:Value></s:Code></s:Fault></s:Body></s:Envelope>`))
	f.Fuzz(func(t *testing.T, body []byte) {
		var env envelope
		var err error
		fuzzcheck.Alloc(t, "parseEnvelope", len(body), xmlAllocPerByte, xmlAllocFixed, func() { env, err = parseEnvelope(body) })
		if err != nil {
			return
		}
		if env.action != strings.TrimSpace(env.action) {
			t.Errorf("action %q not trimmed", env.action)
		}
		if e := env.fault; e != nil {
			for _, s := range []string{e.Reason, e.Message, e.WMIMessage} {
				if s != oneLine(s) {
					t.Errorf("%q is not on one line", s)
				}
			}
			if e.Error() == "" {
				t.Error("empty fault message")
			}
		}
		again, err := parseEnvelope(faultEnvelope(env))
		if err != nil {
			t.Fatalf("re-encoded envelope: %v", err)
		}
		if !reflect.DeepEqual(again, env) {
			t.Errorf("re-parsed %+v %+v, want %+v %+v", again, again.fault, env, env.fault)
		}
	})
}

// receiveEnvelope renders what decodeReceive read as a ReceiveResponse.
func receiveEnvelope(stdout, stderr []byte, done bool, code int) []byte {
	state := nsShell + "/CommandState/Running"
	if done {
		state = stateDone
	}
	return []byte(`<s:Envelope xmlns:s="` + nsSOAP + `" xmlns:a="` + nsAddressing + `" xmlns:rsp="` + nsShell + `">` +
		`<s:Header><a:Action>` + actionReceiveResponse + `</a:Action></s:Header><s:Body><rsp:ReceiveResponse>` +
		`<rsp:Stream Name="stdout" CommandId="C">` + base64.StdEncoding.EncodeToString(stdout) + `</rsp:Stream>` +
		`<rsp:Stream Name="stderr" CommandId="C">` + base64.StdEncoding.EncodeToString(stderr) + `</rsp:Stream>` +
		`<rsp:CommandState CommandId="C" State="` + state + `"><rsp:ExitCode>` + strconv.Itoa(code) + `</rsp:ExitCode></rsp:CommandState>` +
		`</rsp:ReceiveResponse></s:Body></s:Envelope>`)
}

// FuzzDecodeReceive: decodeReceive never yields more output than the answer's size, stays within
// the memory bound, and what it accepts, rendered again, decodes to the same streams, state and
// exit code.
func FuzzDecodeReceive(f *testing.F) {
	addCaptures(f)
	f.Add(receiveEnvelope([]byte("hello\r\n"), []byte("boom"), true, -1))
	f.Fuzz(func(t *testing.T, body []byte) {
		var stdout, stderr bytes.Buffer
		var done bool
		var code int
		var err error
		fuzzcheck.Alloc(t, "decodeReceive", len(body), xmlAllocPerByte, xmlAllocFixed, func() { done, code, err = decodeReceive(body, &stdout, &stderr, maxOutputBytes) })
		if stdout.Len()+stderr.Len() > len(body) {
			t.Errorf("%d bytes of output from an answer of %d", stdout.Len()+stderr.Len(), len(body))
		}
		if err != nil {
			return
		}
		var o2, e2 bytes.Buffer
		done2, code2, err := decodeReceive(receiveEnvelope(stdout.Bytes(), stderr.Bytes(), done, code), &o2, &e2, maxOutputBytes)
		if err != nil || done2 != done || code2 != code || !bytes.Equal(o2.Bytes(), stdout.Bytes()) || !bytes.Equal(e2.Bytes(), stderr.Bytes()) {
			t.Errorf("re-decoded %v %d %q %q %v, want %v %d %q %q", done2, code2, o2.Bytes(), e2.Bytes(), err, done, code, stdout.Bytes(), stderr.Bytes())
		}
	})
}

// FuzzDecodeIDs: the shell and command ids read from an answer are trimmed text no longer than
// the answer, and the same ids rendered in a CreateResponse and a CommandResponse read back.
func FuzzDecodeIDs(f *testing.F) {
	addCaptures(f)
	f.Fuzz(func(t *testing.T, body []byte) {
		var shell, cmd string
		var errShell, errCmd error
		fuzzcheck.Alloc(t, "decodeShellID, decodeCommandID", len(body), 2*xmlAllocPerByte, xmlAllocFixed, func() {
			shell, errShell = decodeShellID(body)
			cmd, errCmd = decodeCommandID(body)
		})
		for _, id := range []string{shell, cmd} {
			if id != strings.TrimSpace(id) || len(id) > len(body) {
				t.Errorf("id %q not trimmed or longer than the answer", id)
			}
		}
		if errShell == nil && shell != "" {
			got, err := decodeShellID([]byte(`<s:Envelope xmlns:s="` + nsSOAP + `" xmlns:rsp="` + nsShell + `"><s:Body><rsp:Shell><rsp:ShellId>` + escapeXML(shell) + `</rsp:ShellId></rsp:Shell></s:Body></s:Envelope>`))
			if err != nil || got != shell {
				t.Errorf("shell id re-read %q %v, want %q", got, err, shell)
			}
		}
		if errCmd == nil && cmd != "" {
			got, err := decodeCommandID([]byte(`<s:Envelope xmlns:s="` + nsSOAP + `" xmlns:rsp="` + nsShell + `"><s:Body><rsp:CommandResponse><rsp:CommandId>` + escapeXML(cmd) + `</rsp:CommandId></rsp:CommandResponse></s:Body></s:Envelope>`))
			if err != nil || got != cmd {
				t.Errorf("command id re-read %q %v, want %q", got, err, cmd)
			}
		}
	})
}

// FuzzAuthHeaders: the schemes read from WWW-Authenticate headers are single tokens (no space,
// comma or "="), at most one per comma-separated part; a token read for a scheme is non-empty,
// no larger than the header, and the same token sent again reads back.
func FuzzAuthHeaders(f *testing.F) {
	for _, h := range []string{
		"Negotiate", "Kerberos", `Basic realm="WSMAN"`, `Negotiate, Kerberos, Basic realm="WSMAN"`,
		"Negotiate TlRMTVNTUAACAAAADAAMADgAAAAzgoriASNFZ4mrze8AAAAAAAAAACQAJABEAAAABgBwFwAAAA9TAGUAcgB2AGUAcgACAAwARABvAG0AYQBpAG4AAQAMAFMAZQByAHYAZQByAAAAAAA=",
		"Negotiate oYG2MIGzoAMKAQChCwYJKoZIgvcSAQICooGeBIGb, Basic realm=x, y=z",
	} {
		f.Add(h, "Negotiate")
	}
	f.Fuzz(func(t *testing.T, header, scheme string) {
		values := strings.Split(header, "\n")
		var schemes []string
		var tok []byte
		var ok bool
		fuzzcheck.Alloc(t, "authSchemes, serverToken", len(header), 8, 1<<16, func() {
			schemes = authSchemes(values)
			tok, ok = serverToken(values, scheme)
		})
		if len(schemes) > strings.Count(header, ",")+len(values) {
			t.Errorf("%d schemes from %q", len(schemes), header)
		}
		for _, s := range schemes {
			if s == "" || strings.ContainsAny(s, ",=") || strings.IndexFunc(s, unicode.IsSpace) >= 0 {
				t.Errorf("scheme %q", s)
			}
		}
		if !ok {
			return
		}
		if len(tok) == 0 || len(tok) > len(header) {
			t.Errorf("token of %d bytes from a header of %d", len(tok), len(header))
		}
		if back, ok := serverToken([]string{"Basic realm=x, " + scheme + " " + base64.StdEncoding.EncodeToString(tok)}, scheme); !ok || !bytes.Equal(back, tok) {
			t.Errorf("token %x re-read as %x %v", tok, back, ok)
		}
	})
}
