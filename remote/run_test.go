package remote

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/pem"
	"errors"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/masterzen/winrm"
)

// replayHost answers each request with the next recorded answer to the same action.
func replayHost(t *testing.T, capture string) *fakeHost {
	t.Helper()
	queues := map[string][]captureMsg{}
	for _, m := range loadCapture(t, capture) {
		a := reAction.FindStringSubmatch(m.Request)
		if a == nil {
			t.Fatalf("%s: request without action", capture)
		}
		short := a[1][strings.LastIndexByte(a[1], '/')+1:]
		queues[short] = append(queues[short], m)
	}
	h := newFakeHost(t)
	h.Answer = func(r *fakeReq) fakeAnswer {
		q := queues[r.Action]
		if len(q) == 0 {
			t.Errorf("%s: no recorded answer to %s", capture, r.Action)
			return fakeAnswer{Status: 500, ContentType: "text/plain", Body: "not recorded"}
		}
		m := q[min(r.N, len(q))-1]
		return fakeAnswer{Status: m.Status, Body: reRelatesTo.ReplaceAllString(m.Response, "${1}"+r.MessageID+"${2}")}
	}
	return h
}

// Run returns what Windows printed in the recorded exchanges, through long polls answered by
// w:TimedOut (test_winrs_operation_timeout.yml) and with stdin sent in two parts.
func TestRunReplaysCaptures(t *testing.T) {
	tests := []struct {
		capture        string
		stdin          []byte
		stdout, stderr string
		exitCode       int
		receives       int
	}{
		{capture: "test_winrs_standard.yml", stdout: "hi\r\n", receives: 1},
		{capture: "test_winrs_stderr_rc.yml", stdout: "out \r\n", stderr: "err \r\n", exitCode: 1, receives: 1},
		{capture: "test_winrs_unicode.yml", stdout: "こんにちは\n", receives: 1},
		{capture: "test_winrs_send.yml", stdin: []byte("Write-Host \"output 1\";\r\nWrite-Host \"output 2\";\r\n"), stdout: "output 1\noutput 2\n", receives: 1},
		{capture: "test_winrs_operation_timeout.yml", stdout: "hi\nhi again\n", receives: 4},
	}
	for _, tt := range tests {
		t.Run(strings.TrimSuffix(tt.capture, ".yml"), func(t *testing.T) {
			h := replayHost(t, tt.capture)
			c := newTestClient(t, Config{})
			res, err := c.Run(context.Background(), h.Endpoint(), "powershell.exe -", tt.stdin)
			if err != nil {
				t.Fatal(err)
			}
			if string(res.Stdout) != tt.stdout || string(res.Stderr) != tt.stderr || res.ExitCode != tt.exitCode {
				t.Errorf("got stdout %q stderr %q exit %d", res.Stdout, res.Stderr, res.ExitCode)
			}
			if got := h.Count("Receive"); got != tt.receives {
				t.Errorf("%d Receive requests, want %d", got, tt.receives)
			}
			if h.Count("Create") != 1 || h.Count("Command") != 1 || h.Count("Delete") != 1 {
				t.Errorf("requests: %v", h.counts)
			}
			if tt.stdin != nil {
				got, end := h.Stdin()
				if !bytes.Equal(got, tt.stdin) || !end {
					t.Errorf("host got stdin %q (end %t)", got, end)
				}
			}
		})
	}
}

