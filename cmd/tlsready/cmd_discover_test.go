package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/tlsready/tlsready/checks"
	"github.com/tlsready/tlsready/discover"
	"github.com/tlsready/tlsready/internal/dnstest"
	"github.com/tlsready/tlsready/internal/labenv"
	"github.com/tlsready/tlsready/scan"
)

// sambaCLI is the lab DC of scripts/samba-dc.sh with the test computers of
// scripts/ldap-testdata.sh, as flags of the command line.
type sambaCLI struct {
	env map[string]string
}

func newSambaCLI(t *testing.T) sambaCLI {
	t.Helper()
	env := labenv.Samba(t, "LDAPS_URL", "LDAP_URL", "CA_CERT", "SCAN_USER_NT", "SCAN_PASSWORD_FILE", "LDAP_TLS_SERVER_NAME")
	if env["TESTDATA_ESTATE_OU"] == "" {
		labenv.Require(t, "no discover test data in the Samba DC: run scripts/ldap-testdata.sh (as .ci/run does)")
	}
	return sambaCLI{env: env}
}

// ldapArgs are the flags of an LDAPS discovery of ou as the scanning user.
func (s sambaCLI) ldapArgs(ou string) []string {
	return []string{"--ou", ou, "--ldap-url", s.env["LDAPS_URL"], "--ldap-ca-file", s.env["CA_CERT"],
		"--ldap-tls-server-name", s.env["LDAP_TLS_SERVER_NAME"], "--user", s.env["SCAN_USER_NT"],
		"--password-file", s.env["SCAN_PASSWORD_FILE"]}
}

// discoverJSON runs "tlsready discover --json" and decodes its lines.
func discoverJSON(t *testing.T, args ...string) []discover.Computer {
	t.Helper()
	code, stdout, stderr := runCLI(t, append([]string{"discover", "--json"}, args...)...)
	if code != exitReady {
		t.Fatalf("discover exit %d: %s", code, stderr)
	}
	var out []discover.Computer
	sc := bufio.NewScanner(strings.NewReader(stdout))
	for sc.Scan() {
		var c discover.Computer
		if err := json.Unmarshal(sc.Bytes(), &c); err != nil {
			t.Fatalf("discover --json line %q: %v", sc.Text(), err)
		}
		out = append(out, c)
	}
	return out
}

