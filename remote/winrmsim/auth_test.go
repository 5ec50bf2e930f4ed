package winrmsim

import (
	"bytes"
	"encoding/base64"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/tlsready/tlsready/remote/ntlm"
	"github.com/tlsready/tlsready/remote/wsmv"
)

// ntlmConn is a raw NTLM client on one kept-alive connection, written for the tests.
type ntlmConn struct {
	t       *testing.T
	h       *Host
	hc      *http.Client
	session *ntlm.Session
}

func newNTLMConn(t *testing.T, h *Host) *ntlmConn {
	tr := &http.Transport{MaxConnsPerHost: 1, MaxIdleConnsPerHost: 1}
	t.Cleanup(tr.CloseIdleConnections)
	return &ntlmConn{t: t, h: h, hc: &http.Client{Transport: tr, Timeout: 10 * time.Second}}
}

// raw posts body with headers and returns the status, headers and body of the answer.
func (c *ntlmConn) raw(header http.Header, body []byte) (int, http.Header, []byte) {
	c.t.Helper()
	req, err := http.NewRequest(http.MethodPost, c.h.URL(), bytes.NewReader(body))
	if err != nil {
		c.t.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	return resp.StatusCode, resp.Header, b
}

// logon runs the NTLM handshake with empty POSTs and returns the status of the last answer.
func (c *ntlmConn) logon(user, password string) (int, http.Header) {
	c.t.Helper()
	cl := ntlm.NewClient(ntlm.ClientConfig{User: user, Password: password})
	st, hd, _ := c.raw(http.Header{"Authorization": {"Negotiate " + base64.StdEncoding.EncodeToString(cl.Negotiate())}}, nil)
	tok, ok := strings.CutPrefix(hd.Get("WWW-Authenticate"), "Negotiate ")
	if st != http.StatusUnauthorized || !ok {
		c.t.Fatalf("answer to NEGOTIATE: %d %v", st, hd)
	}
	ch, _ := base64.StdEncoding.DecodeString(tok)
	auth, err := cl.Authenticate(ch)
	if err != nil {
		c.t.Fatal(err)
	}
	st, hd, _ = c.raw(http.Header{"Authorization": {"Negotiate " + base64.StdEncoding.EncodeToString(auth)}}, nil)
	c.session = cl.Session()
	return st, hd
}

func (c *ntlmConn) createEnvelope() []byte {
	cl := &client{url: c.h.URL(), timeout: "PT20S", maxEnv: 153600}
	return []byte(cl.envelope(soapReq{action: actionCreate,
		body: `<rsp:Shell><rsp:InputStreams>stdin</rsp:InputStreams><rsp:OutputStreams>stdout stderr</rsp:OutputStreams></rsp:Shell>`}))
}

// The simulated host's side of NTLM, as Windows answers each case: a logon ends with 200 on
// the empty POST; over HTTP an encrypted message is answered encrypted, a message in clear
// is refused with 401 unless AllowUnencrypted; a wrong password, an unknown account, another
// domain, a host with the auth fault and Basic over HTTP get 401 with the bare schemes.
func TestNTLMServer(t *testing.T) {
	tests := []struct {
		name       string
		opts       Options
		user, pass string
		wantLogon  int    // status of the AUTHENTICATE request
		send       string // "encrypted", "clear" or ""
		wantSend   int
	}{
		{"EncryptedMessage", Options{}, testUser, testPassword, 200, "encrypted", 200},
		{"ClearMessageRefused", Options{}, testUser, testPassword, 200, "clear", 401},
		{"ClearMessageAllowUnencrypted", Options{AllowUnencrypted: true}, testUser, testPassword, 200, "clear", 200},
		{"UPN", Options{}, `tlsready@LAB`, testPassword, 200, "encrypted", 200},
		{"CaseInsensitiveUser", Options{}, `lab\TLSREADY`, testPassword, 200, "encrypted", 200},
		{"WrongPassword", Options{}, testUser, "wrong", 401, "", 0},
		{"UnknownUser", Options{}, `LAB\administrator`, testPassword, 401, "", 0},
		{"OtherDomain", Options{}, `CORP\tlsready`, testPassword, 401, "", 0},
		{"LocalAccountAsComputer", Options{User: "admin", Password: "pw"}, `PC-W10-01\admin`, "pw", 200, "encrypted", 200},
		{"LocalAccountAsDot", Options{User: "admin", Password: "pw"}, `.\admin`, "pw", 200, "encrypted", 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.opts.User == "" {
				tt.opts.User, tt.opts.Password = testUser, testPassword
			}
			h, err := Start(t.Context(), mustProfile(t, win10), tt.opts)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = h.Close() })
			c := newNTLMConn(t, h)
			st, hd := c.logon(tt.user, tt.pass)
			if st != tt.wantLogon {
				t.Fatalf("logon: HTTP %d, want %d", st, tt.wantLogon)
			}
			if st == http.StatusUnauthorized {
				if got := hd.Values("WWW-Authenticate"); len(got) != 1 || got[0] != "Negotiate" {
					t.Errorf("401 offers %q, want the bare Negotiate", got)
				}
				return
			}
			env := c.createEnvelope()
			switch tt.send {
			case "encrypted":
				ct, body, err := wsmv.Encrypt(wsmv.ProtocolSPNEGO, c.session, env)
				if err != nil {
					t.Fatal(err)
				}
				st, hd, answer := c.raw(http.Header{"Content-Type": {ct}}, body)
				if st != tt.wantSend || !wsmv.IsEncrypted(hd.Get("Content-Type")) || bytes.Contains(answer, []byte("Envelope")) {
					t.Fatalf("HTTP %d %s: %.100q", st, hd.Get("Content-Type"), answer)
				}
				_, plain, err := wsmv.Decrypt(hd.Get("Content-Type"), answer, c.session)
				if err != nil || !bytes.Contains(plain, []byte("CreateResponse")) {
					t.Fatalf("decrypted answer %.200q, %v", plain, err)
				}
			case "clear":
				st, _, _ := c.raw(http.Header{"Content-Type": {"application/soap+xml;charset=UTF-8"}}, env)
				if st != tt.wantSend {
					t.Fatalf("message in clear: HTTP %d, want %d", st, tt.wantSend)
				}
			}
			// The logon belongs to the connection: another connection is not authenticated.
			other := newNTLMConn(t, h)
			if st, _, _ := other.raw(http.Header{"Content-Type": {"application/soap+xml;charset=UTF-8"}}, env); st != http.StatusUnauthorized {
				t.Errorf("a second connection without a logon got HTTP %d", st)
			}
		})
	}
}

