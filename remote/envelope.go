package remote

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/masterzen/winrm"
	"github.com/masterzen/winrm/soap"
)

// The requests of a run are the library's envelopes (winrm.NewSendInputRequest and the
// others; the Create and the Command are built with the library's builder, see
// newOpenShellRequest and newCommandRequest). Building one of them makes a document of some fifty allocations and prints it through
// fmt; a scan sends six per host. So each kind of request is built once per Client, with markers
// in place of the values that change between requests, and cut at the markers into a template;
// a request is the template's text with the values put back, in one allocation. The library does
// not escape the values it is given, and neither does a template: the ids that go into
// requests are checked (validID) when the host gives them.

// slot is a value that changes between requests of the same kind.
type slot int

const (
	slotURL slot = iota
	slotMessageID
	slotTimeout
	slotShellID
	slotCommandID
	slotCommand
	slotStdin // the base64 text of a Send: a part of its own in the message, shared, not copied
	numSlots
)

// marker is the text that stands for s in the envelope the library builds. The stdin marker is
// base64 text, since the library encodes what it is given; the others are no XML a value
// could contain.
func (s slot) marker() string {
	if s == slotStdin {
		return stdinMarker
	}
	return fmt.Sprintf("\x00slot%d\x00", int(s))
}

// stdinMarker stands for the stream's content of a Send; it is valid base64, so the library
// takes it like any content.
const stdinMarker = "tlsreadyStdinChunkMarker"

// libraryMessageID matches the MessageID that the library makes itself (winrm's genUUID): the
// one value not given to it, found in its output instead.
var libraryMessageID = regexp.MustCompile(`uuid:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}`)

// values are the slot values of one request.
type values struct {
	url, messageID, timeout, shellID, commandID, command string
	stdin                                                []byte
}

func (v *values) get(s slot) string {
	switch s {
	case slotURL:
		return v.url
	case slotMessageID:
		return v.messageID
	case slotTimeout:
		return v.timeout
	case slotShellID:
		return v.shellID
	case slotCommandID:
		return v.commandID
	case slotCommand:
		return v.command
	}
	return ""
}

// template is one kind of request cut at its slots: text[0], slots[0], text[1], ... text[n].
type template struct {
	text  []string
	slots []slot
}

// compile cuts an envelope at its markers and at the library's MessageID.
func compile(envelope string) (template, error) {
	type cut struct {
		at, n int
		s     slot
	}
	var cuts []cut
	for s := slot(0); s < numSlots; s++ {
		m := s.marker()
		for i, off := 0, 0; ; off = i + len(m) {
			j := strings.Index(envelope[off:], m)
			if j < 0 {
				break
			}
			i = off + j
			cuts = append(cuts, cut{i, len(m), s})
		}
	}
	if ids := libraryMessageID.FindAllStringIndex(envelope, -1); len(ids) > 1 {
		return template{}, fmt.Errorf("envelope has %d message ids", len(ids))
	} else if len(ids) == 1 {
		cuts = append(cuts, cut{ids[0][0], ids[0][1] - ids[0][0], slotMessageID})
	}
	sort.Slice(cuts, func(i, j int) bool { return cuts[i].at < cuts[j].at })
	var t template
	prev := 0
	for _, c := range cuts {
		if c.at < prev {
			return template{}, fmt.Errorf("envelope markers overlap at %d", c.at)
		}
		t.text = append(t.text, envelope[prev:c.at])
		t.slots = append(t.slots, c.s)
		prev = c.at + c.n
	}
	t.text = append(t.text, envelope[prev:])
	return t, nil
}

// fill returns the request with v in the slots: one part, or three for a Send (before the
// stdin text, the shared stdin text, after it).
func (t template) fill(v *values) message {
	n := 0
	for _, s := range t.text {
		n += len(s)
	}
	for _, s := range t.slots {
		if s != slotStdin {
			n += len(v.get(s))
		}
	}
	buf := make([]byte, 0, n)
	var m message
	for i, s := range t.slots {
		buf = append(buf, t.text[i]...)
		if s == slotStdin {
			m = append(m, buf, v.stdin)
			buf = buf[len(buf):] // the rest of the same allocation
			continue
		}
		buf = append(buf, v.get(s)...)
	}
	buf = append(buf, t.text[len(t.text)-1]...)
	return append(m, buf)
}

// requestKind is a kind of request of a run.
type requestKind int

const (
	reqCreate requestKind = iota
	reqCommand
	reqSend    // a Send that is not the last
	reqSendEnd // the last Send, marked End
	reqReceive
	reqSignal
	reqDelete
	numRequestKinds
)

// templates are the compiled requests of one Client.
type templates [numRequestKinds]template

