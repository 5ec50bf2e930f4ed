package main

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"net"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/term"

	"github.com/tlsready/tlsready/checks"
	"github.com/tlsready/tlsready/discover"
	"github.com/tlsready/tlsready/facts"
	"github.com/tlsready/tlsready/internal/redact"
	"github.com/tlsready/tlsready/remote"
	"github.com/tlsready/tlsready/report"
	"github.com/tlsready/tlsready/scan"
)

const scanSynopsis = `Usage: tlsready scan (--target NAME[=HOST:PORT] ... | --targets-file FILE |
                     --ou DN (--ldap-url URL | --domain DOMAIN)) [--user USER] [flags]

Connects to each host over WinRM (HTTP 5985 by default, HTTPS 5986 with --https), runs a
read-only PowerShell collector, and judges whether Outlook can use TLS 1.2 there. Nothing is
installed or changed on the hosts. With --ou, the hosts are the enabled computers of that Active
Directory OU (paged LDAP search over LDAPS or StartTLS, same account unless --ldap-user). The password is read from TLSREADY_PASSWORD, --password-file,
or a prompt - never from the command line. On Windows without --user, your own logon is used
(Kerberos with your ticket, NTLM fallback, through SSPI; LDAP binds the same way): no password.

Writes one JSON line per host to the results file as soon as that host is done, then prints a
table. Exit code: 0 all ready, 1 some need action/unsupported, 2 some unknown, 3 usage error.
`

// remoteFlags are the connection flags shared by scan and demo.
type remoteFlags struct {
	user, passwordFile          string
	https, insecure             bool
	caFile, tlsServerName, port string
	minTLS                      string
	auth, realm, krb5Conf       string
	kdcs                        listFlag
	allowBasicOverHTTP          bool
	maxAuthFailures             int
	timeout, operationTimeout   time.Duration
	connectTimeout, grace       time.Duration
	concurrency, retries        int
	rate                        float64
	noProgress                  bool
	shard                       string
	out, resume                 string
	output                      outputFlags
	scope                       string // what was scanned, for the HTML report's header
	demo                        bool   // tlsready demo: the account is the demo's own, not the user's
	// resultsPath, when not nil, is set to the results file's path once it is chosen (the
	// demo's next steps name it).
	resultsPath *string
	method      string // --method: shell, wmi or auto (remote.CollectBy)
	// probe and probeURL are --probe and --probe-url (probe.go).
	probe    bool
	probeURL string
	// changes are, per host (scan.HostKey), the registry values tlsready fix changed (from a
	// journal or a previous result): added to the host's facts so that the checks can tell
	// whether a restart is pending.
	changes map[string][]facts.Change
}

func (rf *remoteFlags) register(fs *flag.FlagSet, e env, defaultTimeout time.Duration) {
	rf.output.register(fs, e)
	intAtLeastVar(fs, &rf.concurrency, "concurrency", 16, 1, "hosts scanned at the same time")
	fs.IntVar(&rf.maxAuthFailures, "max-auth-failures", 3, "stop the scan after this many hosts in a row reject the credentials, before the account is locked out (0: never stop)")
	durationVar(fs, &rf.timeout, "timeout", defaultTimeout, false, "overall time allowed for one host, connection to last answer (e.g. 30s, 2m; a bare number is seconds)")
	fs.StringVar(&rf.out, "out", "", "results file, JSON Lines, one object per host (default tlsready-results-<date>-<time>.jsonl in this folder)")
	registerForce(fs, &rf.output.force)
	fs.StringVar(&rf.resume, "resume", "", "go on with an interrupted run: skip the hosts already in this results file and append the others to it")
	fs.IntVar(&rf.retries, "retries", 3, "more attempts for a host after a transient error (WinRM quota fault, HTTP 503, connection reset), with growing pauses; never after an auth error")
	fs.Float64Var(&rf.rate, "rate", 0, "new hosts started per second at most (0: no limit), to spare firewalls, VPNs and proxies")
	fs.BoolVar(&rf.noProgress, "no-progress", false, "no live progress line; plain progress lines every 10 s instead (also when stderr is not a terminal)")
	fs.StringVar(&rf.shard, "shard", "", "scan only slice i of n (i/n, 1 <= i <= n) of the targets, split by a hash of the host name; run n jobs and merge their files")
	durationVar(fs, &rf.grace, "grace", 15*time.Second, true, "after Ctrl-C: how long running hosts may take to finish (a second Ctrl-C cancels them at once)")
	fs.StringVar(&rf.method, "method", remote.MethodAuto, "how hosts are read: wmi (WMI over WinRM, no process started on the host), shell (the PowerShell collector in a remote shell), or auto (WMI, and the shell where WMI is refused)")
}