func TestNTLMServerRefusals(t *testing.T) {
	basicOverHTTP := func(opts Options) (int, []string) {
		opts.User, opts.Password = testUser, testPassword
		h, err := Start(t.Context(), mustProfile(t, win10), opts)
		if err != nil {
			t.Fatal(err)
		}
		defer h.Close()
		c := newNTLMConn(t, h)
		req := http.Header{"Content-Type": {"application/soap+xml;charset=UTF-8"},
			"Authorization": {"Basic " + base64.StdEncoding.EncodeToString([]byte(testUser+":"+testPassword))}}
		st, hd, _ := c.raw(req, c.createEnvelope())
		return st, hd.Values("WWW-Authenticate")
	}
	tests := []struct {
		name       string
		opts       Options
		wantStatus int
		wantOffer  []string
	}{
		{"BasicOffByDefault", Options{}, 401, []string{"Negotiate"}},
		{"BasicOverHTTPNeedsAllowUnencrypted", Options{Auth: []string{SchemeNegotiate, SchemeBasic}}, 401, []string{"Negotiate", `Basic realm="WSMAN"`}},
		{"BasicAllowUnencrypted", Options{Auth: []string{SchemeNegotiate, SchemeBasic}, AllowUnencrypted: true}, 200, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st, offer := basicOverHTTP(tt.opts)
			if st != tt.wantStatus || strings.Join(offer, "|") != strings.Join(tt.wantOffer, "|") {
				t.Errorf("HTTP %d offering %q, want %d %q", st, offer, tt.wantStatus, tt.wantOffer)
			}
		})
	}
	t.Run("AuthFaultHost", func(t *testing.T) {
		h, err := Start(t.Context(), withFault(t, win10, "PC-AUTH", FaultAuth), Options{User: testUser, Password: testPassword})
		if err != nil {
			t.Fatal(err)
		}
		defer h.Close()
		// The NEGOTIATE gets its CHALLENGE (logon fails otherwise), and the right password in
		// the AUTHENTICATE a bare 401, as a wrong one does.
		if st, hd := newNTLMConn(t, h).logon(testUser, testPassword); st != 401 || hd.Get("WWW-Authenticate") != "Negotiate" {
			t.Errorf("HTTP %d %q", st, hd.Get("WWW-Authenticate"))
		}
	})
	t.Run("BadOptions", func(t *testing.T) {
		for _, auth := range [][]string{{}, {"Digest"}} {
			if _, err := Start(t.Context(), mustProfile(t, win10), Options{User: "u", Auth: auth}); err == nil || !strings.Contains(err.Error(), "Options.Auth") {
				t.Errorf("Auth %q: %v", auth, err)
			}
		}
	})
}
