package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
)

// shellOnlyCategories are the hosts of the fleet README whose row says what --method shell
// gives them ("with `--method shell`: unknown, category X"): hosts that keep the PowerShell
// collector out but answer WMI.
func shellOnlyCategories(t *testing.T) map[string]string {
	t.Helper()
	b, err := os.ReadFile("../../testdata/fleet/README.md")
	if err != nil {
		t.Fatal(err)
	}
	re := regexp.MustCompile("(?m)^\\| ([A-Z0-9-]+) \\|[^|]*\\| ready \\| read over WMI[^|]*with `--method shell`: unknown, category ([a-z]+)")
	out := map[string]string{}
	for _, m := range re.FindAllStringSubmatch(string(b), -1) {
		out[m[1]] = m[2]
	}
	if len(out) != 3 {
		t.Fatalf("fleet README: %d hosts read over WMI only, want 3 (%v)", len(out), out)
	}
	return out
}

// TestDemo_method: the default (auto) reads every reachable host of the built-in fleet over WMI,
// including those that refuse the shell collector, and records "method" in the results file;
// --method shell gives those hosts the documented categories and every other host the same
// verdict; --method wmi the same verdicts as auto.
func TestDemo_method(t *testing.T) {
	t.Parallel() // in-process demos with their own fleets and files; most of its time is the wait for PC-HANG-024
	want := fleetExpectations(t)
	shellOnly := shellOnlyCategories(t)
	results := map[string]map[string]expectation{}
	// The three demos run side by side: each spends most of its time waiting for its hanging
	// host (PC-HANG-024), so one after the other would wait three times. Each has its own
	// fleet of simulated hosts and its own results file.
	type demoRun struct {
		args   []string
		out    string
		code   int
		stderr string
	}
	methods := []string{"", "wmi", "shell"}
	runs := make([]demoRun, len(methods))
	var wg sync.WaitGroup
	for i, method := range methods {
		out := filepath.Join(t.TempDir(), "results.jsonl")
		// Three demos of 43 hosts in this process, beside the other parallel tests (256
		// flooding hosts served from this process among them) and the other packages' tests,
		// under -race: twelve times the demo's 5 s per host, so that a loaded machine does not
		// turn a slow host into a verdict (PC-HANG-024 still times out; the wait is idle).
		// All 129 hosts start at once and share the CPU: a run of the whole suite beside a
		// busy loop on two cores left a few of them unfinished at 10, 15 and 30 s a host
		// (their loopback connects and WMI reads timed out).
		args := []string{"demo", "--out", out, "--timeout", "60s"}
		if method != "" {
			args = append(args, "--method", method)
		}
		runs[i] = demoRun{args: args, out: out}
		wg.Add(1)
		go func() {
			defer wg.Done()
			runs[i].code, _, runs[i].stderr = runCLI(t, args...)
		}()
	}
	wg.Wait()
	for i, method := range methods {
		args, out, code, stderr := runs[i].args, runs[i].out, runs[i].code, runs[i].stderr
		if code != exitReady {
			t.Fatalf("demo %v: exit %d\nstderr: %s", args, code, stderr)
		}
		got := readResultsFile(t, out)
		exp := map[string]expectation{}
		for host, e := range want {
			if cat, ok := shellOnly[host]; ok && method == "shell" {
				e = expectation{file: e.file, verdict: "unknown", category: cat}
			}
			exp[host] = e
		}
		checkAgainstExpectations(t, got, exp)
		wantMethod := method
		if method == "" {
			wantMethod = "wmi" // auto: every host that answers WMI is read over WMI
		}
		for host, r := range got {
			judged := r.Error == nil
			if judged && r.Method != wantMethod || !judged && r.Method != "" {
				t.Errorf("--method %q: host %s (%s) has method %q, want %q", method, host, r.Verdict, r.Method, wantMethod)
			}
		}
		m := map[string]expectation{}
		for host, r := range got {
			m[host] = expectation{verdict: string(r.Verdict)}
		}
		results[method] = m
	}
	for host := range want {
		if results[""][host] != results["wmi"][host] {
			t.Errorf("%s: auto %v, wmi %v", host, results[""][host], results["wmi"][host])
		}
		if _, ok := shellOnly[host]; !ok && results[""][host] != results["shell"][host] {
			t.Errorf("%s: auto %v, shell %v", host, results[""][host], results["shell"][host])
		}
	}
}

// TestScan_methodFlagChecked: a --method that is none of the three is a usage error naming them.
func TestScan_methodFlagChecked(t *testing.T) {
	code, _, stderr := runCLI(t, "demo", "--method", "powershell", "--out", filepath.Join(t.TempDir(), "r.jsonl"))
	if code != exitUsage || !strings.Contains(stderr, "want shell, wmi or auto") {
		t.Errorf("exit %d, stderr %q", code, stderr)
	}
}