func (rf *remoteFlags) registerConnection(fs *flag.FlagSet) {
	fs.StringVar(&rf.auth, "auth", "negotiate", "authentication: negotiate (Kerberos when the host has a name in a realm with a KDC, else NTLM; what Invoke-Command does), ntlm, kerberos, or basic (HTTPS only)")
	fs.StringVar(&rf.realm, "realm", "", "Kerberos realm (default: from --user's domain or krb5.conf's default_realm)")
	fs.Var(&rf.kdcs, "kdc", "Kerberos KDC host[:port] for the realm (default: from krb5.conf); repeatable")
	fs.StringVar(&rf.krb5Conf, "krb5-conf", "", "krb5.conf to read (default $KRB5_CONFIG, else /etc/krb5.conf)")
	fs.BoolVar(&rf.allowBasicOverHTTP, "allow-basic-over-http", false, "allow --auth basic without --https (the password crosses the network base64-encoded; the host must allow unencrypted WinRM)")
	fs.StringVar(&rf.user, "user", "", `account to connect with, as DOMAIN\user or user@domain (a member of the hosts' local Administrators); on Windows, without it: your own logon (Kerberos, NTLM fallback, through SSPI; no password)`)
	fs.StringVar(&rf.passwordFile, "password-file", "", "read the password from the first line of this file (else TLSREADY_PASSWORD, else a prompt)")
	fs.BoolVar(&rf.https, "https", false, "connect with HTTPS (WinRM port 5986); the certificate is verified")
	fs.StringVar(&rf.caFile, "ca-file", "", "PEM file of the CA that issued the hosts' WinRM HTTPS certificates (default: system roots)")
	fs.StringVar(&rf.tlsServerName, "tls-server-name", "", "name to verify in the host's certificate instead of the target name")
	fs.BoolVar(&rf.insecure, "insecure-skip-verify", false, "do not verify HTTPS certificates (anyone on the path can read the password)")
	fs.StringVar(&rf.minTLS, "min-tls-version", "1.2", "lowest TLS version for --https: 1.2, or 1.0 for Windows 7 / 2008 R2 hosts whose WinRM listener still speaks only TLS 1.0")
	fs.StringVar(&rf.port, "port", "", "WinRM port for targets given without one (default 5985, or 5986 with --https)")
	durationVar(fs, &rf.operationTimeout, "operation-timeout", 20*time.Second, false, "WS-Management OperationTimeout: how long the host may hold one request")
	durationVar(fs, &rf.connectTimeout, "connect-timeout", 3*time.Second, false, "time allowed for the TCP connection: a powered-off host fails after this, not after --timeout")
}

// checkOutputs refuses, before anything connects, a results file (--out, or --html) that
// exists (unless --force) or is one of the inputs, and --resume with --force.
func (rf *remoteFlags) checkOutputs(inputs ...namedPath) error {
	inputs = append(inputs, namedPath{"--password-file", rf.passwordFile}, namedPath{"--ca-file", rf.caFile}, namedPath{"--krb5-conf", rf.krb5Conf})
	if rf.resume != "" {
		switch {
		case rf.output.force:
			return usagef("--resume %s continues that file and --force would replace it: give one of them", rf.resume)
		case rf.out != "" && rf.out != rf.resume && !sameFile(rf.out, rf.resume):
			return usagef("--resume FILE appends to FILE: leave out --out")
		}
		for _, in := range inputs {
			if in.path != "" && sameFile(rf.resume, in.path) {
				return usagef("--resume %s is also the input %s %s: resume the results file of the interrupted scan", rf.resume, in.flag, in.path)
			}
		}
		return checkOutputs(false, append(inputs, namedPath{"--resume", rf.resume}), "", namedPath{"--html", rf.output.html})
	}
	return checkOutputs(rf.output.force, inputs, "add --resume "+rf.out+" to go on with that scan",
		namedPath{"--out", rf.out}, namedPath{"--html", rf.output.html})
}

