package remote

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tlsready/tlsready/internal/psgrammar/psgtest"
	"github.com/tlsready/tlsready/remote/ntlm"
	"github.com/tlsready/tlsready/remote/winrmsim"
	"github.com/tlsready/tlsready/remote/wsmv"
)

// wireLog keeps what a simulated host saw on the wire (winrmsim.Options.Wire).
type wireLog struct {
	mu   sync.Mutex
	msgs []wireMsg
}

type wireMsg struct {
	dir    string
	header http.Header
	body   []byte
}

func (l *wireLog) record(dir string, h http.Header, b []byte) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.msgs = append(l.msgs, wireMsg{dir, h, bytes.Clone(b)})
}

func (l *wireLog) all() []wireMsg {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]wireMsg(nil), l.msgs...)
}

// checkNoClearSOAP fails when a body crossed the wire in clear: every non-empty body must be
// multipart/encrypted and must not show the SOAP envelope. It returns the number of
// encrypted bodies seen.
func (l *wireLog) checkNoClearSOAP(t *testing.T) int {
	t.Helper()
	n := 0
	for i, m := range l.all() {
		if len(m.body) == 0 {
			continue
		}
		ct := m.header.Get("Content-Type")
		// "<s:" is three bytes: ciphertext holds it by chance in about one body of 1,400, so it
		// is looked for only outside the encrypted payload; the long markers anywhere.
		if !strings.HasPrefix(ct, "multipart/encrypted;") || bytes.Contains(m.body, []byte("Envelope")) ||
			bytes.Contains(clearParts(m.body), []byte("<s:")) || bytes.Contains(m.body, []byte("schemas.xmlsoap.org")) {
			t.Errorf("%s %d crossed the wire in clear (%s): %.120q", m.dir, i, ct, m.body)
			continue
		}
		if len(clearParts(m.body)) >= len(m.body) {
			t.Errorf("%s %d: no encrypted payload found in %.120q", m.dir, i, m.body)
		}
		n++
	}
	return n
}

// clearParts is a multipart/encrypted body without its encrypted payload: the bytes between the
// application/octet-stream part's header line and the closing boundary.
func clearParts(body []byte) []byte {
	const start = "Content-Type: application/octet-stream\r\n"
	i := bytes.Index(body, []byte(start))
	if i < 0 {
		return body
	}
	j := bytes.LastIndex(body, []byte("--Encrypted Boundary--"))
	if j < i {
		return body
	}
	return append(append([]byte(nil), body[:i+len(start)]...), body[j:]...)
}

func simProfile(t *testing.T, file string) winrmsim.Profile {
	t.Helper()
	p, err := winrmsim.LoadProfile(filepath.Join("..", "testdata", "fleet", file))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// startSim starts a simulated host with the test account, judging programs with the PowerShell
// grammar when it is installed; it records the wire when w is set.
func startSim(t *testing.T, p winrmsim.Profile, opts winrmsim.Options, w *wireLog) (*winrmsim.Host, Endpoint) {
	t.Helper()
	if opts.User == "" {
		opts.User, opts.Password = testUser, testPassword
	}
	if w != nil {
		opts.Wire = w.record
	}
	if opts.ScriptValidator == nil {
		opts.ScriptValidator = psgtest.ScriptValidator(t, grammar)
	}
	h, err := winrmsim.Start(context.Background(), p, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = h.Close() })
	ep, err := ParseEndpoint(h.Addr())
	if err != nil {
		t.Fatal(err)
	}
	return h, ep
}

