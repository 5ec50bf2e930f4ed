package kerberos_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"os"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tlsready/tlsready/internal/labenv"

	"github.com/tlsready/tlsready/remote/kerberos"
	"github.com/tlsready/tlsready/remote/wsmv"
)

// These tests run against the real KDC of a Samba AD DC that scripts/samba-dc.sh starts on
// 127.0.0.1, with the keytab it exported for the computer account of pc-krb-01: no KDC is
// mocked. They are skipped unless TLSREADY_SAMBA_ENV names the DC's env file.

// sambaEnv reads the env file of scripts/samba-dc.sh, or skips (fails under CI).
func sambaEnv(t *testing.T) map[string]string {
	t.Helper()
	return labenv.Samba(t, "KRB5_CONFIG", "SCAN_USER_PRINCIPAL", "SCAN_PASSWORD_FILE", "SIM_SPN", "SIM_KEYTAB", "KDC")
}

func secretFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(b))
}

// authenticate runs the handshake between a Login's initiator and an acceptor, and a round
// of sealed messages both ways, and returns the client principal the acceptor saw.
func authenticate(t *testing.T, l *kerberos.Login, acc *kerberos.Acceptor, spn, scheme string) string {
	t.Helper()
	c, err := l.NewInitiator(t.Context(), kerberos.InitiatorConfig{SPN: spn, Scheme: scheme})
	if err != nil {
		t.Fatalf("initiator: %v", err)
	}
	tok, _, err := c.Step(nil)
	if err != nil {
		t.Fatal(err)
	}
	sc, answer, err := acc.Accept(c.Scheme(), tok)
	if err != nil {
		t.Fatalf("the simulated host refused the ticket from the KDC: %v", err)
	}
	if _, done, err := c.Step(answer); err != nil || !done {
		t.Fatalf("client on the AP-REP: done %v, %v", done, err)
	}
	cs, err := c.Sealer()
	if err != nil {
		t.Fatal(err)
	}
	ss, err := sc.Sealer()
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		msg := []byte(strings.Repeat("<s:Envelope>request</s:Envelope>", i*100+1))
		ct, body, err := wsmv.Encrypt(c.Protocol(), cs, msg)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(body, []byte("request")) {
			t.Fatal("plaintext in the encrypted body")
		}
		_, got, err := wsmv.Decrypt(ct, body, ss)
		if err != nil || !bytes.Equal(got, msg) {
			t.Fatalf("host unsealing message %d: %v", i, err)
		}
		ct, body, err = wsmv.Encrypt(sc.Protocol(), ss, append(msg, " answer"...))
		if err != nil {
			t.Fatal(err)
		}
		if _, got, err = wsmv.Decrypt(ct, body, cs); err != nil || !bytes.Equal(got, append(msg, " answer"...)) {
			t.Fatalf("client unsealing answer %d: %v", i, err)
		}
	}
	return sc.Client
}

func TestSambaKDC_passwordLogin_hostAcceptsTicketWithExportedKeytab(t *testing.T) {
	env := sambaEnv(t)
	l, err := kerberos.NewLogin(kerberos.LoginConfig{User: env["SCAN_USER_PRINCIPAL"], Password: secretFile(t, env["SCAN_PASSWORD_FILE"]),
		Krb5Conf: env["KRB5_CONFIG"]})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	acc, err := kerberos.LoadAcceptor(env["SIM_KEYTAB"])
	if err != nil {
		t.Fatal(err)
	}
	for _, scheme := range []string{kerberos.SchemeNegotiate, kerberos.SchemeKerberos} {
		if who := authenticate(t, l, acc, env["SIM_SPN"], scheme); !strings.EqualFold(who, env["SCAN_USER_PRINCIPAL"]) {
			t.Errorf("%s: the host saw %q", scheme, who)
		}
	}
	// The NetBIOS form of the user, with the realm from krb5.conf, is the same principal.
	l2, err := kerberos.NewLogin(kerberos.LoginConfig{User: env["SCAN_USER_NT"], Password: secretFile(t, env["SCAN_PASSWORD_FILE"]),
		Krb5Conf: env["KRB5_CONFIG"]})
	if err != nil {
		t.Fatal(err)
	}
	defer l2.Close()
	if who := authenticate(t, l2, acc, kerberos.SPN(env["SIM_HOST"]), ""); !strings.EqualFold(who, env["SCAN_USER_PRINCIPAL"]) {
		t.Errorf(`DOMAIN\user: the host saw %q`, who)
	}
}

