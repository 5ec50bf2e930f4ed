package remote

import (
	"bufio"
	"bytes"
	"crypto/tls"
	"encoding/base64"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tlsready/tlsready/internal/labenv"
)

const (
	testUser     = `LAB\scanner`
	testPassword = "pa55-Word!secret"
	testShellID  = "4283CBDC-3706-415B-88BD-B385F3E51A53"
	testCmdID    = "CF84C20A-0A35-43FA-AF78-0B4711DA5F30"
)

const actionDeleteResponse = "http://schemas.xmlsoap.org/ws/2004/09/transfer/DeleteResponse"

// ---- recorded exchanges with Windows (pypsrp's test captures) ----

// captureDirs are where the recorded exchanges may be: the repository's copy, then the shared
// fixtures beside the checkout.
var captureDirs = []string{"../testdata/wsman-captures", "../../shared/fixtures/windows-wsman-captures"}

type captureMsg struct {
	Request, Response string
	Status            int // HTTP status of the response: 200, or the transport_error code
}

// captureDir returns the directory of the captures, or skips the test.
func captureDir(t testing.TB) string {
	t.Helper()
	for _, d := range captureDirs {
		if m, _ := filepath.Glob(filepath.Join(d, "*.yml")); len(m) > 0 {
			return d
		}
	}
	labenv.Require(t, fmt.Sprint("no WS-Management captures found in ", captureDirs))
	return ""
}

// loadCapture reads one capture file. The files are YAML of a fixed shape (see their README):
// "- request: <xml>", "  response: <xml>", "  transport_error:" with "    code: N", and
// "  overrides:" blocks that are ignored.
func loadCapture(t testing.TB, name string) []captureMsg {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(captureDir(t), name))
	if err != nil {
		t.Fatal(err)
	}
	var msgs []captureMsg
	inError := false
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		l := sc.Text()
		switch {
		case strings.HasPrefix(l, "- request: "):
			msgs = append(msgs, captureMsg{Request: strings.TrimPrefix(l, "- request: "), Status: 200})
			inError = false
		case strings.HasPrefix(l, "  response: "):
			msgs[len(msgs)-1].Response = strings.TrimPrefix(l, "  response: ")
		case l == "  transport_error:":
			inError = true
		case inError && strings.HasPrefix(l, "    code: "):
			n, err := strconv.Atoi(strings.TrimPrefix(l, "    code: "))
			if err != nil {
				t.Fatalf("%s: %q", name, l)
			}
			msgs[len(msgs)-1].Status = n
		case strings.HasPrefix(l, "  ") && !strings.HasPrefix(l, "    "):
			inError = false
		}
	}
	if len(msgs) == 0 {
		t.Fatalf("%s: no messages", name)
	}
	return msgs
}

// ---- a fake WinRM host on loopback ----

var (
	reAction    = regexp.MustCompile(`<(?:\w+:)?Action[^>]*>([^<]+)</`)
	reMessageID = regexp.MustCompile(`<(?:\w+:)?MessageID>([^<]+)</`)
	reStream    = regexp.MustCompile(`<(?:\w+:)?Stream([^>]*)>([^<]*)</`)
	reCommand   = regexp.MustCompile(`<(?:\w+:)?Command>(?:<!\[CDATA\[)?(.*?)(?:\]\]>)?</`)
	reOpTimeout = regexp.MustCompile(`<(?:\w+:)?OperationTimeout>([^<]+)<`)
	reEnvSize   = regexp.MustCompile(`<(?:\w+:)?MaxEnvelopeSize[^>]*>([^<]+)<`)
	reRelatesTo = regexp.MustCompile(`(<(?:\w+:)?RelatesTo>)[^<]*(</)`)
	reOption    = regexp.MustCompile(`<(?:\w+:)?Option Name="([^"]+)">([^<]*)<`)
	reShellID   = regexp.MustCompile(`<(?:\w+:)?Selector Name="ShellId">([^<]+)<`)
)

// fakeReq is one request as the fake host saw it.
type fakeReq struct {
	Action    string // the last part of the action URI: Create, Command, Send, Receive, Signal, Delete
	MessageID string
	N         int // 1 for the first request of this action, 2 for the second...
	ShellID   string
	ShellN    int // like N, counting in this shell only
	Body      string
	r         *http.Request
}

// fakeAnswer is what a fake host sends back. Zero Status means "do the default".
type fakeAnswer struct {
	Status      int
	ContentType string
	Body        string
	Header      http.Header
}