// The acceptance test of the issue: a SOAP fault during Receive ends the command with a typed
// error after a bounded number of requests (the library's own loop would retry it thousands of
// times a second), and the shell is still deleted.
func TestReceiveFaultEndsCommand(t *testing.T) {
	var fault captureMsg
	for _, m := range loadCapture(t, "test_winrs_fail_poll_process.yml") {
		if m.Status == http.StatusInternalServerError {
			fault = m
		}
	}
	h := newFakeHost(t)
	h.Answer = func(r *fakeReq) fakeAnswer {
		if r.Action == "Receive" {
			return fakeAnswer{Status: fault.Status, Body: reRelatesTo.ReplaceAllString(fault.Response, "${1}"+r.MessageID+"${2}")}
		}
		return fakeAnswer{}
	}
	c := newTestClient(t, Config{Timeout: 10 * time.Second})
	start := time.Now()
	_, err := c.Run(context.Background(), h.Endpoint(), "powershell.exe -NoProfile", nil)
	elapsed := time.Since(start)
	checkSecret(t, err)

	var fe *FaultError
	if !errors.As(err, &fe) {
		t.Fatalf("error %v (%T) is not a *FaultError", err, err)
	}
	if fe.Subcode != "w:InvalidParameter" || fe.WSManCode != 87 || fe.HTTPStatus != 500 {
		t.Errorf("fault %+v", *fe)
	}
	var re *Error
	if !errors.As(err, &re) || re.Step != stepReceive || re.Category != CategoryWinRM || CategoryOf(err) != CategoryWinRM {
		t.Errorf("error %#v", re)
	}
	if want := "host " + h.Endpoint().String() + ": receive: WS-Management fault (w:InvalidParameter, code 87): The parameter is incorrect."; err.Error() != want {
		t.Errorf("message %q\nwant    %q", err.Error(), want)
	}
	if n := h.Count("Receive"); n < 1 || n > 3 {
		t.Errorf("%d Receive requests, want 1 to 3", n)
	}
	if h.Count("Signal") != 1 || h.Count("Delete") != 1 {
		t.Errorf("Signal %d, Delete %d: want the command stopped and the shell deleted", h.Count("Signal"), h.Count("Delete"))
	}
	if h.Total() > 6 || elapsed > 3*time.Second {
		t.Errorf("%d requests in %s", h.Total(), elapsed)
	}
}

// w:TimedOut on Receive is WinRM's long polling: nothing printed yet. Run polls again.
func TestReceiveTimedOutThenOutput(t *testing.T) {
	h := newFakeHost(t)
	h.Stdout = []byte("done\r\n")
	h.Answer = func(r *fakeReq) fakeAnswer {
		if r.Action == "Receive" && r.N <= 2 {
			return timedOutFault(r.MessageID)
		}
		return fakeAnswer{}
	}
	c := newTestClient(t, Config{})
	res, err := c.Run(context.Background(), h.Endpoint(), "cmd.exe /c echo done", nil)
	if err != nil {
		t.Fatal(err)
	}
	if string(res.Stdout) != "done\r\n" || res.ExitCode != 0 {
		t.Errorf("got %q, exit %d", res.Stdout, res.ExitCode)
	}
	if h.Count("Receive") != 3 || h.Count("Signal") != 0 || h.Count("Delete") != 1 {
		t.Errorf("requests %v", h.counts)
	}
}

// Output that arrives over several Receives, the command still running in between.
func TestReceiveOutputInParts(t *testing.T) {
	h := newFakeHost(t)
	h.Answer = func(r *fakeReq) fakeAnswer {
		if r.Action == "Receive" && r.N < 3 {
			return fakeAnswer{Status: 200, Body: receiveXML(r.MessageID, []byte("part"+string(rune('0'+r.N))+"\n"), nil, false, 0)}
		}
		return fakeAnswer{}
	}
	h.Stdout, h.ExitCode = []byte("last\n"), 7
	c := newTestClient(t, Config{})
	res, err := c.Run(context.Background(), h.Endpoint(), "x", nil)
	if err != nil {
		t.Fatal(err)
	}
	if string(res.Stdout) != "part1\npart2\nlast\n" || res.ExitCode != 7 {
		t.Errorf("got %q exit %d", res.Stdout, res.ExitCode)
	}
}

// A host that answers an empty Running state at once is not polled in a busy loop.
func TestReceiveNoBusyLoop(t *testing.T) {
	h := newFakeHost(t)
	h.Answer = func(r *fakeReq) fakeAnswer {
		switch r.Action {
		case "Receive":
			return fakeAnswer{Status: 200, Body: receiveXML(r.MessageID, nil, nil, false, 0)}
		}
		return fakeAnswer{}
	}
	c := newTestClient(t, Config{Timeout: 1500 * time.Millisecond})
	_, err := c.Run(context.Background(), h.Endpoint(), "x", nil)
	if CategoryOf(err) != CategoryTimeout {
		t.Fatalf("error %v", err)
	}
	// 50+100+200+400+800 ms of pauses fit in 1.5 s: about 6 polls, not thousands.
	if n := h.Count("Receive"); n > 10 {
		t.Errorf("%d Receive requests in 1.5 s", n)
	}
	if h.Count("Delete") != 1 {
		t.Error("shell not deleted")
	}
}

