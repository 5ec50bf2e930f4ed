package winrmsim

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"log"
	"math/rand/v2"
	"mime"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tlsready/tlsready/internal/chanbind"
	"github.com/tlsready/tlsready/remote/wsmv"
)

// Options configure simulated hosts. Zero limits take the defaults of the host's Windows version;
// the zero authentication settings are those of a default Windows host: Negotiate (NTLM, and
// Kerberos through Acceptors), Basic off, and over HTTP only encrypted messages.
type Options struct {
	// User and Password are the only credentials accepted. With Basic the user is compared
	// exactly as configured: "LAB\tlsready" and "tlsready@lab" are different users. With NTLM
	// it is compared as Windows does: case-insensitively, "LAB\tlsready" or "tlsready@lab".
	User, Password string
	// Auth lists the schemes the host offers, in the order of its WWW-Authenticate headers:
	// SchemeNegotiate, SchemeKerberos, SchemeBasic. Nil means Windows' default: Negotiate, and
	// Kerberos when Acceptors are given.
	Auth []string
	// AllowUnencrypted is WinRM's Service\AllowUnencrypted. False (Windows' default): over HTTP,
	// Basic is refused and a Negotiate-authenticated request must be encrypted; both get HTTP
	// 401, as Windows answers them. True accepts both in clear. Over HTTPS it changes nothing.
	AllowUnencrypted bool
	// Acceptors are server-side mechanisms tried before the built-in NTLM, e.g. Kerberos.
	Acceptors []Acceptor
	// Wire, when set, sees every request and answer of the host as it crosses the wire, with
	// the body as sent (encrypted or not): direction is "request" or "response"; the header of
	// a response has its status code under ":status". It is called from the host's
	// goroutines, concurrently for different connections.
	Wire func(direction string, header http.Header, body []byte)
	// TLS serves HTTPS with this configuration (it must hold a certificate); nil serves HTTP.
	TLS *tls.Config
	// MaxShellsPerUser is the number of shells one user may have open; 0 means the default of
	// the host's WinRM: 5 on Windows 7 / Server 2008 R2 and older (WinRM 2.0), 30 on newer.
	MaxShellsPerUser int
	// MaxEnvelopeSizeKB limits requests and responses; 0 means 150 on 6.1 and older, 500 newer.
	// It applies to the SOAP envelope, before encryption.
	MaxEnvelopeSizeKB int
	// ReceiveFault, for tests, answers every Receive with this fault: "InvalidParameter" (as in
	// test_winrs_fail_poll_process.yml), "TimedOut", "InvalidSelectors", "QuotaLimit" or
	// "InternalError".
	ReceiveFault string
	// Latency delays every answer of every host (added to the profile's latency): the network
	// round trip of a benchmark.
	Latency time.Duration
	// ExecTime is how long the collector (any command) "runs" before its output is there: a
	// Receive waits for it.
	ExecTime time.Duration
	// ScriptValidator, when set, judges every PowerShell program a host is sent before it runs:
	// the program of -EncodedCommand, and the program read from stdin (by "powershell -" or a
	// bootstrap that runs $input); a -Command text is not judged. It returns "" when the
	// program parses, else the parser's error as PowerShell prints it ("At line:N char:M ..."):
	// the host then answers as powershell.exe does, that text on stderr, exit code 1, nothing on
	// stdout. An error is the validator's own failure; the host answers it on stderr with exit
	// code 1 too. Nil (the default, and what "tlsready lab" and "demo" use) judges nothing.
	// Tests set it to a real PowerShell grammar (internal/psgrammar), so that the simulated
	// hosts are not more lenient than Windows.
	ScriptValidator func(ctx context.Context, script string) (parseError string, err error)
	// Logf, when set, receives a line per shell operation (Create, Command, Send with End,
	// Signal, Delete), per logon, per refused request and per fault, and the HTTP server's
	// errors. It never receives a password or a token.
	Logf func(format string, args ...any)
}

// Stats counts what a host was asked.
type Stats struct {
	Requests int // HTTP requests received, whatever the outcome
	Create   int
	Command  int
	Send     int
	Receive  int
	Signal   int
	Delete   int
	Get      int // WS-Transfer Get of the configuration
	Faults   int // SOAP faults answered
	// Resets counts the answers cut short by FaultReset.
	Resets int
	// Endless counts the answers without end of the endless faults (FaultEndlessHeader...).
	Endless int
	// Unauthorized counts the 401 answers, handshake steps included.
	Unauthorized int
	Logons       int // Negotiate/Kerberos handshakes completed
	Encrypted    int // requests with a multipart/encrypted body
	Connections  int // TCP connections accepted

	// WMI counts the WMI operations (Get, Enumerate, Pull, Invoke of a .../wsman/1/wmi/
	// resource), which are not counted above.
	WMI int
}

