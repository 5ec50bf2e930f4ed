package kerberos_test

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tlsready/tlsready/internal/labenv"

	"github.com/tlsready/tlsready/remote/kerberos"
)

// Interoperability with MIT Kerberos, the GSS-API library under pywinrm/pyspnego and Ansible:
// with tickets of the Samba KDC, MIT's initiator authenticates to our acceptor and MIT's
// acceptor to our initiator, and messages sealed the way pyspnego seals them for a Windows
// host (gss_wrap_iov: header, data, padding) unwrap here, and ours unwrap there. Skipped
// without the Samba DC or without python3-gssapi (scripts/samba-dc.sh installs it).

// mitPeer is testdata/mit_gss.py running in a child process.
type mitPeer struct {
	t   *testing.T
	cmd *exec.Cmd
	in  io.WriteCloser
	out *bufio.Scanner
	log bytes.Buffer
}

func startMIT(t *testing.T, env map[string]string, extraEnv []string, args ...string) *mitPeer {
	t.Helper()
	if err := exec.Command("/usr/bin/python3", "-c", "import gssapi").Run(); err != nil {
		labenv.Require(t, "python3-gssapi not installed: apt-get install python3-gssapi for the MIT interoperability tests")
	}
	p := &mitPeer{t: t}
	p.cmd = exec.Command("/usr/bin/python3", append([]string{"testdata/mit_gss.py"}, args...)...)
	p.cmd.Env = append(append(os.Environ(), "KRB5_CONFIG="+env["KRB5_CONFIG"]), extraEnv...)
	p.cmd.Stderr = &p.log
	var err error
	if p.in, err = p.cmd.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	stdout, err := p.cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	p.out = bufio.NewScanner(stdout)
	p.out.Buffer(nil, 8<<20)
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_, _ = io.WriteString(p.in, "QUIT\n")
		_ = p.in.Close()
		_ = p.cmd.Wait()
	})
	return p
}

func (p *mitPeer) send(fields ...string) {
	p.t.Helper()
	if _, err := io.WriteString(p.in, strings.Join(fields, " ")+"\n"); err != nil {
		p.t.Fatalf("to MIT: %v (%s)", err, p.log.String())
	}
}

func (p *mitPeer) recv(word string) []string {
	p.t.Helper()
	if !p.out.Scan() {
		_ = p.cmd.Wait()
		p.t.Fatalf("MIT ended before %s: %s", word, p.log.String())
	}
	f := strings.Fields(p.out.Text())
	if len(f) == 0 || f[0] != word {
		p.t.Fatalf("from MIT: %q, want %s (%s)", p.out.Text(), word, p.log.String())
	}
	return append(f[1:], "", "")
}

func b64(b []byte) string { return base64.StdEncoding.EncodeToString(b) }