// targetDefaults are the port and scheme of targets that do not give them.
func (rf *remoteFlags) targetDefaults() targetDefaults {
	return targetDefaults{Port: rf.port, HTTPS: rf.https}
}

// targetHTTPS says whether t is reached over HTTPS: its own scheme if it names one, else --https.
func (rf *remoteFlags) targetHTTPS(t scan.Target) bool {
	if t.Scheme != "" {
		return t.Scheme == "https"
	}
	return rf.https
}

func (rf *remoteFlags) defaultPort() string {
	if rf.port != "" {
		return rf.port
	}
	if rf.https {
		return "5986"
	}
	return "5985"
}

func runScan(ctx context.Context, e env, args []string) (int, error) {
	fs := newFlagSet(e, "scan", scanSynopsis)
	var rf remoteFlags
	var targetFlags listFlag
	var targetsFile string
	var journals listFlag
	fs.Var(&journals, "journal", "journal of tlsready fix whose changes the hosts must restart for (RESTART_PENDING); repeatable")
	fs.Var(&targetFlags, "target", "host to scan, NAME or NAME=HOST:PORT; repeatable")
	fs.StringVar(&targetsFile, "targets-file", "", "file with one target per line (NAME, NAME=HOST:PORT, or a line printed by 'tlsready lab'); # starts a comment")
	var lf ldapFlags
	lf.register(fs)
	rf.registerConnection(fs)
	rf.register(fs, e, 60*time.Second)
	rf.registerProbe(fs)
	rf.output.registerQuiet(fs)
	if err := parseFlags(fs, args); err != nil {
		return exitUsage, err
	}
	if err := rf.checkProbe(); err != nil {
		return exitUsage, err
	}
	inputs := []namedPath{{"--targets-file", targetsFile}, {"--ldap-password-file", lf.passwordFile}}
	for _, j := range journals {
		inputs = append(inputs, namedPath{"--journal", j})
	}
	if err := rf.checkOutputs(inputs...); err != nil {
		return exitUsage, err
	}
	var ldapCfg discover.Config
	var resolve map[string]scan.Target
	if lf.used() {
		var err error
		if ldapCfg, err = lf.config("", "", rf.realm, rf.krb5Conf); err != nil {
			return exitUsage, err
		}
		if resolve, err = lf.resolver(rf.targetDefaults()); err != nil {
			return exitUsage, err
		}
	} else if len(lf.resolve) > 0 {
		return exitUsage, usagef("--resolve applies to computers discovered with --ou; give --target NAME=HOST:PORT instead")
	}
	if rf.port != "" {
		if p, err := strconv.Atoi(rf.port); err != nil || p < 1 || p > 65535 {
			return exitUsage, usagef("--port %q: want a number from 1 to 65535", rf.port)
		}
	}
	var targets []scan.Target
	for _, s := range targetFlags {
		t, err := parseTarget(s, rf.targetDefaults())
		if err != nil {
			return exitUsage, usagef("--target: %v", err)
		}
		targets = append(targets, t)
	}
	if targetsFile != "" {
		f, err := os.Open(targetsFile)
		if err != nil {
			return exitUsage, usagef("--targets-file: %v", err)
		}
		ts, err := readTargets(f, targetsFile, rf.targetDefaults())
		f.Close()
		if err != nil {
			return exitUsage, usagef("--targets-file: %v\nnothing was scanned: correct these lines and run again", err)
		}
		targets = append(targets, ts...)
	}
	if len(targets) == 0 && !lf.used() {
		return exitUsage, usagef("no targets: give --target NAME, --targets-file FILE, or --ou DN with --ldap-url URL")
	}
	rf.scope = describeScope(targetsFile, len(targetFlags), lf)
	var err error
	if rf.changes, err = changesFromJournals(journals); err != nil {
		return exitUsage, err
	}
	pw, err := winrmPassword(e, rf)
	if err != nil {
		return exitUsage, err
	}
	if lf.used() {
		var err error
		if ldapCfg.User, ldapCfg.Password, err = lf.credentials(e, rf.user, pw); err != nil {
			return exitUsage, err
		}
		found, _, err := discoverTargets(ctx, e, ldapCfg, resolve, rf.defaultPort())
		if err != nil {
			// A partial OU would be reported as if complete: scan nothing.
			return exitUsage, fmt.Errorf("%w (nothing scanned)", err)
		}
		if len(found) == 0 && len(targets) == 0 {
			return exitUsage, fmt.Errorf("no computers found in %s with these filters: nothing to scan", report.Clean(ldapCfg.BaseDN))
		}
		targets = append(targets, found...)
	}
	return scanExit(scanTargets(ctx, e, targets, rf, pw))
}

