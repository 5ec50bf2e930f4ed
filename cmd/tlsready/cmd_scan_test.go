package main

import (
	"bufio"
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/tlsready/tlsready/internal/winetest"
	"github.com/tlsready/tlsready/scan"
)

func TestDedupeTargets(t *testing.T) {
	got, dropped := dedupeTargets([]scan.Target{{Name: "PC-01", Address: "a:1"}, {Name: "pc-01", Address: "b:1"}, {Name: "PC-02", Address: "c:1"}})
	if len(got) != 2 || got[0].Address != "a:1" || len(dropped) != 1 || dropped[0] != "pc-01" {
		t.Errorf("got %v dropped %v", got, dropped)
	}
}

func TestScanUsageErrors(t *testing.T) {
	pwFile := filepath.Join(t.TempDir(), "pw")
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"password flag refused", []string{"scan", "--target", "PC-01", "--user", "a", "--password", "hunter2"}, "--password is not accepted"},
		{"password flag with =", []string{"scan", "--password=hunter2"}, "--password is not accepted"},
		{"no targets", []string{"scan", "--user", `CORP\a`}, "no targets"},
		{"no user", []string{"scan", "--target", "PC-01"}, "--user is required"},
		{"no password and no terminal", []string{"scan", "--target", "PC-01", "--user", `CORP\a`}, "no password for CORP\\a"},
		{"bad port", []string{"scan", "--target", "PC-01", "--port", "99999"}, "--port"},
		{"missing targets file", []string{"scan", "--targets-file", "/nonexistent/hosts.txt"}, "/nonexistent/hosts.txt"},
		{"unknown command", []string{"frobnicate"}, "unknown command"},
		{"basic over http refused", []string{"scan", "--auth", "basic", "--target", "PC-01", "--user", `CORP\a`, "--password-file", pwFile}, "use it with --https"},
		{"unknown auth", []string{"scan", "--auth", "digest", "--target", "PC-01", "--user", `CORP\a`, "--password-file", pwFile}, `--auth "digest"`},
	}
	t.Setenv("TLSREADY_PASSWORD", "")
	if err := os.WriteFile(pwFile, []byte("hunter2\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := runCLI(t, tc.args...)
			if code != exitUsage || !strings.Contains(stderr, tc.want) {
				t.Errorf("exit %d, stderr %q; want exit %d and %q", code, stderr, exitUsage, tc.want)
			}
			if strings.Contains(stderr, "hunter2") {
				t.Errorf("the password was echoed: %q", stderr)
			}
		})
	}
}

