//go:build linux

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
	"github.com/tlsready/tlsready/internal/winetest"
	"github.com/tlsready/tlsready/scan"
)

// The Windows build in a console (Wine's, on a tmux terminal of 80 columns): virtual-terminal
// processing is switched on, so the report's verdicts are coloured (not with NO_COLOR), and a
// scan's live progress line is redrawn in place: one progress row on the screen at the end.
func TestWindowsBuildConsoleUnderWine(t *testing.T) {
	t.Parallel() // its programs run in a tmux server and folders of their own
	if testing.Short() {
		t.Skip("cross-builds the binary and runs it under Wine in tmux")
	}
	env := winetest.Load(t)
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Skip("tmux not installed") // TestScanProgressInTmux80Columns fails for it under CI
	}
	tmp := t.TempDir()
	wine := env.Shell(windowsExe(t))
	waitExit := func(p *tmuxPane, limit time.Duration) string {
		deadline := time.Now().Add(limit)
		for {
			if s := p.screen(false); strings.Contains(s, "TLSREADY-EXIT=") {
				return s
			}
			if time.Now().After(deadline) {
				t.Fatalf("no end within %s:\n%s", limit, p.screen(false))
			}
			time.Sleep(200 * time.Millisecond)
		}
	}

	results := filepath.Join(tmp, "r.jsonl")
	writeResultsFile(t, results, scan.Result{Host: "PC-01", Verdict: checks.Action, End: time.Now()})
	for _, tc := range []struct {
		env    string
		colour bool
	}{{"TERM=xterm-256color", true}, {"TERM=xterm-256color NO_COLOR=1", false}} {
		p := startTmux(t, 100, 30, fmt.Sprintf(`env %s %s report '%s'; echo "TLSREADY-EXIT=$?"`, tc.env, wine, winetest.Path(results)))
		waitExit(p, 2*time.Minute)
		out, err := p.tmux("capture-pane", "-p", "-e")
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(out, "PC-01") {
			t.Fatalf("%s: no table:\n%s", tc.env, out)
		}
		if has := regexp.MustCompile(`\x1b\[[0-9;]*3[1-5]m`).MatchString(out); has != tc.colour {
			t.Errorf("%s: coloured %t, want %t:\n%q", tc.env, has, tc.colour, out)
		}
	}

	const password = "wine-console-Passw0rd"
	want := fleetExpectations(t)
	lines := startLabProcess(t, buildBinary(t), password, len(want), "--auth", "ntlm", "--fleet", "../../testdata/fleet")
	targets := filepath.Join(tmp, "targets.txt")
	if err := os.WriteFile(targets, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	p := startTmux(t, 80, 40, fmt.Sprintf(`TLSREADY_PASSWORD='%s' TERM=xterm-256color %s scan --targets-file '%s' --auth ntlm --user 'LAB\tlsready' --timeout 5 --concurrency 4 --quiet --out '%s'; echo "TLSREADY-EXIT=$?"`,
		password, wine, winetest.Path(targets), winetest.Path(filepath.Join(tmp, "scan.jsonl"))))
	waitExit(p, 3*time.Minute)
	rows := progressRows(p.screen(true), len(want))
	if len(rows) != 1 || !strings.HasPrefix(rows[0], fmt.Sprintf("%d/%d (100%%)", len(want), len(want))) {
		t.Errorf("the Windows build's scan left %d progress rows, want the final one only:\n%s", len(rows), p.screen(true))
	}
}
