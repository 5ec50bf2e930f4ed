package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/tlsready/tlsready/checks"
	"github.com/tlsready/tlsready/remote/winrmsim"
	"github.com/tlsready/tlsready/scan"
)

// faultOutcome is what a scan must record for a host with that fault: the error category (""
// for a real verdict) and the number of attempts.
var faultOutcome = map[string]struct {
	category string
	attempts int
}{
	"":                        {"", 1},
	winrmsim.FaultQuotaThenOK: {"", 3}, // two quota faults, retried, then the verdict
	winrmsim.FaultRefuse:      {scan.CategoryUnreachable, 1},
	winrmsim.FaultTimeout:     {scan.CategoryTimeout, 1},
	winrmsim.FaultReset:       {scan.CategoryWinRM, 4}, // transient: 1 + 3 retries, all cut
	winrmsim.FaultAuth:        {scan.CategoryAuth, 1},  // never retried
}

// The proof with faults: 500 generated hosts, 10% refusing connections, 5% never answering, 5%
// busy (quota fault twice), 3% resetting the connection mid-response, 2% rejecting the
// credentials, the rest healthy with 0-50 ms latency. Every host is in the results exactly once
// with the right verdict or error category and attempt count; once the faults are cleared,
// rescan turns every unknown host into a real verdict and merge shows the fleet with none
// unknown.
func TestFaultFleet_scanRescanMerge(t *testing.T) {
	if testing.Short() {
		t.Skip("500 hosts, some of which hang for the whole timeout")
	}
	docs := fleetExpectations(t)
	profiles, err := winrmsim.Generate(winrmsim.GenerateSpec{N: 500, Seed: 1, Latency: "0-50ms", Base: healthyProfiles(t),
		Mix: map[string]float64{winrmsim.FaultRefuse: 0.10, winrmsim.FaultTimeout: 0.05, winrmsim.FaultQuotaThenOK: 0.05,
			winrmsim.FaultReset: 0.03, winrmsim.FaultAuth: 0.02}})
	if err != nil {
		t.Fatal(err)
	}
	const password = "fault-lab-Passw0rd"
	fleet, targets := serveFleet(t, profiles, password)
	dir := t.TempDir()
	t.Setenv("TLSREADY_PASSWORD", password)
	// --method shell: the faults reset and quota-then-ok are those of the shell's requests.
	common := []string{"--user", `LAB\tlsready`, "--auth", "ntlm", "--concurrency", "64", "--timeout", "10s",
		"--max-auth-failures", "0", "--no-progress", "--method", "shell"}

	first := filepath.Join(dir, "scan.jsonl")
	code, _, stderr := runCLI(t, append([]string{"scan", "--targets-file", targets, "--out", first}, common...)...)
	if code != exitUnknown {
		t.Errorf("scan exit %d, want %d (unknown hosts): %s", code, exitUnknown, lastLines(stderr, 5))
	}
	got := readResultsFile(t, first) // fails on a duplicate host
	if len(got) != len(profiles) {
		t.Errorf("%d hosts in the results, want %d", len(got), len(profiles))
	}
	unknown := 0
	for _, p := range profiles {
		r, ok := got[p.Name]
		if !ok {
			t.Errorf("%s (fault %q) missing from the results", p.Name, p.Fault)
			continue
		}
		want := faultOutcome[p.Fault]
		switch {
		case want.category == "" && string(r.Verdict) != docs[p.BasedOn].verdict:
			t.Errorf("%s (fault %q, copy of %s): verdict %s, want %s (error %+v)", p.Name, p.Fault, p.BasedOn, r.Verdict, docs[p.BasedOn].verdict, r.Error)
		case want.category != "" && (r.Verdict != checks.Unknown || r.Error == nil || r.Error.Category != want.category):
			t.Errorf("%s (fault %q): verdict %s error %+v, want unknown/%s", p.Name, p.Fault, r.Verdict, r.Error, want.category)
		case r.Attempts != want.attempts:
			t.Errorf("%s (fault %q): %d attempts, want %d (error %+v)", p.Name, p.Fault, r.Attempts, want.attempts, r.Error)
		}
		if r.Verdict == checks.Unknown {
			unknown++
		}
	}
	if unknown != 100 { // 50 refuse + 25 timeout + 15 reset + 10 auth
		t.Errorf("%d unknown hosts, want 100", unknown)
	}

	// The admin fixes the network, the firewall and the account; rescan takes only the unknown.
	if err := fleet.ClearFaults(); err != nil {
		t.Fatal(err)
	}
	second := filepath.Join(dir, "rescan.jsonl")
	code, _, stderr = runCLI(t, append([]string{"rescan", "--from", first, "--out", second}, common...)...)
	if code == exitUsage || code == exitUnknown {
		t.Errorf("rescan exit %d: %s", code, lastLines(stderr, 5))
	}
	if !strings.Contains(stderr, "500 host(s) in "+first+"; 100 match (verdict unknown)") {
		t.Errorf("rescan did not choose the 100 unknown hosts: %s", lastLines(stderr, 8))
	}
	re := readResultsFile(t, second)
	if len(re) != unknown {
		t.Errorf("rescan scanned %d hosts, want the %d unknown ones", len(re), unknown)
	}
	for host, r := range re {
		if r.Verdict == checks.Unknown || got[host].Verdict != checks.Unknown {
			t.Errorf("rescan of %s: %s (was %s) %+v", host, r.Verdict, got[host].Verdict, r.Error)
		}
	}

	merged := filepath.Join(dir, "merged.jsonl")
	code, _, stderr = runCLI(t, "merge", first, second, "--out", merged, "--quiet")
	if code != exitAction {
		t.Errorf("merge exit %d, want %d (none unknown): %s", code, exitAction, stderr)
	}
	all := readResultsFile(t, merged)
	if len(all) != len(profiles) {
		t.Errorf("merged %d hosts, want %d", len(all), len(profiles))
	}
	for _, p := range profiles {
		if r := all[p.Name]; string(r.Verdict) != docs[p.BasedOn].verdict {
			t.Errorf("merged %s (copy of %s): %s, want %s", p.Name, p.BasedOn, r.Verdict, docs[p.BasedOn].verdict)
		}
	}
}

// lastLines returns the last n lines of s, for failure messages.
func lastLines(s string, n int) string {
	ls := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(ls) > n {
		ls = ls[len(ls)-n:]
	}
	return strings.Join(ls, "\n")
}

// healthyProfiles are the built-in fleet's hosts that have no fault.
func healthyProfiles(t *testing.T) []winrmsim.Profile {
	t.Helper()
	builtin, err := loadFleet("")
	if err != nil {
		t.Fatal(err)
	}
	var out []winrmsim.Profile
	for _, p := range builtin {
		if p.Healthy() {
			out = append(out, p)
		}
	}
	return out
}
