package discover

import (
	"encoding/json"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/go-ldap/ldap/v3"
)

// computerEntry is an LDAP entry of a computer with the attributes computer reads.
func computerEntry(dn, sam, cn, dnsName, osName, osVersion, sp, lastLogon, uac string) *ldap.Entry {
	attrs := map[string][]string{}
	for name, v := range map[string]string{"sAMAccountName": sam, "cn": cn, "dNSHostName": dnsName, "operatingSystem": osName,
		"operatingSystemVersion": osVersion, "operatingSystemServicePack": sp, "lastLogonTimestamp": lastLogon, "userAccountControl": uac} {
		if v != "" {
			attrs[name] = []string{v}
		}
	}
	return ldap.NewEntry(dn, attrs)
}

// FuzzComputer: whatever a directory returns, the Computer made of an entry has only valid
// UTF-8 strings (invalid bytes become U+FFFD: control characters are escaped where they are
// shown, report.Clean), a name made DNS host name in lower case, and survives the results file
// (JSON) unchanged.
func FuzzComputer(f *testing.F) {
	f.Add("CN=PC-01,OU=Workstations,DC=corp,DC=example", "PC-01$", "PC-01", "", "Windows 7 Professional", "6.1 (7600)", "", "134106624000000000", "4096", "")
	f.Add("CN=Comma\\, PC,OU=x,DC=corp,DC=example", "", "Comma, PC", "pc.corp.example", "Windows Server® 2008 Standard", "6.0 (6002)", "Service Pack 2", "0", "2", "lab.example")
	f.Add("CN=X", "\xff\xfe$", "", "", "\x1b[31mWindows\u202e", "", "", "9223372036854775807", "x", "")
	f.Fuzz(func(t *testing.T, dn, sam, cn, dnsName, osName, osVersion, sp, lastLogon, uac, domain string) {
		c, _ := computer(computerEntry(dn, sam, cn, dnsName, osName, osVersion, sp, lastLogon, uac), domain)
		for name, s := range map[string]string{"Name": c.Name, "DNSHostName": c.DNSHostName, "OperatingSystem": c.OperatingSystem,
			"OSVersion": c.OSVersion, "OSServicePack": c.OSServicePack, "DN": c.DN, "Unsupported": c.Unsupported, "OSName": c.OSName()} {
			if !utf8.ValidString(s) {
				t.Errorf("%s %q is not valid UTF-8", name, s)
			}
		}
		if c.DNSFromName && c.DNSHostName != strings.ToLower(c.DNSHostName) {
			t.Errorf("DNS name %q made from the name is not lower case", c.DNSHostName)
		}
		b, err := json.Marshal(c)
		if err != nil {
			t.Fatalf("the results file cannot hold %+v: %v", c, err)
		}
		var back Computer
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatal(err)
		}
		if !back.LastLogon.Equal(c.LastLogon) {
			t.Errorf("last logon %v read back as %v", c.LastLogon, back.LastLogon)
		}
		back.LastLogon = c.LastLogon
		if !reflect.DeepEqual(back, c) {
			t.Errorf("read back from JSON as\n%+v\nwant\n%+v", back, c)
		}
	})
}

// TestComputerFromHostileEntry: the cases FuzzComputer found (each failed before the fix).
func TestComputerFromHostileEntry(t *testing.T) {
	tests := []struct {
		name  string
		entry *ldap.Entry
		check func(Computer) bool
	}{
		{"invalid UTF-8 in the name and OS", computerEntry("CN=X\xff", "PC\xff$", "", "", "Windows\xfe 7", "", "", "", ""),
			func(c Computer) bool {
				return c.Name == "PC\uFFFD" && c.OperatingSystem == "Windows\uFFFD 7" && c.DN == "CN=X\uFFFD" && utf8.ValidString(c.DNSHostName)
			}},
		{"lastLogonTimestamp past year 9999 (JSON cannot hold it)", computerEntry("CN=X", "X$", "", "", "", "", "", strconv.FormatInt(1<<62, 10), ""),
			func(c Computer) bool { return c.LastLogon.IsZero() }},
		{"a real lastLogonTimestamp is kept", computerEntry("CN=X", "X$", "", "", "", "", "", "134106624000000000", ""),
			func(c Computer) bool { return c.LastLogon.Year() == 2025 }},
	}
	for _, tc := range tests {
		c, _ := computer(tc.entry, "")
		if !tc.check(c) {
			t.Errorf("%s: got %+v", tc.name, c)
		}
		if _, err := json.Marshal(c); err != nil {
			t.Errorf("%s: %v", tc.name, err)
		}
	}
}
