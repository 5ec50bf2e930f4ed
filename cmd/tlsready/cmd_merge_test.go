package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tlsready/tlsready/checks"
	"github.com/tlsready/tlsready/scan"
)

// writeResultsFile writes results as a scan would.
func writeResultsFile(t *testing.T, path string, rs ...scan.Result) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := scan.NewResultsWriter(f)
	for _, r := range rs {
		if err := w.Result(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

func result(host string, v checks.Verdict, minute int, category string) scan.Result {
	r := scan.Result{ScanID: "s", Host: host, Verdict: v, Findings: []checks.Finding{}, Attempts: 1,
		Start: time.Date(2026, 11, 26, 9, minute, 0, 0, time.UTC), End: time.Date(2026, 11, 26, 9, minute, 1, 0, time.UTC)}
	if category != "" {
		r.Error = &scan.ErrorInfo{Category: category, Message: "host " + host + ": " + category}
	}
	return r
}

func TestMergeCLI(t *testing.T) {
	dir := t.TempDir()
	first := filepath.Join(dir, "scan.jsonl")
	second := filepath.Join(dir, "rescan.jsonl")
	writeResultsFile(t, first,
		result("PC-1", checks.Unknown, 1, "unreachable"), result("PC-2", checks.Action, 1, ""), result("PC-3", checks.Unknown, 1, "timeout"))
	writeResultsFile(t, second, result("pc-1", checks.Ready, 30, ""), result("PC-3", checks.Action, 30, ""))
	// A third file cut short by a crash: its last line is incomplete.
	third := filepath.Join(dir, "crashed.jsonl")
	writeResultsFile(t, third, result("PC-4", checks.Ready, 40, ""))
	f, _ := os.OpenFile(third, os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString(`{"scanId":"s","host":"PC-5","ver`)
	f.Close()

	out := filepath.Join(dir, "merged.jsonl")
	code, stdout, stderr := runCLI(t, "merge", first, "--out", out, second, third) // flags between files
	if code != exitAction {
		t.Errorf("exit %d, want %d (action hosts, none unknown): %s", code, exitAction, stderr)
	}
	got := readResultsFile(t, out)
	want := map[string]checks.Verdict{"pc-1": checks.Ready, "PC-2": checks.Action, "PC-3": checks.Action, "PC-4": checks.Ready}
	if len(got) != len(want) {
		t.Errorf("merged %d hosts, want %d: %v", len(got), len(want), got)
	}
	for h, v := range want {
		if got[h].Verdict != v {
			t.Errorf("%s: %s, want %s", h, got[h].Verdict, v)
		}
	}
	if !strings.Contains(stderr, "incomplete last line") || !strings.Contains(stderr, "crashed.jsonl") {
		t.Errorf("no warning naming the truncated file: %s", stderr)
	}
	if !strings.Contains(stderr, "6 result(s) from 3 file(s): 4 host(s)") {
		t.Errorf("stderr: %s", stderr)
	}
	if !strings.Contains(stdout, "PC-2") || !strings.Contains(stdout, "VERDICT") {
		t.Errorf("no tables on stdout: %s", stdout)
	}

	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"no files", []string{"merge", "--out", out}, "at least one results file"},
		{"output is an input", []string{"merge", first, "--out", first}, "also an input"},
		{"missing file", []string{"merge", filepath.Join(dir, "nope.jsonl")}, "nope.jsonl"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, stderr := runCLI(t, tc.args...)
			if code != exitUsage || !strings.Contains(stderr, tc.want) {
				t.Errorf("exit %d, stderr %q; want %d and %q", code, stderr, exitUsage, tc.want)
			}
		})
	}
}

func TestParseSelection(t *testing.T) {
	for _, tc := range []struct {
		verdicts, cats string
		want           string
		err            bool
	}{
		{"", "", "verdict unknown", false},
		{"action,unknown", "", "verdict action or unknown", false},
		{"", "unreachable, timeout", "error unreachable or timeout", false},
		{"Unknown", "auth", "verdict unknown, error auth", false},
		{"broken", "", "", true},
		{"", "dns", "", true},
	} {
		sel, err := parseSelection(tc.verdicts, tc.cats)
		if (err != nil) != tc.err {
			t.Errorf("%q %q: err %v", tc.verdicts, tc.cats, err)
			continue
		}
		if !tc.err && describeSelection(sel) != tc.want {
			t.Errorf("%q %q: %s, want %s", tc.verdicts, tc.cats, describeSelection(sel), tc.want)
		}
	}
}
