package remote

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/tlsready/tlsready/remote/ntlm"
	"github.com/tlsready/tlsready/remote/wsmv"
)

// ---- a WS-Management host that behaves as OMI (github.com/microsoft/omi) does over HTTP ----

// omiHost authenticates NTLM per connection and answers the shell requests of a run like the
// fake host, encrypted and framed as OMI frames them (Unix/http/httpauth.c, Http_EncryptData):
// no tab before the part headers, CR LF after the closing boundary. Like OMI, it never answers
// a request without an Authorization header on a connection that is not authenticated.
type omiHost struct {
	t    *testing.T
	srv  *httptest.Server
	fake *fakeHost // for the answers' envelopes
	// mode: "" answers; "empty500" answers HTTP 500 with an empty multipart/encrypted body;
	// "cut" reads the request and closes the connection without answering.
	mode string
	// closeIdle closes the connection after each answer to a SOAP request, without saying so
	// (no Connection: close), as a host whose idle timeout expired; closed then gets a value.
	closeIdle bool
	closed    chan struct{}

	mu       sync.Mutex
	contexts map[string]*ntlm.Server // by connection (remote address)
	actions  []string                // the SOAP requests received, decrypted
	answers  [][]byte                // the encrypted answers sent

	unauthenticated atomic.Int64 // requests without Authorization on a connection not authenticated
	handshakes      atomic.Int64 // NEGOTIATE messages
}

func startOMIHost(t *testing.T, mode string, closeIdle bool) *omiHost {
	t.Helper()
	return startOMIHostTLS(t, mode, closeIdle, false)
}

// startOMIHostTLS is startOMIHost, over HTTPS (httptest's certificate) when https is set: then
// the messages go in clear inside TLS, as over any HTTPS listener.
func startOMIHostTLS(t *testing.T, mode string, closeIdle, https bool) *omiHost {
	t.Helper()
	h := &omiHost{t: t, mode: mode, closeIdle: closeIdle, closed: make(chan struct{}, 16), contexts: map[string]*ntlm.Server{},
		fake: &fakeHost{t: t, counts: map[string]int{}, shellCounts: map[string]int{}, Stdout: []byte("OMI-HOST\r\n")}}
	h.srv = httptest.NewUnstartedServer(http.HandlerFunc(h.serve))
	if https {
		h.srv.StartTLS()
	} else {
		h.srv.Start()
	}
	t.Cleanup(h.srv.Close)
	return h
}

// caFile writes the certificate of an HTTPS test server where Config.CAFile can read it.
func caFile(t *testing.T, srv *httptest.Server) string {
	t.Helper()
	ca := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}), 0o600); err != nil {
		t.Fatal(err)
	}
	return ca
}

func (h *omiHost) endpoint() Endpoint {
	ep, err := ParseEndpoint(h.srv.Listener.Addr().String())
	if err != nil {
		h.t.Fatal(err)
	}
	return ep
}

func (h *omiHost) soapActions() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]string(nil), h.actions...)
}