func TestDiscoverCLI_samba(t *testing.T) {
	s := newSambaCLI(t)
	estate := s.env["TESTDATA_ESTATE_OU"]
	cs := discoverJSON(t, s.ldapArgs(estate)...)
	if len(cs) != 32 { // 34 computers in the nested OUs, 2 of them disabled
		t.Fatalf("discover --json: %d computers, want 32 enabled", len(cs))
	}
	byName := map[string]discover.Computer{}
	for _, c := range cs {
		byName[c.Name] = c
	}
	for _, tc := range []struct {
		name, dns, dnInCN string
		unsupported       bool
		dnsFromName       bool
	}{
		{"W7-RTM-01", "w7-rtm-01.corp.example", "CN=W7-RTM-01,", true, false},
		{"W7-SP1-01", "w7-sp1-01.corp.example", "CN=W7-SP1-01,", false, false},
		{"W8-01", "w8-01.corp.example", "CN=W8-01,", true, false},
		{"SRV2008-01", "srv2008-01.corp.example", "CN=SRV2008-01,", true, false},
		{"SRV2008R2-01", "srv2008r2-01.corp.example", "CN=SRV2008R2-01,", false, false},
		{"NODNS-01", "NODNS-01.corp.example", "CN=NODNS-01,", false, true},
		{"ODD-COMMA", "odd-comma.corp.example", `CN=Comma\, PC,`, false, false},
		{"ODD-HASH", "odd-hash.corp.example", `CN=\#Hash PC,`, false, false},
		{"ODD-SPACE", "odd-space.corp.example", `CN=\ Leading Space,`, false, false},
		{"ODD-UTF8", "odd-utf8.corp.example", `CN=東京-PC,`, false, false},
	} {
		c, ok := byName[tc.name]
		if !ok {
			t.Errorf("%s not discovered", tc.name)
			continue
		}
		if !strings.EqualFold(c.DNSHostName, tc.dns) || c.DNSFromName != tc.dnsFromName {
			t.Errorf("%s: DNS %q (made up: %v), want %q (%v)", tc.name, c.DNSHostName, c.DNSFromName, tc.dns, tc.dnsFromName)
		}
		if !strings.HasPrefix(c.DN, tc.dnInCN) {
			t.Errorf("%s: DN %q, want it to start with %q", tc.name, c.DN, tc.dnInCN)
		}
		if (c.Unsupported != "") != tc.unsupported {
			t.Errorf("%s: unsupported %q, want flagged=%v", tc.name, c.Unsupported, tc.unsupported)
		}
	}
	if _, ok := byName["DIS-01"]; ok {
		t.Error("disabled DIS-01 discovered without --include-disabled")
	}

	// --out writes a targets file that scan reads back, one line per computer, and the table
	// flags the unsupported OSes.
	out := filepath.Join(t.TempDir(), "targets.txt")
	code, stdout, stderr := runCLI(t, append([]string{"discover", "--out", out, "--scope", "one"}, s.ldapArgs("OU=Tokyo,"+estate)...)...)
	if code != exitReady {
		t.Fatalf("discover --out exit %d: %s", code, stderr)
	}
	f, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ts, err := readTargets(f, out, targetDefaults{})
	if err != nil || len(ts) != 10 {
		t.Fatalf("targets file: %d targets, %v; want the 10 of OU=Tokyo (scope one)", len(ts), err)
	}
	if ts[0].Address != net.JoinHostPort(ts[0].Name, "5985") {
		t.Errorf("target %+v: want the DNS name on the default port", ts[0])
	}
	for _, want := range []string{"W7-RTM-01", "Windows 7 Professional", "unsupported", "W8-01"} {
		if !strings.Contains(strings.ToUpper(stdout), strings.ToUpper(want)) {
			t.Errorf("table lacks %q:\n%s", want, stdout)
		}
	}
	if !strings.Contains(stderr, "2 computer(s) run an OS that AD records as certainly unsupported") {
		t.Errorf("stderr does not flag the 2 unsupported computers of Tokyo: %s", stderr)
	}
}

func TestDiscoverCLI_errorsNameTheCause(t *testing.T) {
	s := newSambaCLI(t)
	estate := s.env["TESTDATA_ESTATE_OU"]
	wrongPW := filepath.Join(t.TempDir(), "wrong.pass")
	if err := os.WriteFile(wrongPW, []byte("not-the-password\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	withPW := func(args []string, pw string) []string {
		out := append([]string(nil), args...)
		for i := range out {
			if out[i] == "--password-file" {
				out[i+1] = pw
			}
		}
		return out
	}
	tests := []struct {
		name string
		args []string
		want []string
	}{
		{"wrong password", withPW(s.ldapArgs(estate), wrongPW), []string{"invalid credentials", s.env["SCAN_USER_NT"]}},
		{"wrong OU", s.ldapArgs("OU=Nowhere," + estate), []string{"no such object", "OU=Nowhere," + estate}},
		{"plain LDAP refused", append(s.ldapArgs(estate)[:2], "--ldap-url", s.env["LDAP_URL"], "--user", s.env["SCAN_USER_NT"], "--password-file", s.env["SCAN_PASSWORD_FILE"]),
			[]string{"--allow-plain-ldap"}},
		{"bad scope", append(s.ldapArgs(estate), "--scope", "base"), []string{"--scope"}},
		{"no OU", []string{"discover", "--ldap-url", s.env["LDAPS_URL"]}[1:], []string{"--ou is required"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, append([]string{"discover"}, tc.args...)...)
			if code != exitUsage {
				t.Errorf("exit %d, want %d", code, exitUsage)
			}
			for _, w := range tc.want {
				if !strings.Contains(strings.ToLower(stderr), strings.ToLower(w)) {
					t.Errorf("stderr lacks %q: %s", w, stderr)
				}
			}
			if stdout != "" {
				t.Errorf("stdout on error: %q", stdout)
			}
			if pw, _ := os.ReadFile(s.env["SCAN_PASSWORD_FILE"]); len(pw) > 0 && strings.Contains(stderr, strings.TrimSpace(string(pw))) {
				t.Error("the password appears in the error output")
			}
		})
	}
}