// The acceptance test of the issue: NTLM over HTTP against a host with Windows' defaults
// (Negotiate only, AllowUnencrypted false). The command runs, every SOAP body in both
// directions is encrypted, one handshake and one connection serve the whole run, and the
// connection is closed at the end.
func TestNTLM_HTTP_EncryptsEveryMessage(t *testing.T) {
	for _, auth := range []string{AuthNTLM, AuthNegotiate, ""} {
		t.Run("auth="+auth, func(t *testing.T) {
			var wire wireLog
			p := simProfile(t, "pc-w10-001.json")
			h, ep := startSim(t, p, winrmsim.Options{}, &wire)
			c := newTestClient(t, Config{Auth: auth})
			if auth == "" {
				c = newTestClientDefaultAuth(t)
			}
			res, err := c.Run(context.Background(), ep, "powershell.exe -", []byte("Write-Output hello\r\nhostname\r\n"))
			if err != nil {
				t.Fatal(err)
			}
			if got := string(res.Stdout); got != "hello\r\n"+p.Name+"\r\n" && got != "hello\n"+p.Name+"\n" {
				t.Errorf("stdout %q", got)
			}
			st := h.Stats()
			encrypted := wire.checkNoClearSOAP(t)
			// Handshake: NEGOTIATE (401 + CHALLENGE), AUTHENTICATE (200); then Create, Command,
			// Send, Receive..., Delete, each encrypted both ways.
			if st.Logons != 1 || st.Connections != 1 || st.Unauthorized != 1 {
				t.Errorf("%d logons, %d connections, %d 401s; want 1, 1, 1", st.Logons, st.Connections, st.Unauthorized)
			}
			if want := 2 * (st.Requests - 2); encrypted != want || st.Encrypted != st.Requests-2 {
				t.Errorf("%d encrypted bodies on the wire for %d requests (%d encrypted), want %d", encrypted, st.Requests, st.Encrypted, want)
			}
			if st.Create != 1 || st.Delete != 1 || h.OpenShells() != 0 {
				t.Errorf("stats %+v, %d shells open", st, h.OpenShells())
			}
			waitFor(t, 5*time.Second, func() bool { return h.OpenConnections() == 0 },
				func() string { return "the run's connection is still open" })
		})
	}
}

// newTestClientDefaultAuth is newTestClient with Config.Auth left empty: the default.
func newTestClientDefaultAuth(t *testing.T) *Client {
	c, err := NewClient(Config{User: testUser, Password: testPassword, Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	if c.cfg.Auth != AuthNegotiate {
		t.Errorf("default Auth %q, want %q", c.cfg.Auth, AuthNegotiate)
	}
	return c
}

// A wrong password is an auth error naming the host after one handshake (two requests), not
// a retry storm; the password appears nowhere.
func TestNTLM_WrongPassword(t *testing.T) {
	tests := []struct {
		name string
		user string
		pass string
	}{
		{"WrongPassword", testUser, "not-the-password"},
		{"UnknownUser", `LAB\someone`, testPassword},
		{"OtherDomain", `CORP\tlsready`, testPassword},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, ep := startSim(t, simProfile(t, "pc-w10-001.json"), winrmsim.Options{}, nil)
			c := newTestClient(t, Config{Auth: AuthNTLM, User: tt.user, Password: tt.pass})
			_, err := c.Run(context.Background(), ep, "hostname", nil)
			var re *Error
			var ae *AuthError
			if !errors.As(err, &re) || !errors.As(err, &ae) || re.Category != CategoryAuth || re.Step != stepAuthenticate {
				t.Fatalf("err = %v, want an auth error at step authenticate", err)
			}
			if !strings.Contains(err.Error(), "host "+ep.String()) || !strings.Contains(err.Error(), "NTLM: user name or password rejected") {
				t.Errorf("message %q", err)
			}
			checkSecret(t, err)
			if strings.Contains(err.Error(), tt.pass) {
				t.Errorf("message shows the password: %q", err)
			}
			if st := h.Stats(); st.Requests != 2 || st.Logons != 0 || st.Create != 0 {
				t.Errorf("host saw %d requests (%+v), want the two of one handshake", st.Requests, st)
			}
		})
	}
}

