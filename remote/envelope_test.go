package remote

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"os"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/masterzen/winrm"
	"github.com/masterzen/winrm/soap"
)

// Every request filled from a template is the library's envelope for the same values, but for
// the MessageID; a Send keeps its stdin text in a part of its own, the same slice it was given.
func TestTemplatesAreTheLibrarysEnvelopes(t *testing.T) {
	messageID := regexp.MustCompile(`uuid:[0-9A-Fa-f-]{36}`)
	stdin := []byte("$ErrorActionPreference = 'Stop'\r\n# collector <&>\r\n")
	stdin64 := []byte(base64.StdEncoding.EncodeToString(stdin))
	configs := []struct {
		locale string
		size   int
	}{{"en-US", 153600}, {"ja-JP", 512000}}
	ids := []struct{ shell, command string }{
		{"11111111-2222-3333-4444-555555555555", "AAAAAAAA-BBBB-CCCC-DDDD-EEEEEEEEEEEE"},
		{stdinMarker, stdinMarker}, // ids that look like the stdin marker
		{"{0F}", "x.y_z:1"},
	}
	for _, cfg := range configs {
		ts, err := compileTemplates(cfg.locale, cfg.size)
		if err != nil {
			t.Fatal(err)
		}
		for _, id := range ids {
			url := "https://h.example.com:5986/wsman"
			v := &values{url: url, messageID: newMessageID(), timeout: "PT42S", shellID: id.shell, commandID: id.command,
				command: `powershell -NoProfile -Command "& {x}"`, stdin: stdin64}
			p := winrm.NewParameters("PT42S", cfg.locale, cfg.size)
			library := map[requestKind]*soap.SoapMessage{
				reqCreate:  winrm.NewOpenShellRequest(url, p),
				reqCommand: newCommandRequest(url, id.shell, v.command, p),
				reqSend:    winrm.NewSendInputRequest(url, id.shell, id.command, stdin, false, p),
				reqSendEnd: winrm.NewSendInputRequest(url, id.shell, id.command, stdin, true, p),
				reqReceive: winrm.NewGetOutputRequest(url, id.shell, id.command, "stdout stderr", p),
				reqSignal:  winrm.NewSignalRequest(url, id.shell, id.command, p),
				reqDelete:  winrm.NewDeleteShellRequest(url, id.shell, p),
			}
			if len(library) != int(numRequestKinds) {
				t.Fatalf("%d kinds tested, %d exist", len(library), numRequestKinds)
			}
			for k, m := range library {
				got := ts[k].fill(v)
				text := string(bytes.Join(got, nil))
				want := m.String()
				if k == reqCreate {
					// Ours asks for no profile (MustComply), the library's for one.
					lib := `<w:Option Name="WINRS_NOPROFILE">FALSE</w:Option>`
					if strings.Count(want, lib) != 1 {
						t.Fatalf("the library's Create has no %s:\n%s", lib, want)
					}
					want = strings.Replace(want, lib, `<w:Option MustComply="true" Name="WINRS_NOPROFILE">TRUE</w:Option>`, 1)
				}
				if messageID.ReplaceAllString(text, "ID") != messageID.ReplaceAllString(want, "ID") {
					t.Errorf("%s kind %d:\n%s\nwant\n%s", cfg.locale, k, text, want)
				}
				if !strings.Contains(text, v.messageID) {
					t.Errorf("kind %d: message id %s not in the request", k, v.messageID)
				}
				if got.size() != len(text) {
					t.Errorf("kind %d: size %d, want %d", k, got.size(), len(text))
				}
				send := k == reqSend || k == reqSendEnd
				if send && (len(got) != 3 || &got[1][0] != &stdin64[0]) {
					t.Errorf("kind %d: stdin not a shared part of its own (%d parts)", k, len(got))
				}
				if !send && len(got) != 1 {
					t.Errorf("kind %d: %d parts, want 1", k, len(got))
				}
			}
		}
	}
}

