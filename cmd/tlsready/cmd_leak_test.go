package main

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"
	"time"
)

// openFDs counts this process's open file descriptors.
func openFDs(t *testing.T) int {
	t.Helper()
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skipf("cannot count file descriptors here: %v", err)
	}
	return len(ents)
}

// settle waits until f() is at most limit, up to 5 s, and returns its last value: connections
// and their goroutines end shortly after the client closes them, not at once.
func settle(limit int, f func() int) int {
	deadline := time.Now().Add(5 * time.Second)
	n := f()
	for n > limit && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
		n = f()
	}
	return n
}

// A scan of 5,000 simulated hosts (NTLM with message encryption, 256 at a time) leaves no
// goroutine and no file descriptor behind: after it, the process has what it had before (the
// simulated hosts' listeners included), within a small slack for runtime goroutines.
func TestScan5000Hosts_noGoroutineOrFDGrowth(t *testing.T) {
	if testing.Short() {
		t.Skip("5,000 hosts")
	}
	const n = 5000
	const password = "leak-lab-Passw0rd"
	_, targets, want := healthyFleet(t, n, password)
	t.Setenv("TLSREADY_PASSWORD", password)
	runtime.GC()
	g0, fd0 := runtime.NumGoroutine(), openFDs(t)
	out := filepath.Join(t.TempDir(), "results.jsonl")
	start := time.Now()
	// 70 s alone under -race on two cores; CI runs the other packages' tests beside it. The
	// shell method: five requests a host, where WMI's twenty-odd would make this test five times
	// longer without exercising more of the scan's goroutines and connections
	// (TestWMIGeneratedLabSameFacts reads a generated lab over WMI).
	code, _, stderr := runCLIWithin(t, 6*time.Minute, "scan", "--targets-file", targets, "--user", `LAB\tlsready`, "--auth", "ntlm",
		"--method", "shell", "--concurrency", "256", "--timeout", "60s", "--no-progress", "--out", out)
	elapsed := time.Since(start)
	if code != exitAction {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	g1 := settle(g0+5, runtime.NumGoroutine)
	fd1 := settle(fd0+2, func() int { return openFDs(t) })
	t.Logf("%d hosts in %s (%.0f hosts/s): goroutines %d -> %d, file descriptors %d -> %d",
		n, elapsed.Round(time.Millisecond), float64(n)/elapsed.Seconds(), g0, g1, fd0, fd1)
	if g1 > g0+5 {
		t.Errorf("goroutines grew from %d to %d across the scan", g0, g1)
	}
	if fd1 > fd0+2 {
		t.Errorf("file descriptors grew from %d to %d across the scan", fd0, fd1)
	}
	checkComplete(t, out, want)
}
