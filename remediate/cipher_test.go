package remediate

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/tlsready/tlsready/checks"
	"github.com/tlsready/tlsready/facts"
	"github.com/tlsready/tlsready/scan"
)

// cipherHost is a result with a cipher finding and the facts the rule read: the OS version, the
// policy and local order (absent unless given) and SCHANNEL algorithm keys set to 0.
func cipherHost(name, version, id, policy, local string, off ...string) scan.Result {
	f := &facts.Facts{OS: facts.OS{Version: version, Architecture: "64-bit"}}
	order := func(item, data, typ string) {
		v := facts.Value{ItemID: item, Name: "Functions", State: facts.StateNoKey}
		if data != "" {
			v.State, v.Type, v.Data = facts.StateOK, typ, data
		}
		f.Values = append(f.Values, v)
	}
	order(checks.ItemCipherPolicy, policy, facts.RegSZ)
	order(checks.ItemCipherLocal, local, facts.RegMultiSZ)
	for _, a := range off {
		f.Values = append(f.Values, facts.Value{ItemID: checks.ItemSchannelAlgPrefix + a, Name: "Enabled", State: facts.StateOK, Type: facts.RegDWORD, Data: "0"})
	}
	r := scan.Result{Host: name, Verdict: checks.Action, Facts: f}
	if id != "" {
		r.Findings = []checks.Finding{{ID: id, Severity: checks.SeverityAction}}
	}
	return r
}

