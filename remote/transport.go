package remote

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/masterzen/winrm"
	"github.com/masterzen/winrm/soap"

	"github.com/tlsready/tlsready/internal/redact"
)

// WS-Management actions of the answers that a run expects.
const (
	actionSendResponse    = "http://schemas.microsoft.com/wbem/wsman/1/windows/shell/SendResponse"
	actionReceiveResponse = "http://schemas.microsoft.com/wbem/wsman/1/windows/shell/ReceiveResponse"
)

// transporter is the HTTP side of one run: it posts envelopes bound to a context, with
// Basic on the client's shared HTTP transport, or with NTLM/Kerberos on the run's own
// authenticated (and over HTTP encrypted) connection (authSession), and turns every answer
// that is not a 200 SOAP envelope into a typed error (*FaultError, *AuthError, *HTTPError). It
// reads every body with a size limit and always closes it.
type transporter struct {
	ctx            context.Context
	hc             *http.Client
	url            string
	user, password string
	closeConn      bool         // ask for the connection to be closed after the answer
	sess           *authSession // NTLM/Kerberos: the run's connection and context; nil for Basic
}

// withContext returns a copy of t bound to ctx.
func (t *transporter) withContext(ctx context.Context) *transporter {
	c := *t
	c.ctx = ctx
	return &c
}

// closing returns a copy of t whose requests close their connection.
func (t *transporter) closing() *transporter {
	c := *t
	c.closeConn = true
	return &c
}

// post sends one envelope given in parts and returns the answer's body.
func (t *transporter) post(e message) ([]byte, error) {
	if t.sess != nil {
		return t.sess.post(t, e)
	}
	req, err := e.request(t.ctx, t.url)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/soap+xml;charset=UTF-8")
	req.SetBasicAuth(t.user, t.password)
	req.Close = t.closeConn
	resp, err := t.hc.Do(req)
	if err != nil {
		return nil, basicTransportError(unwrapURLError(err))
	}
	defer resp.Body.Close() // http.Transport drops a connection whose body was not read to its end
	if headerLines(resp.Header) > maxHeaderLines {
		return nil, headerLimitError(true)
	}
	body, err := readAnswer(resp)
	if err != nil {
		return nil, fmt.Errorf("reading the answer (HTTP %d): %w", resp.StatusCode, err)
	}
	if len(body) > maxResponseBytes {
		return nil, &HTTPError{Status: resp.StatusCode, ContentType: resp.Header.Get("Content-Type"),
			Snippet: fmt.Sprintf("answer larger than %d bytes", maxResponseBytes)}
	}
	return t.answer(resp, body)
}

// basicTransportError turns http.Transport's refusal of a header section over
// MaxResponseHeaderBytes, which it reports with an error of no type of its own, into the error
// the session's connections give (headerLimitError).
func basicTransportError(err error) error {
	if strings.Contains(err.Error(), "server response headers exceeded") {
		return headerLimitError(false)
	}
	return err
}

// headerLines counts the header lines of an answer.
func headerLines(h http.Header) int {
	n := 0
	for _, v := range h {
		n += len(v)
	}
	return n
}

// message is the body of one request in parts, sent one after another. The Send of the
// collector keeps its base64 text, the same for every host, in a part of its own: shared by
// all runs, read and never copied per host.
type message [][]byte

// size is the length of the body.
func (e message) size() int {
	n := 0
	for _, p := range e {
		n += len(p)
	}
	return n
}

// request is a POST of the body to url, with its Content-Length (WinRM takes no chunked
// body) and a GetBody for a retry on a new connection.
func (e message) request(ctx context.Context, url string) (*http.Request, error) {
	if len(e) == 1 {
		return http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(e[0]))
	}
	read := func() io.Reader {
		b := append(net.Buffers(nil), e...) // Read consumes the slice, not the parts
		return &b
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, read())
	if err != nil {
		return nil, err
	}
	req.ContentLength = int64(e.size())
	req.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(read()), nil }
	return req, nil
}

