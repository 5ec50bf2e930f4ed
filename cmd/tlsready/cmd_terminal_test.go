package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/mattn/go-runewidth"

	"github.com/tlsready/tlsready/checks"
	"github.com/tlsready/tlsready/remote/winrmsim"
	"github.com/tlsready/tlsready/scan"
)

// runCmd runs the command line in-process with the environment vars and returns its exit
// code, stdout and stderr. GOGC is set unless vars set it: the Go runtime's settings are the
// test process's (inProcess).
func runCmd(t *testing.T, vars map[string]string, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr strings.Builder
	getenv := inProcess(func(k string) string { return vars[k] })
	code := runEnv(context.Background(), env{stdin: strings.NewReader(""), stdout: &stdout, stderr: &stderr, getenv: getenv}, args)
	return code, stdout.String(), stderr.String()
}

// A flag mistake prints one line naming the flag as --flag, and where the help is: not the
// whole help.
func TestFlagErrorsAreOneLine(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"scan", "--bogus"}, "unknown flag --bogus"},
		{[]string{"scan", "--target", "PC-01", "--timeout", "x"}, `--timeout "x": want a duration such as 30s`},
		{[]string{"scan", "--target", "PC-01", "--timeout", "0"}, `--timeout "0": must be more than 0`},
		{[]string{"scan", "--target", "PC-01", "--timeout", "-5s"}, `--timeout "-5s": cannot be negative`},
		{[]string{"scan", "--target", "PC-01", "--concurrency", "0"}, `--concurrency "0": must be at least 1`},
		{[]string{"scan", "--target", "PC-01", "--concurrency", "-1"}, `--concurrency "-1": must be at least 1`},
		{[]string{"rescan", "--from", "x.jsonl", "--connect-timeout", "-1"}, `--connect-timeout "-1": cannot be negative`},
		{[]string{"demo", "--timeout"}, "--timeout needs a value"},
		{[]string{"report", "--lang", "fr", "x.jsonl"}, `--lang "fr": want en or ja`},
		{[]string{"merge", "--html"}, "--html needs a value"},
		{[]string{"scan", "--https=maybe"}, "--https takes no value"},
	}
	for _, tc := range tests {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			code, stdout, stderr := runCmd(t, nil, tc.args...)
			if code != exitUsage {
				t.Errorf("exit %d, want %d", code, exitUsage)
			}
			lines := strings.Split(strings.TrimRight(stderr, "\n"), "\n")
			if len(lines) != 2 || !strings.Contains(lines[0], tc.want) || lines[1] != "see tlsready "+tc.args[0]+" --help" {
				t.Errorf("stderr:\n%s\nwant 2 lines: one with %q, then \"see tlsready %s --help\"", stderr, tc.want, tc.args[0])
			}
			if stdout != "" || strings.Contains(stderr, "Flags:") {
				t.Errorf("help printed on a mistake: stdout %q", stdout)
			}
		})
	}
}

// --timeout 5 is 5 seconds; a duration with a unit is as written.
func TestTimeoutBareSeconds(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
	}{{"5", 5 * time.Second}, {"1.5", 1500 * time.Millisecond}, {"2m", 2 * time.Minute}, {"90s", 90 * time.Second}}
	for _, tc := range tests {
		var rf remoteFlags
		fs := flag.NewFlagSet("scan", flag.ContinueOnError)
		rf.register(fs, env{getenv: func(string) string { return "" }}, time.Minute)
		if err := fs.Parse([]string{"--timeout", tc.in}); err != nil || rf.timeout != tc.want {
			t.Errorf("--timeout %s: %v, %v; want %v", tc.in, rf.timeout, err, tc.want)
		}
	}
}

