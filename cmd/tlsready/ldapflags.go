package main

import (
	"context"
	"flag"
	"fmt"
	"net"
	"strings"
	"time"

	"github.com/tlsready/tlsready/discover"
	"github.com/tlsready/tlsready/report"
	"github.com/tlsready/tlsready/scan"
)

// ldapFlags are the Active Directory discovery flags shared by discover and scan.
type ldapFlags struct {
	urls                                listFlag
	domain, caFile, tlsServerName, bind string
	startTLS, allowPlain, insecure      bool
	ou, scope                           string
	osFilter, nameFilter, extraFilter   string
	staleDays                           int
	includeDisabled                     bool
	resolve                             listFlag
	user, passwordFile                  string
	dnsServer                           string
	timeout                             time.Duration
}

func (lf *ldapFlags) register(fs *flag.FlagSet) {
	fs.Var(&lf.urls, "ldap-url", "domain controller to ask, ldaps://dc.corp.example (or ldap:// with --starttls); repeatable, tried in order")
	fs.StringVar(&lf.domain, "domain", "", "AD domain (corp.example): find its domain controllers through DNS SRV records instead of --ldap-url")
	fs.StringVar(&lf.dnsServer, "dns-server", "", "DNS server (HOST[:PORT]) to ask for the domain's SRV records and DC names, when this machine's DNS is not the domain's")
	fs.BoolVar(&lf.startTLS, "starttls", false, "with ldap:// URLs: upgrade the connection to TLS before binding")
	fs.BoolVar(&lf.allowPlain, "allow-plain-ldap", false, "allow ldap:// without --starttls (the bind crosses the network in clear)")
	fs.StringVar(&lf.caFile, "ldap-ca-file", "", "PEM file of the CA of the domain controllers' LDAPS certificates (default: system roots)")
	fs.StringVar(&lf.tlsServerName, "ldap-tls-server-name", "", "name to verify in the domain controller's certificate")
	fs.BoolVar(&lf.insecure, "ldap-insecure-skip-verify", false, "do not verify the domain controller's certificate")
	fs.StringVar(&lf.bind, "ldap-bind", "simple", "LDAP bind: simple, kerberos or ntlm (same --user and password as WinRM)")
	fs.StringVar(&lf.ou, "ou", "", `OU to scan, as a DN: "OU=Workstations,DC=corp,DC=example"`)
	fs.StringVar(&lf.scope, "scope", "sub", "sub: the OU and every OU below it; one: the OU itself only")
	fs.StringVar(&lf.osFilter, "os-filter", "", `only computers whose operatingSystem matches this glob, e.g. "Windows 7*"`)
	fs.StringVar(&lf.nameFilter, "name-filter", "", `only computers whose name matches this glob, e.g. "PC-*"`)
	fs.StringVar(&lf.extraFilter, "ldap-filter", "", "an extra raw LDAP filter ANDed to the search, e.g. (description=Finance*)")
	fs.IntVar(&lf.staleDays, "stale-days", 0, "skip computers whose lastLogonTimestamp is older than this many days (0: keep all)")
	fs.BoolVar(&lf.includeDisabled, "include-disabled", false, "also list disabled computer accounts")
	fs.StringVar(&lf.user, "ldap-user", "", "account to bind to LDAP with, if not the --user of WinRM (password from --ldap-password-file, TLSREADY_LDAP_PASSWORD or a prompt)")
	fs.StringVar(&lf.passwordFile, "ldap-password-file", "", "password of --ldap-user, first line of this file")
	durationVar(fs, &lf.timeout, "ldap-timeout", 30*time.Second, false, "time allowed for each LDAP connection attempt and request")
	fs.Var(&lf.resolve, "resolve", "connect to a discovered NAME at HOST:PORT instead of its DNS name (NAME=HOST:PORT); repeatable")
}

// used reports whether discovery was asked for.
func (lf *ldapFlags) used() bool { return lf.ou != "" || len(lf.urls) > 0 || lf.domain != "" }

