package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/tlsready/tlsready/remediate"
)

const remediateSynopsis = `Usage: tlsready remediate RESULTS.jsonl [MORE.jsonl ...] --out DIR [--protocols tls11+12] [--win7-schannel] [--lang en|ja]

Writes, from the findings of the results (the newest result per host), what to deploy: .reg files
for 64-bit and 32-bit Windows, a Group Policy Preferences Registry.xml, a PowerShell 2.0 script
(idempotent, -WhatIf), the lists of hosts that need KB3140245, must be migrated, or need only
registry values, and a README.txt that says in which order to do it. Changes nothing anywhere.
The script adds TLS 1.2 to a DefaultSecureProtocols or SecureProtocols REG_DWORD that is there;
the .reg files and Registry.xml can only set the value: limit them to the listed hosts.
--win7-schannel adds SCHANNEL TLS 1.2 Client DisabledByDefault=0 (Enabled=1 where absent) for the
Windows 7 / 2008 R2 SP1 hosts where it is absent.
`

func runRemediate(_ context.Context, e env, args []string) (int, error) {
	fs := newFlagSet(e, "remediate", remediateSynopsis)
	var of outputFlags
	var out, protocols string
	var win7 bool
	of.register(fs, e)
	fs.BoolVar(&win7, "win7-schannel", false, "also set SCHANNEL TLS 1.2 Client DisabledByDefault=0 (Enabled=1 where absent) on Windows 7 / 2008 R2 SP1 hosts where it is absent")
	fs.StringVar(&out, "out", "", "folder to write the kit into (created if needed); the files of an earlier kit there are replaced, and those this kit does not need removed (other files are left alone)")
	fs.StringVar(&protocols, "protocols", "tls11+12", "DefaultSecureProtocols: tls12 (0x800), tls11+12 (0xA00, the FAQ's recommendation) or tls10+11+12 (0xA80)")
	files, err := parseInterleaved(fs, args)
	if err != nil {
		return exitUsage, err
	}
	if err := of.check(); err != nil {
		return exitUsage, err
	}
	if len(files) == 0 {
		return exitUsage, usagef("give at least one results file")
	}
	if out == "" {
		return exitUsage, usagef("--out DIR is required")
	}
	data, err := remediate.ParseProtocols(protocols)
	if err != nil {
		return exitUsage, usagef("--protocols: %v", err)
	}
	results, err := readResultsFiles(e, files...)
	if err != nil {
		return exitUsage, err
	}
	plan := remediate.BuildWith(results, remediate.Options{Protocols: data, Win7Schannel: win7})
	mode, err := fileMode(e)
	if err != nil {
		return exitUsage, err
	}
	written, err := remediate.WriteMode(out, plan, of.lang, time.Now(), mode)
	if err != nil {
		return exitUsage, err
	}
	// An earlier kit in the same folder: its files this kit does not have go (only files of the
	// kit's own names; anything else in the folder stays).
	removed, err := remediate.RemoveStale(out, written)
	if len(removed) > 0 {
		fmt.Fprintf(e.stderr, "removed from %s the files of an earlier kit that this one does not need: %s\n", out, strings.Join(removed, ", "))
	}
	if err != nil {
		return exitUsage, err
	}
	fmt.Fprintf(e.stdout, "%d host(s) need KB3140245, %d must be migrated, %d need registry values only, %d could not be checked\n",
		len(plan.KB), len(plan.Migrate), len(plan.RegistryOnly), plan.Unknown)
	for _, v := range plan.Values {
		fmt.Fprintf(e.stdout, "  %s = 0x%08x\n", v.Path(), v.Data)
	}
	fmt.Fprintf(e.stdout, "written to %s: %v\n", out, written)
	return exitReady, nil
}
