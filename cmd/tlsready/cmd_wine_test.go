//go:build linux

package main

import (
	"context"
	"encoding/json"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tlsready/tlsready/internal/winetest"
	"github.com/tlsready/tlsready/scan"
)

// The Windows build (windows/amd64) under an independent Windows runtime, Wine: the demo gives
// every host of the built-in fleet its documented verdict and error category, and the same
// results file as the Linux build but for ids, times, addresses and durations; and a scan over
// the network of the fleet served by a Linux "tlsready lab" (NTLM with message encryption)
// gives the documented verdicts too, including the refused port (unreachable) and the host that
// never answers (timeout), whose errors come from Windows' socket layer. The subtests: reports
// and kits written by either build are the same (wineParity), every file flag takes a Windows
// path with backslashes and spaces (C:\Users\Admin User\tlsready runs ...\week 1.jsonl), Ctrl-C
// stops a scan in two stages as on Unix, and the password prompt reads the console without echo.
func TestWindowsBuildUnderWine(t *testing.T) {
	t.Parallel() // its programs run as processes with their own environment and folders
	if testing.Short() {
		t.Skip("cross-builds the binary and runs it under Wine")
	}
	env := winetest.Load(t)
	want := fleetExpectations(t)
	exe := windowsExe(t)
	bin := buildBinary(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	w := newWineRun(t, env, exe, bin)

	// The two demos run side by side: each waits 5 s for its hanging host. Each writes to an
	// absolute path with spaces (on Windows C:\Users\Admin User\tlsready runs ...\week 1.jsonl).
	linuxDone := make(chan string, 1)
	go func() {
		if r := w.linux(ctx, nil, "demo", "--out", w.linuxPath("week 1.jsonl")); r.code != exitReady {
			linuxDone <- r.stderr
		}
		close(linuxDone)
	}()
	start := time.Now()
	r := w.windows(ctx, nil, "demo", "--out", w.windowsPath("week 1.jsonl"))
	if r.code != exitReady {
		t.Fatalf("wine tlsready.exe demo: exit %d\n%s", r.code, lastLines(r.stderr, 20))
	}
	out := r.stdout + r.stderr
	t.Logf("demo under Wine: %s", time.Since(start).Round(time.Millisecond))
	// Through a pipe there is no console to switch to virtual-terminal processing: the output
	// is plain, no colour and no live line.
	if strings.Contains(out, "\x1b[") {
		t.Errorf("the Windows build wrote escape sequences to a pipe:\n%q", lastLines(out, 5))
	}
	if !strings.Contains(out, "Next steps") {
		t.Errorf("the Windows build's demo does not end with the next steps:\n%s", lastLines(out, 12))
	}
	winResults := readResultsFile(t, filepath.Join(w.winDir, "week 1.jsonl"))
	checkAgainstExpectations(t, winResults, want)
	if stderr, failed := <-linuxDone; failed {
		t.Fatalf("Linux demo failed: %s", stderr)
	}
	linuxResults := readResultsFile(t, filepath.Join(w.linuxDir, "week 1.jsonl"))
	for host, lr := range linuxResults {
		wr, ok := winResults[host]
		if !ok {
			continue // reported by checkAgainstExpectations
		}
		if l, w := comparable(t, lr), comparable(t, wr); l != w {
			t.Errorf("host %s: the Windows build's result differs from the Linux build's\nlinux:   %s\nwindows: %s", host, l, w)
		}
	}
	t.Run("reports and kits", func(t *testing.T) { wineParity(ctx, t, w) })

	// A scan over the network: the Linux lab serves the fleet, the Windows build scans it.
	const password = "wine-lab-Passw0rd"
	lines := startLabProcess(t, bin, password, len(want), "--auth", "ntlm", "--fleet", "../../testdata/fleet")
	w.writeBoth(t, "targets list.txt", []byte(strings.Join(lines, "\n")+"\n"))
	start = time.Now()
	r = w.windows(ctx, []string{"TLSREADY_PASSWORD=" + password},
		"scan", "--targets-file", w.windowsPath("targets list.txt"), "--auth", "ntlm", "--user", `LAB\tlsready`,
		"--timeout", "5s", "--no-progress", "--out", w.windowsPath("lab scan 1.jsonl"))
	if r.code != exitUnknown {
		t.Fatalf("wine tlsready.exe scan: exit %d (want %d: the fleet has unknown hosts)\n%s", r.code, exitUnknown, lastLines(r.stderr, 20))
	}
	t.Logf("scan under Wine: %s", time.Since(start).Round(time.Millisecond))
	if strings.Contains(r.stdout+r.stderr, password) {
		t.Errorf("scan output contains the password")
	}
	scanResults := readResultsFile(t, filepath.Join(w.winDir, "lab scan 1.jsonl"))
	checkAgainstExpectations(t, scanResults, want)
	for _, host := range []string{"PC-OFF-023", "PC-HANG-024"} {
		if r := scanResults[host]; r.Error != nil {
			t.Logf("%s under Wine: %s: %s", host, r.Error.Category, r.Error.Message)
		}
	}
	t.Run("paths", func(t *testing.T) { winePaths(ctx, t, w, password, want) })
	t.Run("ctrl-c", func(t *testing.T) { wineCtrlC(ctx, t, w, password, lines, want) })
	t.Run("password prompt", func(t *testing.T) { winePasswordPrompt(ctx, t, w, password, lines, want) })
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
