package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tlsready/tlsready/checks"
	"github.com/tlsready/tlsready/facts"
	"github.com/tlsready/tlsready/remote/winrmsim"
	"github.com/tlsready/tlsready/scan"
)

const fixPassword = "fix-lab-Passw0rd"

var fixCommon = []string{"--user", `LAB\tlsready`, "--auth", "ntlm", "--no-progress"}

// fixLab serves profiles and runs tlsready commands against them, results in a temp folder.
type fixLab struct {
	t       *testing.T
	fleet   *winrmsim.Fleet
	targets string
	dir     string
}

func newFixLab(t *testing.T, profiles []winrmsim.Profile) *fixLab {
	t.Helper()
	fleet, targets := serveFleet(t, profiles, fixPassword)
	t.Setenv("TLSREADY_PASSWORD", fixPassword)
	return &fixLab{t: t, fleet: fleet, targets: targets, dir: t.TempDir()}
}

func (l *fixLab) path(name string) string { return filepath.Join(l.dir, name) }

// results runs a command that writes a results file (scan, rescan, fix --apply, fix --rollback).
func (l *fixLab) results(name string, args ...string) (map[string]scan.Result, string) {
	l.t.Helper()
	out := l.path(name)
	code, stdout, stderr := runCLI(l.t, append(append(args, "--out", out), fixCommon...)...)
	if code == exitUsage || code == exitUnknown {
		l.t.Fatalf("%v: exit %d: %s\n%s", args, code, lastLines(stderr, 5), stdout)
	}
	return readResultsFile(l.t, out), stdout
}

// cli runs a command that writes no results file.
func (l *fixLab) cli(args ...string) (int, string, string) {
	l.t.Helper()
	return runCLI(l.t, append(args, fixCommon...)...)
}

// profile is a copy of a built-in profile under a new name, changed by edit.
func builtinProfile(t *testing.T, name, newName string, edit func(p *winrmsim.Profile)) winrmsim.Profile {
	t.Helper()
	for _, p := range healthyProfiles(t) {
		if p.Name == name {
			b, _ := json.Marshal(p)
			var cp winrmsim.Profile
			if err := json.Unmarshal(b, &cp); err != nil {
				t.Fatal(err)
			}
			cp.Name = newName
			edit(&cp)
			return cp
		}
	}
	t.Fatalf("no built-in profile %s", name)
	return winrmsim.Profile{}
}

const (
	regDSP    = `HKLM\SOFTWARE\Microsoft\Windows\CurrentVersion\Internet Settings\WinHttp`
	regDSPWow = `HKLM\SOFTWARE\Wow6432Node\Microsoft\Windows\CurrentVersion\Internet Settings\WinHttp`
	regSch    = `HKLM\SYSTEM\CurrentControlSet\Control\SecurityProviders\SCHANNEL\Protocols\TLS 1.2\Client`
)

func dword(n uint32) winrmsim.RegistryValue {
	b, _ := json.Marshal(n)
	return winrmsim.RegistryValue{Type: facts.RegDWORD, Data: b}
}

// readJournalFile reads every line of a journal.
func readJournalFile(t *testing.T, path string) []journalEntry {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []journalEntry
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		var j journalEntry
		if err := json.Unmarshal([]byte(line), &j); err != nil {
			t.Fatalf("journal line %q: %v", line, err)
		}
		out = append(out, j)
	}
	return out
}

// valueOf is the collected value key\name of a result.
func valueOf(r scan.Result, key, name string) facts.Value {
	for _, v := range r.Facts.Values {
		if strings.EqualFold(v.Key, key) && strings.EqualFold(v.Name, name) {
			return v
		}
	}
	return facts.Value{}
}

func hasFinding(r scan.Result, id string) bool {
	return slices.ContainsFunc(r.Findings, func(f checks.Finding) bool { return f.ID == id })
}

