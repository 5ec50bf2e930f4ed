//go:build linux

package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/tlsready/tlsready/internal/syncbuf"
	"github.com/tlsready/tlsready/internal/winetest"
)

// wineRun runs the Linux and the Windows build of tlsready side by side, each in a folder of
// its own whose name has spaces: "linux run" in the test's temporary folder, and for Windows
// C:\Users\Admin User\tlsready runs NNN inside the Wine prefix (Wine maps C: to
// WINEPREFIX/drive_c and the Unix working folder to its Windows name).
type wineRun struct {
	env      winetest.Env
	exe, bin string
	linuxDir string
	winDir   string // the Windows folder's Unix path
	winName  string // the Windows folder's Windows path
}

// runResult is how a run of either build ended.
type runResult struct {
	code           int
	stdout, stderr string
}

func newWineRun(t *testing.T, env winetest.Env, exe, bin string) *wineRun {
	t.Helper()
	users := filepath.Join(env.Prefix, "drive_c", "users", "Admin User")
	if err := os.MkdirAll(users, 0o755); err != nil {
		t.Fatal(err)
	}
	dir, err := os.MkdirTemp(users, "tlsready runs ")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		os.RemoveAll(dir)
		os.Remove(users) // only if no other run uses it
	})
	linuxDir := filepath.Join(t.TempDir(), "linux run")
	if err := os.Mkdir(linuxDir, 0o755); err != nil {
		t.Fatal(err)
	}
	return &wineRun{env: env, exe: exe, bin: bin, linuxDir: linuxDir, winDir: dir,
		winName: `C:\Users\Admin User\` + filepath.Base(dir)}
}

// linuxPath is name in the Linux build's folder; windowsPath the same name in the Windows
// build's folder, as a Windows path (C:\Users\Admin User\tlsready runs NNN\name).
func (w *wineRun) linuxPath(name string) string { return filepath.Join(w.linuxDir, name) }
func (w *wineRun) windowsPath(name string) string {
	return w.winName + `\` + strings.ReplaceAll(name, "/", `\`)
}

// writeBoth writes the file name into both builds' folders.
func (w *wineRun) writeBoth(t *testing.T, name string, b []byte) {
	t.Helper()
	for _, dir := range []string{w.linuxDir, w.winDir} {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
}

// runEnviron is the environment of both builds: this process's without passwords and locale,
// and the same user name (the HTML report shows it).
func runEnviron(extra []string) []string {
	var out []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		switch {
		case k == "TLSREADY_PASSWORD", k == "TLSREADY_LDAP_PASSWORD", k == "USER", k == "USERNAME",
			k == "LANG", strings.HasPrefix(k, "LC_"), k == "DISPLAY", strings.HasPrefix(k, "WINE"):
			continue
		}
		out = append(out, kv)
	}
	out = append(out, "USER=tlsready-test", "USERNAME=tlsready-test")
	return append(out, extra...)
}

// linuxCmd and windowsCmd are a run of either build in its folder.
func (w *wineRun) linuxCmd(ctx context.Context, extra []string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, w.bin, args...)
	cmd.Dir = w.linuxDir
	cmd.Env = runEnviron(extra)
	cmd.WaitDelay = 10 * time.Second
	return cmd
}

func (w *wineRun) windowsCmd(ctx context.Context, extra []string, args ...string) *exec.Cmd {
	cmd := w.env.Command(ctx, w.exe, nil, args...)
	cmd.Dir = w.winDir
	cmd.Env = runEnviron(append([]string{"WINEPREFIX=" + w.env.Prefix, "WINEDEBUG=-all"}, extra...))
	return cmd
}

func (w *wineRun) linux(ctx context.Context, extra []string, args ...string) runResult {
	return runExec(w.linuxCmd(ctx, extra, args...))
}

func (w *wineRun) windows(ctx context.Context, extra []string, args ...string) runResult {
	return runExec(w.windowsCmd(ctx, extra, args...))
}

func runExec(cmd *exec.Cmd) runResult {
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		code = ee.ExitCode()
	case err != nil:
		code = -1
		fmt.Fprintf(&stderr, "\n(run: %v)", err)
	}
	return runResult{code: code, stdout: stdout.String(), stderr: stderr.String()}
}

// What differs between two runs of the same scan, blanked (blankRun); blankTimes only the times.
var (
	parityScanIDRE  = regexp.MustCompile(`\d{8}T\d{6}Z-[0-9a-f]{8}`)
	parityRFC3339RE = regexp.MustCompile(`\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})`)
	// A time as the HTML report shows it, "2026-12-05 01:29 UTC". The zone's abbreviation is the
	// operating system's: Wine names UTC "Greenwich Standard Time", which Go abbreviates GMT.
	parityShownTimeRE = regexp.MustCompile(`\d{4}-\d{2}-\d{2} \d{2}:\d{2}(:\d{2})?( [A-Z]{2,5}| [+-]\d{2,4})?`)
	paritySocketErrRE = regexp.MustCompile(`(dial tcp ADDR: )[^"<\\]*`)
	// Which deadline reports a hanging host first, the connection's ("read tcp A->B: i/o
	// timeout") or the context's ("timed out after 5s: ..."), is a race on every OS (see
	// comparable): the wording after the phase is blanked (ADDR already stands for addresses).
	parityTimeoutRE = regexp.MustCompile(`timed out after [^"<]*|read tcp ADDR-(&gt;|\\u003e|>)ADDR: i/o timeout|context deadline exceeded`)
)