func TestRunDeadline(t *testing.T) {
	tests := []struct {
		name      string
		hangOn    []string
		timeout   time.Duration
		cancel    time.Duration // cancel the caller's context after this long, if set
		wantErr   bool
		step      string
		deletes   int
		signals   int
		maxTime   time.Duration
		wantInMsg string
	}{
		{name: "ReceiveNeverAnswers", hangOn: []string{"Receive"}, timeout: 400 * time.Millisecond, wantErr: true,
			step: stepReceive, deletes: 1, signals: 1, maxTime: 2 * time.Second, wantInMsg: "timed out after"},
		{name: "CreateNeverAnswers", hangOn: []string{"Create"}, timeout: 400 * time.Millisecond, wantErr: true,
			step: stepCreateShell, deletes: 0, maxTime: 2 * time.Second},
		{name: "SendNeverAnswers", hangOn: []string{"Send"}, timeout: 400 * time.Millisecond, wantErr: true,
			step: stepSend, deletes: 1, signals: 1, maxTime: 2 * time.Second},
		{name: "ReceiveAndCleanupNeverAnswer", hangOn: []string{"Receive", "Signal", "Delete"}, timeout: 400 * time.Millisecond, wantErr: true,
			step: stepReceive, deletes: 1, signals: 1, maxTime: 400*time.Millisecond + 300*time.Millisecond + time.Second},
		{name: "DeleteNeverAnswersAfterSuccess", hangOn: []string{"Delete"}, timeout: 2 * time.Second,
			deletes: 1, maxTime: 300*time.Millisecond + time.Second},
		{name: "CallerCancels", hangOn: []string{"Receive"}, timeout: 10 * time.Second, cancel: 300 * time.Millisecond, wantErr: true,
			step: stepReceive, deletes: 1, signals: 1, maxTime: 2 * time.Second, wantInMsg: "cancelled after"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newFakeHost(t)
			h.Answer = func(r *fakeReq) fakeAnswer {
				for _, a := range tt.hangOn {
					if r.Action == a {
						return h.hang(r)
					}
				}
				return fakeAnswer{}
			}
			c := newTestClient(t, Config{Timeout: tt.timeout})
			c.cleanupTimeout = 300 * time.Millisecond
			ctx := context.Background()
			if tt.cancel > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithCancel(ctx)
				time.AfterFunc(tt.cancel, cancel)
				defer cancel()
			}
			start := time.Now()
			_, err := c.Run(ctx, h.Endpoint(), "x", []byte("input"))
			elapsed := time.Since(start)
			checkSecret(t, err)
			if (err != nil) != tt.wantErr {
				t.Fatalf("error %v", err)
			}
			if err != nil {
				var re *Error
				if !errors.As(err, &re) || re.Step != tt.step || re.Category != CategoryTimeout {
					t.Errorf("error %v: step %q category %q", err, re.Step, re.Category)
				}
				if !strings.Contains(err.Error(), tt.wantInMsg) {
					t.Errorf("message %q lacks %q", err, tt.wantInMsg)
				}
			}
			if elapsed > tt.maxTime {
				t.Errorf("Run took %s, want at most %s", elapsed, tt.maxTime)
			}
			if h.Count("Delete") != tt.deletes || h.Count("Signal") != tt.signals {
				t.Errorf("Delete %d Signal %d, want %d and %d", h.Count("Delete"), h.Count("Signal"), tt.deletes, tt.signals)
			}
		})
	}
}

