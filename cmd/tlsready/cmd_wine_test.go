//go:build linux

package main

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tlsready/tlsready/internal/labenv"
	"github.com/tlsready/tlsready/scan"
)

// wineEnv reads the env file of scripts/wine.sh named by TLSREADY_WINE_ENV (KEY=value lines:
// WINEPREFIX, WINE); without TLSREADY_WINE_ENV it calls labenv.Require.
func wineEnv(t *testing.T) map[string]string {
	t.Helper()
	path := os.Getenv("TLSREADY_WINE_ENV")
	if path == "" {
		labenv.Require(t, "TLSREADY_WINE_ENV not set: run scripts/wine.sh setup /tmp/tlsready-wine and set TLSREADY_WINE_ENV=/tmp/tlsready-wine/env (as .ci/run does) for the test of the Windows build under Wine")
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatalf("TLSREADY_WINE_ENV: %v", err)
	}
	defer f.Close()
	env := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if k, v, ok := strings.Cut(strings.TrimSpace(sc.Text()), "="); ok && !strings.HasPrefix(k, "#") {
			env[k] = v
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	for _, k := range []string{"WINEPREFIX", "WINE"} {
		if env[k] == "" {
			t.Fatalf("%s lacks %s", path, k)
		}
	}
	return env
}

// winePath is the Windows name of a Linux path under Wine, which maps / to Z:.
func winePath(p string) string { return `Z:` + strings.ReplaceAll(p, "/", `\`) }

// wineCommand runs the Windows program exe under the Wine of env with args and extra environment.
func wineCommand(ctx context.Context, env map[string]string, exe string, extra []string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, env["WINE"], append([]string{exe}, args...)...)
	cmd.Env = append(os.Environ(), "WINEPREFIX="+env["WINEPREFIX"], "WINEDEBUG=-all", "DISPLAY=")
	cmd.Env = append(cmd.Env, extra...)
	cmd.WaitDelay = 10 * time.Second
	return cmd
}

// The Windows build (windows/amd64) under an independent Windows runtime, Wine: the demo gives
// every host of the built-in fleet its documented verdict and error category, and the same
// results file as the Linux build but for ids, times, addresses and durations; and a scan over
// the network of the fleet served by a Linux "tlsready lab" (NTLM with message encryption)
// gives the documented verdicts too, including the refused port (unreachable) and the host that
// never answers (timeout), whose errors come from Windows' socket layer.
func TestWindowsBuildUnderWine(t *testing.T) {
	if testing.Short() {
		t.Skip("cross-builds the binary and runs it under Wine")
	}
	env := wineEnv(t)
	want := fleetExpectations(t)
	tmp := t.TempDir()
	exe := filepath.Join(tmp, "tlsready.exe")
	build := exec.Command("go", "build", "-trimpath", "-o", exe, ".")
	build.Env = append(os.Environ(), "GOOS=windows", "GOARCH=amd64", "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build for windows/amd64: %v\n%s", err, out)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()

	// The two demos run side by side: each waits 5 s for its hanging host.
	linuxDemo := filepath.Join(tmp, "demo-linux.jsonl")
	linuxDone := make(chan string, 1)
	go func() {
		code, _, stderr := runCLI(t, "demo", "--out", linuxDemo)
		if code != exitReady {
			linuxDone <- stderr
		}
		close(linuxDone)
	}()
	winDemo := filepath.Join(tmp, "demo-windows.jsonl")
	start := time.Now()
	out, err := wineCommand(ctx, env, exe, nil, "demo", "--out", winePath(winDemo)).CombinedOutput()
	if err != nil {
		t.Fatalf("wine tlsready.exe demo: %v\n%s", err, lastLines(string(out), 20))
	}
	t.Logf("demo under Wine: %s", time.Since(start).Round(time.Millisecond))
	// Through a pipe there is no console to switch to virtual-terminal processing: the output
	// is plain, no colour and no live line.
	if strings.Contains(string(out), "\x1b[") {
		t.Errorf("the Windows build wrote escape sequences to a pipe:\n%q", lastLines(string(out), 5))
	}
	if !strings.Contains(string(out), "Next steps") {
		t.Errorf("the Windows build's demo does not end with the next steps:\n%s", lastLines(string(out), 12))
	}
	winResults := readResultsFile(t, winDemo)
	checkAgainstExpectations(t, winResults, want)
	if stderr, failed := <-linuxDone; failed {
		t.Fatalf("Linux demo failed: %s", stderr)
	}
	linuxResults := readResultsFile(t, linuxDemo)
	for host, lr := range linuxResults {
		wr, ok := winResults[host]
		if !ok {
			continue // reported by checkAgainstExpectations
		}
		if l, w := comparable(t, lr), comparable(t, wr); l != w {
			t.Errorf("host %s: the Windows build's result differs from the Linux build's\nlinux:   %s\nwindows: %s", host, l, w)
		}
	}

	// A scan over the network: the Linux lab serves the fleet, the Windows build scans it.
	const password = "wine-lab-Passw0rd"
	lines := startLabProcess(t, buildBinary(t), password, len(want), "--auth", "ntlm", "--fleet", "../../testdata/fleet")
	targets := filepath.Join(tmp, "targets.txt")
	if err := os.WriteFile(targets, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	scanOut := filepath.Join(tmp, "scan-windows.jsonl")
	start = time.Now()
	out, err = wineCommand(ctx, env, exe, []string{"TLSREADY_PASSWORD=" + password},
		"scan", "--targets-file", winePath(targets), "--auth", "ntlm", "--user", `LAB\tlsready`,
		"--timeout", "5s", "--no-progress", "--out", winePath(scanOut)).CombinedOutput()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != exitUnknown {
		t.Fatalf("wine tlsready.exe scan: %v (want exit code %d: the fleet has unknown hosts)\n%s", err, exitUnknown, lastLines(string(out), 20))
	}
	t.Logf("scan under Wine: %s", time.Since(start).Round(time.Millisecond))
	if strings.Contains(string(out), password) {
		t.Errorf("scan output contains the password")
	}
	scanResults := readResultsFile(t, scanOut)
	checkAgainstExpectations(t, scanResults, want)
	for _, host := range []string{"PC-OFF-023", "PC-HANG-024"} {
		if r := scanResults[host]; r.Error != nil {
			t.Logf("%s under Wine: %s: %s", host, r.Error.Category, r.Error.Message)
		}
	}
}

var (
	wineAddrRE     = regexp.MustCompile(`127\.0\.0\.1:\d+`)
	wineDurationRE = regexp.MustCompile(`\b\d+(\.\d+)?(ns|µs|us|ms|s|m)\b`)
	// The socket error's text is the OS's: "connect: connection refused" on Linux,
	// "connectex: ..." on Windows (and Wine); the category says what it means.
	wineSocketErrRE = regexp.MustCompile(`(dial tcp ADDR: )[^"]*`)
	wineTimeoutRE   = regexp.MustCompile(`^(host [^:]+:\d+: [a-z ]+: ).*`)
)

// comparable is a result as JSON with what differs from run to run blanked: the scan id, the
// times, the address and port, durations in messages, and the OS's text of a socket error.
func comparable(t *testing.T, r scan.Result) string {
	t.Helper()
	r.ScanID, r.Address, r.Start, r.End = "", "", time.Time{}, time.Time{}
	if r.Error != nil && r.Error.Category == scan.CategoryTimeout {
		// Which deadline reports a hanging host first, the connection's or the context's (both
		// the per-host timeout), is a race on every OS: keep the phase, blank the wording.
		e := *r.Error
		e.Message = wineTimeoutRE.ReplaceAllString(e.Message, "${1}TIMEOUT")
		r.Error = &e
	}
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	s := wineAddrRE.ReplaceAllString(string(b), "ADDR")
	s = wineDurationRE.ReplaceAllString(s, "DURATION")
	return wineSocketErrRE.ReplaceAllString(s, "${1}OS-SOCKET-ERROR")
}
