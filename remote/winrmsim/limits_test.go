package winrmsim

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"math/big"
	"net"
	"net/http"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestCommands(t *testing.T) {
	h := startHost(t, mustProfile(t, win7), Options{})
	c := newClient(t, h)
	for _, tt := range []struct {
		name        string
		options     [][2]string
		stdin       []byte
		command     string
		args        []string
		out, errOut string
		exit        int
	}{
		{name: "Hostname", command: "hostname", out: "PC-W7-01\r\n"},
		{name: "HostnameSkipCmdShell", options: skipCmdShell, command: "hostname.exe", out: "PC-W7-01\r\n"},
		{name: "Echo", command: "echo hello world", out: "hello world\r\n"},
		{name: "CmdCEcho", command: "cmd", args: []string{"/c", "echo", "TEXT"}, out: "TEXT\r\n"},
		{name: "EchoVariable", command: "echo %COMPUTERNAME% %windir%", out: "PC-W7-01 C:\\Windows\r\n"},
		{name: "EchoOff", command: "echo", out: "ECHO is on.\r\n"},
		{name: "AndAndStopsOnFailure", command: "nosuch && echo never", errOut: "'nosuch' is not recognized as an internal or external command,\r\noperable program or batch file.\r\n", exit: 1},
		{name: "OrOr", command: "nosuch 2>nul || echo fallback", out: "fallback\r\n"},
		{name: "ExitCode", command: "cmd /c exit 3", exit: 3},
		{name: "SetPrefix", command: "set PROCESSOR_A", out: "PROCESSOR_ARCHITECTURE=AMD64\r\n"},
		{name: "NotRecognized", command: "ipconfig", args: []string{"/all"},
			errOut: "'ipconfig' is not recognized as an internal or external command,\r\noperable program or batch file.\r\n", exit: 1},
		{name: "PowerShellSubset", command: "powershell.exe", args: []string{"-NoProfile", "-Command", `Write-Host "a b"; Write-Output c; exit 4`}, out: "a b\nc\r\n", exit: 4},
		{name: "PowerShellStdin", command: "powershell", args: []string{"-"}, stdin: []byte("Write-Host one\r\nhostname\r\n"), out: "one\nPC-W7-01\r\n"},
		{name: "CodePage437", command: "powershell Write-Host caf\u00e9", out: "caf?\n"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			out, errOut, code := c.run(tt.options, tt.stdin, tt.command, tt.args...)
			if out != tt.out || errOut != tt.errOut || code != tt.exit {
				t.Errorf("got stdout %q stderr %q exit %d\nwant stdout %q stderr %q exit %d", out, errOut, code, tt.out, tt.errOut, tt.exit)
			}
		})
	}
	// WINRS_SKIP_CMD_SHELL runs the program directly: a cmd.exe built-in is no program.
	shellID := c.createShell()
	resp := c.do(soapReq{action: actionCommand, shellID: shellID, options: skipCmdShell, body: commandBody("echo", "hi")})
	if resp.status != 500 || faultSubcode(resp.root) != "w:InternalError" || faultCode(resp.root) != "2" {
		t.Errorf("echo without cmd.exe: HTTP %d %s %s", resp.status, faultSubcode(resp.root), faultCode(resp.root))
	}
}

// cmd.exe refuses command lines over 8191 characters (Command and Arguments joined by spaces).
func TestCommandLineLimit(t *testing.T) {
	h := startHost(t, mustProfile(t, win10), Options{})
	c := newClient(t, h)
	for _, tt := range []struct {
		name    string
		command string
		args    []string
		tooLong bool
	}{
		{"8191InCommand", "echo " + strings.Repeat("a", 8191-5), nil, false},
		{"8192InCommand", "echo " + strings.Repeat("a", 8192-5), nil, true},
		{"8191WithArguments", "cmd", []string{"/c", "echo", strings.Repeat("b", 8191-len("cmd /c echo "))}, false},
		{"8192WithArguments", "cmd", []string{"/c", "echo", strings.Repeat("b", 8192-len("cmd /c echo "))}, true},
		{"8192NonASCII", "echo " + strings.Repeat("\u00e9", 8192-5), nil, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			out, errOut, code := c.run(nil, nil, tt.command, tt.args...)
			if tt.tooLong {
				if out != "" || errOut != "The command line is too long.\r\n" || code != 1 {
					t.Errorf("stdout %d bytes, stderr %q, exit %d", len(out), errOut, code)
				}
				return
			}
			if errOut != "" || code != 0 || len(out) < 8000 {
				t.Errorf("stdout %d bytes, stderr %q, exit %d", len(out), errOut, code)
			}
		})
	}
}

