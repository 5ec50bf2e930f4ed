package remote

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"
)

// This file is the session side of the WMI reader: WS-Transfer Get, WS-Enumeration
// Enumerate/Pull and WS-Management Invoke, posted over the same transporter as a shell run (the
// same authentication, one handshake per session, MS-WSMV sealing over HTTP, the same deadline,
// fault decoding and error categories). What is read with them is in wmireader.go.
//
// The envelopes are those a Windows client sends. The header (To, ResourceURI with
// mustUnderstand, ReplyTo, Action, MaxEnvelopeSize, MessageID, Locale, DataLocale, SelectorSet,
// OperationTimeout) and the Enumerate body (<w:OptimizeEnumeration/><w:MaxElements>) follow the
// request a Windows WinRM client sent to OMI, recorded in microsoft/omi
// Unix/tests/protocol/posthttp/test1.request.xml and test2.request.xml; MS-WSMAN 3.1.4.8
// (Enumerate) and DSP0226 8.2.3 (OptimizeEnumeration) define the elements,
// https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-wsman/. The Invoke action is
// the resource URI, "/", the method name, and its body <p:Method_INPUT xmlns:p="resource URI">
// with one element per parameter (MS-WSMV 3.1.4.1.29, "Invoke";
// https://learn.microsoft.com/en-us/openspecs/windows_protocols/ms-wsmv/, and jOVAL's jwsmv
// StdRegProv, which calls the registry provider this way against Windows).

// WS-Management actions and namespaces of the WMI operations.
const (
	nsEnumeration    = "http://schemas.xmlsoap.org/ws/2004/09/enumeration"
	nsTransfer       = "http://schemas.xmlsoap.org/ws/2004/09/transfer"
	nsMSWSMan        = "http://schemas.microsoft.com/wbem/wsman/1/wsman.xsd"
	nsXSI            = "http://www.w3.org/2001/XMLSchema-instance"
	actionGet        = nsTransfer + "/Get"
	actionGetResp    = nsTransfer + "/GetResponse"
	actionEnumerate  = nsEnumeration + "/Enumerate"
	actionEnumResp   = nsEnumeration + "/EnumerateResponse"
	actionPull       = nsEnumeration + "/Pull"
	actionPullResp   = nsEnumeration + "/PullResponse"
	anonymousAddress = "http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous"
)

// WMIResourceURI is the resource URI of a WMI class in a namespace ("root/cimv2",
// "root/default"): http://schemas.microsoft.com/wbem/wsman/1/wmi/<namespace>/<class> (MS-WSMV
// 3.1.4.1.2, "wmi" resource URIs).
func WMIResourceURI(namespace, class string) string {
	return "http://schemas.microsoft.com/wbem/wsman/1/wmi/" + strings.Trim(namespace, "/") + "/" + class
}

// Selector is one key of an instance (w:Selector Name="...").
type Selector struct {
	Name, Value string
}

// Param is one input parameter of a method, in the order the method declares them; Values
// holds one text per element (an array is repeated elements), and Nil sends xsi:nil="true".
type Param struct {
	Name   string
	Values []string
	Nil    bool
}

// Session is a WS-Management session with one host for reading WMI: every request goes over
// the same authenticated connection (NTLM, Kerberos: one handshake, sealed over HTTP), within
// the Config's Timeout from OpenSession. It is not safe for concurrent use. Close it.
type Session struct {
	r        *run
	cancel   context.CancelFunc
	mu       sync.Mutex
	requests int
	closed   bool
}

// OpenSession prepares a session with the host at ep: nothing is sent until the first request.
// The session's deadline is ctx's or the Config's Timeout from now, whichever is sooner.
func (c *Client) OpenSession(ctx context.Context, ep Endpoint) (*Session, error) {
	ep = c.normalize(ep)
	if !validHost(ep.Host) {
		return nil, &Error{Host: ep.Host, Step: stepConnect, Category: CategoryUnreachable,
			Err: fmt.Errorf("invalid host name %q", ep.Host)}
	}
	ctx, cancel := context.WithTimeout(ctx, c.cfg.Timeout)
	r := &run{c: c, ep: ep, ctx: ctx, start: time.Now()}
	r.tr = &transporter{ctx: ctx, hc: c.hc, url: c.url(ep), user: c.cfg.User, password: c.cfg.Password}
	if c.cfg.Auth != AuthBasic {
		r.tr.sess = c.newAuthSession(ep, r.tr.url)
	}
	return &Session{r: r, cancel: cancel}, nil
}

// Close closes the session's connection.
func (s *Session) Close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return
	}
	s.closed = true
	if s.r.tr.sess != nil {
		s.r.tr.sess.close()
	}
	s.cancel()
}

// Requests is how many WS-Management requests the session sent (the handshake not counted).
func (s *Session) Requests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests
}