// The demo fleet (the hosts that answer): scan, fix as a dry run (nothing changes at the
// simulated hosts), fix --apply (then the fixed hosts are ready but for RESTART_PENDING where
// DefaultSecureProtocols or SCHANNEL changed; a rescan, and a scan with --journal, still say so;
// after a reboot they are ready), fix --rollback (the original findings come back).
func TestFixDryRunApplyRollback(t *testing.T) {
	l := newFixLab(t, healthyProfiles(t))
	before, _ := l.results("before.jsonl", "scan", "--targets-file", l.targets)
	beforeFile := l.path("before.jsonl")
	needsMore := map[string]bool{} // KB3140245 missing or OS unsupported: registry values cannot make them ready
	for host, r := range before {
		for _, f := range r.Findings {
			if f.ID == checks.IDKBMissing || f.ID == checks.IDOSUnsupported {
				needsMore[host] = true
			}
		}
	}

	// Dry run: prints old -> new, changes nothing.
	code, stdout, stderr := l.cli("fix", "--from", beforeFile)
	if code != exitReady || !strings.Contains(stdout, "dry run: nothing was changed") || !strings.Contains(stdout, "would set") {
		t.Fatalf("dry run: exit %d\n%s\n%s", code, stdout, stderr)
	}
	if !strings.Contains(stdout, `DefaultSecureProtocols: (absent) -> 0x00000a00 (would set)`) {
		t.Errorf("dry run does not show old -> new:\n%s", stdout)
	}
	again, _ := l.results("after-dry-run.jsonl", "scan", "--targets-file", l.targets)
	for host, r := range before {
		if !reflect.DeepEqual(r.Facts.Values, again[host].Facts.Values) {
			t.Errorf("%s: registry changed by a dry run", host)
		}
	}

	// Apply: journal, rescan. The fixed hosts' only action left is RESTART_PENDING.
	journal := l.path("fix.journal.jsonl")
	fixed, _ := l.results("after-fix.jsonl", "fix", "--from", beforeFile, "--apply", "--journal", journal)
	if len(fixed) == 0 {
		t.Fatal("fix --apply rescanned no host")
	}
	pending := map[string]bool{}
	for host, r := range fixed {
		var actions []string
		for _, f := range r.Findings {
			if f.Severity == checks.SeverityAction {
				actions = append(actions, f.ID)
			}
		}
		if hasFinding(r, checks.IDRestartPending) {
			pending[host] = true
		}
		if needsMore[host] {
			continue
		}
		if len(actions) > 0 && !slices.Equal(actions, []string{checks.IDRestartPending}) {
			t.Errorf("after fix: %s has %v, want at most RESTART_PENDING", host, actions)
		}
	}
	if len(pending) == 0 {
		t.Fatal("no fixed host says restart pending")
	}
	// The .NET Framework values of the other clients (PC-W10-032) are written too: no
	// DOTNET_WEAK_TLS is left, and its host needs no restart for them.
	if !hasFinding(before["PC-W10-032"], checks.IDDotNetWeakTLS) {
		t.Errorf("before fix: PC-W10-032 has %v, want %s", findingIDs(before["PC-W10-032"]), checks.IDDotNetWeakTLS)
	}
	if r, ok := fixed["PC-W10-032"]; !ok || hasFinding(r, checks.IDRestartPending) {
		t.Errorf("fix did not change PC-W10-032, or it says restart pending: %v", findingIDs(r))
	}
	for host, r := range fixed {
		if hasFinding(r, checks.IDDotNetWeakTLS) {
			t.Errorf("after fix: %s still has %s", host, checks.IDDotNetWeakTLS)
		}
	}
	// Every prior is journaled before its outcome.
	seenPrior := map[string]bool{}
	for _, j := range readJournalFile(t, journal) {
		id := j.Run + j.Host + j.Key + j.Name
		switch j.Event {
		case evPrior:
			seenPrior[id] = true
		case evApplied:
			if !seenPrior[id] {
				t.Errorf("%s %s\\%s applied without a prior entry before it", j.Host, j.Key, j.Name)
			}
		default:
			t.Errorf("journal event %q in a run where every write succeeds", j.Event)
		}
	}

	// The change survives: a rescan from the results, and a new scan given the journal, still
	// say restart pending; report --lang ja re-evaluates it from the recorded facts.
	var pendingHosts []string
	for h := range pending {
		pendingHosts = append(pendingHosts, h)
	}
	rescanned, _ := l.results("rescan.jsonl", "rescan", "--from", l.path("after-fix.jsonl"), "--verdict", "action")
	fresh, _ := l.results("scan-journal.jsonl", "scan", "--targets-file", l.targets, "--journal", journal)
	for _, h := range pendingHosts {
		if !hasFinding(rescanned[h], checks.IDRestartPending) {
			t.Errorf("rescan --from: %s lost RESTART_PENDING: %v", h, findingIDs(rescanned[h]))
		}
		if !hasFinding(fresh[h], checks.IDRestartPending) {
			t.Errorf("scan --journal: %s has no RESTART_PENDING: %v", h, findingIDs(fresh[h]))
		}
	}
	if code, stdout, _ := runCLI(t, "report", l.path("rescan.jsonl"), "--lang", "ja"); code == exitUsage || !strings.Contains(stdout, "再起動待ち") {
		t.Errorf("report --lang ja: exit %d, no restart pending text", code)
	}

	// Reboot (a minute later: a boot time has whole seconds, the test runs within one): ready.
	for _, h := range pendingHosts {
		if err := l.fleet.Reboot(h, time.Now().Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
	}
	rebooted, _ := l.results("rebooted.jsonl", "rescan", "--from", l.path("rescan.jsonl"), "--verdict", "action")
	for _, h := range pendingHosts {
		r := rebooted[h]
		if hasFinding(r, checks.IDRestartPending) || (!needsMore[h] && r.Verdict != checks.Ready) {
			t.Errorf("after reboot: %s is %s %v, want ready", h, r.Verdict, findingIDs(r))
		}
	}

	// Rollback: the original findings (and RESTART_PENDING where the rollback's change is after
	// the simulated reboot, a minute ahead; journalChanges is tested on its own).
	back, _ := l.results("after-rollback.jsonl", "fix", "--rollback", journal)
	if len(back) != len(fixed) {
		t.Errorf("rollback rescanned %d hosts, fix changed %d", len(back), len(fixed))
	}
	for host, r := range back {
		ids := slices.DeleteFunc(findingIDs(r), func(s string) bool { return strings.HasPrefix(s, checks.IDRestartPending+"/") })
		if r.Verdict != before[host].Verdict || !reflect.DeepEqual(ids, findingIDs(before[host])) {
			t.Errorf("after rollback: %s is %s %v, was %s %v", host, r.Verdict, findingIDs(r), before[host].Verdict, findingIDs(before[host]))
		}
	}
	// Every value fix wrote is as it was: the same data, or absent again. (A parent key that fix
	// had to create, such as Internet Settings on a simulated host that lacks it, stays.)
	absent := func(st facts.State) bool { return st == facts.StateNoKey || st == facts.StateNoValue }
	restored := 0
	for _, j := range readJournalFile(t, journal) {
		switch j.Event {
		case evRestored:
			restored++
		case evPrior:
			v := valueOf(back[j.Host], j.Key, j.Name)
			if v.State == "" {
				t.Errorf("%s %s\\%s: not collected after rollback", j.Host, j.Key, j.Name)
			} else if absent(v.State) != absent(j.Prior.State) || (!absent(v.State) && (v.Type != j.Prior.Type || v.Data != j.Prior.Data)) {
				t.Errorf("%s %s\\%s after rollback: %+v, was %+v", j.Host, j.Key, j.Name, v, j.Prior)
			}
		}
	}
	if restored == 0 {
		t.Error("the rollback journaled no restored value")
	}
	// A second rollback of the same journal has nothing left to do.
	if code, stdout, stderr := l.cli("fix", "--rollback", journal); code != exitReady || !strings.Contains(stdout, "nothing to change") {
		t.Errorf("second rollback: exit %d\n%s\n%s", code, stdout, stderr)
	}
}

// Only what is needed: DefaultSecureProtocols 0xA80 in the native key and nothing in
// Wow6432Node gets only the Wow6432Node value; a value that includes TLS 1.2 by the time fix
// runs (a Windows 11 0x2A00 where the results said TLS 1.1 only) is "unchanged" in the dry run
// and not written by --apply.
func TestFixWritesOnlyWhatIsNeeded(t *testing.T) {
	a80 := builtinProfile(t, "PC-W7-003", "PC-A80", func(p *winrmsim.Profile) {
		p.Registry[regDSP]["DefaultSecureProtocols"] = dword(0xA80)
		delete(p.Registry, regDSPWow)
	})
	w11 := builtinProfile(t, "PC-W11-002", "PC-W11-2A00", func(p *winrmsim.Profile) {
		if p.Registry[regDSP] == nil {
			p.Registry[regDSP] = map[string]winrmsim.RegistryValue{}
		}
		p.Registry[regDSP]["DefaultSecureProtocols"] = dword(0x200)
	})
	l := newFixLab(t, []winrmsim.Profile{a80, w11})
	before, _ := l.results("before.jsonl", "scan", "--targets-file", l.targets)
	if !hasFinding(before["PC-A80"], checks.IDDSPDefaultNoTLS12) || !hasFinding(before["PC-W11-2A00"], checks.IDDSPNoTLS12) {
		t.Fatalf("scan: %v / %v", findingIDs(before["PC-A80"]), findingIDs(before["PC-W11-2A00"]))
	}
	// Since the scan, someone set Windows 11's value to its own default with TLS 1.3.
	if err := l.fleet.Host("PC-W11-2A00").SetValue(regDSP, "DefaultSecureProtocols", dword(0x2A00)); err != nil {
		t.Fatal(err)
	}

	code, stdout, stderr := l.cli("fix", "--from", l.path("before.jsonl"))
	if code != exitReady {
		t.Fatalf("dry run: exit %d\n%s", code, stderr)
	}
	for _, want := range []string{
		regDSPWow + `\DefaultSecureProtocols: (no key) -> 0x00000a00 (would set)`,
		regDSP + `\DefaultSecureProtocols: 0x00002a00 -> 0x00002a00 (unchanged)`,
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("dry run lacks %q:\n%s", want, stdout)
		}
	}
	if strings.Contains(stdout, regDSP+`\DefaultSecureProtocols: 0x00000a80`) {
		t.Errorf("dry run plans the native key of PC-A80, which has TLS 1.2:\n%s", stdout)
	}

	journal := l.path("j.jsonl")
	after, out := l.results("after.jsonl", "fix", "--from", l.path("before.jsonl"), "--apply", "--journal", journal)
	var written []string
	for _, j := range readJournalFile(t, journal) {
		if j.Event == evApplied {
			written = append(written, j.Host+" "+j.Key)
		}
	}
	if want := []string{"PC-A80 " + regDSPWow}; !slices.Equal(written, want) {
		t.Errorf("values written %v, want %v\n%s", written, want, out)
	}
	if v := valueOf(after["PC-A80"], regDSP, "DefaultSecureProtocols"); v.Data != "2688" {
		t.Errorf("PC-A80 native value now %+v, want 0xA80 kept", v)
	}
	if _, rescanned := after["PC-W11-2A00"]; rescanned {
		t.Error("PC-W11-2A00 was rescanned: nothing should have changed there")
	}
	if !strings.Contains(out, "PC-W11-2A00:\n  "+regDSP+`\DefaultSecureProtocols: 0x00002a00 -> 0x00002a00 (unchanged)`+"\n  nothing to change") {
		t.Errorf("apply output for PC-W11-2A00:\n%s", out)
	}
}