func (h *omiHost) serve(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		return
	}
	h.mu.Lock()
	ctx := h.contexts[r.RemoteAddr]
	h.mu.Unlock()
	authz := r.Header.Get("Authorization")
	switch {
	case authz == "" && (ctx == nil || ctx.Session() == nil):
		// OMI sends nothing back: the client waits until it gives up.
		h.unauthenticated.Add(1)
		<-r.Context().Done()
		return
	case authz != "":
		scheme, tok, _ := strings.Cut(authz, " ")
		in, _ := base64.StdEncoding.DecodeString(tok)
		if scheme != "Negotiate" {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		switch ntlm.MessageType(in) {
		case 1:
			h.handshakes.Add(1)
			srv := ntlm.NewServer(ntlm.ServerConfig{NetBIOSComputer: "OMI", Password: func(string, string) (string, bool) { return testPassword, true }})
			ch, err := srv.Challenge(in)
			if err != nil {
				h.t.Error(err)
			}
			h.mu.Lock()
			h.contexts[r.RemoteAddr] = srv
			h.mu.Unlock()
			w.Header().Set("WWW-Authenticate", "Negotiate "+base64.StdEncoding.EncodeToString(ch))
			w.WriteHeader(http.StatusUnauthorized)
		case 3:
			if ctx == nil {
				w.WriteHeader(http.StatusUnauthorized)
				return
			}
			if _, _, err := ctx.Authenticate(in); err != nil {
				w.WriteHeader(http.StatusUnauthorized)
				return
			}
			w.Header().Set("Content-Length", "0")
			w.WriteHeader(http.StatusOK)
		}
		if len(body) > 0 {
			h.t.Errorf("a handshake request carried %d bytes", len(body))
		}
		return
	}
	plain := body
	if r.TLS == nil {
		if plain, err = decryptRequest(r, body, ctx); err != nil {
			h.t.Errorf("omi host: %v", err)
			w.WriteHeader(http.StatusBadRequest)
			return
		}
	}
	req := &fakeReq{Body: string(plain), r: r}
	if m := reAction.FindStringSubmatch(req.Body); m != nil {
		req.Action = m[1][strings.LastIndexByte(m[1], '/')+1:]
	}
	if m := reMessageID.FindStringSubmatch(req.Body); m != nil {
		req.MessageID = m[1]
	}
	h.mu.Lock()
	h.actions = append(h.actions, req.Action)
	req.N = len(h.actions)
	h.mu.Unlock()
	switch h.mode {
	case "cut":
		conn, _, err := w.(http.Hijacker).Hijack()
		if err != nil {
			h.t.Error(err)
			return
		}
		_ = conn.Close()
		return
	case "empty500":
		w.Header().Set("Content-Type", wsmv.ContentType(wsmv.ProtocolSPNEGO))
		w.Header().Set("Content-Length", "0")
		w.WriteHeader(http.StatusInternalServerError)
		return
	}
	a := h.fake.defaultAnswer(req)
	ct, out := "application/soap+xml;charset=UTF-8", []byte(a.Body)
	if r.TLS == nil {
		var sealed []byte
		if ct, sealed, err = wsmv.Encrypt(wsmv.ProtocolSPNEGO, ctx.Session(), out); err != nil {
			h.t.Fatal(err)
		}
		out = omiFrame(sealed)
		h.mu.Lock()
		h.answers = append(h.answers, out)
		h.mu.Unlock()
	}
	w.Header().Set("Content-Type", ct)
	w.Header().Set("Content-Length", strconv.Itoa(len(out)))
	w.WriteHeader(a.Status)
	_, _ = w.Write(out)
	if h.closeIdle {
		h.closeConn(w)
	}
}

func decryptRequest(r *http.Request, body []byte, ctx *ntlm.Server) ([]byte, error) {
	_, plain, err := wsmv.Decrypt(r.Header.Get("Content-Type"), body, ctx.Session())
	return plain, err
}

// closeConn sends the answer written and closes the connection, then reports it on closed.
func (h *omiHost) closeConn(w http.ResponseWriter) {
	w.(http.Flusher).Flush()
	conn, _, err := w.(http.Hijacker).Hijack()
	if err != nil {
		h.t.Error(err)
		return
	}
	_ = conn.Close()
	h.closed <- struct{}{}
}

// omiFrame turns Windows' framing of an encrypted message into OMI's: the same parts, the header
// lines without their leading tab, and CR LF after the closing boundary.
func omiFrame(windows []byte) []byte {
	const octet = "\tContent-Type: application/octet-stream\r\n"
	i := bytes.Index(windows, []byte(octet)) + len(octet)
	head := bytes.ReplaceAll(windows[:i], []byte("\r\n\t"), []byte("\r\n"))
	return append(append(head, windows[i:]...), "\r\n"...)
}

// checkOMIFraming fails unless b is framed exactly as OMI frames an answer.
func checkOMIFraming(t *testing.T, b []byte) {
	t.Helper()
	const octet = "--Encrypted Boundary\r\nContent-Type: application/octet-stream\r\n"
	i := bytes.Index(b, []byte(octet))
	head := string(b[:max(i, 0)])
	want := "--Encrypted Boundary\r\nContent-Type: application/HTTP-SPNEGO-session-encrypted\r\n" +
		"OriginalContent: type=application/soap+xml;charset=UTF-8;Length="
	n, err := strconv.Atoi(strings.TrimSuffix(strings.TrimPrefix(head, want), "\r\n"))
	if i < 0 || !strings.HasPrefix(head, want) || err != nil || n <= 0 ||
		!bytes.HasPrefix(b[i+len(octet):], []byte("\x10\x00\x00\x00")) || // an NTLM signature: 16 bytes
		!bytes.HasSuffix(b, []byte("--Encrypted Boundary--\r\n\r\n")) {
		t.Errorf("not OMI's framing: %.200q", b)
	}
}

