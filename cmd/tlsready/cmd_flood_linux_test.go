//go:build linux

package main

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tlsready/tlsready/remote/winrmsim"
	"github.com/tlsready/tlsready/scan"
)

// floodBoundMB is the documented bound (README, Limits) on the memory of a scan of 256
// flooding hosts at a time: the program (48 MB) and 256 hosts at 18 MB (9 MB live, which the
// collector lets grow to twice).
const floodBoundMB = 48 + 256*18

// A fleet of 256 hosts that flood their output (fault flood: endless stdout as fast as the
// client reads, in valid Receive answers of 150 KB), scanned 256 at a time over NTLM with
// encryption, keeps the scanner's peak resident memory within the documented bound, and every
// host fails with category winrm and the cause. The scanner is the CLI binary in a process of its
// own (the hosts run in this one): its peak RSS is the kernel's (VmHWM, and rusage Maxrss once it
// has ended), Go heap and all, which no in-process sample could separate from the simulator's. The
// test polls VmHWM and kills the scanner as soon as it passes the bound, so that a regression
// fails fast instead of eating the machine.
func TestScanFloodingFleetStaysWithinMemoryBound(t *testing.T) {
	t.Parallel() // the scanner is a process of its own (its peak RSS is measured, not this one's)
	if testing.Short() {
		t.Skip("builds and runs the binary against 256 hosts")
	}
	const n, password = 256, "flood-lab-Passw0rd"
	base := healthyProfiles(t)[0]
	var profiles []winrmsim.Profile
	for i := range n {
		p := base
		p.Name, p.Fault = fmt.Sprintf("F-%04d", i+1), winrmsim.FaultFlood
		profiles = append(profiles, p)
	}
	fleet, targets := serveFleet(t, profiles, password)
	out := filepath.Join(t.TempDir(), "results.jsonl")
	cmd := exec.Command(buildBinary(t), "scan", "--targets-file", targets, "--user", `LAB\tlsready`, "--auth", "ntlm",
		"--concurrency", strconv.Itoa(n), "--timeout", "300s", "--no-progress", "--out", out, "--method", "shell") // flood: the shell's output
	cmd.Env = append(os.Environ(), "TLSREADY_PASSWORD="+password)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	// 15 s alone; the hosts' deadline and this one are generous because under -race on a
	// loaded machine the hosts (in this process) seal and send 256 x 10 answers of 150 KB slowly.
	peakKB, elapsed, werr := runWatchingRSS(t, cmd, floodBoundMB, 6*time.Minute, &stderr)
	if code := cmd.ProcessState.ExitCode(); code != exitUnknown {
		t.Fatalf("exit %d (%v), want %d: %s", code, werr, exitUnknown, lastLines(stderr.String(), 10))
	}
	t.Logf("%d flooding hosts at concurrency %d in %s: scanner peak RSS %d MB (bound %d MB)",
		n, n, elapsed.Round(time.Millisecond), peakKB>>10, floodBoundMB)
	if peakKB > floodBoundMB<<10 {
		t.Errorf("scanner peak RSS %d MB, want at most %d MB", peakKB>>10, floodBoundMB)
	}
	rs, warns, err := scan.ReadResultsFiles(out)
	if err != nil || len(warns) > 0 {
		t.Fatalf("%s: %v %v", out, err, warns)
	}
	if len(rs) != n {
		t.Errorf("%d results, want %d", len(rs), n)
	}
	for _, r := range rs {
		if r.Error == nil || r.Error.Category != scan.CategoryWinRM || !strings.Contains(r.Error.Message, "command printed more than 1048576 bytes") {
			t.Errorf("%s: error %+v, want category winrm naming the output bound", r.Host, r.Error)
		}
	}
	receives := 0
	for _, h := range fleet.Hosts() {
		receives += h.Stats().Receive
	}
	t.Logf("%d Receives answered (%.1f per host)", receives, float64(receives)/n)
}

// runWatchingRSS runs cmd (a scanner) to its end, polling its peak resident set (VmHWM) every
// 20 ms: it returns the peak in KB, how long the run took and Wait's error. Not rusage Maxrss:
// os/exec starts the child with clone(CLONE_VM|CLONE_VFORK), and Linux's execve records the old
// mm's high-water mark, the test process's own, in the child's maxrss (a race-built test binary
// that has run a 5,000-host scan gave a 78 MB report a Maxrss of 1,568 MB). The test fails at once, the process killed, when the peak passes boundMB or
// the run passes limit, so that a regression fails fast instead of eating the machine.
func runWatchingRSS(t *testing.T, cmd *exec.Cmd, boundMB int64, limit time.Duration, stderr *strings.Builder) (peakKB int64, elapsed time.Duration, werr error) {
	t.Helper()
	start := time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	timer := time.NewTimer(limit)
	defer timer.Stop()
	for {
		select {
		case werr = <-done:
			return peakKB, time.Since(start), werr
		case <-tick.C:
			peakKB = max(peakKB, vmHWM(cmd.Process.Pid))
			if peakKB > boundMB<<10 {
				_ = cmd.Process.Kill()
				<-done
				t.Fatalf("scanner peak RSS %d MB passed the bound of %d MB after %s; killed", peakKB>>10, boundMB, time.Since(start).Round(time.Millisecond))
			}
		case <-timer.C:
			_ = cmd.Process.Kill()
			<-done
			t.Fatalf("scan still running after %s: %s", limit, lastLines(stderr.String(), 10))
		}
	}
}

// vmHWM is the peak resident set of process pid in KB, 0 when it cannot be read.
func vmHWM(pid int) int64 {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return kb
		}
	}
	return 0
}
