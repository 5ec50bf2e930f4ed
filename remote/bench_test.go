package remote

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"strings"
	"testing"

	"github.com/masterzen/winrm"

	"github.com/tlsready/tlsready/checks"
)

// receiveResponse is a ReceiveResponse carrying the collector's whole output (about 6 KB) and
// the end of the command, as a host sends it.
func receiveResponse(tb testing.TB) []byte {
	tb.Helper()
	out := strings.Repeat("reg\tdsp64\tHKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Internet Settings\\WinHttp\tDefaultSecureProtocols\tok\tREG_DWORD\tMjU2MA==\r\n", 50)
	return []byte(fmt.Sprintf(`<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing" `+
		`xmlns:w="http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd" xmlns:rsp="http://schemas.microsoft.com/wbem/wsman/1/windows/shell">`+
		`<s:Header><a:Action>http://schemas.microsoft.com/wbem/wsman/1/windows/shell/ReceiveResponse</a:Action>`+
		`<a:MessageID>uuid:1</a:MessageID><a:To>http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous</a:To><a:RelatesTo>uuid:2</a:RelatesTo></s:Header>`+
		`<s:Body><rsp:ReceiveResponse><rsp:Stream Name="stdout" CommandId="C1">%s</rsp:Stream><rsp:Stream Name="stdout" CommandId="C1" End="true"></rsp:Stream>`+
		`<rsp:Stream Name="stderr" CommandId="C1" End="true"></rsp:Stream><rsp:CommandState CommandId="C1" State="http://schemas.microsoft.com/wbem/wsman/1/windows/shell/CommandState/Done">`+
		`<rsp:ExitCode>0</rsp:ExitCode></rsp:CommandState></rsp:ReceiveResponse></s:Body></s:Envelope>`, base64.StdEncoding.EncodeToString([]byte(out))))
}

// BenchmarkDecodeReceive is the client's work on the answer that carries the collector's
// output: the action check and the streams.
func BenchmarkDecodeReceive(b *testing.B) {
	body := receiveResponse(b)
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		var stdout, stderr bytes.Buffer
		done, code, err := decodeReceive(body, &stdout, &stderr, maxOutputBytes)
		if err != nil || !done || code != 0 || stdout.Len() == 0 {
			b.Fatalf("%v %v %d %d", err, done, code, stdout.Len())
		}
	}
}

// BenchmarkDecodeReceiveLibrary is the same work with the winrm library's parser, which the
// client used before decodeReceive.
func BenchmarkDecodeReceiveLibrary(b *testing.B) {
	body := receiveResponse(b)
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		if err := expectAction(body, actionReceiveResponse); err != nil {
			b.Fatal(err)
		}
		var stdout, stderr bytes.Buffer
		if _, _, err := winrm.ParseSlurpOutputErrResponse(string(body), &stdout, &stderr); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkEncodeRequests renders the requests of one host as the client does: Create, Command
// (the bootstrap), Send (the collector on stdin, its base64 text shared) and Receive, from the
// compiled templates.
func BenchmarkEncodeRequests(b *testing.B) {
	ts, err := compileTemplates("en-US", 153600)
	if err != nil {
		b.Fatal(err)
	}
	script, err := CollectorScript(checks.Items())
	if err != nil {
		b.Fatal(err)
	}
	stdin64 := []byte(base64.StdEncoding.EncodeToString([]byte(script)))
	v := &values{url: "http://pc-01.corp.example:5985/wsman", timeout: "PT20S", shellID: "S1", commandID: "C1",
		command: CollectorCommand(), stdin: stdin64}
	for b.Loop() {
		n := 0
		for _, k := range []requestKind{reqCreate, reqCommand, reqSendEnd, reqReceive} {
			v.messageID = newMessageID()
			n += ts[k].fill(v).size()
		}
		if n == 0 {
			b.Fatal("empty requests")
		}
	}
}

// BenchmarkEncodeRequestsLibrary is the same work with the library's builders, which the client
// used before the templates.
func BenchmarkEncodeRequestsLibrary(b *testing.B) {
	params := winrm.NewParameters("PT20S", "en-US", 153600)
	script, err := CollectorScript(checks.Items())
	if err != nil {
		b.Fatal(err)
	}
	url := "http://pc-01.corp.example:5985/wsman"
	for b.Loop() {
		n := len(winrm.NewOpenShellRequest(url, params).String())
		n += len(newCommandRequest(url, "S1", CollectorCommand(), params).String())
		n += len(winrm.NewSendInputRequest(url, "S1", "C1", []byte(script), true, params).String())
		n += len(winrm.NewGetOutputRequest(url, "S1", "C1", "stdout stderr", params).String())
		if n == 0 {
			b.Fatal("empty requests")
		}
	}
}
