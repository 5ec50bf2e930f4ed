//go:build unix

package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/tlsready/tlsready/checks"
	"github.com/tlsready/tlsready/internal/labenv"
	"github.com/tlsready/tlsready/scan"
)

// tmuxPane is a detached tmux session of its own (a private server socket) running one shell
// command in a window of the given size, with a scroll-back long enough for a 2,000-host table.
type tmuxPane struct {
	t      *testing.T
	socket string
}

// startTmux runs command in a new detached tmux session of cols x rows; the server is killed
// when the test ends. Without tmux the test is skipped (failed under CI).
//
// The pane's shell sleeps after command instead of exiting: when the program in a pane exits,
// tmux may close the pane's terminal before it has read the last of the output, and on a loaded
// machine a scan's table was cut short and the "TLSREADY-EXIT=" line behind it lost ("Pane is
// dead"), so the test waited out its limit for a line that never came.
func startTmux(t *testing.T, cols, rows int, command string) *tmuxPane {
	t.Helper()
	if _, err := exec.LookPath("tmux"); err != nil {
		labenv.Require(t, "tmux not installed (apt-get install tmux): the live progress line is checked in a real terminal")
	}
	dir := t.TempDir()
	conf := filepath.Join(dir, "tmux.conf")
	if err := os.WriteFile(conf, []byte("set -g history-limit 100000\nset -g remain-on-exit on\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	p := &tmuxPane{t: t, socket: fmt.Sprintf("tlsready-test-%d-%d", os.Getpid(), time.Now().UnixNano())}
	command += "; exec sleep 86400"
	if out, err := p.tmux("-f", conf, "new-session", "-d", "-x", fmt.Sprint(cols), "-y", fmt.Sprint(rows), command); err != nil {
		t.Fatalf("tmux new-session: %v\n%s", err, out)
	}
	t.Cleanup(func() { _, _ = p.tmux("kill-server") })
	return p
}

func (p *tmuxPane) tmux(args ...string) (string, error) {
	out, err := exec.Command("tmux", append([]string{"-L", p.socket}, args...)...).CombinedOutput()
	return string(out), err
}

// screen is what the pane shows now; all adds the scroll-back.
func (p *tmuxPane) screen(all bool) string {
	args := []string{"capture-pane", "-p"}
	if all {
		args = append(args, "-S", "-")
	}
	out, err := p.tmux(args...)
	if err != nil {
		p.t.Fatalf("tmux capture-pane: %v\n%s", err, out)
	}
	return out
}

// progressRows are the rows of screen that hold a progress line of a scan of n hosts.
func progressRows(screen string, n int) []string {
	re := regexp.MustCompile(fmt.Sprintf(`\d+/%d\b`, n))
	var rows []string
	for _, row := range strings.Split(screen, "\n") {
		if re.MatchString(row) {
			rows = append(rows, row)
		}
	}
	return rows
}

// scanInTmux runs a scan of the lab's targets in an 80-column tmux pane and captures the pane
// every 200 ms until the scan has ended (its exit code printed) or limit passes. It returns the
// captures taken while the scan ran and the whole scroll-back at the end.
func scanInTmux(t *testing.T, lines []string, password string, limit time.Duration, during func(p *tmuxPane, screen string), args ...string) (captures []string, final string) {
	t.Helper()
	bin := buildBinary(t)
	dir := t.TempDir()
	targets := filepath.Join(dir, "targets.txt")
	if err := os.WriteFile(targets, []byte(strings.Join(lines, "\n")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := fmt.Sprintf(`cd %s && TLSREADY_PASSWORD='%s' %s scan --targets-file targets.txt --user 'LAB\tlsready' --timeout 5s --out results.jsonl %s; echo "TLSREADY-EXIT=$?"`,
		dir, password, bin, strings.Join(args, " "))
	p := startTmux(t, 80, 40, cmd)
	deadline := time.Now().Add(limit)
	for {
		s := p.screen(false)
		if strings.Contains(s, "TLSREADY-EXIT=") {
			break
		}
		captures = append(captures, s)
		if during != nil {
			during(p, s)
		}
		if strings.Contains(s, "Pane is dead") {
			t.Fatalf("the pane's shell ended before the scan's exit code was shown:\n%s", s)
		}
		if time.Now().After(deadline) {
			t.Fatalf("the scan did not end within %s:\n%s", limit, s)
		}
		time.Sleep(200 * time.Millisecond)
	}
	return captures, p.screen(true)
}

// At 80 columns, a tmux capture of a 2,000-host lab scan shows exactly one progress row: the
// live line fits the width (no wrapped second row), each redraw replaces the last (no stacked
// rows), the time left is shown while the scan runs, and the final figures end with a newline
// before the table.
func TestScanProgressInTmux80Columns(t *testing.T) {
	t.Parallel() // its programs run in a tmux server of their own
	if testing.Short() {
		t.Skip("runs a 2,000-host lab scan in tmux")
	}
	const n, password = 2000, "tmux-lab-Passw0rd"
	bin := buildBinary(t)
	lines := startLabProcess(t, bin, password, n, "--generate", fmt.Sprint(n), "--fault-mix", "refuse=5,timeout=1", "--user", `LAB\tlsready`)
	captures, final := scanInTmux(t, lines, password, 5*time.Minute, nil)
	if len(captures) < 2 {
		t.Fatalf("only %d capture(s) while the scan ran", len(captures))
	}
	eta := 0
	for i, c := range captures {
		rows := progressRows(c, n)
		if len(rows) > 1 {
			t.Errorf("capture %d while running shows %d progress rows, want at most 1:\n%s", i, len(rows), c)
		}
		for _, r := range rows {
			if w := len(strings.TrimRight(r, " ")); w >= 80 {
				t.Errorf("capture %d: progress row of %d columns: %q", i, w, r)
			}
			if strings.Contains(r, "ETA ") {
				eta++
			}
		}
	}
	if eta == 0 {
		t.Errorf("no capture of %d taken while the scan ran shows the ETA", len(captures))
	}
	rows := progressRows(final, n)
	if len(rows) != 1 {
		t.Fatalf("the whole scroll-back shows %d progress rows, want exactly 1:\n%s", len(rows), strings.Join(rows, "\n"))
	}
	if !strings.HasPrefix(rows[0], fmt.Sprintf("%d/%d (100%%)", n, n)) {
		t.Errorf("final progress row %q: want the final figures", rows[0])
	}
	// The row after it is the table's top border, not more progress glued to it.
	all := strings.Split(final, "\n")
	for i, r := range all {
		if r == rows[0] && (i+1 >= len(all) || !strings.HasPrefix(all[i+1], "┌")) {
			t.Errorf("the progress row is followed by %q, want the table", all[i+1])
		}
	}
	if !strings.Contains(final, "TLSREADY-EXIT=2") {
		t.Errorf("exit code: want 2 (unknown hosts)\n%s", lastLines(final, 5))
	}
}

// Ctrl-C during a scan in a terminal: "stopping..." is printed on a row of its own (the live
// line taken off first), and after the grace period the table starts on a clean row.
func TestScanCtrlCInTmux(t *testing.T) {
	t.Parallel() // its programs run in a tmux server of their own
	if testing.Short() {
		t.Skip("runs a lab scan in tmux")
	}
	const n, password = 200, "tmux-lab-Passw0rd"
	bin := buildBinary(t)
	lines := startLabProcess(t, bin, password, n, "--generate", fmt.Sprint(n), "--fault-mix", "timeout=100", "--user", `LAB\tlsready`)
	sent := false
	_, final := scanInTmux(t, lines, password, 2*time.Minute, func(p *tmuxPane, screen string) {
		if !sent && len(progressRows(screen, n)) > 0 {
			if out, err := p.tmux("send-keys", "C-c"); err != nil {
				t.Fatalf("tmux send-keys: %v\n%s", err, out)
			}
			sent = true
		}
	}, "--concurrency", "4", "--grace", "1s")
	if !sent {
		t.Fatal("no progress line was seen to interrupt")
	}
	var stopping, progress int
	for _, r := range strings.Split(final, "\n") {
		if strings.Contains(r, "stopping: no new hosts") {
			stopping++
			if !strings.HasPrefix(r, "stopping:") {
				t.Errorf("the stopping message is glued to another text: %q", r)
			}
		}
	}
	progress = len(progressRows(final, n))
	if stopping != 1 || progress > 2 {
		t.Errorf("%d stopping message(s), %d progress row(s): want 1 and at most 2 (before and after it)\n%s", stopping, progress, final)
	}
	for _, r := range progressRows(final, n) {
		if strings.Contains(r, "┌") || strings.Contains(r, "stopping") {
			t.Errorf("progress row glued to other output: %q", r)
		}
	}
	if !strings.Contains(final, "TLSREADY-EXIT=2") {
		t.Errorf("exit code: want 2 (interrupted)\n%s", lastLines(final, 5))
	}
}

// In a real terminal the report's verdicts are coloured, except with NO_COLOR or TERM=dumb.
func TestReportColourInTmux(t *testing.T) {
	t.Parallel() // its programs run in a tmux server of their own
	dir := t.TempDir()
	results := filepath.Join(dir, "r.jsonl")
	writeResultsFile(t, results, scan.Result{Host: "PC-01", Verdict: checks.Action, End: time.Now()},
		scan.Result{Host: "PC-02", Verdict: checks.Ready, End: time.Now()})
	bin := buildBinary(t)
	tests := []struct {
		name   string
		env    string
		colour bool
	}{
		{"xterm", "TERM=xterm-256color", true},
		{"NO_COLOR", "TERM=xterm-256color NO_COLOR=1", false},
		{"TERM=dumb", "TERM=dumb", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := startTmux(t, 100, 40, fmt.Sprintf(`env %s %s report %s; echo "TLSREADY-EXIT=$?"`, tc.env, bin, results))
			var s string
			for range 100 {
				if s = p.screen(false); strings.Contains(s, "TLSREADY-EXIT=") {
					break
				}
				time.Sleep(100 * time.Millisecond)
			}
			out, err := p.tmux("capture-pane", "-p", "-e")
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(out, "PC-01") {
				t.Fatalf("no table:\n%s", out)
			}
			// tmux -e shows the colours as SGR sequences: 33 is the action verdict's yellow.
			if has := regexp.MustCompile(`\x1b\[[0-9;]*3[1-5]m`).MatchString(out); has != tc.colour {
				t.Errorf("%s: coloured %t, want %t:\n%q", tc.env, has, tc.colour, out)
			}
		})
	}
}
