package remote

import (
	"bytes"
	"context"
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/tlsready/tlsready/internal/labenv"

	"github.com/tlsready/tlsready/checks"
	"github.com/tlsready/tlsready/remote/winrmsim"
)

// The Kerberos acceptance tests of the issue: a scan of a simulated host with a ticket from
// the KDC of a real Samba AD DC (scripts/samba-dc.sh), the host validating it with the keytab
// Samba exported for its computer account. Skipped unless TLSREADY_SAMBA_ENV names the DC's
// env file; .ci/run starts the DC and sets it.

// sambaEnv reads the env file of scripts/samba-dc.sh, or skips (fails under CI).
func sambaEnv(t *testing.T) map[string]string {
	t.Helper()
	return labenv.Samba(t)
}

func sambaPassword(t *testing.T, env map[string]string) string {
	t.Helper()
	b, err := os.ReadFile(env["SCAN_PASSWORD_FILE"])
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(b))
}

// startKerberosSim starts pc-w10-001's profile as the domain member pc-krb-01, whose account
// is the scanning user, with Kerberos from the keytab Samba exported (and NTLM, as Windows).
func startKerberosSim(t *testing.T, env map[string]string, opts winrmsim.Options, w *wireLog) (*winrmsim.Host, Endpoint) {
	t.Helper()
	acc, err := winrmsim.NewKerberosAcceptor(env["SIM_KEYTAB"])
	if err != nil {
		t.Fatal(err)
	}
	opts.User, opts.Password = env["SCAN_USER_NT"], sambaPassword(t, env)
	opts.Acceptors = []winrmsim.Acceptor{acc}
	return startSim(t, simProfile(t, "pc-w10-001.json"), opts, w)
}

// kerberosConfig is the Config of a scan of the simulated host over Kerberos: the host is
// dialled at 127.0.0.1:port but its SPN is HTTP/pc-krb-01.corp.example.
func kerberosConfig(t *testing.T, env map[string]string, auth string) Config {
	return Config{Auth: auth, User: env["SCAN_USER_NT"], Password: sambaPassword(t, env),
		Kerberos: KerberosConfig{Krb5Conf: env["KRB5_CONFIG"], ServiceHost: func(Endpoint) string { return env["SIM_HOST"] }}}
}

// firstToken is the token of the first Authorization header the host saw.
func firstToken(t *testing.T, w *wireLog) (scheme string, tok []byte) {
	t.Helper()
	for _, m := range w.all() {
		if a := m.header.Get("Authorization"); m.dir == "request" && a != "" {
			s, b64, _ := strings.Cut(a, " ")
			tok, _ = base64.StdEncoding.DecodeString(b64)
			return s, tok
		}
	}
	t.Fatal("no Authorization header on the wire")
	return "", nil
}

// spnegoKerberos is the start of a SPNEGO NegTokenInit token (GSS framing, OID 1.3.6.1.5.5.2);
// the Kerberos OID 1.2.840.113554.1.2.2 follows in its mechanism list.
var (
	spnegoOID   = []byte{0x06, 0x06, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x02}
	kerberosOID = []byte{0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x12, 0x01, 0x02, 0x02}
)

func TestKerberos_SambaKDC_RunAndCollectOverHTTP_everyMessageEncrypted(t *testing.T) {
	env := sambaEnv(t)
	for _, scheme := range []string{"Negotiate", "Kerberos"} {
		t.Run(scheme, func(t *testing.T) {
			var wire wireLog
			h, ep := startKerberosSim(t, env, winrmsim.Options{}, &wire)
			cfg := kerberosConfig(t, env, AuthKerberos)
			cfg.Kerberos.Scheme = scheme
			c := newTestClient(t, cfg)
			res, err := c.Run(context.Background(), ep, "powershell.exe -", []byte("Write-Output hello\r\nhostname\r\n"))
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(res.Stdout), "hello") {
				t.Errorf("stdout %q", res.Stdout)
			}
			f, err := c.Collect(context.Background(), ep, checks.Items())
			if err != nil {
				t.Fatalf("collect over Kerberos: %v", err)
			}
			if f.OS.Version == "" {
				t.Errorf("facts without OS: %+v", f.OS)
			}
			st := h.Stats()
			if st.Logons != 2 || st.Connections != 2 {
				t.Errorf("%d logons on %d connections for two runs; want 2 and 2", st.Logons, st.Connections)
			}
			if n := wire.checkNoClearSOAP(t); n < 10 {
				t.Errorf("only %d encrypted bodies", n)
			}
			gotScheme, tok := firstToken(t, &wire)
			if gotScheme != scheme {
				t.Errorf("scheme %q, want %q", gotScheme, scheme)
			}
			if scheme == "Negotiate" && !bytes.Contains(tok[:20], spnegoOID) || !bytes.Contains(tok, kerberosOID) {
				t.Errorf("first token is not a Kerberos one (%s): % x", scheme, tok[:min(len(tok), 24)])
			}
			for _, m := range wire.all() {
				if m.dir == "response" && m.header.Get(":status") == "200" && m.header.Get("WWW-Authenticate") != "" {
					return // the AP-REP of mutual authentication rode on the 200
				}
			}
			t.Error("no WWW-Authenticate on the 200: no mutual authentication")
		})
	}
}

