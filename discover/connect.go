package discover

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"sort"
	"strconv"
	"strings"

	"github.com/go-ldap/ldap/v3"
)

// endpoint is one DC to try.
type endpoint struct {
	url        string
	host       string // host name or address, for the TLS name and the Kerberos SPN
	port       string // the URL's, else 636 for ldaps and 389 for ldap
	ldaps      bool
	serverName string // TLSServerName, else host
}

// endpoints lists the DCs to try: cfg.URLs, else the domain's SRV records
// (_ldap._tcp.dc._msdcs.<domain>, falling back to _ldap._tcp.<domain>).
func endpoints(ctx context.Context, cfg Config) ([]endpoint, error) {
	urls := cfg.URLs
	if len(urls) == 0 {
		if cfg.Domain == "" {
			return nil, errors.New("ldap: give an LDAP URL (ldaps://dc.corp.example) or the domain (corp.example) whose DCs DNS lists")
		}
		var err error
		if urls, err = locate(ctx, cfg); err != nil {
			return nil, err
		}
	}
	var eps []endpoint
	for _, raw := range urls {
		u, err := url.Parse(raw)
		if err != nil || u.Host == "" || (u.Scheme != "ldap" && u.Scheme != "ldaps") {
			return nil, fmt.Errorf("ldap: %q is not an ldaps://host[:port] or ldap://host[:port] URL", raw)
		}
		if u.Path != "" && u.Path != "/" {
			return nil, fmt.Errorf("ldap: %q: give the base DN as --ou, not in the URL", raw)
		}
		ep := endpoint{url: u.Scheme + "://" + u.Host, host: u.Hostname(), port: u.Port(), ldaps: u.Scheme == "ldaps"}
		if ep.port == "" {
			ep.port = map[bool]string{true: "636", false: "389"}[ep.ldaps]
		}
		if !ep.ldaps && !cfg.StartTLS && !cfg.AllowPlain {
			return nil, fmt.Errorf("ldap: %s without StartTLS would send the bind in clear: use ldaps://, --starttls, or --allow-plain-ldap", ep.url)
		}
		if ep.ldaps && cfg.StartTLS {
			return nil, fmt.Errorf("ldap: %s is already TLS: StartTLS is for ldap:// URLs", ep.url)
		}
		ep.serverName = cfg.TLSServerName
		if ep.serverName == "" {
			ep.serverName = ep.host
		}
		eps = append(eps, ep)
	}
	return eps, nil
}

// resolverOf is cfg.Resolver, else the system's.
func resolverOf(cfg Config) *net.Resolver {
	if cfg.Resolver != nil {
		return cfg.Resolver
	}
	return net.DefaultResolver
}

// locate finds the DCs of cfg.Domain in DNS, as Windows does. The SRV records name LDAP's
// port 389: with StartTLS or AllowPlain that is used, else LDAPS on 636 of the same hosts.
func locate(ctx context.Context, cfg Config) ([]string, error) {
	domain := strings.TrimSuffix(cfg.Domain, ".")
	var srvs []*net.SRV
	var errs []string
	for _, name := range []string{"dc._msdcs." + domain, domain} {
		_, recs, err := resolverOf(cfg).LookupSRV(ctx, "ldap", "tcp", name)
		if err == nil && len(recs) > 0 {
			srvs = recs
			break
		}
		if err != nil {
			errs = append(errs, err.Error())
		} else {
			errs = append(errs, "_ldap._tcp."+name+": no records")
		}
	}
	if len(srvs) == 0 {
		return nil, fmt.Errorf("ldap: no domain controller of %s found in DNS (%s): give --ldap-url", domain, strings.Join(errs, "; "))
	}
	// LookupSRV sorts by priority and shuffles by weight; keep that order.
	sort.SliceStable(srvs, func(i, j int) bool { return srvs[i].Priority < srvs[j].Priority })
	var urls []string
	for _, s := range srvs {
		host := strings.TrimSuffix(s.Target, ".")
		if host == "" {
			continue // "." means: no such service
		}
		if cfg.StartTLS || cfg.AllowPlain {
			urls = append(urls, "ldap://"+net.JoinHostPort(host, strconv.Itoa(int(s.Port))))
		} else {
			urls = append(urls, "ldaps://"+net.JoinHostPort(host, "636"))
		}
	}
	if len(urls) == 0 {
		return nil, fmt.Errorf("ldap: DNS says %s has no LDAP service", domain)
	}
	return urls, nil
}

// connect tries each endpoint in turn until one connects (and completes StartTLS). A DC that
// does not answer, or whose TLS fails, is passed over; the errors of all are returned when none
// answers.
func connect(ctx context.Context, cfg Config, eps []endpoint) (*ldap.Conn, endpoint, error) {
	roots, err := rootCAs(cfg.CAFile)
	if err != nil {
		return nil, endpoint{}, err
	}
	var errs []error
	for _, ep := range eps {
		if err := ctx.Err(); err != nil {
			return nil, ep, err
		}
		conn, err := dial(ctx, cfg, ep, roots)
		if err == nil {
			return conn, ep, nil
		}
		errs = append(errs, &Error{Server: ep.url, Step: "connect", Err: describe(err)})
	}
	if len(errs) == 1 {
		return nil, eps[0], errs[0]
	}
	return nil, endpoint{}, fmt.Errorf("ldap: no domain controller answered: %w", errors.Join(errs...))
}

func dial(ctx context.Context, cfg Config, ep endpoint, roots *x509.CertPool) (*ldap.Conn, error) {
	tc := &tls.Config{
		ServerName:         ep.serverName,
		RootCAs:            roots,
		InsecureSkipVerify: cfg.InsecureSkipVerify,
		MinVersion:         tls.VersionTLS12,
	}
	dctx, cancel := context.WithTimeout(ctx, cfg.Timeout)
	defer cancel()
	d := &net.Dialer{Timeout: cfg.Timeout, Resolver: resolverOf(cfg)}
	// DialURL has no context: dial the socket ourselves and hand it over.
	raw, err := d.DialContext(dctx, "tcp", net.JoinHostPort(ep.host, ep.port))
	if err != nil {
		return nil, err
	}
	var nc net.Conn = raw
	if ep.ldaps {
		tlsConn := tls.Client(raw, tc)
		if err := tlsConn.HandshakeContext(dctx); err != nil {
			raw.Close()
			return nil, err
		}
		nc = tlsConn
	}
	conn := ldap.NewConn(nc, ep.ldaps)
	conn.Start()
	conn.SetTimeout(cfg.Timeout)
	if !ep.ldaps && cfg.StartTLS {
		stop := context.AfterFunc(dctx, func() { conn.Close() })
		err := conn.StartTLS(tc)
		stop()
		if err != nil {
			conn.Close()
			return nil, fmt.Errorf("StartTLS: %w", err)
		}
	}
	return conn, nil
}

// rootCAs is the system pool plus the certificates of caFile.
func rootCAs(caFile string) (*x509.CertPool, error) {
	if caFile == "" {
		return nil, nil // the system roots
	}
	pem, err := os.ReadFile(caFile)
	if err != nil {
		return nil, fmt.Errorf("ldap: CA file: %v", err)
	}
	pool, err := x509.SystemCertPool()
	if err != nil || pool == nil {
		pool = x509.NewCertPool()
	}
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("ldap: CA file %s holds no PEM certificate", caFile)
	}
	return pool, nil
}
