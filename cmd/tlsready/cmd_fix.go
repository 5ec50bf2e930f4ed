package main

import (
	"context"
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

const fixSynopsis = `Usage: tlsready fix --from RESULTS.jsonl --user USER [--apply] [--journal FILE] [--protocols tls11+12] [--win7-schannel] [flags]
       tlsready fix --rollback JOURNAL --user USER [flags]

Sets, over WinRM, the registry values that the findings of the results call for - and only
those, only on the hosts and in the registry views that need them: DefaultSecureProtocols, and
the SCHANNEL TLS 1.2 Client and WinINet policy values where a host's findings name them. It
writes no other value: a journal or plan naming any other is refused before anything connects.
DefaultSecureProtocols and SecureProtocols REG_DWORDs gain the protocols and keep theirs (a TLS
1.0 or TLS 1.3 bit stays); a value that already allows TLS 1.2 is left unchanged.

Without --apply it changes nothing and prints, per host, each value's current data and what it
would become. With --apply it first reads every value and records it in the journal (--journal,
appended to, never overwritten), then writes each value only if it is still as read, and prints
per value: set, unchanged, or failed with the reason. A host where some writes failed is "partly
changed"; its written values are in the journal. Then it rescans the changed hosts: they show
RESTART_PENDING until they restart (DefaultSecureProtocols and SCHANNEL are read at start).
"fix --rollback JOURNAL" puts the journal's values back, newest run first; a value that is no
longer what fix wrote is refused and left alone, the others are restored.

--win7-schannel also sets SCHANNEL TLS 1.2 Client DisabledByDefault=0 (and Enabled=1 where absent)
on Windows 7 / 2008 R2 SP1 hosts where it is absent (KB3140245: Office applications need it;
Outlook's POP, IMAP and SMTP accounts use SCHANNEL directly).

It never installs software or updates: wusa.exe cannot install an update in a WinRM session
(it fails with "access denied", 0x5), and updates belong to WSUS or ConfigMgr - "tlsready
remediate" writes the list of hosts that need KB3140245 for them.
`

// Journal events. A fix run writes "prior" for each value it is about to write, before any
// write, and then the value's outcome; a rollback writes "restored" or "refused" per entry.
// Journals of older versions have lines without an event: a value as it was, written.
const (
	evPrior     = "prior"     // the value as read, before the write (Prior; Op, New, NewType: the write)
	evApplied   = "applied"   // written (New, NewType: the value now)
	evUnchanged = "unchanged" // not written: it already was as asked
	evFailed    = "failed"    // not written (Message)
	evUnknown   = "unknown"   // the answer was lost after the write was sent: rescan (Message)
	evRestored  = "restored"  // rollback put the prior value back (Changed: a write was needed)
	evRefused   = "refused"   // rollback could not put it back (Message)
)

// journalEntry is one line of the journal (JSON Lines, only ever appended to).
type journalEntry struct {
	// Run identifies the fix run; a rollback's lines carry the run of the entry they restore.
	Run     string       `json:"run,omitempty"`
	Event   string       `json:"event,omitempty"`
	Host    string       `json:"host"`
	Address string       `json:"address,omitempty"`
	Key     string       `json:"key"`
	Name    string       `json:"name"`
	Prior   *facts.Value `json:"prior,omitempty"`
	Op      string       `json:"op,omitempty"`
	New     string       `json:"new,omitempty"`
	NewType string       `json:"newType,omitempty"`
	Changed bool         `json:"changed,omitempty"`
	Message string       `json:"message,omitempty"`
	Time    time.Time    `json:"time"`
}

func runFix(ctx context.Context, e env, args []string) (int, error) {
	fs := newFlagSet(e, "fix", fixSynopsis)
	var rf remoteFlags
	var from listFlag
	var apply, win7 bool
	var journal, rollback, protocols string
	fs.Var(&from, "from", "results file whose findings say what to fix; repeatable (the newest result per host counts)")
	fs.BoolVar(&apply, "apply", false, "write the values (without it: a dry run that changes nothing)")
	fs.StringVar(&journal, "journal", "", "with --apply: file that records every value before it is changed; an existing journal is appended to (default tlsready-fix-<date>-<time>.journal.jsonl)")
	fs.StringVar(&rollback, "rollback", "", "put back the values recorded in this journal (newest first; the outcome is appended to it), then rescan")
	fs.StringVar(&protocols, "protocols", "tls11+12", "protocols to add to DefaultSecureProtocols: tls12, tls11+12 or tls10+11+12")
	fs.BoolVar(&win7, "win7-schannel", false, "also set SCHANNEL TLS 1.2 Client DisabledByDefault=0 (Enabled=1 where absent) on Windows 7 / 2008 R2 SP1 hosts where it is absent")
	rf.registerConnection(fs)
	rf.register(fs, e, 60*time.Second)
	if err := parseFlags(fs, args); err != nil {
		return exitUsage, err
	}
	if (len(from) == 0) == (rollback == "") {
		return exitUsage, usagef("give --from RESULTS.jsonl (what to fix) or --rollback JOURNAL (what to put back)")
	}
	if rollback != "" && journal != "" {
		return exitUsage, usagef("--rollback appends to the journal it reads; --journal does not apply")
	}
	if rf.out != "" && (apply || rollback != "") {
		if _, err := os.Stat(rf.out); err == nil {
			return exitUsage, usagef("--out %s exists: fix does not overwrite a results file; give a new name", rf.out)
		}
		inputs := []namedPath{{"--journal", journal}, {"--rollback", rollback}}
		for _, f := range from {
			inputs = append(inputs, namedPath{"--from", f})
		}
		if err := rf.checkOutputs(inputs...); err != nil {
			return exitUsage, err
		}
	}
	// Everything that can be refused is refused before a password is asked for or a host is
	// contacted.
	var plan []hostWrites
	var err error
	if rollback != "" {
		if plan, err = rollbackPlan(rollback); err != nil {
			return exitUsage, err
		}
		apply, journal = true, rollback
	} else {
		data, err := remediate.ParseProtocols(protocols)
		if err != nil {
			return exitUsage, usagef("--protocols: %v", err)
		}
		if plan, err = fixPlan(e, from, remediate.Options{Protocols: data, Win7Schannel: win7}); err != nil {
			return exitUsage, err
		}
		if apply && journal == "" {
			journal = defaultJournalName(time.Now())
		}
	}
	if len(plan) == 0 {
		fmt.Fprintln(e.stdout, "nothing to change: no host's findings call for a registry value")
		return exitReady, nil
	}
	pw, err := winrmPassword(e, rf)
	if err != nil {
		return exitUsage, err
	}
	var targets []scan.Target
	for _, h := range plan {
		targets = append(targets, h.target)
	}
	client, err := newWinRMClient(e, rf, targets, pw)
	if err != nil {
		return exitUsage, err
	}
	var jw *journalWriter
	if apply {
		if jw, err = openJournal(journal); err != nil {
			client.Close()
			return exitUsage, err
		}
		defer jw.Close()
	}
	run := "fix-" + time.Now().UTC().Format("20060102T150405.000000000Z")
	touched, err := writeAll(ctx, e, client, plan, apply, rollback != "", jw, run, rf.concurrency)
	client.Close()
	if err != nil {
		return exitUsage, err
	}
	if !apply {
		fmt.Fprintf(e.stdout, "dry run: nothing was changed. Run again with --apply to write these values on %d host(s).\n", len(plan))
		return exitReady, nil
	}
	fmt.Fprintf(e.stderr, "journal: %s (tlsready fix --rollback %s puts the values back; tlsready rescan --journal %s knows the changes)\n", journal, journal, journal)
	if len(touched) == 0 {
		return exitReady, nil
	}
	entries, err := readJournal(journal)
	if err != nil {
		return exitUsage, err
	}
	rf.changes = journalChanges(entries)
	fmt.Fprintf(e.stderr, "rescanning the %d host(s) changed\n", len(touched))
	rf.scope = "rescan after tlsready fix"
	return scanExit(scanTargets(ctx, e, touched, rf, pw))
}

// hostWrites are the registry writes for one host.
type hostWrites struct {
	target scan.Target
	writes []facts.RegWrite
	// entries are, for a rollback, the journal entries the writes restore (same order); refused
	// are the entries that cannot be restored at all, with the reason.
	entries []journalEntry
	refused []refusal
}

type refusal struct {
	entry journalEntry
	why   string
}

// fixPlan is, per host that needs registry values (not those to migrate), the values its
// findings call for, each checked against facts.Writable.
func fixPlan(e env, from []string, o remediate.Options) ([]hostWrites, error) {
	results, err := readResultsFiles(e, from...)
	if err != nil {
		return nil, err
	}
	p := remediate.BuildWith(results, o)
	var out []hostWrites
	kitOnly := 0
	for _, h := range append(append([]remediate.Host(nil), p.KB...), p.RegistryOnly...) {
		if h.Cipher != nil {
			kitOnly++
		}
		hw := hostWrites{target: h.Target}
		for _, v := range h.Values {
			if v.KitOnly {
				continue
			}
			w, err := v.RegWrite()
			if err != nil {
				return nil, fmt.Errorf("host %s: %w", h.Name, err)
			}
			hw.writes = append(hw.writes, w)
		}
		if len(hw.writes) > 0 {
			out = append(out, hw)
		}
	}
	if kitOnly > 0 {
		fmt.Fprintf(e.stderr, "%d host(s) need cipher suite changes (CIPHER_NONE_ACCEPTED, CIPHER_ONLY_RETIRING): fix leaves them to the kit (tlsready remediate: SCHANNEL keys, local order, the list for the policy)\n", kitOnly)
	}
	if len(p.Migrate) > 0 {
		fmt.Fprintf(e.stderr, "%d host(s) run an OS that cannot use TLS 1.2: no registry value helps them, they are left alone\n", len(p.Migrate))
	}
	return out, nil
}

// writeAll runs the plan on every host, a few at a time, and prints per host each value as it
// was, as it becomes and what happened. With apply, every value is journaled before it is
// written. It returns the hosts on which something was (or may have been) written.
func writeAll(ctx context.Context, e env, client *remote.Client, plan []hostWrites, apply, rollback bool, jw *journalWriter, run string, concurrency int) ([]scan.Target, error) {
	var mu sync.Mutex
	var touched []scan.Target
	var notDone []string
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(max(concurrency, 1))
	for _, h := range plan {
		g.Go(func() error {
			var hr hostReport
			var err error
			switch {
			case rollback:
				hr, err = rollbackHost(gctx, client, h, jw)
			case apply:
				hr, err = applyHost(gctx, client, h, jw, run)
			default:
				hr = dryRunHost(gctx, client, h)
			}
			mu.Lock()
			defer mu.Unlock()
			hr.print(e, h.target.Name)
			if hr.touched {
				touched = append(touched, h.target)
			}
			if hr.status != "" && hr.status != statusChanged && hr.status != statusDry {
				notDone = append(notDone, h.target.Name+" ("+hr.status+")")
			}
			return err // a journal that cannot be written stops everything
		})
	}
	if err := g.Wait(); err != nil {
		return touched, err
	}
	if len(notDone) > 0 {
		fmt.Fprintf(e.stderr, "%d host(s) not fully done: %s\n", len(notDone), report.Clean(strings.Join(notDone, ", ")))
	}
	return touched, nil
}

// Host statuses.
const (
	statusDry       = "dry run"
	statusChanged   = "changed"
	statusNothing   = "nothing to change"
	statusPartly    = "partly changed"
	statusNotChange = "not changed"
	statusUnknown   = "state unknown: rescan"
)

// hostReport is what happened on one host, for the output.
type hostReport struct {
	lines   []string
	status  string
	detail  string
	touched bool
}

func (r *hostReport) add(key, name, from, to, what string) {
	r.lines = append(r.lines, fmt.Sprintf("  %s\\%s: %s -> %s (%s)", report.Clean(key), report.Clean(name), from, to, report.Clean(what)))
}

func (r hostReport) print(e env, host string) {
	fmt.Fprintf(e.stdout, "%s:\n", report.Clean(host))
	for _, l := range r.lines {
		fmt.Fprintln(e.stdout, l)
	}
	if r.status != statusDry {
		s := r.status
		if r.detail != "" {
			s += ": " + r.detail
		}
		fmt.Fprintf(e.stdout, "  %s\n", report.Clean(s))
	}
}

// dryRunHost reads the values and says what a write would make of them.
func dryRunHost(ctx context.Context, client *remote.Client, h hostWrites) hostReport {
	hr := hostReport{status: statusDry}
	res, err := writeHost(ctx, client, h.target, h.writes, false)
	if err != nil {
		hr.status, hr.detail = statusNotChange, err.Error()
		return hr
	}
	for i, w := range h.writes {
		r := res[i]
		switch r.Outcome {
		case facts.OutcomeWould:
			hr.add(w.Key, w.Name, describeValue(r.Prior), describeData(r.Type, r.Data), "would set")
		case facts.OutcomeUnchanged:
			hr.add(w.Key, w.Name, describeValue(r.Prior), describeData(r.Type, r.Data), "unchanged")
		default:
			hr.add(w.Key, w.Name, describeValue(r.Prior), "?", "would fail: "+r.Message)
		}
	}
	return hr
}

// applyHost is the two passes of fix --apply on one host: read every value and journal those
// that will change (the "prior" events, synced to disk), then write each of them with a
// compare-and-set on the value journaled, and journal each outcome.
func applyHost(ctx context.Context, client *remote.Client, h hostWrites, jw *journalWriter, run string) (hostReport, error) {
	hr := hostReport{}
	res, err := writeHost(ctx, client, h.target, h.writes, false)
	if err != nil {
		hr.status, hr.detail = statusNotChange, err.Error()
		return hr, nil
	}
	var todo []facts.RegWrite
	var priors []journalEntry
	now := time.Now().UTC()
	failed := 0
	for i, w := range h.writes {
		r := res[i]
		switch r.Outcome {
		case facts.OutcomeUnchanged:
			hr.add(w.Key, w.Name, describeValue(r.Prior), describeData(r.Type, r.Data), "unchanged")
			continue
		case facts.OutcomeFailed:
			failed++
			hr.add(w.Key, w.Name, describeValue(r.Prior), "?", "failed: "+r.Message)
			continue
		}
		prior := r.Prior
		priors = append(priors, journalEntry{Run: run, Event: evPrior, Host: h.target.Name, Address: h.target.Address, Key: w.Key, Name: w.Name,
			Prior: &prior, Op: w.Op, New: r.Data, NewType: r.Type, Time: now})
		cas := w
		cas.Expect = []string{facts.StateToken(r.Prior)}
		todo = append(todo, cas)
	}
	if len(todo) == 0 {
		hr.status = statusNothing
		if failed > 0 {
			hr.status, hr.detail = statusNotChange, fmt.Sprintf("%d value(s) failed", failed)
		}
		return hr, nil
	}
	if err := jw.Write(priors...); err != nil {
		return hr, err
	}
	out, werr := writeHost(ctx, client, h.target, todo, true)
	var events []journalEntry
	applied, unknown := 0, 0
	for i, w := range todo {
		p := priors[i]
		ev := journalEntry{Run: run, Host: p.Host, Address: p.Address, Key: p.Key, Name: p.Name, Time: time.Now().UTC()}
		if i >= len(out) || out[i].Outcome == "" {
			unknown++
			ev.Event, ev.Message = evUnknown, "no answer for this value"
			if werr != nil {
				ev.Message = werr.Error()
			}
			hr.add(w.Key, w.Name, describeValue(*p.Prior), describeData(p.NewType, p.New), "state unknown")
			events = append(events, ev)
			continue
		}
		r := out[i]
		switch r.Outcome {
		case facts.OutcomeApplied:
			applied++
			ev.Event, ev.New, ev.NewType = evApplied, r.Data, r.Type
			hr.add(w.Key, w.Name, describeValue(r.Prior), describeData(r.Type, r.Data), "set")
		case facts.OutcomeUnchanged:
			ev.Event = evUnchanged
			hr.add(w.Key, w.Name, describeValue(r.Prior), describeData(r.Type, r.Data), "unchanged")
		default:
			failed++
			ev.Event, ev.Message = evFailed, r.Message
			hr.add(w.Key, w.Name, describeValue(r.Prior), describeData(p.NewType, p.New), "failed: "+r.Message)
		}
		events = append(events, ev)
	}
	jerr := jw.Write(events...)
	switch {
	case unknown > 0:
		hr.status, hr.touched = statusUnknown, true
		hr.detail = fmt.Sprintf("%d value(s) journaled before the answer was lost (%v); tlsready fix --rollback undoes them", unknown, werr)
	case failed > 0 && applied > 0:
		hr.status, hr.touched = statusPartly, true
		hr.detail = fmt.Sprintf("%d value(s) set and journaled, %d failed", applied, failed)
	case failed > 0:
		hr.status = statusNotChange
		hr.detail = fmt.Sprintf("%d value(s) failed", failed)
	case applied > 0:
		hr.status, hr.touched = statusChanged, true
	default:
		hr.status = statusNothing
	}
	return hr, jerr
}

// writeHost runs the writer on one host; errors name the host.
func writeHost(ctx context.Context, client *remote.Client, t scan.Target, writes []facts.RegWrite, apply bool) ([]facts.WriteResult, error) {
	ep, err := endpointOf(t)
	if err != nil {
		return nil, fmt.Errorf("host %s: %w", t.Name, err)
	}
	res, err := client.WriteRegistry(ctx, ep, writes, apply)
	if err != nil {
		if !strings.Contains(err.Error(), t.Name) {
			err = fmt.Errorf("host %s: %w", t.Name, err)
		}
		return res, err
	}
	return res, nil
}

func describeValue(v facts.Value) string {
	switch v.State {
	case facts.StateOK:
		return describeData(v.Type, v.Data)
	case facts.StateNoKey:
		return "(no key)"
	case facts.StateNoValue:
		return "(absent)"
	}
	return "(" + string(v.State) + ")"
}

func describeData(typ, data string) string {
	switch typ {
	case "":
		return "(absent)"
	case facts.RegDWORD:
		if n, err := strconv.ParseUint(data, 10, 32); err == nil {
			return fmt.Sprintf("0x%08x", n)
		}
	}
	return fmt.Sprintf("%s %q", typ, data)
}
