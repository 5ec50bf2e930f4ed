package main

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/tlsready/tlsready/remote/winrmsim"
)

// hostileFleet serves copies of the healthy built-in profiles with fault, named PREFIX-NN, with
// opts (user LAB\tlsready, password), and returns a targets file.
func hostileFleet(t *testing.T, fault, prefix string, n int, opts winrmsim.Options) string {
	t.Helper()
	var profiles []winrmsim.Profile
	for i, p := range healthyProfiles(t) {
		if i == n {
			break
		}
		p.Name, p.Fault, p.Latency = fmt.Sprintf("%s-%02d", prefix, i+1), fault, ""
		profiles = append(profiles, p)
	}
	_, tf := serveFleetWith(t, profiles, opts)
	return tf
}

// passwordForms are the forms of a password a host can echo: in clear, base64, UTF-16LE base64,
// and the base64 of user:password of a Basic header.
func passwordForms(user, pw string) map[string]string {
	var u16 []byte
	for _, r := range utf16.Encode([]rune(pw)) {
		u16 = append(u16, byte(r), byte(r>>8))
	}
	return map[string]string{
		"clear":         pw,
		"base64":        base64.StdEncoding.EncodeToString([]byte(pw)),
		"utf16 base64":  base64.StdEncoding.EncodeToString(u16),
		"basic header":  base64.StdEncoding.EncodeToString([]byte(user + ":" + pw)),
		"base64 no pad": strings.TrimRight(base64.StdEncoding.EncodeToString([]byte(pw)), "="),
	}
}

// A host that echoes the password (ShellId, OS caption, stderr, a value's error text), over
// Basic and over NTLM: no form of it is in the results file, the terminal, or any report.
func TestHostile_echoPasswordRedacted(t *testing.T) {
	const user, password = `LAB\tlsready`, "Echo-Secret-9xQ"
	for _, tc := range []struct {
		name string
		opts winrmsim.Options
		args []string
	}{
		{"basic over http", winrmsim.Options{Auth: []string{winrmsim.SchemeBasic}, AllowUnencrypted: true},
			[]string{"--auth", "basic", "--allow-basic-over-http"}},
		{"ntlm", winrmsim.Options{}, []string{"--auth", "ntlm"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.opts.Password = password
			targets := hostileFleet(t, winrmsim.FaultEchoPassword, "PC-ECHO", 2, tc.opts)
			dir := t.TempDir()
			t.Setenv("TLSREADY_PASSWORD", password)
			results := filepath.Join(dir, "scan.jsonl")
			code, stdout, stderr := runCLI(t, append([]string{"scan", "--targets-file", targets, "--user", user, "--out", results,
				"--no-progress", "--html", filepath.Join(dir, "scan.html"), "--method", "shell"}, tc.args...)...)
			if code == exitUsage {
				t.Fatalf("scan exit %d: %s", code, lastLines(stderr, 5))
			}
			got := readResultsFile(t, results)
			echoed := 0
			for _, r := range got {
				if r.Facts == nil {
					t.Fatalf("%s: no facts (error %+v): the host should answer", r.Host, r.Error)
				}
				if strings.Contains(r.Facts.OS.Caption, "[redacted]") {
					echoed++
				}
			}
			if echoed != len(got) || echoed == 0 {
				t.Errorf("%d of %d hosts have the redaction mark in their caption: the fault did not echo", echoed, len(got))
			}
			outputs := map[string]string{"scan stdout": stdout, "scan stderr": stderr}
			for _, f := range []string{"scan.jsonl", "scan.html"} {
				b, err := os.ReadFile(filepath.Join(dir, f))
				if err != nil {
					t.Fatal(err)
				}
				outputs[f] = string(b)
			}
			for _, format := range []string{"table", "csv", "json"} {
				code, out, errOut := runCLI(t, "report", results, "--format", format, "--html", filepath.Join(dir, "report-"+format+".html"))
				if code == exitUsage {
					t.Fatalf("report --format %s: %s", format, errOut)
				}
				outputs["report "+format] = out
				b, _ := os.ReadFile(filepath.Join(dir, "report-"+format+".html"))
				outputs["report html"] = string(b)
			}
			for name, text := range outputs {
				for form, s := range passwordForms(user, password) {
					if strings.Contains(text, s) {
						t.Errorf("%s holds the password (%s)", name, form)
					}
				}
			}
		})
	}
}

// isControlRune reports whether r is a rune no machine output may hold raw: a C0 control other
// than tab, CR and LF, DEL, a C1 control, a bidi control, U+2028 or U+2029.
func isControlRune(r rune) bool {
	switch {
	case r == '\t' || r == '\r' || r == '\n':
		return false
	case r < 0x20 || r >= 0x7f && r <= 0x9f:
		return true
	case r == 0x200e || r == 0x200f || r >= 0x202a && r <= 0x202e || r >= 0x2066 && r <= 0x2069 || r == 0x2028 || r == 0x2029:
		return true
	}
	return false
}

