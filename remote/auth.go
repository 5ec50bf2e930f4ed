package remote

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/tlsready/tlsready/internal/chanbind"
	"github.com/tlsready/tlsready/remote/kerberos"
	"github.com/tlsready/tlsready/remote/wsmv"
)

// Authentication mechanisms, the values of Config.Auth.
const (
	// AuthNegotiate (the default) is what PowerShell's Invoke-Command does: Kerberos when the
	// Kerberos mechanism says it can get a ticket for the host (a ticket cache or a realm is
	// configured), else NTLM.
	AuthNegotiate = "negotiate"
	// AuthNTLM is NTLMv2 under the HTTP scheme "Negotiate", with MS-WSMV message encryption over
	// HTTP.
	AuthNTLM = "ntlm"
	// AuthKerberos is Kerberos only; it fails when no Kerberos mechanism is registered.
	AuthKerberos = "kerberos"
	// AuthBasic sends the user name and password with every request. A default Windows host
	// accepts it only over HTTPS, and only for local accounts.
	AuthBasic = "basic"
)

// A SecurityContext is the client side of one connection-oriented HTTP authentication
// (NTLM, Kerberos; RFC 4559 "Negotiate"). It belongs to one Run and is bound to the one TCP
// connection its handshake ran on; once complete it protects the messages sent on that
// connection. The transporter drives it, from a single goroutine:
//
//	out, done, err := sc.Step(nil, tlsState) // first token, once connected, before any request
//	POST, empty body     Authorization: <Scheme> base64(out)
//	401                  WWW-Authenticate: <Scheme> base64(in)
//	out, done, err = sc.Step(in, tlsState)   // tlsState: the connection's, nil over HTTP
//	POST, empty body     Authorization: <Scheme> base64(out)
//	200                  [WWW-Authenticate: <Scheme> base64(in)]
//	_, done, err = sc.Step(in, tlsState)     // only when the 200 carries a token (mutual auth)
//	then, over HTTP:     protocol, s, err := sc.Sealer(); every SOAP body goes through
//	                     wsmv.Encrypt(protocol, s, ...) and every answer through wsmv.Decrypt.
//
// A 401 without a token, a Step error, or a 200 while Step has not reported done fails the
// host with an *AuthError; the SOAP body is never sent before the context is complete. A
// context is never reused: a new connection gets a new context from the Mechanism.
type SecurityContext interface {
	// Scheme is the HTTP authentication scheme of the tokens: "Negotiate" (raw NTLMSSP, SPNEGO,
	// or a Kerberos GSS token) or "Kerberos".
	Scheme() string
	// Step consumes the server's last token (nil for the first call) and returns the token to
	// send next (nil when there is none) and whether the context is complete on the client's
	// side. cs is the TLS state of the connection (for channel bindings, see
	// TLSServerEndPoint), the same in every call, nil over HTTP.
	Step(input []byte, cs *tls.ConnectionState) (output []byte, done bool, err error)
	// Sealer returns the message protection of the complete context for MS-WSMV encryption:
	// the protocol of the multipart/encrypted body (wsmv.ProtocolSPNEGO for Negotiate,
	// wsmv.ProtocolKerberos for the Kerberos scheme) and the Sealer. It is called once, after
	// Step reported done, and only over HTTP. An error (no confidentiality was negotiated)
	// fails the host: the body is not sent.
	Sealer() (protocol string, s wsmv.Sealer, err error)
}

// proofSender is a SecurityContext that tells whether it has sent the host a proof of the
// password (NTLM's AUTHENTICATE): a 401 after it refuses the credentials, a 401 before it the
// scheme or the mechanism. A Kerberos context proves nothing to the host that the KDC has not
// checked already (a wrong password is the KDC's KDC_ERR_PREAUTH_FAILED).
type proofSender interface {
	sentProof() bool
}

// proofSent reports whether sc has sent a proof of the password (see proofSender).
func proofSent(sc SecurityContext) bool {
	p, ok := sc.(proofSender)
	return ok && p.sentProof()
}

// A Mechanism makes the SecurityContexts of one authentication mechanism, one per connection.
type Mechanism interface {
	// Name is the Config.Auth value that selects it: "ntlm", "kerberos".
	Name() string
	// NewContext returns a fresh context that authenticates cfg.User (DOMAIN\user or
	// user@domain; cfg.Password may be empty when the mechanism has other credentials) to the
	// WinRM service of ep (Port filled in; the SPN is HTTP/<ep.Host>). It may talk to a KDC,
	// never to ep. It returns an error wrapping ErrMechanismUnavailable when it cannot serve
	// this host with this configuration (no ticket and no realm): "negotiate" then uses NTLM.
	// Its errors must not contain the password.
	NewContext(ctx context.Context, cfg Config, ep Endpoint) (SecurityContext, error)
}