// fakeHost answers WS-Management like Windows: a shell, a command that prints Stdout and
// Stderr and exits with ExitCode. Answer, if set, may replace any answer. It counts requests
// per action and open connections.
type fakeHost struct {
	t   *testing.T
	srv *httptest.Server

	Stdout, Stderr []byte
	ExitCode       int
	Answer         func(r *fakeReq) fakeAnswer

	mu          sync.Mutex
	counts      map[string]int
	shellCounts map[string]int
	stdin       bytes.Buffer
	stdinEnd    bool
	commands    []string
	reqSizes    []int
	reqs        []*fakeReq

	openConns atomic.Int64
	stop      chan struct{}
}

func newFakeHost(t *testing.T) *fakeHost {
	t.Helper()
	return startFakeHost(t, nil)
}

// newFakeHostTLS serves HTTPS with httptest's certificate (for example.com, 127.0.0.1 and ::1);
// conf, if set, adjusts the server's TLS configuration.
func newFakeHostTLS(t *testing.T, conf func(*tls.Config)) *fakeHost {
	t.Helper()
	if conf == nil {
		conf = func(*tls.Config) {}
	}
	return startFakeHost(t, conf)
}

func startFakeHost(t *testing.T, tlsConf func(*tls.Config)) *fakeHost {
	h := &fakeHost{t: t, counts: map[string]int{}, shellCounts: map[string]int{}, stop: make(chan struct{})}
	h.srv = httptest.NewUnstartedServer(http.HandlerFunc(h.serve))
	h.srv.Config.ConnState = h.connState
	h.srv.Config.ErrorLog = log.New(io.Discard, "", 0) // TLS handshake failures are expected in some tests
	if tlsConf != nil {
		h.srv.TLS = &tls.Config{}
		tlsConf(h.srv.TLS)
		h.srv.StartTLS()
	} else {
		h.srv.Start()
	}
	t.Cleanup(h.Close)
	return h
}

func (h *fakeHost) connState(_ net.Conn, s http.ConnState) {
	switch s {
	case http.StateNew:
		h.openConns.Add(1)
	case http.StateClosed, http.StateHijacked:
		h.openConns.Add(-1)
	}
}

// Close stops the server (idempotent).
func (h *fakeHost) Close() {
	h.mu.Lock()
	select {
	case <-h.stop:
		h.mu.Unlock()
		return
	default:
		close(h.stop)
	}
	h.mu.Unlock()
	h.srv.Close()
}

// Endpoint is where the fake host listens.
func (h *fakeHost) Endpoint() Endpoint {
	ep, err := ParseEndpoint(h.srv.Listener.Addr().String())
	if err != nil {
		h.t.Fatal(err)
	}
	return ep
}

func (h *fakeHost) Count(action string) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.counts[action]
}

func (h *fakeHost) Total() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	n := 0
	for _, c := range h.counts {
		n += c
	}
	return n
}

func (h *fakeHost) Stdin() ([]byte, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return bytes.Clone(h.stdin.Bytes()), h.stdinEnd
}

func (h *fakeHost) Commands() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]string(nil), h.commands...)
}

func (h *fakeHost) Requests() []*fakeReq {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]*fakeReq(nil), h.reqs...)
}

// WaitIdle waits until the host has no open connection.
func (h *fakeHost) WaitIdle(t *testing.T) {
	t.Helper()
	waitFor(t, 5*time.Second, func() bool { return h.openConns.Load() == 0 },
		func() string { return fmt.Sprintf("%d connections still open", h.openConns.Load()) })
}

func (h *fakeHost) serve(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return
	}
	if r.Method != http.MethodPost || r.URL.Path != "/wsman" || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/soap+xml") {
		h.t.Errorf("fake host: %s %s (%s)", r.Method, r.URL.Path, r.Header.Get("Content-Type"))
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	req := &fakeReq{Body: string(body), r: r}
	if m := reAction.FindStringSubmatch(req.Body); m != nil {
		req.Action = m[1][strings.LastIndexByte(m[1], '/')+1:]
	}
	if m := reMessageID.FindStringSubmatch(req.Body); m != nil {
		req.MessageID = m[1]
	}
	if m := reShellID.FindStringSubmatch(req.Body); m != nil {
		req.ShellID = m[1]
	}
	h.mu.Lock()
	h.counts[req.Action]++
	req.N = h.counts[req.Action]
	h.shellCounts[req.ShellID+" "+req.Action]++
	req.ShellN = h.shellCounts[req.ShellID+" "+req.Action]
	h.reqSizes = append(h.reqSizes, len(body))
	h.reqs = append(h.reqs, req)
	switch req.Action {
	case "Send":
		for _, m := range reStream.FindAllStringSubmatch(req.Body, -1) {
			b, err := base64.StdEncoding.DecodeString(m[2])
			if err != nil {
				h.t.Errorf("fake host: Send with bad base64: %v", err)
			}
			h.stdin.Write(b)
			if strings.Contains(strings.ToLower(m[1]), `end="true"`) {
				h.stdinEnd = true
			}
		}
	case "Command":
		if m := reCommand.FindStringSubmatch(req.Body); m != nil {
			h.commands = append(h.commands, m[1])
		}
	}
	h.mu.Unlock()

	var a fakeAnswer
	if user, pass, ok := r.BasicAuth(); !ok || user != testUser || pass != testPassword {
		a = fakeAnswer{Status: http.StatusUnauthorized, Header: http.Header{"Www-Authenticate": {"Negotiate", `Basic realm="WSMAN"`}}}
	} else if h.Answer != nil {
		a = h.Answer(req)
	}
	if a.Status == 0 {
		a = h.defaultAnswer(req)
	}
	for k, v := range a.Header {
		w.Header()[k] = v
	}
	if a.ContentType == "" && a.Body != "" {
		a.ContentType = "application/soap+xml;charset=UTF-8"
	}
	if a.ContentType != "" {
		w.Header().Set("Content-Type", a.ContentType)
	}
	w.WriteHeader(a.Status)
	_, _ = io.WriteString(w, a.Body)
}

