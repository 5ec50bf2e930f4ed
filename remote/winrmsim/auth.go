package winrmsim

import (
	"context"
	"crypto/subtle"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"net"
	"net/http"
	"strings"
	"sync"

	"github.com/tlsready/tlsready/remote/ntlm"
	"github.com/tlsready/tlsready/remote/wsmv"
)

// Authentication schemes a host offers (Options.Auth), as its WWW-Authenticate headers name
// them. A default Windows host offers Negotiate and Kerberos; Basic is off.
const (
	SchemeBasic     = "Basic"
	SchemeNegotiate = "Negotiate"
	SchemeKerberos  = "Kerberos"
)

// A ServerContext is the server side of one connection-oriented authentication (NTLM,
// Kerberos), bound to the TCP connection its handshake runs on. The host drives it:
//
//	Authorization: <scheme> base64(in)  ->  out, done, err := sc.Accept(in, r.TLS)
//	err        401, WWW-Authenticate: <each offered scheme> (bare, as Windows answers a wrong
//	           password); the context is dropped
//	!done      401, WWW-Authenticate: <scheme> base64(out)
//	done       the request is served (an empty body gets 200 with no body); out, if any,
//	           rides on that answer as WWW-Authenticate: <scheme> base64(out)
//
// Later requests on the connection carry no Authorization header and are served as User().
// Over HTTP their bodies must be multipart/encrypted with the context's Sealer (unless
// Options.AllowUnencrypted), and the answers are sealed with it too.
type ServerContext interface {
	// Accept consumes one token of the client; cs is the connection's TLS state, nil over HTTP.
	Accept(input []byte, cs *tls.ConnectionState) (output []byte, done bool, err error)
	// User is the authenticated account, once done: the host's Options.User when it matched.
	User() string
	// Sealer is the message protection of the complete context: the MS-WSMV protocol
	// (wsmv.ProtocolSPNEGO or wsmv.ProtocolKerberos) and the Sealer.
	Sealer() (protocol string, s wsmv.Sealer)
}

// An Acceptor is a server-side mechanism of a simulated host. The host has the NTLM acceptor
// built in (when it offers Negotiate) and tries Options.Acceptors first.
type Acceptor interface {
	// Name names the mechanism in logs: "ntlm", "kerberos".
	Name() string
	// Claims reports whether token, sent under scheme ("Negotiate", "Kerberos"), is the first
	// token of a handshake of this mechanism.
	Claims(scheme string, token []byte) bool
	// NewContext starts the context of one connection to the host.
	NewContext(h AcceptorHost) ServerContext
}

// AcceptorHost is what an Acceptor knows of the host it serves.
type AcceptorHost struct {
	Name      string // the computer name (the profile's)
	Scheme    string // the HTTP scheme of the handshake: SchemeNegotiate or SchemeKerberos
	OSVersion string // "10.0.19045"
	// User and Password are the one account the host accepts (Options.User and Password).
	User, Password string
	HTTPS          bool
	// ChannelBindings is the RFC 5929 tls-server-end-point binding of the host's certificate
	// ("tls-server-end-point:" + hash) over HTTPS, nil over HTTP.
	ChannelBindings []byte
}

// ntlmAcceptor is the host's NTLM, raw NTLMSSP under "Negotiate" as Windows accepts it.
type ntlmAcceptor struct{}

func (ntlmAcceptor) Name() string { return "ntlm" }

func (ntlmAcceptor) Claims(scheme string, token []byte) bool {
	return strings.EqualFold(scheme, SchemeNegotiate) && ntlm.MessageType(token) == 1
}

func (ntlmAcceptor) NewContext(h AcceptorHost) ServerContext { return &ntlmContext{host: h} }

type ntlmContext struct {
	host AcceptorHost
	srv  *ntlm.Server
	user string
}

func (c *ntlmContext) Accept(in []byte, cs *tls.ConnectionState) ([]byte, bool, error) {
	if c.srv == nil {
		account, domain := splitAccount(c.host.User)
		nbDomain := ""
		if domain != "" && !strings.Contains(domain, ".") {
			nbDomain = domain
		}
		c.srv = ntlm.NewServer(ntlm.ServerConfig{
			NetBIOSComputer: c.host.Name,
			NetBIOSDomain:   nbDomain,
			Version:         ntlm.ParseVersion(c.host.OSVersion),
			Password: func(user, dom string) (string, bool) {
				if !sameAccount(account, domain, c.host.Name, user, dom) {
					return "", false
				}
				return c.host.Password, true
			},
			ChannelBindings: c.host.ChannelBindings,
		})
		out, err := c.srv.Challenge(in)
		return out, false, err
	}
	if _, _, err := c.srv.Authenticate(in); err != nil {
		return nil, false, err
	}
	c.user = c.host.User
	return nil, true, nil
}

