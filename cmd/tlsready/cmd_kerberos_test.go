package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tlsready/tlsready/internal/labenv"
)

// sambaEnv reads the env file of scripts/samba-dc.sh, or skips (fails under CI).
func sambaEnv(t *testing.T) map[string]string {
	t.Helper()
	return labenv.Samba(t, "KRB5_CONFIG", "SCAN_USER_NT", "SCAN_PASSWORD_FILE", "SIM_HOST", "SIM_KEYTAB")
}

// A Kerberos scan with a ticket from Samba's KDC: lab serves a simulated host with the keytab
// Samba exported for HTTP/pc-krb-01.corp.example; scan --auth kerberos logs in to the KDC, gets
// a service ticket and reads the host over encrypted WinRM.
func TestKerberosScan_SambaKDC(t *testing.T) {
	env := sambaEnv(t)
	pw, err := os.ReadFile(env["SCAN_PASSWORD_FILE"])
	if err != nil {
		t.Fatal(err)
	}
	password := strings.TrimSpace(string(pw))
	dir := t.TempDir()
	b, err := os.ReadFile("../../testdata/fleet/pc-w7-003.json")
	if err != nil {
		t.Fatal(err)
	}
	b = []byte(strings.Replace(string(b), `"PC-W7-003"`, `"PC-KRB-01"`, 1))
	if err := os.WriteFile(filepath.Join(dir, "pc-krb-01.json"), b, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("TLSREADY_PASSWORD", password)
	lines, stop := startLab(t, 1, "--fleet", dir, "--auth", "kerberos", "--keytab", env["SIM_KEYTAB"], "--user", env["SCAN_USER_NT"])
	defer stop()
	target, err := parseTarget(lines[0], targetDefaults{})
	if err != nil {
		t.Fatal(err)
	}
	fqdn := env["SIM_HOST"]
	base := []string{"scan", "--auth", "kerberos", "--user", env["SCAN_USER_NT"], "--krb5-conf", env["KRB5_CONFIG"], "--timeout", "20s"}

	t.Run("ticket from the KDC", func(t *testing.T) {
		out := filepath.Join(t.TempDir(), "r.jsonl")
		code, _, stderr := runCLI(t, append(base, "--target", fqdn+"="+target.Address, "--out", out)...)
		got := readResultsFile(t, out)
		r := got[fqdn]
		if code != exitReady || r.Verdict != "ready" {
			t.Fatalf("exit %d, result %+v\n%s", code, r, stderr)
		}
		if b, _ := os.ReadFile(out); strings.Contains(string(b), password) || strings.Contains(stderr, password) {
			t.Error("the password leaked into the results or stderr")
		}
	})

	t.Run("wrong password stops after 3 hosts", func(t *testing.T) {
		t.Setenv("TLSREADY_PASSWORD", "wrong-"+password)
		out := filepath.Join(t.TempDir(), "r.jsonl")
		args := append([]string(nil), base...)
		for _, n := range []string{"a", "b", "c", "d", "e", "f"} {
			args = append(args, "--target", "pc-"+n+".corp.example="+target.Address)
		}
		code, _, stderr := runCLI(t, append(args, "--concurrency", "1", "--out", out)...)
		got := readResultsFile(t, out)
		if code != exitUsage || !strings.Contains(stderr, "consecutive hosts") {
			t.Errorf("exit %d, want %d and the lockout stop message:\n%s", code, exitUsage, stderr)
		}
		// A host that finished while the stop was being decided is recorded too.
		if len(got) < 3 || len(got) > 4 {
			t.Errorf("%d hosts recorded, want 3 (one auth error each, then stop; at most one more in flight)", len(got))
		}
		for h, r := range got {
			if r.Error == nil || r.Error.Category != "auth" || !strings.Contains(r.Error.Message, "PREAUTH") {
				t.Errorf("%s: %+v, want an auth error from the KDC", h, r.Error)
			}
		}
		if strings.Contains(stderr, password) {
			t.Error("the password leaked into stderr")
		}
	})
}
