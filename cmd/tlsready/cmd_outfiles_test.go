package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/tlsready/tlsready/checks"
	"github.com/tlsready/tlsready/internal/syncbuf"
	"github.com/tlsready/tlsready/remediate"
	"github.com/tlsready/tlsready/remote/winrmsim"
	"github.com/tlsready/tlsready/scan"
)

const outfilesPassword = "outfiles-lab-Passw0rd"

// outfilesFleet serves n healthy simulated hosts and returns the fleet and its targets file.
func outfilesFleet(t *testing.T, n int) (*winrmsim.Fleet, string) {
	t.Helper()
	var profiles []winrmsim.Profile
	for i, p := range healthyProfiles(t) {
		if i == n {
			break
		}
		p.Name, p.Latency = fmt.Sprintf("OUT-%02d", i+1), ""
		profiles = append(profiles, p)
	}
	t.Setenv("TLSREADY_PASSWORD", outfilesPassword)
	return serveFleetWith(t, profiles, winrmsim.Options{Password: outfilesPassword})
}

// requests is how many WS-Management requests the fleet has answered.
func requests(f *winrmsim.Fleet) int {
	n := 0
	for _, h := range f.Hosts() {
		n += h.Stats().Requests
	}
	return n
}

// An existing results file, or any input, survives scan, rescan, demo, merge, report and
// discover byte for byte: an existing --out is refused (naming --resume and --force), an --out
// that is an input (by path, symbolic link or hard link) is refused even with --force, and
// nothing connects before the refusal.
func TestOutputsNeverDestroyed(t *testing.T) {
	fleet, targets := outfilesFleet(t, 2)
	dir := t.TempDir()
	p := func(n string) string { return filepath.Join(dir, n) }
	scanArgs := []string{"scan", "--targets-file", targets, "--user", `LAB\tlsready`, "--auth", "ntlm", "--no-progress"}
	if code, _, stderr := runCLI(t, append(scanArgs, "--out", p("r.jsonl"))...); code == exitUsage {
		t.Fatalf("first scan: %s", stderr)
	}
	if err := os.Symlink(p("r.jsonl"), p("link.jsonl")); err != nil {
		t.Fatal(err)
	}
	if err := os.Link(p("r.jsonl"), p("hard.jsonl")); err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{"other.jsonl", "old.html", "old.csv"} {
		if err := os.WriteFile(p(n), []byte("the operator's "+n+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	rescanArgs := []string{"rescan", "--from", p("r.jsonl"), "--verdict", "ready,action,unsupported,unknown", "--user", `LAB\tlsready`, "--auth", "ntlm", "--no-progress"}
	tests := []struct {
		name string
		args []string
		want []string // in stderr
	}{
		{"scan over an existing results file", append(scanArgs, "--out", p("other.jsonl")), []string{"--out " + p("other.jsonl") + " exists", "--resume " + p("other.jsonl"), "--force"}},
		{"scan --html over an existing file", append(scanArgs, "--out", p("new1.jsonl"), "--html", p("old.html")), []string{"--html " + p("old.html") + " exists", "--force"}},
		{"scan --out its targets file", append(scanArgs, "--out", targets, "--force"), []string{"is also an input (--targets-file"}},
		{"scan --resume with --force", append(scanArgs, "--resume", p("r.jsonl"), "--force"), []string{"give one of them"}},
		{"rescan --out its --from", append(rescanArgs, "--out", p("r.jsonl")), []string{"is also an input (--from"}},
		{"rescan --out its --from, --force", append(rescanArgs, "--out", p("r.jsonl"), "--force"), []string{"is also an input (--from"}},
		{"rescan --out a symbolic link to its --from", append(rescanArgs, "--out", p("link.jsonl"), "--force"), []string{"is also an input (--from"}},
		{"rescan --out a hard link to its --from", append(rescanArgs, "--out", p("hard.jsonl"), "--force"), []string{"is also an input (--from"}},
		{"rescan --out relative path of its --from", append(rescanArgs, "--out", p("sub/../r.jsonl")), []string{"is also an input (--from"}},
		{"rescan over another results file", append(rescanArgs, "--out", p("other.jsonl")), []string{"exists", "--resume", "--force"}},
		{"demo over an existing results file", []string{"demo", "--out", p("other.jsonl")}, []string{"exists", "--resume", "--force"}},
		{"merge --out its input", []string{"merge", p("r.jsonl"), p("other.jsonl"), "--out", p("hard.jsonl"), "--force"}, []string{"is also an input"}},
		{"merge over an existing file", []string{"merge", p("r.jsonl"), "--out", p("other.jsonl")}, []string{"exists", "--force"}},
		{"report --out over an existing file", []string{"report", p("r.jsonl"), "--format", "csv", "--out", p("old.csv")}, []string{"--out " + p("old.csv") + " exists", "--force"}},
		{"report --html over an existing file", []string{"report", p("r.jsonl"), "--html", p("old.html")}, []string{"--html " + p("old.html") + " exists"}},
		{"report --out its input", []string{"report", p("r.jsonl"), "--format", "json", "--out", p("link.jsonl"), "--force"}, []string{"is also an input"}},
		{"discover over an existing targets file", []string{"discover", "--ou", "OU=x,DC=corp,DC=example", "--ldap-url", "ldap://127.0.0.1:1", "--user", "a@corp.example", "--out", p("other.jsonl")}, []string{"exists", "--force"}},
	}
	if err := os.Mkdir(p("sub"), 0o700); err != nil {
		t.Fatal(err)
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			before := map[string][]byte{}
			for _, n := range []string{p("r.jsonl"), p("other.jsonl"), p("old.html"), p("old.csv"), targets} {
				b, err := os.ReadFile(n)
				if err != nil {
					t.Fatal(err)
				}
				before[n] = b
			}
			reqs := requests(fleet)
			code, _, stderr := runCLI(t, tc.args...)
			if code != exitUsage {
				t.Errorf("exit %d, want %d (refused)\n%s", code, exitUsage, stderr)
			}
			for _, w := range tc.want {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr lacks %q:\n%s", w, stderr)
				}
			}
			if n := strings.Count(strings.TrimSpace(stderr), "\n"); n > 0 {
				t.Errorf("the refusal is %d lines, want one:\n%s", n+1, stderr)
			}
			for n, b := range before {
				if after, err := os.ReadFile(n); err != nil || !bytes.Equal(after, b) {
					t.Errorf("%s changed (%d bytes before, %d after, %v)", n, len(b), len(after), err)
				}
			}
			if got := requests(fleet); got != reqs {
				t.Errorf("%d request(s) reached the hosts before the refusal", got-reqs)
			}
			if left, _ := filepath.Glob(p("*.new-*")); len(left) > 0 {
				t.Errorf("temporary files left: %v", left)
			}
		})
	}

	// --force replaces: the old content is gone, the new results are complete, no temporary
	// file is left; report and merge likewise.
	forced := []struct {
		name string
		args []string
		file string
	}{
		{"scan --force", append(scanArgs, "--out", p("other.jsonl"), "--force"), p("other.jsonl")},
		{"report --force", []string{"report", p("r.jsonl"), "--format", "csv", "--out", p("old.csv"), "--force"}, p("old.csv")},
		{"report --html --force", []string{"report", p("r.jsonl"), "--html", p("old.html"), "--force"}, p("old.html")},
	}
	for _, tc := range forced {
		t.Run(tc.name, func(t *testing.T) {
			if code, _, stderr := runCLI(t, tc.args...); code == exitUsage {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			b, _ := os.ReadFile(tc.file)
			if strings.Contains(string(b), "the operator's") || len(b) < 100 {
				t.Errorf("%s not replaced: %q", tc.file, b)
			}
			if left, _ := filepath.Glob(p("*.new-*")); len(left) > 0 {
				t.Errorf("temporary files left: %v", left)
			}
		})
	}
	if got := readResultsFile(t, p("other.jsonl")); len(got) != 2 {
		t.Errorf("scan --force wrote %d results, want 2", len(got))
	}
}

// scan --force over a results file keeps the old file until the new scan has finished: a scan
// killed half-way, or stopped with Ctrl-C, leaves the old file byte for byte, and what it
// collected in the temporary file beside it (named in the Ctrl-C hint to --resume).
func TestScanForceStoppedKeepsOldFile(t *testing.T) {
	t.Parallel() // the scanner is a process of its own with its own environment
	if testing.Short() || runtime.GOOS == "windows" {
		t.Skip("builds and runs the binary; signals")
	}
	var profiles []winrmsim.Profile
	for i, p := range healthyProfiles(t)[:2] {
		p.Name, p.Latency = fmt.Sprintf("DONE-%d", i+1), ""
		profiles = append(profiles, p)
	}
	hang := healthyProfiles(t)[0]
	hang.Name, hang.Fault = "HANG-1", winrmsim.FaultTimeout
	profiles = append(profiles, hang)
	_, targets := serveFleet(t, profiles, outfilesPassword)
	bin := buildBinary(t)
	for _, tc := range []struct {
		name   string
		signal os.Signal
	}{{"sigkill", syscall.SIGKILL}, {"ctrl-c", os.Interrupt}} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			out := filepath.Join(dir, "week1.jsonl")
			old := []byte(`{"host":"OLD-01","verdict":"ready"}` + "\n" + `{"host":"OLD-02","verdict":"action"}` + "\n")
			if err := os.WriteFile(out, old, 0o600); err != nil {
				t.Fatal(err)
			}
			cmd := exec.Command(bin, "scan", "--targets-file", targets, "--user", `LAB\tlsready`, "--auth", "ntlm",
				"--timeout", "120s", "--grace", "1s", "--no-progress", "--concurrency", "3", "--out", out, "--force")
			cmd.Env = append(os.Environ(), "TLSREADY_PASSWORD="+outfilesPassword)
			var stderr syncbuf.Buffer
			cmd.Stderr = &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			var tmp string
			deadline := time.Now().Add(90 * time.Second)
			for tmp == "" && time.Now().Before(deadline) {
				if m, _ := filepath.Glob(filepath.Join(dir, "week1.new-*.jsonl")); len(m) == 1 {
					if b, _ := os.ReadFile(m[0]); bytes.Count(b, []byte("\n")) >= 2 {
						tmp = m[0]
						break
					}
				}
				time.Sleep(20 * time.Millisecond)
			}
			_ = cmd.Process.Signal(tc.signal)
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			select {
			case <-done:
			case <-time.After(60 * time.Second):
				_ = cmd.Process.Kill()
				t.Fatalf("scan still running 60 s after the signal\n%s", stderr.String())
			}
			if tmp == "" {
				t.Fatalf("the two quick hosts never reached a temporary file beside %s\n%s", out, stderr.String())
			}
			if b, _ := os.ReadFile(out); !bytes.Equal(b, old) {
				t.Errorf("the old results file changed before the new scan had finished:\n%s", b)
			}
			got := readResultsFile(t, tmp)
			if len(got) != 2 || got["DONE-1"].Host == "" || got["DONE-2"].Host == "" {
				t.Errorf("temporary file %s holds %d results, want DONE-1 and DONE-2", tmp, len(got))
			}
			want := []string{"it replaces " + out + " when the scan has finished"}
			if tc.signal == os.Interrupt {
				want = append(want, out+" is unchanged", "--resume "+tmp)
			}
			for _, w := range want {
				if !strings.Contains(stderr.String(), w) {
					t.Errorf("stderr lacks %q:\n%s", w, stderr.String())
				}
			}
		})
	}
}