// demo --fleet DIR works on any directory of profiles: faulty hosts come out unknown with their
// category and every host is in the results file exactly once.
func TestDemo_customFleet_faultsBecomeUnknown(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []string{"pc-w7-003.json", "pc-w7-010.json", "pc-w8-021.json"} {
		b, err := os.ReadFile(filepath.Join("../../testdata/fleet", f))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, f), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	profile := func(name, fault string) string {
		return `{"name": "` + name + `", "os": {"caption": "Microsoft Windows 10 Pro", "version": "10.0.19045", "servicePack": 0,
		 "productType": "workstation", "arch": "64-bit"}, "files": {}, "registry": {}, "fault": "` + fault + `"}`
	}
	for name, fault := range map[string]string{"X-REFUSE": "refuse", "X-AUTH": "auth", "X-GARBAGE": "garbage", "X-HANG": "timeout"} {
		if err := os.WriteFile(filepath.Join(dir, strings.ToLower(name)+".json"), []byte(profile(name, fault)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	out := filepath.Join(t.TempDir(), "results.jsonl")
	// --method shell: garbage is the collector's fault; over WMI (auto) the host is read.
	code, _, stderr := runCLI(t, "demo", "--fleet", dir, "--out", out, "--timeout", "3s", "--method", "shell")
	if code != exitReady {
		t.Fatalf("demo exit %d: %s", code, stderr)
	}
	got := readResultsFile(t, out)
	want := map[string]expectation{
		"PC-W7-003": {verdict: "ready"}, "PC-W7-010": {verdict: "action"}, "PC-W8-021": {verdict: "unsupported"},
		"X-REFUSE": {verdict: "unknown", category: "unreachable"}, "X-AUTH": {verdict: "unknown", category: "auth"},
		"X-GARBAGE": {verdict: "unknown", category: "collector"}, "X-HANG": {verdict: "unknown", category: "timeout"},
	}
	checkAgainstExpectations(t, got, want)

	// A broken profile is refused with its file name and cause, before anything starts.
	if err := os.WriteFile(filepath.Join(dir, "broken.json"), []byte(`{"name": "B", "os": {"version": 7}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, stderr = runCLI(t, "demo", "--fleet", dir, "--out", filepath.Join(t.TempDir(), "r.jsonl"))
	if code != exitUsage || !strings.Contains(stderr, "broken.json") {
		t.Errorf("broken profile: exit %d, stderr %q; want exit 3 naming broken.json", code, stderr)
	}
}

// Two processes: "tlsready lab" serves the built-in fleet, "tlsready scan --targets-file" scans
// it over the network; the verdicts are those documented for the fleet (as in demo).
func TestLabAndScan_twoProcesses(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	want := fleetExpectations(t)
	tmp := t.TempDir()
	bin := buildBinary(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	const password = "lab-only-Passw0rd"
	lines := startLabProcess(t, bin, password, len(want), "--fleet", "../../testdata/fleet")
	targetsFile := filepath.Join(tmp, "lab-hosts.txt")
	if err := os.WriteFile(targetsFile, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}

	results := filepath.Join(tmp, "results.jsonl")
	scanCmd := exec.CommandContext(ctx, bin, "scan", "--auth", "ntlm", "--targets-file", targetsFile, "--user", `LAB\tlsready`,
		"--timeout", "5s", "--out", results)
	scanCmd.Env = append(os.Environ(), "TLSREADY_PASSWORD="+password)
	out, err := scanCmd.CombinedOutput()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != exitUnknown {
		t.Fatalf("scan: %v (want exit code %d: the fleet has unknown hosts)\n%s", err, exitUnknown, out)
	}
	if strings.Contains(string(out), password) {
		t.Errorf("scan output contains the password")
	}
	checkAgainstExpectations(t, readResultsFile(t, results), want)
	if b, _ := os.ReadFile(results); strings.Contains(string(b), password) {
		t.Errorf("results file contains the password")
	}
}

// buildBinary is the Linux build of tlsready, built once for all the tests that run it (testBuilds).
func buildBinary(t *testing.T) string {
	t.Helper()
	return testBuilds.Exe(t, winetest.Program{Dir: ".", Native: true})
}

// startLabProcess runs "tlsready lab ARGS" as a process with the lab password in its
// environment, reads its n host lines, and stops it with Ctrl-C (SIGINT) when the test ends,
// failing the test if it does not stop cleanly.
func startLabProcess(t *testing.T, bin, password string, n int, args ...string) []string {
	t.Helper()
	lab := exec.Command(bin, append([]string{"lab"}, args...)...)
	lab.Env = append(os.Environ(), "TLSREADY_PASSWORD="+password)
	stdout, err := lab.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var labErr strings.Builder
	lab.Stderr = &labErr
	if err := lab.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = lab.Process.Signal(syscall.SIGINT)
		done := make(chan error, 1)
		go func() { done <- lab.Wait() }()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("lab did not stop cleanly on Ctrl-C: %v\n%s", err, labErr.String())
			}
		case <-time.After(20 * time.Second):
			_ = lab.Process.Kill()
			t.Errorf("lab did not stop within 20 s of Ctrl-C")
		}
	})
	var lines []string
	sc := bufio.NewScanner(stdout)
	for len(lines) < n && sc.Scan() {
		lines = append(lines, sc.Text())
	}
	if len(lines) != n {
		t.Fatalf("lab printed %d host lines, want %d\n%s", len(lines), n, labErr.String())
	}
	go func() { _, _ = io.Copy(io.Discard, stdout) }()
	return lines
}
