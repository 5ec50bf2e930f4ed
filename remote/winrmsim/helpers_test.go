package winrmsim

import (
	"bufio"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/tlsready/tlsready/facts"
	"github.com/tlsready/tlsready/internal/psgrammar/psgtest"
)

// skipCmdShell runs a command without cmd.exe.
var skipCmdShell = [][2]string{{"WINRS_SKIP_CMD_SHELL", "TRUE"}}

const (
	testUser     = `LAB\tlsready`
	testPassword = "s3cret-lab-password"
)

// win7 is a Windows 7 SP1 64-bit host with the update and both DefaultSecureProtocols values.
const win7 = `{"name": "PC-W7-01",
 "os": {"caption": "Microsoft Windows 7 Enterprise", "version": "6.1.7601", "servicePack": 1, "productType": "workstation", "arch": "64-bit"},
 "files": {"C:\\Windows\\System32\\webio.dll": "6.1.7601.23375 (win7sp1_ldr.160303-0600)",
           "%SystemRoot%\\System32\\winhttp.dll": "6.1.7601.23375 (win7sp1_ldr.160303-0600)"},
 "registry": {"HKLM\\SOFTWARE\\Microsoft\\Windows\\CurrentVersion\\Internet Settings\\WinHttp": {"DefaultSecureProtocols": {"type": "REG_DWORD", "data": 2560}},
              "HKLM\\SOFTWARE\\Wow6432Node\\Microsoft\\Windows\\CurrentVersion\\Internet Settings\\WinHttp": {"DefaultSecureProtocols": {"type": "REG_DWORD", "data": 2560}}},
 "fault": ""}`

// win10 is a Windows 10 64-bit host with nothing configured.
const win10 = `{"name": "PC-W10-01",
 "os": {"caption": "Microsoft Windows 10 Pro", "version": "10.0.19045", "servicePack": 0, "productType": "workstation", "arch": "64-bit"},
 "files": {}, "registry": {}, "fault": ""}`

func mustProfile(t testing.TB, js string) Profile {
	t.Helper()
	p, err := decodeProfile(t.Name()+".json", []byte(js))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func withFault(t testing.TB, js, name, fault string) Profile {
	p := mustProfile(t, js)
	p.Name, p.Fault = name, fault
	return p
}

// basicLab lets the tests' Basic client in over HTTP: Windows' defaults plus Basic and
// AllowUnencrypted (winrm set winrm/config/service @{AllowUnencrypted="true"} and
// winrm set winrm/config/service/auth @{Basic="true"}). Tests of authentication set Auth.
func basicLab(opts Options) Options {
	if opts.Auth == nil {
		opts.Auth, opts.AllowUnencrypted = []string{SchemeNegotiate, SchemeBasic}, true
	}
	return opts
}

// grammar is the PowerShell grammar of this test binary (one node process), when installed.
var grammar = psgtest.Opener()

// judged sets opts.ScriptValidator to the PowerShell grammar, so that a host refuses a program
// that PowerShell would refuse (see psgtest.ScriptValidator for when it is not installed).
func judged(t testing.TB, opts Options) Options {
	t.Helper()
	if opts.ScriptValidator == nil {
		opts.ScriptValidator = psgtest.ScriptValidator(t, grammar)
	}
	return opts
}

// startHost starts a host with the test account, Basic allowed and the grammar judging programs.
func startHost(t testing.TB, p Profile, opts Options) *Host {
	t.Helper()
	if opts.User == "" {
		opts.User, opts.Password = testUser, testPassword
	}
	opts = judged(t, basicLab(opts))
	h, err := Start(context.Background(), p, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = h.Close() })
	return h
}

// client is a WS-Management client written for the tests: plain net/http and strings.
type client struct {
	t          testing.TB
	url        string
	user, pass string
	hc         *http.Client
	timeout    string // OperationTimeout of every request
	maxEnv     int    // MaxEnvelopeSize of every request
}

func newClient(t testing.TB, h *Host) *client {
	tr := &http.Transport{}
	t.Cleanup(tr.CloseIdleConnections)
	return &client{t: t, url: h.URL(), user: testUser, pass: testPassword,
		hc: &http.Client{Transport: tr, Timeout: 30 * time.Second}, timeout: "PT20S", maxEnv: 153600}
}

type response struct {
	status int
	header http.Header
	body   []byte
	root   *node // nil when the body is not XML
}

func (c *client) post(body string) response {
	c.t.Helper()
	resp, err := c.postErr(context.Background(), body)
	if err != nil {
		c.t.Fatal(err)
	}
	return resp
}