// Host names the session's host in error messages.
func (s *Session) Host() string { return s.r.c.hostLabel(s.r.ep) }

// Steps of the WMI operations, as they appear in error messages.
const (
	stepWMIGet       = "wmi get"
	stepWMIEnumerate = "wmi enumerate"
	stepWMIPull      = "wmi pull"
	stepWMIInvoke    = "wmi invoke"
)

// post sends one envelope and returns the answer after checking its action. Errors are *Error
// of the step, classified as a shell run's are.
func (s *Session) post(step, envelope, wantAction string) (*wsmanAnswer, error) {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil, &Error{Host: s.Host(), Step: step, Category: CategoryWinRM, Err: errors.New("session closed")}
	}
	s.requests++
	s.mu.Unlock()
	if len(envelope) > s.r.c.cfg.EnvelopeSize {
		return nil, s.r.fail(step, fmt.Errorf("request of %d bytes exceeds the envelope size %d", len(envelope), s.r.c.cfg.EnvelopeSize))
	}
	body, err := s.r.tr.post(message{[]byte(envelope)})
	if err != nil {
		return nil, s.r.fail(step, err)
	}
	ans, err := parseWSManAnswer(body)
	if err != nil {
		return nil, s.r.fail(step, &ProtocolError{Reason: err.Error()})
	}
	if ans.Action != wantAction {
		return nil, s.r.fail(step, &ProtocolError{Reason: fmt.Sprintf("answer %q where %q was expected", shortAction(ans.Action), shortAction(wantAction))})
	}
	return ans, nil
}

// header renders the SOAP header of a request (see the file comment for its source).
func (s *Session) header(action, resourceURI string, selectors []Selector) string {
	s.r.setOperationTimeout()
	var b strings.Builder
	b.WriteString(`<s:Envelope xmlns:s="` + nsSOAP + `" xmlns:a="` + nsAddressing + `" xmlns:n="` + nsEnumeration +
		`" xmlns:w="` + nsWSMan + `" xmlns:p="` + nsMSWSMan + `"><s:Header>`)
	b.WriteString(`<a:To>` + xmlText(s.r.tr.url) + `</a:To>`)
	b.WriteString(`<w:ResourceURI s:mustUnderstand="true">` + xmlText(resourceURI) + `</w:ResourceURI>`)
	b.WriteString(`<a:ReplyTo><a:Address s:mustUnderstand="true">` + anonymousAddress + `</a:Address></a:ReplyTo>`)
	b.WriteString(`<a:Action s:mustUnderstand="true">` + xmlText(action) + `</a:Action>`)
	b.WriteString(`<w:MaxEnvelopeSize s:mustUnderstand="true">` + strconv.Itoa(s.r.c.cfg.EnvelopeSize) + `</w:MaxEnvelopeSize>`)
	b.WriteString(`<a:MessageID>` + newMessageID() + `</a:MessageID>`)
	loc := xmlText(s.r.c.cfg.Locale)
	b.WriteString(`<w:Locale xml:lang="` + loc + `" s:mustUnderstand="false"/><p:DataLocale xml:lang="` + loc + `" s:mustUnderstand="false"/>`)
	if len(selectors) > 0 {
		b.WriteString(`<w:SelectorSet>`)
		for _, sel := range selectors {
			b.WriteString(`<w:Selector Name="` + xmlText(sel.Name) + `">` + xmlText(sel.Value) + `</w:Selector>`)
		}
		b.WriteString(`</w:SelectorSet>`)
	}
	b.WriteString(`<w:OperationTimeout>` + s.r.timeout + `</w:OperationTimeout></s:Header>`)
	return b.String()
}

// Get reads one instance (WS-Transfer Get; DSP0226 7.3, MS-WSMAN 3.1.4.1): its selectors name
// it by its keys, none for a singleton.
func (s *Session) Get(resourceURI string, selectors ...Selector) (*Instance, error) {
	env := s.header(actionGet, resourceURI, selectors) + `<s:Body/></s:Envelope>`
	step := stepWMIGet + " " + shortResource(resourceURI)
	ans, err := s.post(step, env, actionGetResp)
	if err != nil {
		return nil, err
	}
	if len(ans.Instances) != 1 {
		return nil, s.r.fail(step, &ProtocolError{Reason: fmt.Sprintf("GetResponse with %d instances", len(ans.Instances))})
	}
	return ans.Instances[0], nil
}

// maxEnumerated bounds the instances one enumeration may return: the reader enumerates
// single-instance classes, and a host that streams instances without end is stopped.
const maxEnumerated = 1000