// option is a WS-Management Option element: its attributes and text.
type option struct {
	XMLName xml.Name
	Attrs   []xml.Attr `xml:",any,attr"`
	Text    string     `xml:",chardata"`
}

var optionSet = regexp.MustCompile(`(?s)<(\w+:)?OptionSet\b.*?</(\w+:)?OptionSet>`)

// options returns the Option elements of the first OptionSet in text, by their Name attribute,
// each rendered as its namespace, sorted attributes and text.
func options(t *testing.T, text string) map[string]string {
	t.Helper()
	frag := optionSet.FindString(text)
	if frag == "" {
		t.Fatalf("no OptionSet in %.200s", text)
	}
	// The fragment uses prefixes declared on the envelope: declare the two it may use.
	wrapped := `<root xmlns:w="http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd" xmlns:wsman="http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd" xmlns:s="http://www.w3.org/2003/05/soap-envelope">` + frag + `</root>`
	var root struct {
		Set struct {
			Options []option `xml:"http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd Option"`
		} `xml:"http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd OptionSet"`
	}
	if err := xml.Unmarshal([]byte(wrapped), &root); err != nil {
		t.Fatalf("OptionSet %s: %v", frag, err)
	}
	out := map[string]string{}
	for _, o := range root.Set.Options {
		var attrs []string
		name := ""
		for _, a := range o.Attrs {
			attrs = append(attrs, a.Name.Space+" "+a.Name.Local+"="+a.Value)
			if a.Name.Local == "Name" {
				name = a.Value
			}
		}
		sort.Strings(attrs)
		out[name] = o.XMLName.Space + " [" + strings.Join(attrs, " ") + "] " + o.Text
	}
	return out
}

// The Create asks for no profile exactly as a Windows client does in the recorded exchange
// (same element, attributes and value), and keeps the library's UTF-8 code page.
func TestCreateAsksForNoProfile(t *testing.T) {
	capture, err := os.ReadFile("../testdata/wsman-captures/test_winrs_noprofile.yml")
	if err != nil {
		t.Fatal(err)
	}
	first := string(capture)
	if i := strings.Index(first, "response:"); i >= 0 {
		first = first[:i] // the Create request
	}
	windows := options(t, first)
	if windows["WINRS_NOPROFILE"] == "" {
		t.Fatalf("the capture's Create has no WINRS_NOPROFILE: %v", windows)
	}
	ts, err := compileTemplates("en-US", 153600)
	if err != nil {
		t.Fatal(err)
	}
	create := string(bytes.Join(ts[reqCreate].fill(&values{url: "http://h:5985/wsman", messageID: newMessageID(), timeout: "PT20S"}), nil))
	ours := options(t, create)
	if ours["WINRS_NOPROFILE"] != windows["WINRS_NOPROFILE"] {
		t.Errorf("WINRS_NOPROFILE option %q, Windows client %q", ours["WINRS_NOPROFILE"], windows["WINRS_NOPROFILE"])
	}
	if want := "http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd [ Name=WINRS_CODEPAGE] 65001"; ours["WINRS_CODEPAGE"] != want {
		t.Errorf("WINRS_CODEPAGE option %q, want %q", ours["WINRS_CODEPAGE"], want)
	}
	if len(ours) != 2 {
		t.Errorf("Create options %v, want WINRS_NOPROFILE and WINRS_CODEPAGE", ours)
	}
	if _, err := mustComplyNoProfile("<x/>"); err == nil {
		t.Error("an envelope without the option was accepted")
	}
}

func TestCompileRejects(t *testing.T) {
	two := "<a>uuid:00000000-0000-4000-8000-000000000000</a><b>uuid:00000000-0000-4000-8000-000000000001</b>"
	if _, err := compile(two); err == nil {
		t.Error("two message ids compiled")
	}
	if tpl, err := compile("<a>" + slotURL.marker() + "</a>"); err != nil || len(tpl.slots) != 1 || tpl.slots[0] != slotURL {
		t.Errorf("compile = %+v, %v", tpl, err)
	}
}

