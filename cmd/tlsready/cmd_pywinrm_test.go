package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tlsready/tlsready/internal/labenv"
)

// pywinrmSession runs hostname (run_cmd) and Write-Output (run_ps) with pywinrm; the URL,
// user, transport and CA file come from argv, the password from stdin.
const pywinrmSession = `
import sys, winrm
url, user, transport, ca = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4]
password = sys.stdin.readline().rstrip("\n")
kw = {"transport": transport}
if ca:
    kw.update(server_cert_validation="validate", ca_trust_path=ca)
s = winrm.Session(url, auth=(user, password), **kw)
r = s.run_cmd("hostname")
print("cmd:%d:%s" % (r.status_code, r.std_out.decode().strip()))
r = s.run_ps("Write-Output hello")
print("ps:%d:%s" % (r.status_code, r.std_out.decode().strip()))
`

// MD4 for python3-ntlm-auth: Debian 12's OpenSSL 3 has it only in the legacy provider.
const opensslLegacy = "openssl_conf = openssl_init\n[openssl_init]\nproviders = provider_sect\n[provider_sect]\ndefault = default_sect\nlegacy = legacy_sect\n[default_sect]\nactivate = 1\n[legacy_sect]\nactivate = 1\n"

// pywinrm, an independent WinRM client, against "tlsready lab" running as its own process:
// NTLM with pywinrm's default message encryption over HTTP, and Basic over HTTPS with the
// lab CA verified.
func TestPywinrmAgainstLabProcess(t *testing.T) {
	t.Parallel() // the lab and pywinrm are processes of their own
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	if out, err := exec.Command("/usr/bin/python3", "-c", "import winrm").CombinedOutput(); err != nil {
		labenv.Require(t, fmt.Sprintf("pywinrm missing (apt-get install python3-winrm): %v %s", err, out))
	}
	bin := buildBinary(t)
	tmp := t.TempDir()
	conf := filepath.Join(tmp, "openssl.cnf")
	if err := os.WriteFile(conf, []byte(opensslLegacy), 0o600); err != nil {
		t.Fatal(err)
	}
	const password = "pywinrm-lab-Passw0rd"
	tests := []struct {
		name, transport string
		labArgs         []string
		https           bool
	}{
		{"ntlm over HTTP, encrypted", "ntlm", []string{"--auth", "ntlm"}, false},
		{"basic over HTTPS", "basic", []string{"--auth", "basic", "--https"}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ca := ""
			args := append([]string{"--fleet", smallFleet(t), "--user", `LAB\pyuser`}, tc.labArgs...)
			if tc.https {
				ca = filepath.Join(t.TempDir(), "ca.pem")
				args = append(args, "--ca-out", ca)
			}
			lines := startLabProcess(t, bin, password, 3, args...)
			name, url, _ := strings.Cut(lines[0], " ")
			user := `LAB\pyuser` // Basic compares it exactly as configured, NTLM as Windows does
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			cmd := exec.CommandContext(ctx, "/usr/bin/python3", "-c", pywinrmSession, url, user, tc.transport, ca)
			cmd.Env = append(os.Environ(), "OPENSSL_CONF="+conf)
			cmd.Stdin = strings.NewReader(password + "\n")
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("pywinrm against %s: %v\n%s", url, err, out)
			}
			if want := "cmd:0:" + name + "\nps:0:hello\n"; string(out) != want {
				t.Errorf("pywinrm printed %q, want %q", out, want)
			}
		})
	}
}
