package remote

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Defaults of Config.
const (
	DefaultTimeout          = 60 * time.Second
	DefaultOperationTimeout = 20 * time.Second
	// DefaultEnvelopeSize is 150 KB, the MaxEnvelopeSizekb of Windows 7 and Server 2008 R2: a
	// larger request is refused by those hosts.
	DefaultEnvelopeSize = 153600
	DefaultHTTPPort     = 5985
	DefaultHTTPSPort    = 5986
)

const (
	defaultDialTimeout    = 10 * time.Second
	defaultCleanupTimeout = 5 * time.Second
	defaultLocale         = "en-US"
	// maxResponseBytes bounds one HTTP response body, encrypted or not. Windows keeps each
	// answer under the MaxEnvelopeSize of the request (Config.EnvelopeSize: 150 KB by default,
	// at most half of this bound, see NewClient); the MS-WSMV framing of an encrypted answer adds
	// under 1 KB; error pages from proxies or IIS are small. 1 MB is twice the largest envelope
	// a Client may ask for, and no more: every host in flight may hold one answer (and its
	// decrypted copy) at a time.
	maxResponseBytes = 1 << 20
	// maxOutputBytes bounds stdout plus stderr of one command. The collector prints about 5 KB
	// (a host with many user hives some tens of KB) and the fix writer a few hundred bytes: 1 MB
	// is 200 times the collector's output, and what a host that floods its output can make a
	// scan hold for it (README, Limits).
	maxOutputBytes = 1 << 20
	// envelopeOverhead is room left in each Send envelope for its SOAP headers (about 1.5 KB).
	envelopeOverhead = 4096
)

// Config says how to reach and authenticate to the hosts of one scan. The zero value of each
// optional field means its default.
type Config struct {
	// User (DOMAIN\user or user@domain) and Password are the account. The password is never
	// logged nor put in an error message. On Windows, no User and no Password (with any Auth but
	// basic) is the current logon session, through SSPI (see CurrentLogon).
	User, Password string
	// Auth is the authentication: AuthNegotiate (the default: Kerberos when available, else
	// NTLM), AuthNTLM, AuthKerberos or AuthBasic. With NTLM and Kerberos, each Run uses one
	// dedicated connection, authenticates once on it, and over HTTP encrypts every message
	// (MS-WSMV): no SOAP body is ever sent in clear, a host that answers in clear fails with an
	// *AuthError. Over HTTPS the messages are not encrypted again, as Windows does.
	Auth string
	// HTTPS connects to WinRM over TLS (default port 5986) and verifies the host's certificate
	// against the system roots, or against CAFile, unless InsecureSkipVerify.
	HTTPS              bool
	InsecureSkipVerify bool
	CAFile             string // PEM file of the CA(s) that issued the hosts' certificates
	TLSServerName      string // name to verify in every host's certificate instead of its address
	// MinTLSVersion is the lowest TLS version accepted (default tls.VersionTLS12).
	MinTLSVersion uint16
	// Timeout is the overall deadline of one host, first connection to last answer (default 60s).
	// Stopping the command and deleting the shell afterwards may take up to 7.5s more.
	Timeout time.Duration
	// OperationTimeout is the WS-Management OperationTimeout: how long the host may hold one
	// request, in particular a Receive while the command prints nothing (default 20s). Windows
	// refuses values above its MaxTimeoutms (60s by default). Near the host's deadline, requests
	// ask for less, so that the host answers before it.
	OperationTimeout time.Duration
	// EnvelopeSize is the MaxEnvelopeSize announced in every request and the size that no
	// request exceeds (default 153600, which every Windows version accepts).
	EnvelopeSize int
	// DialTimeout bounds the TCP connection (default 10s).
	DialTimeout time.Duration
	// DeferCleanup returns a run's result as soon as the command's output is in, and deletes
	// the shell (and stops the command if it still runs) in the background: one round trip less
	// before each host's result. Close waits for those cleanups.
	DeferCleanup bool
	// MaxIdleConnsPerHost is how many idle connections to one host are kept (default 2).
	MaxIdleConnsPerHost int
	// Proxy chooses an HTTP proxy per request. Nil means none: WinRM to internal hosts does
	// not go through the proxy of the environment unless asked. Only Basic can use one: NTLM
	// and Kerberos are bound to a connection that a proxy does not keep.
	Proxy func(*http.Request) (*url.URL, error)
	// Locale is sent as the WS-Management locale, the language of fault messages (default en-US).
	Locale string
	// Kerberos configures the Kerberos login (realm, KDCs, krb5.conf, ticket cache, SPN names).
	// One login serves all the hosts of the Client, made on first use, ended by Close.
	Kerberos KerberosConfig

	// sspi, for tests, replaces the platform's SSPI of the current logon (platformSSPI).
	sspi sspiProvider
}

