package remote

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"regexp"
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
