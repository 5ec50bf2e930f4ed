package main

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/tlsready/tlsready/facts"
	"github.com/tlsready/tlsready/internal/safejson"
	"github.com/tlsready/tlsready/remote"
	"github.com/tlsready/tlsready/scan"
)

// journalWriter appends entries to a journal. It never truncates or rewrites the file.
type journalWriter struct {
	mu   sync.Mutex
	f    *os.File
	path string
}

// openJournal opens path for appending, creating it if needed.
func openJournal(path string) (*journalWriter, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, fmt.Errorf("journal: %w", err)
	}
	return &journalWriter{f: f, path: path}, nil
}

// Write appends the entries, one JSON line each, and syncs the file, so that they are on disk
// before the writes they describe are made.
func (j *journalWriter) Write(es ...journalEntry) error {
	if len(es) == 0 {
		return nil
	}
	var b bytes.Buffer
	for _, e := range es {
		line, err := safejson.Marshal(e)
		if err != nil {
			return fmt.Errorf("journal %s: %w", j.path, err)
		}
		b.Write(append(line, '\n'))
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	if _, err := j.f.Write(b.Bytes()); err != nil {
		return fmt.Errorf("journal %s: %w", j.path, err)
	}
	if err := j.f.Sync(); err != nil {
		return fmt.Errorf("journal %s: %w", j.path, err)
	}
	return nil
}

// Close closes the file.
func (j *journalWriter) Close() error { return j.f.Close() }

// journalRecord is a journal entry with its line number.
type journalRecord struct {
	journalEntry
	line int
}

// id identifies the value an entry concerns within its run. Lines of older journals (no event)
// are each their own run.
func (r journalRecord) id() string {
	return r.Run + "|" + scan.HostKey(r.Host) + "|" + strings.ToLower(r.Key) + "|" + strings.ToLower(r.Name)
}

// readJournal reads a journal and checks every line: known events, a host, and a value that fix
// may write (facts.Writable). Any other line refuses the whole journal, naming it.
func readJournal(path string) ([]journalRecord, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("journal: %w", err)
	}
	var out []journalRecord
	for n, line := range strings.Split(string(b), "\n") {
		if strings.TrimSpace(line) == "" {
			continue
		}
		var r journalRecord
		r.line = n + 1
		if err := json.Unmarshal([]byte(line), &r.journalEntry); err != nil {
			return nil, fmt.Errorf("journal %s line %d: %w (the journal is refused; nothing was changed)", path, r.line, err)
		}
		switch r.Event {
		case "", evPrior, evApplied, evUnchanged, evFailed, evUnknown, evRestored, evRefused:
		default:
			return nil, fmt.Errorf("journal %s line %d: unknown event %q (the journal is refused; nothing was changed)", path, r.line, r.Event)
		}
		if r.Host == "" {
			return nil, fmt.Errorf("journal %s line %d: no host (the journal is refused; nothing was changed)", path, r.line)
		}
		if err := (facts.RegWrite{Op: facts.OpDelete, Key: r.Key, Name: r.Name}).Check(); err != nil {
			return nil, fmt.Errorf("journal %s line %d: host %s: %s\\%s is not a value tlsready fix writes: the journal is refused, nothing was changed (%v)", path, r.line, r.Host, r.Key, r.Name, err)
		}
		if r.Event == "" {
			r.Run = fmt.Sprintf("line-%d", r.line)
			if r.NewType == "" {
				r.NewType = facts.RegDWORD // older versions wrote only REG_DWORDs
			}
		}
		out = append(out, r)
	}
	return out, nil
}

// pendingRestore is a journaled write that a rollback should undo.
type pendingRestore struct {
	prior   journalRecord
	outcome string // evApplied, or evUnknown when the answer was lost (or never journaled)
}