// describeScope says what a scan covers, for the report's header.
func describeScope(targetsFile string, nTargets int, lf ldapFlags) string {
	var parts []string
	if lf.used() {
		p := "OU " + lf.ou
		if lf.scope == "one" {
			p += " (this OU only)"
		}
		parts = append(parts, p)
	}
	if targetsFile != "" {
		parts = append(parts, "targets file "+targetsFile)
	}
	if nTargets > 0 {
		parts = append(parts, fmt.Sprintf("%d --target host(s)", nTargets))
	}
	return strings.Join(parts, "; ")
}

// scanExit is the exit code of a scan: that of the verdicts; 2 (some hosts not checked) when
// it was interrupted; 3 for any other error.
func scanExit(results []scan.Result, err error) (int, error) {
	switch {
	case errors.Is(err, scan.ErrInterrupted):
		return exitUnknown, err
	case err != nil:
		return exitUsage, err
	}
	return verdictExitCode(results), nil
}

// scanTargets runs the scan with a WinRM client, writes the results file, and prints the tables.
func scanTargets(ctx context.Context, e env, targets []scan.Target, rf remoteFlags, password string) ([]scan.Result, error) {
	targets, dropped := dedupeTargets(targets)
	if len(dropped) > 0 {
		fmt.Fprintf(e.stderr, "note: %d duplicate target(s) scanned once: %s\n", len(dropped), report.Clean(strings.Join(dropped, ", ")))
	}
	if rf.concurrency < 1 {
		return nil, usagef("--concurrency must be at least 1")
	}
	if err := rf.output.check(); err != nil {
		return nil, err
	}
	method, err := remote.CheckMethod(rf.method)
	if err != nil {
		return nil, usagef("--%v", err)
	}
	if err := rf.checkProbe(); err != nil {
		return nil, err
	}
	switch {
	case rf.probe && method == remote.MethodWMI:
		fmt.Fprintln(e.stderr, "note: --probe runs in the shell collector; hosts read over WMI (--method wmi) get PROBE_NEEDS_SHELL instead: use --method shell or auto to probe them")
	case rf.probe && method == remote.MethodAuto:
		fmt.Fprintln(e.stderr, "note: with --probe, --method auto reads through the shell first (the probe runs there); hosts that refuse the shell are read over WMI and get PROBE_NEEDS_SHELL")
	}
	// A target that names its scheme (a "tlsready lab --https" line, https://HOST/wsman) is
	// reached with it whatever --https says: one client per scheme in use.
	clients := map[bool]*remote.Client{}
	for _, https := range []bool{rf.https, !rf.https} {
		var group []scan.Target
		for _, t := range targets {
			if rf.targetHTTPS(t) == https {
				group = append(group, t)
			}
		}
		if len(group) == 0 && (https != rf.https || len(targets) > 0) {
			continue
		}
		grf := rf
		grf.https = https
		client, err := newWinRMClient(e, grf, group, password)
		if err != nil {
			return nil, err
		}
		defer client.Close()
		clients[https] = client
	}
	items := checks.Items()
	if rf.probe {
		target, err := probeTarget(rf.probeURL)
		if err != nil {
			return nil, err
		}
		items = append(items, checks.ProbeItems(target, probeTimeoutMS)...)
	}
	collector := scan.CollectorFunc(func(ctx context.Context, t scan.Target) (*facts.Facts, error) {
		ep, err := endpointOf(t)
		if err != nil {
			return nil, err
		}
		f, err := clients[rf.targetHTTPS(t)].CollectBy(ctx, ep, items, method)
		if err == nil && f != nil {
			attachChanges(f, rf.changes[scan.HostKey(t.Name)])
		}
		return f, err
	})
	rules := remoteErrors()
	// A hostile host can echo the password (Basic sends it) in any text it returns: no form
	// of it reaches the results file, the reports or the terminal.
	rules.redact = redact.New(rf.user, password).String
	return runAndReport(ctx, e, targets, collector, rules, rf)
}

