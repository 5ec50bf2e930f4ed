package main

import (
	"bufio"
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tlsready/tlsready/scan"
)

// expectation is one row of the table in testdata/fleet/README.md.
type expectation struct {
	file, verdict, category string
}

// fleetExpectations parses the documented verdict of every built-in host from the fleet README:
// "| host | file | expected | why |", with the error category in "why" for unknown hosts.
func fleetExpectations(t *testing.T) map[string]expectation {
	t.Helper()
	b, err := os.ReadFile("../../testdata/fleet/README.md")
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]expectation{}
	category := regexp.MustCompile(`category (unreachable|timeout|auth|winrm|collector)\b`)
	sc := bufio.NewScanner(bytes.NewReader(b))
	inTable := false
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		cells := strings.Split(strings.Trim(line, "|"), "|")
		for i := range cells {
			cells[i] = strings.Trim(strings.TrimSpace(cells[i]), "`")
		}
		if len(cells) == 4 && cells[0] == "host" && cells[2] == "expected" {
			inTable = true
			continue
		}
		if !inTable || !strings.HasPrefix(line, "|") {
			inTable = inTable && strings.HasPrefix(line, "|")
			continue
		}
		if strings.HasPrefix(cells[0], "-") || strings.HasPrefix(cells[0], ":") {
			continue
		}
		e := expectation{file: cells[1], verdict: cells[2]}
		if e.verdict == "unknown" {
			if m := category.FindStringSubmatch(cells[3]); m != nil {
				e.category = m[1]
			} else {
				t.Fatalf("fleet README: unknown host %s without \"category X\" in its why", cells[0])
			}
		}
		out[cells[0]] = e
	}
	if len(out) < 20 {
		t.Fatalf("fleet README documents %d hosts, want at least 20", len(out))
	}
	return out
}

func readResultsFile(t *testing.T, path string) map[string]scan.Result {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rs, warns, err := scan.ReadResults(f)
	if err != nil || len(warns) > 0 {
		t.Fatalf("results file %s: %v %v", path, err, warns)
	}
	out := map[string]scan.Result{}
	for _, r := range rs {
		if _, dup := out[r.Host]; dup {
			t.Errorf("host %s appears twice in %s", r.Host, path)
		}
		out[r.Host] = r
	}
	return out
}

func runCLI(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	return runCLIWithin(t, 2*time.Minute, args...)
}

// runCLIWithin is runCLI with a deadline of its own, for runs whose length depends on how busy
// the machine is (thousands of hosts under the race detector), not on what they test.
func runCLIWithin(t *testing.T, limit time.Duration, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	code = runEnv(ctx, env{stdin: strings.NewReader(""), stdout: &out, stderr: &errb, getenv: inProcess(os.Getenv)}, args)
	return code, out.String(), errb.String()
}

// inProcess is the environment getenv for a command the tests run in their own process, with
// GOGC set when getenv has none. A scan or report sets the Go runtime's GC percent and soft
// memory limit for its run and puts back what it found (startMemoryBudget), and GOGC set by the
// user leaves the runtime alone. The runtime is the test process's: commands run side by side
// (TestDemo_method's three demos) put back each other's settings, and the last left a scan's
// limit and GOGC 400 on the whole test process for good. TestStartMemoryBudget tests the budget;
// the memory tests run the binary as a process of its own.
func inProcess(getenv func(string) string) func(string) string {
	return func(k string) string {
		if v := getenv(k); v != "" || k != "GOGC" {
			return v
		}
		return "100"
	}
}

func checkAgainstExpectations(t *testing.T, got map[string]scan.Result, want map[string]expectation) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("results have %d hosts, the fleet documents %d", len(got), len(want))
	}
	for host, e := range want {
		r, ok := got[host]
		if !ok {
			t.Errorf("host %s missing from results", host)
			continue
		}
		if string(r.Verdict) != e.verdict {
			t.Errorf("host %s: verdict %s, documented %s (findings %v, error %+v)", host, r.Verdict, e.verdict, findingIDs(r), r.Error)
		}
		if e.category != "" && (r.Error == nil || r.Error.Category != e.category) {
			t.Errorf("host %s: error %+v, documented category %s", host, r.Error, e.category)
		}
	}
}

