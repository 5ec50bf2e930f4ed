package kerberos

import (
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

func writeFile(t *testing.T, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestNewLogin_realmOfUser(t *testing.T) {
	withDefault := writeFile(t, "[libdefaults]\n default_realm = CORP.EXAMPLE\n[realms]\n CORP.EXAMPLE = {\n  kdc = 127.0.0.1\n }\n")
	noDefault := writeFile(t, "[libdefaults]\n dns_lookup_kdc = false\n")
	for _, c := range []struct {
		user, realm, conf string
		want              string // principal, or "error: <part of the message>"
	}{
		{"tlsready-scan@corp.example", "", noDefault, "tlsready-scan@CORP.EXAMPLE"},
		{`CORP\tlsready-scan`, "", withDefault, "tlsready-scan@CORP.EXAMPLE"},
		{`CORP\tlsready-scan`, "", noDefault, "error: no realm"},
		{`CORP\tlsready-scan`, "corp.example", noDefault, "tlsready-scan@CORP.EXAMPLE"},
		{"tlsready-scan", "", withDefault, "tlsready-scan@CORP.EXAMPLE"},
	} {
		l, err := NewLogin(LoginConfig{User: c.user, Password: "x", Realm: c.realm, Krb5Conf: c.conf})
		if want, isErr := strings.CutPrefix(c.want, "error: "); isErr {
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("%s: %v, want an error about %q", c.user, err, want)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v", c.user, err)
			continue
		}
		if l.Principal() != c.want {
			t.Errorf("%s: principal %s, want %s", c.user, l.Principal(), c.want)
		}
		l.Close()
	}
}

func TestNewLogin_ticketCacheErrors(t *testing.T) {
	conf := writeFile(t, "[libdefaults]\n default_realm = CORP.EXAMPLE\n")
	_, err := NewLogin(LoginConfig{Krb5Conf: conf, CCache: "KEYRING:persistent:0"})
	if err == nil || !strings.Contains(err.Error(), "only FILE caches") {
		t.Errorf("keyring cache: %v", err)
	}
	_, err = NewLogin(LoginConfig{Krb5Conf: conf, CCache: "FILE:" + filepath.Join(t.TempDir(), "none")})
	if err == nil || !strings.Contains(err.Error(), "run kinit") {
		t.Errorf("missing cache: %v", err)
	}
	_, err = NewLogin(LoginConfig{Krb5Conf: filepath.Join(t.TempDir(), "missing.conf"), User: "a@B.C", Password: "x"})
	if err == nil || !strings.Contains(err.Error(), "krb5.conf") {
		t.Errorf("missing explicit krb5.conf: %v", err)
	}
}

// A KDC that does not answer is asked once for all the hosts of a burst, not once per host: a
// scan of 5,000 hosts must not become 5,000 logins.
func TestLogin_oneAttemptForConcurrentHosts(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	var conns atomic.Int32
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			conns.Add(1)
			c.Close() // a broken KDC
		}
	}()
	conf := writeFile(t, "[libdefaults]\n udp_preference_limit = 1\n")
	l, err := NewLogin(LoginConfig{User: "tlsready-scan@CORP.EXAMPLE", Password: "x", Krb5Conf: conf, KDCs: []string{ln.Addr().String()}})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	var wg sync.WaitGroup
	errs := make([]error, 20)
	for i := range errs {
		wg.Go(func() {
			_, _, errs[i] = l.ServiceTicket(t.Context(), SPN("pc-"+string(rune('a'+i))+".corp.example"))
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err == nil || !strings.Contains(err.Error(), "KDC unreachable") {
			t.Fatalf("host %d: %v", i, err)
		}
	}
	if n := conns.Load(); n != 1 {
		t.Errorf("%d connections to the KDC for 20 hosts, want 1", n)
	}
}
