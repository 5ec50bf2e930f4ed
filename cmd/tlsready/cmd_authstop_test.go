package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tlsready/tlsready/checks"
	"github.com/tlsready/tlsready/remote/winrmsim"
	"github.com/tlsready/tlsready/scan"
)

// --max-auth-failures stops a scan only when hosts refuse the password itself: three hosts in
// a row that do not take NTLM (they offer only Basic; no password was tried) are auth errors of
// their own and the scan goes on to the good hosts, while three hosts that refuse the password
// (a wrong one, or the auth fault, which refuses the NTLM AUTHENTICATE) stop it before them.
func TestScan_maxAuthFailuresCountsOnlyRefusedPasswords(t *testing.T) {
	const password = "authstop-Passw0rd"
	tests := []struct {
		name        string
		fault       string
		hostsWantPW string // the password the three first hosts accept
		stops       bool
	}{
		{"hosts without NTLM", winrmsim.FaultNoNTLM, password, false},
		{"hosts that refuse this password", "", "other-" + password, true},
		{"hosts with the auth fault", winrmsim.FaultAuth, password, true},
	}
	base := healthyProfiles(t)[0]
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var refusing, good []winrmsim.Profile
			for i := range 3 {
				p := base
				p.Name, p.Fault = fmt.Sprintf("REFUSING-%d", i+1), tt.fault
				refusing = append(refusing, p)
			}
			for i := range 4 {
				p := base
				p.Name = fmt.Sprintf("GOOD-%d", i+1)
				good = append(good, p)
			}
			_, refusingTargets := serveFleet(t, refusing, tt.hostsWantPW)
			_, goodTargets := serveFleet(t, good, password)
			// The refusing hosts first: with one host at a time, they complete first.
			var lines []byte
			for _, f := range []string{refusingTargets, goodTargets} {
				b, err := os.ReadFile(f)
				if err != nil {
					t.Fatal(err)
				}
				lines = append(lines, b...)
			}
			targets := filepath.Join(t.TempDir(), "targets.txt")
			if err := os.WriteFile(targets, lines, 0o644); err != nil {
				t.Fatal(err)
			}
			out := filepath.Join(t.TempDir(), "results.jsonl")
			t.Setenv("TLSREADY_PASSWORD", password)
			code, _, stderr := runCLI(t, "scan", "--targets-file", targets, "--out", out, "--user", `LAB\tlsready`, "--auth", "ntlm",
				"--concurrency", "1", "--timeout", "10s", "--max-auth-failures", "3", "--no-progress")
			got := readResultsFile(t, out)
			for _, p := range refusing {
				if r, ok := got[p.Name]; !ok || r.Verdict != checks.Unknown || r.Error == nil || r.Error.Category != scan.CategoryAuth {
					t.Errorf("%s: %+v (recorded %t), want unknown with category auth", p.Name, r.Error, ok)
				}
			}
			stopped := code == exitUsage && strings.Contains(stderr, "consecutive hosts")
			if stopped != tt.stops {
				t.Errorf("exit %d, scan stopped for the credentials: %t, want %t\n%s", code, stopped, tt.stops, lastLines(stderr, 5))
			}
			recorded := 0
			for _, p := range good {
				if r, ok := got[p.Name]; ok {
					recorded++
					if r.Verdict == checks.Unknown || r.Error != nil {
						t.Errorf("%s: verdict %s, error %+v; want a verdict", p.Name, r.Verdict, r.Error)
					}
				}
			}
			switch {
			case !tt.stops && (recorded != len(good) || code != exitUnknown):
				t.Errorf("%d of %d good hosts recorded, exit %d; want all, and exit %d for the 3 unknown", recorded, len(good), code, exitUnknown)
			case tt.stops && recorded > 1:
				t.Errorf("%d good hosts recorded after the stop, want at most the one in flight", recorded)
			}
		})
	}
}