func (h *fakeHost) defaultAnswer(r *fakeReq) fakeAnswer {
	ok := func(action, body string) fakeAnswer {
		return fakeAnswer{Status: 200, Body: envelopeXML(action, r.MessageID, body)}
	}
	switch r.Action {
	case "Create":
		id := fmt.Sprintf("%s-%012d", testShellID[:23], r.N) // one shell id per Create
		return ok("http://schemas.xmlsoap.org/ws/2004/09/transfer/CreateResponse",
			`<x:ResourceCreated><a:Address>http://127.0.0.1/wsman</a:Address></x:ResourceCreated><rsp:Shell><rsp:ShellId>`+id+`</rsp:ShellId></rsp:Shell>`)
	case "Command":
		return ok("http://schemas.microsoft.com/wbem/wsman/1/windows/shell/CommandResponse",
			`<rsp:CommandResponse><rsp:CommandId>`+testCmdID+`</rsp:CommandId></rsp:CommandResponse>`)
	case "Send":
		return ok(actionSendResponse, `<rsp:SendResponse/>`)
	case "Receive":
		return fakeAnswer{Status: 200, Body: receiveXML(r.MessageID, h.Stdout, h.Stderr, true, h.ExitCode)}
	case "Signal":
		return ok("http://schemas.microsoft.com/wbem/wsman/1/windows/shell/SignalResponse", `<rsp:SignalResponse/>`)
	case "Delete":
		return ok(actionDeleteResponse, "")
	}
	return fakeAnswer{Status: 500, Body: faultXML(r.MessageID, "s:Sender", "w:ActionNotSupported", 2150858757, "unknown action")}
}

// hang is an answer that never comes: it waits until the client gives up (or the test ends).
func (h *fakeHost) hang(r *fakeReq) fakeAnswer {
	select {
	case <-r.r.Context().Done():
	case <-h.stop:
	}
	return fakeAnswer{Status: 500, Body: "gone"}
}

const envelopeStart = `<s:Envelope xml:lang="en-US" xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing" xmlns:x="http://schemas.xmlsoap.org/ws/2004/09/transfer" xmlns:w="http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd" xmlns:rsp="http://schemas.microsoft.com/wbem/wsman/1/windows/shell" xmlns:p="http://schemas.microsoft.com/wbem/wsman/1/wsman.xsd">`

func envelopeXML(action, relatesTo, body string) string {
	return envelopeStart + `<s:Header><a:Action>` + action + `</a:Action><a:MessageID>uuid:7790BEEF-5704-4558-AB8D-D44833CF5805</a:MessageID>` +
		`<a:To>http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous</a:To><a:RelatesTo>` + relatesTo +
		`</a:RelatesTo></s:Header><s:Body>` + body + `</s:Body></s:Envelope>`
}

