package main

import (
	"context"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/tlsready/tlsready/checks"
	"github.com/tlsready/tlsready/facts"
	"github.com/tlsready/tlsready/remote/winrmsim"
)

func TestProbeTarget(t *testing.T) {
	tests := []struct {
		url, want, err string
	}{
		{"", "outlook.office365.com:443", ""},
		{"https://outlook.office365.com/", "outlook.office365.com:443", ""},
		{"HTTPS://outlook.office.com:8443/owa", "outlook.office.com:8443", ""},
		{"https://[2001:db8::1]/", "[2001:db8::1]:443", ""},
		{"http://outlook.office365.com/", "", "want an https:// URL"},
		{"outlook.office365.com", "", "want an https:// URL"},
		{"https://user:pw@outlook.office365.com/", "", "no user name or password"},
		{"https:///path", "", "no host"},
		{"https://outlook.office365.com:/", "", "empty port"},
		{"https://outlook.office365.com:0/", "", "port"},
		{"https://outlook.office365.com:99999/", "", "port"},
		{"https://bad_host!.example/", "", "not a host name"},
		{"https://%41%27x.example/", "", "not a URL"},
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			got, err := probeTarget(tt.url)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) || strings.Contains(err.Error(), "\n") {
					t.Fatalf("probeTarget(%q) = %q, %v; want a one-line error with %q", tt.url, got, err, tt.err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("probeTarget(%q) = %q, %v; want %q", tt.url, got, err, tt.want)
			}
		})
	}
}

// TestProbe_usageErrors: --probe-url without --probe, and a bad --probe-url, are usage errors
// that scan, rescan and demo report before contacting any host.
func TestProbe_usageErrors(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"demo", "--probe-url", "https://outlook.office365.com/"}, "--probe-url needs --probe"},
		{[]string{"demo", "--probe", "--probe-url", "http://outlook.office365.com/"}, "want an https:// URL"},
		{[]string{"scan", "--target", "127.0.0.1:1", "--user", "u", "--probe-url", "https://x.example/"}, "--probe-url needs --probe"},
		{[]string{"rescan", "--from", filepath.Join(dir, "none.jsonl"), "--user", "u", "--probe", "--probe-url", "ftp://x.example/"}, "want an https:// URL"},
	}
	t.Setenv("TLSREADY_PASSWORD", "unused")
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			code, _, stderr := runCLI(t, append(tt.args, "--out", filepath.Join(dir, "r.jsonl"))...)
			if code != exitUsage {
				t.Fatalf("exit %d, want %d: %s", code, exitUsage, stderr)
			}
			if !strings.Contains(stderr, tt.want) {
				t.Errorf("stderr %q, want %q", stderr, tt.want)
			}
		})
	}
}

// probeFleet serves the three probe hosts of the built-in fleet, recording every program they
// are sent (after the PowerShell grammar judged it).
func probeFleet(t *testing.T, password string) (targets string, scripts func() []string) {
	t.Helper()
	builtin, err := loadFleet("")
	if err != nil {
		t.Fatal(err)
	}
	var profiles []winrmsim.Profile
	for _, p := range builtin {
		if slices.Contains([]string{"PC-W10-036", "PC-W10-037", "PC-W10-038"}, p.Name) {
			profiles = append(profiles, p)
		}
	}
	if len(profiles) != 3 {
		t.Fatalf("%d probe hosts in the built-in fleet, want 3", len(profiles))
	}
	var mu sync.Mutex
	var seen []string
	record := func(_ context.Context, s string) (string, error) {
		mu.Lock()
		seen = append(seen, s)
		mu.Unlock()
		return "", nil
	}
	_, targets = serveFleetWith(t, profiles, winrmsim.Options{Password: password, ScriptValidator: record})
	return targets, func() []string {
		mu.Lock()
		defer mu.Unlock()
		return slices.Clone(seen)
	}
}

