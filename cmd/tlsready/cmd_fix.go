package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/tlsready/tlsready/facts"
	"github.com/tlsready/tlsready/remediate"
	"github.com/tlsready/tlsready/remote"
	"github.com/tlsready/tlsready/report"
	"github.com/tlsready/tlsready/scan"
)

const fixSynopsis = `Usage: tlsready fix --from RESULTS.jsonl --user USER [--apply] [--journal FILE] [--protocols tls11+12] [flags]
       tlsready fix --rollback JOURNAL --user USER [flags]

Sets, over WinRM, the registry values that the findings of the results call for - and only
those, only on the hosts that need them: DefaultSecureProtocols (both WinHttp keys on 64-bit
Windows), and the SCHANNEL TLS 1.2 Client and WinINet policy values where a host's findings name
them. Without --apply it changes nothing and prints, per host, each value's current data and
what it would become. With --apply it writes them, records every value as it was in the journal
(--journal), and rescans the fixed hosts. "fix --rollback JOURNAL" puts the journal's values
back and rescans.

It never installs software or updates: wusa.exe cannot install an update in a WinRM session
(it fails with "access denied", 0x5), and updates belong to WSUS or ConfigMgr - "tlsready
remediate" writes the list of hosts that need KB3140245 for them.
`

// journalEntry is one line of the journal: a value as it was before fix wrote it.
type journalEntry struct {
	Host    string      `json:"host"`
	Address string      `json:"address"`
	Key     string      `json:"key"`
	Name    string      `json:"name"`
	Prior   facts.Value `json:"prior"`
	New     string      `json:"new"`
	Time    time.Time   `json:"time"`
}

func runFix(ctx context.Context, e env, args []string) (int, error) {
	fs := newFlagSet(e, "fix", fixSynopsis)
	var rf remoteFlags
	var from listFlag
	var apply bool
	var journal, rollback, protocols string
	fs.Var(&from, "from", "results file whose findings say what to fix; repeatable (the newest result per host counts)")
	fs.BoolVar(&apply, "apply", false, "write the values (without it: a dry run that changes nothing)")
	fs.StringVar(&journal, "journal", "", "with --apply: file that records every value before it is changed (default tlsready-fix-<date>-<time>.journal.jsonl)")
	fs.StringVar(&rollback, "rollback", "", "put back the values recorded in this journal, then rescan")
	fs.StringVar(&protocols, "protocols", "tls11+12", "DefaultSecureProtocols to set: tls12, tls11+12 or tls10+11+12")
	rf.registerConnection(fs)
	rf.register(fs, e, 60*time.Second)
	if err := parseFlags(fs, args); err != nil {
		return exitUsage, err
	}
	if (len(from) == 0) == (rollback == "") {
		return exitUsage, usagef("give --from RESULTS.jsonl (what to fix) or --rollback JOURNAL (what to put back)")
	}
	pw, err := winrmPassword(e, rf)
	if err != nil {
		return exitUsage, err
	}
	var plan []hostWrites
	if rollback != "" {
		if plan, err = rollbackPlan(rollback); err != nil {
			return exitUsage, err
		}
		apply, journal = true, ""
	} else {
		data, err := remediate.ParseProtocols(protocols)
		if err != nil {
			return exitUsage, usagef("--protocols: %v", err)
		}
		if plan, err = fixPlan(e, from, data); err != nil {
			return exitUsage, err
		}
		if apply && journal == "" {
			journal = "tlsready-fix-" + time.Now().Format("20060102-150405") + ".journal.jsonl"
		}
	}
	if len(plan) == 0 {
		fmt.Fprintln(e.stdout, "nothing to change: no host's findings call for a registry value")
		return exitReady, nil
	}
	var targets []scan.Target
	for _, h := range plan {
		targets = append(targets, h.target)
	}
	client, err := newWinRMClient(e, rf, targets, pw)
	if err != nil {
		return exitUsage, err
	}
	changed, err := writeAll(ctx, e, client, plan, apply, journal, rf.concurrency)
	client.Close()
	if err != nil {
		return exitUsage, err
	}
	if !apply {
		fmt.Fprintf(e.stdout, "dry run: nothing was changed. Run again with --apply to write these values on %d host(s).\n", len(plan))
		return exitReady, nil
	}
	if journal != "" {
		fmt.Fprintf(e.stderr, "journal of the previous values: %s (tlsready fix --rollback %s puts them back)\n", journal, journal)
	}
	if len(changed) == 0 {
		return exitReady, nil
	}
	fmt.Fprintf(e.stderr, "rescanning the %d host(s) changed\n", len(changed))
	rf.scope = "rescan after tlsready fix"
	return scanExit(scanTargets(ctx, e, changed, rf, pw))
}

// hostWrites are the registry writes for one host.
type hostWrites struct {
	target scan.Target
	writes []facts.RegWrite
}