// newWinRMClient checks the connection flags and makes the WinRM client for targets.
func newWinRMClient(e env, rf remoteFlags, targets []scan.Target, password string) (*remote.Client, error) {
	auth := rf.auth
	switch auth {
	case "", remote.AuthNegotiate, remote.AuthNTLM, remote.AuthKerberos:
	case remote.AuthBasic:
		if !rf.https && !rf.allowBasicOverHTTP {
			return nil, usagef("--auth basic sends the password base64-encoded: use it with --https, or add --allow-basic-over-http (the hosts must also allow unencrypted WinRM)")
		}
		if !rf.https {
			warnBasicOverHTTP(e, targets)
		}
	default:
		return nil, usagef("--auth %q: want negotiate, ntlm, kerberos or basic", auth)
	}
	if rf.https && rf.insecure {
		fmt.Fprintln(e.stderr, "WARNING: --insecure-skip-verify: host certificates are not checked; anyone on the network path can impersonate a host and read the password.")
	}
	minTLS, ok := map[string]uint16{"1.0": tls.VersionTLS10, "1.1": tls.VersionTLS11, "1.2": tls.VersionTLS12, "1.3": tls.VersionTLS13, "": tls.VersionTLS12}[rf.minTLS]
	if !ok {
		return nil, usagef("--min-tls-version %q: want 1.0, 1.1, 1.2 or 1.3", rf.minTLS)
	}
	client, err := remote.NewClient(remote.Config{
		MinTLSVersion:      minTLS,
		User:               rf.user,
		Password:           password,
		HTTPS:              rf.https,
		InsecureSkipVerify: rf.insecure,
		CAFile:             rf.caFile,
		TLSServerName:      rf.tlsServerName,
		Timeout:            rf.timeout,
		OperationTimeout:   rf.operationTimeout,
		DialTimeout:        rf.connectTimeout,
		DeferCleanup:       true, // the result does not wait for the shell's deletion
		Auth:               auth,
		Kerberos: remote.KerberosConfig{
			Realm:       rf.realm,
			KDCs:        rf.kdcs,
			Krb5Conf:    rf.krb5Conf,
			ServiceHost: serviceHosts(targets),
		},
	})
	if err != nil {
		return nil, fmt.Errorf("set up WinRM client: %w", err)
	}
	return client, nil
}

// errorRules are the scan options that judge collector errors.
type errorRules struct {
	categorize func(error) string
	rejected   func(error) bool
	transient  func(error) bool
	busy       func(error) bool
	redact     func(string) string // applied to every string of a result (scan.Options.Redact)
}

// remoteErrors judges the errors of the WinRM client.
func remoteErrors() errorRules {
	return errorRules{
		categorize: func(err error) string { return string(remote.CategoryOf(err)) },
		rejected:   remote.CredentialsRejected,
		transient:  remote.Transient,
		busy:       remote.IsQuota,
	}
}

func endpointOf(t scan.Target) (remote.Endpoint, error) {
	host, port, err := net.SplitHostPort(t.Address)
	if err != nil {
		return remote.Endpoint{}, fmt.Errorf("host %s: address %q: %w", t.Name, t.Address, err)
	}
	p, err := strconv.Atoi(port)
	if err != nil {
		return remote.Endpoint{}, fmt.Errorf("host %s: port %q: %w", t.Name, port, err)
	}
	return remote.Endpoint{Host: host, Port: p}, nil
}

// warnBasicOverHTTP says loudly that Basic over plain HTTP exposes the password, unless every
// target is on this machine.
func warnBasicOverHTTP(e env, targets []scan.Target) {
	for _, t := range targets {
		host, _, _ := net.SplitHostPort(t.Address)
		if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() || host == "localhost" {
			continue
		}
		fmt.Fprintln(e.stderr, "WARNING: Basic authentication over HTTP sends the password base64-encoded, readable by anyone on the network path. Use --https where the hosts have a WinRM HTTPS listener.")
		return
	}
}