func TestRunHTTPFailures(t *testing.T) {
	html := "<html><head><title>Service Unavailable</title></head>\n<body><h1>Service Unavailable</h1></body></html>"
	tests := []struct {
		name     string
		step     string // the request that fails
		answer   func(r *fakeReq) fakeAnswer
		password string
		category Category
		as       any // a pointer to the error type expected in the chain
		inMsg    string
		deletes  int
		rejected bool // CredentialsRejected: counts towards a scan's --max-auth-failures
	}{
		{name: "BasicNotOffered", step: "Create", answer: func(*fakeReq) fakeAnswer {
			return fakeAnswer{Status: 401, Header: http.Header{"Www-Authenticate": {"Negotiate", "Kerberos"}}}
		}, category: CategoryAuth, as: new(*AuthError), inMsg: "create shell: authentication failed (HTTP 401): the host does not accept Basic authentication (it offers Negotiate, Kerberos)"},
		{name: "WrongPassword", password: "wrong-password", category: CategoryAuth, as: new(*AuthError),
			inMsg: "create shell: authentication failed (HTTP 401): user name or password rejected", rejected: true},
		{name: "Forbidden", step: "Create", answer: func(*fakeReq) fakeAnswer { return fakeAnswer{Status: 403} },
			category: CategoryAuth, as: new(*AuthError), inMsg: "access denied (HTTP 403)", rejected: true},
		{name: "ServiceUnavailableHTML", step: "Create", answer: func(*fakeReq) fakeAnswer {
			return fakeAnswer{Status: 503, ContentType: "text/html", Body: html}
		}, category: CategoryWinRM, as: new(*HTTPError), inMsg: "HTTP 503 Service Unavailable (text/html): <html><head><title>Service Unavailable</title>"},
		{name: "Error500NotSOAP", step: "Receive", answer: func(*fakeReq) fakeAnswer {
			return fakeAnswer{Status: 500, ContentType: "text/plain", Body: "internal error"}
		}, category: CategoryWinRM, as: new(*HTTPError), inMsg: "receive: HTTP 500 Internal Server Error (text/plain): internal error", deletes: 1},
		{name: "RedirectNotFollowed", step: "Create", answer: func(*fakeReq) fakeAnswer {
			return fakeAnswer{Status: 302, Header: http.Header{"Location": {"http://127.0.0.2/elsewhere"}}}
		}, category: CategoryWinRM, as: new(*HTTPError), inMsg: "HTTP 302 Found"},
		{name: "OKButHTML", step: "Command", answer: func(*fakeReq) fakeAnswer {
			return fakeAnswer{Status: 200, ContentType: "text/html", Body: html}
		}, category: CategoryWinRM, as: new(*HTTPError), inMsg: "command: HTTP 200 OK (text/html)", deletes: 1},
		{name: "WrongAnswer", step: "Command", answer: func(r *fakeReq) fakeAnswer {
			return fakeAnswer{Status: 200, Body: envelopeXML(actionSendResponse, r.MessageID, "")}
		}, category: CategoryWinRM, as: new(*ProtocolError), deletes: 1},
		{name: "TruncatedEnvelope", step: "Receive", answer: func(r *fakeReq) fakeAnswer {
			return fakeAnswer{Status: 200, Body: receiveXML(r.MessageID, []byte("x"), nil, true, 0)[:300]}
		}, category: CategoryWinRM, as: new(*ProtocolError), inMsg: "receive: unexpected answer: answer is not XML", deletes: 1},
		{name: "HugeAnswer", step: "Receive", answer: func(*fakeReq) fakeAnswer {
			return fakeAnswer{Status: 200, Body: strings.Repeat("x", maxResponseBytes+10)}
		}, category: CategoryWinRM, as: new(*HTTPError), inMsg: "answer larger than", deletes: 1},
		{name: "QuotaOnCreate", step: "Create", answer: func(r *fakeReq) fakeAnswer {
			return fakeAnswer{Status: 500, Body: faultXML(r.MessageID, "s:Receiver", "w:InternalError", CodeMaxShells,
				"The WS-Management service cannot process the request. This user is allowed a maximum number of 5 concurrent shells, which has been exceeded.")}
		}, category: CategoryWinRM, as: new(*FaultError), inMsg: "create shell: quota exceeded (MaxShellsPerUser=5, w:InternalError, code 2150859173)"},
		{name: "AccessDeniedFault", step: "Create", answer: func(r *fakeReq) fakeAnswer {
			return fakeAnswer{Status: 500, Body: faultXML(r.MessageID, "s:Sender", "w:AccessDenied", 5, "Access is denied.")}
		}, category: CategoryAuth, as: new(*FaultError), inMsg: "create shell: access denied", rejected: true},
		{name: "FaultOnCommand", step: "Command", answer: func(r *fakeReq) fakeAnswer {
			return fakeAnswer{Status: 500, Body: faultXML(r.MessageID, "s:Receiver", "w:InternalError", 2150859174,
				"This user is allowed a maximum number of 25 concurrent operations, which has been exceeded.")}
		}, category: CategoryWinRM, as: new(*FaultError), inMsg: "command: quota exceeded (MaxConcurrentOperationsPerUser=25", deletes: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newFakeHost(t)
			if tt.answer != nil {
				h.Answer = func(r *fakeReq) fakeAnswer {
					if r.Action == tt.step {
						return tt.answer(r)
					}
					return fakeAnswer{}
				}
			}
			cfg := Config{}
			if tt.password != "" {
				cfg.User, cfg.Password = testUser, tt.password
			}
			c := newTestClient(t, cfg)
			_, err := c.Run(context.Background(), h.Endpoint(), "x", nil)
			checkSecret(t, err)
			if err == nil {
				t.Fatal("no error")
			}
			if got := CategoryOf(err); got != tt.category {
				t.Errorf("category %s, want %s (%v)", got, tt.category, err)
			}
			if !errors.As(err, tt.as) {
				t.Errorf("%v (%T) is not a %T", err, errors.Unwrap(err), tt.as)
			}
			if !strings.Contains(err.Error(), tt.inMsg) {
				t.Errorf("message %q\nlacks %q", err, tt.inMsg)
			}
			if got := CredentialsRejected(err); got != tt.rejected {
				t.Errorf("CredentialsRejected = %t, want %t (%v)", got, tt.rejected, err)
			}
			if h.Count("Delete") != tt.deletes {
				t.Errorf("%d Delete requests, want %d", h.Count("Delete"), tt.deletes)
			}
			if h.Total() > 5 {
				t.Errorf("%d requests: %v", h.Total(), h.counts)
			}
		})
	}
}