// blankTimes blanks the times in a report: when it was generated and the scan times. A scan
// that ended in two minutes is shown as a range ("TIME – TIME"), one that ended within a
// minute as one time: which of the two a run gives depends on the clock, so both read "TIME".
func blankTimes(s string) string {
	s = parityRFC3339RE.ReplaceAllString(s, "TIME")
	s = parityShownTimeRE.ReplaceAllString(s, "TIME")
	return strings.ReplaceAll(s, "TIME – TIME", "TIME")
}

// blankRun blanks, in a report of a scan, what differs from scan to scan of the same hosts: the
// scan id and times, the simulated hosts' ports, durations, the operating system's wording of
// a socket error ("connect: connection refused" on Linux, "connectex: Connection refused." on
// Windows), and the wording of a timeout.
func blankRun(s string) string {
	s = parityScanIDRE.ReplaceAllString(blankTimes(s), "SCANID")
	s = wineAddrRE.ReplaceAllString(s, "ADDR")
	s = wineDurationRE.ReplaceAllString(s, "DURATION")
	s = paritySocketErrRE.ReplaceAllString(s, "${1}OS-SOCKET-ERROR")
	return parityTimeoutRE.ReplaceAllString(s, "TIMEOUT")
}

// registryXMLChangedRE is the "changed" attribute of a Group Policy Preferences item: the time
// the kit was written.
var registryXMLChangedRE = regexp.MustCompile(`changed="\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}"`)

// lineEnds tells a text's line ends: "crlf", "lf", "mixed" or "none". UTF-16LE text (with its
// byte order mark, as .reg files are) is decoded first.
func lineEnds(b []byte) string {
	s := string(b)
	if len(b) >= 2 && b[0] == 0xFF && b[1] == 0xFE {
		u := make([]uint16, 0, len(b)/2)
		for i := 2; i+1 < len(b); i += 2 {
			u = append(u, uint16(b[i])|uint16(b[i+1])<<8)
		}
		s = string(utf16.Decode(u))
	}
	lf, crlf := strings.Count(s, "\n"), strings.Count(s, "\r\n")
	switch {
	case lf == 0:
		return "none"
	case crlf == lf:
		return "crlf"
	case crlf == 0:
		return "lf"
	}
	return "mixed"
}

// kitLineEnds is what each kit file must end its lines with: CRLF for what Windows tools read
// (regedit and reg import, PowerShell, the Group Policy editor, Notepad on Windows 7 for the
// README); CSV host lists keep LF, which Excel, WSUS and ConfigMgr imports read as well.
func kitLineEnds(name string) string {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".reg", ".ps1", ".xml", ".txt", ".cmd", ".bat":
		return "crlf"
	}
	return "lf"
}

