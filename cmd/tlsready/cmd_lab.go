package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"time"

	"github.com/tlsready/tlsready"
	"github.com/tlsready/tlsready/remote/winrmsim"
)

const labSynopsis = `Usage: tlsready lab [--fleet DIR | --generate N [--fault-mix SPEC] [--seed N]]
                    [--user USER] [--password-file FILE] [--https [--ca-out FILE]]
                    [--host-latency D[-D]] [--latency D] [--exec-time D]

Serves simulated Windows hosts on 127.0.0.1, one WinRM endpoint per host profile (*.json in DIR;
the built-in fleet by default), and prints one line per host: NAME URL. Those lines can be saved
and given to "tlsready scan --targets-file". Serves until Ctrl-C.

The accepted credentials are --user and the password from --password-file or TLSREADY_PASSWORD;
without either, a random lab password is generated and printed on stderr. These are lab
credentials for simulated hosts only.

With --https the hosts serve HTTPS with a certificate from a throw-away lab CA, whose
certificate is written to --ca-out for "tlsready scan --ca-file" (the https:// lines are scanned
over HTTPS, with or without --https).

--generate N serves N hosts named SIM-00001... copied from the built-in fleet's healthy profiles,
with faults mixed in as --fault-mix says, e.g. "refuse=10,timeout=5,quota-then-ok=5,reset=3,auth=2"
(percent of hosts; faults: refuse, timeout, auth, garbage, quota-then-ok, reset, slow; see
testdata/fleet/README.md), chosen by --seed (default 1: the same seed serves the same fleet).
--host-latency gives the healthy generated hosts a latency of their own ("20ms", or a range
"0-50ms" drawn per request). --latency delays every answer of every host and --exec-time every
command's output, for load tests.
`

func runLab(ctx context.Context, e env, args []string) (int, error) {
	fs := newFlagSet(e, "lab", labSynopsis)
	var fleetDir, user, passwordFile, caOut string
	var https, allowUnencrypted bool
	var auth, keytab string
	var generate int
	var faultMix, hostLatency string
	var seed int64
	var latency, execTime time.Duration
	fs.StringVar(&fleetDir, "fleet", "", "directory of host profiles (*.json); default: the built-in fleet")
	fs.StringVar(&user, "user", `LAB\tlsready`, "user name the simulated hosts accept")
	fs.StringVar(&passwordFile, "password-file", "", "file whose first line is the lab password (else TLSREADY_PASSWORD, else generated)")
	fs.BoolVar(&https, "https", false, "serve HTTPS with a certificate from a generated lab CA")
	fs.StringVar(&auth, "auth", "negotiate", "what the hosts accept: negotiate (NTLM, and Kerberos with --keytab: a default Windows host), ntlm, kerberos (needs --keytab), or basic")
	fs.StringVar(&keytab, "keytab", "", "keytab of the hosts' HTTP/<fqdn> service principal, for Kerberos")
	fs.BoolVar(&allowUnencrypted, "allow-unencrypted", false, "like WinRM's AllowUnencrypted=true: accept Basic and unencrypted messages over HTTP (implied by --auth basic without --https)")
	fs.StringVar(&caOut, "ca-out", "tlsready-lab-ca.pem", "with --https: where to write the lab CA certificate (PEM)")
	fs.IntVar(&generate, "generate", 0, "serve N generated hosts (SIM-00001...) instead of a fleet directory")
	fs.StringVar(&faultMix, "fault-mix", "", `with --generate: percent of hosts per fault, e.g. "refuse=10,timeout=5,quota-then-ok=5,reset=3,auth=2"`)
	fs.Int64Var(&seed, "seed", 1, "with --generate: the same seed gives the same fleet")
	fs.StringVar(&hostLatency, "host-latency", "", `with --generate: latency of the healthy hosts, e.g. "0-50ms"`)
	durationVar(fs, &latency, "latency", 0, true, "delay before every answer of every host (a network round trip)")
	durationVar(fs, &execTime, "exec-time", 0, true, "how long every command runs before its output is there")
	if err := parseFlags(fs, args); err != nil {
		return exitUsage, err
	}
	var profiles []winrmsim.Profile
	var err error
	switch {
	case generate < 0:
		return exitUsage, usagef("--generate %d: want a number of hosts", generate)
	case generate > 0 && fleetDir != "":
		return exitUsage, usagef("give --fleet DIR or --generate N, not both")
	case generate > 0:
		if profiles, err = generateFleet(generate, faultMix, seed, hostLatency); err != nil {
			return exitUsage, err
		}
	case faultMix != "" || hostLatency != "":
		return exitUsage, usagef("--fault-mix and --host-latency go with --generate N")
	default:
		if profiles, err = loadFleet(fleetDir); err != nil {
			return exitUsage, err
		}
	}
	if latency < 0 || execTime < 0 {
		return exitUsage, usagef("--latency and --exec-time cannot be negative")
	}
	password := ""
	if passwordFile != "" || e.getenv("TLSREADY_PASSWORD") != "" {
		if password, err = readPassword(e, passwordFile, user); err != nil {
			return exitUsage, err
		}
	} else {
		password = randomPassword()
		fmt.Fprintf(e.stderr, "lab credentials: user %s, password %s\n  (for a scan: TLSREADY_PASSWORD=%s)\n", user, password, password)
	}
	opts := winrmsim.Options{User: user, Password: password, AllowUnencrypted: allowUnencrypted, Latency: latency, ExecTime: execTime}
	if keytab != "" {
		acc, err := winrmsim.NewKerberosAcceptor(keytab)
		if err != nil {
			return exitUsage, fmt.Errorf("--keytab: %w", err)
		}
		opts.Acceptors = []winrmsim.Acceptor{acc}
	}
	switch auth {
	case "negotiate":
	case "ntlm":
		opts.Auth, opts.Acceptors = []string{winrmsim.SchemeNegotiate}, nil
	case "kerberos":
		if keytab == "" {
			return exitUsage, usagef("--auth kerberos needs --keytab")
		}
		opts.Auth = []string{winrmsim.SchemeNegotiate, winrmsim.SchemeKerberos}
	case "basic":
		opts.Auth = []string{winrmsim.SchemeBasic}
		opts.AllowUnencrypted = opts.AllowUnencrypted || !https
	default:
		return exitUsage, usagef("--auth %q: want negotiate, ntlm, kerberos or basic", auth)
	}
	if https {
		lt, err := winrmsim.NewLabTLS()
		if err != nil {
			return exitUsage, err
		}
		if err := os.WriteFile(caOut, lt.CAPEM, 0o644); err != nil {
			return exitUsage, fmt.Errorf("--ca-out: %w", err)
		}
		opts.TLS = lt.Server
		fmt.Fprintf(e.stderr, "HTTPS: lab CA certificate written to %s (scan its https:// lines with --ca-file %s: they are scanned over HTTPS)\n", caOut, caOut)
	}
	fleet, err := winrmsim.StartFleet(ctx, profiles, opts)
	if err != nil {
		return exitUsage, fmt.Errorf("start simulated hosts: %w", err)
	}
	defer fleet.Close()
	for _, h := range fleet.Hosts() {
		fmt.Fprintf(e.stdout, "%s %s\n", h.Name(), h.URL())
	}
	if f, ok := e.stdout.(*os.File); ok {
		_ = f.Sync()
	}
	fmt.Fprintf(e.stderr, "serving %d simulated host(s) on 127.0.0.1; Ctrl-C to stop%s\n", len(fleet.Hosts()), statsSignalHint)
	usr1 := make(chan os.Signal, 1)
	notifyStatsSignal(usr1)
	defer signal.Stop(usr1)
	for {
		select {
		case <-ctx.Done():
			printLabStats(e, fleet)
			return exitReady, nil
		case <-usr1:
			printLabStats(e, fleet)
		}
	}
}

