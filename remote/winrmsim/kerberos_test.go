package winrmsim

import (
	"bytes"
	"context"
	"encoding/base64"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jcmturner/gokrb5/v8/iana/etypeID"
	"github.com/jcmturner/gokrb5/v8/iana/nametype"
	"github.com/jcmturner/gokrb5/v8/keytab"
	"github.com/jcmturner/gokrb5/v8/messages"
	"github.com/jcmturner/gokrb5/v8/types"

	"github.com/tlsready/tlsready/remote/kerberos"
	"github.com/tlsready/tlsready/remote/wsmv"
)

// These tests need no KDC: the ticket is made with the host's keytab, as the KDC would make
// it. The tests against Samba's real KDC are in remote (kerberos_test.go).

const krbSPN = "HTTP/pc-krb-01.corp.example"

// krbLab writes the keytab of pc-krb-01's account and returns its path and a function that
// makes an initiator for a client principal with a ticket for the host.
func krbLab(t *testing.T) (string, func(client string) *kerberos.Initiator) {
	t.Helper()
	kt := keytab.New()
	if err := kt.AddEntry(krbSPN, "CORP.EXAMPLE", "machine-password", time.Now(), 2, etypeID.AES256_CTS_HMAC_SHA1_96); err != nil {
		t.Fatal(err)
	}
	b, err := kt.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "pc-krb-01.keytab")
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return path, func(client string) *kerberos.Initiator {
		cname := types.NewPrincipalName(nametype.KRB_NT_PRINCIPAL, client)
		now := time.Now().UTC()
		tkt, key, err := messages.NewTicket(cname, "CORP.EXAMPLE", types.NewPrincipalName(nametype.KRB_NT_SRV_INST, krbSPN), "CORP.EXAMPLE",
			types.NewKrbFlags(), kt, etypeID.AES256_CTS_HMAC_SHA1_96, 2, now, now, now.Add(time.Hour), now.Add(time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		ic, err := kerberos.NewInitiatorWithTicket(kerberos.InitiatorConfig{SPN: krbSPN}, tkt, key, "CORP.EXAMPLE", cname)
		if err != nil {
			t.Fatal(err)
		}
		return ic
	}
}

// krbOptions are a domain member's: Windows' defaults (Negotiate and Kerberos, no Basic, only
// encrypted messages over HTTP), the scanning account as local administrator.
func krbOptions(acc *KerberosAcceptor) Options {
	return Options{User: `CORP\tlsready-scan`, Password: "unused", Auth: []string{SchemeNegotiate, SchemeKerberos}, Acceptors: []Acceptor{acc}}
}

// A domain member with Windows' defaults: Negotiate and Kerberos offered, messages over HTTP
// encrypted; the Kerberos client authenticates with mutual authentication and runs a command.
func TestKerberos_HandshakeAndEncryptedShell(t *testing.T) {
	ktPath, initiator := krbLab(t)
	acc, err := NewKerberosAcceptor(ktPath)
	if err != nil {
		t.Fatal(err)
	}
	if p := acc.Principals(); len(p) != 1 || p[0] != krbSPN+"@CORP.EXAMPLE" {
		t.Errorf("principals %v", p)
	}
	h := startHost(t, mustProfile(t, win10), krbOptions(acc))
	hc := &http.Client{Transport: &http.Transport{MaxConnsPerHost: 1}} // one connection: the context's
	defer hc.CloseIdleConnections()

	ic := initiator("tlsready-scan")
	tok, _, err := ic.Step(nil)
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodPost, h.URL(), nil)
	req.Header.Set("Authorization", "Negotiate "+base64.StdEncoding.EncodeToString(tok))
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	scheme, b64, _ := strings.Cut(resp.Header.Get("WWW-Authenticate"), " ")
	answer, _ := base64.StdEncoding.DecodeString(b64)
	if resp.StatusCode != http.StatusOK || scheme != SchemeNegotiate {
		t.Fatalf("handshake: HTTP %d, WWW-Authenticate %q", resp.StatusCode, resp.Header.Get("WWW-Authenticate"))
	}
	if _, done, err := ic.Step(answer); err != nil || !done {
		t.Fatalf("AP-REP: done %v, %v", done, err)
	}
	s, err := ic.Sealer()
	if err != nil {
		t.Fatal(err)
	}
	env := newClient(t, h).envelope(soapReq{action: actionCreate, body: `<rsp:Shell><rsp:InputStreams>stdin</rsp:InputStreams><rsp:OutputStreams>stdout stderr</rsp:OutputStreams></rsp:Shell>`})
	ct, body, err := wsmv.Encrypt(ic.Protocol(), s, []byte(env))
	if err != nil {
		t.Fatal(err)
	}
	req, _ = http.NewRequest(http.MethodPost, h.URL(), bytes.NewReader(body))
	req.Header.Set("Content-Type", ct)
	resp, err = hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	ans, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || !wsmv.IsEncrypted(resp.Header.Get("Content-Type")) {
		t.Fatalf("create shell: HTTP %d %s: %.200q", resp.StatusCode, resp.Header.Get("Content-Type"), ans)
	}
	_, plain, err := wsmv.Decrypt(resp.Header.Get("Content-Type"), ans, s)
	if err != nil || !bytes.Contains(plain, []byte("ShellId")) {
		t.Fatalf("answer: %v %.200q", err, plain)
	}
	if st := h.Stats(); st.Logons != 1 || st.Create != 1 || st.Encrypted != 1 {
		t.Errorf("stats %+v", st)
	}
}