func (c *client) postErr(ctx context.Context, body string) (response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.url, strings.NewReader(body))
	if err != nil {
		return response{}, err
	}
	req.Header.Set("Content-Type", "application/soap+xml;charset=UTF-8")
	if c.user != "" {
		req.SetBasicAuth(c.user, c.pass)
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return response{}, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return response{}, err
	}
	r := response{status: resp.StatusCode, header: resp.Header, body: b}
	if len(b) > 0 {
		r.root, _ = parseTree(b)
	}
	return r, nil
}

// soapReq is a request envelope, rendered the way pywinrm does (the captures' client).
type soapReq struct {
	action, resource string
	shellID          string
	options          [][2]string
	body             string
}

func (c *client) envelope(r soapReq) string {
	if r.resource == "" {
		r.resource = resourceCmd
	}
	var b strings.Builder
	b.WriteString(`<s:Envelope xmlns:rsp="` + nsShell + `" xmlns:s="` + nsSOAP + `" xmlns:wsa="` + nsAddr + `" xmlns:wsman="` + nsWSMan + `" xmlns:wsmv="` + nsWSMV + `"><s:Header>`)
	b.WriteString(`<wsa:Action s:mustUnderstand="true">` + r.action + `</wsa:Action>`)
	fmt.Fprintf(&b, `<wsman:MaxEnvelopeSize s:mustUnderstand="true">%d</wsman:MaxEnvelopeSize>`, c.maxEnv)
	b.WriteString(`<wsa:MessageID>uuid:` + newUUID() + `</wsa:MessageID>`)
	b.WriteString(`<wsman:OperationTimeout>` + c.timeout + `</wsman:OperationTimeout>`)
	b.WriteString(`<wsa:ReplyTo><wsa:Address s:mustUnderstand="true">` + anonymous + `</wsa:Address></wsa:ReplyTo>`)
	b.WriteString(`<wsman:ResourceURI s:mustUnderstand="true">` + r.resource + `</wsman:ResourceURI><wsa:To>` + c.url + `</wsa:To>`)
	if len(r.options) > 0 {
		b.WriteString(`<wsman:OptionSet s:mustUnderstand="true">`)
		for _, o := range r.options {
			b.WriteString(`<wsman:Option Name="` + o[0] + `">` + esc(o[1]) + `</wsman:Option>`)
		}
		b.WriteString(`</wsman:OptionSet>`)
	}
	if r.shellID != "" {
		b.WriteString(`<wsman:SelectorSet><wsman:Selector Name="ShellId">` + r.shellID + `</wsman:Selector></wsman:SelectorSet>`)
	}
	b.WriteString(`</s:Header><s:Body>` + r.body + `</s:Body></s:Envelope>`)
	return b.String()
}

func (c *client) do(r soapReq) response {
	c.t.Helper()
	return c.post(c.envelope(r))
}

// ok fails the test unless resp is a 200 answer with the given action.
func (c *client) ok(resp response, action string) *node {
	c.t.Helper()
	if resp.status != 200 || resp.root == nil {
		c.t.Fatalf("want HTTP 200 %s, got %d: %s", action, resp.status, truncate(string(resp.body), 600))
	}
	if got := resp.root.text(nsSOAP+" Header", nsAddr+" Action"); got != action {
		c.t.Fatalf("want action %s, got %s", action, got)
	}
	return resp.root
}

func (c *client) createShell(options ...[2]string) string {
	c.t.Helper()
	root := c.ok(c.do(soapReq{action: actionCreate, options: options,
		body: `<rsp:Shell><rsp:InputStreams>stdin</rsp:InputStreams><rsp:OutputStreams>stdout stderr</rsp:OutputStreams></rsp:Shell>`}),
		nsTransfer+"/CreateResponse")
	id := root.text(nsSOAP+" Body", nsShell+" Shell", nsShell+" ShellId")
	if id == "" {
		c.t.Fatal("no ShellId in CreateResponse")
	}
	return id
}

func commandBody(command string, args ...string) string {
	s := `<rsp:CommandLine><rsp:Command>` + esc(command) + `</rsp:Command>`
	for _, a := range args {
		s += `<rsp:Arguments>` + esc(a) + `</rsp:Arguments>`
	}
	return s + `</rsp:CommandLine>`
}