// TestScan_probe: scan --probe of the three probe hosts over real WS-Management gives PROBE_OK,
// PROBE_FAILED (refused) and PROBE_INTERCEPTED; the verdicts stay ready, and the two failed
// probes are contradictions. Every result records the probe target. Without --probe the
// collector the hosts receive has no probe item, and no probe findings come back; over WMI the
// probe needs the shell.
func TestScan_probe(t *testing.T) {
	const password = "probe-lab-Passw0rd"
	targets, scripts := probeFleet(t, password)
	t.Setenv("TLSREADY_PASSWORD", password)
	common := []string{"--targets-file", targets, "--user", `LAB\tlsready`, "--auth", "ntlm", "--timeout", "20s", "--no-progress"}
	type want struct {
		id      string
		outcome string
		contra  bool
	}
	tests := []struct {
		name      string
		args      []string
		record    string
		want      map[string]want
		probeSent bool
	}{
		{"shell with --probe", []string{"--method", "shell", "--probe"}, checks.DefaultProbeURL, map[string]want{
			"PC-W10-036": {checks.IDProbeOK, "ok", false},
			"PC-W10-037": {checks.IDProbeFailed, "refused", true},
			"PC-W10-038": {checks.IDProbeIntercepted, "intercepted", true},
		}, true},
		// auto (the default) reads through the shell first when the probe is asked for.
		{"auto with --probe", []string{"--method", "auto", "--probe"}, checks.DefaultProbeURL, map[string]want{
			"PC-W10-036": {checks.IDProbeOK, "ok", false},
			"PC-W10-037": {checks.IDProbeFailed, "refused", true},
			"PC-W10-038": {checks.IDProbeIntercepted, "intercepted", true},
		}, true},
		{"another target", []string{"--method", "shell", "--probe", "--probe-url", "https://intranet.corp.example:8443/x"}, "https://intranet.corp.example:8443/x", map[string]want{
			"PC-W10-036": {checks.IDProbeOK, "ok", false},
			"PC-W10-037": {checks.IDProbeFailed, "refused", true},
			// Not a Microsoft 365 name: the corporate root is reported, not judged.
			"PC-W10-038": {checks.IDProbeOK, "ok", false},
		}, true},
		{"wmi with --probe", []string{"--method", "wmi", "--probe"}, checks.DefaultProbeURL, map[string]want{
			"PC-W10-036": {checks.IDProbeNeedsShell, "needs-shell", false},
			"PC-W10-037": {checks.IDProbeNeedsShell, "needs-shell", false},
			"PC-W10-038": {checks.IDProbeNeedsShell, "needs-shell", false},
		}, false},
		{"shell without --probe", []string{"--method", "shell"}, "", map[string]want{
			"PC-W10-036": {}, "PC-W10-037": {}, "PC-W10-038": {},
		}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := len(scripts())
			out := filepath.Join(t.TempDir(), "r.jsonl")
			code, stdout, stderr := runCLI(t, append(append([]string{"scan", "--out", out}, common...), tt.args...)...)
			if code != exitReady {
				t.Fatalf("exit %d: %s", code, lastLines(stderr, 5))
			}
			// The scan's own tables: the banner names each contradiction with its outcome.
			for host, w := range tt.want {
				if w.contra && !strings.Contains(stdout, host+": ") {
					t.Errorf("the scan's banner lacks %s:\n%s", host, lastLines(stdout, 8))
				}
			}
			for _, o := range []string{"refused", "intercepted"} {
				has := slices.ContainsFunc(slices.Collect(maps.Values(tt.want)), func(w want) bool { return w.contra && w.outcome == o })
				if has != strings.Contains(stdout, "(probe: "+o+")") {
					t.Errorf("the scan's banner shows (probe: %s): %v, want %v", o, !has, has)
				}
			}
			got := readResultsFile(t, out)
			for host, w := range tt.want {
				r, ok := got[host]
				if !ok {
					t.Fatalf("%s missing", host)
				}
				if r.Verdict != checks.Ready || r.Probe != tt.record {
					t.Errorf("%s: verdict %s, probe record %q; want ready, %q", host, r.Verdict, r.Probe, tt.record)
				}
				var probe []checks.Finding
				for _, f := range r.Findings {
					if checks.GroupOf(f.ID) == checks.GroupProbe {
						probe = append(probe, f)
					}
				}
				if w.id == "" {
					if len(probe) > 0 || r.Facts.Probe != nil {
						t.Errorf("%s: probe findings %v without --probe", host, probe)
					}
					continue
				}
				if len(probe) != 1 || probe[0].ID != w.id || probe[0].Args["outcome"].Text != w.outcome {
					t.Errorf("%s: probe findings %+v, want one %s (%s)", host, probe, w.id, w.outcome)
				}
				// The simulated host reports .NET's parts (Aes256 / Sha384 / ECDHE): the finding
				// names the suites they fit, only Microsoft 365's where Microsoft 365 answered.
				if w.id == checks.IDProbeOK && tt.record == checks.DefaultProbeURL {
					d := probe[0].Detail
					if !strings.Contains(d, "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384") || strings.Contains(d, "ECDSA") {
						t.Errorf("%s: the probe's suites in %q: want TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384 and no ECDSA suite", host, d)
					}
				}
				if c := checks.Contradicts(r.Findings); c != w.contra {
					t.Errorf("%s: Contradicts = %v, want %v", host, c, w.contra)
				}
			}
			sent := scripts()[before:]
			if tt.args[1] == "wmi" {
				if len(sent) != 0 {
					t.Errorf("--method wmi sent %d programs", len(sent))
				}
				return
			}
			collectors := 0
			for _, s := range sent {
				if !strings.Contains(s, facts.ItemsBegin) {
					continue // the bootstrap of the command line
				}
				collectors++
				items, err := facts.ParseItems(s)
				if err != nil {
					t.Fatal(err)
				}
				hasProbe := slices.ContainsFunc(items, func(it facts.Item) bool { return it.Kind == facts.KindProbe })
				if hasProbe != tt.probeSent {
					t.Errorf("collector has a probe item: %v, want %v", hasProbe, tt.probeSent)
				}
			}
			if collectors != len(tt.want) {
				t.Errorf("the hosts received %d collectors, want %d", collectors, len(tt.want))
			}
		})
	}
}