// ErrMechanismUnavailable says that a mechanism cannot be used for a host; see Mechanism.
var ErrMechanismUnavailable = errors.New("authentication mechanism unavailable")

var mechanisms = struct {
	sync.RWMutex
	m map[string]Mechanism
}{m: map[string]Mechanism{}}

// RegisterMechanism makes m available as Config.Auth = m.Name(). The Kerberos mechanism calls
// it from an init function; registering a name twice panics.
func RegisterMechanism(m Mechanism) {
	mechanisms.Lock()
	defer mechanisms.Unlock()
	name := strings.ToLower(m.Name())
	if _, dup := mechanisms.m[name]; dup || name == AuthBasic || name == AuthNegotiate || name == "" {
		panic("remote: mechanism " + name + " registered twice or reserved")
	}
	mechanisms.m[name] = m
}

func mechanism(name string) Mechanism {
	mechanisms.RLock()
	defer mechanisms.RUnlock()
	return mechanisms.m[name]
}

func mechanismNames() []string {
	mechanisms.RLock()
	defer mechanisms.RUnlock()
	names := []string{AuthNegotiate, AuthBasic}
	for n := range mechanisms.m {
		names = append(names, n)
	}
	sort.Strings(names[2:])
	return names
}

// checkAuth normalises Config.Auth ("" is negotiate) and checks that it names a mechanism.
func checkAuth(auth string) (string, error) {
	a := strings.ToLower(strings.TrimSpace(auth))
	switch a {
	case "":
		return AuthNegotiate, nil
	case AuthNegotiate, AuthBasic:
		return a, nil
	case AuthKerberos:
		// Accepted even when no Kerberos mechanism is built in: each host then fails with an
		// auth error that says so.
		return a, nil
	}
	if mechanism(a) == nil {
		return "", fmt.Errorf("authentication %q: want one of %s", auth, strings.Join(append(mechanismNames(), AuthKerberos), ", "))
	}
	return a, nil
}

// newSecurityContext returns the context of one connection to ep for the configured
// mechanism, and the mechanism's name: for "negotiate", Kerberos when its mechanism is
// registered and available for the host, else NTLM.
func (c *Client) newSecurityContext(ctx context.Context, ep Endpoint) (SecurityContext, string, error) {
	if c.sspi != nil {
		// The current logon (Windows, no user): SSPI, whatever the mechanism, for the host's
		// service principal name.
		host := ep.Host
		if f := c.cfg.Kerberos.ServiceHost; f != nil {
			if h := f(ep); h != "" {
				host = h
			}
		}
		sc, err := c.sspi.newContext(host)
		return sc, mechanismSSPI, err
	}
	name := c.cfg.Auth
	if name == AuthNegotiate {
		name = AuthNTLM
		if m := mechanism(AuthKerberos); m != nil {
			sc, err := m.NewContext(ctx, c.cfg, ep)
			if err == nil {
				return sc, AuthKerberos, nil
			}
			if !errors.Is(err, ErrMechanismUnavailable) {
				return nil, AuthKerberos, &AuthError{Mechanism: AuthKerberos, Reason: err.Error(), Err: err, Rejected: byKDC(err)}
			}
		}
	}
	m := mechanism(name)
	if m == nil {
		return nil, name, &AuthError{Mechanism: name, Reason: "this build has no " + name + " support"}
	}
	sc, err := m.NewContext(ctx, c.cfg, ep)
	if err != nil {
		return nil, name, &AuthError{Mechanism: name, Reason: err.Error(), Err: err, Rejected: byKDC(err)}
	}
	return sc, name, nil
}

// byKDC reports whether err is the KDC's refusal of the account or its password.
func byKDC(err error) bool {
	var ke *kerberos.KDCError
	return errors.As(err, &ke) && kdcRejected(ke)
}

// TLSServerEndPoint returns the channel binding "tls-server-end-point" of RFC 5929 for a TLS
// connection: the application data of the gss_channel_bindings_struct that NTLM (MsvAvChannelBindings)
// and Kerberos (the authenticator checksum) bind to, as Windows' Extended Protection for
// Authentication expects over HTTPS. It returns nil when cs is nil or has no certificate.
func TLSServerEndPoint(cs *tls.ConnectionState) []byte {
	if cs == nil || len(cs.PeerCertificates) == 0 {
		return nil
	}
	return chanbind.ServerEndPoint(cs.PeerCertificates[0])
}