// Basic over HTTP is refused when AllowUnencrypted is false (401, as Windows), accepted when
// it is true; NTLM against a host that offers only Basic fails before any SOAP body is sent.
func TestAllowUnencrypted(t *testing.T) {
	tests := []struct {
		name     string
		opts     winrmsim.Options
		auth     string
		wantErr  string
		wantReqs int
	}{
		{"BasicRefusedOverHTTP", winrmsim.Options{Auth: []string{winrmsim.SchemeNegotiate, winrmsim.SchemeBasic}}, AuthBasic,
			"authentication failed (HTTP 401): user name or password rejected, or the host refuses Basic over unencrypted HTTP", 1},
		{"BasicAllowed", winrmsim.Options{Auth: []string{winrmsim.SchemeBasic}, AllowUnencrypted: true}, AuthBasic, "", 4},
		{"NTLMAgainstBasicOnly", winrmsim.Options{Auth: []string{winrmsim.SchemeBasic}, AllowUnencrypted: true}, AuthNTLM,
			"authentication failed (HTTP 401): the host does not accept NTLM (it offers Basic)", 1},
		{"NTLMWithAllowUnencryptedStillEncrypts", winrmsim.Options{AllowUnencrypted: true}, AuthNTLM, "", 6},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var wire wireLog
			h, ep := startSim(t, simProfile(t, "pc-w10-001.json"), tt.opts, &wire)
			c := newTestClient(t, Config{Auth: tt.auth})
			_, err := c.Run(context.Background(), ep, "hostname", nil)
			if tt.wantErr == "" && err != nil || tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
				t.Fatalf("err = %v, want %q", err, tt.wantErr)
			}
			if tt.wantErr != "" && CategoryOf(err) != CategoryAuth {
				t.Errorf("category %s", CategoryOf(err))
			}
			if st := h.Stats(); st.Requests != tt.wantReqs {
				t.Errorf("%d requests, want %d", st.Requests, tt.wantReqs)
			}
			if tt.auth != AuthBasic {
				wire.checkNoClearSOAP(t)
			}
		})
	}
}

// A run whose deadline passes while the host holds a Receive still deletes its shell: the
// cancelled request closed the authenticated connection, so cleanup authenticates a new one.
func TestNTLM_CleanupAfterDeadlineReauthenticates(t *testing.T) {
	var wire wireLog
	h, ep := startSim(t, simProfile(t, "pc-w10-001.json"), winrmsim.Options{}, &wire)
	c := newTestClient(t, Config{Auth: AuthNTLM, Timeout: 2 * time.Second})
	_, err := c.Run(context.Background(), ep, "powershell.exe -", []byte("Start-Sleep -Seconds 30\r\n"))
	if CategoryOf(err) != CategoryTimeout {
		t.Fatalf("err = %v, want a timeout", err)
	}
	waitFor(t, 5*time.Second, func() bool { return h.OpenShells() == 0 }, func() string { return "shell not deleted" })
	if st := h.Stats(); st.Logons < 2 || st.Delete != 1 {
		t.Errorf("stats %+v: want a second logon for the Delete", st)
	}
	wire.checkNoClearSOAP(t)
}

// hostileHost completes an NTLM handshake with the test account and then misbehaves: "clear"
// answers the first message in clear, "noseal" offers no sealing in its CHALLENGE, "garbage"
// answers with an encrypted body that does not unseal (see TestUnreadableEncryptedAnswerIsWinRM).
func hostileHost(t *testing.T, mode string) (Endpoint, *wireLog, *atomic.Int64) {
	t.Helper()
	var (
		wire wireLog
		reqs atomic.Int64
		mu   sync.Mutex
		srv  *ntlm.Server
	)
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		reqs.Add(1)
		body, _ := io.ReadAll(r.Body)
		wire.record("request", r.Header, body)
		mu.Lock()
		defer mu.Unlock()
		scheme, tok, _ := strings.Cut(r.Header.Get("Authorization"), " ")
		in, _ := base64.StdEncoding.DecodeString(tok)
		switch {
		case scheme == "Negotiate" && ntlm.MessageType(in) == 1:
			srv = ntlm.NewServer(ntlm.ServerConfig{NetBIOSComputer: "EVIL", Password: func(string, string) (string, bool) { return testPassword, true }})
			ch, err := srv.Challenge(in)
			if err != nil {
				t.Error(err)
			}
			if mode == "noseal" {
				binary.LittleEndian.PutUint32(ch[20:], binary.LittleEndian.Uint32(ch[20:])&^ntlm.FlagSeal)
			}
			w.Header().Set("WWW-Authenticate", "Negotiate "+base64.StdEncoding.EncodeToString(ch))
			w.WriteHeader(http.StatusUnauthorized)
		case scheme == "Negotiate":
			if _, _, err := srv.Authenticate(in); err != nil {
				t.Error(err)
			}
			w.WriteHeader(http.StatusOK)
		case mode == "clear":
			w.Header().Set("Content-Type", "application/soap+xml;charset=UTF-8")
			_, _ = io.WriteString(w, envelopeXML("http://schemas.xmlsoap.org/ws/2004/09/transfer/CreateResponse", "uuid:x",
				`<rsp:Shell><rsp:ShellId>`+testShellID+`</rsp:ShellId></rsp:Shell>`))
		default:
			w.Header().Set("Content-Type", wsmv.ContentType(wsmv.ProtocolSPNEGO))
			_, _ = io.WriteString(w, "--Encrypted Boundary\r\n\tContent-Type: application/HTTP-SPNEGO-session-encrypted\r\n"+
				"\tOriginalContent: type=application/soap+xml;charset=UTF-8;Length=4\r\n--Encrypted Boundary\r\n"+
				"\tContent-Type: application/octet-stream\r\n\x10\x00\x00\x00AAAAAAAAAAAAAAAAXXXX--Encrypted Boundary--\r\n")
		}
	}))
	t.Cleanup(hs.Close)
	ep, err := ParseEndpoint(hs.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	return ep, &wire, &reqs
}