// Against a host framing as OMI does, an NTLM run over HTTP completes: every answer is read.
// The client sends its token with the first request, so a host that never answers a request
// without Authorization (OMI; pywinrm waits there until its timeout) is no obstacle.
func TestOMI_FramingAndAuthorizationFirst(t *testing.T) {
	h := startOMIHost(t, "", false)
	c := newTestClient(t, Config{Auth: AuthNTLM})
	res, err := c.Run(context.Background(), h.endpoint(), "hostname", nil)
	if err != nil {
		t.Fatal(err)
	}
	if string(res.Stdout) != "OMI-HOST\r\n" || res.ExitCode != 0 {
		t.Errorf("result %+v", res)
	}
	if n := h.unauthenticated.Load(); n != 0 {
		t.Errorf("%d requests without Authorization", n)
	}
	if got := strings.Join(h.soapActions(), ","); got != "Create,Command,Receive,Delete" {
		t.Errorf("actions %s", got)
	}
	if n := h.handshakes.Load(); n != 1 {
		t.Errorf("%d handshakes, want 1", n)
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if len(h.answers) != 4 {
		t.Fatalf("%d answers", len(h.answers))
	}
	for _, a := range h.answers {
		checkOMIFraming(t, a)
	}
}

// createMessage is a shell Create for a transporter's post.
func createMessage(c *Client, url string) message {
	return c.requests[reqCreate].fill(&values{url: url, messageID: newMessageID()})
}

// A host that closes the connection after an answer, while it is idle: the next request finds
// it closed before it is written, and goes out once, on a new connection after exactly one new
// handshake.
//
// Over HTTPS the same holds: the check looks at the TCP connection under TLS.
func TestIdleCloseReauthenticatesOnce(t *testing.T) {
	for _, https := range []bool{false, true} {
		t.Run(map[bool]string{false: "HTTP", true: "HTTPS"}[https], func(t *testing.T) {
			h := startOMIHostTLS(t, "", true, https)
			cfg := Config{Auth: AuthNTLM}
			if https {
				cfg.HTTPS, cfg.CAFile = true, caFile(t, h.srv)
			}
			c := newTestClient(t, cfg)
			ep := c.normalize(h.endpoint())
			url := c.url(ep)
			tr := &transporter{ctx: context.Background(), hc: c.hc, url: url, user: testUser, password: testPassword, sess: c.newAuthSession(ep, url)}
			defer tr.sess.close()
			for i := range 3 {
				body, err := tr.post(createMessage(c, url))
				if err != nil {
					t.Fatalf("request %d: %v", i+1, err)
				}
				if err := expectAction(body, "http://schemas.xmlsoap.org/ws/2004/09/transfer/CreateResponse"); err != nil {
					t.Fatalf("request %d: %v", i+1, err)
				}
				<-h.closed // the host has closed the connection before the next request
			}
			if n := h.handshakes.Load(); n != 3 {
				t.Errorf("%d handshakes, want 3 (one per connection)", n)
			}
			if got := strings.Join(h.soapActions(), ","); got != "Create,Create,Create" {
				t.Errorf("the host received %s, want each request once", got)
			}
		})
	}
}

// A request that was written and then met a closed connection, with no answer, is not sent
// again: the host may have run it.
func TestClosedAfterRequestNotResent(t *testing.T) {
	h := startOMIHost(t, "cut", false)
	c := newTestClient(t, Config{Auth: AuthNTLM})
	_, err := c.Run(context.Background(), h.endpoint(), "hostname", nil)
	if err == nil || !strings.Contains(err.Error(), "not sent again") || CategoryOf(err) != CategoryWinRM {
		t.Fatalf("err = %v (%s), want the closed connection, category winrm", err, CategoryOf(err))
	}
	if got := strings.Join(h.soapActions(), ","); got != "Create" {
		t.Errorf("the host received %s, want one Create", got)
	}
}

// After a successful logon, an answer that cannot be read is the host's failure: category
// winrm with the HTTP status, never an authentication failure that sends the admin to a
// password that was accepted.
func TestUnreadableEncryptedAnswerIsWinRM(t *testing.T) {
	tests := []struct {
		name, want string
		start      func(t *testing.T) Endpoint
	}{
		{"empty500", "HTTP 500 with an empty encrypted body, after a successful NTLM logon",
			func(t *testing.T) Endpoint { return startOMIHost(t, "empty500", false).endpoint() }},
		{"garbage", "HTTP 200: the encrypted answer was not decrypted, after a successful NTLM logon: unseal message",
			func(t *testing.T) Endpoint { ep, _, _ := hostileHost(t, "garbage"); return ep }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newTestClient(t, Config{Auth: AuthNTLM})
			_, err := c.Run(context.Background(), tt.start(t), "hostname", nil)
			var ae *AuthError
			if err == nil || errors.As(err, &ae) || CategoryOf(err) != CategoryWinRM || CredentialsRejected(err) ||
				!strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v (%s), want category winrm with %q", err, CategoryOf(err), tt.want)
			}
		})
	}
}