// receiveXML is a ReceiveResponse carrying stdout and stderr, Done with exitCode when done.
func receiveXML(relatesTo string, stdout, stderr []byte, done bool, exitCode int) string {
	var b strings.Builder
	b.WriteString(`<rsp:ReceiveResponse>`)
	stream := func(name string, data []byte) {
		for len(data) > 0 { // several Stream elements, as Windows sends them
			n := min(len(data), 1000)
			fmt.Fprintf(&b, `<rsp:Stream Name="%s" CommandId="%s">%s</rsp:Stream>`, name, testCmdID, base64.StdEncoding.EncodeToString(data[:n]))
			data = data[n:]
		}
		if done {
			fmt.Fprintf(&b, `<rsp:Stream Name="%s" CommandId="%s" End="true"></rsp:Stream>`, name, testCmdID)
		}
	}
	stream("stdout", stdout)
	stream("stderr", stderr)
	if done {
		fmt.Fprintf(&b, `<rsp:CommandState CommandId="%s" State="http://schemas.microsoft.com/wbem/wsman/1/windows/shell/CommandState/Done"><rsp:ExitCode>%d</rsp:ExitCode></rsp:CommandState>`, testCmdID, exitCode)
	} else {
		fmt.Fprintf(&b, `<rsp:CommandState CommandId="%s" State="http://schemas.microsoft.com/wbem/wsman/1/windows/shell/CommandState/Running"></rsp:CommandState>`, testCmdID)
	}
	b.WriteString(`</rsp:ReceiveResponse>`)
	return envelopeXML(actionReceiveResponse, relatesTo, b.String())
}

// faultXML is a fault as Windows writes it.
func faultXML(relatesTo, code, subcode string, wsmanCode uint32, message string) string {
	return envelopeStart + `<s:Header><a:Action>http://schemas.dmtf.org/wbem/wsman/1/wsman/fault</a:Action>` +
		`<a:MessageID>uuid:0D4B0250-D011-45CB-B33F-612745F6BEC5</a:MessageID><a:RelatesTo>` + relatesTo + `</a:RelatesTo></s:Header>` +
		`<s:Body><s:Fault><s:Code><s:Value>` + code + `</s:Value><s:Subcode><s:Value>` + subcode + `</s:Value></s:Subcode></s:Code>` +
		`<s:Reason><s:Text xml:lang="en-US">` + message + ` </s:Text></s:Reason><s:Detail>` +
		`<f:WSManFault xmlns:f="http://schemas.microsoft.com/wbem/wsman/1/wsmanfault" Code="` + strconv.FormatUint(uint64(wsmanCode), 10) +
		`" Machine="127.0.0.1"><f:Message>` + message + ` </f:Message></f:WSManFault></s:Detail></s:Fault></s:Body></s:Envelope>`
}

func timedOutFault(relatesTo string) fakeAnswer {
	return fakeAnswer{Status: 500, Body: faultXML(relatesTo, "s:Receiver", "w:TimedOut", CodeTimedOut,
		"The WS-Management service cannot complete the operation within the time specified in OperationTimeout.")}
}

// ---- the client side ----

// newTestClient returns a client for the fake hosts, with short timeouts, whose every HTTP
// response body is checked to be closed by the end of the test.
func newTestClient(t *testing.T, cfg Config) *Client {
	t.Helper()
	if cfg.User == "" {
		cfg.User, cfg.Password = testUser, testPassword
	}
	if cfg.Auth == "" {
		cfg.Auth = AuthBasic // the fake hosts speak Basic; see auth_test.go for NTLM
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = 5 * time.Second
	}
	c, err := NewClient(cfg)
	if err != nil {
		t.Fatal(err)
	}
	bt := &bodyTracker{next: c.hc.Transport, open: new(atomic.Int64)}
	c.hc.Transport = bt
	c.wrapRT = func(rt http.RoundTripper) http.RoundTripper { return &bodyTracker{next: rt, open: bt.open} }
	t.Cleanup(func() {
		c.Close()
		if n := bt.open.Load(); n != 0 {
			t.Errorf("%d response bodies left open", n)
		}
	})
	return c
}

// bodyTracker counts the response bodies that are not closed yet.
type bodyTracker struct {
	next http.RoundTripper
	open *atomic.Int64 // shared by the trackers of one client
}

func (b *bodyTracker) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := b.next.RoundTrip(r)
	if err != nil {
		return nil, err
	}
	b.open.Add(1)
	resp.Body = &trackedBody{ReadCloser: resp.Body, t: b}
	return resp, nil
}

type trackedBody struct {
	io.ReadCloser
	t    *bodyTracker
	once sync.Once
}

func (tb *trackedBody) Close() error {
	tb.once.Do(func() { tb.t.open.Add(-1) })
	return tb.ReadCloser.Close()
}

// checkSecret fails if an error message shows the password.
func checkSecret(t *testing.T, err error) {
	t.Helper()
	if err != nil && strings.Contains(err.Error(), testPassword) {
		t.Errorf("error shows the password: %v", err)
	}
}

// waitFor polls cond until it holds or the time is up.
func waitFor(t *testing.T, limit time.Duration, cond func() bool, what func() string) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal(what())
		}
		time.Sleep(10 * time.Millisecond)
	}
}