// A host whose strings carry terminal and bidi controls: the results file, the CSV and JSON
// reports and the kit's host lists hold none raw, and the JSON decodes to the strings the host
// sent.
func TestHostile_controlCharsEscaped(t *testing.T) {
	const password = "ctrl-lab-Passw0rd"
	targets := hostileFleet(t, winrmsim.FaultControlChars, "PC-CTRL", 40, winrmsim.Options{Password: password})
	dir := t.TempDir()
	t.Setenv("TLSREADY_PASSWORD", password)
	results := filepath.Join(dir, "scan.jsonl")
	// --method shell: the collector's output carries the controls (base64); XML 1.0 cannot.
	code, _, stderr := runCLI(t, "scan", "--targets-file", targets, "--user", `LAB\tlsready`, "--auth", "ntlm", "--out", results, "--no-progress", "--method", "shell")
	if code == exitUsage {
		t.Fatalf("scan exit %d: %s", code, lastLines(stderr, 5))
	}
	got := readResultsFile(t, results)
	for _, r := range got {
		// The JSON decodes to what the host sent: the controls are escaped, not lost.
		if r.Facts == nil || !strings.Contains(r.Facts.OS.Caption, "\x1b]52;c;") || !strings.Contains(r.Facts.OS.Caption, "\u009b") ||
			!strings.Contains(r.Facts.OS.Caption, "\u202e") || !strings.Contains(r.Facts.ComputerName, "\u2028") {
			t.Fatalf("%s: facts %+v: the controls did not round-trip", r.Host, r.Facts)
		}
	}
	outputs := map[string][]byte{}
	outputs["scan.jsonl"], _ = os.ReadFile(results)
	for _, format := range []string{"csv", "json"} {
		code, out, errOut := runCLI(t, "report", results, "--format", format)
		if code == exitUsage {
			t.Fatalf("report --format %s: %s", format, errOut)
		}
		outputs["report "+format] = []byte(out)
	}
	var doc any
	if err := json.Unmarshal(outputs["report json"], &doc); err != nil {
		t.Fatalf("report json: %v", err)
	}
	if b, _ := json.Marshal(doc); !strings.Contains(string(b), `\u001b]52;c;`) || !strings.Contains(string(b), "\u202e") {
		t.Errorf("report json does not decode to the host's strings")
	}
	kit := filepath.Join(dir, "kit")
	if code, _, errOut := runCLI(t, "remediate", results, "--out", kit); code != exitReady {
		t.Fatalf("remediate: %s", errOut)
	}
	lists, _ := filepath.Glob(filepath.Join(kit, "*.csv"))
	listed := 0
	for _, l := range lists {
		b, _ := os.ReadFile(l)
		outputs["kit "+filepath.Base(l)] = b
		listed += strings.Count(string(b), "PC-CTRL")
	}
	if listed == 0 {
		t.Errorf("no PC-CTRL host in the kit's host lists %v", lists)
	}
	for name, b := range outputs {
		for i, r := range string(b) {
			if isControlRune(r) {
				t.Errorf("%s holds the raw control U+%04X at byte %d: %q", name, r, i, string(b[max(0, i-30):min(len(b), i+10)]))
				break
			}
		}
	}
}

// Every file the CLI writes is 0600 (TLSREADY_FILE_MODE=0644 widens it): results, merged
// results, report --out, the HTML reports, the kit.
func TestFilesAreOwnerOnly(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Unix modes")
	}
	const password = "mode-lab-Passw0rd"
	targets := hostileFleet(t, "", "PC-MODE", 2, winrmsim.Options{Password: password})
	t.Setenv("TLSREADY_PASSWORD", password)
	for _, tc := range []struct {
		env  string
		want os.FileMode
	}{{"", 0o600}, {"0644", 0o644}} {

		t.Run("mode "+tc.want.String(), func(t *testing.T) {
			t.Setenv(fileModeEnv, tc.env)
			dir := t.TempDir()
			p := func(n string) string { return filepath.Join(dir, n) }
			// An earlier file left readable by all gets the mode too.
			if err := os.WriteFile(p("report.csv"), []byte("old"), 0o666); err != nil {
				t.Fatal(err)
			}
			os.Chmod(p("report.csv"), 0o666)
			runs := [][]string{
				{"scan", "--targets-file", targets, "--user", `LAB\tlsready`, "--auth", "ntlm", "--out", p("scan.jsonl"), "--html", p("scan.html"), "--no-progress"},
				{"merge", p("scan.jsonl"), "--out", p("merged.jsonl"), "--html", p("merged.html")},
				{"report", p("scan.jsonl"), "--format", "csv", "--out", p("report.csv"), "--force"},
				{"report", p("scan.jsonl"), "--format", "json", "--out", p("report.json")},
				{"remediate", p("scan.jsonl"), "--out", p("kit")},
			}
			for _, args := range runs {
				if code, _, errOut := runCLI(t, args...); code == exitUsage {
					t.Fatalf("%v: %s", args, lastLines(errOut, 3))
				}
			}
			files, _ := filepath.Glob(p("kit/*"))
			files = append(files, p("scan.jsonl"), p("scan.html"), p("merged.jsonl"), p("merged.html"), p("report.csv"), p("report.json"))
			for _, f := range files {
				fi, err := os.Stat(f)
				if err != nil {
					t.Fatal(err)
				}
				if fi.Mode().Perm() != tc.want {
					t.Errorf("%s: mode %04o, want %04o", filepath.Base(f), fi.Mode().Perm(), tc.want)
				}
			}
			t.Setenv(fileModeEnv, "0777")
			if code, _, errOut := runCLI(t, "report", p("scan.jsonl"), "--format", "csv", "--out", filepath.Join(t.TempDir(), "r.csv")); code != exitUsage || !strings.Contains(errOut, fileModeEnv) {
				t.Errorf("TLSREADY_FILE_MODE=0777: exit %d %s, want a usage error naming it", code, errOut)
			}
		})
	}
}