// rollbackPlan reads a journal into, per host, the writes that put each value back as it was:
// the values written (or perhaps written) and not yet restored, the newest first. Each write is a
// compare-and-set on the value fix wrote (or, when its outcome is unknown, on that or the prior),
// so a value changed since by someone else is refused, not overwritten. A journal naming a value
// that fix does not write is refused as a whole, before anything connects.
func rollbackPlan(path string) ([]hostWrites, error) {
	recs, err := readJournal(path)
	if err != nil {
		return nil, fmt.Errorf("--rollback: %w", err)
	}
	items := map[string]*pendingRestore{}
	restored := map[string]bool{}
	var order []string
	for _, r := range recs {
		id := r.id()
		switch r.Event {
		case "", evPrior:
			p := &pendingRestore{prior: r, outcome: evUnknown}
			if r.Event == "" {
				p.outcome = evApplied
			}
			if _, dup := items[id]; !dup {
				order = append(order, id)
			}
			items[id] = p
			restored[id] = false
		case evApplied:
			if p := items[id]; p != nil {
				p.outcome = evApplied
				p.prior.New, p.prior.NewType = r.New, r.NewType
			}
		case evUnchanged, evFailed:
			if p := items[id]; p != nil {
				p.outcome = r.Event
			}
		case evUnknown:
			if p := items[id]; p != nil {
				p.outcome = evUnknown
			}
		case evRestored:
			restored[id] = true
		case evRefused:
			restored[id] = false
		}
	}
	var todo []*pendingRestore
	for _, id := range order {
		p := items[id]
		if restored[id] || (p.outcome != evApplied && p.outcome != evUnknown) {
			continue
		}
		todo = append(todo, p)
	}
	// The newest first: a value changed by two runs goes back through the first run's value.
	slices.SortStableFunc(todo, func(a, b *pendingRestore) int {
		return cmp.Or(b.prior.Time.Compare(a.prior.Time), cmp.Compare(b.prior.line, a.prior.line))
	})
	index := map[string]int{}
	var out []hostWrites
	for _, p := range todo {
		r := p.prior
		k := scan.HostKey(r.Host)
		i, ok := index[k]
		if !ok {
			i = len(out)
			index[k] = i
			out = append(out, hostWrites{target: scan.Target{Name: r.Host, Address: r.Address}})
		}
		w, why := restoreWrite(p)
		if why != "" {
			out[i].refused = append(out[i].refused, refusal{entry: r.journalEntry, why: why})
			continue
		}
		out[i].writes = append(out[i].writes, w)
		out[i].entries = append(out[i].entries, r.journalEntry)
	}
	return out, nil
}

// restoreWrite is the write that puts an entry's prior value back, or why there is none.
func restoreWrite(p *pendingRestore) (facts.RegWrite, string) {
	r := p.prior
	if r.Prior == nil {
		return facts.RegWrite{}, "the journal holds no prior value"
	}
	w := facts.RegWrite{Key: r.Key, Name: r.Name}
	switch {
	case r.Prior.State == facts.StateNoKey:
		w.Op, w.Data = facts.OpDelete, "key"
	case r.Prior.State == facts.StateNoValue:
		w.Op = facts.OpDelete
	case r.Prior.State == facts.StateOK && r.Prior.Type == facts.RegDWORD:
		w.Op, w.Data = facts.OpDWORD, r.Prior.Data
	case r.Prior.State == facts.StateOK && r.Prior.Type == facts.RegSZ:
		w.Op, w.Data = facts.OpString, r.Prior.Data
	default:
		return facts.RegWrite{}, fmt.Sprintf("it was %s %s, which fix cannot put back", r.Prior.State, r.Prior.Type)
	}
	wrote := "absent"
	if r.NewType != "" {
		wrote = r.NewType + ":" + r.New
	}
	w.Expect = []string{wrote}
	if p.outcome == evUnknown {
		w.Expect = append(w.Expect, facts.StateToken(*r.Prior))
	}
	if err := w.Check(); err != nil {
		return facts.RegWrite{}, err.Error()
	}
	return w, ""
}

