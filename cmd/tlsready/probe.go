package main

import (
	"flag"
	"net"
	"net/url"
	"strings"

	"github.com/tlsready/tlsready/checks"
	"github.com/tlsready/tlsready/facts"
)

// probeTimeoutMS is the time each host's probe may take for its connection and TLS handshake
// together (facts.KindProbe): well inside the default per-host --timeout.
const probeTimeoutMS = 10000

// registerProbe adds --probe and --probe-url (scan, rescan, demo).
func (rf *remoteFlags) registerProbe(fs *flag.FlagSet) {
	fs.BoolVar(&rf.probe, "probe", false, "also have each host attempt a TLS 1.2 handshake to Microsoft 365 itself (opt-in: every PC contacts the internet); needs the shell, see --method")
	fs.StringVar(&rf.probeURL, "probe-url", "", "the probe's target, an https URL (default "+checks.DefaultProbeURL+"); only with --probe")
}

// checkProbe checks --probe and --probe-url: a --probe-url without --probe is a usage error, as
// is a URL probeTarget refuses.
func (rf *remoteFlags) checkProbe() error {
	if rf.probeURL != "" && !rf.probe {
		return usagef("--probe-url needs --probe")
	}
	if !rf.probe {
		return nil
	}
	_, err := probeTarget(rf.probeURL)
	return err
}

// probeRecord is what the results record of --probe: the target URL, or "" without --probe.
func (rf *remoteFlags) probeRecord() string {
	if !rf.probe {
		return ""
	}
	if rf.probeURL == "" {
		return checks.DefaultProbeURL
	}
	return rf.probeURL
}

// probeTarget turns a --probe-url into the probe item's "host:port": https only, a host, port
// 443 unless given, no user name or password (the URL travels to every host and into the
// results). "" is checks.DefaultProbeURL.
func probeTarget(raw string) (string, error) {
	if raw == "" {
		raw = checks.DefaultProbeURL
	}
	u, err := url.Parse(raw)
	if err != nil {
		return "", usagef("--probe-url %q: not a URL", raw)
	}
	switch {
	case !strings.EqualFold(u.Scheme, "https"):
		return "", usagef("--probe-url %q: want an https:// URL", raw)
	case u.User != nil:
		return "", usagef("--probe-url %q: no user name or password in the URL", raw)
	case u.Hostname() == "":
		return "", usagef("--probe-url %q: no host", raw)
	}
	port := u.Port()
	if port == "" {
		if strings.HasSuffix(u.Host, ":") {
			return "", usagef("--probe-url %q: empty port", raw)
		}
		port = "443"
	}
	target := net.JoinHostPort(u.Hostname(), port)
	if err := facts.CheckProbeTarget(target); err != nil {
		return "", usagef("--probe-url %q: %v", raw, err)
	}
	return target, nil
}
