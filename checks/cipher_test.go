package checks

import (
	"encoding/json"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/tlsready/tlsready/facts"
)

// cipherRead is the "read" record of a list in ciphersuites.json: the page's source file and the
// commit (and ms.date) compared line by line.
type cipherRead struct {
	Repo   string `json:"repo"`
	Path   string `json:"path"`
	Commit string `json:"commit"`
	MSDate string `json:"msDate"`
}

// strictCipherTables decodes ciphersuites.json rejecting unknown fields.
func strictCipherTables(t *testing.T) (raw struct {
	Comment      string `json:"comment"`
	Microsoft365 struct {
		Source    string     `json:"source"`
		Read      cipherRead `json:"read"`
		FrontDoor struct {
			Source         string     `json:"source"`
			Read           cipherRead `json:"read"`
			Retirement     string     `json:"retirement"`
			RetirementRead cipherRead `json:"retirementRead"`
			RetiredOn      string     `json:"retiredOn"`
		} `json:"frontDoor"`
		Preparing struct {
			Source string `json:"source"`
			Says   string `json:"says"`
		} `json:"preparing"`
		Note   string `json:"note"`
		Suites []struct {
			Name   string `json:"name"`
			Status string `json:"status"`
		} `json:"suites"`
	} `json:"microsoft365"`
	Windows []struct {
		windowsSuites
		Read cipherRead `json:"read"`
		Note string     `json:"note"`
	} `json:"windows"`
}) {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(string(cipherData)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&raw); err != nil {
		t.Fatalf("ciphersuites.json: %v", err)
	}
	return raw
}

var (
	suiteName = regexp.MustCompile(`^TLS_(ECDHE_ECDSA|ECDHE_RSA|DHE_RSA|DHE_DSS|RSA)(_EXPORT1024|_EXPORT)?_WITH_(AES_(128|256)_(GCM|CBC)|3DES_EDE_CBC|RC4_(128|56|40)|DES_CBC|NULL)_(SHA|SHA256|SHA384|MD5)(_P256|_P384|_P521)?$`)
	commitRe  = regexp.MustCompile(`^[0-9a-f]{40}$`)
	msDateRe  = regexp.MustCompile(`^\d\d/\d\d/\d{4}$`)
)

// TestCipherTables: ciphersuites.json parses strictly; every Windows list names its page, the
// page's source file and the commit and ms.date it was compared with; every suite is a TLS 1.2
// suite name as the page spells it, once, in one list only; curve suffixes only before Windows 10;
// (version, minBuild) pairs are unique and each release group from 6.1 on has a list; Microsoft
// 365's statuses are ones the rule knows and its sources are recorded.
func TestCipherTables(t *testing.T) {
	raw := strictCipherTables(t)
	m := raw.Microsoft365
	if m.Source != SourceCipherM365 || m.Read.Repo != "MicrosoftDocs/microsoft-365-docs" || !msDateRe.MatchString(m.Read.MSDate) {
		t.Errorf("Microsoft 365 source %q read %+v", m.Source, m.Read)
	}
	fd := m.FrontDoor
	if fd.Source != "https://learn.microsoft.com/azure/frontdoor/end-to-end-tls" || !commitRe.MatchString(fd.Read.Commit) ||
		fd.Retirement != "https://learn.microsoft.com/azure/frontdoor/diffie-hellman-ciphers" || !commitRe.MatchString(fd.RetirementRead.Commit) ||
		fd.RetiredOn != "2026-04-01" {
		t.Errorf("Azure Front Door sources %+v", fd)
	}
	if m.Preparing.Source != "https://learn.microsoft.com/purview/prepare-tls-1.2-in-office-365" || m.Preparing.Says == "" {
		t.Errorf("Preparing for TLS 1.2 source %+v", m.Preparing)
	}
	seen := map[string]bool{}
	for _, s := range m.Suites {
		if !slices.Contains([]string{cipherAccepted, cipherM365Only, cipherRetired}, s.Status) || canonicalSuite(s.Name) != s.Name || !suiteName.MatchString(s.Name) || seen[s.Name] {
			t.Errorf("microsoft365: %s status %q", s.Name, s.Status)
		}
		seen[s.Name] = true
	}
	type vb struct {
		v string
		b int
	}
	pairs := map[vb]bool{}
	ids := map[string]bool{}
	for _, w := range raw.Windows {
		page := strings.TrimPrefix(w.Source, "https://learn.microsoft.com/windows/win32/secauthn/")
		if page == w.Source || !strings.EqualFold(w.Read.Path, "desktop-src/SecAuthN/"+page+".md") || w.Read.Repo != "MicrosoftDocs/win32" ||
			!commitRe.MatchString(w.Read.Commit) || !msDateRe.MatchString(w.Read.MSDate) || w.Note == "" {
			t.Errorf("%s: source %q read %+v", w.ID, w.Source, w.Read)
		}
		if ids[w.ID] || pairs[vb{w.Version, w.MinBuild}] {
			t.Errorf("%s: id or (version %s, minBuild %d) repeated", w.ID, w.Version, w.MinBuild)
		}
		ids[w.ID], pairs[vb{w.Version, w.MinBuild}] = true, true
		if len(w.Suites) == 0 {
			t.Errorf("%s: no suites", w.ID)
		}
		all := append(slices.Clone(w.Suites), w.NotByDefault...)
		for i, s := range all {
			curve := canonicalSuite(s) != s
			if !suiteName.MatchString(s) || slices.Contains(all[:i], s) || (curve && w.Version == "10.0") {
				t.Errorf("%s: suite %q not a TLS 1.2 suite name, repeated, or with a curve on Windows 10", w.ID, s)
			}
		}
	}
	for _, v := range []string{"6.1", "6.2", "6.3", "10.0"} {
		if !slices.ContainsFunc(raw.Windows, func(w struct {
			windowsSuites
			Read cipherRead `json:"read"`
			Note string     `json:"note"`
		}) bool {
			return w.Version == v
		}) {
			t.Errorf("no default list for Windows %s", v)
		}
	}
}