func TestMaxEnvelopeSize(t *testing.T) {
	for _, tt := range []struct {
		name    string
		profile string
		opts    Options
		limit   int
	}{
		{"Win7Default150KB", win7, Options{}, 150 * 1024},
		{"Win10Default500KB", win10, Options{}, 500 * 1024},
		{"Option", win10, Options{MaxEnvelopeSizeKB: 20}, 20 * 1024},
	} {
		t.Run(tt.name, func(t *testing.T) {
			h := startHost(t, mustProfile(t, tt.profile), tt.opts)
			c := newClient(t, h)
			shellID := c.createShell()
			cmdID := c.command(shellID, nil, "powershell", "-")
			// A Send whose envelope is larger than MaxEnvelopeSizekb: HTTP 413, no body.
			overhead := len(c.envelope(soapReq{action: actionSend, shellID: shellID, body: sendBody(cmdID, nil, false)}))
			fits := make([]byte, (tt.limit-overhead)/4*3)
			resp := c.do(soapReq{action: actionSend, shellID: shellID, body: sendBody(cmdID, fits, false)})
			if resp.status != 200 {
				t.Fatalf("a Send of %d bytes: HTTP %d", tt.limit, resp.status)
			}
			big := make([]byte, (tt.limit-overhead)/4*3+3)
			resp = c.do(soapReq{action: actionSend, shellID: shellID, body: sendBody(cmdID, big, false)})
			if resp.status != http.StatusRequestEntityTooLarge || len(resp.body) != 0 {
				t.Errorf("a Send over %d bytes: HTTP %d, %d bytes", tt.limit, resp.status, len(resp.body))
			}
			c.deleteShell(shellID)
		})
	}
}

// Output larger than the client's MaxEnvelopeSize comes in several Receive responses.
func TestReceiveSplitsOutput(t *testing.T) {
	h := startHost(t, mustProfile(t, win7), Options{})
	c := newClient(t, h)
	text := strings.Repeat("0123456789abcdef", 3000) // 48 000 bytes
	c.maxEnv = 8192
	shellID := c.createShell()
	cmdID := c.command(shellID, nil, "powershell", "-")
	c.send(shellID, cmdID, []byte("Write-Host "+text), true)
	responses := 0
	var got []byte
	for {
		resp := c.do(soapReq{action: actionReceive, shellID: shellID, body: receiveBody(cmdID)})
		root := c.ok(resp, nsShell+"/ReceiveResponse")
		responses++
		if len(resp.body) > 8192 {
			t.Fatalf("response of %d bytes over MaxEnvelopeSize 8192", len(resp.body))
		}
		acc := map[string]string{}
		streams(t, root, acc)
		got = append(got, acc["stdout"]...)
		st := root.find(nsSOAP+" Body", nsShell+" ReceiveResponse", nsShell+" CommandState")
		if strings.HasSuffix(st.attr("State"), "/Done") {
			break
		}
	}
	if string(got) != text+"\n" || responses < 7 {
		t.Errorf("%d responses, %d bytes", responses, len(got))
	}
	// A MaxEnvelopeSize under 8192 octets is refused (DSP0226 6.2).
	c.maxEnv = 4096
	resp := c.do(soapReq{action: actionReceive, shellID: shellID, body: receiveBody(cmdID)})
	if resp.status != 500 || faultSubcode(resp.root) != "w:EncodingLimit" {
		t.Errorf("MaxEnvelopeSize 4096: HTTP %d %s", resp.status, faultSubcode(resp.root))
	}
}

