package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/tlsready/tlsready/checks"
	"github.com/tlsready/tlsready/internal/psgrammar/psgtest"
	"github.com/tlsready/tlsready/internal/syncbuf"
	"github.com/tlsready/tlsready/remote/winrmsim"
	"github.com/tlsready/tlsready/scan"
)

// healthyFleet starts n simulated hosts in this process, copies of the built-in profiles that
// have no fault, named R-0001..., and writes their "NAME URL" lines to a targets file. It
// returns the fleet, the file, and the expected verdict of each host.
func healthyFleet(t *testing.T, n int, password string) (*winrmsim.Fleet, string, map[string]checks.Verdict) {
	t.Helper()
	docs := fleetExpectations(t)
	healthy := healthyProfiles(t)
	want := map[string]checks.Verdict{}
	var profiles []winrmsim.Profile
	for i := range n {
		p := healthy[i%len(healthy)]
		want[fmt.Sprintf("R-%04d", i+1)] = checks.Verdict(docs[p.Name].verdict)
		p.Name = fmt.Sprintf("R-%04d", i+1)
		profiles = append(profiles, p)
	}
	fleet, tf := serveFleet(t, profiles, password)
	return fleet, tf, want
}

// grammar is the PowerShell grammar of this test binary (one node process), when installed.
var grammar = psgtest.Opener()

// serveFleet starts profiles as simulated hosts in this process, accepting LAB\tlsready with
// password and judging programs with the PowerShell grammar, until the test ends, and writes their
// "NAME URL" lines to a targets file.
func serveFleet(t *testing.T, profiles []winrmsim.Profile, password string) (*winrmsim.Fleet, string) {
	t.Helper()
	return serveFleetWith(t, profiles, winrmsim.Options{Password: password})
}