// TestCipherTablesPages pins what each page says (ciphersuites.json's read records which version
// was compared): the number of TLS 1.2 suites enabled by default, the first and last of them,
// and suites whose default status differs between releases. A change to the JSON that does not
// follow a page fails here.
func TestCipherTablesPages(t *testing.T) {
	tb := loadCipherTables()
	cases := []struct {
		id          string
		n           int
		first, last string
		on, off     []string // enabled by default / supported but not enabled
	}{
		{"win7", 36, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384_P256", "TLS_RSA_WITH_RC4_128_MD5",
			[]string{"TLS_DHE_RSA_WITH_AES_256_CBC_SHA", "TLS_DHE_DSS_WITH_AES_256_CBC_SHA256", "TLS_RSA_WITH_3DES_EDE_CBC_SHA"}, []string{"TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384_P521"}},
		{"win8", 34, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384_P256", "TLS_RSA_WITH_RC4_128_MD5", nil, []string{"TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA_P521"}},
		{"win81", 36, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384_P256", "TLS_RSA_WITH_RC4_128_MD5", []string{"TLS_DHE_RSA_WITH_AES_128_CBC_SHA"}, nil},
		{"win10-1507", 30, "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "TLS_RSA_WITH_RC4_128_MD5", []string{"TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384"}, nil},
		{"win10-1511", 30, "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "TLS_RSA_WITH_RC4_128_MD5", nil, nil},
		{"win10-1607", 30, "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "TLS_RSA_WITH_RC4_128_MD5", nil, nil},
		{"win10-1703", 23, "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "TLS_RSA_WITH_RC4_128_MD5", nil, []string{"TLS_DHE_RSA_WITH_AES_256_CBC_SHA"}},
		{"win10-1709", 21, "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "TLS_RSA_WITH_3DES_EDE_CBC_SHA", []string{"TLS_RSA_WITH_3DES_EDE_CBC_SHA"}, []string{"TLS_RSA_WITH_RC4_128_SHA"}},
		{"win10-1803", 21, "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "TLS_RSA_WITH_3DES_EDE_CBC_SHA", nil, nil},
		{"win10-1809", 21, "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "TLS_RSA_WITH_3DES_EDE_CBC_SHA", nil, nil},
		{"win10-1903", 21, "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "TLS_RSA_WITH_3DES_EDE_CBC_SHA", nil, nil},
		{"win10-20h2", 21, "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "TLS_RSA_WITH_3DES_EDE_CBC_SHA", []string{"TLS_DHE_RSA_WITH_AES_256_GCM_SHA384"}, nil},
		{"win10-22h2", 18, "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "TLS_RSA_WITH_AES_128_CBC_SHA", nil,
			[]string{"TLS_DHE_RSA_WITH_AES_256_GCM_SHA384", "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_RSA_WITH_3DES_EDE_CBC_SHA"}},
		{"server2022", 21, "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "TLS_RSA_WITH_3DES_EDE_CBC_SHA", nil, nil},
		{"win11", 21, "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "TLS_RSA_WITH_3DES_EDE_CBC_SHA", nil, nil},
		{"win11-22h2", 18, "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "TLS_RSA_WITH_AES_128_CBC_SHA", nil, []string{"TLS_DHE_RSA_WITH_AES_256_GCM_SHA384"}},
	}
	if len(cases) != len(tb.Windows) {
		t.Errorf("%d lists, %d pinned", len(tb.Windows), len(cases))
	}
	for _, c := range cases {
		i := slices.IndexFunc(tb.Windows, func(w windowsSuites) bool { return w.ID == c.id })
		if i < 0 {
			t.Errorf("%s: no list", c.id)
			continue
		}
		w := tb.Windows[i]
		if len(w.Suites) != c.n || w.Suites[0] != c.first || w.Suites[len(w.Suites)-1] != c.last {
			t.Errorf("%s: %d suites %s ... %s, want %d %s ... %s", c.id, len(w.Suites), w.Suites[0], w.Suites[len(w.Suites)-1], c.n, c.first, c.last)
		}
		for _, s := range c.on {
			if !slices.Contains(w.Suites, s) {
				t.Errorf("%s: %s not enabled by default", c.id, s)
			}
		}
		for _, s := range c.off {
			if slices.Contains(w.Suites, s) || !slices.Contains(w.NotByDefault, s) {
				t.Errorf("%s: %s should be supported but not enabled by default", c.id, s)
			}
		}
		// No release before Windows 10 has ECDHE_RSA with AES-GCM, enabled or not.
		if w.Version != "10.0" && w.supports("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256") {
			t.Errorf("%s: ECDHE_RSA AES-GCM before Windows 10", c.id)
		}
	}
	want := map[string]string{
		"TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384": cipherAccepted, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256": cipherAccepted,
		"TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384": cipherAccepted, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256": cipherAccepted,
		"TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA": cipherM365Only, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA": cipherM365Only,
		"TLS_RSA_WITH_AES_256_GCM_SHA384": cipherM365Only, "TLS_RSA_WITH_AES_128_GCM_SHA256": cipherM365Only,
		"TLS_RSA_WITH_AES_256_CBC_SHA256": cipherM365Only, "TLS_RSA_WITH_AES_128_CBC_SHA256": cipherM365Only,
		"TLS_RSA_WITH_AES_256_CBC_SHA": cipherM365Only, "TLS_RSA_WITH_AES_128_CBC_SHA": cipherM365Only,
		"TLS_DHE_RSA_WITH_AES_256_GCM_SHA384": cipherRetired, "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256": cipherRetired,
	}
	if len(tb.Microsoft365.Suites) != len(want) {
		t.Errorf("Microsoft 365: %d suites, want %d", len(tb.Microsoft365.Suites), len(want))
	}
	for s, st := range want {
		if got := tb.m365Status(s); got != st {
			t.Errorf("Microsoft 365 %s: status %q, want %q", s, got, st)
		}
	}
	if tb.m365Status("TLS_RSA_WITH_3DES_EDE_CBC_SHA") != "" || tb.m365Status("TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384") != "" {
		t.Error("3DES or ECDSA on Microsoft 365's list")
	}
}

// TestCipherRelease: the list a host's version and build select.
func TestCipherRelease(t *testing.T) {
	tb := loadCipherTables()
	for _, c := range []struct{ version, want string }{
		{"6.1.7601", "win7"}, {"6.2.9200", "win8"}, {"6.3.9600", "win81"},
		{"10.0.10240", "win10-1507"}, {"10.0.10586", "win10-1511"}, {"10.0.14393", "win10-1607"},
		{"10.0.15063", "win10-1703"}, {"10.0.16299", "win10-1709"}, {"10.0.17134", "win10-1803"},
		{"10.0.17763", "win10-1809"}, {"10.0.18362", "win10-1903"}, {"10.0.18363", "win10-1903"},
		{"10.0.19041", "win10-1903"}, {"10.0.19042", "win10-20h2"}, {"10.0.19044", "win10-20h2"},
		{"10.0.19045", "win10-22h2"}, {"10.0.20348", "server2022"}, {"10.0.22000", "win11"},
		{"10.0.22621", "win11-22h2"}, {"10.0.22631", "win11-22h2"}, {"10.0.26100", "win11-22h2"},
		{"10.0.26100.1742", "win11-22h2"},
		{"10.0.9926", ""}, {"6.0.6002", ""}, {"10.0", ""}, {"", ""},
	} {
		w, ok := tb.release(c.version)
		if ok != (c.want != "") || w.ID != c.want {
			t.Errorf("%q: %q %v, want %q", c.version, w.ID, ok, c.want)
		}
	}
}

// TestCipherRemedy: which SCHANNEL keys the kit enables again and which order it proposes.
func TestCipherRemedy(t *testing.T) {
	k := func(s string) string { return strings.TrimPrefix(KeySchannel, `HKLM\`) + `\` + s }
	cases := []struct {
		name   string
		f      *facts.Facts
		ok     bool
		enable []string
		item   string
		order  []string
	}{
		{name: "Win10Untouched", f: w10().build()},
		{name: "Win7Untouched", f: w7().build()},
		{
			// ECDH off removes every accepted suite; PKCS and 3DES off remove only suites that are
			// not needed, so they stay off.
			name: "Win10ECDHOff", f: w10().dword(ItemSchannelAlgPrefix+"ecdh", 0).dword(ItemSchannelAlgPrefix+"pkcs", 0).dword(ItemSchannelAlgPrefix+"3des", 0).build(),
			ok: true, enable: []string{k(`KeyExchangeAlgorithms\ECDH`)},
		},
		{
			// Both AES keys off: both come back.
			name: "Win10AESOff", f: w10().dword(ItemSchannelAlgPrefix+"aes128", 0).dword(ItemSchannelAlgPrefix+"aes256", 0).build(),
			ok: true, enable: []string{k(`Ciphers\AES 128/128`), k(`Ciphers\AES 256/256`)},
		},
		{
			// Windows 7's accepted suites are CBC with SHA-384 / SHA-256 MACs: SHA (SHA-1) off
			// removes none of them, so only the order is the problem.
			name: "Win7PolicyRSA", f: w7().sz(ItemCipherPolicy, "TLS_RSA_WITH_AES_256_CBC_SHA, TLS_RSA_WITH_3DES_EDE_CBC_SHA").dword(ItemSchannelAlgPrefix+"sha1", 0).build(),
			ok: true, item: ItemCipherPolicy,
			order: []string{"TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384_P256", "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384_P384",
				"TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256_P256", "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256_P384",
				"TLS_RSA_WITH_AES_256_CBC_SHA", "TLS_RSA_WITH_3DES_EDE_CBC_SHA"},
		},
		{
			// A local order without accepted suites, and ECDH off: both are fixed.
			name: "Win10LocalOrder3DES", f: w10().reg(ItemCipherLocal, facts.StateOK, facts.RegMultiSZ, "TLS_RSA_WITH_3DES_EDE_CBC_SHA").dword(ItemSchannelAlgPrefix+"ecdh", 0).build(),
			ok: true, item: ItemCipherLocal, enable: []string{k(`KeyExchangeAlgorithms\ECDH`)},
			order: []string{"TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
				"TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384", "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256", "TLS_RSA_WITH_3DES_EDE_CBC_SHA"},
		},
		{
			// The order offers an accepted suite; only SCHANNEL takes it away.
			name: "Win10PolicyGCMSHA384Off", f: w10().sz(ItemCipherPolicy, "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384").dword(ItemSchannelAlgPrefix+"aes256", 0).dword(ItemSchannelAlgPrefix+"rc4", 0).build(),
			ok: true, enable: []string{k(`Ciphers\AES 256/256`)},
		},
		{name: "NoFacts", f: nil},
		{name: "Vista", f: w7().ver("6.0.6002").sz(ItemCipherPolicy, "TLS_RSA_WITH_3DES_EDE_CBC_SHA").build()},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			fix, ok := CipherRemedy(c.f)
			if ok != c.ok || !slices.Equal(fix.Enable, c.enable) || fix.OrderItem != c.item || !slices.Equal(fix.Order, c.order) {
				t.Errorf("got %v %+v\nwant ok %v enable %q item %q order %q", ok, fix, c.ok, c.enable, c.item, c.order)
			}
		})
	}
}