// Host is one simulated Windows host serving WinRM on 127.0.0.1.
type Host struct {
	h           *host
	opts        Options
	maxShells   int
	maxEnvelope int // bytes
	url, addr   string
	auth        []string     // the schemes offered
	cbt         []byte       // tls-server-end-point of the certificate over HTTPS
	srv         *http.Server // nil while a refusing host holds its port closed
	release     func() error // frees the port a refusing host holds
	creates     atomic.Int32 // Create requests seen, for FaultQuotaThenOK
	serveDone   chan struct{}
	closing     chan struct{}
	closeOnce   sync.Once
	closeErr    error
	streams     sync.WaitGroup // endless answers being written (Close waits for them)

	mu      sync.Mutex
	connsCV *sync.Cond
	conns   int
	stopCtx func() bool
	shells  map[string]*shell
	stats   Stats

	// WMI over WS-Management (wmi.go): the open enumeration contexts, and the WMI operations
	// seen, for FaultQuotaThenOK.
	enums    enumerations
	wmiQuota atomic.Int32
}

// Start validates p and serves it on 127.0.0.1 at a free port until Close, or until ctx is done.
// A host with fault "refuse" reserves a port and closes it at once: its URL refuses connections.
func Start(ctx context.Context, p Profile, opts Options) (*Host, error) {
	hd, err := compile(p)
	if err != nil {
		return nil, fmt.Errorf("host %s: %w", p.Name, err)
	}
	if opts.User == "" {
		return nil, fmt.Errorf("host %s: Options.User is empty (a Windows host always authenticates)", p.Name)
	}
	if _, ok := namedFaults[opts.ReceiveFault]; opts.ReceiveFault != "" && !ok {
		return nil, fmt.Errorf("host %s: Options.ReceiveFault %q: want one of InvalidParameter, TimedOut, InvalidSelectors, QuotaLimit, InternalError", p.Name, opts.ReceiveFault)
	}
	if opts.MaxShellsPerUser < 0 || opts.MaxEnvelopeSizeKB < 0 {
		return nil, fmt.Errorf("host %s: negative limit in Options", p.Name)
	}
	auth, err := offeredSchemes(opts)
	if err != nil {
		return nil, fmt.Errorf("host %s: %w", p.Name, err)
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("host %s: %w", p.Name, err)
	}
	hd.echoUser, hd.echoPass = opts.User, opts.Password
	h := &Host{
		h: hd, opts: opts, maxShells: opts.MaxShellsPerUser, auth: auth,
		serveDone: make(chan struct{}), closing: make(chan struct{}), shells: map[string]*shell{},
	}
	if opts.TLS != nil && len(opts.TLS.Certificates) > 0 && len(opts.TLS.Certificates[0].Certificate) > 0 {
		if cert, err := x509.ParseCertificate(opts.TLS.Certificates[0].Certificate[0]); err == nil {
			h.cbt = chanbind.ServerEndPoint(cert)
		}
	}
	h.connsCV = sync.NewCond(&h.mu)
	if h.maxShells == 0 {
		h.maxShells = 30
		if hd.oldWinRM {
			h.maxShells = 5
		}
	}
	kb := opts.MaxEnvelopeSizeKB
	if kb == 0 {
		kb = 500
		if hd.oldWinRM {
			kb = 150
		}
	}
	h.maxEnvelope = kb * 1024

	scheme := "http"
	if opts.TLS != nil {
		scheme = "https"
	}
	if p.Fault == FaultRefuse {
		addr, release, err := reservePort()
		if err != nil {
			return nil, fmt.Errorf("host %s: %w", p.Name, err)
		}
		h.addr, h.url, h.release = addr, scheme+"://"+addr+"/wsman", release
	} else {
		var lc net.ListenConfig
		ln, err := lc.Listen(ctx, "tcp4", "127.0.0.1:0")
		if err != nil {
			return nil, fmt.Errorf("host %s: listen: %w", p.Name, err)
		}
		h.addr = ln.Addr().String()
		h.url = scheme + "://" + h.addr + "/wsman"
		h.mu.Lock()
		h.serve(ln)
		h.mu.Unlock()
	}
	stop := context.AfterFunc(ctx, func() { _ = h.Close() })
	h.mu.Lock()
	h.stopCtx = stop
	h.mu.Unlock()
	if p.Fault == FaultRefuse {
		return h, nil // the port is held closed
	}
	h.logf("serving %s (%s, fault %q, auth %s, AllowUnencrypted %t)", h.url, p.OS.Caption, p.Fault, strings.Join(auth, "/"), opts.AllowUnencrypted)
	return h, nil
}