// compileTemplates builds every kind of request with the library, for a locale and envelope
// size, and compiles it.
func compileTemplates(locale string, envelopeSize int) (*templates, error) {
	p := winrm.NewParameters(slotTimeout.marker(), locale, envelopeSize)
	url, shell, cmd := slotURL.marker(), slotShellID.marker(), slotCommandID.marker()
	stdin, _ := base64.StdEncoding.DecodeString(stdinMarker)
	build := [numRequestKinds]func() *soap.SoapMessage{
		reqCreate:  func() *soap.SoapMessage { return newOpenShellRequest(url, p) },
		reqCommand: func() *soap.SoapMessage { return newCommandRequest(url, shell, slotCommand.marker(), p) },
		reqSend:    func() *soap.SoapMessage { return winrm.NewSendInputRequest(url, shell, cmd, stdin, false, p) },
		reqSendEnd: func() *soap.SoapMessage { return winrm.NewSendInputRequest(url, shell, cmd, stdin, true, p) },
		reqReceive: func() *soap.SoapMessage {
			return winrm.NewGetOutputRequest(url, shell, cmd, "stdout stderr", p)
		},
		reqSignal: func() *soap.SoapMessage { return winrm.NewSignalRequest(url, shell, cmd, p) },
		reqDelete: func() *soap.SoapMessage { return winrm.NewDeleteShellRequest(url, shell, p) },
	}
	var ts templates
	for k, b := range build {
		text := b().String()
		if requestKind(k) == reqCreate {
			var err error
			if text, err = mustComplyNoProfile(text); err != nil {
				return nil, fmt.Errorf("request template %d: %w", k, err)
			}
		}
		t, err := compile(text)
		if err != nil {
			return nil, fmt.Errorf("request template %d: %w", k, err)
		}
		ts[k] = t
	}
	return &ts, nil
}

// newOpenShellRequest is winrm.NewOpenShellRequest with WINRS_NOPROFILE=TRUE instead of the
// library's FALSE. With FALSE, Windows loads the scanning account's user profile for the shell,
// and creates it (C:\Users\<account>) on the first contact: the scan would change every PC it
// reads, and the account's hive would appear under HKEY_USERS beside the hives of the people who
// use the PC. The collector needs no profile. The envelope text gets the option's MustComply
// attribute from mustComplyNoProfile.
func newOpenShellRequest(uri string, params *winrm.Parameters) *soap.SoapMessage {
	m := soap.NewMessage()
	shellHeader(m, uri, "http://schemas.xmlsoap.org/ws/2004/09/transfer/Create", params).
		AddOption(soap.NewHeaderOption("WINRS_NOPROFILE", "TRUE")).
		AddOption(soap.NewHeaderOption("WINRS_CODEPAGE", "65001")).
		Build()
	body := m.CreateBodyElement("Shell", soap.DOM_NS_WIN_SHELL)
	m.CreateElement(body, "InputStreams", soap.DOM_NS_WIN_SHELL).SetContent("stdin")
	m.CreateElement(body, "OutputStreams", soap.DOM_NS_WIN_SHELL).SetContent("stdout stderr")
	return m
}

// shellHeader starts the header of a request to the cmd shell as the library builds it:
// addressing, envelope size, a new message id, locale, timeout and the action.
func shellHeader(m *soap.SoapMessage, uri, action string, params *winrm.Parameters) *soap.SoapHeader {
	return m.Header().
		To(uri).
		ReplyTo("http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous").
		MaxEnvelopeSize(params.EnvelopeSize).
		Id(newMessageID()).
		Locale(params.Locale).
		Timeout(params.Timeout).
		Action(action).
		ResourceURI("http://schemas.microsoft.com/wbem/wsman/1/windows/shell/cmd")
}

// noProfileOption is the WINRS_NOPROFILE option as the library writes it, and as a Windows
// client sends it (testdata/wsman-captures/test_winrs_noprofile.yml): MustComply="true", so that
// a host that cannot honour it faults instead of loading the profile anyway.
const (
	noProfileOption       = `<w:Option Name="WINRS_NOPROFILE">TRUE</w:Option>`
	noProfileOptionComply = `<w:Option MustComply="true" Name="WINRS_NOPROFILE">TRUE</w:Option>`
)

// mustComplyNoProfile adds MustComply="true" to the WINRS_NOPROFILE option of a Create envelope
// (the library's options have no attributes but Name).
func mustComplyNoProfile(envelope string) (string, error) {
	if n := strings.Count(envelope, noProfileOption); n != 1 {
		return "", fmt.Errorf("create envelope has %d WINRS_NOPROFILE options, want 1", n)
	}
	return strings.Replace(envelope, noProfileOption, noProfileOptionComply, 1), nil
}

// newMessageID returns "uuid:" and a random (version 4) UUID in capitals, as Windows writes
// them.
func newMessageID() string {
	const digits = "0123456789ABCDEF"
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	out := make([]byte, 0, 5+36)
	out = append(out, "uuid:"...)
	for i, c := range b {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			out = append(out, '-')
		}
		out = append(out, digits[c>>4], digits[c&15])
	}
	return string(out)
}

// validID reports whether a ShellId or CommandId from a host may be put into a request: the
// library writes values as they are, so an id must be plain text (Windows sends GUIDs).
func validID(id string) bool {
	if id == "" || len(id) > 128 {
		return false
	}
	for _, c := range []byte(id) {
		switch {
		case c >= '0' && c <= '9', c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z':
		case c == '-', c == '{', c == '}', c == '_', c == '.', c == ':':
		default:
			return false
		}
	}
	return true
}