// rollbackHost restores one host's entries and journals each outcome: restored, or refused with
// the reason (an entry refused does not stop the others).
func rollbackHost(ctx context.Context, client *remote.Client, h hostWrites, jw *journalWriter) (hostReport, error) {
	hr := hostReport{}
	var events []journalEntry
	now := time.Now().UTC()
	for _, rf := range h.refused {
		e := rf.entry
		hr.lines = append(hr.lines, fmt.Sprintf("  %s\\%s: not restored: %s", e.Key, e.Name, rf.why))
		events = append(events, journalEntry{Run: e.Run, Event: evRefused, Host: e.Host, Address: e.Address, Key: e.Key, Name: e.Name, Message: rf.why, Time: now})
	}
	restored, refused, unknown := 0, len(h.refused), 0
	var werr error
	if len(h.writes) > 0 {
		var res []facts.WriteResult
		res, werr = writeHost(ctx, client, h.target, h.writes, true)
		for i, w := range h.writes {
			e := h.entries[i]
			back := describeValue(*e.Prior)
			ev := journalEntry{Run: e.Run, Host: e.Host, Address: e.Address, Key: e.Key, Name: e.Name, Time: time.Now().UTC()}
			if i >= len(res) || res[i].Outcome == "" {
				unknown++
				hr.add(w.Key, w.Name, "?", back, "state unknown")
				continue
			}
			r := res[i]
			switch r.Outcome {
			case facts.OutcomeApplied:
				restored++
				ev.Event, ev.Changed = evRestored, true
				hr.add(w.Key, w.Name, describeValue(r.Prior), back, "restored")
			case facts.OutcomeUnchanged:
				restored++
				ev.Event = evRestored
				hr.add(w.Key, w.Name, describeValue(r.Prior), back, "restored: it already was")
			default:
				refused++
				ev.Event, ev.Message = evRefused, r.Message
				hr.add(w.Key, w.Name, describeValue(r.Prior), back, "not restored: "+r.Message)
			}
			events = append(events, ev)
		}
	}
	jerr := jw.Write(events...)
	for _, ev := range events {
		if ev.Changed {
			hr.touched = true
		}
	}
	switch {
	case unknown > 0:
		hr.status, hr.touched = statusUnknown, true
		hr.detail = fmt.Sprintf("%d value(s) may or may not be restored (%v); run the rollback again", unknown, werr)
	case refused > 0 && restored > 0:
		hr.status, hr.detail = statusPartly, fmt.Sprintf("%d value(s) restored, %d not", restored, refused)
	case refused > 0:
		hr.status, hr.detail = statusNotChange, fmt.Sprintf("%d value(s) not restored", refused)
	default:
		hr.status, hr.detail = statusChanged, fmt.Sprintf("%d value(s) restored", restored)
	}
	return hr, jerr
}

// journalChanges are, per host (scan.HostKey), the values a journal says fix changed or may
// have changed, with the time: written, restored by a rollback, or of unknown outcome.
func journalChanges(recs []journalRecord) map[string][]facts.Change {
	out := map[string][]facts.Change{}
	for _, r := range recs {
		switch {
		case r.Event == "", r.Event == evApplied, r.Event == evUnknown, r.Event == evRestored && r.Changed:
			k := scan.HostKey(r.Host)
			out[k] = append(out[k], facts.Change{Key: r.Key, Name: r.Name, Time: r.Time.UTC()})
		}
	}
	return out
}

// attachChanges adds the changes fix made to a host's facts, keeping those the host has not
// restarted since (all of them when its boot time is unknown), without duplicates.
func attachChanges(f *facts.Facts, changes []facts.Change) {
	for _, c := range changes {
		if !f.BootTime.IsZero() && !f.BootTime.Before(c.Time) {
			continue
		}
		if !slices.ContainsFunc(f.Changes, func(h facts.Change) bool {
			return strings.EqualFold(h.Key, c.Key) && strings.EqualFold(h.Name, c.Name) && h.Time.Equal(c.Time)
		}) {
			f.Changes = append(f.Changes, c)
		}
	}
}

// changesFromJournals reads the changes of fix journals (see journalChanges); never nil.
func changesFromJournals(paths []string) (map[string][]facts.Change, error) {
	out := map[string][]facts.Change{}
	for _, p := range paths {
		recs, err := readJournal(p)
		if err != nil {
			return nil, fmt.Errorf("--journal: %w", err)
		}
		for k, cs := range journalChanges(recs) {
			out[k] = append(out[k], cs...)
		}
	}
	return out, nil
}