// scan --ou: the Estate OU's 32 computers are discovered in Samba AD and scanned on simulated
// hosts (--resolve maps each DNS name to one), with the same account for LDAP and WinRM. The
// results file has one line per discovered computer, each with its AD record; W7-RTM-01 is
// mapped to a closed port and is still judged unsupported from its AD OS.
func TestScanOU_samba(t *testing.T) {
	s := newSambaCLI(t)
	estate := s.env["TESTDATA_ESTATE_OU"]
	cs := discoverJSON(t, s.ldapArgs(estate)...)

	fleet := smallFleet(t) // PC-W7-003 ready, PC-W7-010 action, PC-W8-021 unsupported
	lines, stop := startLab(t, 3, "--fleet", fleet, "--user", s.env["SCAN_USER_NT"], "--password-file", s.env["SCAN_PASSWORD_FILE"], "--auth", "ntlm")
	defer stop()
	lab := map[string]string{}
	var order []string
	for _, l := range lines {
		name, url, _ := strings.Cut(l, " ")
		lab[name] = url // a lab URL, as an admin would paste it
		order = append(order, name)
	}
	closed := closedPort(t)
	args := append([]string{"scan", "--auth", "ntlm", "--timeout", "20s", "--concurrency", "8"}, s.ldapArgs(estate)...)
	wantProfile := map[string]string{}
	for i, c := range cs {
		if c.Name == "W7-RTM-01" {
			args = append(args, "--resolve", c.DNSHostName+"="+closed)
			continue
		}
		p := order[i%len(order)]
		wantProfile[strings.ToLower(c.DNSHostName)] = p
		args = append(args, "--resolve", c.DNSHostName+"="+lab[p])
	}
	// A host also given with --target is scanned once and keeps its AD record.
	args = append(args, "--target", cs[1].DNSHostName+"="+lab[wantProfile[strings.ToLower(cs[1].DNSHostName)]])
	out := filepath.Join(t.TempDir(), "results.jsonl")
	code, _, stderr := runCLI(t, append(args, "--out", out)...)
	if code != exitAction {
		t.Errorf("exit %d, want %d (action and unsupported hosts, none unknown): %s", code, exitAction, stderr)
	}
	got := readResultsFile(t, out)
	if len(got) != len(cs) {
		t.Fatalf("results file has %d hosts, want one per discovered computer (%d)", len(got), len(cs))
	}
	verdictOf := map[string]checks.Verdict{"PC-W7-003": checks.Ready, "PC-W7-010": checks.Action, "PC-W8-021": checks.Unsupported}
	for _, c := range cs {
		r, ok := got[c.DNSHostName]
		if !ok {
			t.Errorf("%s (%s) missing from the results", c.DNSHostName, c.DN)
			continue
		}
		if r.AD == nil || r.AD.DN != c.DN || r.AD.OperatingSystem != c.OperatingSystem {
			t.Errorf("%s: AD record %+v, want DN %q", c.DNSHostName, r.AD, c.DN)
		}
		if c.Name == "W7-RTM-01" {
			if r.Verdict != checks.Unsupported || r.Error == nil || r.Error.Category != "unreachable" ||
				len(r.Findings) != 1 || r.Findings[0].ID != checks.IDOSUnsupportedRecorded {
				t.Errorf("W7-RTM-01 on a closed port: %s %+v %v, want unsupported from AD with the unreachable error", r.Verdict, r.Error, findingIDs(r))
			}
			continue
		}
		if want := verdictOf[wantProfile[strings.ToLower(c.DNSHostName)]]; r.Verdict != want {
			t.Errorf("%s: verdict %s, want %s (profile %s; error %+v)", c.DNSHostName, r.Verdict, want, wantProfile[strings.ToLower(c.DNSHostName)], r.Error)
		}
	}
	for _, want := range []string{"discovered 32 computer(s)", "duplicate target(s) scanned once"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q: %s", want, stderr)
		}
	}
}