// String describes the configuration without the password.
func (c Config) String() string {
	return fmt.Sprintf("remote.Config{User:%q Auth:%q HTTPS:%t InsecureSkipVerify:%t CAFile:%q TLSServerName:%q Timeout:%s OperationTimeout:%s EnvelopeSize:%d}",
		c.User, c.Auth, c.HTTPS, c.InsecureSkipVerify, c.CAFile, c.TLSServerName, c.Timeout, c.OperationTimeout, c.EnvelopeSize)
}

// GoString is String, so that %#v does not print the password either.
func (c Config) GoString() string { return c.String() }

// Endpoint is the WinRM listener of one host.
type Endpoint struct {
	Host string
	Port int // 0: 5985, or 5986 with HTTPS
}

// ParseEndpoint reads "host", "host:port" or "[v6addr]:port".
func ParseEndpoint(addr string) (Endpoint, error) {
	if addr == "" {
		return Endpoint{}, errors.New("empty address")
	}
	if ip := net.ParseIP(addr); ip != nil {
		return Endpoint{Host: addr}, nil
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		if strings.Contains(err.Error(), "missing port") {
			return Endpoint{Host: strings.Trim(addr, "[]")}, nil
		}
		return Endpoint{}, fmt.Errorf("address %q: %w", addr, err)
	}
	p, err := strconv.Atoi(port)
	if err != nil || p < 1 || p > 65535 {
		return Endpoint{}, fmt.Errorf("address %q: bad port %q", addr, port)
	}
	return Endpoint{Host: host, Port: p}, nil
}

// String is "host:port", or "host" when Port is 0.
func (e Endpoint) String() string {
	if e.Port == 0 {
		return e.Host
	}
	return net.JoinHostPort(e.Host, strconv.Itoa(e.Port))
}

// RunResult is what one command printed and its exit code.
type RunResult struct {
	Stdout, Stderr []byte
	ExitCode       int
}

// Client runs commands on WinRM hosts. Build one per scan with NewClient; it is safe for
// concurrent use, and all hosts share its HTTP connection pool.
type Client struct {
	cfg            Config
	transport      *http.Transport // shared by the Basic runs; cloned for each NTLM/Kerberos run
	hc             *http.Client
	dialer         *net.Dialer
	cleanupTimeout time.Duration // for Signal and Delete after the run
	// wrapRT, for tests, wraps the round tripper of each run's own connection.
	wrapRT func(http.RoundTripper) http.RoundTripper
	// cleanups counts the shell deletions still running in the background (DeferCleanup).
	cleanups sync.WaitGroup
	scripts  scriptCache
	stdin    stdinCache
	requests *templates // the library's requests, compiled for this Client's locale and envelope size
	// sspi is the current logon (Windows, no user and no password), nil otherwise.
	sspi *sspiShared
}

