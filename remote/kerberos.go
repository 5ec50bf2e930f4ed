package remote

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"

	"github.com/tlsready/tlsready/remote/kerberos"
	"github.com/tlsready/tlsready/remote/wsmv"
)

func init() { RegisterMechanism(kerberosMechanism{}) }

// KerberosConfig is the Kerberos part of a Config. Its zero value uses krb5.conf ($KRB5_CONFIG or
// /etc/krb5.conf) and, without a password, the ticket cache ($KRB5CCNAME).
type KerberosConfig struct {
	// Realm overrides the realm of Config.User and krb5.conf's default_realm.
	Realm string
	// KDCs (host or host:port) override the KDCs of krb5.conf for the realm.
	KDCs []string
	// Krb5Conf is the krb5.conf to read instead of $KRB5_CONFIG or /etc/krb5.conf.
	Krb5Conf string
	// CCache is the ticket cache used when Config.Password is empty, instead of $KRB5CCNAME or
	// /tmp/krb5cc_<uid>; only file caches.
	CCache string
	// ServiceHost returns the host name of a host's SPN (HTTP/<name>), for hosts reached by an
	// address or an alias; nil, or "" returned, means the endpoint's Host.
	ServiceHost func(ep Endpoint) string
	// Scheme is the HTTP scheme: "Negotiate" (default, SPNEGO, as Windows clients) or "Kerberos".
	Scheme string

	// shared is the login of the Client, made on first use and closed by Client.Close.
	shared *kerberosShared
}

// kerberosShared is the one login of a Client, shared by all its runs.
type kerberosShared struct {
	mu     sync.Mutex
	login  *kerberos.Login
	err    error
	closed bool
}

// newKerberosShared is called by NewClient.
func newKerberosShared() *kerberosShared { return &kerberosShared{} }

// close ends the login (its TGT renewal) at Client.Close.
func (s *kerberosShared) close() {
	if s == nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	if s.login != nil {
		s.login.Close()
		s.login = nil
	}
}

// get returns the login, made once from cfg.
func (s *kerberosShared) get(cfg Config) (*kerberos.Login, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case s.closed:
		return nil, errors.New("client closed")
	case s.login != nil || s.err != nil:
		return s.login, s.err
	}
	k := cfg.Kerberos
	s.login, s.err = kerberos.NewLogin(kerberos.LoginConfig{User: cfg.User, Password: cfg.Password, Realm: k.Realm,
		KDCs: k.KDCs, Krb5Conf: k.Krb5Conf, CCache: k.CCache})
	return s.login, s.err
}

// kerberosMechanism is Kerberos as Windows clients use it for WinRM: a service ticket for
// HTTP/<host> from the scan's one login, an AP-REQ with mutual authentication under Negotiate
// (SPNEGO), channel bindings over HTTPS, and MS-WSMV encryption with RFC 4121 wrap tokens over
// HTTP.
type kerberosMechanism struct{}

func (kerberosMechanism) Name() string { return AuthKerberos }

// NewContext gets the service ticket of the host. Under "negotiate" it declines
// (ErrMechanismUnavailable, so that NTLM is used, as Windows falls back) when Kerberos cannot
// serve the host: a host given by its address, a user whose domain is not the configured
// realm, a realm without configured KDCs, a KDC that does not answer, or a host name unknown to
// the KDC. A KDC that refuses the user (wrong password, locked account) fails the host in either
// case: trying NTLM with the same password would count twice against the lockout threshold.
func (kerberosMechanism) NewContext(ctx context.Context, cfg Config, ep Endpoint) (SecurityContext, error) {
	negotiate := cfg.Auth == AuthNegotiate
	unavailable := func(why string) error { return fmt.Errorf("%w: kerberos: %s", ErrMechanismUnavailable, why) }
	host := ep.Host
	if f := cfg.Kerberos.ServiceHost; f != nil {
		if h := f(ep); h != "" {
			host = h
		}
	}
	if net.ParseIP(strings.Trim(host, "[]")) != nil {
		if negotiate {
			return nil, unavailable("host given by address")
		}
		return nil, fmt.Errorf("host %s is an address: Kerberos needs the computer's DNS name (service principal HTTP/<name>)", host)
	}
	shared := cfg.Kerberos.shared
	if shared == nil {
		return nil, errors.New("kerberos: client not made by NewClient")
	}
	login, err := shared.get(cfg)
	if err != nil {
		if negotiate {
			return nil, unavailable(err.Error())
		}
		return nil, err
	}
	if negotiate && !kerberosConfigured(cfg, login) {
		return nil, unavailable("no KDC configured for realm " + login.Realm())
	}
	ic, err := login.NewInitiator(ctx, kerberos.InitiatorConfig{SPN: kerberos.SPN(host), Scheme: cfg.Kerberos.Scheme})
	if err != nil {
		var le *kerberos.LoginError
		if negotiate && !(errors.As(err, &le) && kerberos.IsKDCRefusal(le)) {
			return nil, unavailable(err.Error())
		}
		return nil, err
	}
	return &kerberosContext{ic: ic}, nil
}

// kerberosConfigured reports whether, under negotiate, Kerberos is meant for this user: the
// realm was given, or the user's NetBIOS domain is the first label of the realm, and the realm
// has KDCs in krb5.conf or in the configuration (no DNS discovery: a host that only meant NTLM
// must not send queries for a realm of a stray krb5.conf).
func kerberosConfigured(cfg Config, l *kerberos.Login) bool {
	if cfg.Kerberos.Realm == "" && cfg.Password != "" {
		if dom, _, ok := strings.Cut(cfg.User, `\`); ok {
			first, _, _ := strings.Cut(l.Realm(), ".")
			if !strings.EqualFold(dom, first) {
				return false
			}
		}
	}
	return len(cfg.Kerberos.KDCs) > 0 || l.HasConfiguredKDC()
}

// kerberosContext adapts a kerberos.Initiator to SecurityContext.
type kerberosContext struct {
	ic *kerberos.Initiator
}

func (c *kerberosContext) Scheme() string { return c.ic.Scheme() }

func (c *kerberosContext) Step(in []byte, cs *tls.ConnectionState) ([]byte, bool, error) {
	if in == nil {
		// Extended Protection over HTTPS: the AP-REQ is bound to the host's certificate.
		c.ic.SetChannelBinding(TLSServerEndPoint(cs))
	}
	return c.ic.Step(in)
}

func (c *kerberosContext) Sealer() (string, wsmv.Sealer, error) {
	s, err := c.ic.Sealer()
	if err != nil {
		return "", nil, err
	}
	return c.ic.Protocol(), s, nil
}