func TestSambaKDC_ticketCacheOfKinit(t *testing.T) {
	env := sambaEnv(t)
	if env["SCAN_CCACHE"] == "" {
		labenv.Require(t, "no SCAN_CCACHE in the env file")
	}
	t.Setenv("KRB5CCNAME", "FILE:"+env["SCAN_CCACHE"])
	// No user and no password: the principal comes from the cache MIT's kinit wrote.
	l, err := kerberos.NewLogin(kerberos.LoginConfig{Krb5Conf: env["KRB5_CONFIG"]})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	if !strings.EqualFold(l.Principal(), env["SCAN_USER_PRINCIPAL"]) {
		t.Errorf("principal %s", l.Principal())
	}
	acc, err := kerberos.LoadAcceptor(env["SIM_KEYTAB"])
	if err != nil {
		t.Fatal(err)
	}
	authenticate(t, l, acc, env["SIM_SPN"], kerberos.SchemeNegotiate)
}

// kdcCounter is a TCP proxy in front of the KDC that counts AS-REQs and TGS-REQs.
type kdcCounter struct {
	ln       net.Listener
	as, tgs  atomic.Int32
	upstream string
	wg       sync.WaitGroup
}

func newKDCCounter(t *testing.T, upstream string) *kdcCounter {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	k := &kdcCounter{ln: ln, upstream: upstream}
	k.wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			k.wg.Go(func() { k.serve(c) })
		}
	})
	t.Cleanup(func() { ln.Close(); k.wg.Wait() })
	return k
}

func (k *kdcCounter) serve(c net.Conn) {
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(10 * time.Second))
	var n [4]byte
	if _, err := io.ReadFull(c, n[:]); err != nil {
		return
	}
	msg := make([]byte, binary.BigEndian.Uint32(n[:]))
	if _, err := io.ReadFull(c, msg); err != nil || len(msg) == 0 {
		return
	}
	switch msg[0] {
	case 0x6a: // [APPLICATION 10] AS-REQ
		k.as.Add(1)
	case 0x6c: // [APPLICATION 12] TGS-REQ
		k.tgs.Add(1)
	}
	u, err := net.Dial("tcp", k.upstream)
	if err != nil {
		return
	}
	defer u.Close()
	_ = u.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := u.Write(append(n[:], msg...)); err != nil {
		return
	}
	// One answer per connection, as gokrb5 asks.
	if _, err := io.ReadFull(u, n[:]); err != nil {
		return
	}
	ans := make([]byte, binary.BigEndian.Uint32(n[:]))
	if _, err := io.ReadFull(u, ans); err != nil {
		return
	}
	_, _ = c.Write(append(n[:], ans...))
}

