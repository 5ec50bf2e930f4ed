package discover

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/go-ldap/ldap/v3"

	"github.com/tlsready/tlsready/internal/dnstest"
)

func TestFilter(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  Config
		want string
	}{
		{"computers only by default", Config{}, "(&(objectCategory=computer))"},
		{"OS glob keeps * as LDAP wildcard", Config{OSFilter: "Windows 7*"}, "(&(objectCategory=computer)(operatingSystem=Windows 7*))"},
		{"OS glob ? and [..] widen to * on the server", Config{OSFilter: "Windows Server? 20[01]8*"}, "(&(objectCategory=computer)(operatingSystem=Windows Server* 20*8*))"},
		{"name glob matches sAMAccountName with its $", Config{NameFilter: "PC-*"}, "(&(objectCategory=computer)(sAMAccountName=PC-*$))"},
		{"name without wildcard is exact", Config{NameFilter: "pc-0142"}, "(&(objectCategory=computer)(sAMAccountName=pc-0142$))"},
		{"filter metacharacters are escaped (RFC 4515)", Config{NameFilter: `a(b)\\c\*`}, `(&(objectCategory=computer)(sAMAccountName=a\28b\29\5cc\2a$))`},
		{"an injection attempt stays a value", Config{OSFilter: "x)(objectClass=*"}, `(&(objectCategory=computer)(operatingSystem=x\29\28objectClass=*))`},
		{"a lone * is a presence test", Config{OSFilter: "*"}, "(&(objectCategory=computer)(operatingSystem=*))"},
		{"extra filter gets its parentheses", Config{ExtraFilter: "operatingSystemVersion=6.1*"}, "(&(objectCategory=computer)(operatingSystemVersion=6.1*))"},
		{"extra filter as given", Config{ExtraFilter: "(|(a=1)(b=2))"}, "(&(objectCategory=computer)(|(a=1)(b=2)))"},
		{"everything", Config{OSFilter: "*10*", NameFilter: "W*", ExtraFilter: "(l=Tokyo)"}, "(&(objectCategory=computer)(operatingSystem=*10*)(sAMAccountName=W*$)(l=Tokyo))"},
		{"disabled and stale are left out after the search", Config{StaleDays: 90, IncludeDisabled: true}, "(&(objectCategory=computer))"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Filter(tc.cfg)
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("Filter = %s\nwant     %s", got, tc.want)
			}
			if _, err := ldap.CompileFilter(got); err != nil {
				t.Errorf("not a valid filter: %v", err)
			}
		})
	}
}

func TestFilterRefuses(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  Config
		want string
	}{
		{"extra filter that closes and reopens", Config{ExtraFilter: "(a=b))(|(c=d)"}, "not a valid LDAP filter"},
		{"extra filter unbalanced", Config{ExtraFilter: "(&(a=b)"}, "not a valid LDAP filter"},
		{"unclosed class in a glob", Config{OSFilter: "Windows [7"}, "unclosed ["},
		{"scope", Config{Scope: "base"}, "want sub or one"},
		{"base DN", Config{BaseDN: "OU=x,,=y"}, "not a distinguished name"},
		{"negative stale days", Config{StaleDays: -1}, "stale days"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Filter(tc.cfg)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
		})
	}
}

func TestGlobMatchesExactly(t *testing.T) {
	for _, tc := range []struct {
		glob, s string
		want    bool
	}{
		{"Windows 7*", "windows 7 professional", true},
		{"Windows Server? 2008*", "Windows Server® 2008 Standard", true},
		{"Windows Server? 2008*", "Windows Server 2008 R2 Standard", false},
		{"W1?-0*", "W10-01", true},
		{"W1?-0*", "W10-F3-01", false},
		{"PC-[0-4]*", "PC-3x", true},
		{"PC-[!0-4]*", "PC-3x", false},
		{`a\*b`, "a*b", true},
		{`a\*b`, "axb", false},
		{"東京-*", "東京-PC", true},
	} {
		_, re, err := globFilter("x", tc.glob, "")
		if err != nil {
			t.Fatal(err)
		}
		if got := re.MatchString(tc.s); got != tc.want {
			t.Errorf("glob %q on %q = %v, want %v", tc.glob, tc.s, got, tc.want)
		}
	}
}

