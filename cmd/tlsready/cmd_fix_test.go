package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/tlsready/tlsready/checks"
	"github.com/tlsready/tlsready/facts"
	"github.com/tlsready/tlsready/scan"
)

// The demo fleet (its 27 hosts that answer): scan, fix as a dry run (nothing changes at the
// simulated hosts), fix --apply (then only the hosts that need KB3140245 or a new OS are not
// ready), fix --rollback (the original verdicts come back).
func TestFixDryRunApplyRollback(t *testing.T) {
	profiles := healthyProfiles(t)
	const password = "fix-lab-Passw0rd"
	_, targets := serveFleet(t, profiles, password)
	t.Setenv("TLSREADY_PASSWORD", password)
	dir := t.TempDir()
	common := []string{"--user", `LAB\tlsready`, "--auth", "ntlm", "--no-progress"}
	scanTo := func(name string, args ...string) map[string]scan.Result {
		t.Helper()
		out := filepath.Join(dir, name)
		if code, _, stderr := runCLI(t, append(append(args, "--out", out), common...)...); code == exitUsage || code == exitUnknown {
			t.Fatalf("%v: exit %d: %s", args, code, lastLines(stderr, 5))
		}
		return readResultsFile(t, out)
	}
	before := scanTo("before.jsonl", "scan", "--targets-file", targets)
	beforeFile := filepath.Join(dir, "before.jsonl")
	needsMore := map[string]bool{} // KB3140245 missing or OS unsupported: registry values cannot make them ready
	for host, r := range before {
		for _, f := range r.Findings {
			if f.ID == checks.IDKBMissing || f.ID == checks.IDOSUnsupported {
				needsMore[host] = true
			}
		}
	}

	// Dry run: prints old -> new, changes nothing.
	code, stdout, stderr := runCLI(t, append([]string{"fix", "--from", beforeFile}, common...)...)
	if code != exitReady || !strings.Contains(stdout, "dry run: nothing was changed") || !strings.Contains(stdout, "would set") {
		t.Fatalf("dry run: exit %d\n%s\n%s", code, stdout, stderr)
	}
	if !strings.Contains(stdout, `DefaultSecureProtocols: (absent) -> 0x00000a00 (would set)`) {
		t.Errorf("dry run does not show old -> new:\n%s", stdout)
	}
	again := scanTo("after-dry-run.jsonl", "scan", "--targets-file", targets)
	for host, r := range before {
		if !reflect.DeepEqual(r.Facts.Values, again[host].Facts.Values) {
			t.Errorf("%s: registry changed by a dry run", host)
		}
	}

	// Apply: journal, rescan; only the hosts that need more than registry values stay not ready.
	journal := filepath.Join(dir, "fix.journal.jsonl")
	fixed := scanTo("after-fix.jsonl", "fix", "--from", beforeFile, "--apply", "--journal", journal)
	if len(fixed) == 0 {
		t.Fatal("fix --apply rescanned no host")
	}
	merged := map[string]scan.Result{}
	for h, r := range before {
		merged[h] = r
	}
	for h, r := range fixed {
		merged[h] = r
	}
	for host, r := range merged {
		want := before[host].Verdict
		if !needsMore[host] && want == checks.Action {
			want = checks.Ready
		}
		if r.Verdict != want {
			t.Errorf("after fix: %s is %s, want %s (findings %v)", host, r.Verdict, want, findingIDs(r))
		}
	}
	if b, err := os.ReadFile(journal); err != nil || strings.Count(string(b), "\n") == 0 {
		t.Fatalf("journal: %v", err)
	}

	// Rollback: the original verdicts.
	back := scanTo("after-rollback.jsonl", "fix", "--rollback", journal)
	if len(back) != len(fixed) {
		t.Errorf("rollback rescanned %d hosts, fix changed %d", len(back), len(fixed))
	}
	for host, r := range back {
		if r.Verdict != before[host].Verdict || !reflect.DeepEqual(findingIDs(r), findingIDs(before[host])) {
			t.Errorf("after rollback: %s is %s %v, was %s %v", host, r.Verdict, findingIDs(r), before[host].Verdict, findingIDs(before[host]))
		}
	}
	// Every value fix wrote is as it was: the same data, or absent again. (A parent key that fix
	// had to create, such as Internet Settings on a simulated host that lacks it, stays.)
	absent := func(st facts.State) bool { return st == facts.StateNoKey || st == facts.StateNoValue }
	b, _ := os.ReadFile(journal)
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		var j journalEntry
		if err := json.Unmarshal([]byte(line), &j); err != nil {
			t.Fatal(err)
		}
		found := false
		for _, v := range back[j.Host].Facts.Values {
			if strings.EqualFold(v.Key, j.Key) && strings.EqualFold(v.Name, j.Name) {
				found = true
				if absent(v.State) != absent(j.Prior.State) || (!absent(v.State) && (v.Type != j.Prior.Type || v.Data != j.Prior.Data)) {
					t.Errorf("%s %s\\%s after rollback: %+v, was %+v", j.Host, j.Key, j.Name, v, j.Prior)
				}
			}
		}
		if !found {
			t.Errorf("%s %s\\%s: not collected after rollback", j.Host, j.Key, j.Name)
		}
	}
}