// A password file others can read is warned about; one only its owner can read is not.
func TestPasswordFileWarning(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Unix modes")
	}
	for _, tc := range []struct {
		flag string
		mode os.FileMode
		warn bool
	}{
		{"--password-file", 0o600, false},
		{"--password-file", 0o644, true},
		{"--password-file", 0o640, true},
		{"--ldap-password-file", 0o604, true},
		{"--ldap-password-file", 0o400, false},
	} {
		t.Run(fmt.Sprintf("%s %04o", tc.flag, tc.mode), func(t *testing.T) {
			t.Setenv("TLSREADY_PASSWORD", "")
			t.Setenv("TLSREADY_LDAP_PASSWORD", "")
			pw := filepath.Join(t.TempDir(), "pw")
			if err := os.WriteFile(pw, []byte("secret-pw\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(pw, tc.mode); err != nil {
				t.Fatal(err)
			}
			// Basic over HTTP is refused after the passwords are read: nothing is contacted.
			args := []string{"scan", "--auth", "basic", "--target", "PC-01=127.0.0.1:1", "--user", `CORP\a`}
			if tc.flag == "--password-file" {
				args = append(args, "--password-file", pw)
			} else {
				args = append(args, "--ou", "OU=PCs,DC=corp,DC=example", "--ldap-url", "ldaps://127.0.0.1:1",
					"--ldap-user", `CORP\ldap`, "--ldap-password-file", pw)
				t.Setenv("TLSREADY_PASSWORD", "winrm-pw")
			}
			_, _, stderr := runCLI(t, args...)
			if got := strings.Contains(stderr, "readable by others"); got != tc.warn {
				t.Errorf("warning %v, want %v: %s", got, tc.warn, stderr)
			}
		})
	}
}

// The process runs with RLIMIT_CORE 0: a core file would hold the password in clear. Checked in
// a child process (the limit cannot be raised again).
func TestCoreDumpsDisabled(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("Linux")
	}
	if os.Getenv("TLSREADY_CORE_CHILD") == "1" {
		os.Args = []string{"tlsready", "version"}
		mainCode()
		b, err := os.ReadFile("/proc/self/limits")
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range strings.Split(string(b), "\n") {
			if strings.HasPrefix(l, "Max core file size") {
				fmt.Println("LIMIT:", strings.Join(strings.Fields(l)[4:6], " "))
			}
		}
		return
	}
	// The child starts with core dumps allowed up to the hard limit, as after ulimit -c.
	child := exec.Command("sh", "-c", `ulimit -S -c $(ulimit -H -c); exec "$0" "$@"`, os.Args[0], "-test.run=^TestCoreDumpsDisabled$", "-test.count=1", "-test.v")
	child.Env = append(os.Environ(), "TLSREADY_CORE_CHILD=1")
	out, err := child.CombinedOutput()
	if err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "LIMIT: 0 0") {
		t.Errorf("core file size limit after start is not 0 0:\n%s", out)
	}
}

// A full disk while the results are written: the message says to free space and go on with
// --resume FILE.
func TestScanDiskFull(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("/dev/full")
	}
	const password = "full-lab-Passw0rd"
	targets := hostileFleet(t, "", "PC-FULL", 1, winrmsim.Options{Password: password})
	t.Setenv("TLSREADY_PASSWORD", password)
	code, _, stderr := runCLI(t, "scan", "--targets-file", targets, "--user", `LAB\tlsready`, "--auth", "ntlm", "--out", "/dev/full", "--no-progress")
	if code != exitUsage || !strings.Contains(stderr, "disk is full") || !strings.Contains(stderr, "Free some space") ||
		!strings.Contains(stderr, "--resume /dev/full") {
		t.Errorf("exit %d, stderr %s: want the full-disk message with --resume", code, lastLines(stderr, 3))
	}
}