// serveFleetWith is serveFleet with the hosts' options. User is set here; the PowerShell grammar
// judges every program, after opts.ScriptValidator (when set) has seen it and found nothing.
func serveFleetWith(t *testing.T, profiles []winrmsim.Profile, opts winrmsim.Options) (*winrmsim.Fleet, string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	opts.User = `LAB\tlsready`
	first, parse := opts.ScriptValidator, psgtest.ScriptValidator(t, grammar)
	opts.ScriptValidator = parse
	if first != nil {
		opts.ScriptValidator = func(ctx context.Context, s string) (string, error) {
			if msg, err := first(ctx, s); msg != "" || err != nil || parse == nil {
				return msg, err
			}
			return parse(ctx, s)
		}
	}
	fleet, err := winrmsim.StartFleet(ctx, profiles, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { fleet.Close() })
	var lines []string
	for _, h := range fleet.Hosts() {
		lines = append(lines, h.Name()+" "+h.URL())
	}
	tf := filepath.Join(t.TempDir(), "hosts.txt")
	if err := os.WriteFile(tf, []byte(strings.Join(lines, "\n")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return fleet, tf
}

// waitForLines waits until path holds at least n newlines.
func waitForLines(t *testing.T, path string, n int, proc *os.Process) {
	t.Helper()
	deadline := time.Now().Add(90 * time.Second)
	for time.Now().Before(deadline) {
		b, _ := os.ReadFile(path)
		if bytes.Count(b, []byte("\n")) >= n {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	_ = proc.Kill()
	t.Fatalf("%s did not reach %d lines", path, n)
}

// checkComplete asserts that a results file holds every host exactly once, as expected.
func checkComplete(t *testing.T, path string, want map[string]checks.Verdict) {
	t.Helper()
	rs, warns, err := scan.ReadResultsFiles(path)
	if err != nil || len(warns) > 0 {
		t.Fatalf("%s: %v %v", path, err, warns)
	}
	count := map[string]int{}
	for _, r := range rs {
		count[r.Host]++
		if r.Verdict != want[r.Host] {
			t.Errorf("%s: verdict %s, want %s (error %+v)", r.Host, r.Verdict, want[r.Host], r.Error)
		}
	}
	for h := range want {
		if count[h] != 1 {
			t.Errorf("%s appears %d times in %s, want once", h, count[h], path)
		}
	}
	if len(rs) != len(want) {
		t.Errorf("%s has %d lines, want %d", path, len(rs), len(want))
	}
}

// A scan process stopped half-way - by Ctrl-C, which lets running hosts finish, or by SIGKILL,
// which may leave half a line - is completed by "scan --resume FILE": every host exactly once,
// none lost.
func TestScanInterruptedThenResumed(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	const password = "resume-lab-Passw0rd"
	// The scanner runs 2 hosts at a time and is stopped after n/3: at most 2 more finish after
	// the signal, so n/3 leaves a wide margin of hosts for --resume (the test checks that some
	// are left). 120 rather than the former 300: the same assertions in half the time (most of it
	// the simulated hosts under -race).
	const n = 120
	_, targets, want := healthyFleet(t, n, password)
	bin := buildBinary(t)
	t.Setenv("TLSREADY_PASSWORD", password)
	args := []string{"--targets-file", targets, "--user", `LAB\tlsready`, "--auth", "ntlm", "--timeout", "20s", "--no-progress"}

	for _, tc := range []struct {
		name   string
		signal os.Signal
	}{{"ctrl-c", os.Interrupt}, {"sigkill", syscall.SIGKILL}} {
		t.Run(tc.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "results.jsonl")
			cmd := exec.Command(bin, append([]string{"scan", "--concurrency", "2", "--out", out}, args...)...)
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			waitForLines(t, out, n/3, cmd.Process)
			if err := cmd.Process.Signal(tc.signal); err != nil {
				t.Fatal(err)
			}
			err := cmd.Wait()
			var ee *exec.ExitError
			if !errors.As(err, &ee) {
				t.Fatalf("scan ended with %v, want an interrupted exit", err)
			}
			if tc.signal == os.Interrupt {
				// The running hosts finished: every line is a real verdict, the exit code says
				// hosts are left, and the message says how to go on.
				if ee.ExitCode() != exitUnknown || !strings.Contains(stderr.String(), "--resume "+out) {
					t.Errorf("exit %d, stderr:\n%s\nwant exit %d and a --resume hint", ee.ExitCode(), stderr.String(), exitUnknown)
				}
				rs, warns, err := scan.ReadResultsFiles(out)
				if err != nil || len(warns) > 0 {
					t.Fatalf("after Ctrl-C: %v %v", err, warns)
				}
				for _, r := range rs {
					if r.Verdict == checks.Unknown {
						t.Errorf("%s recorded as unknown after Ctrl-C: %+v", r.Host, r.Error)
					}
				}
				if len(rs) >= n {
					t.Fatalf("all %d hosts done before the Ctrl-C took effect: the test proves nothing", len(rs))
				}
			}
			before, _, _ := scan.ReadResultsFiles(out)
			if len(before) >= n {
				t.Fatalf("all %d hosts done before the signal took effect: the test proves nothing", len(before))
			}
			t.Logf("%s after %d of %d hosts", tc.name, len(before), n)
			code, _, rstderr := runCLI(t, append([]string{"scan", "--resume", out}, args...)...)
			if code != exitAction { // the built-in fleet has action and unsupported hosts, no unknown
				t.Errorf("resume exit %d, want %d: %s", code, exitAction, rstderr)
			}
			if wantMsg := fmt.Sprintf("%d of %d host(s) already done", len(before), n); !strings.Contains(rstderr, wantMsg) {
				t.Errorf("resume stderr lacks %q: %s", wantMsg, rstderr)
			}
			checkComplete(t, out, want)
		})
	}
}

// Two shards of one target list scan every host exactly once between them, and merge joins
// their files into the whole fleet.
func TestScanShardsThenMerge(t *testing.T) {
	const password = "shard-lab-Passw0rd"
	_, targets, want := healthyFleet(t, 60, password)
	t.Setenv("TLSREADY_PASSWORD", password)
	dir := t.TempDir()
	var files []string
	total := 0
	for i := 1; i <= 3; i++ {
		out := filepath.Join(dir, fmt.Sprintf("shard-%d.jsonl", i))
		code, _, stderr := runCLI(t, "scan", "--targets-file", targets, "--user", `LAB\tlsready`, "--auth", "ntlm",
			"--no-progress", "--rate", "200", "--shard", fmt.Sprintf("%d/3", i), "--out", out)
		if code == exitUsage || code == exitUnknown {
			t.Fatalf("shard %d: exit %d: %s", i, code, stderr)
		}
		rs, _, err := scan.ReadResultsFiles(out)
		if err != nil {
			t.Fatal(err)
		}
		if len(rs) == 0 || len(rs) == len(want) {
			t.Errorf("shard %d/3 scanned %d of %d hosts", i, len(rs), len(want))
		}
		if !strings.Contains(stderr, fmt.Sprintf("shard %d/3: %d of %d host(s)", i, len(rs), len(want))) {
			t.Errorf("shard %d: stderr lacks the shard's size: %s", i, stderr)
		}
		total += len(rs)
		files = append(files, out)
	}
	if total != len(want) {
		t.Errorf("the shards scanned %d hosts in all, want %d", total, len(want))
	}
	merged := filepath.Join(dir, "merged.jsonl")
	if code, _, stderr := runCLI(t, append(append([]string{"merge"}, files...), "--out", merged, "--quiet")...); code != exitAction {
		t.Fatalf("merge exit %d: %s", code, stderr)
	}
	checkComplete(t, merged, want)
	for _, bad := range []string{"0/3", "4/3", "1/0", "1-3", "1/3x"} {
		code, _, stderr := runCLI(t, "scan", "--targets-file", targets, "--user", `LAB\tlsready`, "--shard", bad)
		if code != exitUsage || !strings.Contains(stderr, "--shard") {
			t.Errorf("--shard %s: exit %d, %s", bad, code, stderr)
		}
	}
}

// The first Ctrl-C lets running hosts finish within --grace; a second one cancels them at once.
// Hosts cut short are not recorded, so --resume scans them again.
func TestScanSecondCtrlCCancelsRunningHosts(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	const password = "ctrlc-lab-Passw0rd"
	dir := t.TempDir()
	for i := 1; i <= 4; i++ {
		p := fmt.Sprintf(`{"name": "HANG-%d", "os": {"caption": "Microsoft Windows 10 Pro", "version": "10.0.19045", "servicePack": 0,
		 "productType": "workstation", "arch": "64-bit"}, "files": {}, "registry": {}, "fault": "timeout"}`, i)
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("hang-%d.json", i)), []byte(p), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	profiles, err := winrmsim.LoadFleet(dir)
	if err != nil {
		t.Fatal(err)
	}
	_, targets := serveFleet(t, profiles, password)
	out := filepath.Join(dir, "results.jsonl")
	cmd := exec.Command(buildBinary(t), "scan", "--targets-file", targets, "--user", `LAB\tlsready`, "--auth", "ntlm",
		"--timeout", "120s", "--grace", "120s", "--no-progress", "--out", out)
	cmd.Env = append(os.Environ(), "TLSREADY_PASSWORD="+password)
	var stderr syncbuf.Buffer // read while the process writes
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Wait until all four hosts hold a request, then press Ctrl-C twice.
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(stderr.String(), "scanning 4 host(s)") && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	time.Sleep(500 * time.Millisecond)
	start := time.Now()
	_ = cmd.Process.Signal(os.Interrupt)
	time.Sleep(300 * time.Millisecond)
	_ = cmd.Process.Signal(os.Interrupt)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != exitUnknown {
			t.Errorf("scan ended with %v, want exit %d\n%s", err, exitUnknown, stderr.String())
		}
	case <-time.After(30 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatalf("scan still running 30 s after the second Ctrl-C\n%s", stderr.String())
	}
	t.Logf("stopped %s after the first Ctrl-C", time.Since(start).Round(time.Millisecond))
	if !strings.Contains(stderr.String(), "Ctrl-C again cancels them") || !strings.Contains(stderr.String(), "--resume "+out) {
		t.Errorf("stderr lacks the stop messages:\n%s", stderr.String())
	}
	if rs, _, err := scan.ReadResultsFiles(out); err != nil || len(rs) != 0 {
		t.Errorf("cancelled hosts were recorded: %d results, %v", len(rs), err)
	}
}
