package main

import (
	"context"
	"fmt"
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
	if err := parseFlags(fs, args); err != nil {
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
	if _, err := scanTargets(ctx, e, targets, rf, password); err != nil {
		return exitUsage, err
	}
	return exitReady, nil
}