// --help of every command (and of tlsready itself) fits 80 columns, goes to stdout with exit
// 0, and shows the flags as the README writes them: --flag.
func TestHelpFits80ColumnsWithDoubleDashes(t *testing.T) {
	singleDash := regexp.MustCompile(`(?m)^\s+-[a-z]`)
	for _, cmd := range []string{"", "scan", "demo", "rescan", "merge", "report", "remediate", "fix", "discover", "lab"} {
		t.Run("help "+cmd, func(t *testing.T) {
			args := []string{"--help"}
			if cmd != "" {
				args = []string{cmd, "--help"}
			}
			code, stdout, stderr := runCmd(t, nil, args...)
			if code != exitReady || stderr != "" {
				t.Fatalf("exit %d, stderr %q", code, stderr)
			}
			for _, l := range strings.Split(stdout, "\n") {
				if w := runewidth.StringWidth(l); w > 80 {
					t.Errorf("line of %d columns: %q", w, l)
				}
			}
			if singleDash.MatchString(stdout) {
				t.Errorf("a flag shown with a single dash:\n%s", singleDash.FindString(stdout))
			}
			if cmd == "" {
				if !strings.Contains(stdout, "tlsready version") {
					t.Errorf("top-level help does not list version")
				}
				return
			}
			if !strings.Contains(stdout, "\n  --lang ") && !strings.Contains(stdout, "\n  --fleet ") && !strings.Contains(stdout, "\n  --ou ") && !strings.Contains(stdout, "\n  --out ") {
				t.Errorf("no --flag lines:\n%s", stdout)
			}
		})
	}
}

// --quiet (scan, rescan, report): no table on stdout; the results file and --html are written
// and the exit code is that of the run without it.
func TestQuiet(t *testing.T) {
	password := "quiet-Passw0rd"
	_, targets := serveFleet(t, healthyProfiles(t)[:2], password)
	dir := t.TempDir()
	vars := map[string]string{"TLSREADY_PASSWORD": password}
	var codes [2]int
	for i, quiet := range []bool{false, true} {
		out := filepath.Join(dir, []string{"loud.jsonl", "quiet.jsonl"}[i])
		html := out + ".html"
		args := []string{"scan", "--targets-file", targets, "--user", `LAB\tlsready`, "--out", out, "--html", html, "--timeout", "30"}
		if quiet {
			args = append(args, "--quiet")
		}
		code, stdout, stderr := runCmd(t, vars, args...)
		codes[i] = code
		if quiet != (stdout == "") {
			t.Errorf("quiet=%t: stdout %q", quiet, stdout)
		}
		rs, _, err := scan.ReadResultsFiles(out)
		if err != nil || len(rs) != 2 {
			t.Errorf("quiet=%t: results file: %d results, %v\n%s", quiet, len(rs), err, stderr)
		}
		if _, err := os.Stat(html); err != nil {
			t.Errorf("quiet=%t: --html not written: %v", quiet, err)
		}
	}
	if codes[0] != codes[1] {
		t.Errorf("exit codes %v: --quiet changed it", codes)
	}
	for _, args := range [][]string{
		{"report", "--quiet", filepath.Join(dir, "quiet.jsonl")},
		{"rescan", "--quiet", "--from", filepath.Join(dir, "quiet.jsonl"), "--verdict", "ready,action,unsupported,unknown", "--user", `LAB\tlsready`, "--out", filepath.Join(dir, "rescan.jsonl")},
	} {
		code, stdout, stderr := runCmd(t, vars, args...)
		if stdout != "" || (code != exitReady && code != codes[0]) {
			t.Errorf("%s --quiet: exit %d, stdout %q\n%s", args[0], code, stdout, stderr)
		}
	}
	if rs, _, err := scan.ReadResultsFiles(filepath.Join(dir, "rescan.jsonl")); err != nil || len(rs) != 2 {
		t.Errorf("rescan --quiet: %d results, %v", len(rs), err)
	}
}

// Colour only on a terminal that reads escape sequences, never with NO_COLOR set (to anything
// but "") nor with TERM=dumb.
func TestColorAllowed(t *testing.T) {
	tests := []struct {
		name string
		vars map[string]string
		ansi bool
		want bool
	}{
		{"terminal", map[string]string{"TERM": "xterm-256color"}, true, true},
		{"not a terminal", map[string]string{"TERM": "xterm"}, false, false},
		{"NO_COLOR=1", map[string]string{"TERM": "xterm", "NO_COLOR": "1"}, true, false},
		{"NO_COLOR empty is unset", map[string]string{"TERM": "xterm", "NO_COLOR": ""}, true, true},
		{"TERM=dumb", map[string]string{"TERM": "dumb"}, true, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := colorAllowed(func(k string) string { return tc.vars[k] }, tc.ansi); got != tc.want {
				t.Errorf("colorAllowed = %t, want %t", got, tc.want)
			}
		})
	}
}