func (c *ntlmContext) User() string { return c.user }

func (c *ntlmContext) Sealer() (string, wsmv.Sealer) { return wsmv.ProtocolSPNEGO, c.srv.Session() }

// splitAccount splits "DOMAIN\user" and "user@domain" into the user and the domain.
func splitAccount(s string) (user, domain string) {
	if d, u, ok := strings.Cut(s, `\`); ok {
		return u, d
	}
	if u, d, ok := strings.Cut(s, "@"); ok {
		return u, d
	}
	return s, ""
}

// sameAccount reports whether the user and domain a client sent name the host's account
// (account, domain), case-insensitively as Windows compares them: "LAB\tlsready",
// "lab\TLSREADY", "tlsready@lab" (a UPN, sent with an empty domain) and, for an account
// without a domain (a local one), the computer name, "." or nothing as the domain.
func sameAccount(account, domain, computer, user, dom string) bool {
	if dom == "" {
		if u, d, ok := strings.Cut(user, "@"); ok {
			user, dom = u, d
		}
	}
	if !strings.EqualFold(user, account) {
		return false
	}
	switch {
	case strings.EqualFold(dom, domain), dom == "":
		return true
	case domain == "":
		return dom == "." || strings.EqualFold(dom, computer)
	}
	// A DNS domain matches its NetBIOS name's first label: "lab.example" for "LAB".
	first, _, _ := strings.Cut(dom, ".")
	dfirst, _, _ := strings.Cut(domain, ".")
	return strings.EqualFold(first, dfirst)
}

// connAuth is the authentication state of one TCP connection.
type connAuth struct {
	mu       sync.Mutex
	sc       ServerContext
	scheme   string
	done     bool
	protocol string
	sealer   wsmv.Sealer
}

func (c *connAuth) reset() {
	c.sc, c.scheme, c.done, c.protocol, c.sealer = nil, "", false, "", nil
}

type connKey struct{}

// connContext gives every connection its authentication state (http.Server.ConnContext).
func connContext(ctx context.Context, _ net.Conn) context.Context {
	return context.WithValue(ctx, connKey{}, &connAuth{})
}

// authResult is who sent a request and how its bodies are protected.
type authResult struct {
	user     string
	session  bool        // authenticated by a connection's context (Negotiate, Kerberos)
	protocol string      // of the context's sealing
	sealer   wsmv.Sealer // nil for Basic
	ca       *connAuth
}

// offered is the schemes the host offers now: only Basic under FaultNoNTLM.
func (h *Host) offered() []string {
	if h.h.fault() == FaultNoNTLM {
		return []string{SchemeBasic}
	}
	return h.auth
}

// offers reports whether the host offers scheme.
func (h *Host) offers(scheme string) bool {
	for _, s := range h.offered() {
		if strings.EqualFold(s, scheme) {
			return true
		}
	}
	return false
}

// unauthorized answers 401 offering the host's schemes, with no body, as Windows does.
func (h *Host) unauthorized(w http.ResponseWriter, why string) {
	h.count(func(s *Stats) { s.Unauthorized++ })
	h.logf("POST /wsman: 401 (%s)", why)
	for _, s := range h.offered() {
		if s == SchemeBasic {
			w.Header().Add("WWW-Authenticate", `Basic realm="WSMAN"`)
		} else {
			w.Header().Add("WWW-Authenticate", s)
		}
	}
	w.Header().Set("Content-Length", "0")
	w.WriteHeader(http.StatusUnauthorized)
}

// authorize authenticates a request, running one step of a handshake when it carries a token.
// It answers 401 itself and returns false when the request is not to be served.
func (h *Host) authorize(w http.ResponseWriter, r *http.Request) (authResult, bool) {
	ca, _ := r.Context().Value(connKey{}).(*connAuth)
	if ca == nil {
		ca = &connAuth{}
	}
	ca.mu.Lock()
	defer ca.mu.Unlock()
	authFault := h.h.fault() == FaultAuth
	authz := r.Header.Get("Authorization")
	if authFault && (authz == "" || strings.HasPrefix(strings.ToLower(authz), "basic ")) {
		ca.reset()
		h.unauthorized(w, "fault auth")
		return authResult{}, false
	}
	if authz == "" {
		if ca.done {
			return authResult{user: ca.sc.User(), session: true, protocol: ca.protocol, sealer: ca.sealer, ca: ca}, true
		}
		h.unauthorized(w, "no credentials")
		return authResult{}, false
	}
	scheme, token, _ := strings.Cut(authz, " ")
	token = strings.TrimSpace(token)
	switch {
	case strings.EqualFold(scheme, SchemeBasic) && h.offers(SchemeBasic):
		if r.TLS == nil && !h.opts.AllowUnencrypted {
			// Windows refuses Basic over HTTP unless AllowUnencrypted: "the specified
			// credentials were rejected by the server" (HTTP 401).
			h.unauthorized(w, "Basic over HTTP while AllowUnencrypted is false")
			return authResult{}, false
		}
		user, pass, ok := r.BasicAuth()
		okUser := subtle.ConstantTimeCompare([]byte(user), []byte(h.opts.User)) == 1
		okPass := subtle.ConstantTimeCompare([]byte(pass), []byte(h.opts.Password)) == 1
		if !ok || !okUser || !okPass {
			h.unauthorized(w, "credentials refused")
			return authResult{}, false
		}
		return authResult{user: user}, true
	case strings.EqualFold(scheme, SchemeBasic) || !h.offers(scheme):
		h.unauthorized(w, "scheme "+scheme+" not offered")
		return authResult{}, false
	}
	in, err := base64.StdEncoding.DecodeString(token)
	if err != nil || len(in) == 0 {
		ca.reset()
		h.unauthorized(w, "malformed "+scheme+" token")
		return authResult{}, false
	}
	if acc := h.acceptor(scheme, in); acc != nil {
		ca.reset()
		ca.sc, ca.scheme = acc.NewContext(AcceptorHost{Name: h.h.p.Name, OSVersion: h.h.p.OS.Version, Scheme: scheme,
			User: h.opts.User, Password: h.opts.Password, HTTPS: r.TLS != nil, ChannelBindings: h.cbt}), scheme
	} else if ca.sc == nil || ca.done || !strings.EqualFold(ca.scheme, scheme) {
		ca.reset()
		h.unauthorized(w, "unexpected "+scheme+" token")
		return authResult{}, false
	}
	out, done, err := ca.sc.Accept(in, r.TLS)
	if err == nil && done && authFault {
		// The last step, the proof of the password (NTLM's AUTHENTICATE, Kerberos' AP-REQ), is
		// refused as a wrong password is.
		err = errors.New("fault auth")
	}
	if err != nil {
		ca.reset()
		h.unauthorized(w, "credentials refused: "+err.Error())
		return authResult{}, false
	}
	if !done {
		h.count(func(s *Stats) { s.Unauthorized++ })
		w.Header().Set("WWW-Authenticate", ca.scheme+" "+base64.StdEncoding.EncodeToString(out))
		w.Header().Set("Content-Length", "0")
		w.WriteHeader(http.StatusUnauthorized)
		return authResult{}, false
	}
	if out != nil {
		w.Header().Set("WWW-Authenticate", ca.scheme+" "+base64.StdEncoding.EncodeToString(out))
	}
	ca.done = true
	ca.protocol, ca.sealer = ca.sc.Sealer()
	h.count(func(s *Stats) { s.Logons++ })
	h.logf("%s logon of %s", scheme, ca.sc.User())
	return authResult{user: ca.sc.User(), session: true, protocol: ca.protocol, sealer: ca.sealer, ca: ca}, true
}

// acceptor returns the acceptor that claims token as the first of a handshake, or nil.
func (h *Host) acceptor(scheme string, token []byte) Acceptor {
	for _, a := range h.opts.Acceptors {
		if a.Claims(scheme, token) {
			return a
		}
	}
	if h.offers(SchemeNegotiate) && (ntlmAcceptor{}).Claims(scheme, token) {
		return ntlmAcceptor{}
	}
	return nil
}