// serve starts the HTTP server on ln. h.mu is held.
func (h *Host) serve(ln net.Listener) {
	if h.opts.TLS != nil {
		cfg := h.opts.TLS.Clone()
		cfg.NextProtos = []string{"http/1.1"} // WinRM is HTTP/1.1
		ln = tls.NewListener(ln, cfg)
	}
	errLog := log.New(io.Discard, "", 0)
	if h.opts.Logf != nil {
		errLog = log.New(logWriter{h}, "", 0)
	}
	h.srv = &http.Server{Handler: h, ErrorLog: errLog, ConnState: h.connState, ConnContext: connContext}
	srv := h.srv
	go func() {
		defer close(h.serveDone)
		_ = srv.Serve(ln)
	}()
}

// ClearFault makes the host behave from now on as if its profile had no fault: a refusing host
// starts listening on the port it held, the others answer normally. Requests in flight finish
// as they started.
func (h *Host) ClearFault() error {
	h.h.cleared.Store(true)
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.srv != nil || h.release == nil {
		return nil
	}
	select {
	case <-h.closing:
		return nil
	default:
	}
	if err := h.release(); err != nil {
		return fmt.Errorf("host %s: free port: %w", h.Name(), err)
	}
	h.release = nil
	ln, err := net.Listen("tcp4", h.addr)
	if err != nil {
		return fmt.Errorf("host %s: listen again on %s: %w", h.Name(), h.addr, err)
	}
	h.serve(ln)
	h.logf("fault cleared: serving %s", h.url)
	return nil
}

// URL is the WinRM endpoint, e.g. http://127.0.0.1:40123/wsman.
func (h *Host) URL() string { return h.url }

// Addr is the endpoint's host:port.
func (h *Host) Addr() string { return h.addr }

// Name is the host's computer name (the profile's name).
func (h *Host) Name() string { return h.h.p.Name }

// Profile returns the profile the host answers from.
func (h *Host) Profile() Profile { return h.h.p }

// LoadedProfiles returns the SIDs of the accounts whose user profile is loaded now, because a
// shell of theirs that was opened with a profile (no WINRS_NOPROFILE=TRUE) is open: each is
// HKU\<SID> and HKU\<SID>_Classes for the collector.
func (h *Host) LoadedProfiles() []string {
	h.h.profMu.Lock()
	defer h.h.profMu.Unlock()
	return sortedKeys(h.h.loaded)
}

// CreatedProfiles returns the SIDs of the accounts whose user profile (C:\Users\<account>) a
// shell opened with a profile made on this host: what a scan must not leave behind.
func (h *Host) CreatedProfiles() []string {
	h.h.profMu.Lock()
	defer h.h.profMu.Unlock()
	return sortedKeys(h.h.created)
}

// Stats returns the counts of requests so far.
func (h *Host) Stats() Stats {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.stats
}

// OpenConnections is the number of client connections open now.
func (h *Host) OpenConnections() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.conns
}

// OpenShells is the number of shells created and not yet deleted.
func (h *Host) OpenShells() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.shells)
}

// Close stops the host: it closes the listener and every connection, ends the requests in
// progress without an answer, and returns once every goroutine of the host has finished.
// It may be called more than once.
func (h *Host) Close() error {
	h.closeOnce.Do(func() {
		h.mu.Lock()
		stop := h.stopCtx
		h.mu.Unlock()
		if stop != nil {
			stop()
		}
		h.mu.Lock()
		close(h.closing)
		srv, release := h.srv, h.release
		h.mu.Unlock()
		if srv != nil {
			h.closeErr = srv.Close()
			<-h.serveDone
		}
		if release != nil {
			h.closeErr = release()
		}
		h.streams.Wait()
		h.mu.Lock()
		for h.conns > 0 {
			h.connsCV.Wait()
		}
		h.shells = map[string]*shell{}
		h.mu.Unlock()
		h.logf("closed")
	})
	return h.closeErr
}