// TestCipherItems: only hosts with CIPHER_NONE_ACCEPTED / CIPHER_ONLY_RETIRING get cipher items;
// SCHANNEL algorithm keys are enabled again (0xffffffff) only where they remove every accepted
// suite, never written by "tlsready fix"; a Group Policy order is named in README.txt with the
// list for the host's Windows, never written; a local order is rewritten by the script.
func TestCipherItems(t *testing.T) {
	alg := func(s string) string { return KeySchannelAlgs + `\` + s + `\Enabled` }
	win7Accepted := "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384_P256,TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384_P384,TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256_P256,TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256_P384"
	tests := []struct {
		name     string
		r        scan.Result
		values   []string // key\name of the plan's values
		regOnly  bool
		readme   []string // in README.txt (en)
		noReadme []string
		local    bool // the script has Set-CipherLocalOrder
	}{
		{name: "Win10ECDHAndRSAOff", r: cipherHost("PC-W10-ECDH", "10.0.19045", checks.IDCipherOnlyRetiring, "", "", "ecdh", "pkcs", "3des"),
			values: []string{alg(`KeyExchangeAlgorithms\ECDH`)}, regOnly: true,
			readme:   []string{alg(`KeyExchangeAlgorithms\ECDH`) + " = REG_DWORD 0xffffffff   (cipher suites", "KB245030", "Microsoft's pages disagree"},
			noReadme: []string{`KeyExchangeAlgorithms\PKCS`, "SSL Cipher Suite Order"}},
		{name: "Win7Policy", r: cipherHost("PC-W7-GPO", "6.1.7601", checks.IDCipherNoneAccepted, "TLS_RSA_WITH_3DES_EDE_CBC_SHA", ""),
			regOnly: true,
			readme: []string{`"SSL Cipher Suite Order"`, "win7: PC-W7-GPO", win7Accepted + ",TLS_RSA_WITH_3DES_EDE_CBC_SHA",
				"https://learn.microsoft.com/windows/win32/secauthn/tls-cipher-suites-in-windows-7"}},
		{name: "Win10Local", r: cipherHost("PC-W10-LOCAL", "10.0.19045", checks.IDCipherNoneAccepted, "", "TLS_RSA_WITH_3DES_EDE_CBC_SHA"),
			regOnly: true, local: true,
			readme:   []string{"win10-22h2: PC-W10-LOCAL", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384,TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256,TLS_RSA_WITH_3DES_EDE_CBC_SHA"},
			noReadme: []string{`"SSL Cipher Suite Order" to Enabled`}},
		{name: "NoFindingNoItems", r: cipherHost("PC-W10-OK", "10.0.19045", "", "", "", "ecdh"),
			noReadme: []string{"Cipher suites (", "KeyExchangeAlgorithms"}},
		{name: "HostileHostName", r: cipherHost("PC\r\nEVIL\u202e", "6.1.7601", checks.IDCipherNoneAccepted, "TLS_RSA_WITH_3DES_EDE_CBC_SHA", ""),
			regOnly: true, readme: []string{"win7: PC??EVIL?"}, noReadme: []string{"\r\nEVIL"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := Build([]scan.Result{tc.r}, DefaultDSP)
			var got []string
			for _, v := range p.Values {
				got = append(got, v.Key+`\`+v.Name)
				if v.Data != EnabledAlg || !v.KitOnly || v.OrIn {
					t.Errorf("%s: data %#x KitOnly %t OrIn %t, want set to 0xffffffff, kit only", v.Path(), v.Data, v.KitOnly, v.OrIn)
				}
				if _, err := v.RegWrite(); err == nil {
					t.Errorf("%s: tlsready fix may write it; the kit keeps it", v.Path())
				}
			}
			if !slices.Equal(got, tc.values) {
				t.Errorf("values %q, want %q", got, tc.values)
			}
			if (len(p.RegistryOnly) == 1) != tc.regOnly {
				t.Errorf("registry-only hosts %+v, want %v", p.RegistryOnly, tc.regOnly)
			}
			if tc.regOnly && !slices.ContainsFunc(p.RegistryOnly[0].Findings, func(s string) bool { return strings.HasPrefix(s, "CIPHER_") }) {
				t.Errorf("host findings %q lack the cipher finding", p.RegistryOnly[0].Findings)
			}
			readme := string(p.ReadMe("en"))
			for _, w := range tc.readme {
				if !strings.Contains(readme, w) {
					t.Errorf("README.txt lacks %q:\n%s", w, readme)
				}
			}
			for _, w := range tc.noReadme {
				if strings.Contains(readme, w) {
					t.Errorf("README.txt has %q", w)
				}
			}
			ja := string(p.ReadMe("ja"))
			if tc.regOnly != strings.Contains(ja, "暗号スイート (CIPHER_NONE_ACCEPTED") {
				t.Errorf("README.ja.txt cipher section present %t, want %t", !tc.regOnly, tc.regOnly)
			}
			s := string(p.Script())
			if strings.Contains(s, "function Set-CipherLocalOrder") != tc.local {
				t.Errorf("script has Set-CipherLocalOrder %t, want %t", !tc.local, tc.local)
			}
			if strings.Contains(s, `SOFTWARE\Policies\Microsoft\Cryptography`) && !tc.local {
				t.Error("script touches the cipher policy key")
			}
			for _, v := range p.Values {
				if !strings.Contains(s, "Set-TlsDword -Key '"+psQuote(v.Key)+"' -Name 'Enabled' -Data 4294967295\r\n") {
					t.Errorf("script does not set %s", v.Path())
				}
			}
			grammarCheck(t, s)
			for _, b := range [][]byte{p.RegFile(64), p.RegFile(32)} {
				for _, v := range p.Values {
					if !strings.Contains(string(b), string(utf16LE("[" + `HKEY_LOCAL_MACHINE\` + v.Key + "]\r\n\"Enabled\"=dword:ffffffff")[2:])) {
						t.Errorf("reg file lacks %s", v.Path())
					}
				}
			}
		})
	}
}

// TestCipherScriptTable: the script's per-release lists are those of checks.CipherAcceptedSuites,
// the same for every build of a release (the local order fix does not depend on the build), with
// curve suffixes on 6.x only.
func TestCipherScriptTable(t *testing.T) {
	rs := checks.CipherAcceptedSuites()
	var rel []string
	for _, r := range rs {
		rel = append(rel, fmt.Sprintf("%d.%d", r.Major, r.Minor))
		if len(r.Suites) != 4 {
			t.Errorf("%d.%d: %q, want four suites", r.Major, r.Minor, r.Suites)
		}
		for _, s := range r.Suites {
			if curve := strings.HasSuffix(s, "_P256") || strings.HasSuffix(s, "_P384"); curve != (r.Major == 6) {
				t.Errorf("%d.%d: %s", r.Major, r.Minor, s)
			}
		}
	}
	if !slices.Equal(rel, []string{"6.1", "6.2", "6.3", "10.0"}) {
		t.Errorf("releases %q", rel)
	}
	// Every Windows 10 build's list gives the same four suites.
	for _, v := range []string{"10.0.10240", "10.0.14393", "10.0.17763", "10.0.19045", "10.0.20348", "10.0.26100"} {
		r := cipherHost("H", v, checks.IDCipherNoneAccepted, "", "TLS_RSA_WITH_3DES_EDE_CBC_SHA")
		fix, ok := checks.CipherRemedy(r.Facts)
		if !ok || !slices.Equal(fix.Order[:4], rs[3].Suites) {
			t.Errorf("%s: order %q, want %q first", v, fix.Order, rs[3].Suites)
		}
	}
}

// TestCipherLocalOnlyKitHasScript: a fleet whose only need is a local cipher suite order gets
// the script (which alone writes it) and no .reg or GPP file.
func TestCipherLocalOnlyKitHasScript(t *testing.T) {
	p := Build([]scan.Result{cipherHost("PC-LOCAL", "10.0.19045", checks.IDCipherNoneAccepted, "", "TLS_RSA_WITH_3DES_EDE_CBC_SHA")}, DefaultDSP)
	dir := t.TempDir()
	written, err := Write(dir, p, "en", changed)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(written, FileScript) || slices.Contains(written, FileReg64) || slices.Contains(written, FileRegistryXML) {
		t.Errorf("written %q, want the script and no .reg / GPP file", written)
	}
}