// The default results file name never replaces a file: a scan without --out where files of
// that name exist (a scan started in the same second) picks a new name.
func TestDefaultResultsNameNeverCollides(t *testing.T) {
	_, targets := outfilesFleet(t, 1)
	dir := t.TempDir()
	t.Chdir(dir)
	now := time.Now()
	var taken []string
	for s := -2; s <= 60; s++ {
		n := defaultResultsName(now.Add(time.Duration(s) * time.Second))
		if err := os.WriteFile(n, []byte("earlier run "+n+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		taken = append(taken, n)
	}
	code, _, stderr := runCLI(t, "scan", "--targets-file", targets, "--user", `LAB\tlsready`, "--auth", "ntlm", "--no-progress")
	if code == exitUsage {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, n := range taken {
		if b, _ := os.ReadFile(n); string(b) != "earlier run "+n+"\n" {
			t.Errorf("%s was overwritten", n)
		}
	}
	made, _ := filepath.Glob("tlsready-results-*-2.jsonl")
	if len(made) != 1 || len(readResultsFile(t, made[0])) != 1 {
		t.Errorf("new results files %v, want one NAME-2.jsonl with the host\n%s", made, stderr)
	}
}

func TestCreateDefaultNew(t *testing.T) {
	dir := t.TempDir()
	name := filepath.Join(dir, "tlsready-results-20261205-010203.jsonl")
	for _, n := range []string{name, strings.TrimSuffix(name, ".jsonl") + "-2.jsonl"} {
		if err := os.WriteFile(n, []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	f, got, err := createDefaultNew(env{getenv: func(string) string { return "" }}, name)
	if err != nil {
		t.Fatal(err)
	}
	f.Close()
	if want := strings.TrimSuffix(name, ".jsonl") + "-3.jsonl"; got != want {
		t.Errorf("created %s, want %s", got, want)
	}
}

// report and merge read a results file with a corrupt line in the middle: the line is skipped
// with a warning naming FILE:LINE (escaped: the file's content is untrusted) and a count; the
// other hosts are reported. An empty results file warns.
func TestReportSkipsCorruptLines(t *testing.T) {
	_, targets := outfilesFleet(t, 3)
	dir := t.TempDir()
	good := filepath.Join(dir, "good.jsonl")
	if code, _, stderr := runCLI(t, "scan", "--targets-file", targets, "--user", `LAB\tlsready`, "--auth", "ntlm", "--no-progress", "--out", good); code == exitUsage {
		t.Fatalf("scan: %s", stderr)
	}
	b, _ := os.ReadFile(good)
	lines := strings.SplitAfter(strings.TrimSuffix(string(b), "\n"), "\n")
	if len(lines) != 3 {
		t.Fatalf("%d lines", len(lines))
	}
	torn := filepath.Join(dir, "torn.jsonl")
	// Line 2 is corrupt (cut short by a disk error, with a terminal escape in it).
	if err := os.WriteFile(torn, []byte(lines[0]+lines[1][:40]+"\x1b[2J\x1b]0;pwned\x07\n"+lines[2]+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	empty := filepath.Join(dir, "empty.jsonl")
	if err := os.WriteFile(empty, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		args  []string
		hosts int
		warn  []string
	}{
		{"report", []string{"report", torn, "--format", "json"}, 2, []string{torn + ":2: corrupt line skipped", torn + ": 1 corrupt line(s) skipped, 2 result(s) read"}},
		{"merge", []string{"merge", torn, good}, 3, []string{torn + ":2: corrupt line skipped"}},
		{"report of an empty file", []string{"report", empty, "--format", "json"}, 0, []string{empty + " is empty"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, tc.args...)
			if code == exitUsage {
				t.Fatalf("exit %d, want the file read:\n%s", code, stderr)
			}
			for _, w := range tc.warn {
				if !strings.Contains(stderr, "warning: "+w) {
					t.Errorf("stderr lacks %q:\n%s", w, stderr)
				}
			}
			if strings.ContainsAny(stderr, "\x1b\x07") {
				t.Errorf("a control character of the file reached the terminal: %q", stderr)
			}
			if tc.args[0] == "report" {
				if n := strings.Count(stdout, `"host": `); n != tc.hosts {
					t.Errorf("%d hosts reported, want %d", n, tc.hosts)
				}
			} else if !strings.Contains(stderr, fmt.Sprintf("%d host(s)", tc.hosts)) {
				t.Errorf("stderr does not count %d hosts:\n%s", tc.hosts, stderr)
			}
		})
	}
}

// remediate --out DIR over an earlier kit: the kit files the new kit does not need (the .reg
// files, Registry.xml and the script once nothing needs a value) are removed; the operator's
// other files in the folder, and a folder of a kit file's name, stay.
func TestRemediateRemovesStaleKitFiles(t *testing.T) {
	dir := t.TempDir()
	all := filepath.Join(dir, "demo.jsonl")
	if code, _, stderr := runCLI(t, "demo", "--out", all, "--no-progress"); code == exitUsage {
		t.Fatalf("demo: %s", stderr)
	}
	rs, _, err := scan.ReadResultsFiles(all)
	if err != nil {
		t.Fatal(err)
	}
	var ready bytes.Buffer
	w := scan.NewResultsWriter(&ready)
	for _, r := range rs {
		// Ready hosts the kit has nothing for: not those with a .NET Framework or cipher suite
		// warning, whose values the kit sets too.
		if r.Verdict == "ready" && !slices.ContainsFunc(r.Findings, func(f checks.Finding) bool {
			return strings.HasPrefix(f.ID, "DOTNET") || strings.HasPrefix(f.ID, "CIPHER")
		}) {
			_ = w.Result(r)
		}
	}
	readyFile := filepath.Join(dir, "ready.jsonl")
	if err := os.WriteFile(readyFile, ready.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	kit := filepath.Join(dir, "kit")
	if code, _, stderr := runCLI(t, "remediate", all, "--out", kit); code != exitReady {
		t.Fatalf("first kit: %s", stderr)
	}
	for _, n := range []string{remediate.FileReg64, remediate.FileReg32, remediate.FileRegistryXML, remediate.FileScript} {
		if _, err := os.Stat(filepath.Join(kit, n)); err != nil {
			t.Fatalf("the demo fleet's kit lacks %s: %v", n, err)
		}
	}
	mine := filepath.Join(kit, "notes.txt")
	if err := os.WriteFile(mine, []byte("mine"), 0o600); err != nil {
		t.Fatal(err)
	}
	code, _, stderr := runCLI(t, "remediate", readyFile, "--out", kit)
	if code != exitReady {
		t.Fatalf("second kit: %s", stderr)
	}
	for _, n := range []string{remediate.FileReg64, remediate.FileReg32, remediate.FileRegistryXML, remediate.FileScript} {
		if _, err := os.Stat(filepath.Join(kit, n)); err == nil {
			t.Errorf("%s of the earlier kit is still there beside a README that says nothing is needed", n)
		}
		if !strings.Contains(stderr, n) {
			t.Errorf("stderr does not name the removed %s:\n%s", n, stderr)
		}
	}
	for _, n := range []string{remediate.FileReadMe, remediate.FileKB, remediate.FileMigrate, remediate.FileRegOnly, "notes.txt"} {
		if _, err := os.Stat(filepath.Join(kit, n)); err != nil {
			t.Errorf("%s: %v", n, err)
		}
	}
}

func TestRemoveStale(t *testing.T) {
	dir := t.TempDir()
	for _, n := range []string{remediate.FileReg64, remediate.FileReadMe, "other.reg", "TLS12-x64.reg.bak"} {
		if err := os.WriteFile(filepath.Join(dir, n), []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Mkdir(filepath.Join(dir, remediate.FileScript), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(dir, "other.reg"), filepath.Join(dir, remediate.FileReg32)); err != nil {
		t.Fatal(err)
	}
	removed, err := remediate.RemoveStale(dir, []string{remediate.FileReadMe})
	if err != nil || len(removed) != 1 || removed[0] != remediate.FileReg64 {
		t.Errorf("removed %v, %v; want only %s", removed, err, remediate.FileReg64)
	}
	for _, n := range []string{remediate.FileReadMe, "other.reg", "TLS12-x64.reg.bak", remediate.FileScript, remediate.FileReg32} {
		if _, err := os.Lstat(filepath.Join(dir, n)); err != nil {
			t.Errorf("%s: %v", n, err)
		}
	}
}

// A targets file saved by Windows PowerShell 5.1 (UTF-16LE with a byte order mark, CRLF) with
// inline comments scans the same hosts, at the same addresses, with the same verdicts, as its
// UTF-8 twin; a bad line stops the run before anything connects.
func TestTargetsFileUTF16ScansLikeUTF8(t *testing.T) {
	fleet, targets := outfilesFleet(t, 3)
	b, err := os.ReadFile(targets)
	if err != nil {
		t.Fatal(err)
	}
	text := "# workstations (saved by Windows PowerShell)\r\n"
	for _, l := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		text += l + "   # lab host\r\n"
	}
	dir := t.TempDir()
	files := map[string][]byte{
		"utf8.txt":    []byte(text),
		"utf16le.txt": utf16Bytes(text, true),
		"utf16be.txt": utf16Bytes(text, false),
		"utf8bom.txt": append([]byte{0xEF, 0xBB, 0xBF}, text...),
	}
	got := map[string]map[string]scan.Result{}
	for name, data := range files {
		tf := filepath.Join(dir, name)
		if err := os.WriteFile(tf, data, 0o600); err != nil {
			t.Fatal(err)
		}
		out := filepath.Join(dir, name+".jsonl")
		code, _, stderr := runCLI(t, "scan", "--targets-file", tf, "--user", `LAB\tlsready`, "--auth", "ntlm", "--no-progress", "--out", out)
		if code == exitUsage {
			t.Fatalf("%s: exit %d\n%s", name, code, stderr)
		}
		got[name] = readResultsFile(t, out)
	}
	want := got["utf8.txt"]
	if len(want) != 3 {
		t.Fatalf("UTF-8 file: %d hosts, want 3", len(want))
	}
	for name, rs := range got {
		if len(rs) != len(want) {
			t.Errorf("%s: %d hosts, want %d", name, len(rs), len(want))
		}
		for h, w := range want {
			r, ok := rs[h]
			if !ok || r.Address != w.Address || r.Verdict != w.Verdict || r.Error != nil {
				t.Errorf("%s: host %s = %+v (error %+v), want at %s with verdict %s", name, h, r.Address, r.Error, w.Address, w.Verdict)
			}
		}
	}

	// Bad lines: every one listed as FILE:LINE: why; nothing connects.
	bad := filepath.Join(dir, "bad.txt")
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if err := os.WriteFile(bad, utf16Bytes(lines[0]+"\r\nPC 02=10.0.0.2\r\nPC-03=10.0.0.3:70000\r\n\"PC-04\"\r\nPC-05=\r\n", true), 0o600); err != nil {
		t.Fatal(err)
	}
	reqs := requests(fleet)
	code, _, stderr := runCLI(t, "scan", "--targets-file", bad, "--user", `LAB\tlsready`, "--auth", "ntlm", "--no-progress", "--out", filepath.Join(dir, "bad.jsonl"))
	if code != exitUsage {
		t.Errorf("exit %d, want %d", code, exitUsage)
	}
	for _, w := range []string{bad + ":2: ", bad + ":3: ", bad + ":4: ", bad + ":5: ", "nothing was scanned"} {
		if !strings.Contains(stderr, w) {
			t.Errorf("stderr lacks %q:\n%s", w, stderr)
		}
	}
	if got := requests(fleet); got != reqs {
		t.Errorf("%d request(s) reached the hosts", got-reqs)
	}
	if _, err := os.Stat(filepath.Join(dir, "bad.jsonl")); err == nil {
		t.Errorf("a results file was written")
	}
}

// Lines printed by "tlsready lab --https" keep their scheme: scanned without --https they go
// over HTTPS (verified with --ca-file), never plain HTTP; and an http:// line is scanned over
// HTTP even with --https. A rescan reaches each host with the scheme it was scanned with.
func TestTargetSchemeHonoured(t *testing.T) {
	want := map[string]expectation{"PC-W7-003": {verdict: "ready"}, "PC-W7-010": {verdict: "action"}, "PC-W8-021": {verdict: "unsupported"}}
	tests := []struct {
		name   string
		lab    []string
		scan   []string
		scheme string
	}{
		{"https lines without --https", []string{"--https"}, nil, "https"},
		{"http lines with --https", nil, []string{"--https"}, "http"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tmp := t.TempDir()
			ca := filepath.Join(tmp, "lab-ca.pem")
			t.Setenv("TLSREADY_PASSWORD", "lab-scheme-pw")
			lines, stop := startLab(t, 3, append([]string{"--fleet", smallFleet(t), "--ca-out", ca, "--user", `LAB\u`}, tc.lab...)...)
			defer stop()
			for _, l := range lines {
				if !strings.Contains(l, " "+tc.scheme+"://127.0.0.1:") {
					t.Fatalf("lab line %q is not an %s URL", l, tc.scheme)
				}
			}
			targets := filepath.Join(tmp, "hosts.txt")
			if err := os.WriteFile(targets, []byte(strings.Join(lines, "\n")+"\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			connection := append([]string{"--user", `LAB\u`, "--timeout", "10s", "--no-progress"}, tc.scan...)
			if tc.scheme == "https" {
				connection = append(connection, "--ca-file", ca)
			}
			out := filepath.Join(tmp, "r.jsonl")
			code, _, stderr := runCLI(t, append(append([]string{"scan", "--targets-file", targets}, connection...), "--out", out)...)
			got := readResultsFile(t, out)
			checkAgainstExpectations(t, got, want)
			if code == exitUsage {
				t.Errorf("scan exit %d: %s", code, stderr)
			}
			for h, r := range got {
				if r.Scheme != tc.scheme {
					t.Errorf("%s: scheme %q recorded, want %q", h, r.Scheme, tc.scheme)
				}
			}
			again := filepath.Join(tmp, "again.jsonl")
			code, _, stderr = runCLI(t, append(append([]string{"rescan", "--from", out, "--verdict", "ready,action,unsupported,unknown"}, connection...), "--out", again)...)
			if code == exitUsage {
				t.Errorf("rescan exit %d: %s", code, stderr)
			}
			checkAgainstExpectations(t, readResultsFile(t, again), want)
		})
	}
}
