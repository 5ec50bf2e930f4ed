//go:build linux

package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tlsready/tlsready/checks"
	"github.com/tlsready/tlsready/remote/winrmsim"
	"github.com/tlsready/tlsready/scan"
)

// hostileOutcome is what a scan must make of a host with a hostile fault: unknown with the
// category, or (category "") a host that answered and was judged.
var hostileOutcomes = []struct {
	fault, category string
}{
	{winrmsim.FaultEndlessHeader, scan.CategoryWinRM},
	{winrmsim.FaultEndlessStatus, scan.CategoryWinRM},
	{winrmsim.FaultEndless401, scan.CategoryWinRM},
	{winrmsim.FaultNoNTLM, scan.CategoryAuth},
	{winrmsim.FaultDeepXML, scan.CategoryWinRM},
	{winrmsim.FaultFlood, scan.CategoryWinRM},
	{winrmsim.FaultEndlessHeaderDelete, ""},
	{winrmsim.FaultEchoPassword, ""},
	{winrmsim.FaultControlChars, ""},
}

// A fleet of every hostile host the simulator can be (endless header and status line, endless
// 401 body, no NTLM, deep XML, output flood, endless header on the Delete, the password echoed,
// control characters in every string), four of each, among 48 good hosts, scanned by the CLI
// binary 64 at a time over NTLM: every good host gets its documented verdict, every hostile host
// ends as its fault must, within --timeout; the scanner's peak RSS stays within the documented
// bound (README, Limits: 48 MB + 18 MB per host in flight); and no output (terminal table,
// results file, CSV, JSON, HTML) holds the password in any form or a raw control character.
func TestScanHostileFleet(t *testing.T) {
	t.Parallel() // the scanner is a process of its own with its own environment
	if testing.Short() {
		t.Skip("builds and runs the binary against 84 hosts")
	}
	const (
		user, password = `LAB\tlsready`, "Hostile-Fleet-7qZ"
		concurrency    = 64
		perFault, good = 4, 48
		timeout        = 30 * time.Second
		boundMB        = 48 + concurrency*18
	)
	docs := fleetExpectations(t)
	healthy := healthyProfiles(t)
	want := map[string]struct{ verdict, category, fault, base string }{}
	var profiles []winrmsim.Profile
	for i := range good {
		p := healthy[i%len(healthy)]
		base := p.Name
		p.Name, p.Latency = fmt.Sprintf("GOOD-%02d", i+1), ""
		want[p.Name] = struct{ verdict, category, fault, base string }{docs[base].verdict, "", "", base}
		profiles = append(profiles, p)
	}
	for _, h := range hostileOutcomes {
		for i := range perFault {
			p := healthy[i%len(healthy)]
			base := p.Name
			p.Name, p.Fault, p.Latency = fmt.Sprintf("BAD-%s-%d", strings.ToUpper(h.fault), i+1), h.fault, ""
			w := struct{ verdict, category, fault, base string }{string(checks.Unknown), h.category, h.fault, base}
			if h.category == "" {
				w.verdict = ""
			}
			if h.fault == winrmsim.FaultEndlessHeaderDelete {
				w.verdict = docs[base].verdict // the result comes before the Delete
			}
			want[p.Name] = w
			profiles = append(profiles, p)
		}
	}
	_, targets := serveFleet(t, profiles, password)

	dir := t.TempDir()
	results, html := filepath.Join(dir, "scan.jsonl"), filepath.Join(dir, "scan.html")
	cmd := exec.Command(buildBinary(t), "scan", "--targets-file", targets, "--user", user, "--auth", "ntlm",
		"--concurrency", strconv.Itoa(concurrency), "--timeout", timeout.String(), "--no-progress",
		"--out", results, "--html", html, "--method", "shell") // deep-xml, flood: the shell's Receive
	cmd.Env = append(os.Environ(), "TLSREADY_PASSWORD="+password)
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	peakKB, elapsed, _ := runWatchingRSS(t, cmd, boundMB, 5*time.Minute, &stderr)
	t.Logf("%d hosts (%d hostile) at concurrency %d in %s: scanner peak RSS %d MB (bound %d MB)",
		len(profiles), len(profiles)-good, concurrency, elapsed.Round(time.Millisecond), peakKB>>10, boundMB)
	if code := cmd.ProcessState.ExitCode(); code != exitUnknown {
		t.Fatalf("exit %d, want %d: %s", code, exitUnknown, lastLines(stderr.String(), 10))
	}
	if peakKB > boundMB<<10 {
		t.Errorf("scanner peak RSS %d MB, want at most %d MB", peakKB>>10, boundMB)
	}

	got := readResultsFile(t, results)
	if len(got) != len(want) {
		t.Errorf("%d results, want %d", len(got), len(want))
	}
	for name, w := range want {
		r, ok := got[name]
		if !ok {
			t.Errorf("%s (fault %q) missing from the results", name, w.fault)
			continue
		}
		if d := r.End.Sub(r.Start); d > timeout+2*time.Second {
			t.Errorf("%s (fault %q): %s, longer than --timeout %s", name, w.fault, d, timeout)
		}
		switch {
		case w.category != "":
			if r.Verdict != checks.Unknown || r.Error == nil || r.Error.Category != w.category {
				t.Errorf("%s (fault %q): verdict %s error %+v, want unknown/%s", name, w.fault, r.Verdict, r.Error, w.category)
			}
		case w.verdict != "":
			if string(r.Verdict) != w.verdict {
				t.Errorf("%s (fault %q, copy of %s): verdict %s, want %s (error %+v)", name, w.fault, w.base, r.Verdict, w.verdict, r.Error)
			}
		default:
			if r.Facts == nil {
				t.Errorf("%s (fault %q): no facts (error %+v): the host answers, only its strings are hostile", name, w.fault, r.Error)
			}
		}
	}

	outputs := map[string]string{"scan table": stdout.String(), "scan stderr": stderr.String()}
	for name, path := range map[string]string{"results file": results, "scan html": html} {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		outputs[name] = string(b)
	}
	for _, format := range []string{"table", "csv", "json"} {
		code, out, errOut := runCLI(t, "report", results, "--format", format)
		if code == exitUsage {
			t.Fatalf("report --format %s: %s", format, errOut)
		}
		outputs["report "+format] = out
	}
	for name, text := range outputs {
		for form, s := range passwordForms(user, password) {
			if strings.Contains(text, s) {
				t.Errorf("%s holds the password (%s)", name, form)
			}
		}
		for i, r := range text {
			if isControlRune(r) {
				t.Errorf("%s holds the raw control character %U at byte %d", name, r, i)
				break
			}
		}
	}
}