func (lf *ldapFlags) config(user, password, realm, krb5Conf string) (discover.Config, error) {
	if lf.ou == "" {
		return discover.Config{}, usagef(`--ou is required for discovery, e.g. --ou "OU=Workstations,DC=corp,DC=example"`)
	}
	if lf.scope != "sub" && lf.scope != "one" {
		return discover.Config{}, usagef("--scope %q: want sub or one", lf.scope)
	}
	if len(lf.urls) == 0 && lf.domain == "" {
		return discover.Config{}, usagef("give --ldap-url ldaps://dc.corp.example or --domain corp.example")
	}
	var resolver *net.Resolver
	if lf.dnsServer != "" {
		addr := lf.dnsServer
		if _, _, err := net.SplitHostPort(addr); err != nil {
			addr = net.JoinHostPort(strings.Trim(addr, "[]"), "53")
		}
		resolver = &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, network, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, network, addr)
		}}
	}
	return discover.Config{
		Resolver: resolver,
		URLs:     lf.urls, Domain: lf.domain, StartTLS: lf.startTLS, AllowPlain: lf.allowPlain,
		InsecureSkipVerify: lf.insecure, CAFile: lf.caFile, TLSServerName: lf.tlsServerName,
		Bind: lf.bind, User: user, Password: password, Realm: realm, Krb5Conf: krb5Conf,
		BaseDN: lf.ou, Scope: lf.scope, OSFilter: lf.osFilter, NameFilter: lf.nameFilter,
		ExtraFilter: lf.extraFilter, StaleDays: lf.staleDays, IncludeDisabled: lf.includeDisabled,
		Timeout: lf.timeout,
	}, nil
}

// credentials returns the LDAP account and its password: --ldap-user with its own password, or
// the WinRM account and password given.
func (lf *ldapFlags) credentials(e env, user, password string) (string, string, error) {
	if lf.user == "" || strings.EqualFold(lf.user, user) {
		return user, password, nil
	}
	pw, err := readPasswordFrom(e, lf.passwordFile, "TLSREADY_LDAP_PASSWORD", lf.user)
	return lf.user, pw, err
}

// resolver maps discovered names to the targets given with --resolve: an address, and the
// scheme when given as a URL (an https:// address is scanned over HTTPS).
func (lf *ldapFlags) resolver(d targetDefaults) (map[string]scan.Target, error) {
	out := map[string]scan.Target{}
	for _, r := range lf.resolve {
		name, addr, ok := strings.Cut(r, "=")
		if !ok || strings.TrimSpace(name) == "" || strings.TrimSpace(addr) == "" {
			return nil, usagef("--resolve %q: want NAME=HOST:PORT", r)
		}
		// The same forms as a --target address: HOST, HOST:PORT or a URL (a "tlsready lab" line).
		t, err := parseTarget(r, d)
		if err != nil {
			return nil, usagef("--resolve: %v", err)
		}
		if _, err := endpointOf(t); err != nil {
			return nil, usagef("--resolve %q: %v", r, err)
		}
		out[scan.HostKey(t.Name)] = t
	}
	return out, nil
}

// discoverTargets runs the discovery and turns each computer into a scan target: its DNS name
// on the WinRM port (or a --resolve address), duplicates of a DNS name dropped. The AD facts
// travel with the target.
func discoverTargets(ctx context.Context, e env, cfg discover.Config, resolve map[string]scan.Target, defaultPort string) ([]scan.Target, discover.Stats, error) {
	var targets []scan.Target
	seen := map[string]bool{}
	dups, unsupported := 0, 0
	stats, err := discover.Discover(ctx, cfg, func(c discover.Computer) error {
		key := scan.HostKey(c.DNSHostName)
		if seen[key] {
			dups++
			return nil
		}
		seen[key] = true
		addr, scheme := net.JoinHostPort(c.DNSHostName, defaultPort), ""
		for _, n := range []string{c.DNSHostName, c.Name} {
			if r, ok := resolve[scan.HostKey(n)]; ok {
				addr, scheme = r.Address, r.Scheme
				break
			}
		}
		if c.Unsupported != "" {
			unsupported++
		}
		comp := c
		targets = append(targets, scan.Target{Name: c.DNSHostName, Address: addr, Scheme: scheme, AD: &comp})
		return nil
	})
	if err != nil {
		return targets, stats, err
	}
	fmt.Fprintf(e.stderr, "discovered %d computer(s) in %s from %s (%d page(s)); skipped: %d disabled, %d stale (--stale-days), %d by filters",
		len(targets), report.Clean(cfg.BaseDN), report.Clean(stats.Server), stats.Pages, stats.SkippedDisabled, stats.SkippedStale, stats.SkippedFilter)
	if dups > 0 {
		fmt.Fprintf(e.stderr, "; %d duplicate DNS name(s) kept once", dups)
	}
	fmt.Fprintln(e.stderr)
	if unsupported > 0 {
		fmt.Fprintf(e.stderr, "%d computer(s) run an OS that AD records as certainly unsupported (Q2): they must be replaced whatever a scan finds\n", unsupported)
	}
	return targets, stats, nil
}