func (h *Host) connState(_ net.Conn, s http.ConnState) {
	h.mu.Lock()
	defer h.mu.Unlock()
	switch s {
	case http.StateNew:
		h.conns++
		h.stats.Connections++
	case http.StateClosed, http.StateHijacked:
		h.conns--
		h.connsCV.Broadcast()
	}
}

func (h *Host) logf(format string, args ...any) {
	if h.opts.Logf != nil {
		h.opts.Logf("winrmsim %s: "+format, append([]any{h.h.p.Name}, args...)...)
	}
}

type logWriter struct{ h *Host }

func (w logWriter) Write(b []byte) (int, error) {
	w.h.logf("%s", strings.TrimRight(string(b), "\n"))
	return len(b), nil
}

// Fleet is a set of simulated hosts started together.
type Fleet struct {
	hosts []*Host
}

// StartFleet starts one host per profile (host names must be unique, case-insensitively).
// When one fails, those already started are closed.
func StartFleet(ctx context.Context, profiles []Profile, opts Options) (*Fleet, error) {
	f := &Fleet{}
	seen := map[string]bool{}
	for _, p := range profiles {
		key := strings.ToUpper(p.Name)
		if seen[key] {
			_ = f.Close()
			return nil, fmt.Errorf("host %s: name used twice in the fleet", p.Name)
		}
		seen[key] = true
		h, err := Start(ctx, p, opts)
		if err != nil {
			_ = f.Close()
			return nil, err
		}
		f.hosts = append(f.hosts, h)
	}
	return f, nil
}

// Hosts returns the hosts in the order of the profiles.
func (f *Fleet) Hosts() []*Host { return append([]*Host(nil), f.hosts...) }

// Host returns the host of that name (case-insensitively), or nil.
func (f *Fleet) Host(name string) *Host {
	for _, h := range f.hosts {
		if strings.EqualFold(h.Name(), name) {
			return h
		}
	}
	return nil
}

// ClearFaults makes every host of the fleet behave as if its profile had no fault (see
// Host.ClearFault).
func (f *Fleet) ClearFaults() error {
	var errs []error
	for _, h := range f.hosts {
		errs = append(errs, h.ClearFault())
	}
	return errors.Join(errs...)
}