// printLabStats writes the fleet's request and connection counts so far on stderr: a benchmark
// reads them to tell requests per host.
func printLabStats(e env, fleet *winrmsim.Fleet) {
	var req, conns int
	for _, h := range fleet.Hosts() {
		st := h.Stats()
		req += st.Requests
		conns += st.Connections
	}
	fmt.Fprintf(e.stderr, "lab: %d requests, %d connections\n", req, conns)
}

// generateFleet makes n hosts from the built-in fleet's healthy profiles with the faults of mix
// ("refuse=10,auth=2": percent of hosts).
func generateFleet(n int, mix string, seed int64, latency string) ([]winrmsim.Profile, error) {
	builtin, err := loadFleet("")
	if err != nil {
		return nil, err
	}
	var base []winrmsim.Profile
	for _, p := range builtin {
		if p.Healthy() {
			base = append(base, p)
		}
	}
	fractions, err := parseFaultMix(mix)
	if err != nil {
		return nil, err
	}
	ps, err := winrmsim.Generate(winrmsim.GenerateSpec{N: n, Seed: seed, Mix: fractions, Latency: latency, Base: base})
	if err != nil {
		return nil, usagef("--generate: %v", err)
	}
	return ps, nil
}

// parseFaultMix reads --fault-mix: "refuse=10,auth=2.5" (percent of hosts per fault, a "%"
// allowed after the number) into fractions. A fault named twice is an error.
func parseFaultMix(mix string) (map[string]float64, error) {
	fractions := map[string]float64{}
	for _, part := range strings.Split(mix, ",") {
		if part = strings.TrimSpace(part); part == "" {
			continue
		}
		name, pct, ok := strings.Cut(part, "=")
		name = strings.ToLower(strings.TrimSpace(name))
		v, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(pct), "%"), 64)
		if !ok || name == "" || err != nil || v < 0 || v > 100 {
			return nil, usagef("--fault-mix %q: want FAULT=PERCENT,... e.g. refuse=10,auth=2", part)
		}
		if _, dup := fractions[name]; dup {
			return nil, usagef("--fault-mix: %s given twice", name)
		}
		fractions[name] = v / 100
	}
	return fractions, nil
}

// loadFleet reads host profiles from dir, or the built-in fleet when dir is empty.
func loadFleet(dir string) ([]winrmsim.Profile, error) {
	if dir == "" {
		return winrmsim.LoadFleetFS(tlsready.BuiltinFleet(), "built-in fleet")
	}
	return winrmsim.LoadFleet(dir)
}

func randomPassword() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}