func TestNewMessageID(t *testing.T) {
	format := regexp.MustCompile(`^uuid:[0-9A-F]{8}-[0-9A-F]{4}-4[0-9A-F]{3}-[89AB][0-9A-F]{3}-[0-9A-F]{12}$`)
	seen := map[string]bool{}
	for i := 0; i < 100; i++ {
		id := newMessageID()
		if !format.MatchString(id) || seen[id] {
			t.Fatalf("message id %q (seen before: %t)", id, seen[id])
		}
		seen[id] = true
	}
}

func TestValidID(t *testing.T) {
	for id, want := range map[string]bool{
		"11111111-2222-3333-4444-555555555555":   true,
		"{3F2504E0-4F89-11D3-9A0C-0305E82C3301}": true,
		"":                                       false,
		`x"/><injected/>`:                        false,
		"a b":                                    false,
		strings.Repeat("A", 129):                 false,
	} {
		if got := validID(id); got != want {
			t.Errorf("validID(%q) = %t, want %t", id, got, want)
		}
	}
}

// A host whose ShellId or CommandId is not an identifier fails the run with a protocol error
// naming it; its text goes into no further request.
func TestRunRejectsIDsThatAreNoIdentifiers(t *testing.T) {
	const evil = `S1"/&gt;&lt;w:Injected/&gt;`
	tests := []struct {
		name, action, body, step string
	}{
		{"ShellId", "Create", `<rsp:Shell><rsp:ShellId>` + evil + `</rsp:ShellId></rsp:Shell>`, stepCreateShell},
		{"CommandId", "Command", `<rsp:CommandResponse><rsp:CommandId>` + evil + `</rsp:CommandId></rsp:CommandResponse>`, stepCommand},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newFakeHost(t)
			h.Answer = func(r *fakeReq) fakeAnswer {
				if r.Action == tt.action {
					return fakeAnswer{Status: 200, Body: envelopeXML("http://schemas.xmlsoap.org/ws/2004/09/transfer/"+tt.action+"Response", r.MessageID, tt.body)}
				}
				return fakeAnswer{}
			}
			c := newTestClient(t, Config{})
			_, err := c.Run(context.Background(), h.Endpoint(), "x", nil)
			var e *Error
			var pe *ProtocolError
			if !errors.As(err, &e) || e.Step != tt.step || !errors.As(err, &pe) || !strings.Contains(err.Error(), "not an identifier") {
				t.Fatalf("err = %v, want a protocol error at %s", err, tt.step)
			}
			for _, r := range h.Requests() {
				if strings.Contains(r.Body, "Injected") {
					t.Errorf("%s request carries the host's text: %s", r.Action, r.Body)
				}
			}
		})
	}
}

// The base64 chunks are made once for the same stdin and made again when it changes, even in
// the same slice.
func TestStdinChunksCache(t *testing.T) {
	c := newTestClient(t, Config{})
	stdin := []byte("0123456789")
	decode := func(chunks [][]byte) string {
		var out []byte
		for _, ch := range chunks {
			b, err := base64.StdEncoding.DecodeString(string(ch))
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, b...)
		}
		return string(out)
	}
	first := c.stdinChunks(stdin, 4)
	if len(first) != 3 || decode(first) != "0123456789" {
		t.Fatalf("chunks %q", first)
	}
	if again := c.stdinChunks(bytes.Clone(stdin), 4); &again[0][0] != &first[0][0] {
		t.Error("same stdin encoded again")
	}
	stdin[0] = 'X'
	if got := decode(c.stdinChunks(stdin, 4)); got != "X123456789" {
		t.Errorf("changed stdin gives %q", got)
	}
	if got := c.stdinChunks(stdin, 5); len(got) != 2 || decode(got) != "X123456789" {
		t.Errorf("other chunk size gives %q", got)
	}
	if got := c.stdinChunks([]byte{}, 4); len(got) != 1 || len(got[0]) != 0 {
		t.Errorf("empty stdin gives %q, want one empty chunk", got)
	}
}
