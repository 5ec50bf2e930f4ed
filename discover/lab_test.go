package discover

import (
	"bufio"
	"context"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tlsready/tlsready/internal/labenv"
)

// sambaLab is the DC of scripts/samba-dc.sh with the computers of scripts/ldap-testdata.sh.
type sambaLab struct {
	env      map[string]string
	password string
	now      time.Time
}

func newSambaLab(t *testing.T) sambaLab {
	t.Helper()
	env := labenv.Samba(t, "LDAPS_URL", "LDAP_URL", "CA_CERT", "SCAN_USER_NT", "SCAN_PASSWORD_FILE", "LDAP_TLS_SERVER_NAME", "REALM", "KRB5_CONFIG")
	if env["TESTDATA_VERSION"] == "" {
		labenv.Require(t, "no discover test data in the Samba DC: run scripts/ldap-testdata.sh "+env["TLSREADY_SAMBA_DIR"]+" (as .ci/run does)")
	}
	now, err := time.Parse(time.RFC3339, env["TESTDATA_NOW"])
	if err != nil {
		t.Fatalf("TESTDATA_NOW: %v", err)
	}
	return sambaLab{env: env, password: readSecret(t, env["SCAN_PASSWORD_FILE"]), now: now}
}

// config is an LDAPS simple bind of the scanning user on base.
func (l sambaLab) config(base string) Config {
	return Config{
		URLs: []string{l.env["LDAPS_URL"]}, CAFile: l.env["CA_CERT"], TLSServerName: l.env["LDAP_TLS_SERVER_NAME"],
		User: l.env["SCAN_USER_NT"], Password: l.password, BaseDN: base, Now: func() time.Time { return l.now },
		Timeout: 20 * time.Second,
	}
}

// slapdLab is the OpenLDAP server of scripts/slapd.sh.
type slapdLab struct {
	env      map[string]string
	password string
}

func newSlapdLab(t testing.TB) slapdLab {
	t.Helper()
	path := os.Getenv("TLSREADY_SLAPD_ENV")
	if path == "" {
		labenv.Require(t, "TLSREADY_SLAPD_ENV not set: run scripts/slapd.sh and set TLSREADY_SLAPD_ENV=/tmp/tlsready-slapd/env (as .ci/run does) for the tests against a server that enforces a 1,000-entry size limit")
	}
	env := readEnvFile(t, path)
	for _, k := range []string{"SLAPD_URL", "SLAPD_BIND_DN", "SLAPD_PASSWORD_FILE", "SLAPD_PAGING_OU", "SLAPD_BIG_OU"} {
		if env[k] == "" {
			t.Fatalf("%s lacks %s", path, k)
		}
	}
	return slapdLab{env: env, password: readSecret(t, env["SLAPD_PASSWORD_FILE"])}
}

func (l slapdLab) config(base string) Config {
	return Config{URLs: []string{l.env["SLAPD_URL"]}, AllowPlain: true, User: l.env["SLAPD_BIND_DN"],
		Password: l.password, BaseDN: base, Timeout: 60 * time.Second}
}

func (l slapdLab) int(t testing.TB, key string) int {
	n, err := strconv.Atoi(l.env[key])
	if err != nil {
		t.Fatalf("%s: %v", key, err)
	}
	return n
}

func readEnvFile(t testing.TB, path string) map[string]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	env := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if k, v, ok := strings.Cut(strings.TrimSpace(sc.Text()), "="); ok && !strings.HasPrefix(k, "#") {
			env[k] = v
		}
	}
	return env
}

func readSecret(t testing.TB, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(strings.SplitN(string(b), "\n", 2)[0])
}

// collect runs Discover and keeps every computer.
func collect(t testing.TB, cfg Config) ([]Computer, Stats, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var got []Computer
	st, err := Discover(ctx, cfg, func(c Computer) error {
		got = append(got, c)
		return nil
	})
	return got, st, err
}
