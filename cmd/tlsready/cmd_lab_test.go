package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// startLab runs "tlsready lab ARGS" in-process and returns the host lines it printed and a stop
// function that interrupts it like Ctrl-C and waits for it to end.
func startLab(t *testing.T, want int, args ...string) (lines []string, stop func()) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	var stderr strings.Builder
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, append([]string{"lab"}, args...), strings.NewReader(""), pw, &stderr)
		pw.Close()
	}()
	sc := bufio.NewScanner(pr)
	for len(lines) < want && sc.Scan() {
		lines = append(lines, sc.Text())
	}
	go func() { _, _ = io.Copy(io.Discard, pr) }()
	if len(lines) != want {
		cancel()
		t.Fatalf("lab printed %d lines, want %d: %s", len(lines), want, stderr.String())
	}
	return lines, func() {
		cancel()
		select {
		case code := <-done:
			if code != exitReady {
				t.Errorf("lab exit %d", code)
			}
		case <-time.After(15 * time.Second):
			t.Errorf("lab did not stop")
		}
	}
}

func smallFleet(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for _, f := range []string{"pc-w7-003.json", "pc-w7-010.json", "pc-w8-021.json"} {
		b, err := os.ReadFile(filepath.Join("../../testdata/fleet", f))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, f), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// HTTPS: an untrusted certificate fails every host with a clear error; --ca-file or
// --insecure-skip-verify (with its warning) let the scan through.
func TestLabHTTPS_certificateVerification(t *testing.T) {
	tmp := t.TempDir()
	ca := filepath.Join(tmp, "lab-ca.pem")
	t.Setenv("TLSREADY_PASSWORD", "lab-https-pw")
	lines, stop := startLab(t, 3, "--fleet", smallFleet(t), "--https", "--ca-out", ca, "--user", `LAB\u`)
	defer stop()
	for _, l := range lines {
		if !strings.Contains(l, "https://127.0.0.1:") {
			t.Fatalf("lab line %q is not an https URL", l)
		}
	}
	targets := filepath.Join(tmp, "hosts.txt")
	if err := os.WriteFile(targets, []byte(strings.Join(lines, "\n")), 0o644); err != nil {
		t.Fatal(err)
	}
	want := map[string]expectation{"PC-W7-003": {verdict: "ready"}, "PC-W7-010": {verdict: "action"}, "PC-W8-021": {verdict: "unsupported"}}
	base := []string{"scan", "--https", "--targets-file", targets, "--user", `LAB\u`, "--timeout", "10s"}

	tests := []struct {
		name      string
		extra     []string
		trusted   bool
		stderrHas string
	}{
		{"untrusted certificate", nil, false, ""},
		{"--ca-file", []string{"--ca-file", ca}, true, ""},
		{"--insecure-skip-verify", []string{"--insecure-skip-verify"}, true, "WARNING: --insecure-skip-verify"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "r.jsonl")
			code, _, stderr := runCLI(t, append(append(base, tc.extra...), "--out", out)...)
			got := readResultsFile(t, out)
			if !tc.trusted {
				if code != exitUnknown {
					t.Errorf("exit %d, want %d", code, exitUnknown)
				}
				for host, r := range got {
					if r.Error == nil || !strings.Contains(r.Error.Message, "certificate") {
						t.Errorf("%s: error %+v, want a certificate error", host, r.Error)
					}
				}
				if len(got) != 3 {
					t.Errorf("%d results, want 3", len(got))
				}
				return
			}
			checkAgainstExpectations(t, got, want)
			if !strings.Contains(stderr, tc.stderrHas) {
				t.Errorf("stderr lacks %q: %s", tc.stderrHas, stderr)
			}
		})
	}
}

// lab --generate serves a generated fleet with the faults asked for; a scan finds exactly them.
func TestLabGenerate(t *testing.T) {
	t.Setenv("TLSREADY_PASSWORD", "gen-lab-pw")
	lines, stop := startLab(t, 50, "--generate", "50", "--fault-mix", "refuse=10,auth=10", "--seed", "3", "--latency", "1ms")
	defer stop()
	targets := filepath.Join(t.TempDir(), "hosts.txt")
	if err := os.WriteFile(targets, []byte(strings.Join(lines, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "r.jsonl")
	code, _, stderr := runCLI(t, "scan", "--targets-file", targets, "--user", `LAB\tlsready`, "--auth", "ntlm",
		"--max-auth-failures", "0", "--no-progress", "--out", out)
	if code != exitUnknown {
		t.Errorf("exit %d: %s", code, stderr)
	}
	for i, l := range lines {
		name, url, _ := strings.Cut(l, " ")
		if want := fmt.Sprintf("SIM-%05d", i+1); name != want || !strings.HasPrefix(url, "http://127.0.0.1:") {
			t.Errorf("line %d %q, want %s http://127.0.0.1:PORT/wsman", i+1, l, want)
		}
	}
	results := readResultsFile(t, out)
	if len(results) != 50 {
		t.Errorf("%d results, want 50", len(results))
	}
	cats := map[string]int{}
	for _, r := range results {
		if r.Error != nil {
			cats[r.Error.Category]++
		}
	}
	if len(cats) != 2 || cats["unreachable"] != 5 || cats["auth"] != 5 {
		t.Errorf("error categories %v, want 5 unreachable and 5 auth", cats)
	}
	for _, args := range [][]string{
		{"lab", "--generate", "5", "--fleet", "x"},
		{"lab", "--generate", "5", "--fault-mix", "melt=10"},
		{"lab", "--generate", "5", "--fault-mix", "refuse=ten"},
		{"lab", "--fault-mix", "refuse=10"},
		{"lab", "--generate", "-1"},
		{"lab", "--generate", "5", "--fault-mix", "refuse=10,refuse=5"},
		{"lab", "--generate", "5", "--fault-mix", "refuse=60,auth=60"},
		{"lab", "--generate", "5", "--host-latency", "soon"},
		{"lab", "--generate", "5", "--latency", "-1s"},
	} {
		if code, _, stderr := runCLI(t, args...); code != exitUsage {
			t.Errorf("%v: exit %d, want %d: %s", args, code, exitUsage, stderr)
		}
	}
}

func TestParseFaultMix(t *testing.T) {
	tests := []struct {
		mix     string
		want    map[string]float64
		wantErr bool
	}{
		{"", map[string]float64{}, false},
		{"refuse=10,timeout=5,quota-then-ok=5,reset=3,auth=2", map[string]float64{"refuse": 0.10, "timeout": 0.05, "quota-then-ok": 0.05, "reset": 0.03, "auth": 0.02}, false},
		{" Refuse = 12.5% , ,slow=0", map[string]float64{"refuse": 0.125, "slow": 0}, false},
		{"refuse", nil, true},
		{"=10", nil, true},
		{"refuse=101", nil, true},
		{"refuse=-1", nil, true},
		{"refuse=1,refuse=2", nil, true},
	}
	for _, tc := range tests {
		got, err := parseFaultMix(tc.mix)
		if (err != nil) != tc.wantErr {
			t.Errorf("%q: err = %v, want error %t", tc.mix, err, tc.wantErr)
			continue
		}
		if tc.wantErr {
			continue
		}
		if len(got) != len(tc.want) {
			t.Errorf("%q: %v, want %v", tc.mix, got, tc.want)
		}
		for k, v := range tc.want {
			if g, ok := got[k]; !ok || g < v-1e-9 || g > v+1e-9 {
				t.Errorf("%q: %s = %v, want %v", tc.mix, k, got[k], v)
			}
		}
	}
}