// Enumerate lists the instances of a class (WS-Enumeration Enumerate with
// wsman:OptimizeEnumeration and wsman:MaxElements, so that the first answer usually holds them
// all and ends the enumeration; Pull follows while the host says there is more). Selectors go
// with the Enumerate and every Pull: OMI and other CIM servers take the namespace as the
// __cimnamespace selector (microsoft/omi test2.request.xml); Windows' WMI resource URIs carry
// it in the URI and need none.
func (s *Session) Enumerate(resourceURI string, maxElements int, selectors ...Selector) ([]*Instance, error) {
	if maxElements < 1 {
		maxElements = 1
	}
	env := s.header(actionEnumerate, resourceURI, selectors) + `<s:Body><n:Enumerate><w:OptimizeEnumeration/><w:MaxElements>` +
		strconv.Itoa(maxElements) + `</w:MaxElements></n:Enumerate></s:Body></s:Envelope>`
	ans, err := s.post(stepWMIEnumerate+" "+shortResource(resourceURI), env, actionEnumResp)
	if err != nil {
		return nil, err
	}
	out := ans.Instances
	for !ans.EndOfSequence {
		if ans.Context == "" {
			return nil, s.r.fail(stepWMIEnumerate, &ProtocolError{Reason: "no EnumerationContext and no EndOfSequence"})
		}
		if len(out) > maxEnumerated {
			return nil, s.r.fail(stepWMIPull, &ProtocolError{Reason: fmt.Sprintf("more than %d instances", maxEnumerated)})
		}
		env := s.header(actionPull, resourceURI, selectors) + `<s:Body><n:Pull><n:EnumerationContext>` + xmlText(ans.Context) +
			`</n:EnumerationContext><n:MaxElements>` + strconv.Itoa(maxElements) + `</n:MaxElements></n:Pull></s:Body></s:Envelope>`
		if ans, err = s.post(stepWMIPull, env, actionPullResp); err != nil {
			return nil, err
		}
		out = append(out, ans.Instances...)
	}
	if len(out) > maxEnumerated {
		return nil, s.r.fail(stepWMIEnumerate, &ProtocolError{Reason: fmt.Sprintf("more than %d instances", maxEnumerated)})
	}
	return out, nil
}

// Invoke calls a method of a class or instance (WS-Management custom action; MS-WSMV
// 3.1.4.1.29): the body is <p:Method_INPUT xmlns:p="resourceURI"> with the parameters, the
// answer <p:Method_OUTPUT> with the out parameters and ReturnValue.
func (s *Session) Invoke(resourceURI, method string, params []Param, selectors ...Selector) (*Instance, error) {
	var b strings.Builder
	b.WriteString(s.header(resourceURI+"/"+method, resourceURI, selectors))
	b.WriteString(`<s:Body><p:` + method + `_INPUT xmlns:p="` + xmlText(resourceURI) + `"`)
	nilUsed := false
	for _, p := range params {
		nilUsed = nilUsed || p.Nil
	}
	if nilUsed {
		b.WriteString(` xmlns:xsi="` + nsXSI + `"`)
	}
	b.WriteString(`>`)
	for _, p := range params {
		if p.Nil {
			b.WriteString(`<p:` + p.Name + ` xsi:nil="true"/>`)
			continue
		}
		for _, v := range p.Values {
			b.WriteString(`<p:` + p.Name + `>` + xmlText(v) + `</p:` + p.Name + `>`)
		}
	}
	b.WriteString(`</p:` + method + `_INPUT></s:Body></s:Envelope>`)
	step := stepWMIInvoke + " " + shortResource(resourceURI) + "." + method
	ans, err := s.post(step, b.String(), resourceURI+"/"+method+"Response")
	if err != nil {
		return nil, err
	}
	if len(ans.Instances) != 1 || ans.Instances[0].Class != method+"_OUTPUT" {
		return nil, s.r.fail(step, &ProtocolError{Reason: "no " + method + "_OUTPUT in the answer"})
	}
	return ans.Instances[0], nil
}

// shortResource names a WMI resource URI as namespace:class ("root/default:StdRegProv") in
// error messages; another URI stays as it is.
func shortResource(uri string) string {
	const prefix = "http://schemas.microsoft.com/wbem/wsman/1/wmi/"
	rest, ok := strings.CutPrefix(uri, prefix)
	if i := strings.LastIndexByte(rest, '/'); ok && i > 0 {
		return rest[:i] + ":" + rest[i+1:]
	}
	return uri
}

// xmlText escapes s for XML text or an attribute value. Characters XML 1.0 cannot carry are
// replaced by U+FFFD.
func xmlText(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch r {
		case '&':
			b.WriteString("&amp;")
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '"':
			b.WriteString("&quot;")
		case '\'':
			b.WriteString("&apos;")
		case '\t', '\n':
			b.WriteString("&#x" + strconv.FormatInt(int64(r), 16) + ";")
		case '\r':
			b.WriteString("&#xD;")
		default:
			if r < 0x20 || r == 0xFFFE || r == 0xFFFF || (r >= 0xD800 && r < 0xE000) {
				r = '\uFFFD'
			}
			b.WriteRune(r)
		}
	}
	return b.String()
}