func TestMaxShellsPerUser(t *testing.T) {
	for _, tt := range []struct {
		name    string
		profile string
		opts    Options
		max     int
	}{
		{"Win7WinRM2Default", win7, Options{}, 5},
		{"Win10Default", win10, Options{}, 30},
		{"Option", win10, Options{MaxShellsPerUser: 2}, 2},
	} {
		t.Run(tt.name, func(t *testing.T) {
			h := startHost(t, mustProfile(t, tt.profile), tt.opts)
			c := newClient(t, h)
			var shells []string
			for range tt.max {
				shells = append(shells, c.createShell())
			}
			resp := c.do(soapReq{action: actionCreate, body: `<rsp:Shell><rsp:InputStreams>stdin</rsp:InputStreams></rsp:Shell>`})
			want := "This user is allowed a maximum number of " + strconv.Itoa(tt.max) + " concurrent shells, which has been exceeded."
			if resp.status != 500 || faultSubcode(resp.root) != "w:QuotaLimit" || faultCode(resp.root) != "2150859173" ||
				!strings.Contains(faultMessage(resp.root), want) {
				t.Errorf("shell %d: HTTP %d %s %s %q", tt.max+1, resp.status, faultSubcode(resp.root), faultCode(resp.root), faultMessage(resp.root))
			}
			if h.OpenShells() != tt.max {
				t.Errorf("%d shells open", h.OpenShells())
			}
			c.deleteShell(shells[0])
			c.createShell() // a deleted shell frees its place
			cfg := c.ok(c.do(soapReq{action: actionGet, resource: resourceCfg}), nsTransfer+"/GetResponse")
			if got := cfg.text(nsSOAP+" Body", nsConfig+" Config", nsConfig+" Winrs", nsConfig+" MaxShellsPerUser"); got != strconv.Itoa(tt.max) {
				t.Errorf("config MaxShellsPerUser %s", got)
			}
		})
	}
}

func TestUnknownIDs(t *testing.T) {
	h := startHost(t, mustProfile(t, win10), Options{})
	c := newClient(t, h)
	shellID := c.createShell()
	cmdID := c.command(shellID, nil, "hostname")
	const bogus = "0D6FCA9D-2D40-44C3-B691-E665BE7AA687"
	shellMsg := "The request for the Windows Remote Shell with ShellId " + bogus + " failed because the shell was not found on the server."
	cmdMsg := "operation on a command identifier that does not exist"
	for _, tt := range []struct {
		name string
		req  soapReq
		msg  string
	}{
		{"CommandUnknownShell", soapReq{action: actionCommand, shellID: bogus, body: commandBody("hostname")}, shellMsg},
		{"ReceiveUnknownShell", soapReq{action: actionReceive, shellID: bogus, body: receiveBody(cmdID)}, shellMsg},
		{"DeleteUnknownShell", soapReq{action: actionDelete, shellID: bogus}, shellMsg},
		{"ReceiveUnknownCommand", soapReq{action: actionReceive, shellID: shellID, body: receiveBody(bogus)}, cmdMsg},
		{"SendUnknownCommand", soapReq{action: actionSend, shellID: shellID, body: sendBody(bogus, []byte("x"), true)}, cmdMsg},
		{"SignalUnknownCommand", soapReq{action: actionSignal, shellID: shellID,
			body: `<rsp:Signal CommandId="` + bogus + `"><rsp:Code>` + signalPrefix + `terminate</rsp:Code></rsp:Signal>`}, cmdMsg},
	} {
		t.Run(tt.name, func(t *testing.T) {
			resp := c.do(tt.req)
			if resp.status != 500 || faultSubcode(resp.root) != "w:InvalidSelectors" || faultCode(resp.root) != "2150858843" ||
				!strings.Contains(faultMessage(resp.root), tt.msg) {
				t.Errorf("HTTP %d %s %s %q", resp.status, faultSubcode(resp.root), faultCode(resp.root), faultMessage(resp.root))
			}
		})
	}
	// After a terminate signal the command is gone; after Delete the shell is.
	c.ok(c.signal(shellID, cmdID), nsShell+"/SignalResponse")
	if resp := c.do(soapReq{action: actionReceive, shellID: shellID, body: receiveBody(cmdID)}); faultSubcode(resp.root) != "w:InvalidSelectors" {
		t.Errorf("Receive after terminate: %s", faultSubcode(resp.root))
	}
	c.deleteShell(shellID)
	if resp := c.do(soapReq{action: actionDelete, shellID: shellID}); faultSubcode(resp.root) != "w:InvalidSelectors" {
		t.Errorf("second Delete: %s", faultSubcode(resp.root))
	}
	st := h.Stats()
	if st.Create != 1 || st.Command != 2 || st.Signal != 2 || st.Delete != 3 || st.Receive != 3 || st.Send != 1 || st.Faults != 8 || st.Requests != 12 {
		t.Errorf("stats %+v", st)
	}
}