// fixPlan is, per host that needs registry values (not those to migrate), the values its
// findings call for.
func fixPlan(e env, from []string, protocols uint32) ([]hostWrites, error) {
	results, err := readResultsFiles(e, from...)
	if err != nil {
		return nil, err
	}
	p := remediate.Build(results, protocols)
	var out []hostWrites
	for _, h := range append(append([]remediate.Host(nil), p.KB...), p.RegistryOnly...) {
		if len(h.Values) == 0 {
			continue
		}
		hw := hostWrites{target: h.Target}
		for _, v := range h.Values {
			hw.writes = append(hw.writes, facts.RegWrite{Op: facts.OpDWORD, Key: `HKLM\` + v.Key, Name: v.Name, Data: strconv.FormatUint(uint64(v.Data), 10)})
		}
		out = append(out, hw)
	}
	if len(p.Migrate) > 0 {
		fmt.Fprintf(e.stderr, "%d host(s) run an OS that cannot use TLS 1.2: no registry value helps them, they are left alone\n", len(p.Migrate))
	}
	return out, nil
}

// rollbackPlan reads a journal into the writes that put each value back as it was.
func rollbackPlan(path string) ([]hostWrites, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("--rollback: %w", err)
	}
	index := map[string]int{}
	var out []hostWrites
	for n, line := range strings.Split(string(b), "\n") {
		if strings.TrimSpace(line) == "" {
			continue
		}
		var j journalEntry
		if err := json.Unmarshal([]byte(line), &j); err != nil {
			return nil, fmt.Errorf("--rollback %s line %d: %w", path, n+1, err)
		}
		w := facts.RegWrite{Key: j.Key, Name: j.Name}
		switch {
		case j.Prior.State == facts.StateNoKey:
			w.Op, w.Data = facts.OpDelete, "key"
		case j.Prior.State == facts.StateNoValue:
			w.Op = facts.OpDelete
		case j.Prior.State == facts.StateOK && j.Prior.Type == facts.RegDWORD:
			w.Op, w.Data = facts.OpDWORD, j.Prior.Data
		case j.Prior.State == facts.StateOK && j.Prior.Type == facts.RegSZ:
			w.Op, w.Data = facts.OpString, j.Prior.Data
		default:
			return nil, fmt.Errorf("--rollback %s line %d: host %s: %s\\%s was %s %s, which fix cannot put back", path, n+1, j.Host, j.Key, j.Name, j.Prior.State, j.Prior.Type)
		}
		i, ok := index[scan.HostKey(j.Host)]
		if !ok {
			i = len(out)
			index[scan.HostKey(j.Host)] = i
			out = append(out, hostWrites{target: scan.Target{Name: j.Host, Address: j.Address}})
		}
		out[i].writes = append(out[i].writes, w)
	}
	return out, nil
}

// writeAll runs the writes on every host, a few at a time, and prints per host each value as it
// was and as it becomes. With apply, each host's previous values go to the journal as soon as
// that host is done. It returns the hosts on which something was written.
func writeAll(ctx context.Context, e env, client *remote.Client, plan []hostWrites, apply bool, journal string, concurrency int) ([]scan.Target, error) {
	var jf *os.File
	if apply && journal != "" {
		var err error
		if jf, err = os.OpenFile(journal, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600); err != nil {
			return nil, fmt.Errorf("journal: %w", err)
		}
		defer jf.Close()
	}
	var mu sync.Mutex
	var changed []scan.Target
	var failed []string
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(max(concurrency, 1))
	for _, h := range plan {
		g.Go(func() error {
			ep, err := endpointOf(h.target)
			if err == nil {
				var res facts.WriterResult
				res, err = client.WriteRegistry(gctx, ep, h.writes, apply)
				if err == nil {
					mu.Lock()
					defer mu.Unlock()
					return recordHost(e, jf, h, res, apply, &changed)
				}
			}
			mu.Lock()
			defer mu.Unlock()
			failed = append(failed, h.target.Name)
			fmt.Fprintf(e.stdout, "%s: not changed: %s\n", report.Clean(h.target.Name), report.Clean(err.Error()))
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return changed, err
	}
	if len(failed) > 0 {
		fmt.Fprintf(e.stderr, "%d host(s) could not be changed: %s\n", len(failed), report.Clean(strings.Join(failed, ", ")))
	}
	return changed, nil
}

// recordHost prints one host's values and journals them. Called with the lock held.
func recordHost(e env, jf *os.File, h hostWrites, res facts.WriterResult, apply bool, changed *[]scan.Target) error {
	now := time.Now().UTC()
	fmt.Fprintf(e.stdout, "%s:\n", report.Clean(h.target.Name))
	for i, w := range h.writes {
		prior := res.Prior[i]
		verb := "would set"
		if apply {
			verb = "set"
		}
		if w.Op == facts.OpDelete {
			verb = strings.Replace(verb, "set", "delete", 1)
		}
		fmt.Fprintf(e.stdout, "  %s\\%s: %s -> %s (%s)\n", report.Clean(w.Key), report.Clean(w.Name), describeValue(prior), describeWrite(w), verb)
		if jf != nil {
			b, err := json.Marshal(journalEntry{Host: h.target.Name, Address: h.target.Address, Key: w.Key, Name: w.Name, Prior: prior, New: w.Data, Time: now})
			if err != nil {
				return err
			}
			if _, err := jf.Write(append(b, '\n')); err != nil {
				return fmt.Errorf("journal: %w", err)
			}
		}
	}
	if apply {
		*changed = append(*changed, h.target)
	}
	return nil
}

func describeValue(v facts.Value) string {
	switch v.State {
	case facts.StateOK:
		if v.Type == facts.RegDWORD {
			if n, err := strconv.ParseUint(v.Data, 10, 32); err == nil {
				return fmt.Sprintf("0x%08x", n)
			}
		}
		return fmt.Sprintf("%s %q", v.Type, v.Data)
	case facts.StateNoKey:
		return "(no key)"
	case facts.StateNoValue:
		return "(absent)"
	}
	return "(" + string(v.State) + ")"
}

func describeWrite(w facts.RegWrite) string {
	switch w.Op {
	case facts.OpDelete:
		return "(absent)"
	case facts.OpString:
		return fmt.Sprintf("REG_SZ %q", w.Data)
	}
	n, _ := strconv.ParseUint(w.Data, 10, 32)
	return fmt.Sprintf("0x%08x", n)
}