func TestUnsupportedOS_Q2(t *testing.T) {
	for _, tc := range []struct {
		os, ver, sp string
		want        string // substring; "" = supported or not certain
	}{
		{"Windows 7 Professional", "6.1 (7600)", "", "Windows 7 without Service Pack 1"},
		{"Windows 7 Enterprise", "6.1 (7601)", "Service Pack 1", ""},
		{"Windows 7 Professional", "", "", "Windows 7 without Service Pack 1"},
		{"Windows 7 Professional", "", "Service Pack 1", ""},
		{"Windows 8 Pro", "6.2 (9200)", "", "Windows 8 (6.2)"},
		{"Windows 8 Pro", "", "", "Windows 8"},
		{"Windows 8.1 Pro", "6.3 (9600)", "", ""},
		{"Windows 8.1 Pro", "", "", ""},
		{"Windows 10 Enterprise", "10.0 (19045)", "", ""},
		{"Windows 11 Enterprise", "10.0 (22631)", "", ""},
		{"Windows Server® 2008 Standard", "6.0 (6002)", "Service Pack 2", "Windows Server 2008 (6.0, not R2)"},
		{"Windows Server® 2008 Standard", "", "Service Pack 2", "Windows Server 2008 (not R2)"},
		{"Windows Vista™ Business", "6.0 (6002)", "Service Pack 2", "Windows Vista"},
		{"Windows Server 2008 R2 Standard", "6.1 (7601)", "Service Pack 1", ""},
		{"Windows Server 2008 R2 Standard", "6.1 (7600)", "", "Windows Server 2008 R2 without Service Pack 1"},
		{"Windows Server 2012 Standard", "6.2 (9200)", "", ""}, // KB3140245 exists for 2012
		{"Windows Server 2012 R2 Standard", "6.3 (9600)", "", ""},
		{"Windows Server 2016 Standard", "10.0 (14393)", "", ""},
		{"Windows Server 2019 Datacenter", "10.0 (17763)", "", ""},
		{"Windows Server 2022 Standard", "10.0 (20348)", "", ""},
		{"Windows XP Professional", "5.1 (2600)", "Service Pack 3", "XP, Server 2003 or older"},
		{"Windows Server 2003", "", "", "no TLS 1.2"},
		{"Samba", "", "", ""},
		{"", "", "", ""},
	} {
		got := Unsupported(tc.os, tc.ver, tc.sp)
		if (tc.want == "") != (got == "") || !strings.Contains(got, tc.want) {
			t.Errorf("Unsupported(%q, %q, %q) = %q, want %q", tc.os, tc.ver, tc.sp, got, tc.want)
		}
	}
}

func TestDescribeLDAPErrors(t *testing.T) {
	adDiag := func(code string) error {
		return errors.New("80090308: LdapErr: DSID-0C09042F, comment: AcceptSecurityContext error, data " + code + ", v4563")
	}
	for _, tc := range []struct {
		name string
		err  *ldap.Error
		want string
	}{
		{"wrong password", &ldap.Error{ResultCode: 49, Err: adDiag("52e")}, "invalid credentials (LDAP 49, AD 52e: wrong password)"},
		{"locked out", &ldap.Error{ResultCode: 49, Err: adDiag("775")}, "AD 775: account locked out"},
		{"password expired", &ldap.Error{ResultCode: 49, Err: adDiag("532")}, "AD 532: password expired"},
		{"account disabled", &ldap.Error{ResultCode: 49, Err: adDiag("533")}, "AD 533: account disabled"},
		{"no such user", &ldap.Error{ResultCode: 49, Err: adDiag("525")}, "AD 525: no such user"},
		{"not AD", &ldap.Error{ResultCode: 49, Err: errors.New("")}, "invalid credentials (LDAP 49)"},
		{"no such object", &ldap.Error{ResultCode: 32, MatchedDN: "DC=corp,DC=example", Err: errors.New("0000208D: NameErr")}, `no such object (LDAP 32); the nearest existing entry is "DC=corp,DC=example"`},
		{"referral", &ldap.Error{ResultCode: 10, Err: errors.New("")}, "no referral is followed"},
		{"strong auth", &ldap.Error{ResultCode: 8, Err: errors.New("")}, "wants LDAPS or StartTLS"},
		{"size limit", &ldap.Error{ResultCode: 4, Err: errors.New("")}, "size limit exceeded (LDAP 4)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := &Error{Server: "ldaps://dc1:636", Step: `bind as CORP\x`, Err: describe(tc.err)}
			if !strings.Contains(err.Error(), tc.want) || !strings.HasPrefix(err.Error(), `ldap ldaps://dc1:636: bind as CORP\x: `) {
				t.Errorf("got %q, want it to contain %q", err, tc.want)
			}
			var le *ldap.Error
			if !errors.As(err, &le) || le != tc.err {
				t.Error("the *ldap.Error is not reachable with errors.As")
			}
			if InvalidCredentials(err) != (tc.err.ResultCode == 49) {
				t.Error("InvalidCredentials wrong")
			}
		})
	}
}

func TestPlainLDAPRefusedWithoutStartTLS(t *testing.T) {
	_, err := Discover(context.Background(), Config{URLs: []string{"ldap://127.0.0.1:1"}, User: "u@x", Password: "p"},
		func(Computer) error { return nil })
	if err == nil || !strings.Contains(err.Error(), "would send the bind in clear") {
		t.Fatalf("err = %v", err)
	}
}