// Only the host's account gets in, as only a local administrator does on Windows; a refused
// ticket is a bare 401 offering the host's schemes.
func TestKerberos_OtherAccountRefused(t *testing.T) {
	ktPath, initiator := krbLab(t)
	acc, err := NewKerberosAcceptor(ktPath)
	if err != nil {
		t.Fatal(err)
	}
	h := startHost(t, mustProfile(t, win10), krbOptions(acc))
	for _, c := range []struct {
		principal string
		status    int
	}{{"someone-else", http.StatusUnauthorized}, {"tlsready-scan", http.StatusOK}} {
		tok, _, _ := initiator(c.principal).Step(nil)
		req, _ := http.NewRequestWithContext(context.Background(), http.MethodPost, h.URL(), nil)
		req.Header.Set("Authorization", "Negotiate "+base64.StdEncoding.EncodeToString(tok))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != c.status {
			t.Errorf("%s: HTTP %d, want %d", c.principal, resp.StatusCode, c.status)
		}
		if c.status == http.StatusUnauthorized && len(resp.Header.Values("WWW-Authenticate")) != 2 {
			t.Errorf("refusal offers %q, want the host's two schemes", resp.Header.Values("WWW-Authenticate"))
		}
	}
}

func TestKerberos_Claims(t *testing.T) {
	_, initiator := krbLab(t)
	spnegoTok, _, _ := initiator("tlsready-scan").Step(nil)
	ntlmNegotiate := append([]byte("NTLMSSP\x00\x01\x00\x00\x00"), make([]byte, 24)...)
	k := &KerberosAcceptor{}
	for _, c := range []struct {
		scheme string
		tok    []byte
		want   bool
	}{
		{SchemeNegotiate, spnegoTok, true},
		{SchemeKerberos, spnegoTok, false}, // SPNEGO is not a bare Kerberos token
		{SchemeNegotiate, ntlmNegotiate, false},
		{SchemeBasic, spnegoTok, false},
		{SchemeNegotiate, []byte{0x60, 0x01}, false},
	} {
		if got := k.Claims(c.scheme, c.tok); got != c.want {
			t.Errorf("Claims(%s, % x...) = %v", c.scheme, c.tok[:min(len(c.tok), 8)], got)
		}
	}
}

func TestKerberos_SameAccount(t *testing.T) {
	for _, c := range []struct {
		account, principal string
		want               bool
	}{
		{`CORP\tlsready-scan`, "tlsready-scan@CORP.EXAMPLE", true},
		{`corp\TLSREADY-SCAN`, "tlsready-scan@CORP.EXAMPLE", true},
		{"tlsready-scan@corp.example", "tlsready-scan@CORP.EXAMPLE", true},
		{`CORP\tlsready-scan`, "tlsready-scan@OTHER.EXAMPLE", false},
		{`CORP\tlsready-scan`, "admin@CORP.EXAMPLE", false},
	} {
		if got := kerberosSameAccount(c.account, "PC-KRB-01", c.principal); got != c.want {
			t.Errorf("%s vs %s: %v", c.account, c.principal, got)
		}
	}
}

func TestKerberos_ChannelBindings(t *testing.T) {
	app := []byte("tls-server-end-point:0123456789abcdef0123456789abcdef")
	other := []byte("tls-server-end-point:ffffffffffffffffffffffffffffffff")
	zero := make([]byte, 16)
	bound := bindingHash(app)
	for _, c := range []struct {
		name    string
		bnd     []byte
		appData []byte
		ok      bool
	}{
		{"unbound over HTTP", zero, nil, true},
		{"unbound over HTTPS (Relaxed)", zero, app, true},
		{"bound to this certificate", bound, app, true},
		{"bound to another certificate", bindingHash(other), app, false},
		{"bound, over HTTP", bound, nil, false},
	} {
		if err := checkBindings(c.bnd, c.appData); (err == nil) != c.ok {
			t.Errorf("%s: %v", c.name, err)
		}
	}
}