// runAndReport scans, streams every result to the results file, then prints the host table and
// the summary. What was collected is in the file even if the scan stops early.
func runAndReport(ctx context.Context, e env, targets []scan.Target, c scan.Collector, rules errorRules, rf remoteFlags) ([]scan.Result, error) {
	if rf.shard != "" {
		var i, n int
		if _, err := fmt.Sscanf(rf.shard, "%d/%d", &i, &n); err != nil || fmt.Sprintf("%d/%d", i, n) != rf.shard {
			return nil, usagef("--shard %q: want i/n, e.g. 2/8", rf.shard)
		}
		all := len(targets)
		var err error
		if targets, err = scan.Shard(targets, i, n); err != nil {
			return nil, usagef("--shard: %v", err)
		}
		fmt.Fprintf(e.stderr, "shard %d/%d: %d of %d host(s)\n", i, n, len(targets), all)
	}
	// The tables need each host's findings, not its facts: keep the findings (in the tables'
	// language) and drop the facts, which the results file has. 10,000 hosts' facts would
	// otherwise stay in memory until the end.
	// Without --html, the tables need no more of a finding than report.ForTables keeps (id,
	// severity, title, FAQ questions, the probe's outcome, the other clients' evidence): the
	// details, the other evidence and the fixes are left out too (about 3 KB a host).
	lite := func(r scan.Result) scan.Result {
		r = report.Localize(r, rf.output.lang)
		r.Facts = nil
		if rf.output.html == "" {
			slim := make([]checks.Finding, len(r.Findings))
			for i, f := range r.Findings {
				slim[i] = report.ForTables(f)
			}
			r.Findings = slim
		}
		return r
	}
	now := time.Now()
	out := rf.out
	var f *os.File
	var done []scan.Result
	replacing := false // --force over an existing --out: f is a temporary file renamed over it at the end
	switch {
	case rf.resume != "" && rf.out != "" && rf.out != rf.resume:
		return nil, usagef("--resume FILE appends to FILE: leave out --out")
	case rf.resume != "":
		out = rf.resume
		var warns []string
		var err error
		if f, done, warns, err = scan.OpenForResume(out); err != nil {
			return nil, err
		}
		for _, w := range warns {
			fmt.Fprintln(e.stderr, "warning:", report.Clean(w))
		}
		for i := range done {
			done[i] = lite(done[i])
		}
		all := len(targets)
		targets = scan.Remaining(targets, done)
		fmt.Fprintf(e.stderr, "resuming %s: %d of %d host(s) already done, %d to scan\n", out, all-len(targets), all, len(targets))
	default:
		var err error
		var special bool
		if out != "" {
			f, special, err = openSpecial(out) // /dev/stdout, a FIFO: written to, never replaced
		}
		switch {
		case special:
		case out == "" && rf.demo:
			f, out, err = createDefaultNew(e, defaultDemoName(now))
		case out == "":
			f, out, err = createDefaultNew(e, defaultResultsName(now))
		case rf.output.force && fileExists(out):
			// The old file stays as it is until the scan has finished without an error: if
			// tlsready is killed, stopped with Ctrl-C or by an error before, the operator
			// still has it, and the new results are in the file beside it (to --resume).
			replacing = true
			f, err = createTempBeside(e, out)
		default:
			f, err = createNew(e, out) // checkOutputs refused an existing one; this catches a race
		}
		if errors.Is(err, fs.ErrExist) {
			return nil, usagef("--out %s exists: add --resume %s to go on with that scan, add --force to replace it, or give another name", out, out)
		}
		if err != nil {
			return nil, fmt.Errorf("results file: %w", err)
		}
	}
	if rf.resultsPath != nil {
		*rf.resultsPath = out
	}
	writer := scan.NewResultsWriter(f)
	var mu sync.Mutex
	var results []scan.Result
	collect := scan.HandlerFunc(func(r scan.Result) error {
		mu.Lock()
		results = append(results, lite(r))
		mu.Unlock()
		return nil
	})
	popts := report.ProgressOptions{}
	// Live only where the line can be redrawn in place: a terminal that reads escape sequences
	// (not TERM=dumb; on Windows a console with virtual-terminal processing on).
	if f, ansi := ansiTerminal(e, e.stderr); ansi && !rf.noProgress {
		popts.Live, popts.Width = true, terminalWidth(f)
	}
	progress := report.NewProgress(e.stderr, len(targets), popts)
	defer progress.Close()
	// While the scan runs, its messages go through the progress line, which takes itself off the
	// screen before each one.
	msgs := io.Writer(progress)
	if replacing {
		fmt.Fprintf(msgs, "scanning %d host(s), %d at a time, results to %s (it replaces %s when the scan has finished)\n", len(targets), rf.concurrency, f.Name(), out)
	} else {
		fmt.Fprintf(msgs, "scanning %d host(s), %d at a time, results to %s\n", len(targets), rf.concurrency, out)
	}

	// The first Ctrl-C (ctx) stops starting hosts; the running ones get rf.grace to finish, then
	// they are cancelled, as at once by the second Ctrl-C (e.hard).
	runCtx, cancelRun := context.WithCancel(e.hardContext())
	defer cancelRun()
	var graceTimer *time.Timer
	var graceMu sync.Mutex
	stopWatch := context.AfterFunc(ctx, func() {
		fmt.Fprintf(msgs, "stopping: no new hosts are started; the running ones have %s to finish (Ctrl-C again cancels them)\n", rf.grace)
		graceMu.Lock()
		graceTimer = time.AfterFunc(rf.grace, cancelRun)
		graceMu.Unlock()
	})
	defer func() {
		stopWatch()
		graceMu.Lock()
		if graceTimer != nil {
			graceTimer.Stop()
		}
		graceMu.Unlock()
	}()
	// The budget holds for the tables and the report too: at the end of a large scan they are
	// what allocates most.
	defer startMemoryBudget(e.getenv, rf.concurrency)()
	_, runErr := scan.Run(runCtx, targets, c, scan.Options{
		ScanID:              newScanID(now),
		Probe:               rf.probeRecord(),
		Concurrency:         rf.concurrency,
		Timeout:             rf.timeout,
		Categorize:          rules.categorize,
		MaxAuthFailures:     rf.maxAuthFailures,
		CredentialsRejected: rules.rejected,
		Retries:             rf.retries,
		Transient:           rules.transient,
		SlowDown:            rules.busy,
		Rate:                rf.rate,
		Drain:               ctx,
		Redact:              rules.redact,
	}, writer, collect, progress)
	progress.Close()
	if cerr := f.Close(); cerr != nil && runErr == nil {
		runErr = fmt.Errorf("results file %s: %w", out, cerr)
	}
	if replacing && runErr == nil {
		if err := os.Rename(f.Name(), out); err != nil {
			return nil, fmt.Errorf("results file %s: the new results are in %s: %w", out, f.Name(), err)
		}
	} else if replacing {
		// Stopped early: the old file stays whole; the hints below name the new one.
		fmt.Fprintf(e.stderr, "the scan stopped early: %s is unchanged; the new results are in %s\n", out, f.Name())
		out = f.Name()
	}
	all := scan.Latest(append(done, results...))
	if !rf.output.quiet {
		if err := printTables(e, all, rf.output.lang); err != nil {
			return all, err
		}
	}
	if err := writeHTML(e, rf.output, all, rf.scope, []string{out}); err != nil {
		return all, err
	}
	fmt.Fprintf(e.stderr, "%d of %d host(s) written to %s\n", writer.Count(), len(targets), out)
	printHints(e, all, rf.output.lang, !rf.demo)
	if runErr != nil {
		saved := fmt.Sprintf("%d of %d host(s) finished and saved in %s", writer.Count(), len(targets), out)
		if errors.Is(runErr, scan.ErrAuthFailures) {
			return all, fmt.Errorf("%w; %s. Check the credentials before scanning again (--max-auth-failures 0 disables this stop)", runErr, saved)
		}
		if isDiskFull(runErr) {
			return all, fmt.Errorf("results file %s: the disk is full (%w); %s. Free some space, then run the same command with --resume %s (without --out) to scan the remaining hosts", out, runErr, saved, out)
		}
		if errors.Is(runErr, scan.ErrInterrupted) || errors.Is(runErr, context.Canceled) {
			return all, fmt.Errorf("%w: %s. To go on, run the same command with --resume %s (without --out)", scan.ErrInterrupted, saved, out)
		}
		return all, runErr
	}
	return all, nil
}