func (c *client) command(shellID string, options [][2]string, command string, args ...string) string {
	c.t.Helper()
	root := c.ok(c.do(soapReq{action: actionCommand, shellID: shellID, options: options, body: commandBody(command, args...)}),
		nsShell+"/CommandResponse")
	return root.text(nsSOAP+" Body", nsShell+" CommandResponse", nsShell+" CommandId")
}

func sendBody(cmdID string, data []byte, end bool) string {
	e := ""
	if end {
		e = ` End="true"`
	}
	return `<rsp:Send><rsp:Stream Name="stdin" CommandId="` + cmdID + `"` + e + `>` + base64.StdEncoding.EncodeToString(data) + `</rsp:Stream></rsp:Send>`
}

func (c *client) send(shellID, cmdID string, data []byte, end bool) {
	c.t.Helper()
	c.ok(c.do(soapReq{action: actionSend, shellID: shellID, body: sendBody(cmdID, data, end)}), nsShell+"/SendResponse")
}

func receiveBody(cmdID string) string {
	return `<rsp:Receive><rsp:DesiredStream CommandId="` + cmdID + `">stdout stderr</rsp:DesiredStream></rsp:Receive>`
}

// receiveAll polls until the command is done and returns what it wrote.
func (c *client) receiveAll(shellID, cmdID string) (stdout, stderr []byte, exitCode int) {
	c.t.Helper()
	for range 1000 {
		resp := c.do(soapReq{action: actionReceive, shellID: shellID, body: receiveBody(cmdID)})
		if resp.status == 500 && faultSubcode(resp.root) == "w:TimedOut" {
			continue
		}
		root := c.ok(resp, nsShell+"/ReceiveResponse")
		rr := root.find(nsSOAP+" Body", nsShell+" ReceiveResponse")
		done := false
		for _, ch := range rr.children {
			switch ch.name {
			case nsShell + " Stream":
				b, err := base64.StdEncoding.DecodeString(ch.chardata)
				if err != nil {
					c.t.Fatal(err)
				}
				if ch.attr("Name") == "stderr" {
					stderr = append(stderr, b...)
				} else {
					stdout = append(stdout, b...)
				}
			case nsShell + " CommandState":
				if strings.HasSuffix(ch.attr("State"), "/Done") {
					done = true
					exitCode, _ = strconv.Atoi(ch.text(nsShell + " ExitCode"))
				}
			}
		}
		if done {
			return stdout, stderr, exitCode
		}
	}
	c.t.Fatal("command never done")
	return
}

func (c *client) signal(shellID, cmdID string) response {
	c.t.Helper()
	return c.do(soapReq{action: actionSignal, shellID: shellID,
		body: `<rsp:Signal CommandId="` + cmdID + `"><rsp:Code>` + signalPrefix + `terminate</rsp:Code></rsp:Signal>`})
}

func (c *client) deleteShell(shellID string) {
	c.t.Helper()
	c.ok(c.do(soapReq{action: actionDelete, shellID: shellID}), nsTransfer+"/DeleteResponse")
}

// run runs one command line in a new shell, as a WinRM client does, stdin closed after data.
func (c *client) run(options [][2]string, stdin []byte, command string, args ...string) (string, string, int) {
	c.t.Helper()
	shellID := c.createShell()
	defer c.deleteShell(shellID)
	cmdID := c.command(shellID, options, command, args...)
	if stdin != nil {
		c.send(shellID, cmdID, stdin, true)
	}
	out, errOut, code := c.receiveAll(shellID, cmdID)
	c.signal(shellID, cmdID)
	return string(out), string(errOut), code
}

// bootstrap is a collector bootstrap of the kind remote sends: it runs the program on stdin.
const bootstrap = `$s=@($input) -join [char]10; &([ScriptBlock]::Create($s))`

func encodeCommand(script string) string {
	u := utf16.Encode([]rune(script))
	b := make([]byte, 2*len(u))
	for i, c := range u {
		b[2*i], b[2*i+1] = byte(c), byte(c>>8)
	}
	return base64.StdEncoding.EncodeToString(b)
}

// collectorScript is a stand-in for the collector: any program with the item list.
func collectorScript(t testing.TB, items []facts.Item) string {
	t.Helper()
	block, err := facts.FormatItems(items)
	if err != nil {
		t.Fatal(err)
	}
	return "# tlsready collector (test)\r\n$ErrorActionPreference = 'Stop'\r\n" +
		strings.ReplaceAll(block, "\n", "\r\n") + "\r\nforeach ($l in $tlsreadyItems -split \"`n\") { }\r\n"
}