func (t *transporter) answer(resp *http.Response, body []byte) ([]byte, error) {
	ct := resp.Header.Get("Content-Type")
	soapBody := isSOAP(ct, body)
	switch {
	case resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden:
		e := &AuthError{Status: resp.StatusCode, Offered: authSchemes(resp.Header.Values("WWW-Authenticate")),
			HTTPS: strings.HasPrefix(t.url, "https:"), Mechanism: AuthBasic}
		if t.sess != nil {
			e.Mechanism = t.sess.mechanism
		}
		// Access denied, or a Basic 401 after the password was sent (unless the host does
		// not take Basic at all: then it did not check the password).
		e.Rejected = resp.StatusCode == http.StatusForbidden ||
			t.sess == nil && (len(e.Offered) == 0 || offersScheme(e.Offered, "Basic"))
		return nil, e
	case soapBody && resp.StatusCode == http.StatusOK && !bytes.Contains(body, []byte("Fault")):
		// The common answer: no fault can be in it, and the caller's decoder checks its
		// action; one XML pass instead of two.
		return body, nil
	case soapBody:
		env, err := parseEnvelope(body)
		if err != nil {
			if resp.StatusCode != http.StatusOK {
				return nil, t.httpError(resp, body)
			}
			return nil, &ProtocolError{Reason: err.Error()}
		}
		if env.fault != nil {
			env.fault.HTTPStatus = resp.StatusCode
			env.fault.Message = t.redact(env.fault.Message)
			env.fault.Reason = t.redact(env.fault.Reason)
			env.fault.WMIMessage = t.redact(env.fault.WMIMessage)
			return nil, env.fault
		}
		if resp.StatusCode != http.StatusOK {
			return nil, t.httpError(resp, body)
		}
		return body, nil
	default:
		return nil, t.httpError(resp, body)
	}
}

func (t *transporter) httpError(resp *http.Response, body []byte) *HTTPError {
	return &HTTPError{Status: resp.StatusCode, ContentType: resp.Header.Get("Content-Type"), Snippet: t.redact(snippet(body, 160))}
}

// redact removes the password (in clear, base64, UTF-16LE base64, or as user:password in
// base64) from text that a host sent back, should it ever echo it.
func (t *transporter) redact(s string) string {
	return redact.New(t.user, t.password).String(s)
}

// isSOAP reports whether an answer is an XML envelope: by its media type, or, when it has
// none, by its first bytes.
func isSOAP(contentType string, body []byte) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	if err == nil {
		switch mt {
		case "application/soap+xml", "application/xml", "text/xml":
			return true
		}
		return false
	}
	b := bytes.TrimSpace(body)
	return contentType == "" && bytes.HasPrefix(b, []byte("<")) && bytes.Contains(b[:min(len(b), 200)], []byte("Envelope"))
}

// authSchemes lists the schemes of WWW-Authenticate headers: "Negotiate", "Basic realm=..." ...
func authSchemes(values []string) []string {
	var out []string
	for _, v := range values {
		for _, part := range strings.Split(v, ",") {
			f := strings.Fields(part)
			if len(f) == 0 || strings.Contains(f[0], "=") {
				continue // a parameter of the previous scheme
			}
			out = append(out, f[0])
		}
	}
	return out
}

// offersScheme reports whether offered (see authSchemes) holds scheme.
func offersScheme(offered []string, scheme string) bool {
	for _, s := range offered {
		if strings.EqualFold(s, scheme) {
			return true
		}
	}
	return false
}

// snippet renders the start of a body on one line, for an error message.
func snippet(body []byte, n int) string {
	s := strings.ToValidUTF8(string(body), "?")
	s = strings.Join(strings.Fields(s), " ")
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "..."
}

// expectAction checks that a 200 answer is the one asked for.
func expectAction(body []byte, want string) error {
	env, err := parseEnvelope(body)
	if err != nil {
		return &ProtocolError{Reason: err.Error()}
	}
	if env.action != want {
		return &ProtocolError{Reason: fmt.Sprintf("answer %q where %q was expected", shortAction(env.action), shortAction(want))}
	}
	return nil
}

func shortAction(a string) string {
	if i := strings.LastIndexByte(a, '/'); i >= 0 {
		return a[i+1:]
	}
	return a
}

// newCommandRequest is winrm.NewExecuteCommandRequest with WINRS_CONSOLEMODE_STDIN=FALSE: with
// TRUE (the library's fixed choice) the process's stdin is not a pipe, and PowerShell does not
// read the program that is sent to it with Send. Ansible's WinRM connection makes the same
// choice whenever it feeds stdin.
func newCommandRequest(uri, shellID, command string, params *winrm.Parameters) *soap.SoapMessage {
	m := soap.NewMessage()
	shellHeader(m, uri, "http://schemas.microsoft.com/wbem/wsman/1/windows/shell/Command", params).
		ShellId(shellID).
		AddOption(soap.NewHeaderOption("WINRS_CONSOLEMODE_STDIN", "FALSE")).
		AddOption(soap.NewHeaderOption("WINRS_SKIP_CMD_SHELL", "FALSE")).
		Build()
	body := m.CreateBodyElement("CommandLine", soap.DOM_NS_WIN_SHELL)
	m.CreateElement(body, "Command", soap.DOM_NS_WIN_SHELL).SetContent("<![CDATA[" + command + "]]>")
	return m
}

// readAnswer reads a response body, at most maxResponseBytes+1 bytes (see readAnswerMax).
func readAnswer(resp *http.Response) ([]byte, error) {
	return readAnswerMax(resp, maxResponseBytes)
}