func TestSambaKDC_oneLoginPerScan_oneTicketPerHost_noGoroutineLeft(t *testing.T) {
	env := sambaEnv(t)
	acc, err := kerberos.LoadAcceptor(env["SIM_KEYTAB"])
	if err != nil {
		t.Fatal(err)
	}
	kdc := newKDCCounter(t, env["KDC"])
	before := runtime.NumGoroutine()

	l, err := kerberos.NewLogin(kerberos.LoginConfig{User: env["SCAN_USER_PRINCIPAL"], Password: secretFile(t, env["SCAN_PASSWORD_FILE"]),
		Krb5Conf: env["KRB5_CONFIG"], KDCs: []string{kdc.ln.Addr().String()}})
	if err != nil {
		t.Fatal(err)
	}
	// 40 connections at once to one host under two names (its FQDN and short name SPNs),
	// as a scan with concurrency 40 would open.
	spns := []string{env["SIM_SPN"], kerberos.SPN(env["SIM_HOST_SHORT"])}
	var wg sync.WaitGroup
	errs := make([]error, 40)
	for i := range errs {
		wg.Go(func() {
			c, err := l.NewInitiator(t.Context(), kerberos.InitiatorConfig{SPN: spns[i%2]})
			if err != nil {
				errs[i] = err
				return
			}
			tok, _, err := c.Step(nil)
			if err != nil {
				errs[i] = err
				return
			}
			_, answer, err := acc.Accept(kerberos.SchemeNegotiate, tok)
			if err != nil {
				errs[i] = err
				return
			}
			_, _, errs[i] = c.Step(answer)
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	if as, tgs := kdc.as.Load(), kdc.tgs.Load(); as < 1 || as > 2 || tgs != 2 {
		// One login is one AS exchange, or two when the KDC asks for pre-authentication first.
		t.Errorf("%d AS-REQs and %d TGS-REQs for 40 contexts with 2 SPNs; want 1-2 (one login) and 2 (one per SPN)", as, tgs)
	}
	l.Close()
	// The TGT renewal goroutine of the login ends with Close.
	deadline := time.Now().Add(2 * time.Second)
	for runtime.NumGoroutine() > before && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if n := runtime.NumGoroutine(); n > before {
		t.Errorf("%d goroutines after Close, %d before the login", n, before)
	}
}

func TestSambaKDC_wrongPassword_refusedOnceWithoutSecret(t *testing.T) {
	env := sambaEnv(t)
	kdc := newKDCCounter(t, env["KDC"])
	const wrong = "Wrong-Password-123-not-in-errors"
	l, err := kerberos.NewLogin(kerberos.LoginConfig{User: env["SCAN_USER_PRINCIPAL"], Password: wrong,
		Krb5Conf: env["KRB5_CONFIG"], KDCs: []string{kdc.ln.Addr().String()}})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	_, err = l.NewInitiator(t.Context(), kerberos.InitiatorConfig{SPN: env["SIM_SPN"]})
	var ke *kerberos.KDCError
	if !errors.As(err, &ke) || ke.Code != "KDC_ERR_PREAUTH_FAILED" || !strings.Contains(err.Error(), "password rejected") {
		t.Fatalf("wrong password: %v", err)
	}
	if strings.Contains(err.Error(), wrong) {
		t.Fatal("password in the error")
	}
	asked := kdc.as.Load()
	for range 10 {
		if _, err2 := l.NewInitiator(t.Context(), kerberos.InitiatorConfig{SPN: env["SIM_SPN"]}); err2 == nil || err2.Error() != err.Error() {
			t.Fatalf("next host: %v", err2)
		}
	}
	if kdc.as.Load() != asked {
		t.Errorf("the refused login was tried again (%d AS-REQs, then %d): that locks accounts out", asked, kdc.as.Load())
	}
}

func TestSambaKDC_hostWithoutSPN(t *testing.T) {
	env := sambaEnv(t)
	l, err := kerberos.NewLogin(kerberos.LoginConfig{User: env["SCAN_USER_PRINCIPAL"], Password: secretFile(t, env["SCAN_PASSWORD_FILE"]),
		Krb5Conf: env["KRB5_CONFIG"]})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	_, err = l.NewInitiator(t.Context(), kerberos.InitiatorConfig{SPN: kerberos.SPN("127.0.0.1")})
	var ke *kerberos.KDCError
	if !errors.As(err, &ke) || ke.Code != "KDC_ERR_S_PRINCIPAL_UNKNOWN" {
		t.Fatalf("ticket for an address: %v", err)
	}
	t.Log(err)
}