func TestHTTPLayer(t *testing.T) {
	h := startHost(t, mustProfile(t, win10), Options{User: `CORP\admin`, Password: "pw"})
	authFault := startHost(t, withFault(t, win10, "PC-AUTH", FaultAuth), Options{User: `CORP\admin`, Password: "pw"})
	envelope := newClient(t, h).envelope(soapReq{action: actionCreate, body: `<rsp:Shell/>`})
	for _, tt := range []struct {
		name              string
		host              *Host
		method, path      string
		user, pass, ctype string
		body              string
		status            int
		subcode           string
	}{
		{name: "OK", user: `CORP\admin`, pass: "pw", status: 200},
		{name: "NoCredentials", status: 401},
		{name: "WrongPassword", user: `CORP\admin`, pass: "PW", status: 401},
		{name: "UPNIsAnotherUser", user: "admin@corp", pass: "pw", status: 401},
		{name: "AuthFaultHost", host: authFault, user: `CORP\admin`, pass: "pw", status: 401},
		{name: "WrongPath", path: "/wsman-anon", user: `CORP\admin`, pass: "pw", status: 404},
		{name: "GET", method: http.MethodGet, user: `CORP\admin`, pass: "pw", status: 405},
		{name: "TextXML", ctype: "text/xml", user: `CORP\admin`, pass: "pw", status: 415},
		{name: "MalformedXML", body: "<s:Envelope", user: `CORP\admin`, pass: "pw", status: 500, subcode: "w:SchemaValidationError"},
		{name: "UnknownAction", body: strings.Replace(envelope, actionCreate, nsTransfer+"/Put", 1), user: `CORP\admin`, pass: "pw", status: 500, subcode: "a:ActionNotSupported"},
		{name: "OtherResourceURI", body: strings.Replace(envelope, resourceCmd, "http://schemas.microsoft.com/powershell/Microsoft.PowerShell", 1),
			user: `CORP\admin`, pass: "pw", status: 500, subcode: "w:DestinationUnreachable"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			host := h
			if tt.host != nil {
				host = tt.host
			}
			method, url, body, ctype := http.MethodPost, host.URL(), envelope, "application/soap+xml;charset=UTF-8"
			if tt.method != "" {
				method = tt.method
			}
			if tt.path != "" {
				url = "http://" + host.Addr() + tt.path
			}
			if tt.body != "" {
				body = tt.body
			}
			if tt.ctype != "" {
				ctype = tt.ctype
			}
			req, _ := http.NewRequest(method, url, strings.NewReader(body))
			req.Header.Set("Content-Type", ctype)
			if tt.user != "" {
				req.SetBasicAuth(tt.user, tt.pass)
			}
			tr := &http.Transport{}
			defer tr.CloseIdleConnections()
			resp, err := (&http.Client{Transport: tr}).Do(req)
			if err != nil {
				t.Fatal(err)
			}
			b := make([]byte, 1<<16)
			n, _ := resp.Body.Read(b)
			resp.Body.Close()
			if resp.StatusCode != tt.status {
				t.Fatalf("HTTP %d, want %d: %s", resp.StatusCode, tt.status, b[:n])
			}
			if tt.status == 401 {
				got := resp.Header.Values("WWW-Authenticate")
				if len(got) != 2 || got[0] != "Negotiate" || got[1] != `Basic realm="WSMAN"` || n != 0 {
					t.Errorf("401 with WWW-Authenticate %q and %d bytes", got, n)
				}
			}
			if tt.subcode != "" {
				root, err := parseTree(b[:n])
				if err != nil || faultSubcode(root) != tt.subcode {
					t.Errorf("fault %q (%v), want %s", faultSubcode(root), err, tt.subcode)
				}
			}
		})
	}
}