// NewClient checks cfg, fills in defaults and builds the shared HTTP transport.
func NewClient(cfg Config) (*Client, error) {
	auth, err := checkAuth(cfg.Auth)
	if err != nil {
		return nil, err
	}
	cfg.Auth = auth
	currentLogon := newSSPIShared(cfg, auth)
	if cfg.User == "" && currentLogon == nil && !(auth == AuthKerberos && cfg.Password == "") {
		// Kerberos with a ticket cache takes the user from the cache.
		return nil, errors.New("no user name")
	}
	cfg.Kerberos.shared = newKerberosShared()
	if auth == AuthKerberos && mechanism(AuthKerberos) == nil {
		return nil, errors.New("authentication kerberos: this build has no Kerberos support")
	}
	if auth != AuthBasic && cfg.Proxy != nil {
		return nil, fmt.Errorf("authentication %s cannot go through a proxy (it is bound to one connection); use basic over HTTPS", auth)
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.OperationTimeout <= 0 {
		cfg.OperationTimeout = DefaultOperationTimeout
	}
	if cfg.OperationTimeout < time.Second {
		return nil, fmt.Errorf("operation timeout %s: want at least 1s", cfg.OperationTimeout)
	}
	if cfg.EnvelopeSize == 0 {
		cfg.EnvelopeSize = DefaultEnvelopeSize
	}
	if cfg.EnvelopeSize < 2*envelopeOverhead {
		return nil, fmt.Errorf("envelope size %d: want at least %d bytes", cfg.EnvelopeSize, 2*envelopeOverhead)
	}
	if cfg.EnvelopeSize > maxResponseBytes/2 {
		// The answers, as large as the envelope size, must stay well within maxResponseBytes.
		return nil, fmt.Errorf("envelope size %d: want at most %d bytes", cfg.EnvelopeSize, maxResponseBytes/2)
	}
	if cfg.DialTimeout <= 0 {
		cfg.DialTimeout = defaultDialTimeout
	}
	if cfg.MaxIdleConnsPerHost <= 0 {
		cfg.MaxIdleConnsPerHost = 2
	}
	if cfg.Locale == "" {
		cfg.Locale = defaultLocale
	}
	if cfg.MinTLSVersion == 0 {
		cfg.MinTLSVersion = tls.VersionTLS12
	}
	tlsConf := &tls.Config{
		MinVersion:         cfg.MinTLSVersion,
		ServerName:         cfg.TLSServerName,
		InsecureSkipVerify: cfg.InsecureSkipVerify, //nolint:gosec // only when the user asks, with a warning
	}
	if cfg.CAFile != "" {
		pem, err := os.ReadFile(cfg.CAFile)
		if err != nil {
			return nil, fmt.Errorf("CA file: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("CA file %s: no PEM certificate in it", cfg.CAFile)
		}
		tlsConf.RootCAs = pool
	}
	dialer := &net.Dialer{Timeout: cfg.DialTimeout, KeepAlive: 30 * time.Second}
	tr := &http.Transport{
		Proxy:               cfg.Proxy,
		DialContext:         dialer.DialContext,
		TLSClientConfig:     tlsConf,
		TLSHandshakeTimeout: 10 * time.Second,
		MaxIdleConns:        100,
		MaxIdleConnsPerHost: cfg.MaxIdleConnsPerHost,
		IdleConnTimeout:     30 * time.Second,
		// A host holds a Receive for up to OperationTimeout; past that plus a margin it hangs.
		ResponseHeaderTimeout: cfg.OperationTimeout + 30*time.Second,
		// The status line and the headers of an answer, together: a WinRM answer has a few
		// hundred bytes of them (net/http's default would be 10 MB per answer).
		MaxResponseHeaderBytes: maxHeaderBytes,
		DisableCompression:     true,
	}
	hc := &http.Client{
		Transport: tr,
		// WinRM does not redirect; following one could send the credentials elsewhere.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	reqs, err := compileTemplates(cfg.Locale, cfg.EnvelopeSize)
	if err != nil {
		return nil, err
	}
	return &Client{cfg: cfg, transport: tr, hc: hc, dialer: dialer, cleanupTimeout: defaultCleanupTimeout, requests: reqs, sspi: currentLogon}, nil
}

// Close closes the idle connections of the pool and ends the Kerberos login, if any. Call it
// when no Run is in progress.
func (c *Client) Close() {
	c.cleanups.Wait() // each is bounded by the cleanup timeout
	c.transport.CloseIdleConnections()
	c.cfg.Kerberos.shared.close()
	c.sspi.close()
}

func (c *Client) normalize(ep Endpoint) Endpoint {
	if ep.Port == 0 {
		ep.Port = DefaultHTTPPort
		if c.cfg.HTTPS {
			ep.Port = DefaultHTTPSPort
		}
	}
	return ep
}

// hostLabel names the host in error messages: without the port when it is the default one.
func (c *Client) hostLabel(ep Endpoint) string {
	if ep.Port == DefaultHTTPPort && !c.cfg.HTTPS || ep.Port == DefaultHTTPSPort && c.cfg.HTTPS {
		return ep.Host
	}
	return ep.String()
}

func (c *Client) url(ep Endpoint) string {
	scheme := "http"
	if c.cfg.HTTPS {
		scheme = "https"
	}
	return (&url.URL{Scheme: scheme, Host: ep.String(), Path: "/wsman"}).String()
}

// validHost rejects what cannot be a host name or address; the name also ends up in XML that
// the envelope builder does not escape.
func validHost(h string) bool {
	if h == "" || len(h) > 255 {
		return false
	}
	for _, r := range h {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
		case strings.ContainsRune(".-_:%", r):
		default:
			return false
		}
	}
	return true
}

// Run runs command in a new shell on the host at ep, sends stdin to it (nothing if stdin is
// nil), and returns what it printed and its exit code. It ends within ctx's deadline and the
// Config's Timeout, whichever is sooner; then the command is stopped if it may still run and
// the shell is deleted, in every case, which may take up to 7.5s more when the host does not
// answer (a failure there is not reported: the result stands). Errors are *Error, with the
// step that failed and its Category; what was received before the failure is returned too.
func (c *Client) Run(ctx context.Context, ep Endpoint, command string, stdin []byte) (RunResult, error) {
	ep = c.normalize(ep)
	r := &run{c: c, ep: ep, start: time.Now()}
	if !validHost(ep.Host) {
		return RunResult{}, &Error{Host: ep.Host, Step: stepConnect, Category: CategoryUnreachable,
			Err: fmt.Errorf("invalid host name %q", ep.Host)}
	}
	ctx, cancel := context.WithTimeout(ctx, c.cfg.Timeout)
	defer cancel()
	r.ctx = ctx

	r.tr = &transporter{ctx: ctx, hc: c.hc, url: c.url(ep), user: c.cfg.User, password: c.cfg.Password}
	if c.cfg.Auth != AuthBasic {
		r.tr.sess = c.newAuthSession(ep, r.tr.url)
	}
	// Afterwards: stop the command if it may still run, delete the shell, then close the
	// connection it was deleted on - now, or in the background with DeferCleanup.
	finish := func() {
		r.cleanup()
		if r.tr.sess != nil {
			r.tr.sess.close()
		}
	}
	if c.cfg.DeferCleanup {
		c.cleanups.Add(1)
		defer func() {
			go func() {
				defer c.cleanups.Done()
				finish()
			}()
		}()
	} else {
		defer finish()
	}
	err := r.execute(command, stdin)
	res := RunResult{Stdout: r.stdout.Bytes(), Stderr: r.stderr.Bytes(), ExitCode: r.exitCode}
	return res, err
}

// Steps of a run, as they appear in error messages.
const (
	stepConnect      = "connect"
	stepAuthenticate = "authenticate"
	stepCreateShell  = "create shell"
	stepCommand      = "command"
	stepSend         = "send"
	stepReceive      = "receive"
	stepCollect      = "collect"
)

// run is the state of one Run.
type run struct {
	c       *Client
	ep      Endpoint
	ctx     context.Context
	start   time.Time
	tr      *transporter
	timeout string // OperationTimeout of the next request, as xs:duration

	shellID, commandID string
	command            string
	commandDone        bool
	stdout, stderr     bytes.Buffer
	exitCode           int
}

func (r *run) fail(step string, err error) error {
	if r.ctx != nil && r.ctx.Err() != nil {
		// The request failed because the deadline passed or the scan was cancelled, whatever
		// the transport made of it.
		err = &deadlineError{after: time.Since(r.start).Round(time.Millisecond), ctxErr: r.ctx.Err(), cause: err}
	}
	cat := classify(err)
	var he *handshakeError
	if errors.As(err, &he) {
		step = stepAuthenticate
	}
	if cat == CategoryUnreachable {
		step = stepConnect
	}
	return &Error{Host: r.c.hostLabel(r.ep), Step: step, Category: cat, Err: err}
}

// post sends one request of kind k with the run's transporter bound to ctx.
func (r *run) post(ctx context.Context, k requestKind, stdin []byte) ([]byte, error) {
	return r.tr.withContext(ctx).post(r.request(k, stdin))
}

// request is the next request of kind k: its template filled with the run's values.
func (r *run) request(k requestKind, stdin []byte) message {
	return r.c.requests[k].fill(&values{url: r.tr.url, messageID: newMessageID(), timeout: r.timeout,
		shellID: r.shellID, commandID: r.commandID, command: r.command, stdin: stdin})
}

func (r *run) execute(command string, stdin []byte) error {
	r.setOperationTimeout()
	shellID, err := r.requestID(reqCreate, decodeShellID, "ShellId", "CreateResponse")
	if err != nil {
		return r.fail(stepCreateShell, err)
	}
	r.shellID = shellID

	r.command = command
	commandID, err := r.requestID(reqCommand, decodeCommandID, "CommandId", "CommandResponse")
	if err != nil {
		return r.fail(stepCommand, err)
	}
	r.commandID = commandID

	if stdin != nil {
		if err := r.send(stdin); err != nil {
			return r.fail(stepSend, err)
		}
	}
	if err := r.receive(); err != nil {
		return r.fail(stepReceive, err)
	}
	return nil
}

// requestID sends a request of kind k and returns the id that decode reads from the answer
// (named what, in an answer named answer), checked to be an identifier that later requests may
// carry.
func (r *run) requestID(k requestKind, decode func([]byte) (string, error), what, answer string) (string, error) {
	body, err := r.post(r.ctx, k, nil)
	if err != nil {
		return "", err
	}
	id, err := decode(body)
	switch {
	case err != nil:
		return "", err
	case id == "":
		return "", &ProtocolError{Reason: "no " + what + " in the " + answer}
	case !validID(id):
		return "", &ProtocolError{Reason: fmt.Sprintf("%s %q is not an identifier", what, snippet([]byte(id), 60))}
	}
	return id, nil
}

// send writes stdin in chunks small enough for every envelope to stay under EnvelopeSize, the
// last one marked End. The base64 text of the chunks is made once per Client for the same
// stdin (a scan sends the same collector to every host) and goes into each request as a shared
// part of the message.
func (r *run) send(stdin []byte) error {
	chunks := r.c.stdinChunks(stdin, (r.c.cfg.EnvelopeSize-envelopeOverhead)/4*3) // base64 grows 3 bytes to 4
	for i, chunk := range chunks {
		k := reqSend
		if i == len(chunks)-1 {
			k = reqSendEnd
		}
		m := r.request(k, chunk)
		if size := m.size(); size > r.c.cfg.EnvelopeSize {
			return fmt.Errorf("send envelope of %d bytes exceeds the envelope size %d", size, r.c.cfg.EnvelopeSize)
		}
		body, err := r.tr.post(m)
		if err == nil {
			err = expectAction(body, actionSendResponse)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// stdinCache keeps the base64 chunks of the last stdin that a run sent.
type stdinCache struct {
	mu     sync.Mutex
	stdin  []byte
	size   int
	chunks [][]byte
}

// stdinChunks returns stdin cut into chunks of at most size bytes, each as base64 text; no
// stdin is one empty chunk. The result is shared: callers must not modify it.
func (c *Client) stdinChunks(stdin []byte, size int) [][]byte {
	c.stdin.mu.Lock()
	defer c.stdin.mu.Unlock()
	if c.stdin.chunks != nil && c.stdin.size == size && bytes.Equal(c.stdin.stdin, stdin) {
		return c.stdin.chunks
	}
	chunks := [][]byte{}
	for rest, first := stdin, true; first || len(rest) > 0; first = false {
		n := min(size, len(rest))
		chunks = append(chunks, base64.StdEncoding.AppendEncode(nil, rest[:n]))
		rest = rest[n:]
	}
	c.stdin.stdin, c.stdin.size, c.stdin.chunks = bytes.Clone(stdin), size, chunks
	return chunks
}

// receive polls for output until the command is done. A w:TimedOut fault only says that the
// command printed nothing within OperationTimeout (WinRM's long polling): poll again. Any other
// fault or error ends the run. An answer without output that comes back quickly is followed by
// a growing pause, so that a host answering at once never makes this a busy loop.
func (r *run) receive() error {
	var pause time.Duration
	for {
		r.setOperationTimeout()
		sent := time.Now()
		body, err := r.post(r.ctx, reqReceive, nil)
		progress := false
		if err != nil {
			var fe *FaultError
			if !errors.As(err, &fe) || !fe.IsTimedOut() {
				return err
			}
		} else {
			before := r.stdout.Len() + r.stderr.Len()
			done, code, err := decodeReceive(body, &r.stdout, &r.stderr, maxOutputBytes)
			if err != nil {
				return err
			}
			if done {
				r.commandDone, r.exitCode = true, code
				return nil
			}
			progress = r.stdout.Len()+r.stderr.Len() > before
		}
		if progress || time.Since(sent) >= time.Second {
			pause = 0
			continue
		}
		pause = min(max(2*pause, 50*time.Millisecond), 2*time.Second)
		t := time.NewTimer(pause)
		select {
		case <-r.ctx.Done():
			t.Stop()
			return r.ctx.Err()
		case <-t.C:
		}
	}
}

// setOperationTimeout asks the host to answer before the run's deadline: OperationTimeout, or
// less when the deadline is nearer, so that a long poll ends in a w:TimedOut fault rather than
// in a cut connection.
func (r *run) setOperationTimeout() {
	d := r.c.cfg.OperationTimeout
	if dl, ok := r.ctx.Deadline(); ok {
		if left := time.Until(dl) - time.Second; left < d {
			d = max(left, time.Second)
		}
	}
	r.timeout = isoSeconds(d)
}

// cleanup stops the command if it may still run and deletes the shell, on contexts of their
// own: this must happen also when the run's deadline has passed or the scan was cancelled. The
// Signal gets half the cleanup time, the Delete all of it, so that a host that does not answer
// the one still gets the other.
func (r *run) cleanup() {
	if r.shellID == "" {
		return
	}
	base := context.WithoutCancel(r.ctx)
	if r.commandID != "" && !r.commandDone {
		ctx, cancel := context.WithTimeout(base, r.c.cleanupTimeout/2)
		r.timeout = isoSeconds(r.c.cleanupTimeout / 2)
		// Errors are ignored: the command may be gone already, and deleting the shell ends it.
		_, _ = r.post(ctx, reqSignal, nil)
		cancel()
	}
	ctx, cancel := context.WithTimeout(base, r.c.cleanupTimeout)
	defer cancel()
	r.timeout = isoSeconds(r.c.cleanupTimeout)
	// The last request of the run also closes its connection: the pool keeps nothing for a
	// host that is done.
	_, _ = r.tr.withContext(ctx).closing().post(r.request(reqDelete, nil))
}

// isoSeconds renders d as an xs:duration in whole seconds, e.g. PT20S.
func isoSeconds(d time.Duration) string {
	return "PT" + strconv.Itoa(int(max(d.Round(time.Second), time.Second)/time.Second)) + "S"
}

// deadlineError says that a run ran out of time or was cancelled.
type deadlineError struct {
	after  time.Duration
	ctxErr error // context.DeadlineExceeded or context.Canceled
	cause  error // what the failed step reported
}

func (e *deadlineError) Error() string {
	what := "timed out"
	if errors.Is(e.ctxErr, context.Canceled) {
		what = "cancelled"
	}
	msg := fmt.Sprintf("%s after %s", what, e.after)
	if e.cause == nil || e.cause == e.ctxErr {
		return msg
	}
	return msg + ": " + e.cause.Error()
}

func (e *deadlineError) Unwrap() []error {
	if e.cause == nil {
		return []error{e.ctxErr}
	}
	return []error{e.ctxErr, e.cause}
}