func findingIDs(r scan.Result) []string {
	var ids []string
	for _, f := range r.Findings {
		ids = append(ids, f.ID+"/"+string(f.Severity))
	}
	return ids
}

func TestDemo_builtinFleet_matchesDocumentedVerdicts(t *testing.T) {
	want := fleetExpectations(t)
	out := filepath.Join(t.TempDir(), "results.jsonl")
	code, stdout, stderr := runCLI(t, "demo", "--out", out)
	if code != exitReady {
		t.Fatalf("demo exit %d\nstderr: %s", code, stderr)
	}
	checkAgainstExpectations(t, readResultsFile(t, out), want)
	for _, s := range []string{"HOST", "VERDICT", "WHAT TO DO", "total"} {
		if !strings.Contains(stdout, s) {
			t.Errorf("table lacks %q:\n%s", s, stdout)
		}
	}
	for host := range want {
		if !strings.Contains(stdout, host) {
			t.Errorf("table lacks host %s", host)
		}
	}
}

// demo without --out writes a clearly named results file (tlsready-demo-<time>.jsonl, which
// .gitignore covers), ends with the next steps naming that file, and gives no hint to check
// --user, which the user did not give.
func TestDemoEndsWithNextSteps(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	code, _, stderr := runCLI(t, "demo")
	if code != exitReady {
		t.Fatalf("demo exit %d\n%s", code, stderr)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*"))
	if len(files) != 1 || !regexp.MustCompile(`^tlsready-demo-\d{8}-\d{6}\.jsonl$`).MatchString(filepath.Base(files[0])) {
		t.Fatalf("files written: %v, want one tlsready-demo-<date>-<time>.jsonl", files)
	}
	name := filepath.Base(files[0])
	tail := stderr[strings.LastIndex(stderr, "Next steps"):]
	if !strings.Contains(stderr, "Next steps") {
		t.Fatalf("no next steps:\n%s", stderr)
	}
	for _, want := range []string{"tlsready report " + name + " --html ", "tlsready remediate " + name + " --out ", "tlsready rescan --from " + name} {
		if !strings.Contains(tail, want) {
			t.Errorf("next steps lack %q:\n%s", want, tail)
		}
	}
	if strings.Contains(stderr, "--user (") || strings.Contains(stderr, "check --user") {
		t.Errorf("demo hints at --user, which the user did not give:\n%s", stderr)
	}
}

// .gitignore covers the default names of the files tlsready writes.
func TestGitignoreCoversDefaultNames(t *testing.T) {
	b, err := os.ReadFile("../../.gitignore")
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 12, 5, 1, 2, 3, 0, time.UTC)
	for _, name := range []string{defaultResultsName(now), defaultDemoName(now), defaultJournalName(now), "tlsready-lab-ca.pem"} {
		covered := false
		for _, line := range strings.Split(string(b), "\n") {
			if line = strings.TrimSpace(line); line == "" || strings.HasPrefix(line, "#") {
				continue
			}
			if ok, _ := filepath.Match(strings.TrimPrefix(line, "/"), name); ok {
				covered = true
			}
		}
		if !covered {
			t.Errorf(".gitignore does not cover %s", name)
		}
	}
}

func TestShellQuote(t *testing.T) {
	tests := []struct{ in, want string }{
		{"tlsready-demo-20261205-010203.jsonl", "tlsready-demo-20261205-010203.jsonl"},
		{`C:\Users\admin\scan 1.jsonl`, `"C:\Users\admin\scan 1.jsonl"`},
		{"a$b.jsonl", `"a$b.jsonl"`},
	}
	for _, tc := range tests {
		if got := shellQuote(tc.in); got != tc.want {
			t.Errorf("shellQuote(%q) = %s, want %s", tc.in, got, tc.want)
		}
	}
}