// A Receive on a command that waits for stdin is held for OperationTimeout and answered with
// w:TimedOut; the command runs once stdin is closed.
func TestOperationTimeout(t *testing.T) {
	h := startHost(t, mustProfile(t, win10), Options{})
	c := newClient(t, h)
	shellID := c.createShell()
	cmdID := c.command(shellID, nil, "powershell.exe", "-EncodedCommand", encodeCommand(bootstrap))
	for _, timeout := range []string{"PT0.3S", "PT0.300S", "P0DT0H0M0.3S"} {
		c.timeout = timeout
		start := time.Now()
		resp := c.do(soapReq{action: actionReceive, shellID: shellID, body: receiveBody(cmdID)})
		if d := time.Since(start); d < 300*time.Millisecond || d > 3*time.Second {
			t.Errorf("%s: answered after %v", timeout, d)
		}
		if resp.status != 500 || faultSubcode(resp.root) != "w:TimedOut" || faultCode(resp.root) != "2150858793" {
			t.Errorf("%s: HTTP %d %s %s", timeout, resp.status, faultSubcode(resp.root), faultCode(resp.root))
		}
	}
	c.timeout = "PT20S"
	c.send(shellID, cmdID, []byte("Write-Host done"), true)
	out, _, code := c.receiveAll(shellID, cmdID)
	if string(out) != "done\n" || code != 0 {
		t.Errorf("after stdin: %q exit %d", out, code)
	}
	c.timeout = "PT20"
	if resp := c.do(soapReq{action: actionReceive, shellID: shellID, body: receiveBody(cmdID)}); faultSubcode(resp.root) != "w:SchemaValidationError" {
		t.Errorf("bad OperationTimeout: %s", faultSubcode(resp.root))
	}
}

// A client that goes away ends the Receive it was waiting on.
func TestReceiveEndsWhenClientLeaves(t *testing.T) {
	h := startHost(t, mustProfile(t, win10), Options{})
	c := newClient(t, h)
	c.timeout = "PT60S"
	shellID := c.createShell()
	cmdID := c.command(shellID, nil, "powershell", "-")
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	before := runtime.NumGoroutine()
	_, err := c.postErr(ctx, c.envelope(soapReq{action: actionReceive, shellID: shellID, body: receiveBody(cmdID)}))
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err %v", err)
	}
	c.hc.Transport.(*http.Transport).CloseIdleConnections()
	if n := settleGoroutines(before - 1); n > before-1 {
		t.Errorf("%d goroutines, want the Receive's to end (before: %d)", n, before)
	}
}

// Faults stay with their host: in one fleet, the others keep working.
func TestFaultHosts(t *testing.T) {
	profiles := []Profile{
		mustProfile(t, win10),
		withFault(t, win10, "PC-REFUSE", FaultRefuse),
		withFault(t, win10, "PC-TIMEOUT", FaultTimeout),
		withFault(t, win10, "PC-AUTH", FaultAuth),
		withFault(t, win10, "PC-GARBAGE", FaultGarbage),
	}
	fleet, err := StartFleet(context.Background(), profiles, judged(t, basicLab(Options{User: testUser, Password: testPassword})))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = fleet.Close() })
	if len(fleet.Hosts()) != 5 || fleet.Host("pc-refuse") == nil {
		t.Fatalf("hosts %v", fleet.Hosts())
	}
	post := func(name string, timeout time.Duration) (response, error) {
		c := newClient(t, fleet.Host(name))
		c.hc.Timeout = timeout
		return c.postErr(context.Background(), c.envelope(soapReq{action: actionCreate, body: `<rsp:Shell/>`}))
	}
	if _, err := post("PC-REFUSE", 2*time.Second); !errors.Is(err, syscall.ECONNREFUSED) {
		t.Errorf("refuse: %v", err)
	}
	start := time.Now()
	var ne net.Error
	if _, err := post("PC-TIMEOUT", 300*time.Millisecond); !errors.As(err, &ne) || !ne.Timeout() {
		t.Errorf("timeout: %v", err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("timeout host held the client %v", d)
	}
	if fleet.Host("PC-TIMEOUT").Stats().Requests != 1 {
		t.Errorf("timeout host stats %+v", fleet.Host("PC-TIMEOUT").Stats())
	}
	if resp, err := post("PC-AUTH", 2*time.Second); err != nil || resp.status != 401 {
		t.Errorf("auth: %v %d", err, resp.status)
	}
	for _, name := range []string{"PC-W10-01", "PC-GARBAGE"} {
		if resp, err := post(name, 2*time.Second); err != nil || resp.status != 200 {
			t.Errorf("%s: %v %d", name, err, resp.status)
		}
	}
}