// A host that does not encrypt is refused with an auth error, and the client never sent a
// SOAP body in clear.
func TestNTLM_HostThatDoesNotEncrypt(t *testing.T) {
	tests := []struct {
		mode, wantErr string
		wantReqs      int64
	}{
		{"clear", "the host answered in clear although message encryption was negotiated", 3},
		{"noseal", "the server does not offer NTLMv2 with 128-bit session security", 1},
	}
	for _, tt := range tests {
		t.Run(tt.mode, func(t *testing.T) {
			ep, wire, reqs := hostileHost(t, tt.mode)
			c := newTestClient(t, Config{Auth: AuthNTLM})
			_, err := c.Run(context.Background(), ep, "hostname", nil)
			var ae *AuthError
			if !errors.As(err, &ae) || CategoryOf(err) != CategoryAuth || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("err = %v, want an *AuthError with %q", err, tt.wantErr)
			}
			if got := reqs.Load(); got != tt.wantReqs {
				t.Errorf("%d requests, want %d (no retry, no cleanup without a shell)", got, tt.wantReqs)
			}
			for _, m := range wire.all() {
				if len(m.body) > 0 && (bytes.Contains(m.body, []byte("Envelope")) || !wsmv.IsEncrypted(m.header.Get("Content-Type"))) {
					t.Errorf("the client sent %.80q in clear", m.body)
				}
			}
		})
	}
}

// ---- the pluggable auth layer, with a stand-in for the Kerberos mechanism ----

// withKerberos installs m as the "kerberos" mechanism for one test.
func withKerberos(t *testing.T, m Mechanism) {
	mechanisms.Lock()
	old, had := mechanisms.m[AuthKerberos]
	mechanisms.m[AuthKerberos] = m
	mechanisms.Unlock()
	t.Cleanup(func() {
		mechanisms.Lock()
		defer mechanisms.Unlock()
		if had {
			mechanisms.m[AuthKerberos] = old
		} else {
			delete(mechanisms.m, AuthKerberos)
		}
	})
}

// fakeKerberos has the shape of a Kerberos mechanism: one token each way (AP-REQ, then the
// AP-REP on the 200, for mutual authentication) and a sealer of its own.
type fakeKerberos struct{ unavailable bool }

func (fakeKerberos) Name() string { return AuthKerberos }

func (f fakeKerberos) NewContext(_ context.Context, cfg Config, ep Endpoint) (SecurityContext, error) {
	if f.unavailable {
		return nil, fmt.Errorf("no ticket for HTTP/%s and no realm: %w", ep.Host, ErrMechanismUnavailable)
	}
	return &fakeKrbContext{}, nil
}

type fakeKrbContext struct{ steps int }

func (*fakeKrbContext) Scheme() string { return "Negotiate" }

func (c *fakeKrbContext) Step(in []byte, _ *tls.ConnectionState) ([]byte, bool, error) {
	c.steps++
	switch {
	case c.steps == 1 && in == nil:
		return []byte("FAKEKRB-AP-REQ"), false, nil
	case c.steps == 2 && string(in) == "FAKEKRB-AP-REP":
		return nil, true, nil
	}
	return nil, false, fmt.Errorf("unexpected token %q", in)
}

func (*fakeKrbContext) Sealer() (string, wsmv.Sealer, error) {
	return wsmv.ProtocolSPNEGO, xorSealer{}, nil
}

// xorSealer is a toy Sealer: enough to show that the framing uses the context's own.
type xorSealer struct{}

func (xorSealer) Wrap(p ...[]byte) ([]byte, []byte, error) {
	out := bytes.Join(p, nil)
	for i := range out {
		out[i] ^= 0x5a
	}
	return []byte("XOR!"), out, nil
}