// A write that fails (the SCHANNEL key's ACL denies writing) leaves the values written before it
// journaled: the host is "partly changed", and the rollback puts those values back.
func TestFixPartialFailureIsJournaledAndRolledBack(t *testing.T) {
	deny := builtinProfile(t, "PC-W7-003", "PC-DENY", func(p *winrmsim.Profile) {
		delete(p.Registry, regDSP)
		delete(p.Registry, regDSPWow)
		p.Registry[regSch]["Enabled"] = dword(0)
		p.DenyWrite = []string{regSch}
	})
	l := newFixLab(t, []winrmsim.Profile{deny})
	l.results("before.jsonl", "scan", "--targets-file", l.targets)
	journal := l.path("j.jsonl")
	after, out := l.results("after.jsonl", "fix", "--from", l.path("before.jsonl"), "--apply", "--journal", journal)
	for _, want := range []string{
		regDSP + `\DefaultSecureProtocols: (no key) -> 0x00000a00 (set)`,
		regDSPWow + `\DefaultSecureProtocols: (no key) -> 0x00000a00 (set)`,
		regSch + `\Enabled: 0x00000000 -> 0x00000001 (failed: Requested registry access is not allowed.)`,
		regSch + `\DisabledByDefault: 0x00000000 -> 0x00000000 (unchanged)`,
		"partly changed: 2 value(s) set and journaled, 1 failed",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	events := map[string]string{}
	for _, j := range readJournalFile(t, journal) {
		if j.Event != evPrior {
			events[j.Key+`\`+j.Name] = j.Event
		}
	}
	want := map[string]string{
		regDSP + `\DefaultSecureProtocols`: evApplied, regDSPWow + `\DefaultSecureProtocols`: evApplied,
		regSch + `\Enabled`: evFailed,
	}
	if !reflect.DeepEqual(events, want) {
		t.Errorf("journal outcomes %v, want %v", events, want)
	}
	if v := valueOf(after["PC-DENY"], regDSP, "DefaultSecureProtocols"); v.Data != "2560" {
		t.Fatalf("after the partial fix the native value is %+v", v)
	}

	back, out := l.results("back.jsonl", "fix", "--rollback", journal)
	for _, key := range []string{regDSP, regDSPWow} {
		if v := valueOf(back["PC-DENY"], key, "DefaultSecureProtocols"); v.State != facts.StateNoKey {
			t.Errorf("after rollback %s is %+v, want no key\n%s", key, v, out)
		}
	}
	if strings.Contains(out, regSch) {
		t.Errorf("the rollback touched a value that was never written:\n%s", out)
	}
}

// Rollback undoes the runs of one journal newest first, and an entry whose value is no longer
// what fix wrote is refused on its own while the others are restored.
func TestFixRollbackNewestFirstRefusesOnlyItself(t *testing.T) {
	p := builtinProfile(t, "PC-W7-003", "PC-RB", func(p *winrmsim.Profile) {
		p.Registry[regDSP]["DefaultSecureProtocols"] = dword(0xA80)
		p.Registry[regDSPWow]["DefaultSecureProtocols"] = dword(0x800) // someone changed it after fix
	})
	l := newFixLab(t, []winrmsim.Profile{p})
	h := l.fleet.Host("PC-RB")
	t1 := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	t2 := t1.Add(time.Hour)
	entries := []journalEntry{
		{Run: "r1", Event: evPrior, Host: "PC-RB", Address: h.Addr(), Key: regDSP, Name: "DefaultSecureProtocols", Prior: &facts.Value{State: facts.StateNoValue}, Op: facts.OpOr, New: "2560", NewType: facts.RegDWORD, Time: t1},
		{Run: "r1", Event: evApplied, Host: "PC-RB", Key: regDSP, Name: "DefaultSecureProtocols", New: "2560", NewType: facts.RegDWORD, Time: t1},
		{Run: "r1", Event: evPrior, Host: "PC-RB", Address: h.Addr(), Key: regDSPWow, Name: "DefaultSecureProtocols", Prior: &facts.Value{State: facts.StateNoValue}, Op: facts.OpOr, New: "2560", NewType: facts.RegDWORD, Time: t1},
		{Run: "r1", Event: evApplied, Host: "PC-RB", Key: regDSPWow, Name: "DefaultSecureProtocols", New: "2560", NewType: facts.RegDWORD, Time: t1},
		{Run: "r2", Event: evPrior, Host: "PC-RB", Address: h.Addr(), Key: regDSP, Name: "DefaultSecureProtocols", Prior: &facts.Value{State: facts.StateOK, Type: facts.RegDWORD, Data: "2560"}, Op: facts.OpDWORD, New: "2688", NewType: facts.RegDWORD, Time: t2},
		{Run: "r2", Event: evApplied, Host: "PC-RB", Key: regDSP, Name: "DefaultSecureProtocols", New: "2688", NewType: facts.RegDWORD, Time: t2},
	}
	journal := l.path("j.jsonl")
	var b strings.Builder
	for _, e := range entries {
		line, _ := json.Marshal(e)
		b.Write(append(line, '\n'))
	}
	if err := os.WriteFile(journal, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	back, out := l.results("back.jsonl", "fix", "--rollback", journal)
	if v := valueOf(back["PC-RB"], regDSP, "DefaultSecureProtocols"); v.State != facts.StateNoValue {
		t.Errorf("native value after rollback %+v, want absent (0xA80 -> 0xA00 -> absent)\n%s", v, out)
	}
	if v := valueOf(back["PC-RB"], regDSPWow, "DefaultSecureProtocols"); v.Data != "2048" {
		t.Errorf("Wow6432Node value after rollback %+v, want 0x800 left alone\n%s", v, out)
	}
	for _, want := range []string{
		regDSPWow + `\DefaultSecureProtocols: 0x00000800 -> (absent) (not restored: refused: the value is not what the journal says it was (now REG_DWORD:2048))`,
		"partly changed: 2 value(s) restored, 1 not",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	b2, _ := os.ReadFile(journal)
	if !strings.HasPrefix(string(b2), b.String()) {
		t.Error("the rollback rewrote the journal instead of appending to it")
	}
}

// A journal that names any value fix does not write is refused as a whole before any host is
// contacted, naming the entry.
func TestFixRollbackRefusesForeignJournal(t *testing.T) {
	l := newFixLab(t, []winrmsim.Profile{builtinProfile(t, "PC-W7-003", "PC-J", func(*winrmsim.Profile) {})})
	h := l.fleet.Host("PC-J")
	good, _ := json.Marshal(journalEntry{Run: "r", Event: evPrior, Host: "PC-J", Address: h.Addr(), Key: regDSP, Name: "DefaultSecureProtocols", Prior: &facts.Value{State: facts.StateNoValue}, Time: time.Now()})
	tests := []struct{ name, line, want string }{
		{"WinRM service start", `{"host":"PC-J","address":"` + h.Addr() + `","key":"HKLM\\SYSTEM\\CurrentControlSet\\Services\\WinRM","name":"Start","prior":{"item":"","key":"","name":"","state":"ok","type":"REG_DWORD","data":"4"},"new":"2","time":"2026-12-01T00:00:00Z"}`, `line 2: host PC-J: HKLM\SYSTEM\CurrentControlSet\Services\WinRM\Start is not a value tlsready fix writes`},
		{"another name in an allowed key", `{"event":"prior","host":"PC-J","key":"` + strings.ReplaceAll(regDSP, `\`, `\\`) + `","name":"ProxySettingsPerUser","time":"2026-12-01T00:00:00Z"}`, `line 2: host PC-J: ` + regDSP + `\ProxySettingsPerUser is not a value`},
		{"HKCU", `{"event":"prior","host":"PC-J","key":"HKCU\\Software","name":"X","time":"2026-12-01T00:00:00Z"}`, `line 2: host PC-J: HKCU\Software\X is not a value`},
		{"an unknown event", `{"event":"format","host":"PC-J","key":"` + strings.ReplaceAll(regDSP, `\`, `\\`) + `","name":"DefaultSecureProtocols","time":"2026-12-01T00:00:00Z"}`, `line 2: unknown event "format"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			journal := filepath.Join(t.TempDir(), "j.jsonl")
			if err := os.WriteFile(journal, []byte(string(good)+"\n"+tc.line+"\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			code, _, stderr := l.cli("fix", "--rollback", journal)
			if code != exitUsage || !strings.Contains(stderr, tc.want) || !strings.Contains(stderr, "nothing was changed") {
				t.Errorf("exit %d, stderr %s; want %q", code, stderr, tc.want)
			}
			if n := h.Stats().Requests; n != 0 {
				t.Errorf("the host got %d requests: the journal must be refused before connecting", n)
			}
		})
	}
}

// --win7-schannel adds SCHANNEL DisabledByDefault=0 (and Enabled=1, absent here) on Windows 7
// where DisabledByDefault is absent; without it fix leaves SCHANNEL alone.
func TestFixWin7Schannel(t *testing.T) {
	p := builtinProfile(t, "PC-W7-003", "PC-W7S", func(p *winrmsim.Profile) { delete(p.Registry, regSch) })
	l := newFixLab(t, []winrmsim.Profile{p})
	before, _ := l.results("before.jsonl", "scan", "--targets-file", l.targets)
	if !hasFinding(before["PC-W7S"], checks.IDSchannelDisabledByDefault) {
		t.Fatalf("scan: %v", findingIDs(before["PC-W7S"]))
	}
	tests := []struct {
		args []string
		want []string
	}{
		{nil, []string{"nothing to change"}},
		{[]string{"--win7-schannel"}, []string{
			regSch + `\Enabled: (no key) -> 0x00000001 (would set)`,
			regSch + `\DisabledByDefault: (no key) -> 0x00000000 (would set)`}},
	}
	for _, tc := range tests {
		code, stdout, stderr := l.cli(append([]string{"fix", "--from", l.path("before.jsonl")}, tc.args...)...)
		for _, w := range tc.want {
			if code != exitReady || !strings.Contains(stdout, w) {
				t.Errorf("fix %v: exit %d, lacks %q:\n%s\n%s", tc.args, code, w, stdout, stderr)
			}
		}
	}
}

// The changes a journal records for RESTART_PENDING: values written, of unknown outcome, and
// restored by a rollback that wrote something; not those unchanged, failed or only read.
func TestJournalChanges(t *testing.T) {
	t0 := time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)
	rec := func(event string, changed bool, min int) journalRecord {
		return journalRecord{journalEntry: journalEntry{Run: "r", Event: event, Host: "PC-" + event, Key: regDSP, Name: "DefaultSecureProtocols", Changed: changed, Time: t0.Add(time.Duration(min) * time.Minute)}}
	}
	got := journalChanges([]journalRecord{
		rec(evPrior, false, 0), rec(evApplied, false, 1), rec(evUnchanged, false, 2), rec(evFailed, false, 3),
		rec(evUnknown, false, 4), rec(evRestored, true, 5), rec(evRefused, false, 6), rec("", false, 7),
	})
	var hosts []string
	for h, cs := range got {
		hosts = append(hosts, h)
		if len(cs) != 1 {
			t.Errorf("%s: %d changes", h, len(cs))
		}
	}
	slices.Sort(hosts)
	if want := []string{"pc-", "pc-applied", "pc-restored", "pc-unknown"}; !slices.Equal(hosts, want) {
		t.Errorf("hosts with changes %v, want %v", hosts, want)
	}
	if restored := journalChanges([]journalRecord{rec(evRestored, false, 5)}); len(restored) != 0 {
		t.Errorf("a rollback that found the value already restored is a change: %v", restored)
	}

	// attachChanges keeps the changes the host has not restarted since, once each.
	f := &facts.Facts{BootTime: t0.Add(3 * time.Minute)}
	cs := []facts.Change{{Key: regDSP, Name: "DefaultSecureProtocols", Time: t0.Add(time.Minute)}, {Key: regSch, Name: "Enabled", Time: t0.Add(5 * time.Minute)}}
	attachChanges(f, cs)
	attachChanges(f, cs)
	if len(f.Changes) != 1 || f.Changes[0].Name != "Enabled" {
		t.Errorf("attached %+v, want only the change after the boot", f.Changes)
	}
}

// The connection fails after the apply pass ran: the host is "state unknown: rescan", its values
// are journaled as of unknown outcome, the rescan shows what happened (written, restart
// pending), and the rollback undoes them.
func TestFixLostAnswerIsStateUnknown(t *testing.T) {
	p := builtinProfile(t, "PC-W7-003", "PC-LOST", func(p *winrmsim.Profile) {
		delete(p.Registry, regDSP)
		delete(p.Registry, regDSPWow)
		p.LoseWriteAnswers = 1
	})
	l := newFixLab(t, []winrmsim.Profile{p})
	l.results("before.jsonl", "scan", "--targets-file", l.targets)
	journal := l.path("j.jsonl")
	after, out := l.results("after.jsonl", "fix", "--from", l.path("before.jsonl"), "--apply", "--journal", journal, "--retries", "0")
	if !strings.Contains(out, "state unknown: rescan: 2 value(s) journaled before the answer was lost") {
		t.Errorf("output:\n%s", out)
	}
	var events []string
	for _, j := range readJournalFile(t, journal) {
		events = append(events, j.Event)
	}
	if want := []string{evPrior, evPrior, evUnknown, evUnknown}; !slices.Equal(events, want) {
		t.Errorf("journal events %v, want %v", events, want)
	}
	r := after["PC-LOST"]
	if v := valueOf(r, regDSP, "DefaultSecureProtocols"); v.Data != "2560" || !hasFinding(r, checks.IDRestartPending) {
		t.Errorf("rescan after the lost answer: %+v %v", v, findingIDs(r))
	}
	back, out := l.results("back.jsonl", "fix", "--rollback", journal)
	for _, key := range []string{regDSP, regDSPWow} {
		if v := valueOf(back["PC-LOST"], key, "DefaultSecureProtocols"); v.State != facts.StateNoKey {
			t.Errorf("after rollback %s is %+v, want no key\n%s", key, v, out)
		}
	}
}

// fix --apply does not overwrite an existing results file with its rescan, and changes nothing.
func TestFixRefusesExistingOut(t *testing.T) {
	l := newFixLab(t, []winrmsim.Profile{builtinProfile(t, "PC-W7-003", "PC-OUT", func(p *winrmsim.Profile) { delete(p.Registry, regDSPWow) })})
	l.results("before.jsonl", "scan", "--targets-file", l.targets)
	before, _ := os.ReadFile(l.path("before.jsonl"))
	code, _, stderr := l.cli("fix", "--from", l.path("before.jsonl"), "--apply", "--journal", l.path("j.jsonl"), "--out", l.path("before.jsonl"))
	after, _ := os.ReadFile(l.path("before.jsonl"))
	if code != exitUsage || !strings.Contains(stderr, "exists") || string(after) != string(before) {
		t.Errorf("exit %d, stderr %s; the results file changed: %v", code, stderr, string(after) != string(before))
	}
	if _, err := os.Stat(l.path("j.jsonl")); err == nil {
		t.Error("a journal was written although nothing was to be done")
	}
}