// wineParity: the reports and kits the two builds write from the same results file are the same
// bytes (the HTML but for when it was generated; the kit's Registry.xml but for its "changed"
// times), and each build's own demo results file, and the HTML and JSON reports of it, equal the
// other's once the scan ids, times, ports, durations and the OS's wording of socket errors and
// timeouts are blanked.
func wineParity(ctx context.Context, t *testing.T, w *wineRun) {
	src, err := os.ReadFile(w.linuxPath("week 1.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	w.writeBoth(t, "fleet results.jsonl", src)
	steps := []func(p func(string) string) []string{
		func(p func(string) string) []string {
			return []string{"report", "fleet results.jsonl", "--lang", "en", "--format", "csv", "--out", p("same report.csv"), "--html", p("same report.html")}
		},
		func(p func(string) string) []string {
			return []string{"report", "fleet results.jsonl", "--lang", "ja", "--format", "json", "--out", p("same report ja.json"), "--html", p("same report ja.html")}
		},
		func(p func(string) string) []string {
			return []string{"report", "week 1.jsonl", "--lang", "en", "--format", "json", "--out", p("week 1 report.json"), "--html", p("week 1.html")}
		},
		func(p func(string) string) []string {
			return []string{"remediate", "fleet results.jsonl", "--lang", "en", "--out", p("kit 1")}
		},
	}
	start := time.Now()
	winDone := make([]chan runResult, len(steps)) // Wine's start-up is most of each run: side by side
	for i, step := range steps {
		winDone[i] = make(chan runResult, 1)
		go func() { winDone[i] <- w.windows(ctx, nil, step(w.windowsPath)...) }()
	}
	for i, step := range steps {
		if r := w.linux(ctx, nil, step(w.linuxPath)...); r.code != exitReady {
			t.Errorf("linux %q: exit %d\n%s", step(w.linuxPath), r.code, r.stderr)
		}
		if r := <-winDone[i]; r.code != exitReady {
			t.Errorf("windows %q: exit %d\n%s", step(w.windowsPath), r.code, r.stderr)
		}
	}
	if t.Failed() {
		return
	}
	t.Logf("%d reports and kits by each build: %s", len(steps), time.Since(start).Round(time.Millisecond))

	for _, tc := range []struct {
		name  string
		blank func(string) string // nil: byte for byte
	}{
		{"same report.csv", nil},
		{"same report ja.json", nil},
		{"same report.html", blankTimes},
		{"same report ja.html", blankTimes},
		{"week 1 report.json", blankRun},
		{"week 1.html", blankRun},
	} {
		l, errL := os.ReadFile(w.linuxPath(tc.name))
		win, errW := os.ReadFile(filepath.Join(w.winDir, tc.name))
		if errL != nil || errW != nil {
			t.Errorf("%s: %v %v", tc.name, errL, errW)
			continue
		}
		ls, ws := string(l), string(win)
		if tc.blank != nil {
			ls, ws = tc.blank(ls), tc.blank(ws)
		}
		if ls != ws {
			t.Errorf("%s: the Windows build's differs from the Linux build's: %s", tc.name, firstDifference(ls, ws))
		}
		if tc.blank != nil && len(l) > 0 && ls == string(l) {
			t.Errorf("%s: nothing was blanked: the blanking patterns no longer match the report", tc.name)
		}
	}

	// The results files themselves, byte for byte but for what blankRun blanks; their lines in
	// the order hosts finished, which differs from run to run.
	l, errL := os.ReadFile(w.linuxPath("week 1.jsonl"))
	win, errW := os.ReadFile(filepath.Join(w.winDir, "week 1.jsonl"))
	if errL != nil || errW != nil {
		t.Fatalf("results files: %v %v", errL, errW)
	}
	sortedLines := func(b []byte) string {
		lines := strings.SplitAfter(blankRun(string(b)), "\n")
		sort.Strings(lines)
		return strings.Join(lines, "")
	}
	if ls, ws := sortedLines(l), sortedLines(win); ls != ws {
		t.Errorf("results file: the Windows build's differs from the Linux build's: %s", firstDifference(ls, ws))
	}
	if got := lineEnds(win); got != "lf" {
		t.Errorf("results file written by the Windows build has %s line ends, want lf (JSON Lines)", got)
	}

	linuxKit, windowsKit := w.linuxPath("kit 1"), filepath.Join(w.winDir, "kit 1")
	names := dirNames(t, linuxKit)
	if got := dirNames(t, windowsKit); strings.Join(got, "|") != strings.Join(names, "|") {
		t.Errorf("kit files: windows %v, linux %v", got, names)
	}
	if len(names) < 5 {
		t.Errorf("the demo fleet's kit has %d files (%v): want the .reg files, Registry.xml, the script, README and host lists", len(names), names)
	}
	for _, name := range names {
		l, errL := os.ReadFile(filepath.Join(linuxKit, name))
		win, errW := os.ReadFile(filepath.Join(windowsKit, name))
		if errL != nil || errW != nil {
			t.Errorf("kit %s: %v %v", name, errL, errW)
			continue
		}
		ls, ws := string(l), string(win)
		if name == "Registry.xml" {
			ls = registryXMLChangedRE.ReplaceAllString(ls, `changed="TIME"`)
			ws = registryXMLChangedRE.ReplaceAllString(ws, `changed="TIME"`)
		}
		if ls != ws {
			t.Errorf("kit %s: the Windows build's differs from the Linux build's: %s", name, firstDifference(ls, ws))
		}
		if got, want := lineEnds(win), kitLineEnds(name); got != want {
			t.Errorf("kit %s written by the Windows build has %s line ends, want %s", name, got, want)
		}
	}
}

// dirNames lists the files of dir, sorted.
func dirNames(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	sort.Strings(names)
	return names
}

// firstDifference shows where a and b first differ.
func firstDifference(a, b string) string {
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	clip := func(s string) string {
		from, to := max(0, i-80), min(len(s), i+120)
		return fmt.Sprintf("%q", s[from:to])
	}
	return fmt.Sprintf("at byte %d (lengths %d, %d)\nlinux:   %s\nwindows: %s", i, len(a), len(b), clip(a), clip(b))
}

// winePaths: every file flag of the Windows build takes a Windows path with backslashes and
// spaces: scan --resume, --targets-file and --password-file, rescan --from and --journal (its
// results going to the default file name, valid on Windows, in the working folder), report with such an input
// and --html, and merge's inputs and --out. (demo --out, report --out and --html, and remediate
// --out are run with such paths in wineParity; scan --out and --targets-file in the lab scan.)
func winePaths(ctx context.Context, t *testing.T, w *wineRun, password string, want map[string]expectation) {
	w.writeBoth(t, "pass word.txt", []byte(password+"\r\n")) // as Notepad writes it
	p := w.windowsPath
	auth := []string{"--auth", "ntlm", "--user", `LAB\tlsready`, "--password-file", p("pass word.txt"), "--no-progress"}

	r := w.windows(ctx, nil, append([]string{"scan", "--resume", p("lab scan 1.jsonl"), "--targets-file", p("targets list.txt")}, auth...)...)
	if wantMsg := fmt.Sprintf("%d of %d host(s) already done, 0 to scan", len(want), len(want)); !strings.Contains(r.stderr, wantMsg) || r.code == exitUsage {
		t.Errorf("scan --resume %q: exit %d, stderr lacks %q:\n%s", p("lab scan 1.jsonl"), r.code, wantMsg, lastLines(r.stderr, 10))
	}

	w.writeBoth(t, "fix 1.journal.jsonl", nil) // a journal of a fix that changed nothing
	before := dirNames(t, w.winDir)
	r = w.windows(ctx, nil, append([]string{"rescan", "--from", p("lab scan 1.jsonl"), "--verdict", "ready",
		"--journal", p("fix 1.journal.jsonl")}, auth...)...)
	if r.code != exitReady {
		t.Fatalf("rescan --from %q: exit %d\n%s", p("lab scan 1.jsonl"), r.code, lastLines(r.stderr, 10))
	}
	var created []string
	for _, name := range dirNames(t, w.winDir) {
		if !containsString(before, name) {
			created = append(created, name)
		}
	}
	defaultName := regexp.MustCompile(`^tlsready-results-\d{8}-\d{6}[-0-9]*\.jsonl$`)
	if len(created) != 1 || !defaultName.MatchString(created[0]) {
		t.Fatalf("rescan without --out created %v in the working folder, want one tlsready-results-<date>-<time>.jsonl", created)
	}
	rescanned := readResultsFile(t, filepath.Join(w.winDir, created[0]))
	ready := 0
	for host, e := range want {
		if e.verdict != "ready" {
			continue
		}
		ready++
		if r, ok := rescanned[host]; !ok || r.Verdict != "ready" {
			t.Errorf("rescan of the ready hosts: %s missing or not ready: %+v", host, r.Error)
		}
	}
	if len(rescanned) != ready {
		t.Errorf("rescan --verdict ready scanned %d hosts, want the %d ready ones", len(rescanned), ready)
	}

	r = w.windows(ctx, nil, "merge", p("lab scan 1.jsonl"), p(created[0]), "--out", p("merged 1.jsonl"))
	if r.code != exitUnknown {
		t.Errorf("merge: exit %d, want %d (the fleet has unknown hosts)\n%s", r.code, exitUnknown, lastLines(r.stderr, 10))
	}
	if merged := readResultsFile(t, filepath.Join(w.winDir, "merged 1.jsonl")); len(merged) != len(want) {
		t.Errorf("merged file has %d hosts, want %d", len(merged), len(want))
	}

	r = w.windows(ctx, nil, "report", p("merged 1.jsonl"), "--lang", "en", "--html", p("lab report.html"))
	if r.code != exitReady {
		t.Fatalf("report --html: exit %d\n%s", r.code, lastLines(r.stderr, 10))
	}
	html, err := os.ReadFile(filepath.Join(w.winDir, "lab report.html"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(html), ">"+p("merged 1.jsonl")+"<") {
		t.Errorf("the HTML report does not name its source %q", p("merged 1.jsonl"))
	}
}

func containsString(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// wineCtrlC: Ctrl-C stops a scan of the Windows build in the two stages of Unix. Wine turns a
// SIGINT of the process into CTRL_C_EVENT for its console control handlers, which Go's runtime
// turns into os.Interrupt: the first stops starting hosts (those running finish and are recorded,
// the others never start), the second cancels the host that never answers. The hanging host comes
// first; --rate 2 keeps most hosts waiting when the first Ctrl-C comes.
func wineCtrlC(ctx context.Context, t *testing.T, w *wineRun, password string, lines []string, want map[string]expectation) {
	var targets []string
	for _, l := range lines {
		if strings.HasPrefix(l, "PC-HANG-024 ") {
			targets = append([]string{l}, targets...)
		} else {
			targets = append(targets, l)
		}
	}
	w.writeBoth(t, "ctrl-c targets.txt", []byte(strings.Join(targets, "\n")+"\n"))
	out := w.windowsPath("ctrl-c run.jsonl")
	cmd := w.windowsCmd(ctx, []string{"TLSREADY_PASSWORD=" + password}, "scan", "--targets-file", w.windowsPath("ctrl-c targets.txt"),
		"--auth", "ntlm", "--user", `LAB\tlsready`, "--concurrency", "2", "--rate", "2", "--timeout", "120s", "--grace", "120s",
		"--no-progress", "--out", out)
	var stderr syncbuf.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	waitFor := func(what, text string, limit time.Duration) {
		t.Helper()
		deadline := time.Now().Add(limit)
		for !strings.Contains(stderr.String(), text) {
			select {
			case err := <-done:
				t.Fatalf("scan ended (%v) before %s\n%s", err, what, stderr.String())
			case <-time.After(20 * time.Millisecond):
			}
			if time.Now().After(deadline) {
				_ = cmd.Process.Kill()
				t.Fatalf("no %s within %s\n%s", what, limit, stderr.String())
			}
		}
	}
	// Complete lines in the results file: hosts finished.
	finished := func() int {
		b, _ := os.ReadFile(filepath.Join(w.winDir, "ctrl-c run.jsonl"))
		return bytes.Count(b, []byte("\n"))
	}
	waitFor("start", fmt.Sprintf("scanning %d host(s)", len(lines)), time.Minute)
	for deadline := time.Now().Add(time.Minute); finished() < 2; time.Sleep(20 * time.Millisecond) {
		if time.Now().After(deadline) {
			_ = cmd.Process.Kill()
			t.Fatalf("no two hosts finished within a minute\n%s", stderr.String())
		}
	}
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	atFirst := finished()
	waitFor("first stage after the first Ctrl-C", "Ctrl-C again cancels them", 30*time.Second)
	// Had hosts still been started, --rate 2 would start 6 more in these 3 s, and they finish
	// in well under a second each.
	time.Sleep(3 * time.Second)
	select {
	case err := <-done:
		t.Fatalf("scan ended (%v) after the first Ctrl-C, while its hanging host had 120 s of grace\n%s", err, stderr.String())
	default:
	}
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-done:
		var ee *exec.ExitError
		if !errors.As(err, &ee) || ee.ExitCode() != exitUnknown {
			t.Errorf("scan ended with %v, want exit %d\n%s", err, exitUnknown, stderr.String())
		}
	case <-time.After(30 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatalf("scan still running 30 s after the second Ctrl-C\n%s", stderr.String())
	}
	if !strings.Contains(stderr.String(), "--resume "+out) {
		t.Errorf("stderr lacks the --resume hint:\n%s", stderr.String())
	}
	rs := readResultsFile(t, filepath.Join(w.winDir, "ctrl-c run.jsonl"))
	if _, ok := rs["PC-HANG-024"]; ok {
		t.Errorf("the cancelled hanging host was recorded")
	}
	// The one other host running at the first Ctrl-C (--concurrency 2) may finish after it, and
	// one more may start before Wine has delivered the Ctrl-C.
	if len(rs) > atFirst+2 {
		t.Errorf("%d hosts recorded, %d when the first Ctrl-C came: hosts were started after it", len(rs), atFirst)
	}
	for host, r := range rs {
		if string(r.Verdict) != want[host].verdict {
			t.Errorf("%s, finished after the first Ctrl-C: verdict %s, documented %s", host, r.Verdict, want[host].verdict)
		}
	}
	t.Logf("Ctrl-C under Wine after %d hosts: %d of %d finished, the others never started", atFirst, len(rs), len(lines))
}

// winePasswordPrompt: with no password given, the Windows build prompts on its console (Wine
// gives a program on a Unix terminal a console): what is typed authenticates and is not echoed;
// Ctrl-C at the prompt gives it up; with standard input not a console it does not prompt.
func winePasswordPrompt(ctx context.Context, t *testing.T, w *wineRun, password string, lines []string, want map[string]expectation) {
	var target string
	for _, l := range lines {
		if strings.HasPrefix(l, "PC-W10-001 ") {
			target = l
		}
	}
	if target == "" || want["PC-W10-001"].verdict != "ready" {
		t.Fatalf("the fleet has no ready PC-W10-001: %q", target)
	}
	w.writeBoth(t, "prompt target.txt", []byte(target+"\n"))
	for _, tc := range []struct {
		name     string
		typed    string // "" presses Ctrl-C
		code     int
		stderr   string
		recorded bool
	}{
		{name: "typed", typed: password + "\r", code: exitReady, recorded: true},
		{name: "ctrl-c", code: exitUsage, stderr: "interrupted at the password prompt"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out := "prompt " + tc.name + ".jsonl"
			master, tty := openTestPTY(t)
			cmd := w.windowsCmd(ctx, nil, "scan", "--targets-file", w.windowsPath("prompt target.txt"), "--auth", "ntlm",
				"--user", `LAB\tlsready`, "--no-progress", "--out", w.windowsPath(out))
			cmd.Stdin, cmd.Stdout, cmd.Stderr = tty, tty, tty
			cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			tty.Close() // the child has it; EOF on the master once the child is gone
			var screen syncbuf.Buffer
			readerDone := make(chan struct{})
			go func() {
				defer close(readerDone)
				buf := make([]byte, 4096)
				for {
					n, err := master.Read(buf)
					screen.Write(buf[:n])
					if err != nil {
						return
					}
				}
			}()
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			// Wine's console switches the Unix terminal to raw mode (its own echo, here off) only
			// when the program first reads the console, just after the prompt shows; what is typed
			// before is echoed by the terminal and then discarded. (On Windows the console reads
			// the keyboard itself.) So type once the prompt shows and the terminal is raw.
			deadline := time.Now().Add(time.Minute)
			for !strings.Contains(screen.String(), "Password for LAB\\tlsready:") || ttyEchoes(t, master) {
				if time.Now().After(deadline) {
					_ = cmd.Process.Kill()
					t.Fatalf("no password prompt on a raw terminal within a minute:\n%q", screen.String())
				}
				time.Sleep(20 * time.Millisecond)
			}
			input := tc.typed
			if input == "" {
				input = "\x03"
			}
			if _, err := master.Write([]byte(input)); err != nil {
				t.Fatal(err)
			}
			var err error
			select {
			case err = <-done:
			case <-time.After(time.Minute):
				_ = cmd.Process.Kill()
				t.Fatalf("still running a minute after %q was typed:\n%q", input, screen.String())
			}
			// The last output may still be on its way from the terminal (whose master end reads
			// EOF only once every process holding it, wineserver too, is gone).
			for deadline := time.Now().Add(10 * time.Second); !strings.Contains(screen.String(), tc.stderr) && time.Now().Before(deadline); {
				select {
				case <-readerDone:
					deadline = time.Now()
				case <-time.After(20 * time.Millisecond):
				}
			}
			code := 0
			var ee *exec.ExitError
			if errors.As(err, &ee) {
				code = ee.ExitCode()
			}
			if code != tc.code || !strings.Contains(screen.String(), tc.stderr) {
				t.Errorf("exit %d, want %d with %q; the console showed:\n%q", code, tc.code, tc.stderr, screen.String())
			}
			if strings.Contains(screen.String(), password) {
				t.Errorf("the password was echoed:\n%q", screen.String())
			}
			_, statErr := os.Stat(filepath.Join(w.winDir, out))
			if recorded := statErr == nil; recorded != tc.recorded {
				t.Fatalf("results file written: %t, want %t", recorded, tc.recorded)
			}
			if tc.recorded {
				if r := readResultsFile(t, filepath.Join(w.winDir, out))["PC-W10-001"]; r.Verdict != "ready" {
					t.Errorf("PC-W10-001 with the typed password: %s %+v", r.Verdict, r.Error)
				}
			}
		})
	}
	t.Run("stdin not a console", func(t *testing.T) {
		r := w.windows(ctx, nil, "scan", "--targets-file", w.windowsPath("prompt target.txt"), "--auth", "ntlm",
			"--user", `LAB\tlsready`, "--no-progress", "--out", w.windowsPath("prompt none.jsonl"))
		if r.code != exitUsage || !strings.Contains(r.stderr, `no password for LAB\tlsready`) {
			t.Errorf("exit %d, want %d and a message that no password was given:\n%s", r.code, exitUsage, r.stderr)
		}
	})
}

// Tests that exist only for Windows (in *_windows_test.go files) run in the Windows build of their
// package's test binary under Wine: each package's binary is built with GOOS=windows and runs
// exactly those tests. About 10 s, most of it the build.
func TestWindowsOnlyTestsUnderWine(t *testing.T) {
	t.Parallel() // each test binary is a process of its own
	if testing.Short() {
		t.Skip("cross-builds test binaries and runs them under Wine")
	}
	env := winetest.Load(t)
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	testFuncRE := regexp.MustCompile(`(?m)^func (Test\w+)\(t \*testing\.T\)`)
	tests := map[string][]string{} // package folder -> its Windows-only tests
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && path != root && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata") {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(d.Name(), "_windows_test.go") {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, m := range testFuncRE.FindAllStringSubmatch(string(src), -1) {
			tests[filepath.Dir(path)] = append(tests[filepath.Dir(path)], m[1])
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(tests[filepath.Join(root, "remote")]) == 0 {
		t.Fatalf("found no Windows-only tests in remote (TestWindowsErrnos): %v", tests)
	}
	for dir, names := range tests {
		rel, _ := filepath.Rel(root, dir)
		t.Run(rel, func(t *testing.T) {
			exe := testBuilds.Exe(t, winetest.Program{Dir: dir, Test: true})
			ctx, cancel := context.WithTimeout(context.Background(), winetest.RunTimeout)
			defer cancel()
			cmd := env.Command(ctx, exe, nil, "-test.run", "^("+strings.Join(names, "|")+")$", "-test.v", "-test.count=1")
			cmd.Dir = dir
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("%s under Wine: %v\n%s", rel, err, lastLines(string(out), 40))
			}
			for _, name := range names {
				// A test driven by a Linux test that sets up its server and environment
				// (TestSSPIExplicitCredentials by TestSSPIUnderWine) skips here, saying so.
				if strings.Contains(string(out), "--- SKIP: "+name+" ") && regexp.MustCompile(`: run by Test\w+`).MatchString(string(out)) {
					continue
				}
				if !strings.Contains(string(out), "--- PASS: "+name+" ") {
					t.Errorf("%s did not pass under Wine:\n%s", name, lastLines(string(out), 40))
				}
			}
			t.Logf("under Wine: %s", strings.Join(names, ", "))
		})
	}
}

// blankRun makes the two OSes' wordings of the same run equal, and nothing else: a different
// verdict, host or phase stays different.
func TestBlankRun(t *testing.T) {
	for _, tc := range []struct {
		name         string
		linux, win   string
		wantSameText bool
	}{
		{"socket error", `"m":"host 127.0.0.1:51305: connect: dial tcp 127.0.0.1:51305: connect: connection refused"}`,
			`"m":"host 127.0.0.1:45103: connect: dial tcp 127.0.0.1:45103: connectex: Connection refused."}`, true},
		{"timeout in HTML", `<td>authenticate: read tcp 127.0.0.1:43264-&gt;127.0.0.1:41609: i/o timeout<td title="x">`,
			`<td>authenticate: timed out after 4.998s: context deadline exceeded (read tcp 127.0.0.1:38275-&gt;127.0.0.1:37793: i/o timeout)<td title="x">`, true},
		{"timeout in JSON", `"whatToDo": "timeout: authenticate: read tcp 127.0.0.1:1-\u003e127.0.0.1:2: i/o timeout",`,
			`"whatToDo": "timeout: authenticate: timed out after 5.002s: context deadline exceeded",`, true},
		{"times and ids", `"scanId":"20261205T013205Z-05196506","generated":"2026-12-05T01:29:20Z"<dd>2026-12-05 01:29 UTC</dd>`,
			`"scanId":"20261205T013209Z-0a19f506","generated":"2026-12-05T01:29:23.5+09:00"<dd>2026-12-05 01:30 GMT</dd>`, true},
		{"scan within a minute, scan over two", `<dd id="scanned">2026-12-05 01:29 UTC</dd>`,
			`<dd id="scanned">2026-12-05 01:29 – 2026-12-05 01:30 UTC</dd>`, true},
		{"scanned and generated stay apart", `<dd>2026-12-05 01:29 UTC</dd><dd>2026-12-05 01:29 UTC</dd>`,
			`<dd>2026-12-05 01:29 – 2026-12-05 01:30 UTC</dd>`, false},
		{"timeout phase", `<td>authenticate: timed out after 5s<td>`, `<td>create shell: timed out after 5s<td>`, false},
		{"verdict", `<tr class="unknown"><td>PC-1<td>`, `<tr class="ready"><td>PC-1<td>`, false},
		{"socket error of another phase", `collect: dial tcp 127.0.0.1:1: connect: connection refused`, `connect: dial tcp 127.0.0.1:1: connect: connection refused`, false},
	} {
		if l, w := blankRun(tc.linux), blankRun(tc.win); (l == w) != tc.wantSameText {
			t.Errorf("%s: blanked equal %t, want %t\nlinux:   %s\nwindows: %s", tc.name, l == w, tc.wantSameText, l, w)
		}
	}
}
