package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/tlsready/tlsready/checks"
	"github.com/tlsready/tlsready/report"
	"github.com/tlsready/tlsready/scan"
)

const rescanSynopsis = `Usage: tlsready rescan --from RESULTS.jsonl [--from MORE.jsonl ...] --user USER
                       [--verdict unknown|action|unsupported|ready,...] [--error-category CAT,...] [flags]

Scans again the hosts whose newest result (across the --from files) matches: by default those
that could not be checked (verdict unknown); --verdict action,unknown after a round of fixes;
--error-category unreachable,timeout for the hosts that were off. Each host is reached at the
address it was scanned at and keeps its AD record. Writes a new results file (--out); then
"tlsready merge OLD.jsonl NEW.jsonl --out CURRENT.jsonl" gives one current picture.

The registry changes of "tlsready fix" that a host's previous result records, and those of the
--journal files, go with the host into the new result: until the host has restarted after them
it shows RESTART_PENDING.
`

func runRescan(ctx context.Context, e env, args []string) (int, error) {
	fs := newFlagSet(e, "rescan", rescanSynopsis)
	var rf remoteFlags
	var from listFlag
	var verdicts, categories string
	var journals listFlag
	fs.Var(&journals, "journal", "journal of tlsready fix whose changes the hosts must restart for; repeatable")
	fs.Var(&from, "from", "results file to take the hosts from; repeatable (the newest result per host counts)")
	fs.StringVar(&verdicts, "verdict", "", "rescan hosts whose newest verdict is one of these, comma-separated (default unknown)")
	fs.StringVar(&categories, "error-category", "", "rescan hosts whose newest error is of one of these categories: unreachable, timeout, auth, winrm, collector")
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
	if len(from) == 0 {
		return exitUsage, usagef("--from RESULTS.jsonl is required")
	}
	var inputs []namedPath
	for _, f := range from {
		inputs = append(inputs, namedPath{"--from", f})
	}
	for _, j := range journals {
		inputs = append(inputs, namedPath{"--journal", j})
	}
	if err := rf.checkOutputs(inputs...); err != nil {
		return exitUsage, err
	}
	sel, err := parseSelection(verdicts, categories)
	if err != nil {
		return exitUsage, err
	}
	all, err := readResultsFiles(e, from...)
	if err != nil {
		return exitUsage, err
	}
	latest := scan.Latest(all)
	chosen := scan.Select(latest, sel)
	fmt.Fprintf(e.stderr, "%d host(s) in %s; %d match (%s)\n", len(latest), strings.Join(from, ", "), len(chosen), describeSelection(sel))
	if len(chosen) == 0 {
		fmt.Fprintln(e.stderr, "nothing to rescan")
		return verdictExitCode(latest), nil
	}
	rf.scope = "rescan of " + strings.Join(from, ", ") + " (" + describeSelection(sel) + ")"
	if rf.changes, err = changesFromJournals(journals); err != nil {
		return exitUsage, err
	}
	var targets []scan.Target
	for _, r := range chosen {
		targets = append(targets, scan.TargetOf(r))
		if r.Facts != nil && len(r.Facts.Changes) > 0 {
			k := scan.HostKey(r.Host)
			rf.changes[k] = append(rf.changes[k], r.Facts.Changes...)
		}
	}
	pw, err := winrmPassword(e, rf)
	if err != nil {
		return exitUsage, err
	}
	results, err := scanTargets(ctx, e, targets, rf, pw)
	if err == nil && rf.out != "" {
		fmt.Fprintf(e.stderr, "for the whole fleet as it is now: tlsready merge %s %s --out merged.jsonl\n", report.Clean(strings.Join(from, " ")), report.Clean(rf.out))
	}
	return scanExit(results, err)
}

// parseSelection reads --verdict and --error-category. Without either, unknown hosts are chosen.
func parseSelection(verdicts, categories string) (scan.Selection, error) {
	var sel scan.Selection
	known := map[string]bool{}
	for _, v := range checks.Verdicts() {
		known[string(v)] = true
	}
	for _, v := range splitList(verdicts) {
		if !known[v] {
			return sel, usagef("--verdict %q: want ready, action, unsupported or unknown", v)
		}
		sel.Verdicts = append(sel.Verdicts, checks.Verdict(v))
	}
	cats := map[string]bool{scan.CategoryUnreachable: true, scan.CategoryTimeout: true, scan.CategoryAuth: true, scan.CategoryWinRM: true, scan.CategoryCollector: true}
	for _, c := range splitList(categories) {
		if !cats[c] {
			return sel, usagef("--error-category %q: want unreachable, timeout, auth, winrm or collector", c)
		}
		sel.Categories = append(sel.Categories, c)
	}
	if len(sel.Verdicts) == 0 && len(sel.Categories) == 0 {
		sel.Verdicts = []checks.Verdict{checks.Unknown}
	}
	return sel, nil
}

func describeSelection(s scan.Selection) string {
	var parts []string
	if len(s.Verdicts) > 0 {
		var vs []string
		for _, v := range s.Verdicts {
			vs = append(vs, string(v))
		}
		parts = append(parts, "verdict "+strings.Join(vs, " or "))
	}
	if len(s.Categories) > 0 {
		parts = append(parts, "error "+strings.Join(s.Categories, " or "))
	}
	return strings.Join(parts, ", ")
}

// splitList splits a comma-separated flag value, dropping blanks.
func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.ToLower(strings.TrimSpace(p)); p != "" {
			out = append(out, p)
		}
	}
	return out
}