// closedPort returns a loopback address on which nothing listens.
func closedPort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

func TestResolveFlag(t *testing.T) {
	tests := []struct {
		in   []string
		want map[string]scan.Target
		err  bool
	}{
		{[]string{"PC-01.corp.example=127.0.0.1:5999"}, map[string]scan.Target{"pc-01.corp.example": {Name: "PC-01.corp.example", Address: "127.0.0.1:5999"}}, false},
		{[]string{"pc-02=127.0.0.2"}, map[string]scan.Target{"pc-02": {Name: "pc-02", Address: "127.0.0.2:5985"}}, false},
		{[]string{"pc-03"}, nil, true},
		{[]string{"=127.0.0.1:1"}, nil, true},
		{[]string{"pc-04=http://127.0.0.1:5990/wsman"}, map[string]scan.Target{"pc-04": {Name: "pc-04", Address: "127.0.0.1:5990", Scheme: "http"}}, false},
		{[]string{"pc-06=https://127.0.0.1/wsman"}, map[string]scan.Target{"pc-06": {Name: "pc-06", Address: "127.0.0.1:5985", Scheme: "https"}}, false},
		{[]string{"pc-05=127.0.0.1:http"}, nil, true},
	}
	for _, tc := range tests {
		lf := ldapFlags{resolve: tc.in}
		got, err := lf.resolver(targetDefaults{Port: "5985"})
		if (err != nil) != tc.err {
			t.Errorf("%v: error %v, want error=%v", tc.in, err, tc.err)
			continue
		}
		if fmt.Sprint(got) != fmt.Sprint(tc.want) && !tc.err {
			t.Errorf("%v: %v, want %v", tc.in, got, tc.want)
		}
	}
}

// --domain finds the DCs through SRV records, asked of a DNS server on loopback (--dns-server),
// and passes over a DC that does not answer.
func TestDiscoverCLI_domainSRVNextDC(t *testing.T) {
	s := newSambaCLI(t)
	u, err := url.Parse(s.env["LDAP_URL"])
	if err != nil {
		t.Fatal(err)
	}
	port, _ := strconv.Atoi(u.Port())
	_, deadPortS, _ := net.SplitHostPort(closedPort(t))
	deadPort, _ := strconv.Atoi(deadPortS)
	dc := s.env["LDAP_TLS_SERVER_NAME"] // dc1.corp.example, the name in the DC's certificate
	dns, err := dnstest.Start(dnstest.Records{
		SRV: map[string][]dnstest.SRV{"_ldap._tcp.dc._msdcs.corp.example": {
			{Target: "dc0.corp.example", Port: uint16(deadPort), Priority: 0},
			{Target: dc, Port: uint16(port), Priority: 10},
		}},
		A: map[string][]net.IP{"dc0.corp.example": {net.IPv4(127, 0, 0, 1)}, dc: {net.IPv4(127, 0, 0, 1)}},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer dns.Close()
	code, _, stderr := runCLI(t, "discover", "--json", "--domain", "corp.example", "--dns-server", dns.Addr, "--starttls",
		"--ldap-ca-file", s.env["CA_CERT"], "--user", s.env["SCAN_USER_NT"], "--password-file", s.env["SCAN_PASSWORD_FILE"],
		"--ou", "OU=Tokyo,"+s.env["TESTDATA_ESTATE_OU"])
	if code != exitReady {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	want := "from ldap://" + net.JoinHostPort(dc, u.Port())
	if !strings.Contains(stderr, "discovered 13 computer(s)") || !strings.Contains(stderr, want) {
		t.Errorf("stderr %q: want 13 computers %s", stderr, want)
	}
	q := dns.Queries()
	if len(q) == 0 || q[0] != "SRV _ldap._tcp.dc._msdcs.corp.example." {
		t.Errorf("DNS queries %v", q)
	}
	if !slices.Contains(q, "A dc0.corp.example.") {
		t.Errorf("the dead DC (priority 0) was not tried first: DNS queries %v", q)
	}
}