// isTerminal says whether w is a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// verdictExitCode is 2 if any host is unknown, else 1 if any needs action or is unsupported, else 0.
func verdictExitCode(results []scan.Result) int {
	code := exitReady
	for _, r := range results {
		switch r.Verdict {
		case checks.Unknown:
			return exitUnknown
		case checks.Action, checks.Unsupported:
			code = exitAction
		}
	}
	return code
}

func newScanID(now time.Time) string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return now.UTC().Format("20060102T150405Z") + "-" + hex.EncodeToString(b)
}

// printHints turns common setup mistakes seen across hosts into one line of advice each; when
// most hosts failed the same way, that is said once with its fix instead.
// userGiven is false for the demo, whose account the user did not choose: no hint tells to
// check it.
func printHints(e env, results []scan.Result, lang string, userGiven bool) {
	if common := report.CommonFailure(results, lang); common != "" {
		fmt.Fprintln(e.stderr, "note:", report.Clean(common))
		return
	}
	certs, rejected, denied, other := 0, 0, 0, 0
	for _, r := range results {
		switch report.AuthFailureKind(r.Error) {
		case report.AuthCertificate:
			certs++
		case report.AuthRejected:
			rejected++
		case report.AuthDenied:
			denied++
		case report.AuthOther:
			other++
		}
	}
	if certs > 0 {
		fmt.Fprintf(e.stderr, "hint: %d host(s) presented a certificate this machine does not trust (or for another name): give the issuing CA with --ca-file, the certificate's name with --tls-server-name, or - insecurely - use --insecure-skip-verify\n", certs)
	}
	if rejected > 0 && userGiven {
		fmt.Fprintf(e.stderr, "hint: %d host(s) rejected the credentials: check --user (DOMAIN\\user or user@domain), the password, and that the account is a local administrator there (Windows refuses a non-administrator's logon to WinRM the same way)\n", rejected)
	}
	if denied > 0 {
		fmt.Fprintf(e.stderr, "hint: %d host(s) accepted the logon but denied the account access: make it a member of the local Administrators group there (or of Remote Management Users, with WMI rights on root/default and root/cimv2 for --method wmi)\n", denied)
	}
	if other > 0 {
		fmt.Fprintf(e.stderr, "hint: %d host(s) could not complete authentication for another reason (authentication scheme, Kerberos ticket or SPN): see each host's error\n", other)
	}
}