// With the default authentication (negotiate), a domain user whose realm has a KDC in krb5.conf
// gets Kerberos, not NTLM, as PowerShell's Invoke-Command does.
func TestKerberos_SambaKDC_NegotiatePrefersKerberos(t *testing.T) {
	env := sambaEnv(t)
	var wire wireLog
	h, ep := startKerberosSim(t, env, winrmsim.Options{}, &wire)
	c := newTestClient(t, kerberosConfig(t, env, AuthNegotiate))
	if _, err := c.Run(context.Background(), ep, "hostname", nil); err != nil {
		t.Fatal(err)
	}
	if _, tok := firstToken(t, &wire); !bytes.Contains(tok, kerberosOID) || bytes.HasPrefix(tok, []byte("NTLMSSP")) {
		t.Errorf("negotiate did not use Kerberos: % x", tok[:min(len(tok), 24)])
	}
	if st := h.Stats(); st.Logons != 1 {
		t.Errorf("%d logons", st.Logons)
	}
	wire.checkNoClearSOAP(t)
}

// A ticket cache written by MIT's kinit, no password given.
func TestKerberos_SambaKDC_TicketCache(t *testing.T) {
	env := sambaEnv(t)
	_, ep := startKerberosSim(t, env, winrmsim.Options{}, nil)
	cfg := kerberosConfig(t, env, AuthKerberos)
	cfg.User, cfg.Password, cfg.Kerberos.CCache = "", "", "FILE:"+env["SCAN_CCACHE"]
	c, err := NewClient(cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Run(context.Background(), ep, "hostname", nil); err != nil {
		t.Fatal(err)
	}
}

// Over HTTPS the AP-REQ is bound to the host's certificate (Extended Protection) and messages
// are not encrypted again.
func TestKerberos_SambaKDC_HTTPS_ChannelBinding(t *testing.T) {
	env := sambaEnv(t)
	lab, err := winrmsim.NewLabTLS()
	if err != nil {
		t.Fatal(err)
	}
	ca := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(ca, lab.CAPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	var wire wireLog
	h, ep := startKerberosSim(t, env, winrmsim.Options{TLS: lab.Server}, &wire)
	cfg := kerberosConfig(t, env, AuthKerberos)
	cfg.HTTPS, cfg.CAFile = true, ca
	c := newTestClient(t, cfg)
	if _, err := c.Run(context.Background(), ep, "hostname", nil); err != nil {
		t.Fatal(err)
	}
	if st := h.Stats(); st.Logons != 1 || st.Encrypted != 0 {
		t.Errorf("stats %+v", st)
	}
}

// A wrong password: one refused login for the scan, an auth error without the password, and
// no NTLM attempt with the same password under negotiate.
func TestKerberos_SambaKDC_WrongPassword(t *testing.T) {
	env := sambaEnv(t)
	h, ep := startKerberosSim(t, env, winrmsim.Options{}, nil)
	for _, auth := range []string{AuthKerberos, AuthNegotiate} {
		cfg := kerberosConfig(t, env, auth)
		cfg.Password = "Wrong-Pa55word-never-printed"
		c := newTestClient(t, cfg)
		_, err := c.Run(context.Background(), ep, "hostname", nil)
		if err == nil || CategoryOf(err) != CategoryAuth || !strings.Contains(err.Error(), "password rejected") ||
			strings.Contains(err.Error(), cfg.Password) {
			t.Fatalf("%s: %v", auth, err)
		}
		t.Logf("%s: %v", auth, err)
	}
	if st := h.Stats(); st.Requests != 0 {
		t.Errorf("the host was contacted %d times with credentials the KDC refused", st.Requests)
	}
}