func TestRunUnreachable(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ep, _ := ParseEndpoint(l.Addr().String())
	l.Close()
	c := newTestClient(t, Config{})
	_, err = c.Run(context.Background(), ep, "x", nil)
	checkSecret(t, err)
	var re *Error
	if !errors.As(err, &re) || re.Category != CategoryUnreachable || re.Step != stepConnect {
		t.Fatalf("error %v", err)
	}
	if !strings.HasPrefix(err.Error(), "host "+ep.String()+": connect: ") {
		t.Errorf("message %q", err)
	}

	_, err = c.Run(context.Background(), Endpoint{Host: "bad host<name>"}, "x", nil)
	if CategoryOf(err) != CategoryUnreachable || !strings.Contains(err.Error(), "invalid host name") {
		t.Errorf("bad host name: %v", err)
	}
}

// Stdin goes in chunks that keep every envelope under the envelope size: 150 KB by default,
// which Windows 7 and Server 2008 R2 enforce.
func TestSendStaysUnderEnvelopeSize(t *testing.T) {
	big := bytes.Repeat([]byte("0123456789abcdef\r\n"), 400_000/18)
	tests := []struct {
		name         string
		envelopeSize int
		stdin        []byte
		sends        int
	}{
		{"Default150KB", 0, big, 4},
		{"Small", 20_000, big, 34},
		{"EmptyStdinStillEnds", 0, []byte{}, 1},
		{"NoStdin", 0, nil, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newFakeHost(t)
			c := newTestClient(t, Config{EnvelopeSize: tt.envelopeSize})
			if _, err := c.Run(context.Background(), h.Endpoint(), "x", tt.stdin); err != nil {
				t.Fatal(err)
			}
			limit := c.cfg.EnvelopeSize
			for _, r := range h.Requests() {
				if len(r.Body) > limit {
					t.Errorf("%s request of %d bytes exceeds %d", r.Action, len(r.Body), limit)
				}
				if m := reEnvSize.FindStringSubmatch(r.Body); m == nil || m[1] != strconv.Itoa(limit) {
					t.Errorf("%s request announces MaxEnvelopeSize %v", r.Action, m)
				}
			}
			if n := h.Count("Send"); n != tt.sends {
				t.Errorf("%d Send requests, want %d", n, tt.sends)
			}
			got, end := h.Stdin()
			if !bytes.Equal(got, tt.stdin) || end != (tt.stdin != nil) {
				t.Errorf("host got %d bytes of stdin (end %t), want %d", len(got), end, len(tt.stdin))
			}
		})
	}
}

