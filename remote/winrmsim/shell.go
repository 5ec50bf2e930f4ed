package winrmsim

import (
	"crypto/tls"
	"encoding/base64"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// shell is an open WinRS shell (wsmprovhost/winrshost on Windows).
type shell struct {
	id, owner     string
	profile       string // the SID whose profile was loaded for the shell; "" with WINRS_NOPROFILE
	codepage      int
	inputStreams  string
	outputStreams string
	commands      map[string]*command
}

// command is a process started in a shell.
type command struct {
	id      string
	line    string
	skipCmd bool
	started bool // res is known (false while the program waits for stdin to close)
	start   time.Time
	res     result
	stdin   []byte
	next    int           // first chunk not yet fully delivered
	offset  int           // bytes of res.chunks[next] already delivered
	notify  chan struct{} // closed when the command changes: stdin closed, signalled, deleted
}

func (c *command) changed() {
	close(c.notify)
	c.notify = make(chan struct{})
}

// defaultOperationTimeout is what Windows waits when a request names no OperationTimeout
// (MaxTimeoutms is 60000 by default).
const defaultOperationTimeout = 60 * time.Second

func (x *exchange) dispatch() {
	hd := &x.req.Header
	if hd.MaxEnvelopeSize != "" {
		n, err := strconv.Atoi(strings.TrimSpace(hd.MaxEnvelopeSize))
		switch {
		case err != nil:
			x.fault(faultSchema)
			return
		case n < 8192:
			x.fault(faultMinEnvelope)
			return
		}
	}
	if x.dispatchWMI() {
		return
	}
	switch hd.Action {
	case actionCreate:
		x.host.count(func(s *Stats) { s.Create++ })
		x.create()
	case actionCommand:
		x.host.count(func(s *Stats) { s.Command++ })
		if x.host.h.fault() == FaultReset {
			x.resetMidResponse()
			return
		}
		x.command()
	case actionSend:
		x.host.count(func(s *Stats) { s.Send++ })
		x.send()
	case actionReceive:
		x.host.count(func(s *Stats) { s.Receive++ })
		x.receive()
	case actionSignal:
		x.host.count(func(s *Stats) { s.Signal++ })
		x.signal()
	case actionDelete:
		x.host.count(func(s *Stats) { s.Delete++ })
		x.delete()
	case actionGet:
		x.host.count(func(s *Stats) { s.Get++ })
		x.get()
	default:
		x.host.logf("action %q not supported", hd.Action)
		x.fault(faultActionNotSupported)
	}
}

// responseLimit is the largest response the client accepts: its MaxEnvelopeSize, at most the
// host's (MS-WSMAN 3.1.4.1.9).
func (x *exchange) responseLimit() int {
	n, err := strconv.Atoi(strings.TrimSpace(x.req.Header.MaxEnvelopeSize))
	if err != nil || n <= 0 || n > x.host.maxEnvelope {
		return x.host.maxEnvelope
	}
	return n
}

func (x *exchange) create() {
	hd := &x.req.Header
	if !strings.EqualFold(hd.ResourceURI, resourceCmd) {
		x.fault(faultInvalidResourceURI)
		return
	}
	if x.host.h.noShells {
		x.host.logf("Create: refused (AllowRemoteShellAccess false)")
		x.fault(faultRemoteShellsNotAllowed)
		return
	}
	codepage := 437 // the OEM code page of an en-US Windows
	if v, ok := hd.option("WINRS_CODEPAGE"); ok {
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 {
			x.fault(faultInvalidParameter)
			return
		}
		codepage = n
	}
	in, out := "stdin", "stdout stderr"
	if b := x.req.Body.Shell; b != nil {
		if s := strings.TrimSpace(b.InputStreams); s != "" {
			in = s
		}
		if s := strings.TrimSpace(b.OutputStreams); s != "" {
			out = s
		}
	}
	h := x.host
	if h.h.fault() == FaultQuotaThenOK {
		if n := h.creates.Add(1); n <= quotaFaults {
			h.logf("Create: quota fault %d of %d (fault quota-then-ok)", n, quotaFaults)
			x.fault(maxShellsFault(h.maxShells))
			return
		}
	}
	h.mu.Lock()
	open := 0
	for _, s := range h.shells {
		if s.owner == x.user {
			open++
		}
	}
	if open >= h.maxShells {
		h.mu.Unlock()
		x.fault(maxShellsFault(h.maxShells))
		return
	}
	id := newUUID()
	if h.h.fault() == FaultEchoPassword {
		id += "-" + h.h.echoPass
	}
	sh := &shell{id: id, owner: x.user, codepage: codepage, inputStreams: in, outputStreams: out,
		commands: map[string]*command{}}
	if v, ok := hd.option("WINRS_NOPROFILE"); !ok || !strings.EqualFold(strings.TrimSpace(v), "TRUE") {
		// Windows loads the account's profile for the shell, creating it the first time.
		sh.profile = AccountSID(x.user)
		h.h.loadProfile(sh.profile)
	}
	h.shells[sh.id] = sh
	h.mu.Unlock()
	h.logf("Create: shell %s for %s (code page %d)", sh.id, x.user, codepage)

	address := strings.TrimSpace(hd.To)
	if address == "" {
		address = h.url
	}
	clientIP, _, _ := net.SplitHostPort(x.r.RemoteAddr)
	owner := x.user
	if i := strings.LastIndexByte(owner, '\\'); i >= 0 {
		owner = owner[i+1:]
	}
	body := `<x:ResourceCreated><a:Address>` + esc(address) + `</a:Address><a:ReferenceParameters><w:ResourceURI>` + resourceCmd +
		`</w:ResourceURI><w:SelectorSet><w:Selector Name="ShellId">` + esc(sh.id) + `</w:Selector></w:SelectorSet></a:ReferenceParameters></x:ResourceCreated>` +
		`<rsp:Shell xmlns:rsp="` + nsShell + `"><rsp:ShellId>` + esc(sh.id) + `</rsp:ShellId><rsp:ResourceUri>` + resourceCmd + `</rsp:ResourceUri>` +
		`<rsp:Owner>` + esc(owner) + `</rsp:Owner><rsp:ClientIP>` + esc(clientIP) + `</rsp:ClientIP><rsp:IdleTimeOut>PT7200.000S</rsp:IdleTimeOut>` +
		`<rsp:InputStreams>` + esc(in) + `</rsp:InputStreams><rsp:OutputStreams>` + esc(out) + `</rsp:OutputStreams>` +
		`<rsp:ShellRunTime>P0DT0H0M0S</rsp:ShellRunTime><rsp:ShellInactivity>P0DT0H0M0S</rsp:ShellInactivity></rsp:Shell>`
	x.reply(envelope(nsShellCmd, nsTransfer+"/CreateResponse", hd.MessageID, body))
}

// lookup finds the request's shell and, when cmdID is not empty, its command. It answers the
// fault itself when either does not exist. The host's lock is held on success.
func (x *exchange) lookup(cmdID string, wantCmd bool) (*shell, *command, bool) {
	id := x.req.Header.selector("ShellId")
	h := x.host
	h.mu.Lock()
	sh := h.shells[id]
	if sh == nil {
		h.mu.Unlock()
		x.fault(unknownShellFault(id))
		return nil, nil, false
	}
	if !wantCmd {
		return sh, nil, true
	}
	c := sh.commands[strings.ToUpper(strings.TrimSpace(cmdID))]
	if c == nil {
		h.mu.Unlock()
		x.fault(faultUnknownCommand)
		return nil, nil, false
	}
	return sh, c, true
}

func (x *exchange) command() {
	cl := x.req.Body.CommandLine
	if cl == nil {
		x.fault(faultSchema)
		return
	}
	skip := false
	if v, ok := x.req.Header.option("WINRS_SKIP_CMD_SHELL"); ok {
		skip = strings.EqualFold(v, "true")
	}
	line := commandLine(cl.Command, cl.Arguments)
	sh, _, ok := x.lookup("", false)
	if !ok {
		return
	}
	h := x.host
	codepage := sh.codepage
	h.mu.Unlock()

	// Interpret the line now; a program that reads stdin runs once stdin is closed.
	res, wantsStdin := h.h.run(x.r.Context(), h.opts.ScriptValidator, line, skip, codepage, sh.owner, nil, true)
	if res.fault != nil {
		x.fault(*res.fault)
		return
	}
	id := strings.ToUpper(strings.TrimSpace(cl.CommandID))
	if id == "" {
		id = newUUID()
	}
	c := &command{id: id, line: line, skipCmd: skip, notify: make(chan struct{})}
	if !wantsStdin {
		c.started, c.start, c.res = true, time.Now().Add(h.opts.ExecTime), res
	}
	h.mu.Lock()
	if h.shells[sh.id] != sh {
		h.mu.Unlock()
		x.fault(unknownShellFault(sh.id))
		return
	}
	sh.commands[id] = c
	h.mu.Unlock()
	h.logf("Command %s: %s", id, truncate(line, 120))
	x.reply(envelope(nsShellCmd, nsShell+"/CommandResponse", x.req.Header.MessageID,
		`<rsp:CommandResponse><rsp:CommandId>`+id+`</rsp:CommandId></rsp:CommandResponse>`))
}

// resetMidResponse is FaultReset: it starts a 200 answer, sends half of a body it announced
// whole, and resets the connection (SO_LINGER 0, over HTTPS too), as a broken middlebox or a
// crashing service does. Without a hijackable connection it aborts the answer instead.
func (x *exchange) resetMidResponse() {
	x.host.count(func(s *Stats) { s.Resets++ })
	x.host.logf("Command: connection reset mid-response (fault reset)")
	conn, buf, err := http.NewResponseController(x.w).Hijack()
	if err != nil {
		x.host.logf("fault reset: %v; aborting the answer instead", err)
		panic(http.ErrAbortHandler)
	}
	body := strings.Repeat("<s:Envelope>", 64)
	fmt.Fprintf(buf, "HTTP/1.1 200 \r\nContent-Type: application/soap+xml;charset=UTF-8\r\nServer: Microsoft-HTTPAPI/2.0\r\nContent-Length: %d\r\n\r\n%s",
		2*len(body), body)
	_ = buf.Flush()
	raw := conn
	if tc, ok := conn.(*tls.Conn); ok {
		raw = tc.NetConn() // closing the TLS conn would send close_notify first: reset below it
	}
	if tc, ok := raw.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	_ = raw.Close()
}

func (x *exchange) send() {
	s := x.req.Body.Send
	if s == nil || len(s.Streams) == 0 {
		x.fault(faultSchema)
		return
	}
	type input struct {
		cmdID string
		data  []byte
		end   bool
	}
	var inputs []input
	for _, st := range s.Streams {
		data, err := base64.StdEncoding.DecodeString(strings.TrimSpace(st.Data))
		if err != nil || (st.Name != "" && st.Name != "stdin") {
			x.fault(faultInvalidParameter)
			return
		}
		inputs = append(inputs, input{st.CommandID, data, strings.EqualFold(strings.TrimSpace(st.End), "true")})
	}
	h := x.host
	for _, in := range inputs {
		sh, c, ok := x.lookup(in.cmdID, true)
		if !ok {
			return
		}
		if c.started {
			h.mu.Unlock() // the program does not read stdin (or has read it): the data is dropped
			continue
		}
		c.stdin = append(c.stdin, in.data...)
		if !in.end {
			h.mu.Unlock()
			continue
		}
		line, skip, codepage, owner, stdin := c.line, c.skipCmd, sh.codepage, sh.owner, c.stdin
		h.mu.Unlock()
		res, _ := h.h.run(x.r.Context(), h.opts.ScriptValidator, line, skip, codepage, owner, stdin, false)
		h.mu.Lock()
		c.started, c.start, c.res = true, time.Now().Add(h.opts.ExecTime), res
		c.changed()
		h.mu.Unlock()
		h.logf("Send: stdin of %s closed after %d bytes", c.id, len(stdin))
	}
	x.reply(envelope(nsShellCmd, nsShell+"/SendResponse", x.req.Header.MessageID, `<rsp:SendResponse/>`))
}

func (x *exchange) receive() {
	h := x.host
	if f, ok := namedFaults[h.opts.ReceiveFault]; ok {
		x.fault(f)
		return
	}
	rc := x.req.Body.Receive
	if rc == nil || rc.DesiredStream == nil || strings.TrimSpace(rc.DesiredStream.CommandID) == "" {
		// A Receive on the shell rather than on a command (test_winrs_fail_poll_process.yml).
		if _, _, ok := x.lookup("", false); ok {
			h.mu.Unlock()
			x.fault(faultInvalidParameter)
		}
		return
	}
	if f := h.h.fault(); f == FaultDeepXML || f == FaultFlood {
		_, c, ok := x.lookup(rc.DesiredStream.CommandID, true)
		if !ok {
			return
		}
		id := c.id
		h.mu.Unlock()
		if f == FaultDeepXML {
			x.reply(deepAnswer(x.responseLimit(), x.req.Header.MessageID))
		} else {
			x.reply(floodAnswer(x.responseLimit(), id, x.req.Header.MessageID))
		}
		return
	}
	timeout := defaultOperationTimeout
	if s := strings.TrimSpace(x.req.Header.OperationTimeout); s != "" {
		d, err := parseDuration(s)
		if err != nil {
			x.fault(faultSchema)
			return
		}
		timeout = d
	}
	deadline := time.Now().Add(timeout)
	desired := strings.Fields(rc.DesiredStream.Streams)
	if len(desired) == 0 {
		desired = []string{"stdout", "stderr"}
	}
	limit := x.responseLimit()
	for {
		_, c, ok := x.lookup(rc.DesiredStream.CommandID, true)
		if !ok {
			return
		}
		if c.started && c.res.lostAnswer {
			h.mu.Unlock()
			x.resetMidResponse()
			return
		}
		now := time.Now()
		body, ready, wake := c.collect(now, desired, limit, x.req.Header.MessageID)
		notify := c.notify
		h.mu.Unlock()
		if ready {
			x.reply(body)
			return
		}
		if !now.Before(deadline) {
			x.fault(faultTimedOut)
			return
		}
		wait := deadline.Sub(now)
		if !wake.IsZero() && wake.Sub(now) < wait {
			wait = wake.Sub(now)
		}
		t := time.NewTimer(wait)
		select {
		case <-notify:
		case <-t.C:
		case <-x.r.Context().Done():
			t.Stop()
			return // the client went away
		case <-h.closing:
			t.Stop()
			panic(http.ErrAbortHandler)
		}
		t.Stop()
	}
}

// deepAnswer is the answer of FaultDeepXML: a ReceiveResponse envelope whose body opens
// elements and never closes them, limit bytes long.
func deepAnswer(limit int, relatesTo string) []byte {
	head, _, _ := strings.Cut(string(envelope(nsReceive, nsShell+"/ReceiveResponse", relatesTo, "\x00")), "\x00")
	b := make([]byte, 0, max(limit, len(head)))
	b = append(b, head...)
	for len(b)+len("<d>") <= limit {
		b = append(b, "<d>"...)
	}
	return b
}

// floodAnswer is an answer of FaultFlood: a ReceiveResponse of a command still running, with as
// much stdout (zero bytes) as fits in limit bytes.
func floodAnswer(limit int, cmdID, relatesTo string) []byte {
	open := `<rsp:ReceiveResponse><rsp:Stream Name="stdout" CommandId="` + cmdID + `">`
	closing := `</rsp:Stream><rsp:CommandState CommandId="` + cmdID + `" State="` + stateRunning + `"></rsp:CommandState></rsp:ReceiveResponse>`
	room := limit - len(envelope(nsReceive, nsShell+"/ReceiveResponse", relatesTo, open+closing)) - 64
	return envelope(nsReceive, nsShell+"/ReceiveResponse", relatesTo, open+strings.Repeat("A", max(room/4*4, 4))+closing)
}

// collect builds a ReceiveResponse from the output due by now, at most limit bytes long. It
// reports false when there is nothing to say yet, with the time of the next output (zero when
// unknown: the program waits for stdin).
func (c *command) collect(now time.Time, desired []string, limit int, relatesTo string) ([]byte, bool, time.Time) {
	if !c.started {
		return nil, false, time.Time{}
	}
	want := map[string]bool{}
	for _, s := range desired {
		want[s] = true
	}
	render := func(data string, done bool) []byte {
		var b strings.Builder
		b.WriteString(`<rsp:ReceiveResponse>`)
		b.WriteString(data)
		if done {
			for _, s := range desired {
				b.WriteString(`<rsp:Stream Name="` + esc(s) + `" CommandId="` + c.id + `" End="true"></rsp:Stream>`)
			}
			fmt.Fprintf(&b, `<rsp:CommandState CommandId="%s" State="%s"><rsp:ExitCode>%d</rsp:ExitCode></rsp:CommandState>`,
				c.id, stateDone, uint32(c.res.exitCode))
		} else {
			b.WriteString(`<rsp:CommandState CommandId="` + c.id + `" State="` + stateRunning + `"></rsp:CommandState>`)
		}
		b.WriteString(`</rsp:ReceiveResponse>`)
		return envelope(nsReceive, nsShell+"/ReceiveResponse", relatesTo, b.String())
	}
	room := limit - len(render("", true)) - 64
	var data strings.Builder
	delivered := false
	chunks := c.res.chunks
	for c.next < len(chunks) {
		ch := chunks[c.next]
		if c.start.Add(ch.at).After(now) {
			break
		}
		if !want[ch.stream] {
			c.next, c.offset = c.next+1, 0
			continue
		}
		open := `<rsp:Stream Name="` + ch.stream + `" CommandId="` + c.id + `">`
		overhead := len(open) + len(`</rsp:Stream>`)
		maxData := (room - overhead) / 4 * 3
		if maxData <= 0 {
			break
		}
		rest := ch.data[c.offset:]
		take := min(len(rest), maxData)
		data.WriteString(open + base64.StdEncoding.EncodeToString(rest[:take]) + `</rsp:Stream>`)
		room -= overhead + base64.StdEncoding.EncodedLen(take)
		delivered = true
		if take == len(rest) {
			c.next, c.offset = c.next+1, 0
		} else {
			c.offset += take
			break
		}
	}
	if c.next == len(chunks) && !c.start.Add(c.res.end).After(now) {
		return render(data.String(), true), true, time.Time{}
	}
	if delivered {
		return render(data.String(), false), true, time.Time{}
	}
	wake := c.start.Add(c.res.end)
	if c.next < len(chunks) {
		wake = c.start.Add(chunks[c.next].at)
	}
	return nil, false, wake
}

func (x *exchange) signal() {
	sg := x.req.Body.Signal
	if sg == nil {
		x.fault(faultSchema)
		return
	}
	sh, c, ok := x.lookup(sg.CommandID, true)
	if !ok {
		return
	}
	code := strings.TrimPrefix(strings.TrimSpace(sg.Code), signalPrefix)
	// terminate ends the process; ctrl_c and ctrl_break end every program the hosts run.
	delete(sh.commands, c.id)
	c.changed()
	x.host.mu.Unlock()
	x.host.logf("Signal %s: %s", c.id, code)
	x.reply(envelope(nsShellCmd, nsShell+"/SignalResponse", x.req.Header.MessageID, `<rsp:SignalResponse/>`))
}

func (x *exchange) delete() {
	sh, _, ok := x.lookup("", false)
	if !ok {
		return
	}
	h := x.host
	delete(h.shells, sh.id)
	if sh.profile != "" {
		h.h.unloadProfile(sh.profile)
	}
	for _, c := range sh.commands {
		c.changed()
	}
	h.mu.Unlock()
	h.logf("Delete: shell %s", sh.id)
	if h.h.fault() == FaultEndlessHeaderDelete {
		h.endless(x.w, FaultEndlessHeaderDelete, endlessDeleteStart, 'A')
		return
	}
	x.reply(envelope(nsDelete, nsTransfer+"/DeleteResponse", x.req.Header.MessageID, ""))
}

// get answers a WS-Transfer Get of the WinRM configuration (winrm get winrm/config), the way
// clients learn MaxEnvelopeSizekb (test_wsman_update_envelope_size_150.yml).
func (x *exchange) get() {
	if !strings.EqualFold(x.req.Header.ResourceURI, resourceCfg) {
		x.fault(faultInvalidResourceURI)
		return
	}
	h := x.host
	unencrypted := strconv.FormatBool(h.opts.TLS == nil) // Basic over HTTP needs AllowUnencrypted
	body := `<cfg:Config xmlns:cfg="` + nsConfig + `">` +
		`<cfg:MaxEnvelopeSizekb>` + strconv.Itoa(h.maxEnvelope/1024) + `</cfg:MaxEnvelopeSizekb>` +
		`<cfg:MaxTimeoutms>60000</cfg:MaxTimeoutms><cfg:MaxBatchItems>32000</cfg:MaxBatchItems>` +
		`<cfg:MaxProviderRequests>4294967295</cfg:MaxProviderRequests>` +
		`<cfg:Client><cfg:NetworkDelayms>5000</cfg:NetworkDelayms><cfg:URLPrefix>wsman</cfg:URLPrefix>` +
		`<cfg:AllowUnencrypted>false</cfg:AllowUnencrypted><cfg:Auth><cfg:Basic>true</cfg:Basic><cfg:Digest>true</cfg:Digest>` +
		`<cfg:Kerberos>true</cfg:Kerberos><cfg:Negotiate>true</cfg:Negotiate><cfg:Certificate>true</cfg:Certificate>` +
		`<cfg:CredSSP>false</cfg:CredSSP></cfg:Auth><cfg:DefaultPorts><cfg:HTTP>5985</cfg:HTTP><cfg:HTTPS>5986</cfg:HTTPS>` +
		`</cfg:DefaultPorts><cfg:TrustedHosts></cfg:TrustedHosts></cfg:Client>` +
		`<cfg:Service><cfg:RootSDDL>O:NSG:BAD:P(A;;GA;;;BA)(A;;GR;;;IU)S:P(AU;FA;GA;;;WD)(AU;SA;GXGW;;;WD)</cfg:RootSDDL>` +
		`<cfg:MaxConcurrentOperations>4294967295</cfg:MaxConcurrentOperations>` +
		`<cfg:MaxConcurrentOperationsPerUser>1500</cfg:MaxConcurrentOperationsPerUser>` +
		`<cfg:EnumerationTimeoutms>240000</cfg:EnumerationTimeoutms><cfg:MaxConnections>300</cfg:MaxConnections>` +
		`<cfg:MaxPacketRetrievalTimeSeconds>120</cfg:MaxPacketRetrievalTimeSeconds>` +
		`<cfg:AllowUnencrypted>` + unencrypted + `</cfg:AllowUnencrypted><cfg:Auth><cfg:Basic>true</cfg:Basic>` +
		`<cfg:Kerberos>true</cfg:Kerberos><cfg:Negotiate>true</cfg:Negotiate><cfg:Certificate>false</cfg:Certificate>` +
		`<cfg:CredSSP>false</cfg:CredSSP><cfg:CbtHardeningLevel>Relaxed</cfg:CbtHardeningLevel></cfg:Auth>` +
		`<cfg:DefaultPorts><cfg:HTTP>5985</cfg:HTTP><cfg:HTTPS>5986</cfg:HTTPS></cfg:DefaultPorts>` +
		`<cfg:IPv4Filter>*</cfg:IPv4Filter><cfg:IPv6Filter>*</cfg:IPv6Filter>` +
		`<cfg:EnableCompatibilityHttpListener>false</cfg:EnableCompatibilityHttpListener>` +
		`<cfg:EnableCompatibilityHttpsListener>false</cfg:EnableCompatibilityHttpsListener>` +
		`<cfg:CertificateThumbprint></cfg:CertificateThumbprint><cfg:AllowRemoteAccess>true</cfg:AllowRemoteAccess></cfg:Service>` +
		`<cfg:Winrs><cfg:AllowRemoteShellAccess>` + strconv.FormatBool(!h.h.noShells) + `</cfg:AllowRemoteShellAccess><cfg:IdleTimeout>7200000</cfg:IdleTimeout>` +
		`<cfg:MaxConcurrentUsers>2147483647</cfg:MaxConcurrentUsers><cfg:MaxShellRunTime>2147483647</cfg:MaxShellRunTime>` +
		`<cfg:MaxProcessesPerShell>2147483647</cfg:MaxProcessesPerShell><cfg:MaxMemoryPerShellMB>2147483647</cfg:MaxMemoryPerShellMB>` +
		`<cfg:MaxShellsPerUser>` + strconv.Itoa(h.maxShells) + `</cfg:MaxShellsPerUser></cfg:Winrs></cfg:Config>`
	x.reply(envelope(nsGet, nsTransfer+"/GetResponse", x.req.Header.MessageID, body))
}