func faultSubcode(root *node) string {
	if root == nil {
		return ""
	}
	return root.text(nsSOAP+" Body", nsSOAP+" Fault", nsSOAP+" Code", nsSOAP+" Subcode", nsSOAP+" Value")
}

func faultCode(root *node) string {
	f := root.find(nsSOAP+" Body", nsSOAP+" Fault", nsSOAP+" Detail", nsFault+" WSManFault")
	if f == nil {
		return ""
	}
	return f.attr("Code")
}

func faultMessage(root *node) string {
	f := root.find(nsSOAP+" Body", nsSOAP+" Fault", nsSOAP+" Detail", nsFault+" WSManFault", nsFault+" Message")
	if f == nil {
		return ""
	}
	return f.allText()
}

// node is a parsed XML element; names are "namespace local".
type node struct {
	name     string
	attrs    []xml.Attr
	chardata string
	children []*node
}

func parseTree(b []byte) (*node, error) {
	dec := xml.NewDecoder(bytes.NewReader(b))
	var stack []*node
	var root *node
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			n := &node{name: t.Name.Space + " " + t.Name.Local}
			for _, a := range t.Attr {
				if a.Name.Space != "xmlns" && a.Name.Local != "xmlns" {
					n.attrs = append(n.attrs, a)
				}
			}
			if len(stack) > 0 {
				p := stack[len(stack)-1]
				p.children = append(p.children, n)
			} else {
				root = n
			}
			stack = append(stack, n)
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			if len(stack) > 0 {
				stack[len(stack)-1].chardata += string(t)
			}
		}
	}
	if root == nil {
		return nil, fmt.Errorf("no element")
	}
	return root, nil
}

// find walks down from n (path names the children, not n itself).
func (n *node) find(path ...string) *node {
	cur := n
	for _, p := range path {
		var next *node
		for _, c := range cur.children {
			if c.name == p {
				next = c
				break
			}
		}
		if next == nil {
			return nil
		}
		cur = next
	}
	return cur
}

func (n *node) text(path ...string) string {
	if f := n.find(path...); f != nil {
		return strings.TrimSpace(f.chardata)
	}
	return ""
}

func (n *node) allText() string {
	s := n.chardata
	for _, c := range n.children {
		s += c.allText()
	}
	return s
}

func (n *node) attr(local string) string {
	for _, a := range n.attrs {
		if a.Name.Local == local {
			return a.Value
		}
	}
	return ""
}

// captureMessage is one request/response pair of a recorded exchange.
type captureMessage struct {
	request, response string
	status            int // transport_error code; 200 when none
}

// readCapture reads the captures' YAML: a "messages:" list of request, response and optional
// transport_error.code (and overrides, which only restate the request).
func readCapture(path string) ([]captureMessage, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var msgs []captureMessage
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<22)
	section := ""
	for sc.Scan() {
		line := sc.Text()
		trimmed := strings.TrimSpace(line)
		switch {
		case trimmed == "" || trimmed == "messages:":
		case strings.HasPrefix(line, "- request: "):
			msgs = append(msgs, captureMessage{request: strings.TrimPrefix(line, "- request: "), status: 200})
			section = ""
		case len(msgs) == 0:
			return nil, fmt.Errorf("%s: %q before the first message", path, truncate(line, 40))
		case strings.HasPrefix(line, "  response: "):
			msgs[len(msgs)-1].response = strings.TrimPrefix(line, "  response: ")
		case strings.HasPrefix(line, "  ") && !strings.HasPrefix(line, "   ") && strings.HasSuffix(trimmed, ":"):
			section = strings.TrimSuffix(trimmed, ":")
		case section == "transport_error" && strings.HasPrefix(trimmed, "code: "):
			n, err := strconv.Atoi(strings.TrimPrefix(trimmed, "code: "))
			if err != nil {
				return nil, fmt.Errorf("%s: %q: %v", path, line, err)
			}
			msgs[len(msgs)-1].status = n
		case section == "transport_error" || section == "overrides":
		default:
			return nil, fmt.Errorf("%s: unexpected line %q", path, truncate(line, 60))
		}
	}
	return msgs, sc.Err()
}

// settleGoroutines waits until at most n goroutines run, and reports how many do.
func settleGoroutines(n int) int {
	deadline := time.Now().Add(5 * time.Second)
	for {
		got := runtime.NumGoroutine()
		if got <= n || time.Now().After(deadline) {
			return got
		}
		time.Sleep(20 * time.Millisecond)
	}
}