func unb64(t *testing.T, s string) []byte {
	t.Helper()
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// exchange checks sealed messages both ways between our sealer s and the MIT peer.
func exchange(t *testing.T, p *mitPeer, s *kerberos.Sealer) {
	t.Helper()
	for i, msg := range []string{"<s:Envelope>1</s:Envelope>", strings.Repeat("<s:Body>x</s:Body>", 3000), "z"} {
		// MIT seals as pyspnego's wrap_winrm for pywinrm.
		p.send("WRAP", b64([]byte(msg)))
		f := p.recv("WRAPPED")
		header, data := unb64(t, f[0]), unb64(t, f[1])
		if i == 0 {
			ec, rrc := binary.BigEndian.Uint16(header[4:6]), binary.BigEndian.Uint16(header[6:8])
			t.Logf("MIT wrap_iov: header %d bytes (EC %d, RRC %d), data %d bytes for %d", len(header), ec, rrc, len(data), len(msg))
		}
		got, err := s.Unwrap(header, data)
		if err != nil || string(got) != msg {
			t.Fatalf("message %d sealed by MIT: %v", i, err)
		}
		// Ours, unsealed by MIT as pyspnego's unwrap_winrm does for Kerberos.
		h, sealed, err := s.Wrap([]byte(msg + "!"))
		if err != nil {
			t.Fatal(err)
		}
		p.send("UNWRAP", b64(h), b64(sealed))
		if plain := unb64(t, p.recv("PLAIN")[0]); string(plain) != msg+"!" {
			t.Fatalf("message %d: MIT unsealed %q", i, plain)
		}
	}
	// A plain gss_wrap token (RRC 0, the checksum at the end) unwraps too.
	p.send("WRAPRAW", b64([]byte("raw")))
	tok := unb64(t, p.recv("WRAPPED")[0])
	if got, err := s.Unwrap(tok, nil); err != nil || string(got) != "raw" {
		t.Fatalf("gss_wrap token: %q, %v", got, err)
	}
}

func ccacheCopy(t *testing.T, env map[string]string) string {
	t.Helper()
	b, err := os.ReadFile(env["SCAN_CCACHE"])
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "ccache")
	if err := os.WriteFile(p, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestMIT_initiator_ourAcceptor(t *testing.T) {
	env := sambaEnv(t)
	acc, err := kerberos.LoadAcceptor(env["SIM_KEYTAB"])
	if err != nil {
		t.Fatal(err)
	}
	for _, mech := range []string{"krb5", "spnego"} {
		t.Run(mech, func(t *testing.T) {
			p := startMIT(t, env, []string{"KRB5CCNAME=FILE:" + ccacheCopy(t, env)}, "initiator", env["SIM_SPN"]+"@"+env["REALM"], mech)
			tok := unb64(t, p.recv("TOKEN")[0])
			// pywinrm (requests-kerberos) sends MIT's bare Kerberos token under "Negotiate".
			sc, answer, err := acc.Accept(kerberos.SchemeNegotiate, tok)
			if err != nil {
				t.Fatalf("our acceptor refused MIT's %s token: %v", mech, err)
			}
			if !strings.EqualFold(sc.Client, env["SCAN_USER_PRINCIPAL"]) {
				t.Errorf("client %q", sc.Client)
			}
			p.send("TOKEN", b64(answer))
			p.recv("DONE")
			s, err := sc.Sealer()
			if err != nil {
				t.Fatal(err)
			}
			exchange(t, p, s)
		})
	}
}

func TestMIT_acceptor_ourInitiator(t *testing.T) {
	env := sambaEnv(t)
	l, err := kerberos.NewLogin(kerberos.LoginConfig{User: env["SCAN_USER_PRINCIPAL"], Password: secretFile(t, env["SCAN_PASSWORD_FILE"]),
		Krb5Conf: env["KRB5_CONFIG"]})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	for _, scheme := range []string{kerberos.SchemeNegotiate, kerberos.SchemeKerberos} {
		t.Run(scheme, func(t *testing.T) {
			p := startMIT(t, env, []string{"KRB5_KTNAME=FILE:" + env["SIM_KEYTAB"]}, "acceptor")
			c, err := l.NewInitiator(t.Context(), kerberos.InitiatorConfig{SPN: env["SIM_SPN"], Scheme: scheme})
			if err != nil {
				t.Fatal(err)
			}
			tok, _, err := c.Step(nil)
			if err != nil {
				t.Fatal(err)
			}
			p.send("TOKEN", b64(tok))
			answer := unb64(t, p.recv("TOKEN")[0])
			if who := p.recv("DONE")[0]; !strings.EqualFold(who, env["SCAN_USER_PRINCIPAL"]) {
				t.Errorf("MIT saw %q", who)
			}
			if _, done, err := c.Step(answer); err != nil || !done {
				t.Fatalf("MIT's answer: done %v, %v", done, err)
			}
			s, err := c.Sealer()
			if err != nil {
				t.Fatal(err)
			}
			exchange(t, p, s)
		})
	}
}