// The requests carry the configuration of this run and nothing of winrm.DefaultParameters;
// stdin is a pipe (WINRS_CONSOLEMODE_STDIN=FALSE); the last request closes its connection.
func TestRequestsFollowConfig(t *testing.T) {
	before := *winrm.DefaultParameters
	h := newFakeHost(t)
	var mu sync.Mutex
	var closing []bool
	h.Answer = func(r *fakeReq) fakeAnswer {
		mu.Lock()
		closing = append(closing, r.r.Close)
		mu.Unlock()
		return fakeAnswer{}
	}
	c := newTestClient(t, Config{Timeout: time.Minute, OperationTimeout: 15 * time.Second, EnvelopeSize: 512000, Locale: "ja-JP"})
	if _, err := c.Run(context.Background(), h.Endpoint(), `powershell.exe -EncodedCommand AAAA`, []byte("x")); err != nil {
		t.Fatal(err)
	}
	reqs := h.Requests()
	var actions []string
	for _, r := range reqs {
		actions = append(actions, r.Action)
		if m := reOpTimeout.FindStringSubmatch(r.Body); r.Action != "Delete" && (m == nil || m[1] != "PT15S") {
			t.Errorf("%s: OperationTimeout %v", r.Action, m)
		}
		if m := reEnvSize.FindStringSubmatch(r.Body); m == nil || m[1] != "512000" {
			t.Errorf("%s: MaxEnvelopeSize %v", r.Action, m)
		}
		if !strings.Contains(r.Body, `xml:lang="ja-JP"`) {
			t.Errorf("%s: locale not ja-JP", r.Action)
		}
	}
	if got := strings.Join(actions, " "); got != "Create Command Send Receive Delete" {
		t.Errorf("requests %s", got)
	}
	opts := map[string]string{}
	for _, m := range reOption.FindAllStringSubmatch(reqs[1].Body, -1) {
		opts[m[1]] = m[2]
	}
	if opts["WINRS_CONSOLEMODE_STDIN"] != "FALSE" || opts["WINRS_SKIP_CMD_SHELL"] != "FALSE" {
		t.Errorf("Command options %v", opts)
	}
	if cmds := h.Commands(); len(cmds) != 1 || cmds[0] != `powershell.exe -EncodedCommand AAAA` {
		t.Errorf("commands %q", cmds)
	}
	if !closing[len(closing)-1] || closing[0] {
		t.Errorf("Connection: close on requests: %v, want on the last only", closing)
	}
	if d := winrm.DefaultParameters; d.Timeout != before.Timeout || d.Locale != before.Locale || d.EnvelopeSize != before.EnvelopeSize || d.TransportDecorator != nil {
		t.Error("winrm.DefaultParameters changed")
	}
	if c.transport.Proxy != nil {
		t.Error("the transport uses a proxy by default")
	}
	h.WaitIdle(t) // the closing Delete left no connection behind, even before Client.Close
}