// winrmPassword reads the password of --user, or none when Kerberos runs from the ticket cache.
func winrmPassword(e env, rf remoteFlags) (string, error) {
	if rf.user == "" && rf.auth == remote.AuthBasic {
		return "", usagef(`--auth basic needs --user (DOMAIN\user or user@domain) and its password`)
	}
	return accountPassword(e, rf.user, rf.passwordFile, rf.auth == remote.AuthKerberos)
}

// accountPassword reads the password of user (readPassword), or none when Kerberos runs from
// the existing ticket cache (kerberos, no password given, and KRB5CCNAME set) or, on Windows,
// when no user is given: then the current logon authenticates (useCurrentLogon).
func accountPassword(e env, user, passwordFile string, kerberos bool) (string, error) {
	if user == "" {
		if name, ok := e.currentLogon(); ok {
			// Windows: the logged-on user, through SSPI; no password anywhere.
			return "", useCurrentLogon(e, name, passwordFile)
		}
	}
	if kerberos && passwordFile == "" && e.getenv("TLSREADY_PASSWORD") == "" && e.getenv("KRB5CCNAME") != "" {
		fmt.Fprintln(e.stderr, "Kerberos: using the ticket cache (KRB5CCNAME); no password is read")
		return "", nil
	}
	if user == "" {
		return "", usagef(`--user is required (DOMAIN\user or user@domain)`)
	}
	return readPassword(e, passwordFile, user)
}

// serviceHosts names each host's Kerberos SPN (HTTP/<name>) after its target name when the
// target is a DNS name reached at another address (NAME=HOST:PORT).
func serviceHosts(targets []scan.Target) func(remote.Endpoint) string {
	names := map[string]string{}
	for _, t := range targets {
		if strings.Contains(t.Name, ".") && net.ParseIP(t.Name) == nil {
			names[t.Address] = t.Name
		}
	}
	return func(ep remote.Endpoint) string {
		return names[net.JoinHostPort(ep.Host, strconv.Itoa(ep.Port))]
	}
}