// Wherever Q numbers appear - the finding table, the HTML report's header, the kit's
// README.txt, the README - the FAQ is named once, with its title and address.
func TestFAQNamedWhereQNumbersAppear(t *testing.T) {
	dir := t.TempDir()
	results := filepath.Join(dir, "demo.jsonl")
	if code, _, stderr := runCLI(t, "demo", "--out", results); code != exitReady {
		t.Fatalf("demo: exit %d\n%s", code, stderr)
	}
	for _, lang := range []string{checks.English, checks.Japanese} {
		html := filepath.Join(dir, "report."+lang+".html")
		kit := filepath.Join(dir, "kit-"+lang)
		code, stdout, stderr := runCLI(t, "report", results, "--lang", lang, "--html", html)
		if code != exitReady {
			t.Fatalf("report: exit %d\n%s", code, stderr)
		}
		if n := strings.Count(stdout, checks.FAQURL); n != 1 || !strings.Contains(strings.Join(strings.Fields(stdout), " "), strings.Join(strings.Fields(checks.FAQTitle(lang)), " ")) {
			t.Errorf("%s: the tables name the FAQ %d times (want once, with its title):\n%s", lang, n, lastLines(stdout, 5))
		}
		if code, _, stderr := runCLI(t, "remediate", results, "--lang", lang, "--out", kit); code != exitReady {
			t.Fatalf("remediate: exit %d\n%s", code, stderr)
		}
		for _, f := range []string{html, filepath.Join(kit, "README.txt")} {
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			if n := strings.Count(string(b), checks.FAQURL); n != 1 || !strings.Contains(string(b), checks.FAQTitle(lang)) {
				t.Errorf("%s names the FAQ %d times, want once with its title", f, n)
			}
		}
	}
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(b), checks.FAQURL); n != 1 {
		t.Errorf("README.md names the FAQ's address %d times, want once", n)
	}
}

// A scan where most hosts fail the same way says so once at the end, with the fix; the table's
// WHAT TO DO shows that fix, not the raw error, which the results file keeps.
func TestScanMostHostsFailTheSameWay(t *testing.T) {
	const password = "most-fail-Passw0rd"
	base := healthyProfiles(t)[0]
	profiles := []winrmsim.Profile{base}
	for i := range 3 {
		p := base
		p.Name, p.Fault = fmt.Sprintf("OFF-%02d", i+1), winrmsim.FaultRefuse
		profiles = append(profiles, p)
	}
	_, targets := serveFleet(t, profiles, password)
	out := filepath.Join(t.TempDir(), "r.jsonl")
	code, stdout, stderr := runCmd(t, map[string]string{"TLSREADY_PASSWORD": password},
		"scan", "--targets-file", targets, "--user", `LAB\tlsready`, "--out", out, "--timeout", "30")
	if code != exitUnknown {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	if n := strings.Count(stderr, "could not be checked for the same reason"); n != 1 || !strings.Contains(stderr, "3 of 4 host(s)") || !strings.Contains(stderr, "winrm quickconfig") {
		t.Errorf("stderr says it %d times, want once with the count and the fix:\n%s", n, stderr)
	}
	flat := strings.Join(strings.Fields(strings.ReplaceAll(stdout, "│", " ")), " ")
	if !strings.Contains(flat, "winrm quickconfig") || strings.Contains(flat, "connection refused") {
		t.Errorf("table: want the advice, not the raw error:\n%s", stdout)
	}
	rs, _, err := scan.ReadResultsFiles(out)
	if err != nil {
		t.Fatal(err)
	}
	raw := 0
	for _, r := range rs {
		if r.Error != nil && strings.Contains(r.Error.Message, "refused") {
			raw++
		}
	}
	if raw != 3 {
		t.Errorf("%d raw errors in the results file, want 3", raw)
	}
}