func TestHTTPS(t *testing.T) {
	tests := []struct {
		name      string
		serverTLS func(*tls.Config)
		cfg       func(caFile string) Config
		category  Category // "" for success
		inMsg     string
	}{
		{name: "UnknownAuthority", cfg: func(string) Config { return Config{HTTPS: true} },
			category: CategoryAuth, inMsg: "certificate signed by unknown authority"},
		{name: "CAFile", cfg: func(ca string) Config { return Config{HTTPS: true, CAFile: ca} }},
		{name: "InsecureSkipVerify", cfg: func(string) Config { return Config{HTTPS: true, InsecureSkipVerify: true} }},
		{name: "TLSServerName", cfg: func(ca string) Config { return Config{HTTPS: true, CAFile: ca, TLSServerName: "example.com"} }},
		{name: "WrongServerName", cfg: func(ca string) Config { return Config{HTTPS: true, CAFile: ca, TLSServerName: "pc-17.corp.example"} },
			category: CategoryAuth, inMsg: "certificate is valid for"},
		// Windows 7's listener offers TLS 1.0 unless TLS 1.2 is enabled for Schannel servers.
		{name: "TLS10HostRefused", serverTLS: func(c *tls.Config) { c.MinVersion, c.MaxVersion = tls.VersionTLS10, tls.VersionTLS10 },
			cfg:      func(ca string) Config { return Config{HTTPS: true, CAFile: ca} },
			category: CategoryWinRM, inMsg: "protocol version"},
		{name: "TLS10HostAllowed", serverTLS: func(c *tls.Config) { c.MinVersion, c.MaxVersion = tls.VersionTLS10, tls.VersionTLS10 },
			cfg: func(ca string) Config { return Config{HTTPS: true, CAFile: ca, MinTLSVersion: tls.VersionTLS10} }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newFakeHostTLS(t, tt.serverTLS)
			h.Stdout = []byte("ok")
			ca := filepath.Join(t.TempDir(), "ca.pem")
			if err := os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: h.srv.Certificate().Raw}), 0o600); err != nil {
				t.Fatal(err)
			}
			c := newTestClient(t, tt.cfg(ca))
			res, err := c.Run(context.Background(), h.Endpoint(), "x", nil)
			checkSecret(t, err)
			if tt.category == "" {
				if err != nil || string(res.Stdout) != "ok" {
					t.Fatalf("got %q, %v", res.Stdout, err)
				}
				return
			}
			if CategoryOf(err) != tt.category || !strings.Contains(err.Error(), tt.inMsg) {
				t.Fatalf("error %v (category %s), want %s with %q", err, CategoryOf(err), tt.category, tt.inMsg)
			}
		})
	}
}

func TestNewClientRejects(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "bad.pem")
	if err := os.WriteFile(bad, []byte("not a certificate"), 0o600); err != nil {
		t.Fatal(err)
	}
	for name, cfg := range map[string]Config{
		"NoUser":           {Password: "x"},
		"MissingCAFile":    {User: "u", CAFile: filepath.Join(t.TempDir(), "none.pem")},
		"CAFileWithoutPEM": {User: "u", CAFile: bad},
		"TinyEnvelope":     {User: "u", EnvelopeSize: 1000},
		"HugeEnvelope":     {User: "u", EnvelopeSize: maxResponseBytes/2 + 1}, // answers must fit the answer bound
		"TinyOpTimeout":    {User: "u", OperationTimeout: time.Millisecond},
	} {
		if _, err := NewClient(cfg); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func TestParseEndpoint(t *testing.T) {
	tests := []struct {
		in   string
		want Endpoint
		ok   bool
	}{
		{"pc-17", Endpoint{Host: "pc-17"}, true},
		{"pc-17.corp.example:5986", Endpoint{Host: "pc-17.corp.example", Port: 5986}, true},
		{"10.0.0.5:5985", Endpoint{Host: "10.0.0.5", Port: 5985}, true},
		{"[fe80::1]:5985", Endpoint{Host: "fe80::1", Port: 5985}, true},
		{"fe80::1", Endpoint{Host: "fe80::1"}, true},
		{"pc-17:http", Endpoint{}, false},
		{"pc-17:0", Endpoint{}, false},
		{"", Endpoint{}, false},
	}
	for _, tt := range tests {
		got, err := ParseEndpoint(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("ParseEndpoint(%q) = %+v, %v", tt.in, got, err)
		}
	}
	c := newTestClient(t, Config{HTTPS: true})
	if ep := c.normalize(Endpoint{Host: "pc-17"}); ep.Port != 5986 || c.hostLabel(ep) != "pc-17" || c.url(ep) != "https://pc-17:5986/wsman" {
		t.Errorf("default HTTPS endpoint %+v, label %q, url %q", ep, c.hostLabel(ep), c.url(ep))
	}
}