// Close closes every host and waits for all of them.
func (f *Fleet) Close() error {
	errs := make([]error, len(f.hosts))
	var wg sync.WaitGroup
	for i, h := range f.hosts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = h.Close()
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

// offeredSchemes checks Options.Auth and fills in the default.
func offeredSchemes(opts Options) ([]string, error) {
	if opts.Auth == nil {
		if len(opts.Acceptors) > 0 {
			return []string{SchemeNegotiate, SchemeKerberos}, nil
		}
		return []string{SchemeNegotiate}, nil
	}
	if len(opts.Auth) == 0 {
		return nil, errors.New("Options.Auth is empty: a Windows host always offers a scheme")
	}
	var out []string
	for _, a := range opts.Auth {
		switch {
		case strings.EqualFold(a, SchemeBasic):
			out = append(out, SchemeBasic)
		case strings.EqualFold(a, SchemeNegotiate):
			out = append(out, SchemeNegotiate)
		case strings.EqualFold(a, SchemeKerberos):
			out = append(out, SchemeKerberos)
		default:
			return nil, fmt.Errorf("Options.Auth %q: want Negotiate, Kerberos or Basic", a)
		}
	}
	return out, nil
}

// ServeHTTP answers one HTTP request as the WinRM service of a Windows host does.
func (h *Host) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.count(func(s *Stats) { s.Requests++ })
	if h.opts.Wire != nil {
		ww, ok := h.tapWire(w, r)
		if !ok {
			return
		}
		defer ww.flush()
		w = ww
	}
	w.Header().Set("Server", "Microsoft-HTTPAPI/2.0")
	fault := h.h.fault()
	if fault == FaultTimeout {
		h.hang(r)
		return
	}
	if !h.delay(r, fault) {
		return
	}
	if h.endlessAnswer(w, fault) {
		return
	}
	if !strings.EqualFold(r.URL.Path, "/wsman") {
		h.logf("%s %s: 404", r.Method, r.URL.Path)
		http.Error(w, "Not Found", http.StatusNotFound)
		return
	}
	if r.Method != http.MethodPost {
		h.logf("%s %s: 405", r.Method, r.URL.Path)
		w.Header().Set("Allow", http.MethodPost)
		w.WriteHeader(http.StatusMethodNotAllowed)
		return
	}
	auth, ok := h.authorize(w, r)
	if !ok {
		return
	}
	ct := r.Header.Get("Content-Type")
	encrypted := wsmv.IsEncrypted(ct)
	if !encrypted && auth.session && r.TLS == nil && !h.opts.AllowUnencrypted && r.ContentLength != 0 {
		// Windows refuses a message in clear over HTTP from a Negotiate/Kerberos client when
		// AllowUnencrypted is false with HTTP 401, which pywinrm reports as "the specified
		// credentials were rejected by the server" (Ansible, windows_setup.rst, "HTTP
		// 401/Credentials Rejected"). The body is not read, the logon is forgotten.
		auth.ca.mu.Lock()
		auth.ca.reset()
		auth.ca.mu.Unlock()
		h.unauthorized(w, "unencrypted message while AllowUnencrypted is false")
		return
	}
	limit := int64(h.maxEnvelope)
	if encrypted {
		limit += encryptionOverhead
	}
	var body []byte
	var err error
	if bb, ok := r.Body.(*bufferedBody); ok && int64(len(bb.b)) <= limit {
		body = bb.b // read ahead whole by delay or tapWire
	} else if body, err = readAll(http.MaxBytesReader(w, r.Body, limit), r.ContentLength, limit); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			h.tooLarge(w)
		}
		return
	}
	if auth.session && len(body) == 0 {
		// The end of a handshake: pywinrm and tlsready authenticate with an empty POST
		// before the first (encrypted) message, and Windows answers it 200 with no body.
		w.Header().Set("Content-Length", "0")
		w.WriteHeader(http.StatusOK)
		return
	}
	x := &exchange{host: h, w: w, r: r, user: auth.user, machine: machineName(r)}
	if encrypted {
		h.count(func(s *Stats) { s.Encrypted++ })
		if auth.sealer == nil {
			h.logf("POST /wsman: 400 (encrypted message without a security context)")
			w.Header().Set("Content-Length", "0")
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		_, plain, err := wsmv.Decrypt(ct, body, auth.sealer)
		if err != nil {
			h.logf("POST /wsman: 400 (%v)", err)
			auth.ca.mu.Lock()
			auth.ca.reset()
			auth.ca.mu.Unlock()
			w.Header().Set("Content-Length", "0")
			w.Header().Set("Connection", "close")
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		if len(plain) > h.maxEnvelope {
			h.tooLarge(w)
			return
		}
		body, x.protocol, x.sealer = plain, auth.protocol, auth.sealer
	} else if mt, _, err := mime.ParseMediaType(ct); err != nil || mt != "application/soap+xml" {
		h.logf("POST /wsman: 415 (Content-Type %q)", ct)
		w.Header().Set("Content-Length", "0")
		w.WriteHeader(http.StatusUnsupportedMediaType)
		return
	}
	req, err := parseRequest(body)
	if err != nil {
		h.logf("POST /wsman: malformed envelope: %v", err)
		x.fault(faultSchema)
		return
	}
	x.req, x.raw = req, body
	x.dispatch()
}

// encryptionOverhead is what the multipart/encrypted framing adds to an envelope, at most.
const encryptionOverhead = 1024

// tooLarge answers a request over MaxEnvelopeSizekb.
func (h *Host) tooLarge(w http.ResponseWriter) {
	// Windows refuses a request over MaxEnvelopeSizekb with HTTP 413, which its client
	// reports as "the request size exceeded the configured MaxEnvelopeSize quota"
	// (ERROR_WSMAN_HTTP_REQUEST_TOO_LARGE_STATUS 0x80338111; see
	// ansible-collections/ansible.windows#391 and #620, masterzen/winrm#156).
	h.logf("POST /wsman: 413 (request over MaxEnvelopeSize %d bytes)", h.maxEnvelope)
	w.Header().Set("Content-Length", "0")
	w.WriteHeader(http.StatusRequestEntityTooLarge)
}

// hang reads the request and never answers: the host's end of a timeout. It ends when the
// client goes away or the host closes.
func (h *Host) hang(r *http.Request) {
	_, _ = io.Copy(io.Discard, r.Body)
	select {
	case <-r.Context().Done():
	case <-h.closing:
	}
	panic(http.ErrAbortHandler) // close the connection without an answer
}

// delay waits the host's latency (Options.Latency plus the profile's) and, for FaultSlow, a
// random 0.5 to 2 s. It returns false when the client went away or the host closed meanwhile.
func (h *Host) delay(r *http.Request, fault string) bool {
	d := h.opts.Latency
	if lo, hi := h.h.latency[0], h.h.latency[1]; hi > 0 {
		d += lo + rand.N(hi-lo+1)
	}
	if fault == FaultSlow {
		d += 500*time.Millisecond + rand.N(1500*time.Millisecond)
	}
	if d <= 0 {
		return true
	}
	// net/http notices that the client went away (and cancels r.Context) only once the body
	// has been read: read it now, up to the limits, and hand it on.
	if r.ContentLength != 0 {
		limit := int64(h.maxEnvelope) + encryptionOverhead
		b, err := readAll(io.LimitReader(r.Body, limit+1), r.ContentLength, limit+1)
		if err != nil {
			return false
		}
		r.Body = putBack(r.Body, b, limit)
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-r.Context().Done():
		return false
	case <-h.closing:
		panic(http.ErrAbortHandler)
	}
}

func (h *Host) count(f func(*Stats)) {
	h.mu.Lock()
	f(&h.stats)
	h.mu.Unlock()
}

// machineName is the Machine of a fault: the host as the client addressed it.
func machineName(r *http.Request) string {
	if host, _, err := net.SplitHostPort(r.Host); err == nil {
		return host
	}
	return r.Host
}

// exchange is one authenticated SOAP request and its answer.
type exchange struct {
	host     *Host
	w        http.ResponseWriter
	r        *http.Request
	req      *request
	raw      []byte // the request envelope, decrypted: the WMI operations read its body again
	user     string
	machine  string
	protocol string      // the request came encrypted: so goes the answer
	sealer   wsmv.Sealer // nil: in clear
}

func (x *exchange) reply(b []byte) { x.write(http.StatusOK, b) }

func (x *exchange) write(status int, b []byte) {
	if x.sealer != nil {
		ct, body, err := wsmv.Encrypt(x.protocol, x.sealer, b)
		if err != nil {
			x.host.logf("seal answer: %v", err)
			panic(http.ErrAbortHandler)
		}
		x.w.Header().Set("Content-Type", ct)
		x.w.Header().Set("Content-Length", strconv.Itoa(len(body)))
		x.w.WriteHeader(status)
		_, _ = x.w.Write(body)
		return
	}
	x.w.Header().Set("Content-Type", "application/soap+xml;charset=UTF-8")
	x.w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	x.w.WriteHeader(status)
	_, _ = x.w.Write(b)
}

func (x *exchange) fault(f soapFault) {
	x.host.count(func(s *Stats) { s.Faults++ })
	relates := ""
	if x.req != nil {
		relates = x.req.Header.MessageID
	}
	x.host.logf("fault %s (%d)", f.subcode, f.wsmanCode)
	x.write(http.StatusInternalServerError, f.render(relates, x.machine))
}

// bufferedBody is a request body that delay or tapWire read ahead whole, so that ServeHTTP
// takes the bytes instead of reading and copying them again.
type bufferedBody struct {
	*bytes.Reader
	io.Closer
	b []byte
}

// putBack returns a body that gives b and then what is left of body. b read within limit is
// the whole body: a *bufferedBody.
func putBack(body io.ReadCloser, b []byte, limit int64) io.ReadCloser {
	if int64(len(b)) <= limit {
		return &bufferedBody{Reader: bytes.NewReader(b), Closer: body, b: b}
	}
	return struct {
		io.Reader
		io.Closer
	}{io.MultiReader(bytes.NewReader(b), body), body}
}

// readAll reads r, which ends at limit bytes or fails beyond, into one buffer of the request's
// Content-Length when it has one within the limit.
func readAll(r io.Reader, contentLength, limit int64) ([]byte, error) {
	if contentLength <= 0 || contentLength > limit {
		return io.ReadAll(r)
	}
	b := make([]byte, contentLength)
	n, err := io.ReadFull(r, b)
	if err != nil {
		return b[:n], err
	}
	// net/http ends the body at Content-Length; a reader that goes on gets read to its end.
	var probe [1]byte
	if m, _ := r.Read(probe[:]); m > 0 {
		rest, err := io.ReadAll(r)
		return append(append(b, probe[0]), rest...), err
	}
	return b, nil
}
