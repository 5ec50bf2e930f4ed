package winrmsim

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/tlsready/tlsready/internal/labenv"
)

const python = "/usr/bin/python3"

// legacyOpenSSL enables OpenSSL 3's legacy provider for the python process: NTOWF needs MD4,
// which python3-ntlm-auth takes from hashlib, and OpenSSL 3 (Debian 12) only has it there
// ("ValueError: unsupported hash type md4" otherwise).
const legacyOpenSSL = `openssl_conf = openssl_init
[openssl_init]
providers = provider_sect
[provider_sect]
default = default_sect
legacy = legacy_sect
[default_sect]
activate = 1
[legacy_sect]
activate = 1
`

// pythonCmd runs the python interpreter with MD4 available.
func pythonCmd(t *testing.T, ctx context.Context, args ...string) *exec.Cmd {
	t.Helper()
	conf := filepath.Join(t.TempDir(), "openssl.cnf")
	if err := os.WriteFile(conf, []byte(legacyOpenSSL), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.CommandContext(ctx, python, args...)
	cmd.Env = append(os.Environ(), "OPENSSL_CONF="+conf)
	return cmd
}

// needPywinrm skips the test when python cannot import winrm, and fails it when MD4 is not
// available to python even with the legacy provider.
func needPywinrm(t *testing.T) {
	t.Helper()
	if out, err := exec.Command(python, "-c", "import winrm").CombinedOutput(); err != nil {
		labenv.Require(t, fmt.Sprintf("pywinrm not available (%s -c 'import winrm': %v: %s); apt-get install -y python3-winrm", python, err, bytes.TrimSpace(out)))
	}
	if out, err := pythonCmd(t, context.Background(), "-c", "import hashlib; hashlib.new('md4')").CombinedOutput(); err != nil {
		t.Fatalf("python has no MD4, which NTLM needs, even with OpenSSL's legacy provider: %v: %s", err, out)
	}
}

// pywinrmScript runs hostname (run_cmd) and Write-Output (run_ps: powershell -encodedcommand)
// with pywinrm's NTLM transport and its default message encryption ("auto": encrypted over
// HTTP). The endpoint, user and password come from argv, never from the command line of a
// shell.
const pywinrmScript = `
import sys, winrm
url, user, password = sys.argv[1], sys.argv[2], sys.stdin.readline().rstrip("\n")
s = winrm.Session(url, auth=(user, password), transport="ntlm")
r = s.run_cmd("hostname")
print("cmd:%d:%s" % (r.status_code, r.std_out.decode().strip()))
r = s.run_ps("Write-Output hello")
print("ps:%d:%s" % (r.status_code, r.std_out.decode().strip()))
`

// pywinrm (the library Ansible uses), with transport "ntlm" and its default encryption, runs
// commands on a simulated host with Windows' default settings: an independent NTLM
// implementation (python3-ntlm-auth) authenticates, seals and unseals against ours, and no
// SOAP body crosses the wire in clear.
func TestPywinrmNTLM(t *testing.T) {
	needPywinrm(t)
	tests := []struct {
		name, user string
	}{
		{"DomainBackslashUser", `LAB\tlsready`},
		{"UPN", `tlsready@lab`},
		{"OtherCase", `lab\TLSREADY`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var mu sync.Mutex
			var clear []string
			encrypted := 0
			opts := Options{User: testUser, Password: testPassword, Wire: func(dir string, h http.Header, body []byte) {
				mu.Lock()
				defer mu.Unlock()
				switch {
				case len(body) == 0:
				case strings.HasPrefix(h.Get("Content-Type"), "multipart/encrypted;") && !bytes.Contains(body, []byte("Envelope")):
					encrypted++
				default:
					clear = append(clear, dir+" "+h.Get("Content-Type"))
				}
			}}
			h, err := Start(context.Background(), mustProfile(t, win10), judged(t, opts))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = h.Close() })
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			cmd := pythonCmd(t, ctx, "-c", pywinrmScript, h.URL(), tt.user)
			cmd.Stdin = strings.NewReader(testPassword + "\n")
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("pywinrm: %v\n%s", err, out)
			}
			want := "cmd:0:" + h.Name() + "\nps:0:hello\n"
			if string(out) != want {
				t.Errorf("pywinrm printed %q, want %q", out, want)
			}
			mu.Lock()
			defer mu.Unlock()
			if len(clear) > 0 {
				t.Errorf("bodies in clear: %v", clear)
			}
			st := h.Stats()
			if encrypted == 0 || st.Encrypted == 0 || st.Logons == 0 {
				t.Errorf("%d encrypted bodies on the wire, stats %+v", encrypted, st)
			}
			t.Logf("pywinrm: %d requests, %d logons, %d connections, %d encrypted bodies", st.Requests, st.Logons, st.Connections, encrypted)
		})
	}
}

// pywinrm with a wrong password gets the 401 Windows sends, which it reports as
// InvalidCredentialsError ("the specified credentials were rejected by the server").
func TestPywinrmNTLMWrongPassword(t *testing.T) {
	needPywinrm(t)
	h, err := Start(context.Background(), mustProfile(t, win10), judged(t, Options{User: testUser, Password: testPassword}))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = h.Close() })
	cmd := pythonCmd(t, context.Background(), "-c", pywinrmScript, h.URL(), testUser)
	cmd.Stdin = strings.NewReader("wrong-password\n")
	out, err := cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(out), "InvalidCredentialsError") {
		t.Fatalf("pywinrm: %v\n%s", err, out)
	}
	if st := h.Stats(); st.Logons != 0 || st.Create != 0 {
		t.Errorf("stats %+v", st)
	}
}
