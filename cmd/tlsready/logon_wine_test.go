//go:build linux

package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/tlsready/tlsready/internal/winetest"
)

// The Windows build without --user under Wine: it authenticates as the current logon through
// SSPI, reads no password (no prompt, TLSREADY_PASSWORD unset), names the identity on stderr,
// and, since Wine's logon session has no credentials Negotiate may use, reports the host under
// auth with SSPI's SEC_E_NO_CREDENTIALS and the host's name (remote/sspi_wine_test.go drives the
// same SSPI code to a successful, sealed logon with explicit credentials).
func TestCurrentLogonUnderWine(t *testing.T) {
	t.Parallel() // its programs run as processes with their own environment
	if testing.Short() {
		t.Skip("cross-builds the binary and runs it under Wine")
	}
	env := winetest.Load(t)
	tmp := t.TempDir()
	exe := windowsExe(t)
	lines := startLabProcess(t, buildBinary(t), "wine-lab-Passw0rd", 33, "--auth", "ntlm", "--fleet", "../../testdata/fleet")
	var target string
	for _, l := range lines {
		if strings.HasPrefix(l, "PC-W10-001 ") {
			target = l
		}
	}
	if target == "" {
		t.Fatalf("no PC-W10-001 in the lab's lines %q", lines)
	}
	targets := filepath.Join(tmp, "targets.txt")
	if err := os.WriteFile(targets, []byte(target+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	results := filepath.Join(tmp, "results.jsonl")
	ctx, cancel := context.WithTimeout(context.Background(), winetest.RunTimeout)
	defer cancel()
	// Wine's Kerberos would take a Unix ticket cache as the logon's ticket: none here.
	cmd := env.Command(ctx, exe, []string{"TLSREADY_PASSWORD=", "KRB5CCNAME=FILE:" + filepath.Join(tmp, "no-ccache")},
		"scan", "--targets-file", winetest.Path(targets), "--timeout", "10s", "--no-progress", "--out", winetest.Path(results))
	out, err := cmd.CombinedOutput()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != exitUnknown {
		t.Fatalf("wine tlsready.exe scan without --user: %v (want exit code %d, the host not checked)\n%s", err, exitUnknown, lastLines(string(out), 20))
	}
	identity := regexp.MustCompile(`authenticating as the current Windows logon (\S+) \(SSPI`).FindStringSubmatch(string(out))
	if identity == nil || strings.Contains(string(out), "Password for") {
		t.Fatalf("no identity line, or a password prompt:\n%s", lastLines(string(out), 20))
	}
	t.Logf("current logon under Wine: %s", identity[1])
	r, ok := readResultsFile(t, results)["PC-W10-001"]
	if !ok || r.Error == nil {
		t.Fatalf("result %+v, want an error", r)
	}
	if r.Error.Category != "auth" || !strings.Contains(r.Error.Message, "SEC_E_NO_CREDENTIALS") || !strings.HasPrefix(r.Error.Message, "host ") {
		t.Errorf("error %s: %s; want auth, naming the host and SEC_E_NO_CREDENTIALS", r.Error.Category, r.Error.Message)
	}
}
