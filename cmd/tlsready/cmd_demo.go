package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/tlsready/tlsready/remote/winrmsim"
	"github.com/tlsready/tlsready/scan"
)

const demoSynopsis = `Usage: tlsready demo [--fleet DIR] [--out FILE]

Starts simulated Windows hosts on 127.0.0.1 (the built-in fleet, or the profiles in DIR), scans
them over real WinRM exactly as "tlsready scan" scans real hosts, writes the results file and
prints the table. Needs no domain, no Windows host and no setup.
`

func runDemo(ctx context.Context, e env, args []string) (int, error) {
	fs := newFlagSet(e, "demo", demoSynopsis)
	var fleetDir string
	var rf remoteFlags
	fs.StringVar(&fleetDir, "fleet", "", "directory of host profiles (*.json); default: the built-in fleet")
	rf.register(fs, e, 5*time.Second)
	rf.registerProbe(fs)
	if err := parseFlags(fs, args); err != nil {
		return exitUsage, err
	}
	if err := rf.checkProbe(); err != nil {
		return exitUsage, err
	}
	if err := rf.checkOutputs(); err != nil {
		return exitUsage, err
	}
	profiles, err := loadFleet(fleetDir)
	if err != nil {
		return exitUsage, err
	}
	rf.user, rf.operationTimeout, rf.connectTimeout = `LAB\tlsready`, 2*time.Second, 3*time.Second
	password := randomPassword()
	fleet, err := winrmsim.StartFleet(ctx, profiles, winrmsim.Options{User: rf.user, Password: password})
	if err != nil {
		return exitUsage, fmt.Errorf("start simulated hosts: %w", err)
	}
	defer fleet.Close()
	var targets []scan.Target
	for _, h := range fleet.Hosts() {
		targets = append(targets, scan.Target{Name: h.Name(), Address: h.Addr()})
	}
	fmt.Fprintf(e.stderr, "demo: %d simulated Windows host(s) listening on 127.0.0.1\n", len(targets))
	rf.scope = "demo: simulated hosts"
	rf.demo = true
	var results string
	rf.resultsPath = &results
	if _, err := scanTargets(ctx, e, targets, rf, password); err != nil {
		return exitUsage, err
	}
	printNextSteps(e, results)
	return exitReady, nil
}

// printNextSteps ends the demo with what to do with its results file: the HTML report, the
// remediation kit, and a rescan once real hosts have been fixed.
func printNextSteps(e env, results string) {
	f := shellQuote(results)
	fmt.Fprintf(e.stderr, `
Next steps with the demo's results file %s:
  tlsready report %s --html report.html
        the HTML report to read in a browser or forward
  tlsready remediate %s --out kit
        .reg files, GPO Registry.xml, PowerShell script and host lists
  tlsready rescan --from %s --user USER
        after fixing real hosts: scan again those that were not ready (the
        demo's simulated hosts are gone once demo ends)
`, f, f, f, f)
}

// shellQuote quotes a file name for a command line to copy: as is when it has only safe
// characters, else in double quotes (which PowerShell, cmd and POSIX shells all read).
func shellQuote(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r == '-' || r == '_' || r == '.' || r == '/' || r == '\\' || r == ':' ||
			r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z')
	}) < 0 {
		return s
	}
	return `"` + strings.ReplaceAll(s, `"`, `\"`) + `"`
}