// Close ends everything: listeners, connections, requests waiting, goroutines.
func TestCloseLeavesNoGoroutines(t *testing.T) {
	before := settleGoroutines(runtime.NumGoroutine())
	fleet, err := StartFleet(context.Background(), []Profile{
		mustProfile(t, win7), mustProfile(t, win10), withFault(t, win10, "PC-TIMEOUT", FaultTimeout),
	}, basicLab(Options{User: testUser, Password: testPassword}))
	if err != nil {
		t.Fatal(err)
	}
	tr := &http.Transport{}
	hc := &http.Client{Transport: tr}
	var clients []*client
	for _, h := range fleet.Hosts() {
		c := newClient(t, h)
		c.hc, c.timeout = hc, "PT30S"
		clients = append(clients, c)
	}
	// A shell with a finished command and a Receive left waiting on win7; a hanging request on
	// the timeout host.
	shellID := clients[0].createShell()
	cmdID := clients[0].command(shellID, nil, "powershell", "-")
	done := make(chan error, 2)
	go func() {
		_, err := clients[0].postErr(context.Background(), clients[0].envelope(soapReq{action: actionReceive, shellID: shellID, body: receiveBody(cmdID)}))
		done <- err
	}()
	go func() {
		_, err := clients[2].postErr(context.Background(), clients[2].envelope(soapReq{action: actionCreate, body: `<rsp:Shell/>`}))
		done <- err
	}()
	clients[1].run(nil, nil, "hostname")
	time.Sleep(100 * time.Millisecond) // let both requests arrive
	if err := fleet.Close(); err != nil {
		t.Fatal(err)
	}
	for range 2 {
		select {
		case err := <-done:
			if err == nil {
				t.Error("a waiting request got an answer from a closed host")
			}
		case <-time.After(5 * time.Second):
			t.Fatal("a request still waits after Close")
		}
	}
	if fleet.Hosts()[0].OpenShells() != 0 {
		t.Error("shells survive Close")
	}
	tr.CloseIdleConnections()
	if after := settleGoroutines(before); after > before {
		buf := make([]byte, 1<<16)
		t.Errorf("%d goroutines before, %d after Close:\n%s", before, after, buf[:runtime.Stack(buf, true)])
	}
	if err := fleet.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

func TestContextEndsHost(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	h, err := Start(ctx, mustProfile(t, win10), judged(t, basicLab(Options{User: testUser, Password: testPassword})))
	if err != nil {
		t.Fatal(err)
	}
	cancel()
	deadline := time.Now().Add(5 * time.Second)
	for {
		conn, err := net.DialTimeout("tcp", h.Addr(), time.Second)
		if err != nil {
			break
		}
		conn.Close()
		if time.Now().After(deadline) {
			t.Fatal("host still listens after its context ended")
		}
		time.Sleep(10 * time.Millisecond)
	}
	if err := h.Close(); err != nil {
		t.Error(err)
	}
	if _, err := Start(ctx, mustProfile(t, win10), Options{User: testUser}); err == nil {
		t.Error("Start with a done context")
	}
}

func TestStartRejects(t *testing.T) {
	for _, tt := range []struct {
		name     string
		profiles []Profile
		opts     Options
		want     string
	}{
		{"NoUser", []Profile{mustProfile(t, win10)}, Options{}, "Options.User is empty"},
		{"ReceiveFault", []Profile{mustProfile(t, win10)}, Options{User: "u", ReceiveFault: "Boom"}, "Options.ReceiveFault"},
		{"BadProfile", []Profile{{Name: "X"}}, Options{User: "u"}, "host X: os.caption"},
		{"DuplicateNames", []Profile{mustProfile(t, win10), withFault(t, win7, "pc-w10-01", "")}, Options{User: "u"}, "name used twice"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			f, err := StartFleet(context.Background(), tt.profiles, tt.opts)
			if err == nil {
				f.Close()
				t.Fatal("started")
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("%v, want %q", err, tt.want)
			}
		})
	}
}

func TestTLS(t *testing.T) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "PC-W10-01"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	h := startHost(t, mustProfile(t, win10), Options{TLS: &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}}})
	if !strings.HasPrefix(h.URL(), "https://127.0.0.1:") {
		t.Fatalf("URL %s", h.URL())
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	c := newClient(t, h)
	tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}
	t.Cleanup(tr.CloseIdleConnections)
	c.hc.Transport = tr
	if out, _, code := c.run(nil, nil, "hostname"); out != "PC-W10-01\r\n" || code != 0 {
		t.Errorf("over HTTPS: %q %d", out, code)
	}
	cfg := c.ok(c.do(soapReq{action: actionGet, resource: resourceCfg}), nsTransfer+"/GetResponse")
	if got := cfg.text(nsSOAP+" Body", nsConfig+" Config", nsConfig+" Service", nsConfig+" AllowUnencrypted"); got != "false" {
		t.Errorf("AllowUnencrypted %s over HTTPS", got)
	}
}
