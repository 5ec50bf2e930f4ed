package winrmsim

import (
	"bytes"
	"encoding/base64"
	"encoding/xml"
	"reflect"
	"strings"
	"testing"
)

// unmarshalRequest gives what xml.Unmarshal gives, for Sends whose long texts it takes out and
// for envelopes where a long text or a marker is somewhere else.
func TestUnmarshalRequestIsXMLUnmarshal(t *testing.T) {
	c := &client{url: "http://127.0.0.1:5985/wsman", maxEnv: 153600, timeout: "PT60S"}
	long := func(n int) []byte { return bytes.Repeat([]byte("tlsready"), n/8+1)[:n] }
	b64 := func(n int) string { return base64.StdEncoding.EncodeToString(long(n)) }
	send := func(streams string) string {
		return c.envelope(soapReq{action: actionSend, shellID: "S", body: `<rsp:Send>` + streams + `</rsp:Send>`})
	}
	tests := map[string]string{
		"short send":                 send(`<rsp:Stream Name="stdin" CommandId="C" End="true">` + b64(30) + `</rsp:Stream>`),
		"long send":                  send(`<rsp:Stream Name="stdin" CommandId="C" End="true">` + b64(12000) + `</rsp:Stream>`),
		"two long streams":           send(`<rsp:Stream Name="stdin" CommandId="C">` + b64(3000) + `</rsp:Stream><rsp:Stream Name="stdin" CommandId="C" End="true">` + b64(5000) + `</rsp:Stream>`),
		"text exactly at limit":      send(`<rsp:Stream Name="stdin" CommandId="C">` + strings.Repeat("A", longText) + `</rsp:Stream>`),
		"marker sent literally":      send(`<rsp:Stream Name="stdin" CommandId="C">#0#</rsp:Stream><rsp:Stream Name="stdin" CommandId="C">` + b64(3000) + `</rsp:Stream>`),
		"marker sent as next":        send(`<rsp:Stream Name="stdin" CommandId="C">#1#</rsp:Stream><rsp:Stream Name="stdin" CommandId="C">` + b64(3000) + `</rsp:Stream>`),
		"long text in a header":      strings.Replace(send(`<rsp:Stream Name="stdin" CommandId="C">QQ==</rsp:Stream>`), "uuid:", "uuid:"+strings.Repeat("B", 2000), 1),
		"long text beside a comment": send(`<rsp:Stream Name="stdin" CommandId="C"><!-- x -->` + b64(3000) + `</rsp:Stream>`),
		"long command":               c.envelope(soapReq{action: actionCommand, shellID: "S", body: commandBody(strings.Repeat("A", 5000))}),
		"long text, bad XML":         send(`<rsp:Stream Name="stdin" CommandId="C">` + b64(3000) + `</rsp:Strm>`),
		"not XML":                    "<" + b64(3000) + "<",
	}
	for name, body := range tests {
		t.Run(name, func(t *testing.T) {
			var want, got request
			wantErr := xml.Unmarshal([]byte(body), &want)
			gotErr := unmarshalRequest([]byte(body), &got)
			if (wantErr == nil) != (gotErr == nil) || wantErr != nil && wantErr.Error() != gotErr.Error() {
				t.Fatalf("error %v, xml.Unmarshal's %v", gotErr, wantErr)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("got %+v\nwant %+v", got, want)
			}
		})
	}
}

// BenchmarkParseSend parses the Send of the collector (about 12 KB).
func BenchmarkParseSend(b *testing.B) {
	c := &client{url: "http://127.0.0.1:5985/wsman", maxEnv: 153600, timeout: "PT60S"}
	body := []byte(c.envelope(soapReq{action: actionSend, shellID: "S", body: sendBody("C", bytes.Repeat([]byte("x"), 8600), true)}))
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		if _, err := parseRequest(body); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkParseSendXML is the same with xml.Unmarshal alone, as the simulator parsed before.
func BenchmarkParseSendXML(b *testing.B) {
	c := &client{url: "http://127.0.0.1:5985/wsman", maxEnv: 153600, timeout: "PT60S"}
	body := []byte(c.envelope(soapReq{action: actionSend, shellID: "S", body: sendBody("C", bytes.Repeat([]byte("x"), 8600), true)}))
	for b.Loop() {
		var r request
		if err := xml.Unmarshal(body, &r); err != nil {
			b.Fatal(err)
		}
	}
}