func (s xorSealer) Unwrap(h, p []byte) ([]byte, error) {
	if string(h) != "XOR!" {
		return nil, errors.New("bad header")
	}
	_, out, _ := s.Wrap(p)
	return out, nil
}

type fakeKrbAcceptor struct{}

func (fakeKrbAcceptor) Name() string { return "kerberos" }
func (fakeKrbAcceptor) Claims(scheme string, tok []byte) bool {
	return scheme == "Negotiate" && string(tok) == "FAKEKRB-AP-REQ"
}
func (fakeKrbAcceptor) NewContext(h winrmsim.AcceptorHost) winrmsim.ServerContext {
	return &fakeKrbServer{user: h.User}
}

type fakeKrbServer struct{ user string }

func (s *fakeKrbServer) Accept([]byte, *tls.ConnectionState) ([]byte, bool, error) {
	return []byte("FAKEKRB-AP-REP"), true, nil
}
func (s *fakeKrbServer) User() string                  { return s.user }
func (s *fakeKrbServer) Sealer() (string, wsmv.Sealer) { return wsmv.ProtocolSPNEGO, xorSealer{} }

// "negotiate" takes Kerberos when its mechanism can serve the host (the mutual-auth token on
// the 200 reaches the context; messages are sealed by its Sealer), and NTLM when it says
// ErrMechanismUnavailable; "kerberos" never falls back.
func TestNegotiate_KerberosOrNTLM(t *testing.T) {
	tests := []struct {
		name        string
		auth        string
		unavailable bool
		wantErr     string
		wantLogons  int
		wantToken   string // the start of the first token sent
	}{
		{"KerberosAvailable", AuthNegotiate, false, "", 1, "FAKEKRB-AP-REQ"},
		{"NoTicketFallsBackToNTLM", AuthNegotiate, true, "", 1, "NTLMSSP\x00"},
		{"KerberosOnlyDoesNotFallBack", AuthKerberos, true, "Kerberos: no ticket for HTTP/127.0.0.1 and no realm", 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			withKerberos(t, fakeKerberos{unavailable: tt.unavailable})
			var wire wireLog
			p := simProfile(t, "pc-w10-001.json")
			h, ep := startSim(t, p, winrmsim.Options{Acceptors: []winrmsim.Acceptor{fakeKrbAcceptor{}}}, &wire)
			c := newTestClient(t, Config{Auth: tt.auth})
			res, err := c.Run(context.Background(), ep, "hostname", nil)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || CategoryOf(err) != CategoryAuth {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
			} else if err != nil || strings.TrimSpace(string(res.Stdout)) != p.Name {
				t.Fatalf("Run: %q, %v", res.Stdout, err)
			}
			if st := h.Stats(); st.Logons != tt.wantLogons {
				t.Errorf("%d logons, want %d", st.Logons, tt.wantLogons)
			}
			if msgs := wire.all(); tt.wantToken != "" {
				_, tok, _ := strings.Cut(msgs[0].header.Get("Authorization"), " ")
				if first, _ := base64.StdEncoding.DecodeString(tok); !strings.HasPrefix(string(first), tt.wantToken) {
					t.Errorf("first token %q, want %q", first, tt.wantToken)
				}
			}
			wire.checkNoClearSOAP(t)
		})
	}
}

// A SOAP fault (HTTP 500) arrives encrypted too: it is decrypted and read as a typed fault,
// and the shell is still deleted on the same authenticated connection.
func TestNTLM_EncryptedFault(t *testing.T) {
	var wire wireLog
	h, ep := startSim(t, simProfile(t, "pc-w10-001.json"), winrmsim.Options{ReceiveFault: "InvalidParameter"}, &wire)
	c := newTestClient(t, Config{Auth: AuthNTLM})
	_, err := c.Run(context.Background(), ep, "hostname", nil)
	var fe *FaultError
	if !errors.As(err, &fe) || fe.HTTPStatus != http.StatusInternalServerError || CategoryOf(err) != CategoryWinRM {
		t.Fatalf("err = %v, want a typed fault", err)
	}
	if st := h.Stats(); st.Faults != 1 || st.Delete != 1 || st.Logons != 1 || h.OpenShells() != 0 {
		t.Errorf("stats %+v, %d shells open", st, h.OpenShells())
	}
	wire.checkNoClearSOAP(t)
}