func TestConfigRefusals(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  Config
		want string
	}{
		{"no URL, no domain", Config{User: "u", Password: "p"}, "give an LDAP URL"},
		{"not a URL", Config{URLs: []string{"dc1.corp.example"}, User: "u", Password: "p"}, "is not an ldaps://"},
		{"StartTLS on ldaps", Config{URLs: []string{"ldaps://dc1"}, StartTLS: true, User: "u", Password: "p"}, "already TLS"},
		{"simple bind without a password", Config{URLs: []string{"ldaps://dc1"}, User: "u"}, "needs a user and a password"},
		{"unknown bind", Config{URLs: []string{"ldaps://dc1"}, Bind: "digest"}, "want simple, kerberos or ntlm"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Discover(context.Background(), tc.cfg, func(Computer) error { return nil })
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want %q", err, tc.want)
			}
		})
	}
}

// The DCs are found by a real resolver asking a DNS server on loopback, as Windows finds them.
func TestLocateDCsBySRV(t *testing.T) {
	for _, tc := range []struct {
		name    string
		records map[string][]dnstest.SRV
		cfg     Config
		want    []string
		wantErr string
	}{
		{"msdcs first", map[string][]dnstest.SRV{
			"_ldap._tcp.dc._msdcs.corp.example": {{Target: "dc1.corp.example", Port: 389, Priority: 0}, {Target: "dc2.corp.example", Port: 389, Priority: 10}},
			"_ldap._tcp.corp.example":           {{Target: "other.corp.example", Port: 389}},
		}, Config{Domain: "corp.example"}, []string{"ldaps://dc1.corp.example:636", "ldaps://dc2.corp.example:636"}, ""},
		{"fallback to _ldap._tcp.<domain>", map[string][]dnstest.SRV{
			"_ldap._tcp.corp.example": {{Target: "dc3.corp.example", Port: 3268}},
		}, Config{Domain: "corp.example", StartTLS: true}, []string{"ldap://dc3.corp.example:3268"}, ""},
		{"priority order", map[string][]dnstest.SRV{
			"_ldap._tcp.dc._msdcs.corp.example": {{Target: "b.corp.example", Port: 389, Priority: 20}, {Target: "a.corp.example", Port: 389, Priority: 5}},
		}, Config{Domain: "corp.example."}, []string{"ldaps://a.corp.example:636", "ldaps://b.corp.example:636"}, ""},
		{"nothing", nil, Config{Domain: "corp.example"}, nil, "no domain controller of corp.example found in DNS"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv, err := dnstest.Start(dnstest.Records{SRV: tc.records})
			if err != nil {
				t.Fatal(err)
			}
			defer srv.Close()
			tc.cfg.Resolver = srv.Resolver()
			got, err := locate(context.Background(), tc.cfg)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil || strings.Join(got, " ") != strings.Join(tc.want, " ") {
				t.Fatalf("locate = %v, %v; want %v", got, err, tc.want)
			}
			if q := srv.Queries(); len(q) == 0 || q[0] != "SRV _ldap._tcp.dc._msdcs.corp.example." {
				t.Errorf("first query %v, want SRV _ldap._tcp.dc._msdcs.corp.example.", q)
			}
		})
	}
}

func TestFileTimeAndDomain(t *testing.T) {
	if got := fileTime(134106624000000000).Format("2006-01-02T15:04:05Z07:00"); got != "2025-12-20T00:00:00Z" {
		t.Errorf("fileTime = %s", got)
	}
	if got := dnsDomainOf(`CN=Comma\, PC,OU=x,DC=corp,DC=example`); got != "corp.example" {
		t.Errorf("dnsDomainOf = %q", got)
	}
}

func TestEscapeDNValue(t *testing.T) {
	for in, want := range map[string]string{
		"Comma, PC":                  `Comma\, PC`,
		"Plus+PC":                    `Plus\+PC`,
		"#Hash PC":                   `\#Hash PC`,
		" Leading Space":             `\ Leading Space`,
		"Trailing ":                  `Trailing\ `,
		`Quote"Back\Slash=Eq;Semi<>`: `Quote\"Back\\Slash\=Eq\;Semi\<\>`,
		"東京-PC":                      "東京-PC",
		"mid#dle":                    "mid#dle",
	} {
		got := EscapeDNValue(in)
		if got != want {
			t.Errorf("EscapeDNValue(%q) = %q, want %q", in, got, want)
		}
		dn, err := ldap.ParseDN("CN=" + got + ",DC=x")
		if err != nil || dn.RDNs[0].Attributes[0].Value != in {
			t.Errorf("%q does not round-trip: %v %v", got, dn, err)
		}
	}
}
